package report

import (
	"fmt"
	"strings"
	"time"

	"watchpost/app"
)

// Debrief is a drill run's debrief, in the style of the incident report: the score, every
// expected reaction against its limit, what the scenario injected, the other runs of the
// same scenario to compare, and the drill's timeline from the journal.
func Debrief(x Context, d app.DrillDebrief) Document {
	tr := x.Tr
	en := tr.English()
	run := d.Run
	site := x.Site
	rel := func(t time.Time) string { return "+" + ClockDuration(t.Sub(run.StartedAt)) }
	planName := func(id string) string {
		if x.Plans != nil {
			if pl, ok := x.Plans(id); ok {
				return fmt.Sprintf("%s (%s)", pl.Display(en), pl.ID)
			}
		}
		return id
	}

	r := Document{Lang: tr.Lang(), Drill: true, DrillText: tr.T("DRILL")}
	r.Heading = tr.T("Drill debrief") + fmt.Sprintf(" #%d", run.ID)
	r.Title = r.Heading + " — " + run.Names().Display(en)
	r.Subtitle = run.Names().Display(en)
	if site != nil {
		r.Subtitle = site.Display(en) + " · " + r.Subtitle
	}
	s := d.Score
	used := tr.T("No incident was opened")
	if s.Incident.ID != 0 {
		used = fmt.Sprintf("#%d · %s", s.Incident.ID, planName(s.PlanUsed))
		if s.PlanUsed != run.PlanID {
			used += " — " + tr.T("not the expected plan")
		}
	}
	r.Facts = [][2]string{
		{tr.T("Scenario"), fmt.Sprintf("%s (%s, v%d)", run.Names().Display(en), run.Scenario, run.Version)},
		{tr.T("Expected plan"), planName(run.PlanID)},
		{tr.T("Incident"), used},
		{tr.T("Started"), when(run.StartedAt) + " · " + x.who(run.By, "")},
	}
	if d.Final && run.EndedAt != nil {
		r.Facts = append(r.Facts, [2]string{tr.T("Ended"), when(*run.EndedAt) + " · " + x.who(run.EndedBy, "")})
	}
	r.Facts = append(r.Facts, [2]string{tr.T("Duration"), ClockDuration(d.Duration())})
	if len(run.Cameras) > 0 && site != nil {
		var names []string
		for _, id := range run.Cameras {
			if cam, ok := site.Camera(id); ok {
				names = append(names, cam.Display(en))
			}
		}
		r.Facts = append(r.Facts, [2]string{tr.T("Cameras"), strings.Join(names, ", ")})
	}
	r.SummaryTitle = tr.T("Scenario")
	if d.Scenario != nil {
		r.Summary = d.Scenario.DisplayDescription(en)
	}
	if !d.Final {
		r.Summary = strings.TrimSpace(r.Summary + "\n\n" + tr.T("The drill is still running: this report shows it as it stands."))
	}
	mean := "—"
	if m, ok := s.MeanAck(); ok {
		mean = ClockDuration(m)
	}
	r.Stats = []string{
		tr.T("Score {{.P}}%", map[string]any{"P": s.Percent}),
		tr.T("{{.N}} in time", map[string]any{"N": s.Met}),
		tr.T("{{.N}} late", map[string]any{"N": s.Late}),
		tr.T("{{.N}} missed", map[string]any{"N": s.Missed}),
		tr.T("{{.N}} steps missed", map[string]any{"N": s.StepsMissed()}),
	}
	if s.NotReached > 0 {
		r.Stats = append(r.Stats, tr.T("{{.N}} not reached (the drill stopped before their limit; not counted in the score)", map[string]any{"N": s.NotReached}))
	}
	r.Stats = append(r.Stats, tr.T("Mean time to acknowledge: {{.T}}", map[string]any{"T": mean}))

	// Every expected reaction against its limit. The status is the sixth column (the
	// page colours it).
	reacts := Table{Title: tr.T("Expected reactions"), Empty: tr.T("Nothing was expected"),
		Head: []string{tr.T("Done at"), tr.T("Reaction"), tr.T("Limit"), tr.T("Took"), tr.T("By"), tr.T("Status"), tr.T("Note or reason")}}
	add := func(what string, ck app.DrillCheck) {
		at, took, limit := "", "", "—"
		if ck.At != nil {
			at, took = rel(*ck.At), ClockDuration(ck.Took.D())
		}
		if ck.Limit > 0 {
			limit = ClockDuration(ck.Limit.D())
		}
		note := ""
		if ck.Skipped {
			note = tr.T(app.StepSkipped.Label()) + ": " + ck.Reason
		}
		reacts.Rows = append(reacts.Rows, Row{Cells: []string{at, what, limit, took, x.who(ck.By, ""), tr.T(ck.State.Label()), note},
			Class: checkClass(ck)})
	}
	phase := func(title string) {
		reacts.Rows = append(reacts.Rows, Row{Cells: []string{"", title, "", "", "", "", ""}, Class: "phase"})
	}
	if len(s.Alarms) > 0 {
		phase(tr.T("Acknowledge each drill alarm"))
	}
	for _, a := range s.Alarms {
		add(fmt.Sprintf("#%d %s (%s %s)", a.Alarm, tr.T(app.AlarmKindLabel(a.Kind)), tr.T("raised"), rel(a.From)), a.DrillCheck)
	}
	phase(tr.T("Open the incident"))
	add(tr.T("With the plan {{.Plan}}", map[string]any{"Plan": planName(run.PlanID)}), s.Incident)
	if len(s.Steps) > 0 {
		phase(tr.T("Plan steps"))
	}
	for _, st := range s.Steps {
		add(st.DisplayTitle(en), st.DrillCheck)
	}

	// What the scenario injected.
	inj := Table{Title: tr.T("Injections"), Empty: tr.T("Nothing was injected"), Head: []string{tr.T("Time"), tr.T("What"), tr.T("Result")}}
	for _, in := range d.Injections {
		text := in.Device + in.Camera
		if in.What == app.InjectNote {
			text = tr.T("Note") + ": " + in.DisplayNote(en)
		} else if def := injectionOf(d.Scenario, in); def != nil {
			text = Injection(tr, def, site)
		}
		res := tr.T("Done")
		for _, id := range in.Alarms {
			res += fmt.Sprintf(" · %s #%d", tr.T("alarm"), id)
		}
		if in.Error != "" {
			res = tr.T("Injection failed") + ": " + recordedText(tr, in.Error)
		}
		inj.Rows = append(inj.Rows, Row{Cells: []string{"+" + ClockDuration(in.At.D()), text, res}})
	}

	// The runs of the same scenario, to compare.
	head := make([]string, len(RunColumns))
	for i, k := range RunColumns {
		head[i] = tr.T(k)
	}
	cmp := Table{Title: tr.T("Runs of this scenario"), Empty: tr.T("No other run"), Head: head}
	for i := range d.History {
		h := &d.History[i]
		cells := make([]string, len(RunColumns))
		for col := range cells {
			cells[col] = RunCell(tr, h, col, x.Names)
		}
		row := Row{Cells: cells}
		if h.ID == run.ID {
			row.Class = "phase"
		}
		cmp.Rows = append(cmp.Rows, row)
	}

	// The timeline from the journal.
	tl := Table{Title: tr.T("Timeline (from the journal)"), Head: []string{tr.T("Time"), tr.T("Clock"), tr.T("By"), tr.T("What")}}
	var inc app.Incident // the drill's incident, for its steps' titles
	for _, e := range d.Timeline {
		if e.Kind == app.KindIncidentOpened && inc.ID == 0 {
			_ = e.Decode(&inc)
		}
		tl.Rows = append(tl.Rows, Row{Cells: []string{rel(e.Time), e.Time.Local().Format("15:04:05"), x.who(e.Operator, ""), DrillEntry(tr, e, &inc)}})
	}

	r.Tables = []Table{reacts, inj, cmp, tl}
	r.Sign = []string{tr.T("Trainer"), tr.T("Commander"), tr.T("Date")}
	r.Footer = footer(x, d.Made)
	return r
}

// injectionOf finds the scenario's definition of what was injected (nil where the
// scenario no longer has it).
func injectionOf(sc *app.DrillScenario, in app.DrillInjection) *app.DrillInject {
	if sc == nil {
		return nil
	}
	for i := range sc.Injections {
		x := &sc.Injections[i]
		if x.At == in.At && x.What() == in.What && x.Device == in.Device && x.Camera == in.Camera {
			return x
		}
	}
	return nil
}
