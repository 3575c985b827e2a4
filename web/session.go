package web

import (
	"crypto/rand"
	"encoding/base64"
	"sync"
	"time"

	"watchpost/app"
)

// Sessions live in memory: a restart of the engine signs every phone out, which costs a
// sign-in and keeps no secret on disk. The cookie holds only an opaque random ID.
const (
	// SessionIdle ends a session nobody used for this long (a phone left in a pocket).
	SessionIdle = 30 * time.Minute
	// SessionMax ends a session this long after the sign-in whatever its use (a shift).
	SessionMax = 12 * time.Hour
	// MaxSessions is how many sessions are held at once; a sign-in beyond it ends the
	// session used least recently (the table cannot grow without bound).
	MaxSessions = 1000
	// SessionCookie names the session's cookie; "__Host-" makes browsers keep it only
	// when Secure, on Path=/ and for this host alone.
	SessionCookie = "__Host-wp-session"
)

// session is one signed-in phone.
type session struct {
	id       string
	username string
	csrf     string // the token every form of this session carries (csrf.go)
	created  time.Time
	seen     time.Time
	flash    *flash // shown once by the next page (pages.go)
	draft    *draft // a refused form's contents, shown again by its page (drafts.go)
}

// sessions is the table of live sessions.
type sessions struct {
	clock app.Clock
	mu    sync.Mutex
	byID  map[string]*session
}

func newSessions(clock app.Clock) *sessions {
	return &sessions{clock: clock, byID: map[string]*session{}}
}

// randomToken is 32 random bytes, URL-safe: a session ID or a CSRF token.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

// create starts a session for username, ending the least recently used one when the table
// is full (after dropping the ended ones).
func (t *sessions) create(username string) session {
	now := t.clock.Now()
	s := &session{id: randomToken(), username: username, csrf: randomToken(), created: now, seen: now}
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.byID) >= MaxSessions {
		t.sweepLocked(now)
	}
	for len(t.byID) >= MaxSessions {
		var oldest *session
		for _, x := range t.byID {
			if oldest == nil || x.seen.Before(oldest.seen) {
				oldest = x
			}
		}
		delete(t.byID, oldest.id)
	}
	t.byID[s.id] = s
	return *s
}

// use returns the live session of id and marks it used now; ok is false when there is
// none: never was, ended by time (and then dropped), or signed out.
func (t *sessions) use(id string) (session, bool) {
	now := t.clock.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	s, found := t.byID[id]
	if !found {
		return session{}, false
	}
	if ended(s, now) {
		delete(t.byID, id)
		return session{}, false
	}
	s.seen = now
	return *s, true
}

// ended reports whether a session ran out of time: idle too long, or open too long.
func ended(s *session, now time.Time) bool {
	return now.Sub(s.seen) >= SessionIdle || now.Sub(s.created) >= SessionMax
}

// end drops a session (sign-out, or a changed password).
func (t *sessions) end(id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.byID, id)
}

// endAll drops every session of username (the account was disabled or removed).
func (t *sessions) endAll(username string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for id, s := range t.byID {
		if s.username == username {
			delete(t.byID, id)
		}
	}
}

// setFlash keeps a message for the session's next page.
func (t *sessions) setFlash(id string, f flash) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if s, ok := t.byID[id]; ok {
		s.flash = &f
	}
}

// takeFlash returns the session's message and forgets it.
func (t *sessions) takeFlash(id string) *flash {
	t.mu.Lock()
	defer t.mu.Unlock()
	s, ok := t.byID[id]
	if !ok {
		return nil
	}
	f := s.flash
	s.flash = nil
	return f
}

// sweep drops the sessions that ran out of time (Run calls it now and then, so that a
// table of abandoned sessions does not wait for MaxSessions to shrink).
func (t *sessions) sweep() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sweepLocked(t.clock.Now())
}

func (t *sessions) sweepLocked(now time.Time) {
	for id, s := range t.byID {
		if ended(s, now) {
			delete(t.byID, id)
		}
	}
}

// count is how many sessions are held.
func (t *sessions) count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.byID)
}
