package ui

import (
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
	"watchpost/mapdraw"
	"watchpost/report"
)

// The replay's views of the console at the playhead: the alarm desk, the incident's
// checklist, the camera clips and the map. They only show: nothing in them acts, since a
// replay must never change the live console (the clips' Play opens a file to watch).

// replayMaxOthers bounds the other open alarms listed: a busy desk would bury the target's.
const replayMaxOthers = 20

// signedClock is an offset from the target's start: +01:23, or -00:20 before it.
func signedClock(d time.Duration) string {
	if d < 0 {
		return "-" + clockDuration(-d)
	}
	return "+" + clockDuration(d)
}

// replayPane is one framed view: a title over content that scrolls. Its refresh lays it
// out again after the title or the content changed: a container's Refresh does not tell
// its parents that its size changed, and the scroll would keep the content's old height.
func replayPane(title fyne.CanvasObject, content fyne.CanvasObject) (fyne.CanvasObject, func()) {
	bg := canvas.NewRectangle(themeColor(colorPanel))
	bg.CornerRadius = 6
	scroll := container.NewVScroll(content)
	frame := container.NewBorder(title, nil, nil, nil, scroll)
	return container.NewStack(bg, container.NewPadded(frame)), func() {
		frame.Refresh()
		scroll.Refresh()
	}
}

// --- the alarm desk -----------------------------------------------------------------------

// fillAlarms shows the target's alarms as they stood (every state), then the other alarms
// open on the desk at the instant, apart: a trainer sees what else the team had to handle.
func (p *replayPanel) fillAlarms(f *app.ReplayFrame) {
	var objs []fyne.CanvasObject
	mine := map[int64]bool{}
	what := T("Alarms of this incident")
	if p.sess.Target.Kind == app.ReplayOfDrill {
		what = T("Alarms of this drill")
	}
	objs = append(objs, heading(fmt.Sprintf("%s  %d", what, len(f.Alarms))))
	if len(f.Alarms) == 0 {
		objs = append(objs, wrapMuted(T("No alarm yet at this instant")))
	}
	for i := range f.Alarms {
		mine[f.Alarms[i].ID] = true
		objs = append(objs, p.alarmRow(&f.Alarms[i]))
	}
	var others []*app.Alarm
	for i := range f.View.Alarms {
		if !mine[f.View.Alarms[i].ID] {
			others = append(others, &f.View.Alarms[i])
		}
	}
	objs = append(objs, widget.NewSeparator(), heading(fmt.Sprintf("%s  %d", T("Other open alarms on the desk"), len(others))))
	if len(others) == 0 {
		objs = append(objs, wrapMuted(T("None")))
	}
	for i, a := range others {
		if i == replayMaxOthers {
			objs = append(objs, wrapMuted(T("… and {{.N}} more", map[string]any{"N": len(others) - i})))
			break
		}
		objs = append(objs, p.alarmRow(a))
	}
	objs = append(objs, p.orderLines(f)...)
	p.alarmsBox.Objects = objs
	p.relayout[0]()
}

// orderLines are the work orders as they stood at the instant: those made from the target's
// alarms first, then the other open ones (the grid workers' load that day).
func (p *replayPanel) orderLines(f *app.ReplayFrame) []fyne.CanvasObject {
	mine := map[int64]bool{}
	for i := range f.Alarms {
		mine[f.Alarms[i].ID] = true
	}
	var linked, others []*app.WorkOrder
	for i := range f.View.Orders {
		o := &f.View.Orders[i]
		isMine := false
		for _, a := range o.Alarms {
			isMine = isMine || mine[a]
		}
		switch {
		case isMine:
			linked = append(linked, o)
		case o.State.Open():
			others = append(others, o)
		}
	}
	objs := []fyne.CanvasObject{widget.NewSeparator(), heading(fmt.Sprintf("%s  %d", T("Work orders at this instant"), len(linked)+len(others)))}
	if len(linked)+len(others) == 0 {
		return append(objs, wrapMuted(T("None")))
	}
	for i, o := range append(linked, others...) {
		if i == replayMaxOthers {
			objs = append(objs, wrapMuted(T("… and {{.N}} more", map[string]any{"N": len(linked) + len(others) - i})))
			break
		}
		objs = append(objs, wrapMuted(p.orderLine(o)))
	}
	return objs
}

// orderLine says an order in one line: number, category, state, place, who has it.
func (p *replayPanel) orderLine(o *app.WorkOrder) string {
	english := english()
	cat := o.Category
	if c, ok := p.c.core.Orders.Category(o.Category); ok {
		cat = c.Display(english)
	}
	who := o.Assignee
	if who != "" {
		who = operatorName(who, p.c.operatorDisplay(who))
	} else if o.Team != "" {
		who = o.Team
		setup := p.c.core.Orders.Setup()
		if t, ok := setup.Team(o.Team); ok {
			who = t.Display(english)
		}
	}
	return T("{{.N}} {{.Cat}} · {{.State}} · {{.Who}}", map[string]any{"N": o.Number(), "Cat": cat, "State": T(o.State.Label()), "Who": who})
}

// alarmRow is an alarm as it stood: priority, kind, place, its state and who took it when.
func (p *replayPanel) alarmRow(a *app.Alarm) fyne.CanvasObject {
	site := p.c.core.Inventory.Site()
	title := canvas.NewText(T(app.AlarmKindLabel(a.Kind)), themeColor(theme.ColorNameForeground))
	title.TextStyle.Bold = true
	place := alarmPlace(a, site)
	start := p.sess.Target.Start
	lines := []string{place, T("Raised at {{.Time}} ({{.Offset}})", map[string]any{
		"Time": a.RaisedAt.Local().Format("15:04:05"), "Offset": signedClock(a.RaisedAt.Sub(start))})}
	// Who took the alarm and when, each line with the mark's note.
	data := func(m *app.Mark, extra ...any) map[string]any {
		d := map[string]any{"Who": operatorName(m.By, p.c.operatorDisplay(m.By)), "Time": m.At.Local().Format("15:04:05"),
			"Offset": signedClock(m.At.Sub(start))}
		for i := 0; i+1 < len(extra); i += 2 {
			d[extra[i].(string)] = extra[i+1]
		}
		return d
	}
	add := func(line string, m *app.Mark) {
		if n := markNote(m); strings.TrimSpace(n) != "" {
			line += " — " + n
		}
		lines = append(lines, line)
	}
	if m := a.Ack; m != nil {
		add(T("Acknowledged by {{.Who}} at {{.Time}} ({{.Offset}})", data(m)), m)
	}
	if m := a.Dispatch; m != nil {
		add(T("Dispatched to {{.To}} by {{.Who}} at {{.Time}} ({{.Offset}})", data(m, "To", m.To)), m)
	}
	if m := a.Resolve; m != nil {
		add(T("Resolved by {{.Who}} at {{.Time}} ({{.Offset}}): {{.Outcome}}", data(m, "Outcome", T(a.Outcome.Label()))), m)
	}
	badges := container.NewHBox()
	if a.Drill {
		badges.Add(newBadge(T("DRILL"), themeColor(colorDemo)))
	}
	badges.Add(newBadge(T(stateText(a.State)), stateBadgeColor(a.State)))
	bg := canvas.NewRectangle(themeColor(colorPanel))
	bg.CornerRadius = 4
	if a.State == app.AlarmNew { // tinted like the desk's new alarms
		bg.FillColor = withAlpha(priorityColor(a.Priority), 0x38)
	} else {
		bg.FillColor = themeColor(theme.ColorNameInputBackground)
	}
	body := container.NewBorder(nil, nil, container.NewCenter(newBadge(a.Priority.String(), priorityColor(a.Priority))),
		container.NewVBox(badges), container.New(layout.NewCustomPaddedVBoxLayout(0), title, wrapMuted(strings.Join(lines, "\n"))))
	return container.NewStack(bg, container.NewPadded(body))
}

// --- the checklist ------------------------------------------------------------------------

// fillChecklist shows the incident's checklist at the instant, by phase: what was done or
// skipped, by whom and when, and what was overdue then.
func (p *replayPanel) fillChecklist(f *app.ReplayFrame) {
	in := f.Incident
	if in == nil {
		p.checkTitle.Objects = []fyne.CanvasObject{heading(T("Checklist"))}
		p.checkBox.Objects = []fyne.CanvasObject{wrapMuted(T("No incident was open at this instant."))}
		p.relayout[1]()
		return
	}
	en := english()
	closed := in.State == app.IncidentClosed
	title := []fyne.CanvasObject{newBadge(T(in.Level.Label()), levelColor(in.Level)), heading(fmt.Sprintf("#%d %s", in.ID, in.Title))}
	if in.Drill {
		title = append(title, newBadge(T("DRILL"), themeColor(colorDemo)))
	}
	if closed {
		title = append(title, newBadge(T("Closed"), themeColor(colorOK)))
	}
	items := in.Checklist(f.At)
	var objs []fyne.CanvasObject
	done, total := 0, 0
	for _, ph := range app.Phases {
		var rows []fyne.CanvasObject
		n, d := 0, 0
		for _, it := range items {
			if it.Step.Phase != ph {
				continue
			}
			rows = append(rows, p.stepRow(it, closed, f.At, en))
			n++
			if it.Progress.Status != app.StepPending {
				d++
			}
		}
		if n == 0 {
			continue
		}
		done, total = done+d, total+n
		objs = append(objs, heading(fmt.Sprintf("%s  %d/%d", T(ph.Label()), d, n)))
		objs = append(objs, rows...)
	}
	progress := muted(T("{{.Done}} of {{.N}} steps done or skipped", map[string]any{"Done": done, "N": total}))
	p.checkTitle.Objects = []fyne.CanvasObject{container.NewHBox(title...), progress}
	p.checkBox.Objects = objs
	p.relayout[1]()
}

// stepRow is a checklist step at the instant: the incident panel's row without its buttons.
func (p *replayPanel) stepRow(it app.ChecklistItem, closed bool, at time.Time, en bool) fyne.CanvasObject {
	var icon fyne.Resource
	switch it.Progress.Status {
	case app.StepDone:
		icon = theme.ConfirmIcon()
	case app.StepSkipped:
		icon = theme.MediaSkipNextIcon()
	default:
		icon = theme.CheckButtonIcon()
	}
	title := widget.NewLabel(it.Step.DisplayTitle(en))
	title.Wrapping = fyne.TextWrapWord
	title.TextStyle.Bold = it.Progress.Status == app.StepPending
	if it.Progress.Status != app.StepPending {
		title.Importance = widget.LowImportance
	}
	who := operatorName(it.Progress.By, it.Progress.ByName)
	line := T(it.Step.Role.Label())
	status := canvas.NewText("", themeColor(theme.ColorNameForeground))
	status.TextStyle = fyne.TextStyle{Bold: true, Monospace: true}
	fill := themeColor(theme.ColorNameInputBackground)
	switch {
	case it.Progress.Status == app.StepDone:
		line = T("Done at +{{.T}} by {{.Who}}", map[string]any{"T": clockDuration(it.Offset), "Who": who}) + " · " + it.Progress.At.Local().Format("15:04:05")
		if it.Progress.Note != "" {
			line += " — " + it.Progress.Note
		}
		status.Text, status.Color = "+"+clockDuration(it.Offset), themeColor(colorOK)
		if it.Late {
			status.Text += " " + T("late")
			status.Color = themeColor(colorP2)
		}
	case it.Progress.Status == app.StepSkipped:
		line = T("Skipped at +{{.T}} by {{.Who}}: {{.Reason}}", map[string]any{"T": clockDuration(it.Offset), "Who": who, "Reason": it.Progress.Reason})
		status.Text, status.Color = T(app.StepSkipped.Label()), themeColor(colorMuted)
	case closed:
		status.Text, status.Color = T("Not done"), themeColor(colorMuted)
	case it.Due.IsZero() || !it.Applicable:
	case it.Urgency == app.UrgencyOverdue:
		status.Text, status.Color = T("Overdue")+" +"+clockDuration(at.Sub(it.Due)), themeColor(colorP1)
		fill = withAlpha(themeColor(colorP1), 0x40)
	case it.Urgency == app.UrgencySoon:
		status.Text, status.Color = T("Due in")+" "+clockDuration(it.Due.Sub(at)), themeColor(colorP2)
		fill = withAlpha(themeColor(colorP2), 0x38)
	default:
		status.Text = T("Due in") + " " + clockDuration(it.Due.Sub(at))
	}
	bg := canvas.NewRectangle(fill)
	bg.CornerRadius = 4
	body := container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(icon)), container.NewVBox(status),
		container.New(layout.NewCustomPaddedVBoxLayout(0), title, wrapMuted(line)))
	return container.NewStack(bg, container.NewPadded(body))
}

// --- the camera clips ---------------------------------------------------------------------

// fillClips lists the target's clips that recorded the instant, with how far into each
// the instant lies (to find it in the player); those retention deleted say so.
func (p *replayPanel) fillClips(f *app.ReplayFrame) {
	var objs []fyne.CanvasObject
	site := p.c.core.Inventory.Site()
	for _, c := range f.Clips {
		name := c.CameraID
		if site != nil {
			if cam, ok := site.Camera(c.CameraID); ok {
				name = cam.Display(english())
			}
		}
		what := widget.NewLabelWithStyle(name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		what.Truncation = fyne.TextTruncateEllipsis
		span := fmt.Sprintf("%s–%s · ", c.From.Local().Format("15:04:05"), c.To.Local().Format("15:04:05")) +
			T("{{.S}} s into the clip", map[string]any{"S": fmt.Sprintf("%.0f", f.At.Sub(c.From).Seconds())})
		var action fyne.CanvasObject
		if p.sess.Gone[c.ID] {
			action = container.NewCenter(newBadge(T("Deleted by retention"), themeColor(colorOffline)))
		} else {
			id := c.ID
			into := f.At.Sub(c.From) // from the replay's instant
			action = widget.NewButtonWithIcon(T("Play"), theme.MediaPlayIcon(), func() { p.c.playClip(id, into) })
		}
		objs = append(objs, container.NewBorder(nil, nil, nil, action, container.New(layout.NewCustomPaddedVBoxLayout(0), what, wrapMuted(span))))
	}
	if len(objs) == 0 {
		text := T("No camera clip covers this instant.")
		if n := len(p.sess.Clips); n > 0 {
			text += " " + T("This replay has {{.N}} clips: move the playhead into one.", map[string]any{"N": n})
		}
		objs = append(objs, wrapMuted(text))
	}
	p.clipsBox.Objects = objs
	p.relayout[2]()
}

// --- the map ------------------------------------------------------------------------------

// frameLooks shows on the map the alarms open at the instant and the devices offline then,
// as the live map does (mapPanel.updateLooks), and draws again only what changed. New
// alarms are drawn in their bright phase: a replay holds still when paused.
func frameLooks(m *siteMap, site *app.Site, open []app.Alarm, offline []string) {
	m.r.SetBlinkOn(true)
	off := map[string]bool{}
	for _, id := range offline {
		off["device:"+id] = true
	}
	m.showLooks(mapdraw.LooksOf(site, open), func(key string) bool { return off[key] })
}

// mapCaption says what the map shows at the instant.
func mapCaption(f *app.ReplayFrame) string {
	return T("Map at this instant: {{.A}} open alarms, {{.D}} devices offline", map[string]any{"A": len(f.View.Alarms), "D": len(f.View.Offline)})
}

// --- the events ---------------------------------------------------------------------------

// describeReplayEvent says what an event of the timeline records, as the incident log
// and the drill debrief say it.
func describeReplayEvent(e app.Entry, in *app.Incident) string {
	return report.DrillEntry(tr(), e, in)
}

// replayEventRow is a line of the event list: a dot in the mark's colour, the offset,
// what happened and who did it.
func newReplayEventRow() fyne.CanvasObject {
	dot := canvas.NewCircle(themeColor(colorMuted))
	off := canvas.NewText("+00:00", themeColor(theme.ColorNameForeground))
	off.TextStyle.Monospace = true
	off.TextSize = theme.CaptionTextSize()
	what := widget.NewLabel("Alarm raised: a smoke alarm on the 12th floor")
	what.Truncation = fyne.TextTruncateEllipsis
	who := muted("15:04:05 · operator")
	left := container.NewVBox(container.NewHBox(container.NewCenter(container.NewGridWrap(fyne.NewSize(10, 10), dot)), off))
	return container.NewBorder(nil, nil, left, nil, container.New(layout.NewCustomPaddedVBoxLayout(0), what, who))
}

func (p *replayPanel) setEventRow(i int, o fyne.CanvasObject) {
	if p.sess == nil || i >= len(p.sess.Events) {
		return
	}
	ev := p.sess.Events[i]
	box := o.(*fyne.Container)
	body := box.Objects[0].(*fyne.Container)
	left := box.Objects[1].(*fyne.Container).Objects[0].(*fyne.Container)
	dot := left.Objects[0].(*fyne.Container).Objects[0].(*fyne.Container).Objects[0].(*canvas.Circle)
	off := left.Objects[1].(*canvas.Text)
	dot.FillColor = eventColor(ev.Kind)
	dot.Refresh()
	off.Text = signedClock(ev.At.Sub(p.sess.Target.Start))
	off.Refresh()
	what := body.Objects[0].(*widget.Label)
	what.TextStyle.Bold = i == p.curEvent
	what.SetText(p.eventText[i])
	who := body.Objects[1].(*canvas.Text)
	who.Text = ev.At.Local().Format("15:04:05") + " · " + operatorName(ev.Operator, p.c.operatorDisplay(ev.Operator))
	who.Refresh()
}
