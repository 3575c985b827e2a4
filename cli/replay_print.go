package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"watchpost/app"
)

// printReplay writes the state for a person reading a terminal.
func printReplay(w io.Writer, o *ReplayJSON, site *app.Site) {
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
