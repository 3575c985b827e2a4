package report

import (
	"fmt"
	"strings"
	"time"

	"watchpost/app"
	"watchpost/assets/i18n"
)

// Incident is an incident's report: its facts, the checklist against the plan's limits
// (late and skipped steps, and why), the levels, calls, linked alarms, notes and the
// timeline from the journal.
func Incident(x Context, r app.IncidentReport) Document {
	tr := x.Tr
	in := r.Incident
	en := tr.English()
	site := x.Site
	rel := func(t time.Time) string { return "+" + ClockDuration(t.Sub(in.OpenedAt)) }

	d := Document{Lang: tr.Lang(), Drill: in.Drill, DrillText: tr.T("DRILL")}
	d.Heading = tr.T("Incident report") + fmt.Sprintf(" #%d", in.ID)
	d.Title = d.Heading + " — " + in.Title
	d.Subtitle = in.Title
	if site != nil {
		d.Subtitle = site.Display(en) + " · " + in.Title
	}
	planName := in.PlanID
	if in.Plan != nil {
		planName = fmt.Sprintf("%s (%s, v%d)", in.Plan.Display(en), in.Plan.ID, in.Plan.Version)
	}
	state := tr.T("Open")
	if in.State == app.IncidentClosed {
		state = tr.T("Closed")
	}
	d.Facts = [][2]string{
		{tr.T("Plan"), planName},
		{tr.T("State"), state},
		{tr.T("Level at the end"), tr.T(in.Level.Label())},
		{tr.T("Opened"), when(in.OpenedAt) + " · " + x.who(in.OpenedBy, "")},
	}
	if in.State == app.IncidentClosed {
		d.Facts = append(d.Facts, [2]string{tr.T("Closed"), when(in.ClosedAt) + " · " + x.who(in.ClosedBy, "")})
		if in.Outcome != "" {
			d.Facts = append(d.Facts, [2]string{tr.T("Outcome"), tr.T(in.Outcome.Label())})
		}
	}
	d.Facts = append(d.Facts, [2]string{tr.T("Duration"), ClockDuration(r.Duration())})
	if place := incidentPlace(tr, site, &in); place != "" {
		d.Facts = append(d.Facts, [2]string{tr.T("Place"), place})
	}
	d.SummaryTitle = tr.T("Summary")
	d.Summary = in.Summary
	if d.Summary == "" {
		d.Summary = tr.T("The incident is still open: this report shows it as it stands.")
	}
	d.Stats = []string{
		tr.T("{{.N}} steps", map[string]any{"N": r.Counts.Steps}),
		tr.T("{{.N}} done", map[string]any{"N": r.Counts.Done}),
		tr.T("{{.N}} late", map[string]any{"N": r.Counts.Late}),
		tr.T("{{.N}} skipped", map[string]any{"N": r.Counts.Skipped}),
		tr.T("{{.N}} not done", map[string]any{"N": r.Counts.NotDone}),
		tr.T("{{.N}} calls", map[string]any{"N": len(in.Calls)}),
	}

	// Levels.
	lv := Table{Title: tr.T("Levels"), Head: []string{tr.T("Time"), tr.T("Level"), tr.T("By"), tr.T("Reason")}}
	for i, l := range in.Levels {
		text := tr.T(l.To.Label())
		if i > 0 {
			text = tr.T(l.From.Label()) + " → " + tr.T(l.To.Label())
		}
		lv.Rows = append(lv.Rows, Row{Cells: []string{rel(l.At), text, x.who(l.By, l.ByName), l.Reason}})
	}

	// Calls.
	calls := Table{Title: tr.T("Calls"), Empty: tr.T("No calls were logged"), Head: []string{tr.T("Time"), tr.T("Contact"), tr.T("Phone"), tr.T("Result"), tr.T("By")}}
	for _, cr := range in.Calls {
		calls.Rows = append(calls.Rows, Row{Cells: []string{rel(cr.At) + " " + cr.At.Local().Format("15:04:05"), cr.Name, cr.Phone, tr.T(cr.Result.Label()), x.who(cr.By, cr.ByName)}})
	}

	// Alarms.
	alarms := Table{Title: tr.T("Alarms"), Empty: tr.T("No alarm is linked"), Head: []string{tr.T("Raised"), tr.T("Alarm"), tr.T("Cause"), tr.T("Priority"), tr.T("State"), tr.T("Outcome")}}
	for _, a := range r.Alarms {
		cause := tr.AlarmPlace(&a, site)
		if det := tr.AlarmDetails(&a); det != "" {
			cause += " (" + det + ")"
		}
		outcome := ""
		if a.Outcome != "" {
			outcome = tr.T(a.Outcome.Label())
		}
		alarms.Rows = append(alarms.Rows, Row{Cells: []string{when(a.RaisedAt), fmt.Sprintf("#%d %s", a.ID, tr.AlarmTitle(&a)), cause, a.Priority.String(), tr.T(i18n.AlarmStateLabel(a.State)), outcome}})
	}

	// Notes.
	notes := Table{Title: tr.T("Notes"), Empty: tr.T("No notes"), Head: []string{tr.T("Time"), tr.T("By"), tr.T("Note")}}
	for _, n := range in.Notes {
		notes.Rows = append(notes.Rows, Row{Cells: []string{rel(n.At) + " " + n.At.Local().Format("15:04:05"), x.who(n.By, n.ByName), n.Text}})
	}

	// The timeline from the journal.
	tl := Table{Title: tr.T("Timeline (from the journal)"), Head: []string{tr.T("Time"), tr.T("Clock"), tr.T("By"), tr.T("What")}}
	for _, e := range r.Timeline {
		tl.Rows = append(tl.Rows, Row{Cells: []string{rel(e.Time), e.Time.Local().Format("15:04:05"), x.who(e.Operator, ""), IncidentEntry(tr, e, &in)}})
	}

	d.Tables = []Table{checklist(tr, x, r, rel)}
	if len(r.Dropped) > 0 {
		other := Table{Title: tr.T("Steps of other levels (not needed)"), Head: []string{tr.T("Step")}}
		for _, s := range r.Dropped {
			other.Rows = append(other.Rows, Row{Cells: []string{s.DisplayTitle(en)}})
		}
		d.Tables = append(d.Tables, other)
	}
	d.Tables = append(d.Tables, lv, calls, alarms, notes, tl)
	d.Sign = []string{tr.T("Commander"), tr.T("Reviewed by"), tr.T("Date")}
	d.Footer = footer(x, r.Made)
	return d
}

// checklist is the incident's checklist against the plan's limits, phase by phase.
func checklist(tr i18n.Translator, x Context, r app.IncidentReport, rel func(time.Time) string) Table {
	in := r.Incident
	en := tr.English()
	cl := Table{Title: tr.T("Checklist"), Empty: tr.T("The plan has no steps"),
		Head: []string{tr.T("Done at"), tr.T("Step"), tr.T("Role"), tr.T("Limit"), tr.T("Level"), tr.T("Status"), tr.T("By"), tr.T("Note or reason")}}
	for _, ph := range app.Phases {
		first := true
		for _, it := range r.Steps {
			if it.Step.Phase != ph {
				continue
			}
			if first {
				cl.Rows = append(cl.Rows, Row{Cells: []string{"", tr.T(ph.Label()), "", "", "", "", "", ""}, Class: "phase"})
				first = false
			}
			s := it.Step
			limit := "—"
			if s.Limit > 0 {
				limit = "+" + ClockDuration(s.Limit.D())
				if !it.ActiveFrom.Equal(in.OpenedAt) {
					limit += " " + tr.T("from {{.T}}", map[string]any{"T": rel(it.ActiveFrom)})
				}
			}
			lvl := tr.T("Any level")
			if s.MinLevel != 0 {
				lvl = tr.T("from {{.Level}}", map[string]any{"Level": tr.T(s.MinLevel.Label())})
			}
			at, status, class, byName, note := "", "", "", "", ""
			switch it.Progress.Status {
			case app.StepDone:
				at = rel(it.Progress.At)
				status, class = tr.T("Done"), "done"
				if s.Limit > 0 {
					// How long it took against its limit, both from when it became active.
					status += " " + ClockDuration(it.Offset) + " / " + ClockDuration(s.Limit.D())
				}
				if it.Late {
					status, class = tr.T("Late")+" "+ClockDuration(it.Offset)+" / "+ClockDuration(s.Limit.D())+" (+"+ClockDuration(it.Offset-s.Limit.D())+")", "late"
				}
				byName, note = x.who(it.Progress.By, it.Progress.ByName), it.Progress.Note
			case app.StepSkipped:
				at = rel(it.Progress.At)
				status, class = tr.T(app.StepSkipped.Label()), "skipped"
				byName, note = x.who(it.Progress.By, it.Progress.ByName), it.Progress.Reason
			default:
				status, class = tr.T("Not done"), "open"
				if !it.Due.IsZero() && r.End.After(it.Due) {
					status += " (" + tr.T("overdue") + ")"
				}
			}
			if !it.Applicable {
				note = strings.TrimSpace(note + " " + tr.T("(not part of the checklist at the final level)"))
			}
			cl.Rows = append(cl.Rows, Row{Cells: []string{at, s.DisplayTitle(en), tr.T(s.Role.Label()), limit, lvl, status, byName, note}, Class: class})
		}
	}
	return cl
}

// incidentPlace is where the incident is: its grid (with the grid worker to call), its
// building, and the location of its first device the site knows.
func incidentPlace(tr i18n.Translator, site *app.Site, in *app.Incident) string {
	if site == nil {
		return ""
	}
	en := tr.English()
	var place []string
	if g, ok := site.Grid(in.GridID); ok {
		place = append(place, g.Display(en)+" ("+tr.T("grid worker")+" "+g.Worker.Name+" "+g.Worker.Phone+")")
	}
	if b, ok := site.Building(in.Building); ok {
		place = append(place, b.Display(en))
	}
	for _, id := range in.DeviceIDs {
		if dv, ok := site.Device(id); ok {
			place = append(place, dv.DisplayLocation(en))
			break
		}
	}
	return strings.Join(place, " · ")
}

// when is a moment in the record: local date and time, "" for none.
func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format("2006-01-02 15:04:05")
}

// footer says who made the document with which Watchpost, and when.
func footer(x Context, made time.Time) string {
	maker := ""
	if x.By != nil {
		maker = x.By.Name
	}
	out := x.Tr.T("Made by Watchpost {{.Version}} on {{.When}} by {{.Who}}; the journal is the record.",
		map[string]any{"Version": x.Version, "When": when(made), "Who": maker})
	if a := x.Anchor; a != nil && a.Seq > 0 {
		out += " " + x.Tr.T("Journal anchor seq {{.Seq}}: {{.Chain}}", map[string]any{"Seq": a.Seq, "Chain": a.Chain})
	}
	return out
}
