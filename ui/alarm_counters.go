package ui

import (
	"fmt"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// counterBlink is the phase of a blinking counter (on, off).
const counterBlink = 500 * time.Millisecond

// alarmCounters are the open-alarm badges of the header and the sign-in screen: real
// alarms by priority, and drill alarms apart in purple, so that a drill neither looks like
// nor hides a real emergency. A P1 or P2 badge blinks while an alarm of its priority waits
// for acknowledgement (drill alarms never blink them); tapping a badge opens the alarm desk
// filtered to that priority (header only).
type alarmCounters struct {
	c       *Console
	content *fyne.Container
	badges  map[app.Priority]*tapBadge
	drill   *tapBadge
	tally   app.AlarmTally
	phase   bool // the blink's off phase
}

// newAlarmCounters builds the counters; onTap (nil on the sign-in screen) opens the desk
// filtered to a priority (0: every priority, from the drill count).
func newAlarmCounters(c *Console, onTap func(app.Priority)) *alarmCounters {
	a := &alarmCounters{c: c, badges: map[app.Priority]*tapBadge{}}
	a.content = container.NewHBox()
	for _, p := range app.Priorities {
		b := newTapBadge(nil)
		if onTap != nil {
			b.onTap = func() { onTap(p) }
		}
		a.badges[p] = b
		a.content.Add(b)
	}
	a.drill = newTapBadge(nil)
	if onTap != nil {
		a.drill.onTap = func() { onTap(0) }
	}
	a.content.Add(a.drill)
	a.refresh()
	return a
}

// blinking reports whether a priority's badge blinks: a real alarm of it waits.
func (a *alarmCounters) blinking(p app.Priority) bool {
	return p <= app.P2 && a.tally.New[p] > 0
}

// refresh recounts the open alarms; a zero stays grey so that a coloured counter always
// means something to handle.
func (a *alarmCounters) refresh() {
	a.tally = a.c.core.Desk.Tally()
	a.paint()
}

// blink turns the phase of the blinking badges (every counterBlink).
func (a *alarmCounters) blink() {
	a.phase = !a.phase
	for _, p := range app.Priorities {
		if a.blinking(p) {
			a.paint()
			return
		}
	}
}

func (a *alarmCounters) paint() {
	for _, p := range app.Priorities {
		n := a.tally.Open[p]
		var bg color.Color = themeColor(colorOffline)
		if n > 0 {
			bg = priorityColor(p)
		}
		if a.blinking(p) && a.phase {
			bg = withAlpha(priorityColor(p), 0x50)
		}
		a.badges[p].set(fmt.Sprintf("%s  %d", p, n), bg)
	}
	if a.tally.Drill > 0 {
		a.drill.set(T("Drill {{.N}}", map[string]any{"N": a.tally.Drill}), themeColor(colorDemo))
		a.drill.Show()
	} else {
		a.drill.Hide()
	}
}

// tapBadge is a badge that can be tapped (a plain badge lets taps through to the list row
// it sits in).
type tapBadge struct {
	widget.BaseWidget
	b     *badge
	onTap func()
}

func newTapBadge(onTap func()) *tapBadge {
	t := &tapBadge{b: newBadge("", themeColor(colorOffline)), onTap: onTap}
	t.ExtendBaseWidget(t)
	return t
}

func (t *tapBadge) set(text string, bg color.Color) {
	if t.b.text.Text == text && t.b.bg.FillColor == bg {
		return
	}
	t.b.Set(text, bg)
}

func (t *tapBadge) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(t.b) }

// Tapped runs the badge's action.
func (t *tapBadge) Tapped(*fyne.PointEvent) {
	if t.onTap != nil {
		t.onTap()
	}
}

// Cursor shows a hand where the badge does something.
func (t *tapBadge) Cursor() desktop.Cursor {
	if t.onTap != nil {
		return desktop.PointerCursor
	}
	return desktop.DefaultCursor
}
