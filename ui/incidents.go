package ui

import (
	"context"
	"fmt"
	"image/color"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
	"watchpost/report"
)

// The incident command panel: the running incidents (several at once) and the recent
// closed ones; for the selected incident its checklist by phase with who ticked each step
// and when, the steps due soon or overdue standing out with their timers, the level with
// what it means, whom to call with one tap to log the call, the linked alarms, the cameras
// and place, and the incident log. Every action is checked and journaled by the core.

type incidentPanel struct {
	c       *Console
	content fyne.CanvasObject
	// mu serializes the panel's entry points. In the window they all run on the UI
	// thread; Fyne's test driver runs fyne.Do on the calling goroutine, and an incident
	// opened from a dialog is shown from the goroutine that opened it.
	mu sync.Mutex

	items    []app.Incident // running (newest first), then recent closed ones
	running  int
	list     *widget.List
	selected int64
	newBtn   *widget.Button

	detail *fyne.Container
	cur    app.Incident
	has    bool

	title     *fyne.Container
	elapsed   *canvas.Text
	actions   *fyne.Container
	levelText *widget.Label
	progress  *canvas.Text
	checklist *fyne.Container
	rows      []*stepRow
	contacts  *fyne.Container
	alarms    *fyne.Container
	place     *fyne.Container
	cams      *fyne.Container
	camKey    string
	previews  []*livePreview
	logBox    *fyne.Container
	logScroll *container.Scroll
	note      *widget.Entry
	report    *fyne.Container
	// lastReport is the report written last for the incident shown (its path).
	lastReport string
	// rendered is the incident as the panel last finished showing it.
	rendered atomic.Pointer[app.Incident]

	visible bool
}

func newIncidentPanel(c *Console) panelView {
	p := &incidentPanel{c: c}
	if c.core.Incidents == nil || c.core.Plans == nil {
		p.content = container.NewCenter(widget.NewLabel(T("Incident command is not available")))
		return p
	}
	p.newBtn = widget.NewButtonWithIcon(T("New incident…"), theme.ContentAddIcon(), func() { p.c.openIncidentDialog(nil) })
	p.newBtn.Importance = widget.HighImportance
	if op := c.Operator(); op == nil || !op.Role.Can(app.ActOpenIncident) {
		p.newBtn.Disable()
	}
	p.list = widget.NewList(
		func() int { return len(p.items) },
		func() fyne.CanvasObject { return newIncidentRow() },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i < len(p.items) {
				o.(*incidentRow).set(p, &p.items[i], i == p.running && p.running < len(p.items))
			}
		})
	p.list.OnSelected = func(i widget.ListItemID) {
		// TryLock: the panel selects in the list itself while it holds the lock.
		if !p.mu.TryLock() {
			return
		}
		defer p.mu.Unlock()
		if i < len(p.items) && p.items[i].ID != p.selected {
			p.show(p.items[i].ID)
		}
	}
	p.detail = container.NewStack(container.NewCenter(widget.NewLabel(T("No incident is running. Open one from an alarm on the alarm desk, or start one here."))))
	top := container.NewVBox(heading(T("Incidents")), p.newBtn)
	left := container.NewBorder(top, nil, nil, nil, p.list)
	split := container.NewHSplit(left, container.NewPadded(p.detail))
	split.Offset = 0.16
	p.content = split
	p.reload()
	if p.running > 0 {
		p.show(p.items[0].ID)
	}
	return p
}

func (p *incidentPanel) Object() fyne.CanvasObject { return p.content }

// reload reads the running and recent incidents.
func (p *incidentPanel) reload() {
	run := p.c.core.Incidents.Running()
	items := append([]app.Incident(nil), run...)
	recent, err := p.c.core.Incidents.Recent(context.Background(), 30)
	if err == nil {
		for _, in := range recent {
			if in.State == app.IncidentClosed {
				items = append(items, in)
			}
		}
	}
	p.items, p.running = items, len(run)
	p.list.Refresh()
	for i, in := range p.items {
		if in.ID == p.selected {
			p.list.Select(i)
		}
	}
}

// OnEntry follows the incidents, their alarms and the plans.
func (p *incidentPanel) OnEntry(e app.Entry) {
	if p.list == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case strings.HasPrefix(string(e.Kind), "incident."):
		p.reload()
		if e.Subject == app.SubjectIncident(p.selected) || p.selected == 0 {
			id := p.selected
			if id == 0 && e.Kind == app.KindIncidentOpened && p.running > 0 {
				id = p.items[0].ID
			}
			if id != 0 {
				p.show(id)
			}
		}
	case e.Kind.IsAlarm() && p.has:
		for _, id := range p.cur.AlarmIDs {
			if e.Subject == app.SubjectAlarm(id) {
				p.fillAlarms()
			}
		}
	}
}

// Tick counts the timers.
func (p *incidentPanel) Tick() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.countTimers()
}

func (p *incidentPanel) countTimers() {
	if !p.has || !p.visible {
		return
	}
	now := p.c.core.Incidents.Now()
	p.updateElapsed(now)
	for _, r := range p.rows {
		r.update(now)
	}
	p.list.Refresh()
}

func (p *incidentPanel) Shown(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.visible = on
	if !on {
		p.closePreviews()
		p.camKey = ""
	} else if p.has {
		p.fillCameras()
		p.countTimers()
	}
}

func (p *incidentPanel) closePreviews() {
	for _, pv := range p.previews {
		pv.Close()
	}
	p.previews = nil
}

// focus shows an incident (from another panel).
func (p *incidentPanel) focus(id int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.list == nil { // the operator's role shows no incidents
		return
	}
	p.reload()
	p.show(id)
}

// show renders an incident: the whole layout when another incident is selected, its
// parts when the same one changed (the scroll positions and cameras stay).
func (p *incidentPanel) show(id int64) {
	in, err := p.c.core.Incidents.Get(context.Background(), id)
	if err != nil {
		p.c.showError(err)
		return
	}
	same := p.has && p.cur.ID == id
	p.cur, p.has, p.selected = in, true, id
	for i, x := range p.items {
		if x.ID == id {
			p.list.Select(i)
		}
	}
	if !same {
		p.build()
	}
	p.fill()
}

// build lays out the detail of the selected incident.
func (p *incidentPanel) build() {
	p.closePreviews()
	p.camKey = ""
	p.lastReport = ""
	p.title = container.NewHBox()
	p.elapsed = canvas.NewText("", themeColor(theme.ColorNameForeground))
	p.elapsed.TextSize = theme.TextSubHeadingSize()
	p.elapsed.TextStyle = fyne.TextStyle{Bold: true, Monospace: true}
	p.actions = container.NewHBox()
	p.levelText = widget.NewLabel("")
	p.levelText.Wrapping = fyne.TextWrapWord
	p.progress = muted("")
	p.report = container.NewHBox()
	p.checklist = container.NewVBox()
	p.contacts = container.NewVBox()
	p.alarms = container.NewVBox()
	p.place = container.NewVBox()
	p.cams = container.NewVBox()
	p.logBox = container.NewVBox()
	p.note = widget.NewMultiLineEntry()
	p.note.SetPlaceHolder(T("Write a note for the incident log…"))
	p.note.SetMinRowsVisible(2)
	p.note.Wrapping = fyne.TextWrapWord
	addNote := widget.NewButtonWithIcon(T("Add note"), theme.DocumentCreateIcon(), p.addNote)

	head := container.NewVBox(
		container.NewBorder(nil, nil, nil, p.elapsed, p.title),
		p.actions,
		p.levelText,
		container.NewHBox(p.progress, layout.NewSpacer(), p.report),
		widget.NewSeparator(),
	)
	// Three columns: the checklist; whom to call above the log; the place, its cameras and
	// alarms. The log has its own half of the column and scroll: below a long list of
	// contacts it would show one line.
	logBg := canvas.NewRectangle(themeColor(colorPanel))
	logBg.CornerRadius = 6
	logHead := container.NewVBox(heading(T("Incident log")), container.NewBorder(nil, nil, nil, container.NewVBox(addNote), p.note))
	p.logScroll = container.NewVScroll(p.logBox)
	log := container.NewStack(logBg, container.NewPadded(container.NewBorder(logHead, nil, nil, nil, p.logScroll)))
	calls := container.NewVSplit(container.NewVScroll(section(T("Whom to call"), p.contacts)), log)
	calls.Offset = 0.45
	place := container.NewVBox(
		section(T("Place and cameras"), p.place, p.cams),
		section(T("Alarms"), p.alarms),
	)
	right := container.NewHSplit(calls, container.NewVScroll(place))
	right.Offset = 0.48
	split := container.NewHSplit(container.NewVScroll(p.checklist), right)
	split.Offset = 0.47
	p.detail.Objects = []fyne.CanvasObject{container.NewBorder(head, nil, nil, nil, split)}
	p.detail.Refresh()
}

// fill writes the incident's state into the layout.
func (p *incidentPanel) fill() {
	in := &p.cur
	en := english()
	op := p.c.Operator()
	canRun := op != nil && op.Role.Can(app.ActRunIncident) && in.State == app.IncidentOpen
	now := p.c.core.Incidents.Now()

	// Title row.
	p.title.Objects = []fyne.CanvasObject{newBadge(T(in.Level.Label()), levelColor(in.Level)), heading(fmt.Sprintf("#%d %s", in.ID, in.Title))}
	if in.Drill {
		p.title.Add(newBadge(T("DRILL"), themeColor(colorDemo)))
	}
	if in.State == app.IncidentClosed {
		p.title.Add(newBadge(T("Closed"), themeColor(colorOK)))
	}
	p.title.Refresh()
	p.updateElapsed(now)

	// Actions.
	raise := widget.NewButtonWithIcon(T("Raise level"), theme.MoveUpIcon(), func() { p.changeLevel(p.cur.Level.Raised()) })
	raise.Importance = widget.DangerImportance
	lower := widget.NewButtonWithIcon(T("Lower level"), theme.MoveDownIcon(), func() { p.changeLevel(p.cur.Level.Lowered()) })
	link := widget.NewButtonWithIcon(T("Link alarm…"), theme.ContentAddIcon(), p.linkAlarm)
	closeBtn := widget.NewButtonWithIcon(T("Close incident…"), theme.CancelIcon(), p.closeIncident)
	report := widget.NewButtonWithIcon(T("Report"), theme.DocumentPrintIcon(), p.makeReport)
	if in.State == app.IncidentClosed {
		report.Importance = widget.HighImportance
	}
	if !canRun || in.Level == app.LevelI {
		raise.Disable()
	}
	if !canRun || in.Level == app.LevelIV {
		lower.Disable()
	}
	if !canRun {
		link.Disable()
		closeBtn.Disable()
	}
	p.actions.Objects = []fyne.CanvasObject{raise, lower, link, closeBtn, report}
	if in.State == app.IncidentClosed {
		if b := p.c.replayButton(app.ReplayOfIncident, in.ID); b != nil {
			p.actions.Objects = append(p.actions.Objects, b)
		}
	}
	p.actions.Refresh()

	// What the level means.
	lt := ""
	if in.Plan != nil {
		lt = in.Plan.Display(en)
		if s := in.Plan.LevelText(in.Level, en); s != "" {
			lt += " — " + T(in.Level.Label()) + ": " + s
		}
	}
	if in.State == app.IncidentClosed {
		if in.Outcome != "" {
			lt += "\n" + T("Outcome") + ": " + T(in.Outcome.Label())
		}
		lt += "\n" + T("Summary") + ": " + in.Summary
	}
	p.levelText.SetText(lt)

	// The checklist by phase.
	items := in.Checklist(now)
	done, total := 0, 0
	var rowsNow []*stepRow
	var objs []fyne.CanvasObject
	site := p.c.core.Inventory.Site()
	for _, ph := range app.Phases {
		var rows []fyne.CanvasObject
		n, d := 0, 0
		for _, it := range items {
			if it.Step.Phase != ph {
				continue
			}
			r := p.newStepRow(it, canRun, site)
			rowsNow = append(rowsNow, r)
			rows = append(rows, r.box)
			n++
			if it.Progress.Status != app.StepPending {
				d++
			}
		}
		if n == 0 {
			continue
		}
		done, total = done+d, total+n
		h := heading(fmt.Sprintf("%s  %d/%d", T(ph.Label()), d, n))
		objs = append(objs, h)
		objs = append(objs, rows...)
	}
	p.rows = rowsNow
	p.checklist.Objects = objs
	p.checklist.Refresh()
	p.progress.Text = T("{{.Done}} of {{.N}} steps done or skipped", map[string]any{"Done": done, "N": total})
	p.progress.Refresh()
	for _, r := range p.rows {
		r.update(now)
	}

	p.fillContacts(items, canRun)
	p.fillAlarms()
	p.fillPlace()
	if p.visible {
		p.fillCameras()
	}
	p.fillLog()
	if in.State == app.IncidentClosed {
		p.note.Disable()
	} else {
		p.note.Enable()
	}
	shown := *in
	p.rendered.Store(&shown)
}

func (p *incidentPanel) updateElapsed(now time.Time) {
	end := now
	if p.cur.State == app.IncidentClosed {
		end = p.cur.ClosedAt
	}
	p.elapsed.Text = clockDuration(end.Sub(p.cur.OpenedAt))
	p.elapsed.Refresh()
}

// levelColor: level I is the most severe.
func levelColor(l app.Level) color.Color {
	switch l {
	case app.LevelI:
		return themeColor(colorP1)
	case app.LevelII:
		return themeColor(colorP2)
	case app.LevelIII:
		return themeColor(colorP3)
	}
	return themeColor(colorP4)
}

// clockDuration renders a timer: 04:05, or 1:02:03 past an hour.
func clockDuration(d time.Duration) string { return report.ClockDuration(d) }

// operatorName shows who did something: the name recorded, else the user name.
func operatorName(username, name string) string { return report.OperatorName(tr(), username, name) }

// --- a step of the checklist ---

type stepRow struct {
	p      *incidentPanel
	item   app.ChecklistItem
	closed bool // the incident is closed: pending steps stay not done, their timers stop
	bg     *canvas.Rectangle
	timer  *canvas.Text
	box    fyne.CanvasObject
	done   *widget.Button
	skip   *widget.Button
}

func (p *incidentPanel) newStepRow(it app.ChecklistItem, canRun bool, site *app.Site) *stepRow {
	en := english()
	r := &stepRow{p: p, item: it, closed: p.cur.State == app.IncidentClosed}
	r.bg = canvas.NewRectangle(themeColor(colorPanel))
	r.bg.CornerRadius = 4
	r.timer = canvas.NewText("", themeColor(theme.ColorNameForeground))
	r.timer.TextStyle = fyne.TextStyle{Bold: true}

	s := it.Step
	// A done or skipped step is marked; a pending one has no box that would look like
	// something to tick (Done and Skip… are the controls), only the room the mark takes.
	var mark fyne.CanvasObject
	switch it.Progress.Status {
	case app.StepDone:
		mark = widget.NewIcon(theme.ConfirmIcon())
	case app.StepSkipped:
		mark = widget.NewIcon(theme.MediaSkipNextIcon())
	default:
		blank := canvas.NewRectangle(color.Transparent)
		blank.SetMinSize(fyne.NewSquareSize(theme.IconInlineSize()))
		mark = blank
	}
	title := widget.NewLabel(s.DisplayTitle(en))
	title.Wrapping = fyne.TextWrapWord
	title.TextStyle.Bold = it.Progress.Status == app.StepPending
	if it.Progress.Status != app.StepPending {
		title.Importance = widget.LowImportance
	}

	meta := []string{T(s.Role.Label())}
	if s.Limit > 0 {
		meta = append(meta, T("within {{.D}}", map[string]any{"D": formatDuration(s.Limit.D())}))
	}
	if s.MinLevel != 0 {
		meta = append(meta, T("from {{.Level}}", map[string]any{"Level": T(s.MinLevel.Label())}))
	}
	// One muted label for everything under the title keeps the rows compact.
	lines := []string{strings.Join(meta, " · ")}
	if d := s.DisplayDetail(en); d != "" {
		lines = append(lines, d)
	}
	if len(s.Contacts) > 0 {
		var names []string
		for _, c := range app.ResolveContacts(site, &p.cur, s.Contacts, en) {
			names = append(names, c.Name+" "+c.Phone)
		}
		if len(names) > 0 {
			lines = append(lines, T("Call")+": "+strings.Join(names, " · "))
		}
		// A plan incomplete on this site: the step says whom the site lacks (plan_gaps.go).
		var lacks []string
		for _, g := range app.MissingContacts(site, s.Contacts) {
			lacks = append(lacks, gapLabel(g))
		}
		if len(lacks) > 0 {
			lines = append(lines, "⚠ "+T("No contact on this site for")+": "+strings.Join(lacks, ", "))
		}
	}
	if len(s.Supplies) > 0 && it.Progress.Status == app.StepPending {
		lines = append(lines, T("Take")+": "+p.supplyText(s.Supplies))
	}
	if len(it.Waiting) > 0 {
		var ws []string
		for _, id := range it.Waiting {
			if ds, ok := p.cur.Plan.Step(id); ok {
				ws = append(ws, ds.DisplayTitle(en))
			}
		}
		lines = append(lines, T("Waits for")+": "+strings.Join(ws, "; "))
	}
	switch it.Progress.Status {
	case app.StepDone:
		t := T("Done at +{{.T}} by {{.Who}}", map[string]any{"T": clockDuration(it.Offset), "Who": operatorName(it.Progress.By, it.Progress.ByName)})
		if it.Late {
			t += " — " + T("late")
		}
		if it.Progress.Note != "" {
			t += " — " + it.Progress.Note
		}
		lines = append(lines, t)
	case app.StepSkipped:
		lines = append(lines, T("Skipped at +{{.T}} by {{.Who}}: {{.Reason}}", map[string]any{"T": clockDuration(it.Offset),
			"Who": operatorName(it.Progress.By, it.Progress.ByName), "Reason": it.Progress.Reason}))
	}
	if !it.Applicable {
		lines = append(lines, T("Not part of the checklist at this level (kept as recorded)"))
	}

	r.done = widget.NewButtonWithIcon(T("Done"), theme.ConfirmIcon(), func() { p.tick(s.ID) })
	r.done.Importance = widget.HighImportance
	r.skip = widget.NewButton(T("Skip…"), func() { p.skipStep(s) })
	if !canRun || it.Progress.Status != app.StepPending || !it.Applicable {
		r.done.Disable()
		r.skip.Disable()
	}
	if len(it.Waiting) > 0 {
		r.done.Disable()
	}
	var right fyne.CanvasObject = container.NewVBox(container.NewHBox(layout.NewSpacer(), r.timer))
	if it.Progress.Status == app.StepPending && !r.closed {
		right = container.NewVBox(container.NewHBox(layout.NewSpacer(), r.timer), container.NewHBox(r.done, r.skip))
	}
	body := container.NewBorder(nil, nil, container.NewVBox(mark), right,
		container.New(layout.NewCustomPaddedVBoxLayout(0), title, wrapMuted(strings.Join(lines, "\n"))))
	r.box = container.NewStack(r.bg, container.NewPadded(body))
	r.update(p.c.core.Incidents.Now()) // the timer's text gives it its size before the row is laid out
	return r
}

func wrapMuted(s string) fyne.CanvasObject {
	l := widget.NewLabel(s)
	l.Wrapping = fyne.TextWrapWord
	l.Importance = widget.LowImportance
	l.SizeName = theme.SizeNameCaptionText
	return l
}

// supplyText names each supply and where the nearest ones are, with how many.
func (p *incidentPanel) supplyText(kinds []app.SupplyKind) string {
	var parts []string
	en := english()
	for _, k := range kinds {
		t := T(k.Label())
		if p.c.core.Supplies != nil {
			var where []string
			for _, src := range p.c.core.Supplies.Nearest(k, p.cur.Position, 2) {
				w := fmt.Sprintf("%s ×%d", src.Point.Display(en), src.Item.Quantity)
				if src.Distance >= 0 {
					w += fmt.Sprintf(" (%.0f m)", src.Distance)
				}
				where = append(where, w)
			}
			if len(where) > 0 {
				t += " — " + strings.Join(where, ", ")
			} else {
				t += " — " + T("none in stock")
			}
		}
		parts = append(parts, t)
	}
	return strings.Join(parts, "; ")
}

// update shows the step's timer: counting down to its limit, up once overdue.
func (r *stepRow) update(now time.Time) {
	it := r.item
	fill := themeColor(colorPanel)
	r.timer.Color = themeColor(theme.ColorNameForeground)
	switch {
	case it.Progress.Status == app.StepDone:
		r.timer.Text = "+" + clockDuration(it.Offset)
		if it.Late {
			r.timer.Color = themeColor(colorP2)
			r.timer.Text += " " + T("late")
		} else {
			r.timer.Color = themeColor(colorOK)
		}
	case it.Progress.Status == app.StepSkipped:
		r.timer.Text = T(app.StepSkipped.Label())
		r.timer.Color = themeColor(colorMuted)
	case r.closed:
		r.timer.Text = T("Not done")
		r.timer.Color = themeColor(colorMuted)
	case it.Due.IsZero():
		r.timer.Text = ""
	default:
		left := it.Due.Sub(now)
		switch {
		case left < 0:
			r.timer.Text = T("Overdue") + " +" + clockDuration(left)
			r.timer.Color = themeColor(colorP1)
			fill = withAlpha(themeColor(colorP1), 0x40)
		case left <= app.DueSoonWindow:
			r.timer.Text = T("Due in") + " " + clockDuration(left)
			r.timer.Color = themeColor(colorP2)
			fill = withAlpha(themeColor(colorP2), 0x38)
		default:
			r.timer.Text = T("Due in") + " " + clockDuration(left)
		}
	}
	if !it.Applicable {
		fill = themeColor(colorPanel)
	}
	if r.bg.FillColor != fill {
		r.bg.FillColor = fill
		r.bg.Refresh()
	}
	// "Due in 04:58" becomes "Overdue +00:01": a text wider (or taller) than the room it
	// was given would run under the buttons, so the row is laid out again.
	if need, has := r.timer.MinSize(), r.timer.Size(); need.Width > has.Width+0.5 || need.Height > has.Height+0.5 {
		r.box.Refresh()
	} else {
		r.timer.Refresh()
	}
}

// urgency is how the row stands now (for tests and the list).
func (r *stepRow) urgency(now time.Time) app.Urgency {
	if r.item.Progress.Status != app.StepPending || r.item.Due.IsZero() || r.closed {
		return app.UrgencyNone
	}
	left := r.item.Due.Sub(now)
	switch {
	case left < 0:
		return app.UrgencyOverdue
	case left <= app.DueSoonWindow:
		return app.UrgencySoon
	}
	return app.UrgencyOK
}

// --- the side: contacts, alarms, place, log ---

// incidentContacts are everyone the checklist's steps call, then those of the plan's
// other levels (a commander may call the fire brigade before raising the level), then the
// grid's worker and the resident's family.
func (p *incidentPanel) incidentContacts(items []app.ChecklistItem) []app.ContactRef {
	var refs []string
	seen := map[string]bool{}
	add := func(steps []app.Step) {
		for _, s := range steps {
			for _, r := range s.Contacts {
				if !seen[r] {
					seen[r] = true
					refs = append(refs, r)
				}
			}
		}
	}
	var steps []app.Step
	for _, it := range items {
		steps = append(steps, it.Step)
	}
	add(steps)
	if p.cur.Plan != nil {
		add(p.cur.Plan.Steps)
	}
	for _, r := range []string{app.ContactGridWorker, app.ContactFamily} {
		if !seen[r] {
			refs = append(refs, r)
		}
	}
	return app.ResolveContacts(p.c.core.Inventory.Site(), &p.cur, refs, english())
}

func (p *incidentPanel) fillContacts(items []app.ChecklistItem, canRun bool) {
	var objs []fyne.CanvasObject
	last := map[string]app.CallRecord{}
	for _, c := range p.cur.Calls {
		last[c.Contact] = c
	}
	for _, ref := range p.incidentContacts(items) {
		ref := ref
		name := widget.NewLabel(ref.Name + "  " + ref.Phone)
		name.TextStyle.Bold = true
		name.Wrapping = fyne.TextWrapWord
		status := muted(T("Not called yet"))
		if c, ok := last[ref.Key]; ok {
			status.Text = T(c.Result.Label()) + " " + c.At.Local().Format("15:04")
			status.Color = themeColor(colorOK)
			if c.Result == app.CallNoAnswer {
				status.Color = themeColor(colorP2)
			}
		}
		btns := container.NewHBox()
		for _, res := range app.CallResults {
			res := res
			b := widget.NewButton(T(res.Label()), func() { p.logCall(ref, res) })
			if !canRun {
				b.Disable()
			}
			btns.Add(b)
		}
		objs = append(objs, container.NewVBox(name, container.NewBorder(nil, nil, nil, btns, container.NewCenter(status))), widget.NewSeparator())
	}
	if len(objs) == 0 {
		objs = append(objs, wrapMuted(T("The plan names nobody to call")))
	}
	p.contacts.Objects = objs
	p.contacts.Refresh()
}

func (p *incidentPanel) fillAlarms() {
	var objs []fyne.CanvasObject
	site := p.c.core.Inventory.Site()
	en := english()
	for _, id := range p.cur.AlarmIDs {
		id := id
		a, err := p.c.core.Desk.Get(context.Background(), id)
		if err != nil {
			continue
		}
		text := T(app.AlarmKindLabel(a.Kind))
		if site != nil {
			if d, ok := site.Device(a.DeviceID); ok {
				text += " · " + d.DisplayLocation(en)
			}
		}
		text += " · " + T(stateText(a.State))
		open := widget.NewButtonWithIcon("", theme.NavigateNextIcon(), func() { p.c.ShowAlarm(id) }) // to the alarm desk
		row := container.NewBorder(nil, nil, newBadge(a.Priority.String(), priorityColor(a.Priority)), open, wrapLabel(text))
		objs = append(objs, row)
	}
	if len(objs) == 0 {
		objs = append(objs, wrapMuted(T("No alarm is linked")))
	}
	p.alarms.Objects = objs
	p.alarms.Refresh()
}

func wrapLabel(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Wrapping = fyne.TextWrapWord
	return l
}

func (p *incidentPanel) fillPlace() {
	site := p.c.core.Inventory.Site()
	en := english()
	var rows []kvRow
	if site != nil {
		if g, ok := site.Grid(p.cur.GridID); ok {
			rows = append(rows, kv("Grid", g.Display(en)), kv("Grid worker", g.Worker.Name+"  "+g.Worker.Phone))
		}
		if b, ok := site.Building(p.cur.Building); ok {
			rows = append(rows, kv("Building", b.Display(en)))
		}
		for _, id := range p.cur.DeviceIDs {
			if d, ok := site.Device(id); ok {
				rows = append(rows, kv("Device", d.Display(en)+" · "+d.DisplayLocation(en)))
				if pr := d.Person; pr != nil {
					rows = append(rows, kv("Resident", fmt.Sprintf("%s, %d", pr.Name, pr.Age)))
					if pr.Note != "" {
						rows = append(rows, kv("Notes", pr.Note))
					}
				}
				break
			}
		}
	}
	if len(rows) == 0 {
		p.place.Objects = []fyne.CanvasObject{wrapMuted(T("The place is not known"))}
	} else {
		p.place.Objects = []fyne.CanvasObject{details(rows)}
	}
	p.place.Refresh()
}

// camerasFor returns the cameras nearest the incident: those of its first alarm, or of its place.
func (p *incidentPanel) camerasFor(site *app.Site) []string {
	if site == nil {
		return nil
	}
	if len(p.cur.AlarmIDs) > 0 {
		if a, err := p.c.core.Desk.Get(context.Background(), p.cur.AlarmIDs[0]); err == nil {
			return site.NearestCameras(&a, 2)
		}
	}
	if p.cur.Position != nil {
		return site.NearestCameras(&app.Alarm{Position: p.cur.Position}, 2)
	}
	return nil
}

func (p *incidentPanel) fillCameras() {
	site := p.c.core.Inventory.Site()
	cams := p.camerasFor(site)
	key := fmt.Sprint(p.cur.ID, cams)
	if key == p.camKey {
		return
	}
	p.closePreviews()
	p.camKey = key
	box := container.NewVBox()
	for _, id := range cams {
		if cam, ok := site.Camera(id); ok {
			pv := newLivePreview(p.c.x.Feeds, cam)
			p.previews = append(p.previews, pv)
			box.Add(pv.content)
		}
	}
	if len(cams) == 0 {
		p.cams.Objects = []fyne.CanvasObject{wrapMuted(T("No camera near the place"))}
	} else {
		p.cams.Objects = []fyne.CanvasObject{box}
	}
	p.cams.Refresh()
}

// fillLog lists the incident's journal, newest first: notes, steps, calls, levels.
func (p *incidentPanel) fillLog() {
	hist, err := p.c.core.Incidents.History(context.Background(), p.cur.ID)
	if err != nil {
		p.logBox.Objects = []fyne.CanvasObject{wrapMuted(ErrText(err))}
		p.logBox.Refresh()
		return
	}
	var objs []fyne.CanvasObject
	for i := len(hist) - 1; i >= 0; i-- {
		e := hist[i]
		who := operatorName(e.Operator, p.c.operatorDisplay(e.Operator))
		// When and who on a small line of its own, what happened under it: a long
		// description then wraps under itself, not under the time.
		when := muted(fmt.Sprintf("%s  +%s  %s", e.Time.Local().Format("15:04:05"), clockDuration(e.Time.Sub(p.cur.OpenedAt)), who))
		l := wrapLabel(report.IncidentEntry(tr(), e, &p.cur))
		if e.Kind == app.KindIncidentNoteAdded {
			l.TextStyle.Bold = true
		}
		objs = append(objs, container.New(layout.NewCustomPaddedVBoxLayout(0),
			container.New(layout.NewCustomPaddedLayout(theme.Padding(), 0, theme.InnerPadding(), 0), when), l))
	}
	p.logBox.Objects = objs
	p.logBox.Refresh()
}

// --- actions ---

// act runs an action on the incident shown through the console's write (off the UI
// thread: it waits for the journal's fsync); the panel follows the result through OnEntry.
func (p *incidentPanel) act(action func(context.Context, *app.Operator, int64) error) {
	p.c.write(p.action(action))
}

// action is the write of an action on the incident shown now (a dialog's, run when the
// operator confirms it).
func (p *incidentPanel) action(action func(context.Context, *app.Operator, int64) error) write {
	id := p.cur.ID
	return write{run: func(ctx context.Context, op *app.Operator) error { return action(ctx, op, id) }}
}

func (p *incidentPanel) tick(step string) {
	p.act(func(ctx context.Context, op *app.Operator, id int64) error {
		_, err := p.c.core.Incidents.Tick(ctx, op, id, step, "")
		return err
	})
}

func (p *incidentPanel) skipStep(s app.Step) {
	reason := widget.NewMultiLineEntry()
	reason.SetPlaceHolder(T("Why is this step skipped?"))
	reason.SetMinRowsVisible(3)
	reason.Wrapping = fyne.TextWrapWord
	reason.Validator = func(v string) error {
		if strings.TrimSpace(v) == "" {
			return app.Errorf(app.CodeInvalid, "Skipping a step needs a reason")
		}
		return nil
	}
	newWriteForm(p.c, T("Skip step"), T("Skip"), []*widget.FormItem{
		widget.NewFormItem(T("Step"), wrapLabel(s.DisplayTitle(english()))),
		widget.NewFormItem(T("Reason"), reason),
	}, func() (write, error) {
		text := reason.Text
		return p.action(func(ctx context.Context, op *app.Operator, id int64) error {
			_, err := p.c.core.Incidents.Skip(ctx, op, id, s.ID, text)
			return err
		}), nil
	}).Show(fyne.NewSize(560, 300))
	p.c.win.Canvas().Focus(reason)
}

func (p *incidentPanel) changeLevel(to app.Level) {
	in := p.cur
	if to == in.Level || in.Plan == nil {
		return
	}
	en := english()
	joining, leaving := 0, 0
	for _, s := range in.Plan.Steps {
		was, will := s.AppliesAt(in.Level), s.AppliesAt(to)
		pending := in.ProgressOf(s.ID).Status == app.StepPending
		if !was && will && pending {
			joining++
		}
		if was && !will && pending {
			leaving++
		}
	}
	what := in.Plan.LevelText(to, en)
	info := T("From {{.From}} to {{.To}}: {{.In}} steps join the checklist, {{.Out}} leave it (done steps stay recorded).",
		map[string]any{"From": T(in.Level.Label()), "To": T(to.Label()), "In": joining, "Out": leaving})
	reason := widget.NewEntry()
	reason.SetPlaceHolder(T("Why (optional)"))
	title := T("Raise the level")
	if to > in.Level {
		title = T("Lower the level")
	}
	content := container.NewVBox(wrapLabel(info))
	if what != "" {
		content.Add(wrapLabel(T(to.Label()) + ": " + what))
	}
	content.Add(reason)
	d := newWriteDialog(p.c, title, T("Change level"), content, func() (write, error) {
		why := reason.Text
		return p.action(func(ctx context.Context, op *app.Operator, id int64) error {
			_, err := p.c.core.Incidents.SetLevel(ctx, op, id, to, why)
			return err
		}), nil
	})
	reason.OnSubmitted = func(string) { d.submit() }
	d.Show(fyne.NewSize(560, 260))
}

func (p *incidentPanel) logCall(ref app.ContactRef, res app.CallResult) {
	p.act(func(ctx context.Context, op *app.Operator, id int64) error {
		_, err := p.c.core.Incidents.LogCall(ctx, op, id, app.CallRecord{Contact: ref.Key, Name: ref.Name, Phone: ref.Phone, Result: res})
		return err
	})
}

func (p *incidentPanel) addNote() {
	text := strings.TrimSpace(p.note.Text)
	if text == "" {
		return
	}
	p.note.SetText("")
	p.act(func(ctx context.Context, op *app.Operator, id int64) error {
		_, err := p.c.core.Incidents.AddNote(ctx, op, id, text)
		return err
	})
}

// linkAlarm offers the open alarms not yet linked.
func (p *incidentPanel) linkAlarm() {
	site := p.c.core.Inventory.Site()
	en := english()
	var opts []string
	byLabel := map[string]int64{}
	for _, a := range p.c.core.Desk.Open() {
		if p.cur.HasAlarm(a.ID) || a.Fault {
			continue
		}
		l := fmt.Sprintf("#%d %s %s", a.ID, a.Priority, T(app.AlarmKindLabel(a.Kind)))
		if site != nil {
			if d, ok := site.Device(a.DeviceID); ok {
				l += " · " + d.DisplayLocation(en)
			}
		}
		opts = append(opts, l)
		byLabel[l] = a.ID
	}
	if len(opts) == 0 {
		dialog.ShowInformation(T("Link alarm"), T("There is no other open alarm to link."), p.c.win)
		return
	}
	sel := widget.NewSelect(opts, nil)
	sel.SetSelectedIndex(0)
	newWriteForm(p.c, T("Link alarm"), T("Link"), []*widget.FormItem{widget.NewFormItem(T("Alarm"), sel)}, func() (write, error) {
		aid := byLabel[sel.Selected]
		return p.action(func(ctx context.Context, op *app.Operator, id int64) error {
			_, err := p.c.core.Incidents.LinkAlarm(ctx, op, id, aid)
			return err
		}), nil
	}).Show(fyne.NewSize(520, 0))
}

// closeIncident asks for the summary and what the incident turned out to be, and — when
// some of its alarms are still open — whether to resolve them with that outcome or leave
// them open on the desk. The core does what was chosen.
func (p *incidentPanel) closeIncident() {
	items := p.cur.Checklist(p.c.core.Incidents.Now())
	pending := 0
	for _, it := range items {
		if it.Applicable && it.Progress.Status == app.StepPending {
			pending++
		}
	}
	openAlarms, err := p.c.core.Incidents.OpenAlarms(context.Background(), p.cur.ID)
	if err != nil {
		p.c.showError(err)
		return
	}
	summary := widget.NewMultiLineEntry()
	summary.SetPlaceHolder(T("What happened, what was done, the outcome"))
	summary.SetMinRowsVisible(4)
	summary.Wrapping = fyne.TextWrapWord
	summary.Validator = func(v string) error {
		if strings.TrimSpace(v) == "" {
			return app.Errorf(app.CodeInvalid, "Closing an incident needs a summary")
		}
		return nil
	}
	outcomes := make([]string, len(app.Outcomes))
	for i, o := range app.Outcomes {
		outcomes[i] = T(o.Label())
	}
	outcome := widget.NewSelect(outcomes, nil)
	if p.cur.Drill {
		outcome.SetSelected(T(app.OutcomeTest.Label()))
	} else {
		outcome.SetSelected(T(app.OutcomeGenuine.Label()))
	}
	form := []*widget.FormItem{}
	if pending > 0 {
		form = append(form, widget.NewFormItem("", wrapLabel(T("{{.N}} steps are not done: they will be in the report as not done.", map[string]any{"N": pending}))))
	}
	form = append(form, widget.NewFormItem(T("Outcome"), outcome), widget.NewFormItem(T("Summary"), summary))
	resolveText := T("Resolve them with the incident's outcome")
	leaveText := T("Leave them open on the alarm desk")
	var choice *widget.RadioGroup
	if len(openAlarms) > 0 {
		site := p.c.core.Inventory.Site()
		var lines []string
		for i := range openAlarms {
			a := &openAlarms[i]
			lines = append(lines, fmt.Sprintf("#%d %s %s · %s (%s)", a.ID, a.Priority, alarmTitle(a), alarmPlace(a, site), T(stateText(a.State))))
		}
		choice = widget.NewRadioGroup([]string{resolveText, leaveText}, nil)
		choice.Required = true
		choice.SetSelected(resolveText)
		form = append(form,
			widget.NewFormItem(T("Open alarms"), wrapLabel(strings.Join(lines, "\n"))),
			widget.NewFormItem("", choice))
	}
	newWriteForm(p.c, T("Close incident"), T("Close incident"), form, func() (write, error) {
		req := app.CloseRequest{Summary: summary.Text}
		for i, o := range app.Outcomes {
			if outcomes[i] == outcome.Selected {
				req.Outcome = o
			}
		}
		if choice != nil {
			switch choice.Selected {
			case resolveText:
				req.Alarms = app.AlarmsResolve
			case leaveText:
				req.Alarms = app.AlarmsLeaveOpen
			}
		}
		return p.action(func(ctx context.Context, op *app.Operator, id int64) error {
			_, err := p.c.core.Incidents.Close(ctx, op, id, req)
			return err
		}), nil
	}).Show(fyne.NewSize(680, 460))
	p.c.win.Canvas().Focus(summary)
}

// --- a row of the incident list ---

type incidentRow struct {
	widget.BaseWidget
	bg    *canvas.Rectangle
	level *badge
	drill *badge // DRILL on a drill's incident
	title *widget.Label
	sub   *canvas.Text
	when  *canvas.Text
	group *canvas.Text
	box   fyne.CanvasObject
}

func newIncidentRow() *incidentRow {
	r := &incidentRow{
		bg:    canvas.NewRectangle(themeColor(colorPanel)),
		level: newBadge("IV", themeColor(colorP4)),
		drill: newBadge(T("DRILL"), themeColor(colorDemo)),
		title: widget.NewLabelWithStyle("Incident title", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		sub:   canvas.NewText("", themeColor(colorMuted)),
		when:  canvas.NewText("", themeColor(colorMuted)),
		group: canvas.NewText("", themeColor(colorMuted)),
	}
	r.title.Truncation = fyne.TextTruncateEllipsis
	r.sub.TextSize = theme.CaptionTextSize()
	r.when.TextSize = theme.CaptionTextSize()
	r.when.TextStyle.Monospace = true
	r.group.TextSize = theme.CaptionTextSize()
	r.box = container.NewStack(r.bg, container.NewPadded(container.NewBorder(nil, nil, container.NewCenter(r.level), container.NewCenter(r.drill),
		container.New(layout.NewCustomPaddedVBoxLayout(0), r.title, container.NewHBox(r.when, r.sub)))))
	r.ExtendBaseWidget(r)
	return r
}

func (r *incidentRow) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(r.box) }

func (r *incidentRow) set(p *incidentPanel, in *app.Incident, _ bool) {
	r.level.Set(in.Level.String(), levelColor(in.Level))
	r.drill.Hidden = !in.Drill
	r.title.SetText(fmt.Sprintf("#%d %s", in.ID, in.Title))
	if in.State == app.IncidentClosed {
		r.level.Set(in.Level.String(), themeColor(colorOffline))
		r.when.Text = in.ClosedAt.Local().Format("01-02 15:04")
		r.sub.Text = "· " + T("Closed")
	} else {
		r.when.Text = clockDuration(p.c.core.Incidents.Now().Sub(in.OpenedAt))
		pending, overdue := 0, 0
		for _, it := range in.Checklist(p.c.core.Incidents.Now()) {
			if it.Applicable && it.Progress.Status == app.StepPending {
				pending++
				if it.Urgency == app.UrgencyOverdue {
					overdue++
				}
			}
		}
		r.sub.Text = "· " + T("{{.N}} to do", map[string]any{"N": pending})
		if overdue > 0 {
			r.sub.Text += " · " + T("{{.N}} overdue", map[string]any{"N": overdue})
		}
	}
	if in.State == app.IncidentOpen {
		r.bg.FillColor = withAlpha(levelColor(in.Level), 0x30)
	} else {
		r.bg.FillColor = themeColor(colorPanel)
	}
	r.bg.Refresh()
	r.sub.Refresh()
	r.when.Refresh()
}

// operatorNames caches operators' names for the logs, by user name.
var operatorNames sync.Map

// operatorDisplay returns an operator's name for the log.
func (c *Console) operatorDisplay(username string) string {
	if username == "" || username == app.SystemActor {
		return ""
	}
	if n, ok := operatorNames.Load(username); ok {
		return n.(string)
	}
	op, err := c.core.Accounts.Get(context.Background(), username)
	if err != nil {
		return ""
	}
	operatorNames.Store(username, op.Name)
	return op.Name
}
