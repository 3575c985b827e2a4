package app

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"
)

// What a trainer replays: a drill run or an incident. Both are told apart by their journal
// subject ("drill:123", "incident:45"); a drill run's ID is the sequence number of its
// drill.started entry, an incident's is its own number.

// Replay target kinds.
const (
	ReplayOfDrill    = "drill"
	ReplayOfIncident = "incident"
)

// The timeline starts a little before the target (the alarm that led to it) and ends a
// little after (the last clips being written).
const (
	replayLead = 30 * time.Second
	replayTail = 30 * time.Second
)

// ReplayTarget is a drill run or an incident to replay, with its span.
type ReplayTarget struct {
	Kind     string      `json:"kind"` // ReplayOfDrill or ReplayOfIncident
	ID       int64       `json:"id"`
	Name     string      `json:"name"`
	NameEn   string      `json:"name_en,omitempty"`
	Start    time.Time   `json:"start"` // opened or started: offsets count from here
	End      time.Time   `json:"end"`   // closed or stopped (its last entry while it runs)
	From     time.Time   `json:"from"`  // the timeline: a little before Start…
	To       time.Time   `json:"to"`    // …to a little after End
	Ended    bool        `json:"ended"`
	Drill    bool        `json:"drill,omitempty"`
	Scenario string      `json:"scenario,omitempty"`
	Score    *DrillScore `json:"score,omitempty"`
	Alarms   []int64     `json:"alarms,omitempty"` // an incident's alarms
}

// Ref is the target's journal subject, which the command line also takes.
func (t *ReplayTarget) Ref() string { return t.Kind + ":" + strconv.FormatInt(t.ID, 10) }

// Names returns the target's names for display.
func (t *ReplayTarget) Names() Names { return Names{Name: t.Name, NameEn: t.NameEn} }

// ParseReplayRef reads "drill:123", "incident:45", or a plain journal sequence number
// (kind ""): the entry that started a drill run or opened an incident.
func ParseReplayRef(ref string) (kind string, id int64, err error) {
	ref = strings.TrimSpace(ref)
	kind, num, found := strings.Cut(ref, ":")
	if !found {
		kind, num = "", ref
	}
	id, perr := strconv.ParseInt(num, 10, 64)
	if perr != nil || id <= 0 || (kind != "" && kind != ReplayOfDrill && kind != ReplayOfIncident) {
		return "", 0, Errorf(CodeInvalid, "{{.Ref}} names no drill run nor incident: give drill:ID, incident:ID or a journal sequence number", "Ref", ref)
	}
	return kind, id, nil
}

// ResolveReplayTarget finds a target in the journal. kind "" takes id as the sequence
// number of the entry that started the drill run or opened the incident.
func ResolveReplayTarget(ctx context.Context, st ReplayStore, kind string, id int64) (ReplayTarget, error) {
	if kind == "" {
		es, err := st.Query(ctx, JournalQuery{AfterSeq: id - 1, Limit: 1})
		if err != nil {
			return ReplayTarget{}, err
		}
		if len(es) == 0 || es[0].Seq != id {
			return ReplayTarget{}, Errorf(CodeNotFound, "The journal has no entry {{.Seq}}", "Seq", id)
		}
		switch es[0].Kind {
		case KindDrillStarted:
			kind = ReplayOfDrill
		case KindIncidentOpened:
			kind, id = ReplayOfIncident, subjectID(es[0].Subject, "incident:")
		default:
			return ReplayTarget{}, Errorf(CodeInvalid, "Journal entry {{.Seq}} starts no drill run nor incident", "Seq", id)
		}
	}
	switch kind {
	case ReplayOfIncident:
		es, err := st.Query(ctx, JournalQuery{Subject: SubjectIncident(id)})
		if err != nil {
			return ReplayTarget{}, err
		}
		if len(es) == 0 {
			return ReplayTarget{}, Errorf(CodeNotFound, "There is no incident {{.ID}}", "ID", id)
		}
		return incidentTarget(ctx, st, es)
	case ReplayOfDrill:
		es, err := st.Query(ctx, JournalQuery{Subject: SubjectDrill(id)})
		if err != nil {
			return ReplayTarget{}, err
		}
		return drillTarget(id, es)
	}
	return ReplayTarget{}, Errorf(CodeInvalid, "{{.Ref}} names no drill run nor incident: give drill:ID, incident:ID or a journal sequence number", "Ref", kind)
}

// incidentTarget: the incident from its entries; the timeline starts at the first of its
// alarms when that came before the opening.
func incidentTarget(ctx context.Context, st ReplayStore, es []Entry) (ReplayTarget, error) {
	in, err := ReplayIncident(es)
	if err != nil {
		return ReplayTarget{}, err
	}
	t := ReplayTarget{Kind: ReplayOfIncident, ID: in.ID, Name: in.Title, Start: in.OpenedAt, End: es[len(es)-1].Time,
		Ended: in.State == IncidentClosed, Drill: in.Drill, Alarms: in.AlarmIDs}
	if t.Ended && in.ClosedAt.Before(t.End) {
		// The state "at the end" must include the closing: ClosedAt is stamped a moment
		// before its entry is journaled, so the end is the later of the two.
		t.End = es[len(es)-1].Time
	} else if t.Ended {
		t.End = in.ClosedAt
	}
	from := t.Start
	for _, id := range in.AlarmIDs {
		first, err := st.Query(ctx, JournalQuery{Subject: SubjectAlarm(id), Limit: 1})
		if err != nil {
			return ReplayTarget{}, err
		}
		if len(first) > 0 && first[0].Time.Before(from) {
			from = first[0].Time
		}
	}
	t.From, t.To = from.Add(-replayLead), t.End.Add(replayTail)
	return t, nil
}

// drillTarget: the run from its drill.started and drill.stopped entries.
func drillTarget(id int64, es []Entry) (ReplayTarget, error) {
	t := ReplayTarget{Kind: ReplayOfDrill, ID: id, Drill: true}
	found := false
	for i := range es {
		e := &es[i]
		if e.Kind != KindDrillStarted && e.Kind != KindDrillStopped {
			continue
		}
		run, err := DrillRunOf(e)
		if err != nil {
			return ReplayTarget{}, err
		}
		found = true
		if run.ID != 0 {
			t.ID = run.ID
		}
		t.Name, t.NameEn, t.Scenario, t.Start = run.Name, run.NameEn, run.Scenario, run.StartedAt
		if t.Start.IsZero() {
			t.Start = e.Time
		}
		if run.EndedAt != nil {
			// The later of the stop's own time and its entry's: the state at the end
			// includes the stop.
			t.End, t.Ended, t.Score = *run.EndedAt, true, run.Score
			if e.Time.After(t.End) {
				t.End = e.Time
			}
		}
	}
	if !found {
		return ReplayTarget{}, Errorf(CodeNotFound, "There is no drill run {{.ID}}", "ID", id)
	}
	if !t.Ended {
		t.End = es[len(es)-1].Time
	}
	t.From, t.To = t.Start.Add(-replayLead), t.End.Add(replayTail)
	return t, nil
}

// ReplayTargets lists what can be replayed, newest first: drill runs that stopped and
// incidents that were closed (at most limit of each).
func ReplayTargets(ctx context.Context, st ReplayStore, limit int) ([]ReplayTarget, error) {
	var out []ReplayTarget
	drills, err := st.Query(ctx, JournalQuery{Subject: "drill:", Kinds: []EntryKind{KindDrillStopped}, Latest: limit})
	if err != nil {
		return nil, err
	}
	for i := range drills {
		id := subjectID(drills[i].Subject, "drill:")
		if t, err := drillTarget(id, drills[i:i+1]); err == nil {
			out = append(out, t)
		}
	}
	closed, err := st.Query(ctx, JournalQuery{Subject: "incident:", Kinds: []EntryKind{KindIncidentClosed}, Latest: limit})
	if err != nil {
		return nil, err
	}
	for _, c := range closed {
		es, err := st.Query(ctx, JournalQuery{Subject: c.Subject})
		if err != nil {
			return nil, err
		}
		if t, err := incidentTarget(ctx, st, es); err == nil {
			out = append(out, t)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.After(out[j].Start) })
	return out, nil
}
