package web

import (
	"math"
	"net/http"
	"net/url"
	"strings"

	"watchpost/app"
)

// Signing in goes through the core's accounts (app.Accounts.SignIn): its lockout of a user
// name, its journal of sign-ins and failures, its refusal of disabled accounts. The pages
// add the per-device throttle, the sign-in form's token, and the session. A password only
// ever travels in a POST's body.

// signInData is the sign-in page's.
type signInData struct {
	Username string
	Next     string
	Notice   string // why the phone is here (the session ended, it signed out)
	Error    string // what went wrong with the last try
}

// signInPage shows the sign-in form; a phone already signed in goes home.
func (s *Server) signInPage(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(SessionCookie); err == nil {
		if _, ok := s.sessions.use(c.Value); ok {
			http.Redirect(w, r, localPath(r.URL.Query().Get("next"), "/"), http.StatusSeeOther)
			return
		}
	}
	tr := s.translator(r)
	d := signInData{Next: localPath(r.URL.Query().Get("next"), "")}
	switch r.URL.Query().Get("why") {
	case whyEnded:
		d.Notice = tr.T("Your session ended: sign in again")
	case whySignedOut:
		d.Notice = tr.T("You signed out")
	case whyDisabled:
		d.Notice = tr.T("This account can no longer sign in here: ask an administrator")
	}
	s.render(w, r, http.StatusOK, "signin", View{CSRF: preToken(w, r), Data: d, tr: tr, Path: signInPath(r)})
}

// signInPath is the sign-in page's address with only its own parameters: the language
// switch must not copy a password someone put in the address into the page.
func signInPath(r *http.Request) string {
	q := url.Values{}
	for _, k := range []string{"why", "next"} {
		if v := r.URL.Query().Get(k); v != "" {
			q.Set(k, v)
		}
	}
	if len(q) == 0 {
		return "/signin"
	}
	return "/signin?" + q.Encode()
}

// signIn checks the form's token, the device's throttle, then the user name and password.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request) {
	tr := s.translator(r)
	smallForm(w, r)
	if err := checkToken(r, preTokenOf(r)); err != nil {
		s.fail(w, r, tr, nil, err)
		return
	}
	d := signInData{Username: strings.TrimSpace(r.PostFormValue("username")), Next: localPath(r.PostFormValue("next"), "")}
	again := func(status int, msg string) {
		d.Error = msg
		s.render(w, r, status, "signin", View{CSRF: preToken(w, r), Data: d, tr: tr, Path: "/signin"})
	}
	client := clientKey(r.RemoteAddr)
	if wait := s.throttle.wait(client); wait > 0 {
		again(http.StatusTooManyRequests, tr.T("Too many failed sign-ins from this phone: wait {{.N}} minutes and try again",
			map[string]any{"N": int(math.Ceil(wait.Minutes()))}))
		return
	}
	password := r.PostFormValue("password")
	if d.Username == "" || password == "" {
		again(http.StatusUnprocessableEntity, tr.T("Enter your user name and password"))
		return
	}
	op, err := s.core.Accounts.SignIn(r.Context(), d.Username, password)
	if err != nil {
		if !app.IsCode(err, app.CodeUnauthenticated) {
			s.fail(w, r, tr, nil, err)
			return
		}
		s.throttle.fail(client)
		again(http.StatusUnauthorized, tr.ErrText(err))
		return
	}
	if c, err := r.Cookie(SessionCookie); err == nil {
		s.sessions.end(c.Value) // a new sign-in gets a new session ID
	}
	sess := s.sessions.create(op.Username)
	setSession(w, sess.id)
	clearCookie(w, PreSessionCookie)
	to := localPath(d.Next, "/")
	if op.MustChange {
		to = "/password"
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// signOut ends the session and journals the sign-out. The session ends even when the
// journal cannot be written: the person asked to leave.
func (s *Server) signOut(w http.ResponseWriter, r *http.Request, c *Context) error {
	s.sessions.end(c.sid)
	clearCookie(w, SessionCookie)
	if err := s.core.Accounts.SignOut(r.Context(), c.Operator); err != nil {
		s.log.Error("phone sign-out not journaled", "user", c.Operator.Username, "err", err)
	}
	http.Redirect(w, r, "/signin?why="+whySignedOut, http.StatusSeeOther)
	return nil
}

// passwordData is the change-password page's.
type passwordData struct {
	Forced bool   // an administrator reset the password: it must be changed first
	Error  string // what was wrong with the last try
	Min    int
}

// passwordPage shows the change of the account's own password.
func (s *Server) passwordPage(w http.ResponseWriter, r *http.Request, c *Context) error {
	return c.Render(w, "password", passwordData{Forced: c.Operator.MustChange, Min: app.MinPasswordLength})
}

// changePassword changes the account's own password through the core (its policy, its
// journal). A wrong current password counts towards the device's throttle: a phone left
// signed in is no way to guess its owner's password. On success the session starts afresh.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request, c *Context) error {
	d := passwordData{Forced: c.Operator.MustChange, Min: app.MinPasswordLength}
	client := clientKey(r.RemoteAddr)
	if wait := s.throttle.wait(client); wait > 0 {
		d.Error = c.T.T("Too many failed sign-ins from this phone: wait {{.N}} minutes and try again", map[string]any{"N": int(math.Ceil(wait.Minutes()))})
		return c.RenderStatus(w, http.StatusTooManyRequests, "password", d)
	}
	old, next, again := r.PostFormValue("old"), r.PostFormValue("new"), r.PostFormValue("again")
	if next != again {
		d.Error = c.T.T("The two new passwords differ: type the same one twice")
		return c.RenderStatus(w, http.StatusUnprocessableEntity, "password", d)
	}
	if err := s.core.Accounts.ChangePassword(r.Context(), c.Operator, c.Operator.Username, old, next); err != nil {
		if app.IsCode(err, app.CodeUnauthenticated) {
			s.throttle.fail(client)
		} else if !app.IsCode(err, app.CodeInvalid) {
			return err
		}
		d.Error = c.T.ErrText(err)
		return c.RenderStatus(w, http.StatusUnprocessableEntity, "password", d)
	}
	s.sessions.end(c.sid)
	sess := s.sessions.create(c.Operator.Username)
	setSession(w, sess.id)
	c.sid = sess.id
	c.Redirect(w, "/", "Your password was changed")
	return nil
}
