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
	"watchpost/report"
)

// drillLive is the running drill as the trainer follows it: its clock, the injections
// done and to come, and every expected reaction with where it stands. Its boxes keep
// their places (only their rows change), so the lists keep their scroll positions. Once
// the drill stops, the same breakdown stays with the final score (what the trainer goes
// through with the team right after), until another drill starts.
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
	idle  bool // the view without a running drill is up to date (guarded by mu)

	last  app.DrillProgress
	has   bool  // a running drill is shown
	ended int64 // the stopped run shown with its final score (0: none)
}

// setIdle says whether the view without a running drill is up to date.
func (l *drillLive) setIdle(v bool) {
	l.mu.Lock()
	l.idle = v
	l.mu.Unlock()
}

func (l *drillLive) isIdle() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.idle
}

func newDrillLive(p *drillsPanel) *drillLive {
	l := &drillLive{p: p, top: container.NewVBox(), inj: container.NewVBox(), react: container.NewVBox()}
	cols := container.NewHSplit(
		container.NewBorder(heading(T("Injections")), nil, nil, nil, container.NewVScroll(l.inj)),
		container.NewBorder(heading(T("Expected reactions")), nil, nil, nil, container.NewVScroll(l.react)))
	cols.Offset = 0.45
	l.cols = cols
	l.content = container.NewPadded(container.NewBorder(l.top, nil, nil, nil, cols))
	l.showIdle(nil)
	l.setIdle(false) // the first refresh reads the last run
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
			p, ok, err := l.p.c.core.Drills.Progress(ctx)
			// No drill runs: the last run's debrief (read once, until the runs change).
			var last *app.DrillDebrief
			if err == nil && !ok && !l.isIdle() {
				last, err = l.lastRun(ctx)
			}
			cancel()
			l.p.c.onUI(func() {
				switch {
				case err != nil:
					l.p.c.core.Log.Warn("drill progress", "err", err)
				case ok:
					l.show(p)
				case !l.isIdle():
					l.showIdle(last)
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

// lastRun reads the debrief of the latest run that ended with a score (nil: none has; a
// run its console left open is scored when the next one starts).
func (l *drillLive) lastRun(ctx context.Context) (*app.DrillDebrief, error) {
	runs, err := l.p.c.core.Drills.Runs(ctx, "")
	if err != nil {
		return nil, err
	}
	for _, r := range runs {
		if r.Score == nil {
			continue
		}
		d, err := l.p.c.core.Drills.Debrief(ctx, r.ID)
		if err != nil {
			return nil, err
		}
		return &d, nil
	}
	return nil, nil
}

// showIdle says no drill is running; the last run that ended stays shown below with its
// final score and breakdown.
func (l *drillLive) showIdle(last *app.DrillDebrief) {
	l.has, l.ended = false, 0
	l.setIdle(true)
	msg := wrapLabel(T("No drill is running. Choose a scenario and start it: every console shows the drill banner while it runs."))
	if last == nil {
		l.top.Objects = []fyne.CanvasObject{msg}
		l.inj.Objects, l.react.Objects = nil, nil
		l.cols.Hide()
		l.top.Refresh()
		l.inj.Refresh()
		l.react.Refresh()
		return
	}
	l.ended = last.Run.ID
	var defs []app.DrillInject
	if last.Scenario != nil {
		defs = last.Scenario.Injections
	}
	l.render(last.Run, last.Duration(), last.Injections, defs, nil, last.Score, true)
	l.top.Objects = append([]fyne.CanvasObject{msg, widget.NewSeparator()}, l.top.Objects...)
	l.top.Refresh()
}

// show renders a running drill's progress.
func (l *drillLive) show(pr app.DrillProgress) {
	l.last, l.has, l.ended = pr, true, 0
	l.setIdle(false)
	l.render(pr.Run, pr.Elapsed, pr.Done, pr.Scenario.Injections, pr.Pending, pr.Score, false)
}

// render lays out a run: its title and clock, the score so far (final: as it stopped),
// the injections done (defs: the scenario's, to describe them) and to come, and every
// expected reaction.
func (l *drillLive) render(run app.DrillRun, elapsed time.Duration, done []app.DrillInjection, defs, pending []app.DrillInject, s app.DrillScore, final bool) {
	l.cols.Show()
	en := english()
	now := run.StartedAt.Add(elapsed)
	debrief := widget.NewButtonWithIcon(T("Debrief…"), theme.FileTextIcon(), func() { l.p.debrief(run.ID) })
	clock := heading(clockDuration(elapsed))
	clock.TextStyle.Monospace = true
	title := container.NewHBox(newBadge(T("DRILL"), themeColor(colorDemo)), heading(fmt.Sprintf("#%d %s", run.ID, run.Names().Display(en))), clock)
	buttons := container.NewHBox(debrief)
	missed := T("{{.N}} overdue", map[string]any{"N": s.Missed})
	if final {
		title.Add(newBadge(T("Ended"), themeColor(colorOffline)))
		missed = T("{{.N}} missed", map[string]any{"N": s.Missed})
	} else {
		stop := widget.NewButtonWithIcon(T("Stop drill"), theme.MediaStopIcon(), func() { l.p.stop(run) })
		stop.Importance = widget.DangerImportance
		buttons.Add(stop)
	}
	stats := container.NewHBox()
	if final {
		stats.Add(newBadge(T("Score {{.P}}%", map[string]any{"P": s.Percent}), themeColor(scoreColor(s.Percent))))
	}
	stats.Add(newBadge(T("{{.N}} in time", map[string]any{"N": s.Met}), themeColor(colorOK)))
	stats.Add(newBadge(T("{{.N}} late", map[string]any{"N": s.Late}), themeColor(colorP2)))
	stats.Add(newBadge(missed, themeColor(colorP1)))
	if s.NotReached > 0 {
		stats.Add(newBadge(T("{{.N}} not reached", map[string]any{"N": s.NotReached}), themeColor(colorOffline)))
	}
	stats.Add(widget.NewLabel(T("of {{.N}} expected reactions", map[string]any{"N": s.Total})))
	when := T("Started by {{.Who}} at {{.When}}", map[string]any{"Who": operatorName(run.By, l.p.c.operatorDisplay(run.By)),
		"When": run.StartedAt.Local().Format("15:04:05")})
	if final && run.EndedAt != nil {
		when += " · " + T("stopped at {{.When}}", map[string]any{"When": run.EndedAt.Local().Format("15:04:05")})
	}
	stats.Add(widget.NewLabel(when))
	l.top.Objects = []fyne.CanvasObject{container.NewBorder(nil, nil, nil, buttons, title), stats}
	if final && s.NotReached > 0 {
		l.top.Add(wrapMuted(T("Not reached: the drill stopped before their limit passed. They do not count against the team: the score is of the reactions that were due.")))
	}
	l.top.Refresh()

	site := l.p.c.core.Inventory.Site()
	var inj []fyne.CanvasObject
	for i := range done {
		d := &done[i]
		in := injectionDef(d, defs)
		inj = append(inj, injectRow(d.At.D(), injectIcon(&in, site), report.Injection(tr(), &in, site), d))
	}
	for i := range pending {
		in := &pending[i]
		row := injectRow(in.At.D(), injectIcon(in, site), report.Injection(tr(), in, site)+"  ("+T("in {{.T}}", map[string]any{"T": clockDuration(in.At.D() - elapsed)})+")", nil)
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

// injectionDef finds what the scenario says of an injection done (its values, its
// detector), or rebuilds what the injection itself recorded.
func injectionDef(d *app.DrillInjection, defs []app.DrillInject) app.DrillInject {
	for _, x := range defs {
		if x.At == d.At && x.What() == d.What && x.Device == d.Device && x.Camera == d.Camera {
			return x
		}
	}
	return app.DrillInject{At: d.At, Device: d.Device, Camera: d.Camera, Note: d.Note, NoteEn: d.NoteEn}
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
