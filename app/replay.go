package app

import (
	"bytes"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Replay: the journal is the single source of truth, so the console's state at any
// instant is a fold of the journal up to that instant (DESIGN.md). ReplayState is that
// fold: what the alarm desk, incident command, the map and the drill banner showed. It
// is plain data that serializes to JSON, so that checkpoints of it can be stored and a
// replay can start from the nearest one instead of from the first entry.

// ReplayVersion names the fold. A checkpoint written by another version is not used:
// changing what Fold keeps must raise it.
const ReplayVersion = 2

// Things that ended stay in the state for a while, so that a replay shows an alarm as
// resolved and an incident as closed rather than making them vanish, and the clips of the
// last hour; then they are dropped, so that the state (and its checkpoints) stays small
// over a busy day. A replay of one incident or drill reads that target's own entries and
// clips, which are never dropped.
const (
	replayEndedRetention = time.Hour
	replayClipRetention  = time.Hour
)

// ReplayDevice is what replay keeps of a device, what the map shows of it: whether it was
// online, when it was last heard and its battery. Readings are most of a journal and of a
// state: what they said is in the journal (the device's history), not in the state.
type ReplayDevice struct {
	Online   bool      `json:"online"`
	LastSeen time.Time `json:"last_seen,omitzero"`
	Battery  *float64  `json:"battery,omitempty"` // the latest battery level reported
}

// ReplayDevices are the devices of a state, by ID. A state holds every device of the site
// and a jump decodes a checkpoint, so their checkpoint form is compact: one JSON string,
// "ID online last-seen(Unix ns) battery;" for each device (IDs have no spaces nor ';',
// and nothing in it needs escaping, which keeps decoding it cheap).
type ReplayDevices map[string]*ReplayDevice

// MarshalJSON writes the compact form, sorted by ID.
func (m ReplayDevices) MarshalJSON() ([]byte, error) {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var b []byte
	for _, id := range ids {
		d := m[id]
		b = append(b, id...)
		if d.Online {
			b = append(b, " 1 "...)
		} else {
			b = append(b, " 0 "...)
		}
		if d.LastSeen.IsZero() {
			b = append(b, '0')
		} else {
			b = strconv.AppendInt(b, d.LastSeen.UnixNano(), 10)
		}
		b = append(b, ' ')
		if d.Battery == nil {
			b = append(b, '-')
		} else {
			b = strconv.AppendFloat(b, *d.Battery, 'g', -1, 64)
		}
		b = append(b, ';')
	}
	return json.Marshal(string(b))
}

// UnmarshalJSON reads the compact form.
func (m *ReplayDevices) UnmarshalJSON(data []byte) error {
	var text string
	if err := json.Unmarshal(data, &text); err != nil {
		return err
	}
	out := make(ReplayDevices, strings.Count(text, ";"))
	for line := range strings.SplitSeq(text, ";") {
		if line == "" {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 4 {
			return Errorf(CodeCorrupt, "A replay checkpoint cannot be read")
		}
		d := &ReplayDevice{Online: f[1] == "1"}
		if ns, err := strconv.ParseInt(f[2], 10, 64); err != nil {
			return Errorf(CodeCorrupt, "A replay checkpoint cannot be read").Wrap(err)
		} else if ns != 0 {
			d.LastSeen = time.Unix(0, ns).UTC()
		}
		if f[3] != "-" {
			v, err := strconv.ParseFloat(f[3], 64)
			if err != nil {
				return Errorf(CodeCorrupt, "A replay checkpoint cannot be read").Wrap(err)
			}
			d.Battery = &v
		}
		out[f[0]] = d
	}
	*m = out
	return nil
}

// ReplayEnded is something that ended (an alarm resolved, an incident closed, a drill
// stopped), in the order they ended: the oldest are dropped first.
type ReplayEnded struct {
	What string    `json:"what"` // "alarm", "incident" or "drill"
	ID   int64     `json:"id"`
	At   time.Time `json:"at"`
}

// ReplayState is the console's state after the journal entry Seq.
type ReplayState struct {
	Version   int                  `json:"version"`
	Seq       int64                `json:"seq"`              // the last entry folded in
	Time      time.Time            `json:"time,omitzero"`    // the latest entry time folded in
	Alarms    map[int64]*Alarm     `json:"alarms"`           // open, and resolved for a while
	Incidents map[int64]*Incident  `json:"incidents"`        // running, and closed for a while
	Devices   ReplayDevices        `json:"devices"`          // every device heard of
	Drills    map[int64]*DrillRun  `json:"drills"`           // running, and stopped for a while
	Clips     []Clip               `json:"clips"`            // kept, recorded in the last hour, oldest first
	Orders    map[int64]*WorkOrder `json:"orders,omitempty"` // work orders open, and ended for a while
	Ended     []ReplayEnded        `json:"ended"`            // what ended, oldest first
	Skipped   int64                `json:"skipped,omitzero"` // entries that could not be folded (damaged)
}

// NewReplayState is the state before the first entry.
func NewReplayState() *ReplayState {
	s := &ReplayState{Version: ReplayVersion}
	s.init()
	return s
}

func (s *ReplayState) init() {
	if s.Alarms == nil {
		s.Alarms = map[int64]*Alarm{}
	}
	if s.Incidents == nil {
		s.Incidents = map[int64]*Incident{}
	}
	if s.Devices == nil {
		s.Devices = ReplayDevices{}
	}
	if s.Drills == nil {
		s.Drills = map[int64]*DrillRun{}
	}
	if s.Orders == nil {
		s.Orders = map[int64]*WorkOrder{}
	}
}

// Marshal serializes the state (a checkpoint).
func (s *ReplayState) Marshal() ([]byte, error) { return json.Marshal(s) }

// UnmarshalReplayState reads a checkpoint. A checkpoint of another fold version is an
// error: the caller folds from an earlier one instead.
func UnmarshalReplayState(b []byte) (*ReplayState, error) {
	s := &ReplayState{}
	if err := json.Unmarshal(b, s); err != nil {
		return nil, Errorf(CodeCorrupt, "A replay checkpoint cannot be read").Wrap(err)
	}
	if s.Version != ReplayVersion {
		return nil, Errorf(CodeVersion, "A replay checkpoint was written by another version")
	}
	s.init()
	return s, nil
}

// Fold applies one journal entry to the state. It is deterministic: the same entries in
// the same order give the same state, whether folded from the first entry or from a
// checkpoint. Entries at or before the state's Seq are ignored.
func Fold(s *ReplayState, e *Entry) {
	if e.Seq <= s.Seq {
		return
	}
	s.Seq = e.Seq
	if e.Time.After(s.Time) {
		s.Time = e.Time
	}
	var err error
	switch {
	case e.Kind.IsAlarm():
		err = s.foldAlarm(e)
	case strings.HasPrefix(string(e.Kind), "incident."):
		err = s.foldIncident(e)
	case e.Kind == KindDeviceReading || e.Kind == KindDeviceOffline || e.Kind == KindDeviceOnline:
		s.foldDevice(e)
	case e.Kind == KindDrillStarted || e.Kind == KindDrillStopped:
		err = s.foldDrill(e)
	case e.Kind == KindClip || e.Kind == KindClipDeleted:
		err = s.foldClip(e)
	case e.Kind.IsOrder():
		err = s.foldOrder(e)
	}
	if err != nil {
		s.Skipped++
	}
	s.prune()
}

func (s *ReplayState) foldAlarm(e *Entry) error {
	var a Alarm
	if err := e.Decode(&a); err != nil {
		return err
	}
	if e.Kind == KindAlarmRaised {
		a.ID = e.Seq // the alarm's ID is the sequence number of the entry that raised it
	}
	if a.ID == 0 {
		a.ID = subjectID(e.Subject, "alarm:")
	}
	if a.ID == 0 {
		return Errorf(CodeCorrupt, "Journal entry {{.Seq}} cannot be read", "Seq", e.Seq)
	}
	s.Alarms[a.ID] = &a
	if a.State == AlarmResolved {
		s.Ended = append(s.Ended, ReplayEnded{What: "alarm", ID: a.ID, At: s.Time})
	}
	return nil
}

func (s *ReplayState) foldIncident(e *Entry) error {
	if e.Kind == KindIncidentOpened {
		var in Incident
		if err := e.Decode(&in); err != nil {
			return err
		}
		s.Incidents[in.ID] = &in
		return nil
	}
	var ch IncidentChange
	if err := e.Decode(&ch); err != nil {
		return err
	}
	id := ch.Incident
	if id == 0 {
		id = subjectID(e.Subject, "incident:")
	}
	in, ok := s.Incidents[id]
	if !ok {
		return Errorf(CodeNotFound, "There is no incident {{.ID}}", "ID", id)
	}
	// Apply checks before it changes anything: a refused action leaves the incident as it was.
	if err := in.Apply(e.Kind, ch); err != nil {
		return err
	}
	if in.State == IncidentClosed {
		s.Ended = append(s.Ended, ReplayEnded{What: "incident", ID: id, At: s.Time})
	}
	return nil
}

func (s *ReplayState) foldDevice(e *Entry) {
	id, ok := strings.CutPrefix(e.Subject, "device:")
	if !ok || id == "" {
		return
	}
	d := s.Devices[id]
	if d == nil {
		d = &ReplayDevice{}
		s.Devices[id] = d
	}
	switch e.Kind {
	case KindDeviceOffline:
		d.Online = false
	case KindDeviceOnline:
		d.Online = true
	default:
		// A reading: the device is online, unless it is its Last Will. Readings are most of
		// a journal: they are not decoded, only scanned for the battery, and decoded only
		// when they might say "offline".
		d.Online, d.LastSeen = true, e.Time
		if b, ok := scanNumber(e.Data, `"battery":`); ok {
			d.Battery = &b
		}
		if bytes.Contains(e.Data, []byte(`"offline"`)) {
			var r Reading
			if e.Decode(&r) == nil && r.Type == MsgStatus {
				if st, _ := r.String("status"); st == "offline" {
					d.Online = false
				}
			}
		}
	}
}

func (s *ReplayState) foldDrill(e *Entry) error {
	run, err := DrillRunOf(e)
	if err != nil {
		return err
	}
	if run.ID == 0 {
		run.ID = subjectID(e.Subject, "drill:")
	}
	s.Drills[run.ID] = &run
	if e.Kind == KindDrillStopped {
		s.Ended = append(s.Ended, ReplayEnded{What: "drill", ID: run.ID, At: s.Time})
	}
	return nil
}

// foldOrder keeps the order as its entry left it (every order.* entry carries the whole order).
func (s *ReplayState) foldOrder(e *Entry) error {
	var o WorkOrder
	if err := e.Decode(&o); err != nil {
		return err
	}
	if o.ID == 0 {
		return Errorf(CodeCorrupt, "Journal entry {{.Seq}} cannot be read", "Seq", e.Seq)
	}
	was, had := s.Orders[o.ID]
	s.Orders[o.ID] = &o
	if !o.State.Open() && (!had || was.State.Open()) {
		s.Ended = append(s.Ended, ReplayEnded{What: "order", ID: o.ID, At: s.Time})
	}
	return nil
}

func (s *ReplayState) foldClip(e *Entry) error {
	if e.Kind == KindClipDeleted {
		var d ClipDeletion
		if err := e.Decode(&d); err != nil {
			return err
		}
		for i := range s.Clips {
			if s.Clips[i].ID == d.Clip {
				s.Clips = append(s.Clips[:i:i], s.Clips[i+1:]...)
				break
			}
		}
		return nil
	}
	var c Clip
	if err := e.Decode(&c); err != nil {
		return err
	}
	s.Clips = append(s.Clips, c)
	return nil
}

// prune drops what ended longer ago than the retention: the oldest first, so that it
// costs nothing while nothing is due.
func (s *ReplayState) prune() {
	n := 0
	for n < len(s.Ended) && s.Time.Sub(s.Ended[n].At) > replayEndedRetention {
		x := s.Ended[n]
		switch x.What {
		case "alarm":
			if a, ok := s.Alarms[x.ID]; ok && a.State == AlarmResolved {
				delete(s.Alarms, x.ID)
			}
		case "incident":
			if in, ok := s.Incidents[x.ID]; ok && in.State == IncidentClosed {
				delete(s.Incidents, x.ID)
			}
		case "drill":
			if r, ok := s.Drills[x.ID]; ok && r.EndedAt != nil {
				delete(s.Drills, x.ID)
			}
		case "order":
			if o, ok := s.Orders[x.ID]; ok && !o.State.Open() {
				delete(s.Orders, x.ID)
			}
		}
		n++
	}
	if n > 0 {
		s.Ended = s.Ended[n:]
	}
	n = 0
	for n < len(s.Clips) && s.Time.Sub(s.Clips[n].To) > replayClipRetention {
		n++
	}
	if n > 0 {
		s.Clips = s.Clips[n:]
	}
}

// scanNumber finds a numeric field in a journaled Reading without decoding it. Only its
// values hold fields with these names (the reading's own fields are device, kind, type,
// event, ts, received, values).
func scanNumber(data []byte, key string) (float64, bool) {
	i := bytes.Index(data, []byte(key))
	if i < 0 {
		return 0, false
	}
	rest := bytes.TrimLeft(data[i+len(key):], " ")
	n := 0
	for n < len(rest) && (rest[n] >= '0' && rest[n] <= '9' || rest[n] == '.' || rest[n] == '-' || rest[n] == '+' || rest[n] == 'e' || rest[n] == 'E') {
		n++
	}
	v, err := strconv.ParseFloat(string(rest[:n]), 64)
	return v, err == nil
}

// subjectID reads the number of a subject like "alarm:42" (0 if it has none).
func subjectID(subject, prefix string) int64 {
	s, ok := strings.CutPrefix(subject, prefix)
	if !ok {
		return 0
	}
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

// ReplayView is the console at an instant as its panels show it: copies, sorted, that
// the caller may keep while the replay moves on.
type ReplayView struct {
	Seq       int64                   `json:"seq"`
	Time      time.Time               `json:"time"`
	Alarms    []Alarm                 `json:"alarms"`             // open, in the alarm desk's order
	Resolved  []Alarm                 `json:"resolved,omitempty"` // resolved in the hour before, newest first
	Incidents []Incident              `json:"incidents"`          // running (newest first), then closed
	Drills    []DrillRun              `json:"drills"`             // running (newest first), then stopped
	Devices   map[string]ReplayDevice `json:"-"`                  // every device heard of
	Offline   []string                `json:"offline,omitempty"`  // devices offline, sorted
	Clips     []Clip                  `json:"clips,omitempty"`    // recorded by then, newest first
	Orders    []WorkOrder             `json:"orders,omitempty"`   // work orders open at the instant (then those ended in the hour before), newest first
}

// View returns the state as the panels show it.
func (s *ReplayState) View() ReplayView {
	v := ReplayView{Seq: s.Seq, Time: s.Time, Devices: make(map[string]ReplayDevice, len(s.Devices))}
	for _, a := range s.Alarms {
		if a.State.Open() {
			v.Alarms = append(v.Alarms, *a)
		} else {
			v.Resolved = append(v.Resolved, *a)
		}
	}
	SortAlarmsForDesk(v.Alarms)
	sort.Slice(v.Resolved, func(i, j int) bool { return v.Resolved[i].ID > v.Resolved[j].ID })
	for _, in := range s.Incidents {
		v.Incidents = append(v.Incidents, *in.clone())
	}
	sort.Slice(v.Incidents, func(i, j int) bool {
		a, b := &v.Incidents[i], &v.Incidents[j]
		if (a.State == IncidentOpen) != (b.State == IncidentOpen) {
			return a.State == IncidentOpen
		}
		return a.ID > b.ID
	})
	for _, r := range s.Drills {
		v.Drills = append(v.Drills, *r)
	}
	sort.Slice(v.Drills, func(i, j int) bool {
		a, b := &v.Drills[i], &v.Drills[j]
		if (a.EndedAt == nil) != (b.EndedAt == nil) {
			return a.EndedAt == nil
		}
		return a.ID > b.ID
	})
	for id, d := range s.Devices {
		v.Devices[id] = *d
		if !d.Online {
			v.Offline = append(v.Offline, id)
		}
	}
	sort.Strings(v.Offline)
	for i := len(s.Clips) - 1; i >= 0; i-- {
		v.Clips = append(v.Clips, s.Clips[i])
	}
	for _, o := range s.Orders {
		v.Orders = append(v.Orders, o.clone())
	}
	sort.Slice(v.Orders, func(i, j int) bool {
		a, b := &v.Orders[i], &v.Orders[j]
		if a.State.Open() != b.State.Open() {
			return a.State.Open()
		}
		return a.ID > b.ID
	})
	return v
}

// Running returns the drill runs going on at the instant.
func (v *ReplayView) Running() []DrillRun {
	var out []DrillRun
	for _, r := range v.Drills {
		if r.EndedAt == nil {
			out = append(out, r)
		}
	}
	return out
}
