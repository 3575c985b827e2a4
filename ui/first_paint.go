package ui

import (
	"time"

	"fyne.io/fyne/v2"
)

// setContent puts a screen on the window; the first one carries the paint probe, so that
// the probe needs no layout of its own (a screen set again costs a whole layout).
func (c *Console) setContent(o fyne.CanvasObject) {
	if c.probe != nil {
		o, c.probe = c.probe(o), nil
	}
	c.win.SetContent(o)
}

// firstPainted is told (on the UI thread) that the window's first screen was painted: it
// logs which screen and how long after the process's start (what BenchmarkStart reads),
// and lets what waits for the window start (Extras.Painted).
func (c *Console) firstPainted(at time.Time) {
	screen := "signed in"
	switch {
	case c.signIn != nil:
		screen = "sign-in"
	case c.passwordChange != nil:
		screen = "password change"
	}
	args := []any{"screen", screen}
	if !c.x.Started.IsZero() {
		args = append(args, "after", at.Sub(c.x.Started).Round(time.Millisecond))
	}
	c.core.Log.Info("first screen painted", args...)
	if c.x.Painted != nil {
		c.x.Painted()
	}
}
