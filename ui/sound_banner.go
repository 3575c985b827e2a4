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
	b.show = widget.NewButtonWithIcon(T("Show"), theme.NavigateNextIcon(), func() {
		if c.shell != nil {
			c.shell.popup.bringBack()
		}
	})
	b.show.Importance = widget.LowImportance
	bg := canvas.NewRectangle(themeColor(colorP1))
	line := container.NewBorder(nil, nil, icon, b.show, b.text)
	b.content = container.NewStack(bg, container.NewPadded(line))
	b.content.Hide()
	b.refresh()
	return b
}

// refresh shows the banner while an urgent alarm waits and cannot be heard.
func (b *soundBanner) refresh() {
	waiting := urgentWaiting(b.c.deps.Desk.Open())
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
	b.text.Text = lead + " — " + bannerText(waiting, b.c.deps.Inventory.Site())
	b.text.Refresh()
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
