package web

import (
	"sync"
	"time"

	"watchpost/app"
)

// The resident's page needs no account, so anyone on the site's network (or wherever the
// page is reachable) could fill the guard room's desk with reports. Reports are limited per
// client address (its IP, or its IPv6 /64: clientKey) and over all addresses together, and
// guesses of receipt numbers are limited per address. Each limit is a named constant.
const (
	// ResidentReportsPerAddress is how many reports one address may send within
	// ResidentReportsWindow: a household reports a few things, not dozens.
	ResidentReportsPerAddress = 5
	ResidentReportsWindow     = time.Hour
	// ResidentReportsPerMinute is the ceiling over all addresses: the desk takes at most
	// this many residents' reports a minute, however many phones send them.
	ResidentReportsPerMinute = 20
	// ReceiptMissesPerAddress is how many receipt numbers that name no report one address
	// may ask for within ResidentReportsWindow (a receipt cannot be guessed: this keeps a
	// guesser from making the server search for ever).
	ReceiptMissesPerAddress = 20
	// MaxLimitedAddresses bounds the addresses remembered by each limit; beyond it the
	// address whose last use is oldest is forgotten. (The global ceiling alone keeps the
	// reports' table smaller: 20 a minute is 1,200 an hour.)
	MaxLimitedAddresses = 4096
)

// rateLimit counts uses per address within a window, and over all addresses within a
// minute. A use is reserved before the work and released when the work was refused (an
// invalid report does not count), so that requests sent at once cannot all pass.
type rateLimit struct {
	clock     app.Clock
	perAddr   int
	window    time.Duration
	perMinute int // 0: no ceiling over all addresses

	mu     sync.Mutex
	byAddr map[string][]time.Time // oldest first
	all    []time.Time            // the last minute's, oldest first
}

func newRateLimit(clock app.Clock, perAddr int, window time.Duration, perMinute int) *rateLimit {
	return &rateLimit{clock: clock, perAddr: perAddr, window: window, perMinute: perMinute, byAddr: map[string][]time.Time{}}
}

// prune drops what left the windows (with l.mu held).
func (l *rateLimit) prune(key string, now time.Time) {
	ts := l.byAddr[key]
	i := 0
	for i < len(ts) && now.Sub(ts[i]) >= l.window {
		i++
	}
	if i == len(ts) {
		delete(l.byAddr, key)
	} else if i > 0 {
		l.byAddr[key] = append([]time.Time(nil), ts[i:]...)
	}
	j := 0
	for j < len(l.all) && now.Sub(l.all[j]) >= time.Minute {
		j++
	}
	l.all = l.all[j:]
}

// wait is how long the address must wait before a use would be taken (0: now), and whether
// it is the ceiling over all addresses that holds it back.
func (l *rateLimit) wait(key string) (time.Duration, bool) {
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.waitLocked(key, now)
}

func (l *rateLimit) waitLocked(key string, now time.Time) (time.Duration, bool) {
	l.prune(key, now)
	if ts := l.byAddr[key]; len(ts) >= l.perAddr {
		return ts[0].Add(l.window).Sub(now), false
	}
	if l.perMinute > 0 && len(l.all) >= l.perMinute {
		return l.all[0].Add(time.Minute).Sub(now), true
	}
	return 0, false
}

// reserve takes a use for the address when the limits allow it; release gives it back
// (the work was refused). ok is false, with how long to wait, when a limit holds it back.
func (l *rateLimit) reserve(key string) (release func(), wait time.Duration, global, ok bool) {
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if w, g := l.waitLocked(key, now); w > 0 {
		return nil, w, g, false
	}
	if _, known := l.byAddr[key]; !known && len(l.byAddr) >= MaxLimitedAddresses {
		l.forgetOldest(now)
	}
	l.byAddr[key] = append(l.byAddr[key], now)
	if l.perMinute > 0 {
		l.all = append(l.all, now)
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			l.byAddr[key] = removeTime(l.byAddr[key], now)
			if len(l.byAddr[key]) == 0 {
				delete(l.byAddr, key)
			}
			l.all = removeTime(l.all, now)
		})
	}, 0, false, true
}

// forgetOldest drops the addresses whose uses all left the window and, if none did, the
// one used least recently (with l.mu held).
func (l *rateLimit) forgetOldest(now time.Time) {
	var oldest string
	for k, ts := range l.byAddr {
		if now.Sub(ts[len(ts)-1]) >= l.window {
			delete(l.byAddr, k)
			continue
		}
		if oldest == "" || ts[len(ts)-1].Before(l.byAddr[oldest][len(l.byAddr[oldest])-1]) {
			oldest = k
		}
	}
	if len(l.byAddr) >= MaxLimitedAddresses && oldest != "" {
		delete(l.byAddr, oldest)
	}
}

// removeTime removes one instant t from ts.
func removeTime(ts []time.Time, t time.Time) []time.Time {
	for i := len(ts) - 1; i >= 0; i-- {
		if ts[i].Equal(t) {
			return append(ts[:i:i], ts[i+1:]...)
		}
	}
	return ts
}

// addresses is how many addresses the limit remembers.
func (l *rateLimit) addresses() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.byAddr)
}
