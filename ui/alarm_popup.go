package ui

import (
	"context"
	"fmt"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// The alarm pop-up (报警联动): over whatever panel is shown, the first P1/P2 alarm nobody
// has acknowledged yet, with its place, its people and its cameras live (the nearest ones
// when no camera sees the place), to acknowledge at once or to open on the alarm desk.
// A burst of alarms gives one pop-up with a queue ("2 of 6", previous, next), never a pile.
//
// It is a layer stacked over the shell's content, not a dialog in the canvas's overlays: an
// overlay takes the keyboard focus (each overlay has its own), and the operator may be
// typing in a dialog when an alarm arrives. Dialogs stay above it. It never focuses
// anything, and the panel under it keeps its keys.
//
// It steps aside on the alarm desk, which shows the same alarms in full; "Close" puts the
// alarms it holds aside until a new one arrives (the counters keep blinking, the chime and
// the no-sound banner go on until they are acknowledged).

// ackGuard is how long the Acknowledge button stays off after the pop-up turned to another
// alarm: a double click must not acknowledge the next alarm unseen.
const ackGuard = 700 * time.Millisecond

type alarmPopup struct {
	c     *Console
	s     *shell
	layer *fyne.Container // stacked over the shell's content; holds the card when shown

	queue    []app.Alarm // what it holds, in order (urgentWaiting)
	cur      int64       // the alarm shown; 0: hidden
	at       int         // its place in the queue
	previews []*livePreview

	card     *popupCard
	body     *fyne.Container // the shown alarm's part of the card
	position *canvas.Text    // "2 of 6"
	nav      fyne.CanvasObject
	when     *canvas.Text // raised when, how long ago (kept current)
	shown    app.Alarm
	prev     *widget.Button
	next     *widget.Button
	ack      *widget.Button
	mute     *widget.Button
	acking   int64 // the alarm whose acknowledgement is on its way
}

func newAlarmPopup(s *shell) *alarmPopup {
	c := s.c
	p := &alarmPopup{c: c, s: s, layer: container.New(&popupLayout{})}
	p.position = canvas.NewText("", themeColor(theme.ColorNameForeground))
	p.position.TextStyle.Bold = true
	p.prev = widget.NewButtonWithIcon("", theme.NavigateBackIcon(), func() { p.step(-1) })
	p.next = widget.NewButtonWithIcon("", theme.NavigateNextIcon(), func() { p.step(1) })
	p.ack = widget.NewButtonWithIcon(T("Acknowledge"), theme.ConfirmIcon(), p.acknowledge)
	p.ack.Importance = widget.HighImportance
	if op := c.Operator(); op == nil || !op.Role.Can(app.ActAckAlarm) {
		p.ack.Hide() // the core refuses anyway
	}
	desk := widget.NewButtonWithIcon(T("Open on the alarm desk"), theme.WarningIcon(), p.openOnDesk)
	p.mute = widget.NewButtonWithIcon(T("Mute 2 min"), theme.VolumeMuteIcon(), func() {
		c.sound.Mute(2 * time.Minute)
		p.mute.Disable()
	})
	if ok, _ := c.sound.Available(); !ok {
		p.mute.Hide()
	}
	closeBtn := widget.NewButtonWithIcon(T("Close"), theme.CancelIcon(), p.putAside)

	p.body = container.NewVBox()
	p.position.Color = contrastText(themeColor(colorP1))
	p.nav = container.NewHBox(p.prev, container.NewCenter(p.position), p.next)
	buttons := container.NewHBox(p.ack, desk, p.mute, layout.NewSpacer(), closeBtn)
	p.card = newPopupCard(container.NewBorder(nil, container.NewVBox(widget.NewSeparator(), buttons), nil, nil, p.body))
	p.refresh()
	return p
}

// holding reports whether the pop-up is on screen.
func (p *alarmPopup) holding() bool { return p.cur != 0 }

// refresh follows the open alarms: a new one (not put aside) shows the pop-up; the alarm
// shown stays until it is acknowledged (a new alarm never changes it under the operator's
// pointer), then the next in the queue takes its place.
func (p *alarmPopup) refresh() {
	all := urgentWaiting(p.c.core.Desk.Open())
	p.queue = p.queue[:0]
	fresh := false
	for _, a := range all {
		p.queue = append(p.queue, a)
		fresh = fresh || !p.c.dismissed[a.ID]
	}
	if p.onDesk() {
		p.putAside() // seen there: the pop-up comes back for the next new alarm
		return
	}
	if len(p.queue) == 0 || (!p.holding() && !fresh) {
		p.hide()
		return
	}
	at := -1
	for i, a := range p.queue {
		if a.ID == p.cur {
			at = i
		}
	}
	if at < 0 {
		// The alarm shown was acknowledged (or it is the first): the one after it comes.
		at = min(p.at, len(p.queue)-1)
		if !p.holding() {
			at = 0
		}
		p.show(at)
		return
	}
	p.at = at // the same alarm: only its place in the queue changes
	p.updateNav()
	p.updateWhen()
}

// onDesk: the alarm desk shows the same alarms in full, so the pop-up steps aside.
func (p *alarmPopup) onDesk() bool { return p.s.current == "alarms" }

// show puts the queue's alarm at i in the card.
func (p *alarmPopup) show(i int) {
	a := p.queue[i]
	p.at = i
	changed := a.ID != p.cur
	if changed {
		p.fill(a)
		p.ack.Disable()
		id := a.ID
		time.AfterFunc(ackGuard, func() {
			p.c.onUI(func() {
				if p.cur == id && p.acking != id {
					p.ack.Enable()
				}
			})
		})
	}
	p.updateNav()
	if len(p.layer.Objects) == 0 {
		p.layer.Objects = []fyne.CanvasObject{p.card}
		p.layer.Refresh()
	}
	p.cur = a.ID
}

func (p *alarmPopup) updateNav() {
	p.position.Text = T("{{.I}} of {{.N}}", map[string]any{"I": p.at + 1, "N": len(p.queue)})
	p.position.Refresh()
	for _, o := range []fyne.CanvasObject{p.prev, p.next, p.position} {
		if len(p.queue) > 1 {
			o.Show()
		} else {
			o.Hide()
		}
	}
	if p.c.sound.Muted() == 0 {
		p.mute.Enable()
	}
}

// hide takes the card off the screen and stops its cameras.
func (p *alarmPopup) hide() {
	p.cur = 0
	p.closePreviews()
	if len(p.layer.Objects) > 0 {
		p.layer.Objects = nil
		p.layer.Refresh()
	}
}

func (p *alarmPopup) closePreviews() {
	for _, pv := range p.previews {
		pv.Close()
	}
	p.previews = nil
}

// step shows the previous or next alarm of the queue.
func (p *alarmPopup) step(d int) {
	if len(p.queue) < 2 {
		return
	}
	p.show((p.at + d + len(p.queue)) % len(p.queue))
}

// putAside closes the pop-up until an alarm it does not hold yet arrives.
func (p *alarmPopup) putAside() {
	for _, a := range p.queue {
		p.c.dismissed[a.ID] = true
	}
	p.hide()
}

// bringBack shows the alarms put aside again (the no-sound banner's "Show"); on the alarm
// desk it selects the first of them there.
func (p *alarmPopup) bringBack() {
	waiting := urgentWaiting(p.c.core.Desk.Open())
	if len(waiting) == 0 {
		return
	}
	if p.onDesk() {
		p.c.ShowAlarm(waiting[0].ID)
		return
	}
	for _, a := range waiting {
		delete(p.c.dismissed, a.ID)
	}
	p.refresh()
}

// openOnDesk shows the alarm on the alarm desk (the pop-up steps aside there).
func (p *alarmPopup) openOnDesk() {
	id := p.cur
	p.putAside()
	p.c.ShowAlarm(id)
}

// acknowledge acknowledges the alarm shown (checked and journaled by the core, off the UI
// thread: it waits for the journal). The pop-up follows the result through the bus.
func (p *alarmPopup) acknowledge() {
	id := p.cur
	if id == 0 || p.acking == id {
		return
	}
	p.acking = id
	p.ack.Disable()
	p.c.write(write{
		run: func(ctx context.Context, op *app.Operator) error {
			_, err := p.c.core.Desk.Acknowledge(ctx, op, id, "")
			return err
		},
		done: func() { p.acking = 0; p.refresh() },
		failed: func(error) {
			p.acking = 0
			if p.cur == id {
				p.ack.Enable()
			}
		},
	})
}

// close stops the cameras (the shell goes away).
func (p *alarmPopup) close() { p.closePreviews() }

// fill builds the card's part for one alarm: what, where, since when, whom to call, and
// the cameras live.
func (p *alarmPopup) fill(a app.Alarm) {
	site := p.c.core.Inventory.Site()
	en := english()
	band := priorityColor(a.Priority)
	if a.Drill {
		band = themeColor(colorDemo)
	}
	title := canvas.NewText(alarmTitle(&a), contrastText(band))
	title.TextStyle.Bold = true
	title.TextSize = theme.TextSize() * 1.4
	head := container.NewHBox(newBadge(a.Priority.String(), themeColor(colorHeader)), title)
	if a.Drill {
		head.Add(container.NewCenter(newBadge(T("DRILL"), themeColor(colorHeader))))
	}
	if a.Test { // test alarms do not pop up; one shown from a queue built before says so
		head.Add(container.NewCenter(newBadge(T("TEST"), themeColor(colorHeader))))
	}
	p.card.frame(band)
	bandBG := canvas.NewRectangle(band)
	bandBG.CornerRadius = 4
	p.position.Color = contrastText(band)
	top := container.NewStack(bandBG, container.NewPadded(container.NewBorder(nil, nil, head, p.nav)))

	place := canvas.NewText(alarmPlace(&a, site), themeColor(theme.ColorNameForeground))
	place.TextStyle.Bold = true
	place.TextSize = theme.TextSize() * 1.2
	p.shown = a
	p.when = muted("")
	p.updateWhen()

	var rows []kvRow
	if cause := alarmCause(&a, site); cause != "" && cause != alarmPlace(&a, site) {
		rows = append(rows, kv("Cause", cause))
	}
	var cams []string
	seeing := 0
	if site != nil {
		if d, ok := site.Device(a.DeviceID); ok {
			rows = append(rows, p.c.residentRows(&a, d)...)
		}
		if g, ok := site.Grid(a.GridID); ok {
			rows = append(rows, kv("Grid worker", g.Worker.Name+"  "+g.Worker.Phone+" · "+g.Display(en)))
		}
		cams = site.NearestCameras(&a, 2)
		seeing = len(site.CamerasSeeing(&a))
	}

	objs := []fyne.CanvasObject{top, place, p.when}
	if len(rows) > 0 {
		objs = append(objs, details(rows))
	}
	switch {
	case len(cams) == 0:
		objs = append(objs, muted(T("No camera near this place")))
	case seeing == 0:
		objs = append(objs, muted(T("No camera sees this place: the nearest cameras")))
	default:
		objs = append(objs, muted(T("Cameras that see it")))
	}
	// The cameras live; those the previous alarm showed too go on playing (a burst in one
	// building shows the same cameras alarm after alarm).
	old := map[string]*livePreview{}
	for _, pv := range p.previews {
		old[pv.camID] = pv
	}
	p.previews = nil
	box := container.NewHBox()
	for _, id := range cams {
		cam, ok := site.Camera(id)
		if !ok {
			continue
		}
		pv := old[id]
		delete(old, id)
		if pv == nil {
			pv = newLivePreview(p.c.x.Feeds, cam)
		}
		p.previews = append(p.previews, pv)
		box.Add(pv.content)
	}
	for _, pv := range old {
		pv.Close()
	}
	if len(p.previews) > 0 {
		objs = append(objs, box)
	}
	p.body.Objects = objs
	p.body.Refresh()
}

// updateWhen says when the alarm shown was raised and how long ago (every second).
func (p *alarmPopup) updateWhen() {
	if p.when == nil {
		return
	}
	a := p.c.core.Desk
	if cur, err := a.Get(context.Background(), p.shown.ID); err == nil {
		p.shown = cur // its repeats
	}
	s := T("Raised {{.Time}} ({{.Ago}})", map[string]any{"Time": p.shown.RaisedAt.Local().Format("15:04:05"), "Ago": p.c.ago(p.shown.RaisedAt)})
	if p.shown.Repeats > 0 {
		s += " · " + T("{{.N}} more, the last {{.Ago}}", map[string]any{"N": p.shown.Repeats, "Ago": p.c.ago(p.shown.LastAt)})
	}
	if s != p.when.Text {
		p.when.Text = s
		p.when.Refresh()
	}
}

// residentRows are the person a device belongs to (an elderly resident's bracelet) and
// whom to call: the alarm desk and the pop-up show the same, in full to the operator handling
// the open alarm (the alarm is the reason, journaled: people_view.go), masked otherwise.
func (c *Console) residentRows(a *app.Alarm, d *app.Device) []kvRow {
	pr := c.alarmResident(a, d)
	if pr == nil {
		return nil
	}
	if pr.Erased {
		return []kvRow{kv("Resident", T("erased"))}
	}
	rows := []kvRow{kv("Resident", fmt.Sprintf("%s, %d", pr.Name, pr.Age))}
	if pr.Phone != "" {
		rows = append(rows, kv("Phone", pr.Phone))
	}
	if pr.Contact != "" {
		rows = append(rows, kv("Family contact", pr.Contact+"  "+pr.ContactPhone))
	}
	if pr.Note != "" {
		rows = append(rows, kv("Notes", pr.Note))
	}
	return rows
}

// popupCard is the pop-up's frame. It takes the taps and scrolls that land on it (not on
// its buttons), so that they do not reach the tile or the map under it.
type popupCard struct {
	widget.BaseWidget
	bg      *canvas.Rectangle
	content fyne.CanvasObject
}

// frame colours the card's border (the alarm's priority, purple for a drill).
func (c *popupCard) frame(col color.Color) {
	c.bg.StrokeColor = col
	c.bg.Refresh()
}

func newPopupCard(inner fyne.CanvasObject) *popupCard {
	bg := canvas.NewRectangle(themeColor(colorPanel))
	bg.CornerRadius = 8
	bg.StrokeColor = themeColor(colorP1)
	bg.StrokeWidth = 2
	c := &popupCard{bg: bg, content: container.NewStack(bg, container.NewPadded(container.NewPadded(inner)))}
	c.ExtendBaseWidget(c)
	return c
}

func (c *popupCard) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(c.content) }
func (c *popupCard) Tapped(*fyne.PointEvent)             {}
func (c *popupCard) DoubleTapped(*fyne.PointEvent)       {}
func (c *popupCard) TappedSecondary(*fyne.PointEvent)    {}
func (c *popupCard) Scrolled(*fyne.ScrollEvent)          {}

// popupLayout puts the card in the middle of the window at its own size (within it).
type popupLayout struct{}

func (popupLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(0, 0) }

func (popupLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		s := o.MinSize()
		s = fyne.NewSize(min(max(s.Width, 640), size.Width), min(s.Height, size.Height))
		o.Resize(s)
		o.Move(fyne.NewPos((size.Width-s.Width)/2, (size.Height-s.Height)/2))
	}
}
