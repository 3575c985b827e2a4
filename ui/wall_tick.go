package ui

import (
	"sync"
	"time"
)

// Fyne's desktop driver paints a dirty window on a 60 Hz ticker of its own, never between
// two ticks. A batch handed to the UI thread at a random instant waits up to a tick for its
// paint, and one that arrives while a paint is in progress waits for that paint to end
// first (the UI thread's lag). So the pump hands its batches over just before a tick: what
// arrived until then shares that paint, and the UI thread is idle when the batch comes.
//
// The ticker's phase is learned from the paints themselves: the paint probes
// (wall_paint.go) run during a paint, a little after its tick; the earliest of them, over
// a round of paints, is taken as the tick. Until paints have been seen recently (a hidden
// window, the test driver, which paints only when asked) batches are not aligned.

const (
	tickPeriod = time.Second / 60     // Fyne's GLFW driver's event and paint ticker
	tickLead   = 4 * time.Millisecond // a batch is handed this long before the tick
	tickRound  = 30                   // paints per estimate of the phase
	tickFresh  = 2 * time.Second      // an estimate older than this is not used
)

type tickClock struct {
	mu     sync.Mutex
	ref    time.Time     // the estimated instant of a tick (zero: unknown)
	at     time.Time     // when ref was last estimated
	n      int           // paints seen this round
	first  time.Time     // of this round: the reference its offsets are from
	minOff time.Duration // the earliest paint of this round, after first's tick
}

// painted notes a paint seen at now (UI thread, during the paint).
func (c *tickClock) painted(now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == 0 {
		c.first, c.minOff = now, 0
	}
	// The offset from the round's first paint, folded into [-period/2, period/2).
	off := (now.Sub(c.first)+tickPeriod/2)%tickPeriod - tickPeriod/2
	c.minOff = min(c.minOff, off)
	c.n++
	if c.n == tickRound {
		c.ref, c.at, c.n = c.first.Add(c.minOff), now, 0
	}
}

// align returns the instant to hand a batch due at over: tickLead before the first tick
// that is at least tickLead after it; at itself while the ticks' phase is not known.
func (c *tickClock) align(at time.Time) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ref.IsZero() || at.Sub(c.at) > tickFresh {
		return at
	}
	since := at.Add(tickLead).Sub(c.ref)
	k := since / tickPeriod
	if since%tickPeriod != 0 && since > 0 {
		k++
	}
	return c.ref.Add(k*tickPeriod - tickLead)
}
