package app

import (
	"context"
	"hash/fnv"
	"sort"
	"strings"
	"sync"
	"time"
)

// AlarmDesk holds the open alarms and is the only way to change them. Each change is
// checked against the operator's role, recorded in the journal (durable) and only then
// applied and published.
type AlarmDesk struct {
	rec   *Recorder
	store AlarmStore
	clock Clock

	// mu guards open; it is never held during a journal append. Changes of one cause (one
	// dedup key) are serialized by its stripe lock, held across the decision, the append
	// and the update: two operators cannot both acknowledge an alarm, and a repeat cannot
	// race its own raise. Different causes append concurrently, so the journal's group
	// commit can put them in one transaction.
	mu      sync.Mutex
	open    map[int64]*Alarm
	byKey   map[string]int64 // dedup key → the open alarm of that cause
	flood   time.Duration    // repeats within this time of the last fold into the open alarm
	stripes [64]sync.Mutex
}

func (d *AlarmDesk) stripe(key string) *sync.Mutex {
	h := fnv.New32a()
	h.Write([]byte(key))
	return &d.stripes[h.Sum32()%uint32(len(d.stripes))]
}

// SetFloodWindow sets how long after its last repeat a cause still folds into its open
// alarm; later, it raises a new one (a second fall two hours after the first is news).
func (d *AlarmDesk) SetFloodWindow(w time.Duration) {
	d.mu.Lock()
	d.flood = w
	d.mu.Unlock()
}

// NewAlarmDesk builds the desk and folds the bus's alarm entries into it; call Load
// before use.
func NewAlarmDesk(rec *Recorder, store AlarmStore, clock Clock) *AlarmDesk {
	d := &AlarmDesk{rec: rec, store: store, clock: clock, open: map[int64]*Alarm{}, byKey: map[string]int64{}}
	rec.Bus.Fold(d.apply)
	return d
}

// apply folds one journal entry into the open alarms. It is the only place they change:
// the desk's own commands, an alarm raised by another process (read by the Tail) and a
// command-line resolve all reach the desk this way, after they are durable.
func (d *AlarmDesk) apply(e Entry) {
	if !e.Kind.IsAlarm() {
		return
	}
	var a Alarm
	if e.Decode(&a) != nil {
		return
	}
	if e.Kind == KindAlarmRaised {
		a.ID = e.Seq // the alarm's ID is the sequence number of the entry that raised it
	}
	if a.ID == 0 {
		a.ID = subjectID(e.Subject, "alarm:")
	}
	if a.ID == 0 {
		return
	}
	key := dedupKey(&a)
	d.mu.Lock()
	defer d.mu.Unlock()
	switch {
	case a.State == AlarmResolved:
		delete(d.open, a.ID)
		if d.byKey[key] == a.ID {
			delete(d.byKey, key)
		}
	case e.Kind == KindAlarmRaised:
		d.open[a.ID] = &a
		d.byKey[key] = a.ID // a newer alarm of the cause takes over its repeats
	default:
		if _, ok := d.open[a.ID]; ok { // a change of an alarm resolved meanwhile is history
			d.open[a.ID] = &a
		}
	}
}

// Load reads the open alarms from the store (after a restart nothing open is forgotten).
func (d *AlarmDesk) Load(ctx context.Context) error {
	alarms, err := d.store.Alarms(ctx, AlarmQuery{OpenOnly: true})
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.open = make(map[int64]*Alarm, len(alarms))
	d.byKey = make(map[string]int64, len(alarms))
	for i := range alarms {
		a := alarms[i]
		d.open[a.ID] = &a
		d.byKey[dedupKey(&a)] = a.ID
	}
	return nil
}

// dedupKey: a cause that repeats while its alarm is open is folded into it, not raised again.
func dedupKey(a *Alarm) string {
	if a.Reported {
		// Each report is its own alarm (a second caller's words are not a repeat): its key
		// is the moment it was logged, which the journal keeps to the nanosecond.
		return "reported|" + a.RaisedAt.Format(time.RFC3339Nano)
	}
	// An overdue order's notice is the order's own (ParamOrder): two late orders are two notices.
	return strings.Join([]string{a.Kind, a.DeviceID, a.CameraID, boolStr(a.Drill), boolStr(a.Test), a.Params[ParamOrder]}, "|")
}

func boolStr(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// Raise records a new alarm from the rules (actor nil: the system) or by hand (an operator
// allowed to raise alarms). If the same cause already has an open alarm, it is counted as
// a repeat of that one instead (flood control). The entries in with (the reading that
// caused it) are journaled in the same transaction, before the alarm. It returns the
// alarm as stored.
func (d *AlarmDesk) Raise(ctx context.Context, actor *Operator, a Alarm, with ...Entry) (Alarm, error) {
	by := SystemActor
	if actor != nil {
		if err := Authorize(actor, ActRaiseAlarm); err != nil {
			return Alarm{}, err
		}
		by = actor.Username
	}
	now := d.clock.Now()
	if a.RaisedAt.IsZero() {
		a.RaisedAt = now
	}
	a.LastAt = a.RaisedAt
	a.State = AlarmNew
	a.ID = 0
	if err := a.Validate(); err != nil {
		return Alarm{}, err
	}

	key := dedupKey(&a)
	lock := d.stripe(key)
	lock.Lock()
	defer lock.Unlock()

	d.mu.Lock()
	var prev *Alarm
	if o, ok := d.open[d.byKey[key]]; ok && (d.flood == 0 || a.RaisedAt.Sub(o.LastAt) <= d.flood) {
		c := *o
		prev = &c
	}
	d.mu.Unlock()

	if prev != nil {
		rep := *prev
		rep.Repeats++
		rep.LastAt = a.RaisedAt
		if a.Priority < rep.Priority {
			rep.Priority = a.Priority // a worse repeat makes the alarm more urgent
		}
		e := NewEntry(KindAlarmRepeated, rep.Subject(), by, rep)
		e.Drill = rep.Drill
		if _, err := d.rec.Record(ctx, append(with, e)...); err != nil {
			return Alarm{}, err
		}
		return rep, nil
	}
	e := NewEntry(KindAlarmRaised, "", by, a)
	e.Drill = a.Drill
	// The alarm's ID is the sequence number of this entry (the journal sets its subject).
	out, err := d.rec.Record(ctx, append(with, e)...)
	if err != nil {
		return Alarm{}, err
	}
	a.ID = out[len(out)-1].Seq
	return a, nil
}

// change applies one lifecycle step to an open alarm, by an operator already checked (or
// by the system: SystemActor).
func (d *AlarmDesk) change(ctx context.Context, by string, id int64, to AlarmState, kind EntryKind, m Mark, outcome Outcome) (Alarm, error) {
	m.By, m.At = by, d.clock.Now()

	d.mu.Lock()
	cur, ok := d.open[id]
	key := ""
	if ok {
		key = dedupKey(cur)
	}
	d.mu.Unlock()
	if !ok {
		if _, err := d.store.Alarm(ctx, id); err == nil {
			return Alarm{}, Errorf(CodeConflict, "Alarm {{.ID}} is already resolved", "ID", id)
		}
		return Alarm{}, Errorf(CodeNotFound, "There is no alarm {{.ID}}", "ID", id)
	}
	lock := d.stripe(key)
	lock.Lock()
	defer lock.Unlock()
	d.mu.Lock()
	cur, ok = d.open[id]
	var next Alarm
	if ok {
		next = *cur
	}
	d.mu.Unlock()
	if !ok {
		return Alarm{}, Errorf(CodeConflict, "Alarm {{.ID}} is already resolved", "ID", id)
	}
	if err := next.transition(to, m); err != nil {
		return Alarm{}, err
	}
	if to == AlarmResolved {
		next.Outcome = outcome
	}
	e := NewEntry(kind, next.Subject(), by, next)
	e.Drill = next.Drill
	if _, err := d.rec.Record(ctx, e); err != nil {
		return Alarm{}, err
	}
	return next, nil
}

// Acknowledge records that the operator has seen the alarm and is handling it.
func (d *AlarmDesk) Acknowledge(ctx context.Context, op *Operator, id int64, note string) (Alarm, error) {
	if err := Authorize(op, ActAckAlarm); err != nil {
		return Alarm{}, err
	}
	return d.change(ctx, op.Username, id, AlarmAcknowledged, KindAlarmAcknowledged, Mark{Note: note}, "")
}

// Dispatch records who was sent to deal with the alarm.
func (d *AlarmDesk) Dispatch(ctx context.Context, op *Operator, id int64, to, note string) (Alarm, error) {
	if err := Authorize(op, ActDispatchAlarm); err != nil {
		return Alarm{}, err
	}
	if strings.TrimSpace(to) == "" {
		return Alarm{}, Errorf(CodeInvalid, "Say who is dispatched").On("to")
	}
	return d.change(ctx, op.Username, id, AlarmDispatched, KindAlarmDispatched, Mark{To: to, Note: note}, "")
}

// Resolve closes the alarm with what it turned out to be.
func (d *AlarmDesk) Resolve(ctx context.Context, op *Operator, id int64, outcome Outcome, note string) (Alarm, error) {
	if err := Authorize(op, ActResolveAlarm); err != nil {
		return Alarm{}, err
	}
	switch outcome {
	case OutcomeGenuine, OutcomeFalse, OutcomeTest, OutcomeFault:
	default:
		return Alarm{}, Errorf(CodeInvalid, "Say what the alarm turned out to be").On("outcome")
	}
	return d.change(ctx, op.Username, id, AlarmResolved, KindAlarmResolved, Mark{Note: note}, outcome)
}

// ClearFault resolves, as the system, the open fault alarm of a device (or a camera) whose
// cause went away (the device is back online, the video is back). It does nothing when there
// is none.
func (d *AlarmDesk) ClearFault(ctx context.Context, kind, sourceID, note string) (Alarm, bool, error) {
	d.mu.Lock()
	var id int64
	for _, a := range d.open {
		if a.Fault && a.Kind == kind && a.SourceID() == sourceID {
			id = a.ID
			break
		}
	}
	d.mu.Unlock()
	if id == 0 {
		return Alarm{}, false, nil
	}
	a, err := d.change(ctx, SystemActor, id, AlarmResolved, KindAlarmResolved, Mark{Note: note}, OutcomeCleared)
	return a, err == nil, err
}

// Open returns the open alarms, most urgent first, then newest first.
func (d *AlarmDesk) Open() []Alarm {
	d.mu.Lock()
	out := make([]Alarm, 0, len(d.open))
	for _, a := range d.open {
		out = append(out, *a)
	}
	d.mu.Unlock()
	SortAlarmsForDesk(out)
	return out
}

// SortAlarmsForDesk puts alarms in the alarm desk's order: most urgent first, then newest
// first (Open, and the replay's view of the desk).
func SortAlarmsForDesk(out []Alarm) {
	sort.Slice(out, func(i, j int) bool {
		if out[i].Priority != out[j].Priority {
			return out[i].Priority < out[j].Priority
		}
		if !out[i].RaisedAt.Equal(out[j].RaisedAt) {
			return out[i].RaisedAt.After(out[j].RaisedAt)
		}
		return out[i].ID > out[j].ID
	})
}

// Counts returns the open alarms by priority.
func (d *AlarmDesk) Counts() AlarmCounts {
	d.mu.Lock()
	defer d.mu.Unlock()
	c := AlarmCounts{}
	for _, a := range d.open {
		c[a.Priority]++
	}
	return c
}

// Tally counts the open alarms for the header: real ones by priority, drill ones apart.
func (d *AlarmDesk) Tally() AlarmTally {
	d.mu.Lock()
	open := make([]Alarm, 0, len(d.open))
	for _, a := range d.open {
		open = append(open, *a)
	}
	d.mu.Unlock()
	return TallyAlarms(open)
}

// History returns the journal entries of one alarm, oldest first: who did what, when.
func (d *AlarmDesk) History(ctx context.Context, id int64) ([]Entry, error) {
	return d.rec.Journal.Query(ctx, JournalQuery{Subject: SubjectAlarm(id)})
}

// Get returns an open alarm, or a stored one.
func (d *AlarmDesk) Get(ctx context.Context, id int64) (Alarm, error) {
	d.mu.Lock()
	a, ok := d.open[id]
	var c Alarm
	if ok {
		c = *a
	}
	d.mu.Unlock()
	if ok {
		return c, nil
	}
	return d.store.Alarm(ctx, id)
}

// Recent returns the alarms raised since t, newest first (resolved ones too).
func (d *AlarmDesk) Recent(ctx context.Context, since time.Time) ([]Alarm, error) {
	return d.store.Alarms(ctx, AlarmQuery{Since: since})
}

// DeviceHistory returns a device's latest journal entries (messages, offline, online), oldest first.
func (d *AlarmDesk) DeviceHistory(ctx context.Context, deviceID string, n int) ([]Entry, error) {
	return d.rec.Journal.Query(ctx, JournalQuery{Subject: SubjectDevice(deviceID), Latest: n})
}
