package ui

import (
	"context"
	"fmt"
	"image/color"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// drillLive is the running drill as the trainer follows it: its clock, the injections
// done and to come, and every expected reaction with where it stands. Its boxes keep
// their places (only their rows change), so the lists keep their scroll positions.
type drillLive struct {
	p       *drillsPanel
	content fyne.CanvasObject
	top     *fyne.Container
	inj     *fyne.Container
	react   *fyne.Container
	cols    *container.Split // hidden while no drill runs: empty columns say nothing

	mu    sync.Mutex
	busy  bool // a refresh is reading the journal
	again bool // another one was asked for meanwhile
	last  app.DrillProgress
	has   bool
	idle  bool // the idle view is up to date
}

func newDrillLive(p *drillsPanel) *drillLive {
	l := &drillLive{p: p, top: container.NewVBox(), inj: container.NewVBox(), react: container.NewVBox()}
	cols := container.NewHSplit(
		container.NewBorder(heading(T("Injections")), nil, nil, nil, container.NewVScroll(l.inj)),
		container.NewBorder(heading(T("Expected reactions")), nil, nil, nil, container.NewVScroll(l.react)))
	cols.Offset = 0.45
	l.cols = cols
	l.content = container.NewPadded(container.NewBorder(l.top, nil, nil, nil, cols))
	l.showIdle()
	return l
}

// refresh reads the running drill's progress off the UI thread, then shows it.
func (l *drillLive) refresh() {
	l.mu.Lock()
	if l.busy {
		l.again = true
		l.mu.Unlock()
		return
	}
	l.busy = true
	l.mu.Unlock()
	go func() {
		for {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			p, ok, err := l.p.c.deps.Drills.Progress(ctx)
			cancel()
			fyne.Do(func() {
				switch {
				case err != nil:
					l.p.c.deps.Log.Warn("drill progress", "err", err)
				case ok:
					l.show(p)
				case !l.idle:
					l.showIdle()
				}
			})
			l.mu.Lock()
			if !l.again {
				l.busy = false
				l.mu.Unlock()
				return
			}
			l.again = false
			l.mu.Unlock()
		}
	}()
}

// showIdle says no drill runs, and offers the debrief of the last run.
func (l *drillLive) showIdle() {
	l.has, l.idle = false, true
	msg := wrapLabel(T("No drill is running. Choose a scenario and start it: every console shows the drill banner while it runs."))
	l.top.Objects = []fyne.CanvasObject{msg}
	if runs, err := l.p.c.deps.Drills.Runs(context.Background(), ""); err == nil && len(runs) > 0 && runs[0].Score != nil {
		r := runs[0]
		line := T("Last run: {{.Name}}, {{.When}}, score {{.P}}%", map[string]any{"Name": r.Names().Display(english()),
			"When": r.StartedAt.Local().Format("2006-01-02 15:04"), "P": r.Score.Percent})
		debrief := widget.NewButtonWithIcon(T("Debrief…"), theme.FileTextIcon(), func() { l.p.debrief(r.ID) })
		l.top.Add(container.NewHBox(widget.NewLabel(line), debrief))
	}
	l.inj.Objects, l.react.Objects = nil, nil
	l.cols.Hide()
	l.top.Refresh()
	l.inj.Refresh()
	l.react.Refresh()
}

// show renders a running drill's progress.
func (l *drillLive) show(pr app.DrillProgress) {
	l.last, l.has, l.idle = pr, true, false
	l.cols.Show()
	en := english()
	run := pr.Run
	now := run.StartedAt.Add(pr.Elapsed)
	stop := widget.NewButtonWithIcon(T("Stop drill"), theme.MediaStopIcon(), func() { l.p.stop(run) })
	stop.Importance = widget.DangerImportance
	debrief := widget.NewButtonWithIcon(T("Debrief…"), theme.FileTextIcon(), func() { l.p.debrief(run.ID) })
	elapsed := heading(clockDuration(pr.Elapsed))
	elapsed.TextStyle.Monospace = true
	title := container.NewHBox(newBadge(T("DRILL"), themeColor(colorDemo)), heading(fmt.Sprintf("#%d %s", run.ID, run.Names().Display(en))), elapsed)
	s := pr.Score
	stats := container.NewHBox(
		newBadge(T("{{.N}} in time", map[string]any{"N": s.Met}), themeColor(colorOK)),
		newBadge(T("{{.N}} late", map[string]any{"N": s.Late}), themeColor(colorP2)),
		newBadge(T("{{.N}} overdue", map[string]any{"N": s.Missed}), themeColor(colorP1)),
		widget.NewLabel(T("of {{.N}} expected reactions", map[string]any{"N": s.Total})),
		widget.NewLabel(T("Started by {{.Who}} at {{.When}}", map[string]any{"Who": operatorName(run.By, l.p.c.operatorDisplay(run.By)),
			"When": run.StartedAt.Local().Format("15:04:05")})))
	l.top.Objects = []fyne.CanvasObject{container.NewBorder(nil, nil, nil, container.NewHBox(debrief, stop), title), stats}
	l.top.Refresh()

	site := l.p.c.deps.Inventory.Site()
	var inj []fyne.CanvasObject
	for i := range pr.Done {
		d := &pr.Done[i]
		in := pr.Scenario.Injections[min(i, len(pr.Scenario.Injections)-1)]
		inj = append(inj, injectRow(d.At.D(), injectIcon(&in, site), describeInject(&in, site, en), d))
	}
	for i := range pr.Pending {
		in := &pr.Pending[i]
		row := injectRow(in.At.D(), injectIcon(in, site), describeInject(in, site, en)+"  ("+T("in {{.T}}", map[string]any{"T": clockDuration(in.At.D() - pr.Elapsed)})+")", nil)
		inj = append(inj, row)
	}
	l.inj.Objects = inj
	l.inj.Refresh()

	var react []fyne.CanvasObject
	react = append(react, widget.NewLabelWithStyle(T("Acknowledge each drill alarm"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	if len(s.Alarms) == 0 {
		react = append(react, wrapMuted(T("No drill alarm yet")))
	}
	for _, a := range s.Alarms {
		react = append(react, checkRow(fmt.Sprintf("#%d %s", a.Alarm, T(app.AlarmKindLabel(a.Kind))), a.DrillCheck, now, l.p.c))
	}
	react = append(react, widget.NewLabelWithStyle(T("Open the incident"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	inc := T("With the plan {{.Plan}}", map[string]any{"Plan": l.p.planName(run.PlanID)})
	if s.Incident.ID != 0 {
		inc = fmt.Sprintf("#%d · ", s.Incident.ID) + l.p.planName(s.PlanUsed)
		if s.PlanUsed != run.PlanID {
			inc += " — " + T("not the expected plan")
		}
	}
	react = append(react, checkRow(inc, s.Incident, now, l.p.c))
	react = append(react, widget.NewLabelWithStyle(T("Plan steps"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	for _, st := range s.Steps {
		react = append(react, checkRow(st.DisplayTitle(en), st.DrillCheck, now, l.p.c))
	}
	l.react.Objects = react
	l.react.Refresh()
}

// checkRow is one expected reaction with its state: a badge with the time it took (or
// has been waiting) against its limit, and who.
func checkRow(text string, ck app.DrillCheck, now time.Time, c *Console) fyne.CanvasObject {
	badge := newBadge(checkText(ck, now), checkColor(ck.State))
	sub := ""
	if ck.By != "" {
		sub = operatorName(ck.By, c.operatorDisplay(ck.By))
	}
	if ck.Skipped {
		sub += " · " + T(app.StepSkipped.Label())
		if ck.Reason != "" {
			sub += ": " + ck.Reason
		}
	}
	body := fyne.CanvasObject(wrapLabel(text))
	if sub != "" {
		body = container.NewVBox(wrapLabel(text), wrapMuted(sub))
	}
	return container.NewBorder(nil, nil, nil, container.NewVBox(badge), body) // the badge beside the first line
}

// checkText is a check's state with its times: "In time 00:40 / 01:00".
func checkText(ck app.DrillCheck, now time.Time) string {
	limit := ""
	if ck.Limit > 0 {
		limit = " / " + clockDuration(ck.Limit.D())
	}
	switch ck.State {
	case app.CheckMet, app.CheckLate:
		return T(ck.State.Label()) + " " + clockDuration(ck.Took.D()) + limit
	case app.CheckWaiting, app.CheckOverdue:
		if ck.From.IsZero() {
			return T(ck.State.Label())
		}
		return T(ck.State.Label()) + " " + clockDuration(now.Sub(ck.From)) + limit
	}
	return T(ck.State.Label())
}

func checkColor(s app.CheckState) color.Color {
	switch s {
	case app.CheckMet:
		return themeColor(colorOK)
	case app.CheckLate:
		return themeColor(colorP2)
	case app.CheckOverdue, app.CheckMissed:
		return themeColor(colorP1)
	}
	return themeColor(colorOffline)
}
