package cli

import (
	"time"

	"watchpost/app"
)

// ReplayJSON is what `watchpost replay --json` prints: the console at an instant.
type ReplayJSON struct {
	Target app.ReplayTarget `json:"target"`
	At     time.Time        `json:"at"`
	Offset string           `json:"offset"` // from the target's start: +1m30s
	Seq    int64            `json:"seq"`    // the last journal entry at or before the instant
	// The target's alarms with their states at the instant (the desk's order).
	Alarms   []app.Alarm       `json:"alarms"`
	Incident *ReplayIncident   `json:"incident,omitempty"`
	Drill    *ReplayDrill      `json:"drill,omitempty"`  // the target's drill run
	Drills   []ReplayDrill     `json:"drills"`           // drill runs going on at the instant (the console's drill banner)
	Desk     []app.Alarm       `json:"desk"`             // every open alarm on the alarm desk
	Offline  []string          `json:"offline_devices"`  // devices offline at the instant
	Clips    []app.Clip        `json:"clips"`            // the target's clips recorded over the instant
	Events   []app.ReplayEvent `json:"events,omitempty"` // the target's events up to the instant
}

// ReplayIncident is the target incident at the instant, with its checklist.
type ReplayIncident struct {
	ID        int64        `json:"id"`
	Title     string       `json:"title"`
	Plan      string       `json:"plan,omitempty"`
	State     string       `json:"state"` // open, closed
	Level     string       `json:"level"`
	Drill     bool         `json:"drill,omitempty"`
	OpenedAt  time.Time    `json:"opened_at"`
	ClosedAt  *time.Time   `json:"closed_at,omitempty"`
	Done      int          `json:"done"`  // steps done or skipped
	Total     int          `json:"total"` // steps of the checklist
	Checklist []ReplayStep `json:"checklist"`
}

// ReplayStep is one step of the incident's checklist at the instant.
type ReplayStep struct {
	Step    string     `json:"step"`
	Title   string     `json:"title"`
	Phase   string     `json:"phase"`
	Status  string     `json:"status"` // pending, done, skipped
	By      string     `json:"by,omitempty"`
	At      *time.Time `json:"at,omitempty"`
	After   string     `json:"after,omitempty"` // done this long after the step joined the checklist
	Due     *time.Time `json:"due,omitempty"`
	Late    bool       `json:"late,omitempty"`
	Overdue bool       `json:"overdue,omitempty"` // pending past its limit at the instant
	Reason  string     `json:"reason,omitempty"`
}

// ReplayDrill is a drill run at the instant.
type ReplayDrill struct {
	ID        int64           `json:"id"`
	Scenario  string          `json:"scenario"`
	Name      string          `json:"name"`
	State     string          `json:"state"` // running, stopped
	StartedAt time.Time       `json:"started_at"`
	EndedAt   *time.Time      `json:"ended_at,omitempty"`
	Score     *app.DrillScore `json:"score,omitempty"`
}

func drillOut(r *app.DrillRun) ReplayDrill {
	d := ReplayDrill{ID: r.ID, Scenario: r.Scenario, Name: r.Name, State: "running", StartedAt: r.StartedAt, EndedAt: r.EndedAt, Score: r.Score}
	if r.EndedAt != nil {
		d.State = "stopped"
	}
	return d
}

func offsetText(d time.Duration) string {
	if d < 0 {
		return "-" + (-d).Round(time.Second).String()
	}
	return "+" + d.Round(time.Second).String()
}

func replayOutput(s *app.ReplaySession, f *app.ReplayFrame) ReplayJSON {
	out := ReplayJSON{Target: s.Target, At: f.At, Offset: offsetText(f.Offset), Seq: f.Seq, Alarms: f.Alarms,
		Desk: f.View.Alarms, Offline: f.View.Offline, Clips: f.Clips, Drills: []ReplayDrill{}}
	if out.Desk == nil {
		out.Desk = []app.Alarm{}
	}
	if out.Offline == nil {
		out.Offline = []string{}
	}
	if out.Clips == nil {
		out.Clips = []app.Clip{}
	}
	if f.Event >= 0 {
		out.Events = s.Events[:f.Event+1]
	}
	for _, r := range f.View.Running() {
		out.Drills = append(out.Drills, drillOut(&r))
	}
	if f.Drill != nil {
		d := drillOut(f.Drill)
		out.Drill = &d
	}
	if in := f.Incident; in != nil {
		ri := &ReplayIncident{ID: in.ID, Title: in.Title, Plan: in.PlanID, State: string(in.State), Level: in.Level.String(),
			Drill: in.Drill, OpenedAt: in.OpenedAt, Checklist: []ReplayStep{}}
		if in.State == app.IncidentClosed {
			c := in.ClosedAt
			ri.ClosedAt = &c
		}
		for _, it := range in.Checklist(f.At) {
			st := ReplayStep{Step: it.Step.ID, Title: it.Step.Title, Phase: string(it.Step.Phase), Status: string(it.Progress.Status),
				Late: it.Late, Reason: it.Progress.Reason}
			if !it.Due.IsZero() {
				due := it.Due
				st.Due = &due
			}
			if it.Progress.Status != app.StepPending {
				at := it.Progress.At
				st.At, st.By, st.After = &at, it.Progress.By, offsetText(it.Offset)
				ri.Done++
			} else {
				st.Overdue = in.State == app.IncidentOpen && it.Urgency == app.UrgencyOverdue
			}
			ri.Total++
			ri.Checklist = append(ri.Checklist, st)
		}
		out.Incident = ri
	}
	return out
}
