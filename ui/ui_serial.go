package ui

import (
	"bytes"
	"runtime"
	"strconv"
	"sync"

	"fyne.io/fyne/v2"
)

// On a window, everything that touches widgets runs on the one UI thread. Fyne's test
// driver has no such thread: fyne.Do runs its function at once on the caller's goroutine,
// so a panel's background refresh (onUI) or the wall's pump would touch widgets while the
// test's own goroutine taps and types (a "concurrent map writes" in a RichText's cache).
// Tests set uiSerial: the functions handed to the UI thread and the tests' taps and typing
// then take turns. In the console it is nil and costs nothing.
var uiSerial *reentrantLock

// serialUI runs f as the UI thread would: alone (only under tests; at once otherwise).
func serialUI(f func()) {
	if uiSerial == nil {
		f()
		return
	}
	uiSerial.lock()
	defer uiSerial.unlock()
	f()
}

// uiDo is fyne.Do for functions that touch widgets.
func uiDo(f func()) { fyne.Do(func() { serialUI(f) }) }

// reentrantLock may be taken again by the goroutine that holds it: a tap's handler that
// hands a function to the UI thread runs it at once, on the same goroutine, under the test
// driver.
type reentrantLock struct {
	mu    sync.Mutex
	guard sync.Mutex
	owner int64
	depth int
}

func (l *reentrantLock) lock() {
	id := goroutineID()
	l.guard.Lock()
	if l.owner == id {
		l.depth++
		l.guard.Unlock()
		return
	}
	l.guard.Unlock()
	l.mu.Lock()
	l.guard.Lock()
	l.owner, l.depth = id, 1
	l.guard.Unlock()
}

func (l *reentrantLock) unlock() {
	l.guard.Lock()
	l.depth--
	done := l.depth == 0
	if done {
		l.owner = 0
	}
	l.guard.Unlock()
	if done {
		l.mu.Unlock()
	}
}

// goroutineID reads the current goroutine's number from its stack header (tests only).
func goroutineID() int64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		b = b[:i]
	}
	id, _ := strconv.ParseInt(string(b), 10, 64)
	return id
}
