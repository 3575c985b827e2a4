package ui

import (
	"image/color"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// replayTimeline is the replay's time bar: the span of the timeline, the target's own
// span (from its start to its end) shaded, a mark for each of its events coloured by what
// happened, and the playhead. A tap or a drag anywhere on it moves the playhead there.
type replayTimeline struct {
	widget.BaseWidget
	from, to   time.Time // the whole timeline
	start, end time.Time // the target itself
	events     []app.ReplayEvent
	at         time.Time
	current    int // the event at or before the playhead (-1: none)

	// onSeek is told the instant under the pointer (on the UI thread).
	onSeek func(time.Time)

	bar, span, head *canvas.Rectangle
	knob            *canvas.Circle
	marks           []*canvas.Rectangle
	fromTxt, toTxt  *canvas.Text
	startTxt        *canvas.Text
}

// The timeline's geometry, in Fyne units.
const (
	tlPad    = 10 // room at both ends for the knob
	tlBarTop = 14 // the bar's top (the marks stand above it)
	tlBarH   = 10
	tlMarkH  = 26 // marks run from the top of the widget through the bar
	tlHeight = 48
)

func newReplayTimeline(onSeek func(time.Time)) *replayTimeline {
	t := &replayTimeline{onSeek: onSeek, current: -1,
		bar:      canvas.NewRectangle(themeColor(theme.ColorNameInputBackground)),
		span:     canvas.NewRectangle(withAlpha(themeColor(theme.ColorNamePrimary), 0x50)),
		head:     canvas.NewRectangle(themeColor(theme.ColorNameForeground)),
		knob:     canvas.NewCircle(themeColor(theme.ColorNameForeground)),
		fromTxt:  muted(""),
		toTxt:    muted(""),
		startTxt: muted(""),
	}
	t.bar.CornerRadius = 3
	t.toTxt.Alignment = fyne.TextAlignTrailing
	t.startTxt.Alignment = fyne.TextAlignCenter
	t.ExtendBaseWidget(t)
	return t
}

// set shows a target's timeline.
func (t *replayTimeline) set(tg app.ReplayTarget, events []app.ReplayEvent) {
	t.from, t.to, t.start, t.end = tg.From, tg.To, tg.Start, tg.End
	t.events = events
	t.at, t.current = tg.From, -1
	t.marks = t.marks[:0]
	for _, ev := range events {
		m := canvas.NewRectangle(eventColor(ev.Kind))
		t.marks = append(t.marks, m)
	}
	t.fromTxt.Text = tg.From.Local().Format("15:04:05")
	t.toTxt.Text = tg.To.Local().Format("15:04:05")
	t.startTxt.Text = tg.Start.Local().Format("15:04:05")
	t.Refresh()
}

// setAt moves the playhead; current is the latest event at or before it.
func (t *replayTimeline) setAt(at time.Time, current int) {
	if at.Equal(t.at) && current == t.current {
		return
	}
	t.at, t.current = at, current
	t.Refresh()
}

// x is where an instant lies across a width w.
func (t *replayTimeline) x(at time.Time, w float32) float32 {
	span := t.to.Sub(t.from)
	if span <= 0 {
		return tlPad
	}
	f := float32(float64(at.Sub(t.from)) / float64(span))
	f = min(max(f, 0), 1)
	return tlPad + f*(w-2*tlPad)
}

// timeAt is the instant under x.
func (t *replayTimeline) timeAt(x float32) time.Time {
	w := t.Size().Width - 2*tlPad
	if w <= 0 {
		return t.from
	}
	f := min(max((x-tlPad)/w, 0), 1)
	return t.from.Add(time.Duration(float64(f) * float64(t.to.Sub(t.from)))).Round(time.Millisecond)
}

func (t *replayTimeline) seek(x float32) {
	if t.onSeek != nil && !t.from.IsZero() {
		t.onSeek(t.timeAt(x))
	}
}

// Tapped moves the playhead where the timeline was tapped.
func (t *replayTimeline) Tapped(ev *fyne.PointEvent) { t.seek(ev.Position.X) }

// Dragged moves the playhead with the pointer (the panel drops frames it cannot follow).
func (t *replayTimeline) Dragged(ev *fyne.DragEvent) { t.seek(ev.Position.X) }

// DragEnd: the last Dragged already moved the playhead.
func (t *replayTimeline) DragEnd() {}

// Cursor shows that the timeline can be grabbed.
func (t *replayTimeline) Cursor() desktop.Cursor { return desktop.PointerCursor }

func (t *replayTimeline) CreateRenderer() fyne.WidgetRenderer { return &replayTimelineRenderer{t: t} }

type replayTimelineRenderer struct{ t *replayTimeline }

func (r *replayTimelineRenderer) MinSize() fyne.Size { return fyne.NewSize(300, tlHeight) }

func (r *replayTimelineRenderer) Layout(s fyne.Size) {
	t := r.t
	w := s.Width
	t.bar.Move(fyne.NewPos(tlPad, tlBarTop))
	t.bar.Resize(fyne.NewSize(max(w-2*tlPad, 0), tlBarH))
	x0, x1 := t.x(t.start, w), t.x(t.end, w)
	t.span.Move(fyne.NewPos(x0, tlBarTop))
	t.span.Resize(fyne.NewSize(max(x1-x0, 2), tlBarH))
	for i, m := range t.marks {
		if i >= len(t.events) {
			break
		}
		mw := float32(3)
		if i == t.current {
			mw = 5 // the event just passed stands out
		}
		x := t.x(t.events[i].At, w)
		m.Move(fyne.NewPos(x-mw/2, tlBarTop-8))
		m.Resize(fyne.NewSize(mw, tlMarkH))
	}
	hx := t.x(t.at, w)
	t.head.Move(fyne.NewPos(hx-1, 2))
	t.head.Resize(fyne.NewSize(2, tlBarTop+tlBarH+4))
	t.knob.Move(fyne.NewPos(hx-6, tlBarTop+tlBarH/2-6))
	t.knob.Resize(fyne.NewSize(12, 12))
	ty := float32(tlBarTop + tlBarH + 4)
	t.fromTxt.Move(fyne.NewPos(tlPad, ty))
	t.fromTxt.Resize(fyne.NewSize(80, 14))
	t.toTxt.Move(fyne.NewPos(w-tlPad-80, ty))
	t.toTxt.Resize(fyne.NewSize(80, 14))
	// The target's start is labelled unless it would run into the ends' labels.
	t.startTxt.Hidden = x0 < tlPad+110 || x0 > w-tlPad-110
	t.startTxt.Move(fyne.NewPos(x0-40, ty))
	t.startTxt.Resize(fyne.NewSize(80, 14))
}

func (r *replayTimelineRenderer) Refresh() {
	t := r.t
	t.bar.FillColor = themeColor(theme.ColorNameInputBackground)
	for i, m := range t.marks {
		if i < len(t.events) {
			m.FillColor = eventColor(t.events[i].Kind)
		}
	}
	r.Layout(t.Size())
	for _, o := range r.Objects() {
		o.Refresh()
	}
}

func (r *replayTimelineRenderer) Objects() []fyne.CanvasObject {
	t := r.t
	objs := []fyne.CanvasObject{t.bar, t.span}
	for _, m := range t.marks {
		objs = append(objs, m)
	}
	return append(objs, t.head, t.knob, t.fromTxt, t.startTxt, t.toTxt)
}

func (r *replayTimelineRenderer) Destroy() {}

// eventColor is the colour of an event's mark: red for an alarm raised, yellow when
// someone took it, blue for the incident opened, green for a step done, grey for a step
// skipped, the drill colour for what the scenario did, light for notes and calls.
func eventColor(k app.EntryKind) color.Color {
	switch k {
	case app.KindAlarmRaised, app.KindAlarmRepeated:
		return themeColor(colorP1)
	case app.KindAlarmAcknowledged, app.KindAlarmDispatched:
		return themeColor(colorP3)
	case app.KindAlarmResolved, app.KindIncidentStepDone:
		return themeColor(colorOK)
	case app.KindIncidentOpened, app.KindIncidentClosed, app.KindIncidentLevelChanged:
		return themeColor(colorP4)
	case app.KindIncidentStepSkipped:
		return themeColor(colorOffline)
	}
	if strings.HasPrefix(string(k), "drill.") {
		return themeColor(colorDemo)
	}
	return themeColor(colorMuted)
}

// replayLegend explains the marks' colours.
func replayLegend() fyne.CanvasObject {
	items := []struct {
		kind app.EntryKind
		text string
	}{
		{app.KindAlarmRaised, T("Alarm raised")},
		{app.KindAlarmAcknowledged, T("Acknowledged or dispatched")},
		{app.KindIncidentOpened, T("Incident opened or level changed")},
		{app.KindIncidentStepDone, T("Step done, alarm resolved")},
		{app.KindIncidentStepSkipped, T("Step skipped")},
		{app.KindDrillInjected, T("Drill scenario")},
		{app.KindIncidentNoteAdded, T("Notes and calls")},
	}
	box := container.NewHBox()
	for _, it := range items {
		sw := canvas.NewRectangle(eventColor(it.kind))
		sw.CornerRadius = 2
		box.Add(container.NewCenter(container.NewGridWrap(fyne.NewSize(10, 10), sw)))
		box.Add(muted(it.text))
	}
	return box
}
