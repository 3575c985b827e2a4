package ui

import (
	"context"
	"fmt"
	"image/color"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
	"watchpost/assets/i18n"
	"watchpost/report"
)

// The alarm desk: the open alarms, most urgent first, coloured by severity and filterable
// by grid, kind and state; the selected alarm's details with its device, place, people to
// call, history and the cameras that see it, live; and the actions an operator takes on it
// (acknowledge, dispatch, resolve), each checked and journaled by the core. P1 and P2
// alarms chime until acknowledged (the console's chime, alarm_watch.go); the desk holds
// its mute, which expires.

type alarmPanel struct {
	c       *Console
	content fyne.CanvasObject

	all      []app.Alarm // open alarms, in desk order
	shown    []app.Alarm // after the filters
	list     *widget.List
	selected int64

	grid, kind, state *widget.Select
	prio              *widget.Select // the header's counters open the desk filtered by it
	count             *canvas.Text
	muteBtn           *widget.Button
	soundNote         *canvas.Text
	detail            *fyne.Container
	previews          []*livePreview
	clips             *fyne.Container // the selected alarm's recorded clips (alarms_clips.go)
	clipsAlarm        int64
	sound             *alarmSound // the console's
	visible           bool
	times             liveTexts // the selected alarm's "… ago", ticked
}

func newAlarmPanel(c *Console) panelView {
	p := &alarmPanel{c: c, sound: c.sound}
	site := c.core.Inventory.Site()

	gridOpts := []string{T("All grids")}
	if site != nil {
		for _, g := range site.Grids {
			gridOpts = append(gridOpts, g.Display(english()))
		}
	}
	p.grid = widget.NewSelect(gridOpts, nil)
	p.grid.SetSelectedIndex(0)
	p.kind = widget.NewSelect([]string{T("All kinds")}, nil)
	p.kind.SetSelectedIndex(0)
	p.state = widget.NewSelect([]string{T("All states"), T(stateText(app.AlarmNew)), T(stateText(app.AlarmAcknowledged)), T(stateText(app.AlarmDispatched))}, nil)
	p.state.SetSelectedIndex(0)
	prios := []string{T("All priorities")}
	for _, pr := range app.Priorities {
		prios = append(prios, pr.String())
	}
	p.prio = widget.NewSelect(prios, nil)
	p.prio.SetSelectedIndex(0)
	p.count = muted("")

	p.muteBtn = widget.NewButtonWithIcon(T("Mute 2 min"), theme.VolumeMuteIcon(), func() {
		if p.sound.Muted() > 0 {
			p.sound.Mute(0)
		} else {
			p.sound.Mute(2 * time.Minute)
		}
		p.updateMute()
	})
	p.soundNote = muted("")
	if ok, why := p.sound.Available(); !ok {
		p.soundNote.Text = T(why)
		p.muteBtn.Disable()
	}

	p.list = widget.NewList(
		func() int { return len(p.shown) },
		func() fyne.CanvasObject { return newAlarmRow() },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i < len(p.shown) {
				o.(*alarmRow).set(p, &p.shown[i])
			}
		})
	p.list.OnSelected = func(i widget.ListItemID) {
		if i < len(p.shown) {
			p.selected = p.shown[i].ID
			p.showDetail()
			p.c.ShowOnMap(p.selected) // the site map shows it too
		}
		// The desk's keys (A, D, R, N, arrows) go to the panel, not to the list.
		p.c.win.Canvas().Unfocus()
	}
	p.detail = container.NewStack(container.NewCenter(widget.NewLabel(T("Select an alarm to see its details"))))

	filters := container.NewHBox(p.prio, p.grid, p.kind, p.state)
	logReport := widget.NewButtonWithIcon(T("Log a report (F2)"), theme.DocumentCreateIcon(), c.showIntake)
	if op := c.Operator(); op == nil || !op.Role.Can(app.ActRaiseAlarm) {
		logReport.Disable()
	}
	tools := container.NewHBox(logReport, p.muteBtn, p.soundNote)
	if c.x.Simulate != nil {
		tools.Add(widget.NewSeparator())
		tools.Add(p.simulateControl())
	}
	top := container.NewVBox(container.NewBorder(nil, nil, heading(T("Alarm desk")), p.count), filters, tools)
	left := container.NewBorder(top, nil, nil, nil, p.list)
	split := container.NewHSplit(left, container.NewPadded(p.detail))
	split.Offset = 0.42
	p.content = split
	for _, s := range []*widget.Select{p.prio, p.grid, p.kind, p.state} {
		s.OnChanged = func(string) { p.refresh() }
	}
	p.refresh()
	return p
}

// showPriority filters the desk to one priority (0: all), the other filters cleared, and
// selects its first alarm when none of it is selected.
func (p *alarmPanel) showPriority(pr app.Priority) {
	for _, s := range []*widget.Select{p.grid, p.kind, p.state} {
		s.SetSelectedIndex(0)
	}
	p.prio.SetSelectedIndex(int(pr)) // "All priorities" is 0, P1 is 1…
	for _, a := range p.shown {
		if a.ID == p.selected {
			return
		}
	}
	if len(p.shown) > 0 {
		p.list.Select(0)
	}
}

func (p *alarmPanel) Object() fyne.CanvasObject { return p.content }

// focusAlarm selects an alarm and shows its details (the desk was switched to).
func (p *alarmPanel) focusAlarm(id int64) {
	p.selected = id
	p.refresh()
	p.showDetail()
}

// selectAlarm selects an alarm from elsewhere (the site map); filters hiding it are reset.
func (p *alarmPanel) selectAlarm(id int64) {
	for i, a := range p.shown {
		if a.ID == id {
			p.list.Select(i)
			p.list.ScrollTo(i)
			return
		}
	}
	p.selected = id
	for _, s := range []*widget.Select{p.prio, p.grid, p.kind, p.state} {
		s.SetSelectedIndex(0) // refreshes, and selects it when it is open
	}
	p.refresh()
}

// simulateControl plays the device simulator's scenarios (demo site only).
func (p *alarmPanel) simulateControl() fyne.CanvasObject {
	names := map[string]string{
		"fire": "Fire in a flat", "fall": "Elderly resident falls", "sos": "Emergency button pressed",
		"forced_door": "Door forced at night", "flood": "Water in a manhole", "offline": "Streetlight loses power",
		"unknown_vehicle":   "Unregistered vehicle at the gate",
		"streetlight_fault": "Streetlight fault", "low_battery": "Device battery running low",
	}
	var opts []string
	byLabel := map[string]string{}
	for _, s := range []string{"fire", "fall", "sos", "forced_door", "flood", "offline", "unknown_vehicle", "streetlight_fault", "low_battery"} {
		opts = append(opts, T(names[s]))
		byLabel[T(names[s])] = s
	}
	sel := widget.NewSelect(opts, nil)
	sel.PlaceHolder = T("Simulate…")
	sel.OnChanged = func(v string) {
		name := byLabel[v]
		if name == "" {
			return
		}
		sel.ClearSelected()
		var what string
		p.c.write(write{
			run: func(context.Context, *app.Operator) (err error) {
				what, err = p.c.x.Simulate(name) // the simulated devices' messages, journaled as they arrive
				return err
			},
			done: func() { p.c.core.Log.Info("scenario simulated", "scenario", name, "what", what) },
		})
	}
	return container.NewHBox(widget.NewIcon(theme.MediaPlayIcon()), sel)
}

// refresh reloads the open alarms from the desk and applies the filters.
func (p *alarmPanel) refresh() {
	p.all = p.c.core.Desk.Open()
	kinds := map[string]bool{}
	for _, a := range p.all {
		kinds[a.Kind] = true
	}
	kindOpts := []string{T("All kinds")}
	var ks []string
	for k := range kinds {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	for _, k := range ks {
		kindOpts = append(kindOpts, T(app.AlarmKindLabel(k)))
	}
	cur := p.kind.Selected
	p.kind.Options = kindOpts
	if !contains(kindOpts, cur) {
		cb := p.kind.OnChanged
		p.kind.OnChanged = nil // no refresh from inside refresh
		p.kind.SetSelectedIndex(0)
		p.kind.OnChanged = cb
	}
	p.kind.Refresh()

	site := p.c.core.Inventory.Site()
	p.shown = p.shown[:0]
	for _, a := range p.all {
		if p.prio.SelectedIndex() > 0 && int(a.Priority) != p.prio.SelectedIndex() {
			continue
		}
		if p.grid.SelectedIndex() > 0 && site != nil && site.Grids[p.grid.SelectedIndex()-1].ID != a.GridID {
			continue
		}
		if p.kind.SelectedIndex() > 0 && T(app.AlarmKindLabel(a.Kind)) != p.kind.Selected {
			continue
		}
		if p.state.SelectedIndex() > 0 && T(stateText(a.State)) != p.state.Selected {
			continue
		}
		p.shown = append(p.shown, a)
	}
	p.count.Text = T("{{.N}} open", map[string]any{"N": len(p.all)})
	p.count.Refresh()
	p.list.Refresh()
	// Keep the selection on the same alarm (the list order changes as alarms arrive).
	found := false
	for i, a := range p.shown {
		if a.ID == p.selected {
			p.list.Select(i)
			found = true
			break
		}
	}
	if !found && p.selected != 0 {
		p.list.UnselectAll()
	}
	if p.selected != 0 {
		p.showDetail()
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// OnEntry follows the desk.
func (p *alarmPanel) OnEntry(e app.Entry) {
	p.clipEntry(e)
	p.orderEntry(e) // alarm_orders.go
	if e.Kind.IsAlarm() {
		p.refresh()
	}
	switch e.Kind {
	case app.KindIncidentOpened, app.KindIncidentAlarmLinked, app.KindIncidentClosed:
		// The selected alarm's way into incident command may have changed (an incident
		// closed leaving it open changes no alarm).
		if p.selected != 0 {
			p.showDetail()
		}
	}
}

// Tick keeps the mute's countdown and the times current.
func (p *alarmPanel) Tick() {
	p.updateMute()
	p.list.Refresh()
	p.times.tick()
}

func (p *alarmPanel) updateMute() {
	if d := p.sound.Muted(); d > 0 {
		p.muteBtn.SetText(T("Muted ({{.S}} s) — unmute", map[string]any{"S": int(d.Seconds())}))
		p.muteBtn.SetIcon(theme.VolumeUpIcon())
	} else {
		p.muteBtn.SetText(T("Mute 2 min"))
		p.muteBtn.SetIcon(theme.VolumeMuteIcon())
	}
}

func (p *alarmPanel) Shown(on bool) {
	p.visible = on
	if !on {
		p.closePreviews()
	} else if p.selected != 0 {
		p.showDetail()
	}
}

func (p *alarmPanel) closePreviews() {
	for _, pv := range p.previews {
		pv.Close()
	}
	p.previews = nil
}

// TypedKey: A acknowledge, D dispatch, R resolve, N or ↓ next alarm, ↑ previous, M mute.
// While a dialog is open the keys are its own; a key for an action the operator's role
// cannot do opens nothing.
func (p *alarmPanel) TypedKey(ev *fyne.KeyEvent) {
	if p.c.win.Canvas().Overlays().Top() != nil {
		return
	}
	switch ev.Name {
	case fyne.KeyA:
		p.acknowledge()
	case fyne.KeyD:
		p.dispatch()
	case fyne.KeyR:
		p.resolve()
	case fyne.KeyM:
		p.muteBtn.OnTapped()
	case fyne.KeyN, fyne.KeyDown:
		p.step(1)
	case fyne.KeyUp:
		p.step(-1)
	}
}

func (p *alarmPanel) step(d int) {
	if len(p.shown) == 0 {
		return
	}
	i := 0
	for k, a := range p.shown {
		if a.ID == p.selected {
			i = (k + d + len(p.shown)) % len(p.shown)
			break
		}
	}
	p.list.Select(i)
	p.list.ScrollTo(i)
}

func (p *alarmPanel) current() (app.Alarm, bool) {
	for _, a := range p.all {
		if a.ID == p.selected {
			return a, true
		}
	}
	return app.Alarm{}, false
}

// showDetail renders the selected alarm.
func (p *alarmPanel) showDetail() {
	a, ok := p.current()
	if !ok {
		var err error
		a, err = p.c.core.Desk.Get(context.Background(), p.selected)
		if err != nil {
			return
		}
	}
	p.closePreviews()
	site := p.c.core.Inventory.Site()
	en := english()
	op := p.c.Operator()

	title := container.NewHBox(newBadge(a.Priority.String(), priorityColor(a.Priority)), heading(T(app.AlarmKindLabel(a.Kind))),
		newBadge(T(stateText(a.State)), stateBadgeColor(a.State)))
	if a.Drill {
		title.Add(newBadge(T("DRILL"), themeColor(colorDemo)))
	}
	if a.Test {
		title.Add(newBadge(T("TEST"), themeColor(colorP4)))
	}
	p.times = nil
	rows := []kvRow{p.times.add("Raised", func() string {
		return fmt.Sprintf("%s (%s)", a.RaisedAt.Local().Format("2006-01-02 15:04:05"), p.c.ago(a.RaisedAt))
	})}
	if a.Repeats > 0 {
		rows = append(rows, p.times.add("Repeats", func() string {
			return T("{{.N}} more, the last {{.Ago}}", map[string]any{"N": a.Repeats, "Ago": p.c.ago(a.LastAt)})
		}))
	}
	var dev *app.Device
	if site != nil {
		if d, ok := site.Device(a.DeviceID); ok {
			dev = d
			rows = append(rows, kv("Device", fmt.Sprintf("%s (%s)", d.Display(en), T(d.Kind.Label()))), kv("Location", d.DisplayLocation(en)))
			rows = append(rows, p.c.residentRows(&a, d)...)
		}
		if g, ok := site.Grid(a.GridID); ok {
			rows = append(rows, kv("Grid", g.Display(en)), kv("Grid worker", g.Worker.Name+"  "+g.Worker.Phone))
		}
		if b, ok := site.Building(a.Building); ok {
			rows = append(rows, kv("Building", b.Display(en)))
		}
		if cam, ok := site.Camera(a.CameraID); ok && dev == nil {
			rows = append(rows, kv("Camera", cam.Display(en)))
		}
	}
	if dev == nil {
		rows = append(rows, kv("Cause", alarmCause(&a, site)))
	} else if d := alarmDetails(&a); d != "" {
		rows = append(rows, kv("Details", d))
	}
	if skew := a.DeviceTime.Sub(a.RaisedAt); !a.DeviceTime.IsZero() && (skew > app.ClockSkewLimit || skew < -app.ClockSkewLimit) {
		rows = append(rows, kv("Device clock", T("{{.Time}} (off by {{.Skew}})", map[string]any{
			"Time": a.DeviceTime.Local().Format("2006-01-02 15:04:05"), "Skew": message(app.DurationMessage(absDuration(skew).Round(time.Second)))})))
	}
	if a.Ack != nil {
		rows = append(rows, kv("Acknowledged", p.c.markText(a.Ack)))
	}
	if a.Dispatch != nil {
		rows = append(rows, kv("Dispatched", dispatchedTo(a.Dispatch.To)+" · "+p.c.markText(a.Dispatch)))
	}
	if a.Resolve != nil {
		rows = append(rows, kv("Resolved", T(a.Outcome.Label())+" · "+p.c.markText(a.Resolve)))
	}

	ack := widget.NewButtonWithIcon(T("Acknowledge (A)"), theme.ConfirmIcon(), p.acknowledge)
	ack.Importance = widget.HighImportance
	disp := widget.NewButtonWithIcon(T("Dispatch (D)"), theme.MailSendIcon(), p.dispatch)
	res := widget.NewButtonWithIcon(T("Resolve (R)"), theme.DocumentSaveIcon(), p.resolve)
	if a.State != app.AlarmNew || op == nil || !op.Role.Can(app.ActAckAlarm) {
		ack.Disable()
	}
	if a.State != app.AlarmAcknowledged || op == nil || !op.Role.Can(app.ActDispatchAlarm) {
		disp.Disable()
	}
	if (a.State != app.AlarmAcknowledged && a.State != app.AlarmDispatched) || op == nil || !op.Role.Can(app.ActResolveAlarm) {
		res.Disable()
	}
	actions := container.NewHBox(ack, disp, res, p.c.incidentButton(a))
	if p.may(app.ActOrderDispatch) {
		actions.Add(p.dispatchAsOrderButton(a)) // alarm_orders.go
	}
	body := container.NewVBox(title, widget.NewSeparator(), actions, details(rows))
	if orders := p.ordersSection(a); orders != nil {
		body.Add(orders)
	}

	// What the camera saw when video analytics raised it, with the boxes drawn.
	if a.Image != "" {
		body.Add(heading(T("What the camera saw")))
		img := canvas.NewImageFromFile(a.Image)
		img.FillMode = canvas.ImageFillContain
		img.SetMinSize(fyne.NewSize(480, 270))
		body.Add(container.NewHBox(img))
	}

	// The cameras that see it, live.
	if site != nil && p.visible {
		cams := site.NearestCameras(&a, 2)
		if len(cams) > 0 {
			body.Add(heading(T("Cameras")))
			box := container.NewHBox()
			for _, id := range cams {
				if cam, ok := site.Camera(id); ok {
					pv := newLivePreview(p.c.x.Feeds, cam)
					p.previews = append(p.previews, pv)
					box.Add(pv.content)
				}
			}
			body.Add(box)
		}
	}

	body.Add(p.clipsSection(a))

	// History from the journal: who did what and when.
	if hist, err := p.c.core.Desk.History(context.Background(), a.ID); err == nil {
		body.Add(heading(T("History")))
		for _, e := range hist {
			body.Add(historyLine(e, site))
		}
	}
	p.detail.Objects = []fyne.CanvasObject{container.NewVScroll(body)}
	p.detail.Refresh()
}

func historyLine(e app.Entry, site *app.Site) fyne.CanvasObject {
	who := e.Operator
	if who == app.SystemActor {
		who = T("system")
	}
	var a app.Alarm
	note := ""
	if e.Kind == app.KindClipMissing {
		var m app.ClipMissing
		if e.Decode(&m) == nil {
			cam := m.CameraID
			if site != nil {
				if c, ok := site.Camera(m.CameraID); ok {
					cam = c.Display(english())
				}
			}
			note = cam + ": " + message(app.Message{Key: m.Why, Args: m.Args})
		}
	} else if e.Decode(&a) == nil {
		switch e.Kind {
		case app.KindAlarmAcknowledged:
			if a.Ack != nil {
				note = a.Ack.Note
			}
		case app.KindAlarmDispatched:
			if a.Dispatch != nil {
				note = dispatchedTo(a.Dispatch.To) + " " + a.Dispatch.Note
			}
		case app.KindAlarmResolved:
			if a.Resolve != nil {
				note = T(a.Outcome.Label()) + " " + markNote(a.Resolve)
			}
		}
	}
	text := fmt.Sprintf("%s  %s  %s", e.Time.Local().Format("15:04:05"), entryLabel(e.Kind), who)
	if strings.TrimSpace(note) != "" {
		text += " — " + strings.TrimSpace(note)
	}
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// entryLabel names an alarm's journal entry in the operator's language.
func entryLabel(k app.EntryKind) string { return report.EntryLabel(tr(), k) }

// markText says who did it (by name) and when, with the note.
func (c *Console) markText(m *app.Mark) string {
	s := operatorName(m.By, c.operatorDisplay(m.By)) + ", " + m.At.Local().Format("15:04:05")
	if n := markNote(m); n != "" {
		s += " — " + n
	}
	return s
}

// markNote is a mark's note as the operator reads it: the console's own notes (by the
// system: "Drill ended", "back online") are English keys, translated here; a person's
// note is shown as they wrote it.
func markNote(m *app.Mark) string {
	if m.By == app.SystemActor && m.Note != "" {
		return T(m.Note)
	}
	return m.Note
}

// stateText is the English name of an alarm state (the translation key).
func stateText(s app.AlarmState) string { return i18n.AlarmStateLabel(s) }

func stateBadgeColor(s app.AlarmState) color.Color {
	switch s {
	case app.AlarmNew:
		return themeColor(colorP1)
	case app.AlarmAcknowledged:
		return themeColor(colorP3)
	case app.AlarmDispatched:
		return themeColor(colorP4)
	}
	return themeColor(colorOK)
}

// ago says how long ago t was, shortly, by the core's clock (the wall clock; a test's
// fixed one, so that what a panel shows does not depend on when the test runs).
func (c *Console) ago(t time.Time) string { return agoAt(c.core.Clock.Now(), t) }

func agoAt(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return T("{{.N}} s ago", map[string]any{"N": int(d.Seconds())})
	case d < time.Hour:
		return T("{{.N}} min ago", map[string]any{"N": int(d.Minutes())})
	case d < 48*time.Hour:
		return T("{{.N}} h ago", map[string]any{"N": int(d.Hours())})
	}
	return T("{{.N}} days ago", map[string]any{"N": int(d.Hours() / 24)})
}

// --- actions ---

// may reports whether the operator signed in may do an action (the core checks again).
func (p *alarmPanel) may(act app.Action) bool {
	op := p.c.Operator()
	return op != nil && op.Role.Can(act)
}

func (p *alarmPanel) acknowledge() {
	a, ok := p.current()
	if !ok || a.State != app.AlarmNew || !p.may(app.ActAckAlarm) {
		return
	}
	note := widget.NewEntry()
	note.SetPlaceHolder(T("Note (optional)"))
	d := newWriteForm(p.c, T("Acknowledge alarm"), T("Acknowledge"),
		[]*widget.FormItem{widget.NewFormItem(T("Note"), note)}, func() (write, error) {
			return write{run: func(ctx context.Context, op *app.Operator) error {
				_, err := p.c.core.Desk.Acknowledge(ctx, op, a.ID, note.Text)
				return err
			}}, nil
		})
	note.OnSubmitted = func(string) { d.submit() } // Enter confirms
	d.Show(fyne.NewSize(460, 200))
	p.focusLater(note)
}

// focusLater focuses a dialog's field once the key that opened the dialog has been
// delivered (else the "A" of the shortcut would be typed into it); Enter then confirms.
func (p *alarmPanel) focusLater(f fyne.Focusable) {
	go func() {
		time.Sleep(80 * time.Millisecond)
		p.c.onUI(func() { p.c.win.Canvas().Focus(f) })
	}()
}

// dispatchTargets are whom an alarm can be handed to: its grid's worker and the site's contacts.
func (p *alarmPanel) dispatchTargets(a app.Alarm) []string {
	site := p.c.core.Inventory.Site()
	var out []string
	if site == nil {
		return out
	}
	en := english()
	if g, ok := site.Grid(a.GridID); ok {
		out = append(out, fmt.Sprintf("%s %s %s", T("Grid worker"), g.Worker.Name, g.Worker.Phone))
	}
	for _, c := range site.Contacts {
		out = append(out, fmt.Sprintf("%s: %s %s", T(app.ContactRoleLabel(c.Role)), c.Display(en), c.Phone))
	}
	return out
}

func (p *alarmPanel) dispatch() {
	a, ok := p.current()
	if !ok || a.State != app.AlarmAcknowledged || !p.may(app.ActDispatchAlarm) {
		return
	}
	targets := p.dispatchTargets(a)
	to := widget.NewSelectEntry(targets)
	to.SetPlaceHolder(T("Whom to send"))
	if len(targets) > 0 {
		to.SetText(targets[0])
	}
	note := widget.NewEntry()
	note.SetPlaceHolder(T("Note (optional)"))
	d := newWriteForm(p.c, T("Dispatch"), T("Dispatch"),
		[]*widget.FormItem{widget.NewFormItem(T("To"), to), widget.NewFormItem(T("Note"), note)}, func() (write, error) {
			return write{run: func(ctx context.Context, op *app.Operator) error {
				_, err := p.c.core.Desk.Dispatch(ctx, op, a.ID, to.Text, note.Text)
				return err
			}}, nil
		})
	note.OnSubmitted = func(string) { d.submit() }
	to.OnSubmitted = func(string) { d.submit() }
	d.Show(fyne.NewSize(560, 240))
	p.focusLater(note)
}

func (p *alarmPanel) resolve() {
	a, ok := p.current()
	if !ok || (a.State != app.AlarmAcknowledged && a.State != app.AlarmDispatched) || !p.may(app.ActResolveAlarm) {
		return
	}
	labels := make([]string, len(app.Outcomes))
	for i, o := range app.Outcomes {
		labels[i] = T(o.Label())
	}
	outcome := widget.NewRadioGroup(labels, nil)
	outcome.SetSelected(labels[0])
	note := widget.NewEntry()
	note.SetPlaceHolder(T("What happened (optional)"))
	d := newWriteForm(p.c, T("Resolve alarm"), T("Resolve"),
		[]*widget.FormItem{widget.NewFormItem(T("Outcome"), outcome), widget.NewFormItem(T("Note"), note)}, func() (write, error) {
			o := app.OutcomeGenuine
			for i, l := range labels {
				if l == outcome.Selected {
					o = app.Outcomes[i]
				}
			}
			return write{run: func(ctx context.Context, op *app.Operator) error {
				_, err := p.c.core.Desk.Resolve(ctx, op, a.ID, o, note.Text)
				return err
			}}, nil
		})
	note.OnSubmitted = func(string) { d.submit() }
	d.Show(fyne.NewSize(460, 320))
	p.focusLater(note)
}

// --- a row of the inbox ---

type alarmRow struct {
	widget.BaseWidget
	bg      *canvas.Rectangle
	prio    *badge
	state   *badge
	drill   *badge // DRILL on a drill's alarm
	test    *badge // TEST on an alarm of a device in test mode
	title   *canvas.Text
	sub     *canvas.Text
	when    *canvas.Text
	repeats *canvas.Text
	box     fyne.CanvasObject
}

func newAlarmRow() *alarmRow {
	r := &alarmRow{
		bg:      canvas.NewRectangle(themeColor(colorPanel)),
		prio:    newBadge("P1", themeColor(colorP1)),
		state:   newBadge("New", themeColor(colorP1)),
		drill:   newBadge(T("DRILL"), themeColor(colorDemo)),
		test:    newBadge(T("TEST"), themeColor(colorP4)),
		title:   canvas.NewText("Fire alarm", themeColor(theme.ColorNameForeground)),
		sub:     canvas.NewText("", themeColor(colorMuted)),
		when:    canvas.NewText("", themeColor(colorMuted)),
		repeats: canvas.NewText("", themeColor(colorP2)),
	}
	r.title.TextStyle.Bold = true
	r.sub.TextSize = theme.CaptionTextSize()
	r.when.TextSize = theme.CaptionTextSize()
	r.repeats.TextStyle.Bold = true
	left := container.NewCenter(r.prio)
	right := container.NewVBox(r.when, container.NewHBox(r.repeats, r.drill, r.test, r.state))
	r.box = container.NewStack(r.bg, container.NewPadded(container.NewBorder(nil, nil, left, right, container.NewVBox(r.title, r.sub))))
	r.ExtendBaseWidget(r)
	return r
}

func (r *alarmRow) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(r.box) }

func (r *alarmRow) set(p *alarmPanel, a *app.Alarm) {
	site := p.c.core.Inventory.Site()
	en := english()
	r.prio.Set(a.Priority.String(), priorityColor(a.Priority))
	r.state.Set(T(stateText(a.State)), stateBadgeColor(a.State))
	r.drill.Hidden = !a.Drill
	r.test.Hidden = !a.Test
	r.title.Text = T(app.AlarmKindLabel(a.Kind))
	sub := alarmPlace(a, site)
	if site != nil {
		if g, ok := site.Grid(a.GridID); ok {
			sub += " · " + g.Display(en)
		}
	}
	r.sub.Text = sub
	r.when.Text = a.RaisedAt.Local().Format("15:04:05") + " · " + p.c.ago(a.RaisedAt)
	r.repeats.Text = ""
	if a.Repeats > 0 {
		r.repeats.Text = fmt.Sprintf("×%d", a.Repeats+1)
	}
	// A new alarm's row is tinted with its severity until someone acknowledges it.
	if a.State == app.AlarmNew {
		r.bg.FillColor = withAlpha(priorityColor(a.Priority), 0x38)
	} else {
		r.bg.FillColor = themeColor(colorPanel)
	}
	r.bg.Refresh()
	r.title.Refresh()
	r.sub.Refresh()
	r.when.Refresh()
	r.repeats.Refresh()
}
