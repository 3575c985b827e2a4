package web

import (
	"net/http"
	"net/url"

	"watchpost/app"
)

// Why a phone is sent to the sign-in page, as the page's "why" parameter (the page says it
// in the phone's language).
const (
	whyEnded     = "ended"     // the session ran out of time, or the server restarted
	whySignedOut = "signedout" // the user signed out
	whyDisabled  = "disabled"  // the account was disabled or removed meanwhile
)

// authed serves h to a signed-in account: the session must be live, the account still
// enabled (read afresh, so a disabled account or a changed role counts at once), its
// password changed if it must be (unless h is the change itself), every POST must carry
// the session's token, and the role must allow needs. What fails is refused before h runs,
// so nothing is stored.
func (s *Server) authed(needs app.Action, duringChange bool, h Handler) http.Handler {
	return s.crossOrigin(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tr := s.translator(r)
		cookie, err := r.Cookie(SessionCookie)
		if err != nil {
			s.toSignIn(w, r, "")
			return
		}
		sess, ok := s.sessions.use(cookie.Value)
		if !ok {
			clearCookie(w, SessionCookie)
			s.toSignIn(w, r, whyEnded)
			return
		}
		op, err := s.core.Accounts.Get(r.Context(), sess.username)
		if err != nil && !app.IsCode(err, app.CodeNotFound) {
			s.fail(w, r, tr, nil, err)
			return
		}
		if err != nil || op.Disabled {
			s.sessions.endAll(sess.username)
			clearCookie(w, SessionCookie)
			s.toSignIn(w, r, whyDisabled)
			return
		}
		if op.MustChange && !duringChange {
			http.Redirect(w, r, "/password", http.StatusSeeOther)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if err := checkToken(r, sess.csrf); err != nil {
				s.fail(w, r, tr, &op, err)
				return
			}
		}
		if needs != "" {
			if err := app.Authorize(&op, needs); err != nil {
				s.fail(w, r, tr, &op, err)
				return
			}
		}
		c := &Context{Operator: &op, T: tr, CSRF: sess.csrf, Core: s.core, s: s, r: r, sid: sess.id}
		if err := h(w, r, c); err != nil {
			s.fail(w, r, tr, &op, err)
		}
	}))
}

// toSignIn sends the phone to the sign-in page, saying why, and back to the page it asked
// for afterwards (a GET only: a form's contents cannot be sent again).
func (s *Server) toSignIn(w http.ResponseWriter, r *http.Request, why string) {
	q := url.Values{}
	if why != "" {
		q.Set("why", why)
	}
	if (r.Method == http.MethodGet || r.Method == http.MethodHead) && r.URL.Path != "/" {
		q.Set("next", r.URL.RequestURI())
	}
	to := "/signin"
	if len(q) > 0 {
		to += "?" + q.Encode()
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

func clearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", Secure: true, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, MaxAge: -1})
}

// setSession gives the phone the session's cookie. It has no expiry of its own: the
// server ends the session (SessionIdle, SessionMax), and the browser forgets the cookie
// when it closes.
func setSession(w http.ResponseWriter, id string) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: id, Path: "/", Secure: true, HttpOnly: true,
		SameSite: http.SameSiteStrictMode})
}
