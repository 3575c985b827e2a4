package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// statusBar shows the state of every connection (database, broker, cameras as they
// arrive), so an operator sees at a glance what is not working and why.
type statusBar struct {
	c       *Console
	content fyne.CanvasObject
	items   *fyne.Container
	font    *fyne.Container
	sound   *fyne.Container // says when alarms cannot be heard
	writing *fyne.Container // "Saving…" while a write takes long (write.go)
	spin    *widget.Activity
	last    []app.ComponentStatus
}

func newStatusBar(c *Console) *statusBar {
	s := &statusBar{c: c, items: container.NewHBox(), font: container.NewHBox(), sound: container.NewHBox(), spin: widget.NewActivity()}
	saving := canvas.NewText(T("Saving…"), themeColor(theme.ColorNameForeground))
	saving.TextSize = theme.CaptionTextSize()
	s.writing = container.NewHBox(s.spin, saving)
	s.writing.Hide()
	if c.writes > 0 { // rebuilt (a language change) while a write waits
		s.showWriting(true)
	}
	version := muted(c.x.Version)
	if ok, why := c.sound.Available(); !ok {
		w := canvas.NewText(T(why), themeColor(colorP2))
		w.TextSize = theme.CaptionTextSize()
		s.sound.Add(container.NewHBox(widget.NewIcon(theme.VolumeMuteIcon()), w))
	}
	bar := container.NewBorder(nil, nil, nil, container.NewHBox(s.writing, s.sound, s.font, version), s.items)
	bg := canvas.NewRectangle(themeColor(colorHeader))
	s.content = container.NewStack(bg, container.NewPadded(bar))
	s.refresh()
	return s
}

// showWriting shows or hides "Saving…": the operator's writes wait for a slow disk.
func (s *statusBar) showWriting(on bool) {
	if on == s.writing.Visible() {
		return
	}
	if on {
		s.spin.Start()
		s.writing.Show() // last: shown means shown whole (tests wait for it)
	} else {
		s.spin.Stop()
		s.writing.Hide()
	}
}

// refresh redraws only when something changed: this runs every second.
func (s *statusBar) refresh() {
	all := s.c.core.Health.All()
	if !sameStatus(all, s.last) {
		s.last = all
		s.items.Objects = nil
		for _, st := range all {
			if st.Internal && st.State != app.StateDegraded {
				continue // a running part of the console: shown only while it is in trouble
			}
			text := T(st.Label) + ": " + T(stateLabel(st.State))
			if st.Error != "" {
				text += " — " + statusError(st)
			} else if st.Detail != "" {
				text += " · " + st.Detail
			}
			l := canvas.NewText(text, themeColor(theme.ColorNameForeground))
			l.TextSize = theme.CaptionTextSize()
			s.items.Add(container.NewHBox(container.NewCenter(statusDot(stateColor(st.State))), l, widget.NewSeparator()))
		}
		s.items.Refresh()
	}
	if fs := CJKFont(); fs.Checked && !fs.Found && len(s.font.Objects) == 0 {
		w := canvas.NewText(T("No Chinese font: install fonts-noto-cjk"), themeColor(colorP2))
		w.TextSize = theme.CaptionTextSize()
		s.font.Add(w)
	}
}

// statusError is why a component is in trouble in the operator's language, followed by the
// underlying error's own words (often a network error, in English) as detail.
func statusError(st app.ComponentStatus) string {
	s := message(app.Message{Key: st.Error, Args: st.ErrorArgs})
	if st.Cause != "" {
		s += " (" + st.Cause + ")"
	}
	return s
}

func sameStatus(a, b []app.ComponentStatus) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Name != b[i].Name || a[i].State != b[i].State || a[i].Detail != b[i].Detail || a[i].Error != b[i].Error {
			return false
		}
	}
	return true
}

// stateLabel is the English word for a state (translated when shown).
func stateLabel(s app.ComponentState) string {
	switch s {
	case app.StateOK:
		return "Normal"
	case app.StateDegraded:
		return "Degraded"
	case app.StateDown:
		return "Down"
	}
	return "Starting"
}
