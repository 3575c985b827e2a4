package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"watchpost/app"
)

// The debrief report of a drill run: one HTML page to print, in the style and language of
// the incident report (report.go), with the score, every expected reaction against its
// limit, what the scenario injected, the other runs of the same scenario to compare, and
// the drill's timeline from the journal.

// drillReportData is what a debrief says, in the operator's language.
func (c *Console) drillReportData(d app.DrillDebrief, by *app.Operator) reportData {
	en := english()
	run := d.Run
	site := c.deps.Inventory.Site()
	when := func(t time.Time) string { return t.Local().Format("2006-01-02 15:04:05") }
	rel := func(t time.Time) string { return "+" + clockDuration(t.Sub(run.StartedAt)) }
	who := func(u string) string { return operatorName(u, c.operatorDisplay(u)) }
	planName := func(id string) string {
		if c.deps.Plans != nil {
			if pl, ok := c.deps.Plans.Get(id); ok {
				return fmt.Sprintf("%s (%s)", pl.Display(en), pl.ID)
			}
		}
		return id
	}

	r := reportData{Lang: Language(), Drill: true, DrillText: T("DRILL")}
	r.Heading = T("Drill debrief") + fmt.Sprintf(" #%d", run.ID)
	r.Title = r.Heading + " — " + run.Names().Display(en)
	r.Subtitle = run.Names().Display(en)
	if site != nil {
		r.Subtitle = site.Display(en) + " · " + r.Subtitle
	}
	s := d.Score
	used := T("No incident was opened")
	if s.Incident.ID != 0 {
		used = fmt.Sprintf("#%d · %s", s.Incident.ID, planName(s.PlanUsed))
		if s.PlanUsed != run.PlanID {
			used += " — " + T("not the expected plan")
		}
	}
	r.Facts = [][2]string{
		{T("Scenario"), fmt.Sprintf("%s (%s, v%d)", run.Names().Display(en), run.Scenario, run.Version)},
		{T("Expected plan"), planName(run.PlanID)},
		{T("Incident"), used},
		{T("Started"), when(run.StartedAt) + " · " + who(run.By)},
	}
	if d.Final {
		r.Facts = append(r.Facts, [2]string{T("Ended"), when(*run.EndedAt) + " · " + who(run.EndedBy)})
	}
	r.Facts = append(r.Facts, [2]string{T("Duration"), clockDuration(d.Duration())})
	if len(run.Cameras) > 0 && site != nil {
		var names []string
		for _, id := range run.Cameras {
			if cam, ok := site.Camera(id); ok {
				names = append(names, cam.Display(en))
			}
		}
		r.Facts = append(r.Facts, [2]string{T("Cameras"), strings.Join(names, ", ")})
	}
	r.SummaryTitle = T("Scenario")
	if d.Scenario != nil {
		r.Summary = d.Scenario.DisplayDescription(en)
	}
	if !d.Final {
		r.Summary = strings.TrimSpace(r.Summary + "\n\n" + T("The drill is still running: this report shows it as it stands."))
	}
	mean := "—"
	if m, ok := s.MeanAck(); ok {
		mean = clockDuration(m)
	}
	r.Stats = []string{
		T("Score {{.P}}%", map[string]any{"P": s.Percent}),
		T("{{.N}} in time", map[string]any{"N": s.Met}),
		T("{{.N}} late", map[string]any{"N": s.Late}),
		T("{{.N}} missed", map[string]any{"N": s.Missed}),
		T("{{.N}} steps missed", map[string]any{"N": s.StepsMissed()}),
	}
	if s.NotReached > 0 {
		r.Stats = append(r.Stats, T("{{.N}} not reached (the drill stopped before their limit; not counted in the score)", map[string]any{"N": s.NotReached}))
	}
	r.Stats = append(r.Stats, T("Mean time to acknowledge: {{.T}}", map[string]any{"T": mean}))

	// Every expected reaction against its limit. The status is the sixth column (the
	// template colours it).
	reacts := reportTable{Title: T("Expected reactions"), Empty: T("Nothing was expected"),
		Head: []string{T("Done at"), T("Reaction"), T("Limit"), T("Took"), T("By"), T("Status"), T("Note or reason")}}
	add := func(what string, ck app.DrillCheck) {
		at, took, limit := "", "", "—"
		if ck.At != nil {
			at, took = rel(*ck.At), clockDuration(ck.Took.D())
		}
		if ck.Limit > 0 {
			limit = clockDuration(ck.Limit.D())
		}
		note := ""
		if ck.Skipped {
			note = T(app.StepSkipped.Label()) + ": " + ck.Reason
		}
		reacts.Rows = append(reacts.Rows, reportRow{Cells: []string{at, what, limit, took, who(ck.By), T(ck.State.Label()), note},
			Class: checkClass(ck)})
	}
	if len(s.Alarms) > 0 {
		reacts.Rows = append(reacts.Rows, reportRow{Cells: []string{"", T("Acknowledge each drill alarm"), "", "", "", "", ""}, Class: "phase"})
	}
	for _, a := range s.Alarms {
		add(fmt.Sprintf("#%d %s (%s %s)", a.Alarm, T(app.AlarmKindLabel(a.Kind)), T("raised"), rel(a.From)), a.DrillCheck)
	}
	reacts.Rows = append(reacts.Rows, reportRow{Cells: []string{"", T("Open the incident"), "", "", "", "", ""}, Class: "phase"})
	add(T("With the plan {{.Plan}}", map[string]any{"Plan": planName(run.PlanID)}), s.Incident)
	if len(s.Steps) > 0 {
		reacts.Rows = append(reacts.Rows, reportRow{Cells: []string{"", T("Plan steps"), "", "", "", "", ""}, Class: "phase"})
	}
	for _, st := range s.Steps {
		add(st.DisplayTitle(en), st.DrillCheck)
	}

	// What the scenario injected.
	inj := reportTable{Title: T("Injections"), Empty: T("Nothing was injected"), Head: []string{T("Time"), T("What"), T("Result")}}
	for _, in := range d.Injections {
		var def *app.DrillInject
		if d.Scenario != nil {
			for i := range d.Scenario.Injections {
				x := &d.Scenario.Injections[i]
				if x.At == in.At && x.What() == in.What && x.Device == in.Device && x.Camera == in.Camera {
					def = x
					break
				}
			}
		}
		text := in.Device + in.Camera
		if in.What == app.InjectNote {
			text = T("Note") + ": " + in.DisplayNote(en)
		} else if def != nil {
			text = describeInject(def, site, en)
		}
		res := T("Done")
		for _, id := range in.Alarms {
			res += fmt.Sprintf(" · %s #%d", T("alarm"), id)
		}
		if in.Error != "" {
			res = T("Injection failed") + ": " + in.Error
		}
		inj.Rows = append(inj.Rows, reportRow{Cells: []string{"+" + clockDuration(in.At.D()), text, res}})
	}

	// The runs of the same scenario, to compare.
	cmp := reportTable{Title: T("Runs of this scenario"), Empty: T("No other run"), Head: translateAll(drillRunColumns)}
	for i := range d.History {
		h := &d.History[i]
		cells := make([]string, len(drillRunColumns))
		for col := range cells {
			cells[col] = runCell(h, col, c)
		}
		row := reportRow{Cells: cells}
		if h.ID == run.ID {
			row.Class = "phase"
		}
		cmp.Rows = append(cmp.Rows, row)
	}

	// The timeline from the journal.
	tl := reportTable{Title: T("Timeline (from the journal)"), Head: []string{T("Time"), T("Clock"), T("By"), T("What")}}
	var inc app.Incident // the drill's incident, for its steps' titles
	for _, e := range d.Timeline {
		if e.Kind == app.KindIncidentOpened && inc.ID == 0 {
			_ = e.Decode(&inc)
		}
		tl.Rows = append(tl.Rows, reportRow{Cells: []string{rel(e.Time), e.Time.Local().Format("15:04:05"), who(e.Operator), describeDrillEntry(e, &inc, en)}})
	}

	r.Tables = []reportTable{reacts, inj, cmp, tl}
	r.Sign = []string{T("Trainer"), T("Commander"), T("Date")}
	maker := ""
	if by != nil {
		maker = by.Name
	}
	r.Footer = T("Made by Watchpost {{.Version}} on {{.When}} by {{.Who}}; the journal is the record.",
		map[string]any{"Version": c.deps.Version, "When": when(d.Made), "Who": maker})
	return r
}

func checkClass(ck app.DrillCheck) string {
	switch ck.State {
	case app.CheckMet:
		if ck.Skipped {
			return "skipped"
		}
		return "done"
	case app.CheckLate:
		return "late"
	case app.CheckNotReached:
		return "notreached"
	}
	return "open"
}

func translateAll(keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = T(k)
	}
	return out
}

// describeDrillEntry says what an entry of a drill's timeline records.
func describeDrillEntry(e app.Entry, inc *app.Incident, en bool) string {
	switch e.Kind {
	case app.KindDrillStarted:
		r, _ := app.DrillRunOf(&e)
		return T("Drill started") + ": " + r.Names().Display(en)
	case app.KindDrillStopped:
		r, _ := app.DrillRunOf(&e)
		t := T("Drill stopped")
		if r.Score != nil {
			t += " — " + T("Score {{.P}}%", map[string]any{"P": r.Score.Percent})
		}
		return t
	case app.KindDrillInjected:
		var in app.DrillInjection
		_ = e.Decode(&in)
		switch in.What {
		case app.InjectNote:
			return T("Scenario note") + ": " + in.DisplayNote(en)
		case app.InjectDetection:
			return T("Injected") + ": " + T("detection on {{.Camera}}", map[string]any{"Camera": in.Camera})
		}
		t := T("Injected") + ": " + T("message of {{.Device}}", map[string]any{"Device": in.Device})
		if in.Error != "" {
			t += " — " + in.Error
		}
		return t
	}
	return describeIncidentEntry(e, inc, en)
}

// writeDebrief makes a run's debrief report and saves it; it returns the file's path and
// what the report says (shown in the console when no browser opens it).
func (c *Console) writeDebrief(ctx context.Context, op *app.Operator, runID int64) (string, reportData, error) {
	if c.deps.Reports == nil {
		return "", reportData{}, app.Errorf(app.CodeUnavailable, "Reports cannot be saved here")
	}
	d, err := c.deps.Drills.Debrief(ctx, runID)
	if err != nil {
		return "", reportData{}, err
	}
	data := c.drillReportData(d, op)
	html, err := renderReport(data)
	if err != nil {
		return "", reportData{}, err
	}
	name := fmt.Sprintf("drill-%d-%s-%s.html", runID, d.Made.Local().Format("20060102-150405"), Language())
	path, err := c.deps.Reports.SaveReport(name, html)
	if err != nil {
		return "", reportData{}, app.Errorf(app.CodeUnavailable, "The report cannot be saved: {{.Why}}", "Why", err.Error()).Wrap(err)
	}
	return path, data, nil
}

// debrief writes a run's debrief report and opens it in the browser (or, where none
// opens, in the console).
func (p *drillsPanel) debrief(runID int64) {
	op := p.c.Operator()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		path, data, err := p.c.writeDebrief(ctx, op, runID)
		p.c.onUI(func() {
			if err != nil {
				p.c.showError(err)
				return
			}
			p.lastReport = path
			p.c.openReport(path, data)
		})
	}()
}
