package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// drillBanner is the stripe under the header while a drill runs, on every panel and for
// everyone signed in: nobody may take a drill alarm for a real one, nor the other way
// round. It says which drill, for how long, and the latest note of the scenario.
type drillBanner struct {
	c       *Console
	content *fyne.Container
	title   *canvas.Text
	clock   *canvas.Text
	note    *canvas.Text
	open    *widget.Button
	run     int64 // the run shown; 0: hidden
}

func newDrillBanner(c *Console) *drillBanner {
	b := &drillBanner{c: c}
	b.title = canvas.NewText("", contrastText(themeColor(colorDemo)))
	b.title.TextStyle.Bold = true
	b.title.TextSize = theme.TextSize() * 1.25
	b.clock = canvas.NewText("", b.title.Color)
	b.clock.TextStyle = fyne.TextStyle{Bold: true, Monospace: true}
	b.clock.TextSize = b.title.TextSize
	b.note = canvas.NewText("", b.title.Color)
	b.open = widget.NewButtonWithIcon(T("Drills"), theme.NavigateNextIcon(), func() { c.ShowPanel("drills") })
	b.open.Importance = widget.LowImportance
	if op := c.Operator(); op == nil || !op.Role.Can(app.ActRunDrill) {
		b.open.Hide()
	}
	bg := canvas.NewRectangle(themeColor(colorDemo))
	line := container.NewHBox(b.title, b.clock, b.note)
	b.content = container.NewStack(bg, container.NewPadded(container.NewBorder(nil, nil, nil, b.open, line)))
	b.content.Hide()
	b.refresh()
	return b
}

// refresh shows or hides the banner and updates its texts.
func (b *drillBanner) refresh() {
	d := b.c.core.Drills
	if d == nil {
		return
	}
	st, ok := d.Status()
	if !ok {
		if b.run != 0 {
			b.run = 0
			b.content.Hide()
		}
		return
	}
	name := st.Run.Names().Display(english())
	b.title.Text = T("DRILL IN PROGRESS") + " — " + name + " · "
	b.clock.Text = clockDuration(st.Elapsed)
	b.note.Text = ""
	if st.LastNote != nil {
		// Cut to a line: a canvas text never wraps, and a long one would widen the window.
		b.note.Text = "   " + T("Scenario note") + " (+" + clockDuration(st.LastNote.At.D()) + "): " + cutText(st.LastNote.DisplayNote(english()), 70)
	}
	b.title.Refresh()
	b.clock.Refresh()
	b.note.Refresh()
	if b.run != st.Run.ID {
		b.run = st.Run.ID
		b.content.Show()
	}
}

// cutText shortens s to at most n characters, marking the cut.
func cutText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
