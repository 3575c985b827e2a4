package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// soundBanner stands in for the chime where it cannot be heard: without a sound card, or
// while the chime is muted, a red band under the header on every panel names the P1/P2
// alarms that wait for acknowledgement, until they are acknowledged.
type soundBanner struct {
	c       *Console
	content *fyne.Container
	text    *canvas.Text
	line    *oneLine
	lineBox *fyne.Container
	show    *widget.Button
}

// bannerNames is how many alarms the banner names before "and n more".
const bannerNames = 3

func newSoundBanner(c *Console) *soundBanner {
	b := &soundBanner{c: c}
	fg := contrastText(themeColor(colorP1))
	b.text = canvas.NewText("", fg)
	b.text.TextStyle.Bold = true
	icon := widget.NewIcon(theme.VolumeMuteIcon())
	b.show = widget.NewButtonWithIcon(T("Show"), theme.NavigateNextIcon(), c.ShowUrgentAlarms)
	b.show.Importance = widget.LowImportance
	bg := canvas.NewRectangle(themeColor(colorP1))
	b.line = &oneLine{t: b.text}
	b.lineBox = container.New(b.line, b.text)
	line := container.NewBorder(nil, nil, icon, b.show, b.lineBox)
	b.content = container.NewStack(bg, container.NewPadded(line))
	b.content.Hide()
	b.refresh()
	return b
}

// refresh shows the banner while an urgent alarm waits and cannot be heard.
func (b *soundBanner) refresh() {
	waiting := urgentWaiting(b.c.core.Desk.Open())
	ok, why := b.c.sound.Available()
	muted := b.c.sound.Muted() > 0
	if len(waiting) == 0 || (ok && !muted) {
		if b.content.Visible() {
			b.content.Hide()
		}
		return
	}
	lead := T(why)
	if ok {
		lead = T("The alarm sound is muted")
	}
	if full := lead + " — " + bannerText(waiting, b.c.core.Inventory.Site()); full != b.line.full {
		b.line.full = full
		b.lineBox.Refresh()
	}
	if !b.content.Visible() {
		b.content.Show()
	}
}

// bannerText names the first alarms waiting and counts the others.
func bannerText(waiting []app.Alarm, site *app.Site) string {
	var names []string
	for i := range waiting {
		if i == bannerNames {
			break
		}
		a := &waiting[i]
		s := a.Priority.String() + " " + alarmTitle(a) + " · " + cutText(alarmPlace(a, site), 40)
		if a.Drill {
			s = T("DRILL") + " " + s
		}
		names = append(names, s)
	}
	text := strings.Join(names, T("; "))
	if n := len(waiting) - len(names); n > 0 {
		text += " " + T("and {{.N}} more", map[string]any{"N": n})
	}
	return text
}

// oneLine lays a text out on one line, cut with "…" to the width it is given: a canvas
// text never wraps, and a long one would widen the window.
type oneLine struct {
	t    *canvas.Text
	full string
}

func (l *oneLine) MinSize([]fyne.CanvasObject) fyne.Size {
	return fyne.NewSize(0, fyne.MeasureText("Wg", l.t.TextSize, l.t.TextStyle).Height)
}

func (l *oneLine) Layout(_ []fyne.CanvasObject, size fyne.Size) {
	l.t.Text = fitWidth(l.full, size.Width, l.t.TextSize, l.t.TextStyle)
	l.t.Resize(size)
	l.t.Move(fyne.NewPos(0, 0))
}

// fitWidth cuts s with "…" to the longest prefix that fits width.
func fitWidth(s string, width, size float32, style fyne.TextStyle) string {
	if fyne.MeasureText(s, size, style).Width <= width {
		return s
	}
	r := []rune(s)
	lo, hi := 0, len(r) // the longest fitting prefix is in [lo, hi)
	for lo+1 < hi {
		mid := (lo + hi) / 2
		if fyne.MeasureText(string(r[:mid])+"…", size, style).Width <= width {
			lo = mid
		} else {
			hi = mid
		}
	}
	return string(r[:lo]) + "…"
}
