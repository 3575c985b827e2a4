package ui

import (
	"context"
	"fmt"
	"image/color"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// The selected work order beside the board: all its fields, what the operator may do with it
// (order_actions.go), why the core refused the last action, the photos, the place on a small
// map, the alarms it came from, its escalations, the reporter's rating and its timeline —
// each step with its time, who, what, to whom, the note and the photos.

type orderDetail struct {
	c       *Console
	content *fyne.Container
	order   app.WorkOrder // the version the operator is looking at
	has     bool
	// notice is why the core refused the last action (an order changed meanwhile), shown
	// above the order as it now stands until the operator acts again or looks at another.
	notice string
	times  liveTexts
	m      *siteMap // the place (nil without a site)
	pass   *scrollPass
}

func newOrderDetail(c *Console) *orderDetail {
	d := &orderDetail{c: c, content: container.NewStack(), pass: newScrollPass()}
	if site := c.core.Inventory.Site(); site != nil {
		d.m = newSiteMap(site)
		d.m.animate = false
	}
	d.clear()
	return d
}

// clear shows the hint of an empty detail.
func (d *orderDetail) clear() {
	d.has, d.notice, d.times = false, "", nil
	d.content.Objects = []fyne.CanvasObject{container.NewCenter(widget.NewLabel(T("Select an order to see its details")))}
	d.content.Refresh()
}

// show shows an order; the same version already shown is left as it is (the operator may be
// reading it, scrolled down).
func (d *orderDetail) show(o app.WorkOrder) {
	if d.has && o.ID == d.order.ID && o.Version == d.order.Version {
		return
	}
	if o.ID != d.order.ID {
		d.notice = ""
	}
	d.order, d.has = o, true
	d.render()
}

// reload reads the order again and shows it, with why the last action was refused.
func (d *orderDetail) reload(id int64, notice string) {
	o, err := d.c.core.Orders.Get(context.Background(), id)
	if err != nil {
		d.has, d.times = false, nil
		l := widget.NewLabel(ErrText(err))
		l.Wrapping = fyne.TextWrapWord
		d.content.Objects = []fyne.CanvasObject{l}
		d.content.Refresh()
		return
	}
	d.order, d.has, d.notice = o, true, notice
	d.render()
}

// tick keeps the ages and the lateness current.
func (d *orderDetail) tick() { d.times.tick() }

func (d *orderDetail) render() {
	o := d.order
	c := d.c
	site := c.core.Inventory.Site()
	now := c.core.Clock.Now()

	title := container.NewHBox(newBadge(o.Priority.String(), priorityColor(o.Priority)), heading(o.Number()),
		heading(c.orderCategoryName(o.Category)), container.NewCenter(newBadge(T(orderStateText(o.State)), orderStateColor(o.State))))
	if o.Overdue(now) {
		title.Add(container.NewCenter(newBadge(T("OVERDUE"), themeColor(colorP1))))
	}
	body := container.NewVBox(title, widget.NewSeparator())
	if acts := d.actions(); len(acts) > 0 {
		body.Add(container.NewHBox(acts...))
	}
	if d.notice != "" {
		n := widget.NewLabel(d.notice)
		n.Wrapping = fyne.TextWrapWord
		n.Importance = widget.DangerImportance
		n.TextStyle.Bold = true
		body.Add(n)
	}

	d.times = nil
	rows := []kvRow{
		kv("Category", c.orderCategoryName(o.Category)),
		kv("Priority", o.Priority.String()+" · "+T(priorityMeaning(o.Priority))),
		kv("State", T(orderStateText(o.State))),
		d.times.add("Reported", func() string {
			return formatStamp(o.CreatedAt) + " (" + c.ago(o.CreatedAt) + ") · " + c.orderWho(o.Steps[0].By) + " · " + T(o.Reporter.Via.Label())
		}),
	}
	if o.Reporter.Name != "" || o.Reporter.Phone != "" {
		// A member of the public's name and number are personal: shown masked, as in lists.
		rows = append(rows, kv("Reporter", strings.TrimSpace(app.MaskName(o.Reporter.Name)+"  "+app.MaskPhone(o.Reporter.Phone))))
	}
	if o.Receipt != "" {
		rows = append(rows, kv("Receipt", o.Receipt))
	}
	if pl := orderPlaceText(&o, site); pl != "" {
		rows = append(rows, kv("Place", pl))
	}
	if o.Place.GridID != "" {
		grid := orderGridName(o.Place.GridID, site)
		if site != nil {
			if g, ok := site.Grid(o.Place.GridID); ok && g.Worker.Name != "" {
				grid += " · " + T("grid worker {{.Name}}", map[string]any{"Name": g.Worker.Name})
			}
		}
		rows = append(rows, kv("Grid", grid))
	}
	rows = append(rows, kv("Assigned to", c.orderAssignee(&o)))
	if o.Rule != "" {
		rows = append(rows, kv("Dispatch rule", o.Rule))
	}
	if !o.AcceptDue.IsZero() {
		rows = append(rows, kv("Accept by", dueText(o.AcceptDue, o.AcceptedAt, "accepted at {{.Time}}", "accepted late, at {{.Time}}")))
	}
	if !o.DoneDue.IsZero() {
		rows = append(rows, kv("Done by", dueText(o.DoneDue, o.DoneAt, "done at {{.Time}}", "done late, at {{.Time}}")))
	}
	if o.Overdue(now) {
		late := d.times.add("Overdue", func() string { return orderLate(&o, c.core.Clock.Now()) })
		late.Value.(*widget.Label).Importance = widget.DangerImportance
		rows = append(rows, late)
	}
	if !o.ClosedAt.IsZero() {
		rows = append(rows, kv("Closed", formatStamp(o.ClosedAt)))
	}
	rows = append(rows, kv("The problem", orderText(&o)))
	if o.ProofNote != "" {
		rows = append(rows, kv("Result", o.ProofNote))
	}
	if o.Reopened > 0 {
		rows = append(rows, kv("Reopened", T("{{.N}} times", map[string]any{"N": o.Reopened})))
	}
	if o.MergedInto != 0 {
		rows = append(rows, kv("Merged into", fmt.Sprintf("#%d", o.MergedInto)))
	}
	body.Add(details(rows))

	if len(o.Photos) > 0 {
		body.Add(heading(T("Photos")))
		body.Add(photoStrip(c, o.Photos))
	}
	if len(o.ProofPhotos) > 0 {
		body.Add(heading(T("Photos of the result")))
		body.Add(photoStrip(c, o.ProofPhotos))
	}
	if m := d.placeMap(&o); m != nil {
		body.Add(heading(T("On the map")))
		body.Add(m)
	}
	if len(o.Alarms) > 0 {
		body.Add(heading(T("Linked alarms")))
		for _, id := range o.Alarms {
			body.Add(d.alarmLine(id))
		}
	}
	if len(o.Escalations) > 0 {
		body.Add(heading(T("Escalations")))
		for _, e := range o.Escalations {
			body.Add(wrapLabel(d.escalationText(e)))
		}
	}
	if r := o.Rating; r != nil {
		body.Add(heading(T("Rating")))
		text := strings.Repeat("★", r.Stars) + strings.Repeat("☆", 5-r.Stars) + "  " + formatStamp(r.At)
		if r.Comment != "" {
			text += " — " + r.Comment
		}
		body.Add(wrapLabel(text))
	}
	body.Add(heading(T("Timeline")))
	for _, st := range o.Steps {
		body.Add(d.stepView(&o, st))
	}
	scroll := container.NewVScroll(body)
	d.pass.to = scroll
	d.content.Objects = []fyne.CanvasObject{scroll}
	d.content.Refresh()
}

// dueText is a time limit, and when it was met (accepted or done: met says which).
func dueText(due, at time.Time, met, metLate string) string {
	s := formatStamp(due)
	switch {
	case at.IsZero():
	case at.After(due):
		s += " · " + T(metLate, map[string]any{"Time": formatStamp(at)})
	default:
		s += " · " + T(met, map[string]any{"Time": formatStamp(at)})
	}
	return s
}

// stepView is one step of the timeline: when, who, what (to whom), the note, the photos.
func (d *orderDetail) stepView(o *app.WorkOrder, st app.OrderStep) fyne.CanvasObject {
	line := formatStamp(st.At) + "  " + d.c.orderWho(st.By) + "  " + T(app.OrderStepLabel(st.Kind))
	if to := d.c.orderTarget(st.To); to != "" {
		line += " → " + to
	}
	head := widget.NewLabel(line)
	head.TextStyle.Bold = true
	head.Wrapping = fyne.TextWrapWord
	box := container.NewVBox(head)
	if n := strings.TrimSpace(orderStepNote(o, st)); n != "" {
		box.Add(wrapLabel(n))
	}
	if len(st.Photos) > 0 {
		box.Add(photoStrip(d.c, st.Photos))
	}
	return box
}

// alarmLine is a linked alarm, with a way to it on the alarm desk.
func (d *orderDetail) alarmLine(id int64) fyne.CanvasObject {
	a, err := d.c.core.Desk.Get(context.Background(), id)
	if err != nil {
		return wrapLabel(T("Alarm {{.ID}}", map[string]any{"ID": id}) + " — " + ErrText(err))
	}
	text := T(app.AlarmKindLabel(a.Kind)) + " · " + formatStamp(a.RaisedAt) + " · " + T(stateText(a.State))
	open := widget.NewButtonWithIcon(T("Show on the alarm desk"), theme.WarningIcon(), func() { d.c.ShowAlarm(id) })
	open.Importance = widget.LowImportance
	return container.NewBorder(nil, nil, container.NewCenter(newBadge(a.Priority.String(), priorityColor(a.Priority))), open, wrapLabel(text))
}

// escalationText says one escalation: which limit was missed, to whom it went, when.
func (d *orderDetail) escalationText(e app.Escalation) string {
	what := T("not accepted in time")
	if e.Stage == app.StageDone {
		what = T("not done in time")
	}
	s := formatStamp(e.At) + "  " + what
	if e.To != "" {
		s += " → " + d.c.orderTarget(e.To)
	}
	return s + "  " + T("(level {{.N}})", map[string]any{"N": e.Level})
}

// placeMap shows the order's place on a small map of the site (nil when it has none).
func (d *orderDetail) placeMap(o *app.WorkOrder) fyne.CanvasObject {
	site := d.c.core.Inventory.Site()
	pt, ok := orderPoint(o, site)
	if d.m == nil || !ok {
		return nil
	}
	d.m.setOrderPins([]orderPin{{id: o.ID, at: pt, overdue: o.Overdue(d.c.core.Clock.Now()), prio: o.Priority}})
	key := ""
	if o.Place.Building != "" {
		key = "building:" + o.Place.Building
	}
	d.m.r.Select(key)
	d.m.redrawAll()
	return container.NewGridWrap(fyne.NewSize(420, 240), container.NewStack(d.m, d.pass))
}

// scrollPass lies over the detail's small map: the wheel scrolls the detail, as everywhere
// else in it, instead of zooming the map out of sight under the pointer.
type scrollPass struct {
	widget.BaseWidget
	to *container.Scroll
}

func newScrollPass() *scrollPass {
	s := &scrollPass{}
	s.ExtendBaseWidget(s)
	return s
}

func (s *scrollPass) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(canvas.NewRectangle(color.Transparent))
}

// Scrolled scrolls the detail.
func (s *scrollPass) Scrolled(ev *fyne.ScrollEvent) {
	if s.to != nil {
		s.to.Scrolled(ev)
	}
}
