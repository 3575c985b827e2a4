package ui

import (
	"sync"
)

// The panels read the journal and the services off the UI thread and then show what they
// read with fyne.Do. Such work can outlive the console (a refresh still reading when the
// window closes, or a test ends): onUI runs the showing part only while the console is
// open, and Close waits for one that is running, so nothing of a closed console touches a
// window afterwards.

// uiGate counts the functions of onUI that are running and is closed by Console.Close.
type uiGate struct {
	mu      sync.Mutex
	idle    *sync.Cond
	closed  bool
	running int
}

func (g *uiGate) enter() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return false
	}
	g.running++
	return true
}

func (g *uiGate) leave() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.running--
	if g.running == 0 && g.idle != nil {
		g.idle.Broadcast()
	}
}

// close refuses what comes next and waits for what runs (Fyne's test driver runs fyne.Do
// on the caller's goroutine; on a window's UI thread nothing else runs while Close does).
func (g *uiGate) close() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.closed = true
	if g.idle == nil {
		g.idle = sync.NewCond(&g.mu)
	}
	for g.running > 0 {
		g.idle.Wait()
	}
}

// onUI runs f on the UI thread (fyne.Do) unless the console has closed meanwhile.
func (c *Console) onUI(f func()) {
	uiDo(func() {
		if !c.gate.enter() {
			return
		}
		defer c.gate.leave()
		f()
	})
}
