package ui

import (
	"time"
)

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
