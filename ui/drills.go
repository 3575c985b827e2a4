package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
	"watchpost/report"
)

// Drills (trainers and administrators): the drill scenarios, starting and stopping a run,
// the running drill as it goes (injections done and to come, the team's reactions met,
// late or missed), the scenario editor, and the past runs of a scenario side by side with
// their debrief reports. The core checks the role again and journals everything.

type drillsPanel struct {
	c       *Console
	content fyne.CanvasObject
	tabs    *container.AppTabs

	scenarios []app.DrillScenario
	list      *widget.List
	selected  string
	pending   string // a scenario being saved: selected when its entry arrives

	scenario *fyne.Container // the selected scenario
	live     *drillLive
	runs     *drillRuns
	liveTab  *container.TabItem
	shown    bool
	// lastReport is the debrief report written last (tests read it).
	lastReport string
}

func newDrillsPanel(c *Console) panelView {
	p := &drillsPanel{c: c}
	if c.core.Drills == nil {
		p.content = container.NewCenter(widget.NewLabel(T("Drills are not available")))
		return p
	}
	newBtn := widget.NewButtonWithIcon(T("New scenario…"), theme.ContentAddIcon(), func() { p.edit(app.DrillScenario{}, true) })
	p.list = widget.NewList(
		func() int { return len(p.scenarios) },
		func() fyne.CanvasObject {
			// The subtitle is indented like the label's text above it.
			sub := container.New(layout.NewCustomPaddedLayout(0, theme.InnerPadding()/2, theme.InnerPadding(), 0), muted("plan"))
			return container.NewVBox(widget.NewLabelWithStyle("Drill scenario name template", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), sub)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i >= len(p.scenarios) {
				return
			}
			sc := p.scenarios[i]
			box := o.(*fyne.Container)
			l := box.Objects[0].(*widget.Label)
			l.Truncation = fyne.TextTruncateEllipsis
			l.SetText(sc.Display(english()))
			sub := box.Objects[1].(*fyne.Container).Objects[0].(*canvas.Text)
			sub.Text = p.subtitle(&sc)
			sub.Refresh()
		})
	p.list.OnSelected = func(i widget.ListItemID) {
		if i < len(p.scenarios) {
			p.selected = p.scenarios[i].ID
			p.showScenario()
			p.runs.load(p.selected)
		}
	}
	p.scenario = container.NewStack(container.NewCenter(widget.NewLabel(T("Select a drill scenario"))))
	p.live = newDrillLive(p)
	p.runs = newDrillRuns(p)
	top := container.NewVBox(heading(T("Drill scenarios")), container.NewHBox(newBtn))
	left := container.NewBorder(top, nil, nil, nil, p.list)
	p.liveTab = container.NewTabItemWithIcon(T("Running drill"), theme.MediaPlayIcon(), p.live.content)
	p.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon(T("Scenario"), theme.DocumentIcon(), container.NewPadded(p.scenario)),
		p.liveTab,
		container.NewTabItemWithIcon(T("Runs and comparison"), theme.HistoryIcon(), p.runs.content),
	)
	split := container.NewHSplit(left, p.tabs)
	split.Offset = 0.24
	p.content = split
	p.reload()
	if len(p.scenarios) > 0 {
		p.list.Select(0)
	}
	if p.c.core.Drills.Running() {
		p.tabs.Select(p.liveTab)
	}
	return p
}

func (p *drillsPanel) Object() fyne.CanvasObject { return p.content }

// Shown follows whether the panel is on screen (the live view is refreshed only then).
func (p *drillsPanel) Shown(on bool) {
	p.shown = on
	if on && p.live != nil {
		p.live.refresh()
	}
}

// Tick refreshes the running drill's clock and reactions (late ones turn overdue).
func (p *drillsPanel) Tick() {
	if p.live != nil && p.shown {
		p.live.refresh()
	}
}

// OnEntry follows the scenarios, the runs and the team's reactions during a drill.
func (p *drillsPanel) OnEntry(e app.Entry) {
	if p.list == nil {
		return
	}
	switch {
	case strings.HasPrefix(e.Subject, "drill-scenario:"):
		if p.pending != "" && e.Subject == app.SubjectDrillScenario(p.pending) {
			p.selected, p.pending = p.pending, ""
		}
		p.reload()
		if p.selected != "" {
			p.showScenario()
		}
	case e.Kind == app.KindDrillStarted:
		p.tabs.Select(p.liveTab)
		p.live.refresh()
		p.showScenario()
	case e.Kind == app.KindDrillStopped:
		p.live.setIdle(false) // the last run changed: its final score replaces the live one
		p.live.refresh()
		p.showScenario()
		p.list.Refresh()
		p.runs.reload()
	case e.Drill:
		p.live.refresh()
	}
}

func (p *drillsPanel) subtitle(sc *app.DrillScenario) string {
	s := p.planName(sc.PlanID)
	if cur, ok := p.c.core.Drills.Current(); ok && cur.Scenario == sc.ID {
		s = T("Drill running") + " · " + s
	}
	return s
}

func (p *drillsPanel) planName(id string) string {
	if p.c.core.Plans != nil {
		if pl, ok := p.c.core.Plans.Get(id); ok {
			return pl.Display(english())
		}
	}
	return id
}

func (p *drillsPanel) reload() {
	p.scenarios = p.c.core.Drills.Scenarios()
	p.list.Refresh()
	reselect(p.list, len(p.scenarios), func(i int) string { return p.scenarios[i].ID }, &p.selected, p.scenario, T("Select a drill scenario"))
}

// showScenario renders the selected scenario: what it is, what it injects when, and
// what it expects of the team.
func (p *drillsPanel) showScenario() {
	sc, ok := p.c.core.Drills.Scenario(p.selected)
	if !ok {
		return
	}
	en := english()
	running, isRunning := p.c.core.Drills.Current()
	start := widget.NewButtonWithIcon(T("Start drill"), theme.MediaPlayIcon(), func() { p.start(sc) })
	start.Importance = widget.HighImportance
	if isRunning {
		start.Disable()
	}
	edit := widget.NewButtonWithIcon(T("Edit…"), theme.DocumentCreateIcon(), func() { p.edit(sc, false) })
	del := widget.NewButtonWithIcon(T("Delete…"), theme.DeleteIcon(), func() { p.deleteScenario(sc) })
	if isRunning && running.Scenario == sc.ID {
		del.Disable()
	}
	body := container.NewVBox(heading(sc.Display(en)), container.NewHBox(start, edit, del))
	if isRunning {
		body.Add(wrapMuted(T("A drill is running: {{.Name}}. One drill runs at a time.", map[string]any{"Name": running.Names().Display(en)})))
	}
	if d := sc.DisplayDescription(en); d != "" {
		body.Add(wrapLabel(d))
	}
	x := sc.Expect
	length := T("until the trainer stops it")
	if x.Duration > 0 {
		length = formatDuration(x.Duration.D())
	}
	rows := []kvRow{
		kv("Expected plan", p.planName(sc.PlanID)),
		kv("Acknowledge each alarm within", formatDuration(x.AckWithin())),
		kv("Open the incident within", formatDuration(x.OpenWithin())+" "+T("of the first alarm")),
		kv("Length", length),
		kv("Version", fmt.Sprintf("%d · %s · %s", sc.Version, operatorName(sc.UpdatedBy, p.c.operatorDisplay(sc.UpdatedBy)), sc.UpdatedAt.Local().Format("2006-01-02 15:04"))),
	}
	body.Add(details(rows))

	body.Add(heading(T("Injections")))
	site := p.c.core.Inventory.Site()
	for _, in := range sc.Injections {
		body.Add(injectRow(in.At.D(), injectIcon(&in, site), report.Injection(tr(), &in, site), nil))
	}
	body.Add(heading(T("Expected steps")))
	if p.c.core.Plans != nil {
		if pl, ok := p.c.core.Plans.Get(sc.PlanID); ok {
			for _, st := range x.ExpectedSteps(&pl) {
				line := st.DisplayTitle(en)
				if st.Limit > 0 {
					line += "  ·  " + T("within {{.D}}", map[string]any{"D": formatDuration(st.Limit.D())})
				}
				if st.MinLevel != 0 {
					line += "  ·  " + T("from {{.Level}}", map[string]any{"Level": T(st.MinLevel.Label())})
				}
				body.Add(wrapLabel("• " + line))
			}
		}
	}
	p.scenario.Objects = []fyne.CanvasObject{container.NewVScroll(body)}
	p.scenario.Refresh()
}

// injectRow is one injection: its time, a symbol of what it is and what it does; done
// (non-nil) marks it done or failed.
func injectRow(at time.Duration, icon fyne.Resource, text string, done *app.DrillInjection) fyne.CanvasObject {
	when := canvas.NewText("+"+clockDuration(at), themeColor(colorMuted))
	when.TextStyle.Monospace = true
	left := container.NewHBox(when, widget.NewIcon(icon))
	var right fyne.CanvasObject
	if done != nil {
		switch {
		case done.Error != "":
			right = newBadge(T("Injection failed"), themeColor(colorP1))
			text += " — " + done.Error
		default:
			label := T("Done")
			for _, id := range done.Alarms {
				label += fmt.Sprintf(" #%d", id)
			}
			right = newBadge(label, themeColor(colorOK))
		}
	}
	if right != nil {
		right = container.NewVBox(right) // its own height, beside the first line
	}
	return container.NewBorder(nil, nil, left, right, wrapLabel(text))
}

// injectIcon is the symbol of an injection: the device's kind, a camera, or a note.
func injectIcon(in *app.DrillInject, site *app.Site) fyne.Resource {
	switch in.What() {
	case app.InjectDevice:
		if site != nil {
			if d, ok := site.Device(in.Device); ok {
				return symbol(string(d.Kind))
			}
		}
		return theme.InfoIcon()
	case app.InjectDetection:
		return symbol("camera")
	}
	return theme.MailComposeIcon()
}

// start asks for confirmation and starts a run: everyone's console goes into drill mode.
func (p *drillsPanel) start(sc app.DrillScenario) {
	msg := T("Start the drill {{.Name}}? Every console shows the drill banner, and its alarms arrive on the alarm desk marked DRILL.",
		map[string]any{"Name": sc.Display(english())})
	showConfirm(T("Start drill"), msg, func(ok bool) {
		if !ok {
			return
		}
		p.act(func(ctx context.Context, op *app.Operator) error {
			_, err := p.c.core.Drills.Start(ctx, op, sc.ID)
			return err
		})
	}, p.c.win)
}

// stop asks for confirmation and stops the running drill, which scores it.
func (p *drillsPanel) stop(run app.DrillRun) {
	showConfirm(T("Stop drill"), T("Stop the drill {{.Name}} now? It is scored from what the team did until now.",
		map[string]any{"Name": run.Names().Display(english())}), func(ok bool) {
		if !ok {
			return
		}
		p.act(func(ctx context.Context, op *app.Operator) error {
			_, err := p.c.core.Drills.Stop(ctx, op, run.ID)
			return err
		})
	}, p.c.win)
}

func (p *drillsPanel) deleteScenario(sc app.DrillScenario) {
	showConfirm(T("Delete…"), T("Delete the drill scenario {{.Name}}? Its past runs and scores stay in the journal.",
		map[string]any{"Name": sc.Display(english())}), func(ok bool) {
		if !ok {
			return
		}
		p.act(func(ctx context.Context, op *app.Operator) error { return p.c.core.Drills.Delete(ctx, op, sc.ID) })
	}, p.c.win)
}

// act runs an action through the console's write (off the UI thread: it waits for the
// journal); the panel follows the result through OnEntry.
func (p *drillsPanel) act(action func(context.Context, *app.Operator) error) {
	p.c.write(write{run: action})
}
