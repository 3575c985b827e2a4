package ui

import (
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Under the test driver, what the console hands to the UI thread and what the test taps and
// types take turns (ui_serial.go).
func init() { uiSerial = &reentrantLock{} }

func tap(o fyne.Tappable)                   { serialUI(func() { test.Tap(o) }) }
func doubleTap(o fyne.DoubleTappable)       { serialUI(func() { test.DoubleTap(o) }) }
func typeIn(o fyne.Focusable, chars string) { serialUI(func() { test.Type(o, chars) }) }

// uiGet reads what the UI thread owns, in turn with it.
func uiGet[T any](f func() T) T {
	var v T
	serialUI(func() { v = f() })
	return v
}

// A function handed to the UI thread waits while a tap is handled, and one handed over
// by the tap's own handler runs at once (the lock is the tap's goroutine's already).
func TestWhatIsHandedToTheUIThreadWaitsForTheTestsTap(t *testing.T) {
	var ran atomic.Bool
	inner := false
	started := make(chan struct{})
	serialUI(func() {
		go func() { close(started); uiDo(func() { ran.Store(true) }) }()
		<-started
		uiDo(func() { inner = true }) // the handler's own: at once, no deadlock
		assert.True(t, inner)
		time.Sleep(20 * time.Millisecond) // the other goroutine has had time to try
		assert.False(t, ran.Load(), "the background function waits for the tap")
	})
	require.Eventually(t, ran.Load, 15*time.Second, 5*time.Millisecond, "and runs after it")
}
