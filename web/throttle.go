package web

import (
	"net"
	"net/netip"
	"sync"
	"time"

	"watchpost/app"
)

// The core locks a user name after app.MaxSignInFailures failures; the pages also slow down
// one device trying many names (a phone on the site's Wi-Fi guessing accounts): after
// ThrottleFailures failed sign-ins from one address within ThrottleWindow, its sign-ins are
// refused for the rest of the window without a password being checked.
const (
	ThrottleFailures = 10
	ThrottleWindow   = 15 * time.Minute
	// MaxThrottled is how many addresses are remembered; beyond it the one whose last
	// failure is oldest is forgotten.
	MaxThrottled = 4096
)

type throttle struct {
	clock app.Clock
	mu    sync.Mutex
	fails map[string][]time.Time // by client key, oldest first, at most ThrottleFailures
}

func newThrottle(clock app.Clock) *throttle {
	return &throttle{clock: clock, fails: map[string][]time.Time{}}
}

// clientKey is who a request comes from: its IP address, or for IPv6 its /64 (a phone
// picks new addresses within its network's prefix at will).
func clientKey(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	ip = ip.Unmap()
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}

// wait is how long the client must wait before it may try again; 0: it may now.
func (t *throttle) wait(key string) time.Duration {
	now := t.clock.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.recentLocked(key, now)
	if len(f) < ThrottleFailures {
		return 0
	}
	return f[0].Add(ThrottleWindow).Sub(now)
}

// fail counts a failed sign-in of the client.
func (t *throttle) fail(key string) {
	now := t.clock.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	f := append(t.recentLocked(key, now), now)
	if len(f) > ThrottleFailures {
		f = f[len(f)-ThrottleFailures:]
	}
	if _, known := t.fails[key]; !known && len(t.fails) >= MaxThrottled {
		t.forgetOldestLocked(now)
	}
	t.fails[key] = f
}

// recentLocked is the client's failures within the window (older ones dropped).
func (t *throttle) recentLocked(key string, now time.Time) []time.Time {
	f := t.fails[key]
	i := 0
	for i < len(f) && now.Sub(f[i]) >= ThrottleWindow {
		i++
	}
	if i == len(f) {
		delete(t.fails, key)
		return nil
	}
	f = f[i:]
	t.fails[key] = f
	return f
}

// forgetOldestLocked makes room: the addresses with no failure in the window go, else the
// one whose last failure is the oldest.
func (t *throttle) forgetOldestLocked(now time.Time) {
	var oldest string
	var at time.Time
	for k, f := range t.fails {
		last := f[len(f)-1]
		if now.Sub(last) >= ThrottleWindow {
			delete(t.fails, k)
			continue
		}
		if oldest == "" || last.Before(at) {
			oldest, at = k, last
		}
	}
	if len(t.fails) >= MaxThrottled {
		delete(t.fails, oldest)
	}
}

func (t *throttle) size() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.fails)
}
