package web

import (
	"net/http"
	"sync"
	"time"

	"watchpost/app"
)

// Some pages are for people without an account: a resident reporting a hazard from the QR
// code on a lamppost. They are served without a sign-in, in the phone's language, and their
// forms are protected like the sign-in form: the token of the pre-session cookie in a
// hidden field (double submit). What such a page stores is the core's to check and to
// journal (as from whom: the page says so to the core); the pages add no identity.

// PublicPage registers a page that needs no sign-in. Its Context has no Operator; its
// CSRF is the pre-session token; Redirect's message is kept for the phone all the same.
func (s *Server) PublicPage(pattern string, h Handler) { s.publicPage(pattern, nil, h) }

// publicPage is PublicPage with a guard that runs first, before the form is read: it may
// bound the body or refuse the request (a rate limit), and then nothing else runs.
func (s *Server) publicPage(pattern string, guard func(w http.ResponseWriter, r *http.Request) error, h Handler) {
	s.mux.Handle(pattern, s.crossOrigin(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tr := s.translator(r)
		if guard != nil {
			if err := guard(w, r); err != nil {
				s.fail(w, r, tr, nil, err)
				return
			}
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if err := checkToken(r, preTokenOf(r)); err != nil {
				s.fail(w, r, tr, nil, err)
				return
			}
		}
		c := &Context{T: tr, CSRF: preToken(w, r), Core: s.core, s: s, r: r}
		if err := h(w, r, c); err != nil {
			s.fail(w, r, tr, nil, err)
		}
	})))
}

// anonFlashes keeps the messages of public pages for their next page, by the phone's
// pre-session token: at most MaxSessions, each for SessionIdle at most.
type anonFlashes struct {
	clock app.Clock
	mu    sync.Mutex
	byTok map[string]anonFlash
}

type anonFlash struct {
	f  flash
	at time.Time
}

func newAnonFlashes(clock app.Clock) *anonFlashes {
	return &anonFlashes{clock: clock, byTok: map[string]anonFlash{}}
}

func (a *anonFlashes) set(tok string, f flash) {
	now := a.clock.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.byTok) >= MaxSessions {
		var oldest string
		for k, v := range a.byTok {
			if now.Sub(v.at) >= SessionIdle {
				delete(a.byTok, k)
			} else if oldest == "" || v.at.Before(a.byTok[oldest].at) {
				oldest = k
			}
		}
		if len(a.byTok) >= MaxSessions {
			delete(a.byTok, oldest)
		}
	}
	a.byTok[tok] = anonFlash{f: f, at: now}
}

func (a *anonFlashes) take(tok string) *flash {
	now := a.clock.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	v, ok := a.byTok[tok]
	delete(a.byTok, tok)
	if !ok || now.Sub(v.at) >= SessionIdle {
		return nil
	}
	return &v.f
}

// setFlash keeps a message for the phone's next page: in its session, or for a public page
// by its pre-session token.
func (c *Context) setFlash(f flash) {
	if c.sid != "" {
		c.s.sessions.setFlash(c.sid, f)
	} else if c.CSRF != "" {
		c.s.anon.set(c.CSRF, f)
	}
}

// takeFlash returns the message kept for this page, once.
func (c *Context) takeFlash() *flash {
	if c.sid != "" {
		return c.s.sessions.takeFlash(c.sid)
	}
	if c.CSRF != "" {
		return c.s.anon.take(c.CSRF)
	}
	return nil
}
