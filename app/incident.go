package app

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Journal kinds of incident command. Each entry's Data is an IncidentChange, except
// incident.opened, which carries the whole Incident (with its plan): the journal alone
// rebuilds every incident (ReplayIncident).
const (
	KindIncidentOpened       EntryKind = "incident.opened"
	KindIncidentStepDone     EntryKind = "incident.step_done"
	KindIncidentStepSkipped  EntryKind = "incident.step_skipped"
	KindIncidentLevelChanged EntryKind = "incident.level_changed"
	KindIncidentCallLogged   EntryKind = "incident.call_logged"
	KindIncidentNoteAdded    EntryKind = "incident.note_added"
	KindIncidentAlarmLinked  EntryKind = "incident.alarm_linked"
	KindIncidentClosed       EntryKind = "incident.closed"
)

// SubjectIncident is the journal subject of an incident.
func SubjectIncident(id int64) string { return "incident:" + strconv.FormatInt(id, 10) }

// DueSoonWindow: a pending step whose limit is this close stands out.
const DueSoonWindow = 2 * time.Minute

// CallResult is what came of a call to a contact.
type CallResult string

const (
	CallCalled   CallResult = "called"    // dialled, the outcome is not known yet
	CallReached  CallResult = "reached"   // spoke to them
	CallNoAnswer CallResult = "no_answer" // nobody answered
)

// CallResults in the order the console offers them.
var CallResults = []CallResult{CallCalled, CallReached, CallNoAnswer}

// Label is the English name of a call result (the translation key).
func (r CallResult) Label() string {
	switch r {
	case CallCalled:
		return "Called"
	case CallReached:
		return "Reached"
	case CallNoAnswer:
		return "No answer"
	}
	return string(r)
}

// CallRecord is one call made during an incident.
type CallRecord struct {
	Contact string     `json:"contact"` // the contact's ID (or grid_worker:g2, family:<device>)
	Name    string     `json:"name"`
	Phone   string     `json:"phone,omitempty"`
	Result  CallResult `json:"result"`
	StepID  string     `json:"step,omitempty"`
	Note    string     `json:"note,omitempty"`
	By      string     `json:"by"`
	ByName  string     `json:"by_name,omitempty"`
	At      time.Time  `json:"at"`
}

// IncidentNote is a free note in the incident log.
type IncidentNote struct {
	Text   string    `json:"text"`
	By     string    `json:"by"`
	ByName string    `json:"by_name,omitempty"`
	At     time.Time `json:"at"`
}

// LevelChange records a level the incident was set to (the first: the opening level).
type LevelChange struct {
	From   Level     `json:"from,omitempty"`
	To     Level     `json:"to"`
	Reason string    `json:"reason,omitempty"`
	By     string    `json:"by"`
	ByName string    `json:"by_name,omitempty"`
	At     time.Time `json:"at"`
}

// IncidentChange is the journal data of one action on an incident.
type IncidentChange struct {
	Incident int64        `json:"incident"`
	Step     string       `json:"step,omitempty"`
	Reason   string       `json:"reason,omitempty"`
	Note     string       `json:"note,omitempty"`
	Level    *LevelChange `json:"level,omitempty"`
	Call     *CallRecord  `json:"call,omitempty"`
	Alarm    int64        `json:"alarm,omitempty"`
	Device   string       `json:"device,omitempty"` // the linked alarm's device
	GridID   string       `json:"grid,omitempty"`   // the linked alarm's place, kept when the incident has none
	Building string       `json:"building,omitempty"`
	Position *Point       `json:"position,omitempty"`
	Summary  string       `json:"summary,omitempty"`
	// Closing: what the incident turned out to be, and what became of its alarms still
	// open (resolved with that outcome by the operator who closed it, or left open).
	Outcome  Outcome   `json:"outcome,omitempty"`
	Resolved []int64   `json:"resolved,omitempty"`
	LeftOpen []int64   `json:"left_open,omitempty"`
	By       string    `json:"by"`
	ByName   string    `json:"by_name,omitempty"`
	At       time.Time `json:"at"`
}

// clone copies the incident so that changes never touch a value others hold.
func (in *Incident) clone() *Incident {
	c := *in
	c.AlarmIDs = append([]int64(nil), in.AlarmIDs...)
	c.DeviceIDs = append([]string(nil), in.DeviceIDs...)
	c.Progress = append([]StepProgress(nil), in.Progress...)
	c.Levels = append([]LevelChange(nil), in.Levels...)
	c.Calls = append([]CallRecord(nil), in.Calls...)
	c.Notes = append([]IncidentNote(nil), in.Notes...)
	if in.Position != nil {
		p := *in.Position
		c.Position = &p
	}
	return &c
}

// Subject is the journal subject of the incident.
func (in *Incident) Subject() string { return SubjectIncident(in.ID) }

// ProgressOf returns the progress of a step (pending when nothing was recorded).
func (in *Incident) ProgressOf(stepID string) StepProgress {
	for _, p := range in.Progress {
		if p.StepID == stepID {
			return p
		}
	}
	return StepProgress{StepID: stepID, Status: StepPending}
}

// HasAlarm reports whether the alarm is linked to the incident.
func (in *Incident) HasAlarm(id int64) bool {
	for _, a := range in.AlarmIDs {
		if a == id {
			return true
		}
	}
	return false
}

// ActiveFrom returns when a step became part of the checklist: the opening, or the level
// change that brought it in (its time limit counts from then). Zero if it never applied.
func (in *Incident) ActiveFrom(s *Step) time.Time {
	levels := in.Levels
	if len(levels) == 0 {
		levels = []LevelChange{{To: in.Level, At: in.OpenedAt}}
	}
	var from time.Time
	active := false
	for _, lc := range levels {
		ap := s.AppliesAt(lc.To)
		if ap && !active {
			from = lc.At
		}
		active = ap
	}
	if !active && from.IsZero() {
		return time.Time{}
	}
	return from
}

// Urgency says how a step stands against its time limit.
type Urgency int

const (
	UrgencyNone    Urgency = iota // done, skipped, or no limit
	UrgencyOK                     // pending, time left
	UrgencySoon                   // pending, due within DueSoonWindow
	UrgencyOverdue                // pending, past its limit
)

// ChecklistItem is a step of an incident's checklist with its progress and timing.
type ChecklistItem struct {
	Step       Step
	Progress   StepProgress
	Applicable bool      // part of the checklist at the current level (done steps stay when it is lowered)
	ActiveFrom time.Time // when the step joined the checklist
	Due        time.Time // zero: no limit
	Left       time.Duration
	Urgency    Urgency
	Offset     time.Duration // done or skipped this long after it became active
	Late       bool          // done after its limit
	Waiting    []string      // pending steps it depends on
}

// Checklist returns the incident's steps at now, by phase and in plan order: those that
// apply at its level, and those done or skipped at another level (they stay recorded).
func (in *Incident) Checklist(now time.Time) []ChecklistItem {
	if in.Plan == nil {
		return nil
	}
	var out []ChecklistItem
	for _, s := range in.Plan.Steps {
		pr := in.ProgressOf(s.ID)
		ap := s.AppliesAt(in.Level)
		if !ap && pr.Status == StepPending {
			continue
		}
		it := ChecklistItem{Step: s, Progress: pr, Applicable: ap, ActiveFrom: in.ActiveFrom(&s)}
		if it.ActiveFrom.IsZero() {
			it.ActiveFrom = in.OpenedAt
		}
		if s.Limit > 0 {
			it.Due = it.ActiveFrom.Add(s.Limit.D())
		}
		if pr.Status == StepPending {
			for _, d := range s.DependsOn {
				if ds, ok := in.Plan.Step(d); ok && ds.AppliesAt(in.Level) && in.ProgressOf(d).Status == StepPending {
					it.Waiting = append(it.Waiting, d)
				}
			}
			if !it.Due.IsZero() {
				it.Left = it.Due.Sub(now)
				switch {
				case it.Left < 0:
					it.Urgency = UrgencyOverdue
				case it.Left <= DueSoonWindow:
					it.Urgency = UrgencySoon
				default:
					it.Urgency = UrgencyOK
				}
			}
		} else {
			it.Offset = pr.At.Sub(it.ActiveFrom)
			it.Late = pr.Status == StepDone && s.Limit > 0 && it.Offset > s.Limit.D()
		}
		out = append(out, it)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Step.Phase.Index() < out[j].Step.Phase.Index() })
	return out
}

// closedErr is the refusal of any action on a closed incident.
func closedErr(id int64) error {
	return Errorf(CodeConflict, "Incident {{.ID}} is closed", "ID", id)
}

// Apply performs one action on the incident (the fold of the journal): it checks that the
// action fits the incident's state and changes it. The service and replay both use it.
func (in *Incident) Apply(kind EntryKind, ch IncidentChange) error {
	if in.State == IncidentClosed {
		return closedErr(in.ID)
	}
	stepFor := func() (*Step, error) {
		if in.Plan == nil {
			return nil, Errorf(CodeConflict, "Incident {{.ID}} has no plan", "ID", in.ID)
		}
		s, ok := in.Plan.Step(ch.Step)
		if !ok {
			return nil, Errorf(CodeNotFound, "The plan has no step {{.ID}}", "ID", ch.Step)
		}
		if !s.AppliesAt(in.Level) {
			return nil, Errorf(CodeConflict, "Step {{.ID}} does not apply at level {{.Level}}", "ID", s.ID, "Level", in.Level.String())
		}
		switch in.ProgressOf(s.ID).Status {
		case StepDone:
			return nil, Errorf(CodeConflict, "Step {{.ID}} is already done", "ID", s.ID)
		case StepSkipped:
			return nil, Errorf(CodeConflict, "Step {{.ID}} was skipped", "ID", s.ID)
		}
		return s, nil
	}
	switch kind {
	case KindIncidentStepDone:
		s, err := stepFor()
		if err != nil {
			return err
		}
		for _, d := range s.DependsOn {
			if ds, ok := in.Plan.Step(d); ok && ds.AppliesAt(in.Level) && in.ProgressOf(d).Status == StepPending {
				return Errorf(CodeConflict, "Step {{.ID}} waits for step {{.Dep}}: do it or skip it first", "ID", s.ID, "Dep", ds.Title)
			}
		}
		in.Progress = append(in.Progress, StepProgress{StepID: s.ID, Status: StepDone, By: ch.By, ByName: ch.ByName, At: ch.At, Level: in.Level, Note: ch.Note})
	case KindIncidentStepSkipped:
		if strings.TrimSpace(ch.Reason) == "" {
			return Errorf(CodeInvalid, "Skipping a step needs a reason").On("reason")
		}
		s, err := stepFor()
		if err != nil {
			return err
		}
		in.Progress = append(in.Progress, StepProgress{StepID: s.ID, Status: StepSkipped, By: ch.By, ByName: ch.ByName, At: ch.At, Level: in.Level, Reason: strings.TrimSpace(ch.Reason)})
	case KindIncidentLevelChanged:
		if ch.Level == nil || !ch.Level.To.Valid() {
			return Errorf(CodeInvalid, "An incident's level must be I to IV").On("level")
		}
		if ch.Level.To == in.Level {
			return Errorf(CodeConflict, "The incident is already at level {{.Level}}", "Level", in.Level.String())
		}
		lc := *ch.Level
		lc.From, lc.By, lc.ByName, lc.At = in.Level, ch.By, ch.ByName, ch.At
		in.Levels = append(in.Levels, lc)
		in.Level = lc.To
	case KindIncidentCallLogged:
		c := ch.Call
		if c == nil || strings.TrimSpace(c.Name) == "" && strings.TrimSpace(c.Phone) == "" {
			return Errorf(CodeInvalid, "Say whom you called").On("contact")
		}
		valid := false
		for _, r := range CallResults {
			valid = valid || r == c.Result
		}
		if !valid {
			return Errorf(CodeInvalid, "Say what came of the call").On("result")
		}
		in.Calls = append(in.Calls, *c)
	case KindIncidentNoteAdded:
		if strings.TrimSpace(ch.Note) == "" {
			return Errorf(CodeInvalid, "A note cannot be empty").On("note")
		}
		in.Notes = append(in.Notes, IncidentNote{Text: strings.TrimSpace(ch.Note), By: ch.By, ByName: ch.ByName, At: ch.At})
	case KindIncidentAlarmLinked:
		if ch.Alarm == 0 {
			return Errorf(CodeInvalid, "Say which alarm to link").On("alarm")
		}
		if in.HasAlarm(ch.Alarm) {
			return Errorf(CodeConflict, "Alarm {{.ID}} is already linked to this incident", "ID", ch.Alarm)
		}
		in.AlarmIDs = append(in.AlarmIDs, ch.Alarm)
		if ch.Device != "" {
			in.DeviceIDs = append(in.DeviceIDs, ch.Device)
		}
		if in.GridID == "" && in.Building == "" && in.Position == nil {
			in.GridID, in.Building, in.Position = ch.GridID, ch.Building, ch.Position
		}
	case KindIncidentClosed:
		if strings.TrimSpace(ch.Summary) == "" {
			return Errorf(CodeInvalid, "Closing an incident needs a summary").On("summary")
		}
		if ch.Outcome != "" && !validOutcome(ch.Outcome) {
			return Errorf(CodeInvalid, "Say what the incident turned out to be").On("outcome")
		}
		in.State = IncidentClosed
		in.Summary = strings.TrimSpace(ch.Summary)
		in.Outcome = ch.Outcome
		in.ClosedBy, in.ClosedAt = ch.By, ch.At
	default:
		return Errorf(CodeInvalid, "Unknown incident action {{.Kind}}", "Kind", string(kind))
	}
	return nil
}

// ReplayIncident rebuilds an incident from its journal entries (oldest first): the
// opening, then every action.
func ReplayIncident(entries []Entry) (Incident, error) {
	var in *Incident
	for i := range entries {
		e := &entries[i]
		if e.Kind == KindIncidentOpened {
			var o Incident
			if err := e.Decode(&o); err != nil {
				return Incident{}, err
			}
			in = &o
			continue
		}
		if in == nil || !strings.HasPrefix(string(e.Kind), "incident.") {
			continue
		}
		var ch IncidentChange
		if err := e.Decode(&ch); err != nil {
			return Incident{}, err
		}
		if err := in.Apply(e.Kind, ch); err != nil {
			return Incident{}, err
		}
	}
	if in == nil {
		return Incident{}, Errorf(CodeNotFound, "The journal has no opening of this incident")
	}
	return *in, nil
}

// IncidentQuery selects incidents. Zero fields do not filter.
type IncidentQuery struct {
	OpenOnly bool
	Alarm    int64 // the incidents this alarm is linked to
	Limit    int
}

// IncidentStore keeps incidents. Each write journals its entry in the same transaction.
type IncidentStore interface {
	Incidents(ctx context.Context, q IncidentQuery) ([]Incident, error) // newest first
	Incident(ctx context.Context, id int64) (Incident, error)
	MaxIncidentID(ctx context.Context) (int64, error)
	SaveIncident(ctx context.Context, in Incident, e Entry) (Entry, error)
}

// Incidents is incident command: opening incidents from alarms or by hand, running their
// checklists, changing their level, logging calls and notes, closing them. Several run at
// once. Every action is checked against the operator's role and journaled with who and when.
type Incidents struct {
	store IncidentStore
	rec   *Recorder
	plans *Plans
	desk  *AlarmDesk
	inv   *Inventory
	clock Clock

	mu     sync.Mutex // guards open, nextID and locks; never held during a write
	open   map[int64]*Incident
	nextID int64
	locks  map[int64]*sync.Mutex // one per incident: its actions are serialized
}

// NewIncidents builds the service; call Load before use.
func NewIncidents(store IncidentStore, rec *Recorder, plans *Plans, desk *AlarmDesk, inv *Inventory, clock Clock) *Incidents {
	s := &Incidents{store: store, rec: rec, plans: plans, desk: desk, inv: inv, clock: clock,
		open: map[int64]*Incident{}, locks: map[int64]*sync.Mutex{}}
	rec.Bus.Fold(s.apply)
	return s
}

// apply folds one journal entry into the running incidents: the only place they change,
// whoever wrote the entry. An action the incident refuses (it cannot happen in a journal
// this service wrote) leaves it as it was.
func (s *Incidents) apply(e Entry) {
	if !strings.HasPrefix(string(e.Kind), "incident.") {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.Kind == KindIncidentOpened {
		var in Incident
		if e.Decode(&in) != nil || in.ID == 0 {
			return
		}
		s.open[in.ID] = &in
		if in.ID >= s.nextID {
			s.nextID = in.ID + 1
		}
		return
	}
	var ch IncidentChange
	if e.Decode(&ch) != nil {
		return
	}
	id := ch.Incident
	if id == 0 {
		id = subjectID(e.Subject, "incident:")
	}
	cur, ok := s.open[id]
	if !ok {
		return
	}
	next := cur.clone()
	if next.Apply(e.Kind, ch) != nil {
		return
	}
	if next.State == IncidentClosed {
		delete(s.open, id)
	} else {
		s.open[id] = next
	}
}

// save writes an incident with its journal entry (one transaction in the store) and
// publishes the entry: the fold above takes it into the running incidents.
func (s *Incidents) save(ctx context.Context, in Incident, e Entry) error {
	_, err := s.rec.Stored(func() ([]Entry, error) {
		out, err := s.store.SaveIncident(ctx, in, e)
		return []Entry{out}, err
	})
	return err
}

// Load reads the open incidents (after a restart nothing running is forgotten).
func (s *Incidents) Load(ctx context.Context) error {
	ins, err := s.store.Incidents(ctx, IncidentQuery{OpenOnly: true})
	if err != nil {
		return err
	}
	max, err := s.store.MaxIncidentID(ctx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.open = map[int64]*Incident{}
	for i := range ins {
		in := ins[i]
		s.open[in.ID] = &in
	}
	s.nextID = max + 1
	return nil
}

func (s *Incidents) lock(id int64) *sync.Mutex {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.locks[id]
	if !ok {
		l = &sync.Mutex{}
		s.locks[id] = l
	}
	return l
}

// OpenRequest says what incident to open.
type OpenRequest struct {
	Title    string
	PlanID   string
	Level    Level // 0: the plan's opening level
	AlarmID  int64 // the alarm it is opened from (0: by hand)
	Drill    bool
	GridID   string
	Building string
	Note     string // the first line of its log (optional)
}

// Open starts an incident from a plan (commanders, and the duty operator who is alone in the
// guard room at night: ActOpenIncident; running it is ActRunIncident). Opened from an alarm,
// the alarm is linked, the place is the alarm's, and a new alarm is acknowledged on the desk.
func (s *Incidents) Open(ctx context.Context, op *Operator, req OpenRequest) (Incident, error) {
	if err := Authorize(op, ActOpenIncident); err != nil {
		return Incident{}, err
	}
	now := s.clock.Now()
	if req.PlanID == "" {
		return Incident{}, Errorf(CodeInvalid, "Choose a plan").On("plan")
	}
	pl, ok := s.plans.Get(req.PlanID)
	if !ok {
		return Incident{}, Errorf(CodeNotFound, "There is no plan {{.ID}}", "ID", req.PlanID)
	}
	in := Incident{Title: strings.TrimSpace(req.Title), PlanID: pl.ID, Plan: &pl, Level: req.Level, State: IncidentOpen,
		Drill: req.Drill, GridID: req.GridID, Building: req.Building, OpenedBy: op.Username, OpenedAt: now}
	if in.Level == 0 {
		in.Level = pl.StartLevel()
	}
	var alarm *Alarm
	if req.AlarmID != 0 {
		a, err := s.desk.Get(ctx, req.AlarmID)
		if err != nil {
			return Incident{}, err
		}
		if other, ok := s.ForAlarm(a.ID); ok {
			return Incident{}, Errorf(CodeConflict, "Alarm {{.ID}} is already handled in incident {{.Incident}}", "ID", a.ID, "Incident", other.ID)
		}
		alarm = &a
		in.AlarmIDs = []int64{a.ID}
		if a.DeviceID != "" {
			in.DeviceIDs = []string{a.DeviceID}
		}
		in.Kind, in.Drill = a.Kind, in.Drill || a.Drill
		if in.GridID == "" {
			in.GridID = a.GridID
		}
		if in.Building == "" {
			in.Building = a.Building
		}
		in.Position = a.Position
		if in.Position == nil && s.inv != nil {
			if site := s.inv.Site(); site != nil {
				if d, ok := site.Device(a.DeviceID); ok {
					p := d.Position
					in.Position = &p
				}
			}
		}
	}
	if in.Title == "" {
		in.Title = pl.Name
	}
	if note := strings.TrimSpace(req.Note); note != "" {
		in.Notes = []IncidentNote{{Text: note, By: op.Username, ByName: op.Name, At: now}}
	}
	in.Levels = []LevelChange{{To: in.Level, By: op.Username, ByName: op.Name, At: now}}
	if err := in.Validate(); err != nil {
		return Incident{}, err
	}
	s.mu.Lock()
	in.ID = s.nextID
	s.nextID++
	s.mu.Unlock()
	l := s.lock(in.ID)
	l.Lock()
	defer l.Unlock()
	e := NewEntry(KindIncidentOpened, in.Subject(), op.Username, in)
	e.Drill = in.Drill
	if err := s.save(ctx, in, e); err != nil {
		return Incident{}, err
	}
	if alarm != nil && alarm.State == AlarmNew && op.Role.Can(ActAckAlarm) {
		// Whoever opens an incident for a new alarm is handling it. Someone else may have
		// acknowledged it meanwhile: that is fine.
		_, _ = s.desk.Acknowledge(ctx, op, alarm.ID, "Incident "+strconv.FormatInt(in.ID, 10))
	}
	return in, nil
}

// current returns the incident as it stands (open ones from memory).
func (s *Incidents) current(ctx context.Context, id int64) (*Incident, error) {
	s.mu.Lock()
	in, ok := s.open[id]
	s.mu.Unlock()
	if ok {
		return in, nil
	}
	got, err := s.store.Incident(ctx, id)
	if err != nil {
		return nil, err
	}
	return &got, nil
}

// act applies one action to an open incident: checked, journaled, then applied.
func (s *Incidents) act(ctx context.Context, op *Operator, id int64, kind EntryKind, ch IncidentChange) (Incident, error) {
	if err := Authorize(op, ActRunIncident); err != nil {
		return Incident{}, err
	}
	l := s.lock(id)
	l.Lock()
	defer l.Unlock()
	cur, err := s.current(ctx, id)
	if err != nil {
		return Incident{}, err
	}
	if cur.State == IncidentClosed {
		return Incident{}, closedErr(id)
	}
	ch.Incident, ch.By, ch.ByName, ch.At = id, op.Username, op.Name, s.clock.Now()
	next := cur.clone()
	if err := next.Apply(kind, ch); err != nil {
		return Incident{}, err
	}
	e := NewEntry(kind, next.Subject(), op.Username, ch)
	e.Drill = next.Drill
	if err := s.save(ctx, *next, e); err != nil {
		return Incident{}, err
	}
	return *next.clone(), nil
}

// Tick records a step as done.
func (s *Incidents) Tick(ctx context.Context, op *Operator, id int64, step, note string) (Incident, error) {
	return s.act(ctx, op, id, KindIncidentStepDone, IncidentChange{Step: step, Note: strings.TrimSpace(note)})
}

// Skip records a step as skipped, with the reason (required).
func (s *Incidents) Skip(ctx context.Context, op *Operator, id int64, step, reason string) (Incident, error) {
	return s.act(ctx, op, id, KindIncidentStepSkipped, IncidentChange{Step: step, Reason: reason})
}

// SetLevel raises or lowers the incident's level: the steps of the new level join the
// checklist, those of the old one that were not done leave it.
func (s *Incidents) SetLevel(ctx context.Context, op *Operator, id int64, to Level, reason string) (Incident, error) {
	return s.act(ctx, op, id, KindIncidentLevelChanged, IncidentChange{Level: &LevelChange{To: to, Reason: strings.TrimSpace(reason)}})
}

// LogCall records a call to a contact and what came of it.
func (s *Incidents) LogCall(ctx context.Context, op *Operator, id int64, c CallRecord) (Incident, error) {
	c.By, c.ByName, c.At = op.usernameOr(), op.nameOr(), s.clock.Now()
	return s.act(ctx, op, id, KindIncidentCallLogged, IncidentChange{Call: &c})
}

// AddNote writes a free note into the incident log.
func (s *Incidents) AddNote(ctx context.Context, op *Operator, id int64, text string) (Incident, error) {
	return s.act(ctx, op, id, KindIncidentNoteAdded, IncidentChange{Note: text})
}

// LinkAlarm links another alarm to the incident (the fire spreads to a second detector).
func (s *Incidents) LinkAlarm(ctx context.Context, op *Operator, id, alarmID int64) (Incident, error) {
	// Checked before the alarm is looked up: a refused operator learns nothing of it.
	if err := Authorize(op, ActRunIncident); err != nil {
		return Incident{}, err
	}
	a, err := s.desk.Get(ctx, alarmID)
	if err != nil {
		return Incident{}, err
	}
	if other, ok := s.ForAlarm(alarmID); ok && other.ID != id {
		return Incident{}, Errorf(CodeConflict, "Alarm {{.ID}} is already handled in incident {{.Incident}}", "ID", alarmID, "Incident", other.ID)
	}
	return s.act(ctx, op, id, KindIncidentAlarmLinked, IncidentChange{Alarm: a.ID, Device: a.DeviceID, GridID: a.GridID, Building: a.Building, Position: a.Position})
}

// AlarmsOnClose says what closing an incident does with its linked alarms still open.
type AlarmsOnClose string

const (
	// AlarmsResolve resolves them with the incident's outcome, each as a resolution by the
	// operator who closes the incident (acknowledged first where nobody had).
	AlarmsResolve AlarmsOnClose = "resolve"
	// AlarmsLeaveOpen leaves them open on the alarm desk (the device still reports, someone
	// else follows them up).
	AlarmsLeaveOpen AlarmsOnClose = "leave"
)

// CloseRequest is how an incident is closed.
type CloseRequest struct {
	Summary string  // what happened, what was done (required)
	Outcome Outcome // what it turned out to be (required when its open alarms are resolved)
	// Alarms: what to do with the linked alarms still open (required when there are some).
	Alarms AlarmsOnClose
}

func validOutcome(o Outcome) bool {
	for _, x := range Outcomes {
		if x == o {
			return true
		}
	}
	return false
}

// OpenAlarms returns the incident's linked alarms that are still open (what closing it
// asks about).
func (s *Incidents) OpenAlarms(ctx context.Context, id int64) ([]Alarm, error) {
	in, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.openAlarmsOf(ctx, &in), nil
}

func (s *Incidents) openAlarmsOf(ctx context.Context, in *Incident) []Alarm {
	var out []Alarm
	for _, aid := range in.AlarmIDs {
		if a, err := s.desk.Get(ctx, aid); err == nil && a.State.Open() {
			out = append(out, a)
		}
	}
	return out
}

// Close ends the incident with a summary. Its linked alarms still open are resolved with
// the incident's outcome or left open, as the request says: closing never leaves them
// behind unasked. The alarms are resolved first (each checked against the operator's
// role and journaled as theirs), so an incident is never closed with half of them done.
func (s *Incidents) Close(ctx context.Context, op *Operator, id int64, req CloseRequest) (Incident, error) {
	if err := Authorize(op, ActRunIncident); err != nil {
		return Incident{}, err
	}
	if strings.TrimSpace(req.Summary) == "" {
		return Incident{}, Errorf(CodeInvalid, "Closing an incident needs a summary").On("summary")
	}
	if req.Outcome != "" && !validOutcome(req.Outcome) {
		return Incident{}, Errorf(CodeInvalid, "Say what the incident turned out to be").On("outcome")
	}
	in, err := s.Get(ctx, id)
	if err != nil {
		return Incident{}, err
	}
	if in.State == IncidentClosed {
		return Incident{}, closedErr(id)
	}
	ch := IncidentChange{Summary: req.Summary, Outcome: req.Outcome}
	open := s.openAlarmsOf(ctx, &in)
	if len(open) > 0 {
		switch req.Alarms {
		case AlarmsResolve:
			if req.Outcome == "" {
				return Incident{}, Errorf(CodeInvalid, "Say what the incident turned out to be: its open alarms are resolved with that outcome").On("outcome")
			}
			// Checked for every alarm before any is changed.
			for _, a := range open {
				if err := Authorize(op, ActResolveAlarm); err != nil {
					return Incident{}, err
				}
				if a.State == AlarmNew {
					if err := Authorize(op, ActAckAlarm); err != nil {
						return Incident{}, err
					}
				}
			}
			note := "Incident " + strconv.FormatInt(id, 10) + ": " + strings.TrimSpace(req.Summary)
			for _, a := range open {
				if a.State == AlarmNew {
					// Someone else may have acknowledged it meanwhile: that is fine.
					if _, err := s.desk.Acknowledge(ctx, op, a.ID, "Incident "+strconv.FormatInt(id, 10)); err != nil && !IsCode(err, CodeConflict) {
						return Incident{}, err
					}
				}
				if _, err := s.desk.Resolve(ctx, op, a.ID, req.Outcome, note); err != nil {
					if cur, gerr := s.desk.Get(ctx, a.ID); gerr == nil && !cur.State.Open() {
						continue // resolved by someone else meanwhile
					}
					return Incident{}, err
				}
				ch.Resolved = append(ch.Resolved, a.ID)
			}
		case AlarmsLeaveOpen:
			for _, a := range open {
				ch.LeftOpen = append(ch.LeftOpen, a.ID)
			}
		default:
			return Incident{}, Errorf(CodeInvalid, "{{.N}} alarms of the incident are still open: say whether to resolve them or leave them open",
				"N", len(open)).On("alarms")
		}
	}
	return s.act(ctx, op, id, KindIncidentClosed, ch)
}

// OfAlarm returns the incident that handles an alarm, or handled it: the running one,
// else the latest closed one (ok false: none ever did).
func (s *Incidents) OfAlarm(ctx context.Context, alarmID int64) (Incident, bool, error) {
	if in, ok := s.ForAlarm(alarmID); ok {
		return in, true, nil
	}
	ins, err := s.store.Incidents(ctx, IncidentQuery{Alarm: alarmID, Limit: 1})
	if err != nil {
		return Incident{}, false, err
	}
	if len(ins) == 0 {
		return Incident{}, false, nil
	}
	return ins[0], true, nil
}

func (o *Operator) usernameOr() string {
	if o == nil {
		return ""
	}
	return o.Username
}

func (o *Operator) nameOr() string {
	if o == nil {
		return ""
	}
	return o.Name
}

// Running returns the open incidents, newest first.
func (s *Incidents) Running() []Incident {
	s.mu.Lock()
	out := make([]Incident, 0, len(s.open))
	for _, in := range s.open {
		out = append(out, *in.clone())
	}
	s.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	return out
}

// Recent returns the latest incidents, open and closed, newest first.
func (s *Incidents) Recent(ctx context.Context, n int) ([]Incident, error) {
	return s.store.Incidents(ctx, IncidentQuery{Limit: n})
}

// Get returns an incident.
func (s *Incidents) Get(ctx context.Context, id int64) (Incident, error) {
	in, err := s.current(ctx, id)
	if err != nil {
		return Incident{}, err
	}
	return *in.clone(), nil
}

// ForAlarm returns the running incident an alarm is linked to.
func (s *Incidents) ForAlarm(alarmID int64) (Incident, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, in := range s.open {
		if in.HasAlarm(alarmID) {
			return *in.clone(), true
		}
	}
	return Incident{}, false
}

// History returns the journal entries of an incident, oldest first.
func (s *Incidents) History(ctx context.Context, id int64) ([]Entry, error) {
	return s.rec.Journal.Query(ctx, JournalQuery{Subject: SubjectIncident(id)})
}

// Now is the service's clock (the panels time steps with it).
func (s *Incidents) Now() time.Time { return s.clock.Now() }
