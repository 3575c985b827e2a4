package app

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"
)

// ReplaySession is one replay of a target: its timeline with the events marked, and the
// console's state at any instant of it. The whole console comes from the fold (with
// checkpoints); the target itself (its incident, its alarms, its drill run) is folded
// from its own entries, which the fold's retention never drops. A session only reads:
// nothing it does changes the live console.
type ReplaySession struct {
	Target ReplayTarget
	Events []ReplayEvent // the target's entries, oldest first
	Clips  []Clip        // the target's camera clips, by start
	// Gone names the target's clips whose files retention has deleted since.
	Gone map[string]bool

	mu    sync.Mutex
	rp    *Replayer
	st    ReplayStore
	focus []Entry // the target's own entries (incident, alarms, drill run), oldest first
}

// ReplayEvent is a mark on the timeline: one of the target's journal entries.
type ReplayEvent struct {
	Seq      int64     `json:"seq"`
	At       time.Time `json:"at"`
	Kind     EntryKind `json:"kind"`
	Subject  string    `json:"subject"`
	Operator string    `json:"operator"`
	Drill    bool      `json:"drill,omitempty"`
	Step     string    `json:"step,omitempty"`   // a checklist step's ID
	Detail   string    `json:"detail,omitempty"` // a note, a summary; an alarm's cause only as an earlier version recorded it
	// Params are an alarm's cause as facts (the kind is the alarm's, in Kind's entry).
	AlarmKind string            `json:"alarm_kind,omitempty"`
	Params    map[string]string `json:"params,omitempty"`
}

// ReplayFrame is the console at one instant of a replay.
type ReplayFrame struct {
	At     time.Time     `json:"at"`
	Offset time.Duration `json:"offset"` // from the target's start
	Seq    int64         `json:"seq"`    // the last entry at or before the instant
	View   ReplayView    `json:"console"`
	// The target as it stood: its incident (nil before it opened; a drill's incident),
	// its alarms in every state, in the desk's order, and its drill run.
	Incident *Incident `json:"incident,omitempty"`
	Alarms   []Alarm   `json:"alarms"`
	Drill    *DrillRun `json:"drill,omitempty"`
	// Clips of the target that cover the instant (what the cameras recorded then).
	Clips []Clip `json:"clips,omitempty"`
	// Event is the index of the latest event at or before the instant (-1: none yet).
	Event int `json:"event"`
}

// OpenReplay opens a replay of a target read from the journal. save: write the
// checkpoints it builds where the journal lacks them (a console may; the command line,
// which opens the database read-only, may not). Whoever calls it holds the database:
// the console checks the operator's role first (Replays).
func OpenReplay(ctx context.Context, st ReplayStore, kind string, id int64, save bool) (*ReplaySession, error) {
	t, err := ResolveReplayTarget(ctx, st, kind, id)
	if err != nil {
		return nil, err
	}
	s := &ReplaySession{Target: t, st: st, rp: NewReplayer(st, DefaultCheckpoints, save)}
	if err := s.loadFocus(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// alarmKinds are the alarm desk's journal kinds.
var alarmKinds = []EntryKind{KindAlarmRaised, KindAlarmRepeated, KindAlarmAcknowledged, KindAlarmDispatched, KindAlarmResolved}

var incidentKinds = []EntryKind{KindIncidentOpened, KindIncidentStepDone, KindIncidentStepSkipped, KindIncidentLevelChanged,
	KindIncidentCallLogged, KindIncidentNoteAdded, KindIncidentAlarmLinked, KindIncidentClosed}

// loadFocus reads the target's own entries and its clips.
func (s *ReplaySession) loadFocus(ctx context.Context) error {
	t := &s.Target
	var focus []Entry
	add := func(q JournalQuery) ([]Entry, error) {
		es, err := s.st.Query(ctx, q)
		focus = append(focus, es...)
		return es, err
	}
	alarms := map[int64]bool{}
	incident := int64(0)
	switch t.Kind {
	case ReplayOfIncident:
		incident = t.ID
		if _, err := add(JournalQuery{Subject: SubjectIncident(t.ID)}); err != nil {
			return err
		}
		for _, id := range t.Alarms {
			alarms[id] = true
			if _, err := add(JournalQuery{Subject: SubjectAlarm(id)}); err != nil {
				return err
			}
		}
	case ReplayOfDrill:
		if _, err := add(JournalQuery{Subject: SubjectDrill(t.ID)}); err != nil {
			return err
		}
		// The drill's alarms and incident: everything marked drill on the timeline.
		kinds := append(append([]EntryKind(nil), alarmKinds...), incidentKinds...)
		es, err := s.st.Query(ctx, JournalQuery{Since: t.From, Until: t.To, Kinds: kinds})
		if err != nil {
			return err
		}
		for _, e := range es {
			if !e.Drill {
				continue
			}
			focus = append(focus, e)
			if e.Kind == KindAlarmRaised {
				alarms[e.Seq] = true
			}
			if e.Kind == KindIncidentOpened && incident == 0 {
				incident = subjectID(e.Subject, "incident:")
			}
		}
	}
	// Messages devices numbered that never arrived while it ran (a real incident's: a
	// drill's devices are injected): what the console could not see is part of the story.
	if t.Kind == ReplayOfIncident {
		if _, err := add(JournalQuery{Since: t.From, Until: t.To, Kinds: []EntryKind{KindDeviceGap}}); err != nil {
			return err
		}
	}
	// Clips are written after they end: look a little past the end of the timeline.
	clips, err := s.st.Query(ctx, JournalQuery{Since: t.From, Until: t.To.Add(10 * time.Minute), Kinds: []EntryKind{KindClip}})
	if err != nil {
		return err
	}
	s.Gone = map[string]bool{}
	for i := range clips {
		var c Clip
		if clips[i].Decode(&c) != nil {
			continue
		}
		if (t.Kind == ReplayOfDrill && c.DrillRun == t.ID) || (incident != 0 && c.IncidentID == incident) || alarms[c.AlarmID] {
			s.Clips = append(s.Clips, c)
			gone, err := s.st.Query(ctx, JournalQuery{Subject: SubjectClip(c.ID), Kinds: []EntryKind{KindClipDeleted}, Limit: 1})
			if err != nil {
				return err
			}
			s.Gone[c.ID] = len(gone) > 0
		}
	}
	sort.SliceStable(s.Clips, func(i, j int) bool { return s.Clips[i].From.Before(s.Clips[j].From) })

	sort.SliceStable(focus, func(i, j int) bool { return focus[i].Seq < focus[j].Seq })
	s.focus = focus[:0]
	for i := range focus { // the same entry may come from two queries
		if i > 0 && focus[i].Seq == focus[i-1].Seq {
			continue
		}
		s.focus = append(s.focus, focus[i])
	}
	for i := range s.focus {
		s.Events = append(s.Events, eventOf(&s.focus[i]))
	}
	return nil
}

// eventOf describes an entry for the timeline.
func eventOf(e *Entry) ReplayEvent {
	ev := ReplayEvent{Seq: e.Seq, At: e.Time, Kind: e.Kind, Subject: e.Subject, Operator: e.Operator, Drill: e.Drill}
	switch {
	case e.Kind.IsAlarm():
		var a Alarm
		if e.Decode(&a) == nil {
			ev.AlarmKind, ev.Params, ev.Detail = a.Kind, a.Params, a.Cause
		}
	case e.Kind == KindIncidentOpened:
		var in Incident
		if e.Decode(&in) == nil {
			ev.Detail = in.Title
		}
	case strings.HasPrefix(string(e.Kind), "incident."):
		var ch IncidentChange
		if e.Decode(&ch) == nil {
			ev.Step = ch.Step
			ev.Detail = firstOf(ch.Note, ch.Reason, ch.Summary)
			if ch.Call != nil {
				ev.Detail = ch.Call.Name
			}
		}
	}
	return ev
}

func firstOf(s ...string) string {
	for _, x := range s {
		if strings.TrimSpace(x) != "" {
			return x
		}
	}
	return ""
}

// Frame returns the console at the instant t. Frames may be asked in any order; moving
// forward a little is cheapest.
func (s *ReplaySession) Frame(ctx context.Context, t time.Time) (ReplayFrame, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.rp.At(ctx, t)
	if err != nil {
		return ReplayFrame{}, err
	}
	f := ReplayFrame{At: t, Offset: t.Sub(s.Target.Start), Seq: st.Seq, View: st.View(), Event: -1}
	s.focusAt(&f)
	for i := range s.Events {
		if s.Events[i].Seq <= f.Seq {
			f.Event = i
		}
	}
	for _, c := range s.Clips {
		if c.Covers(t) {
			f.Clips = append(f.Clips, c)
		}
	}
	return f, nil
}

// focusAt folds the target's own entries up to the frame's entry.
func (s *ReplaySession) focusAt(f *ReplayFrame) {
	var incident []Entry
	subject := "" // a drill may have several incidents: the first one is shown
	alarms := map[int64]*Alarm{}
	for i := range s.focus {
		e := &s.focus[i]
		if e.Seq > f.Seq {
			break
		}
		switch {
		case e.Kind.IsAlarm():
			var a Alarm
			if e.Decode(&a) == nil {
				if e.Kind == KindAlarmRaised {
					a.ID = e.Seq
				}
				alarms[a.ID] = &a
			}
		case strings.HasPrefix(string(e.Kind), "incident."):
			if subject == "" && e.Kind == KindIncidentOpened {
				subject = e.Subject
			}
			if e.Subject == subject {
				incident = append(incident, *e)
			}
		case e.Kind == KindDrillStarted || e.Kind == KindDrillStopped:
			if run, err := DrillRunOf(e); err == nil {
				f.Drill = &run
			}
		}
	}
	if len(incident) > 0 {
		if in, err := ReplayIncident(incident); err == nil {
			f.Incident = &in
		}
	}
	f.Alarms = make([]Alarm, 0, len(alarms))
	for _, a := range alarms {
		f.Alarms = append(f.Alarms, *a)
	}
	SortAlarmsForDesk(f.Alarms)
}

// EventEntry returns the journal entry of event i (Events[i]), for views that describe
// an event in full (a step's title, a drill's note): the timeline marks keep only a summary.
func (s *ReplaySession) EventEntry(i int) Entry { return s.focus[i] }

// Next returns the time of the first event after t (ok false: none).
func (s *ReplaySession) Next(t time.Time) (time.Time, bool) {
	for _, ev := range s.Events {
		if ev.At.After(t) {
			return ev.At, true
		}
	}
	return time.Time{}, false
}

// Prev returns the time of the last event before t (ok false: none).
func (s *ReplaySession) Prev(t time.Time) (time.Time, bool) {
	for i := len(s.Events) - 1; i >= 0; i-- {
		if s.Events[i].At.Before(t) {
			return s.Events[i].At, true
		}
	}
	return time.Time{}, false
}

// Stats returns what the session's fold did so far.
func (s *ReplaySession) Stats() ReplayStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rp.Stats()
}

// Replays is replay for the console: trainers, commanders (and administrators) list and open
// drill runs and incidents for a debrief (ActReplay).
type Replays struct {
	store ReplayStore
}

// NewReplays builds the service on the database the console writes (its sessions may
// keep checkpoints where the journal lacks them).
func NewReplays(st ReplayStore) *Replays { return &Replays{store: st} }

// Targets lists the drill runs and closed incidents, newest first.
func (s *Replays) Targets(ctx context.Context, op *Operator) ([]ReplayTarget, error) {
	if err := Authorize(op, ActReplay); err != nil {
		return nil, err
	}
	return ReplayTargets(ctx, s.store, 100)
}

// Open opens a replay of a target.
func (s *Replays) Open(ctx context.Context, op *Operator, kind string, id int64) (*ReplaySession, error) {
	if err := Authorize(op, ActReplay); err != nil {
		return nil, err
	}
	return OpenReplay(ctx, s.store, kind, id, true)
}
