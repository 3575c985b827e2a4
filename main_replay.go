package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"watchpost/app"
)

// Replay from the command line (`watchpost replay ID --at T`).

// runReplay prints the console's state at an instant of a drill run or an incident, from a
// read-only connection (it works while a console runs).
func runReplay(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("watchpost replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data", "", "data directory")
	at := fs.String("at", "", "the instant: a time (RFC 3339, or 2026-11-28 09:30:05, or 09:30:05 on the target's day), an offset from the start (+90s, +2m), start or end")
	asJSON := fs.Bool("json", false, "print JSON")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: watchpost replay ID --at T [--json] [--data DIR]")
		fmt.Fprintln(stderr, "  ID is drill:RUN, incident:N, or the journal sequence number of the entry that started the drill run or opened the incident")
		fs.PrintDefaults()
	}
	// The ID may come before or after the flags.
	var ids []string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			return exitUsage
		}
		if fs.NArg() == 0 {
			break
		}
		ids = append(ids, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(ids) != 1 || *at == "" {
		fs.Usage()
		return exitUsage
	}
	kind, id, err := app.ParseReplayRef(ids[0])
	if err != nil {
		fmt.Fprintln(stderr, "watchpost replay:", err)
		return exitUsage
	}
	dir, err := dataDirOf(*dataDir)
	if err != nil {
		fmt.Fprintln(stderr, "watchpost:", err)
		return exitFailure
	}
	ctx := context.Background()
	st, err := openReadOnly(ctx, dir)
	if err != nil {
		fmt.Fprintln(stderr, "watchpost:", err)
		return exitFailure
	}
	defer st.Close()
	sess, err := app.OpenReplay(ctx, st, kind, id, false)
	if err != nil {
		fmt.Fprintln(stderr, "watchpost replay:", err)
		return exitFailure
	}
	t, err := parseReplayAt(*at, &sess.Target)
	if err != nil {
		fmt.Fprintln(stderr, "watchpost replay:", err)
		return exitUsage
	}
	f, err := sess.Frame(ctx, t)
	if err != nil {
		fmt.Fprintln(stderr, "watchpost replay:", err)
		return exitFailure
	}
	out := replayOutput(sess, &f)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return encodeOr(enc.Encode(out), stderr)
	}
	site, _ := st.LoadSite(ctx) // names the alarms' places; without it, their IDs do
	printReplay(stdout, &out, site)
	return 0
}

// parseReplayAt reads --at: a time, an offset from the target's start, start or end.
func parseReplayAt(s string, t *app.ReplayTarget) (time.Time, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "start":
		return t.Start, nil
	case "end":
		return t.End, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return t.Start.Add(d), nil
	}
	if v, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return v, nil
	}
	if v, err := time.ParseInLocation(time.DateTime, s, time.Local); err == nil {
		return v, nil
	}
	if v, err := time.ParseInLocation(time.TimeOnly, s, time.Local); err == nil {
		day := t.Start.Local()
		return time.Date(day.Year(), day.Month(), day.Day(), v.Hour(), v.Minute(), v.Second(), 0, time.Local), nil
	}
	return time.Time{}, fmt.Errorf("--at %q: give a time (2026-11-28T09:30:05+08:00, 2026-11-28 09:30:05, 09:30:05), an offset from the start (+90s) or start/end", s)
}

// replayJSON is what `watchpost replay --json` prints.
type replayJSON struct {
	Target app.ReplayTarget `json:"target"`
	At     time.Time        `json:"at"`
	Offset string           `json:"offset"` // from the target's start: +1m30s
	Seq    int64            `json:"seq"`    // the last journal entry at or before the instant
	// The target's alarms with their states at the instant (the desk's order).
	Alarms   []app.Alarm       `json:"alarms"`
	Incident *replayIncident   `json:"incident,omitempty"`
	Drill    *replayDrill      `json:"drill,omitempty"`  // the target's drill run
	Drills   []replayDrill     `json:"drills"`           // drill runs going on at the instant (the console's drill banner)
	Desk     []app.Alarm       `json:"desk"`             // every open alarm on the alarm desk
	Offline  []string          `json:"offline_devices"`  // devices offline at the instant
	Clips    []app.Clip        `json:"clips"`            // the target's clips recorded over the instant
	Events   []app.ReplayEvent `json:"events,omitempty"` // the target's events up to the instant
}

type replayIncident struct {
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
	Checklist []replayStep `json:"checklist"`
}

type replayStep struct {
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

type replayDrill struct {
	ID        int64           `json:"id"`
	Scenario  string          `json:"scenario"`
	Name      string          `json:"name"`
	State     string          `json:"state"` // running, stopped
	StartedAt time.Time       `json:"started_at"`
	EndedAt   *time.Time      `json:"ended_at,omitempty"`
	Score     *app.DrillScore `json:"score,omitempty"`
}

func drillOut(r *app.DrillRun) replayDrill {
	d := replayDrill{ID: r.ID, Scenario: r.Scenario, Name: r.Name, State: "running", StartedAt: r.StartedAt, EndedAt: r.EndedAt, Score: r.Score}
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

func replayOutput(s *app.ReplaySession, f *app.ReplayFrame) replayJSON {
	out := replayJSON{Target: s.Target, At: f.At, Offset: offsetText(f.Offset), Seq: f.Seq, Alarms: f.Alarms,
		Desk: f.View.Alarms, Offline: f.View.Offline, Clips: f.Clips, Drills: []replayDrill{}}
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
		ri := &replayIncident{ID: in.ID, Title: in.Title, Plan: in.PlanID, State: string(in.State), Level: in.Level.String(),
			Drill: in.Drill, OpenedAt: in.OpenedAt, Checklist: []replayStep{}}
		if in.State == app.IncidentClosed {
			c := in.ClosedAt
			ri.ClosedAt = &c
		}
		for _, it := range in.Checklist(f.At) {
			st := replayStep{Step: it.Step.ID, Title: it.Step.Title, Phase: string(it.Step.Phase), Status: string(it.Progress.Status),
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

// printReplay writes the state for a person reading a terminal.
func printReplay(w io.Writer, o *replayJSON, site *app.Site) {
	clock := func(t time.Time) string { return t.Local().Format("15:04:05") }
	fmt.Fprintf(w, "%s %q at %s (%s from its start, journal entry %d)\n", o.Target.Ref(), o.Target.Name,
		o.At.Local().Format(time.DateTime), o.Offset, o.Seq)
	if d := o.Drill; d != nil {
		line := fmt.Sprintf("drill run %d %s (%s): %s since %s", d.ID, d.Name, d.Scenario, d.State, clock(d.StartedAt))
		if d.Score != nil {
			line += fmt.Sprintf(", score %d%% (%d of %d met, %d steps missed)", d.Score.Percent, d.Score.Met, d.Score.Total, d.Score.Missed)
		}
		fmt.Fprintln(w, line)
	}
	for _, d := range o.Drills {
		if o.Drill == nil || d.ID != o.Drill.ID {
			fmt.Fprintf(w, "drill running: %d %s since %s\n", d.ID, d.Name, clock(d.StartedAt))
		}
	}
	fmt.Fprintf(w, "\nalarms (%d):\n", len(o.Alarms))
	if len(o.Alarms) == 0 {
		fmt.Fprintln(w, "  none yet")
	}
	for _, a := range o.Alarms {
		drill := ""
		if a.Drill {
			drill = " [drill]"
		}
		fmt.Fprintf(w, "  %6d  %s  %-12s raised %s%s  %s\n", a.ID, a.Priority, a.State, clock(a.RaisedAt), drill, a.Describe(site, true, app.RenderTemplate))
		for _, m := range []struct {
			what string
			m    *app.Mark
		}{{"acknowledged", a.Ack}, {"dispatched", a.Dispatch}, {"resolved", a.Resolve}} {
			if m.m != nil {
				extra := strings.TrimSpace(m.m.To + " " + m.m.Note)
				if extra != "" {
					extra = " — " + extra
				}
				fmt.Fprintf(w, "          %s by %s at %s%s\n", m.what, m.m.By, clock(m.m.At), extra)
			}
		}
	}
	if in := o.Incident; in != nil {
		fmt.Fprintf(w, "\nincident %d %s: level %s, %s, %d of %d steps done or skipped\n", in.ID, in.Title, in.Level, in.State, in.Done, in.Total)
		for _, s := range in.Checklist {
			mark := "[ ]"
			switch s.Status {
			case string(app.StepDone):
				mark = "[x]"
			case string(app.StepSkipped):
				mark = "[-]"
			}
			line := fmt.Sprintf("  %s %-9s %s", mark, s.Phase, s.Title)
			switch {
			case s.At != nil:
				line += fmt.Sprintf("  (%s by %s, %s)", clock(*s.At), s.By, s.After)
				if s.Late {
					line += " late"
				}
				if s.Reason != "" {
					line += ": " + s.Reason
				}
			case s.Overdue:
				line += fmt.Sprintf("  OVERDUE since %s", clock(*s.Due))
			case s.Due != nil:
				line += fmt.Sprintf("  due %s", clock(*s.Due))
			}
			fmt.Fprintln(w, line)
		}
	} else if o.Target.Kind == app.ReplayOfIncident {
		fmt.Fprintln(w, "\nthe incident is not open yet")
	}
	fmt.Fprintf(w, "\nalarm desk: %d open alarms", len(o.Desk))
	if len(o.Offline) > 0 {
		fmt.Fprintf(w, ", %d devices offline", len(o.Offline))
	}
	fmt.Fprintln(w)
	if len(o.Clips) > 0 {
		fmt.Fprintln(w, "\nclips recorded over this instant:")
		for _, c := range o.Clips {
			fmt.Fprintf(w, "  %-20s %s–%s  %s\n", c.CameraID, clock(c.From), clock(c.To), c.File)
		}
	}
}
