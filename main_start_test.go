package main

import (
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// What waits for the window's first screen starts at once headless (no window), when the
// window paints it, and after firstScreenWait when the window paints nothing (a window
// kept hidden): it is never held back for good.
func TestWhatWaitsForTheFirstScreenIsNeverHeldBackForGood(t *testing.T) {
	closed := func(f *firstScreen) bool {
		select {
		case <-f.ready:
			return true
		default:
			return false
		}
	}
	quiet := slog.New(slog.DiscardHandler)
	assert.True(t, closed(newFirstScreen(true, quiet)), "headless: at once")

	f := newFirstScreen(false, quiet)
	assert.False(t, closed(f), "a window: held back until it paints")
	f.shown()
	f.shown() // told twice (a second paint hook): no panic
	assert.True(t, closed(f))

	saved := firstScreenWait
	firstScreenWait = 50 * time.Millisecond
	t.Cleanup(func() { firstScreenWait = saved })
	f = newFirstScreen(false, quiet)
	require.Eventually(t, func() bool { return closed(f) }, 15*time.Second, 10*time.Millisecond,
		"a window that paints nothing holds the rest back no longer than firstScreenWait")
}
