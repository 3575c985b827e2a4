package web

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"

	"watchpost/app"
	"watchpost/web/photo"
)

// Every form carries a token in a hidden field (CSRFField) that a page of another site
// cannot know, and every POST is refused without it, before its handler runs: a form
// another site makes a signed-in phone send stores nothing. A signed-in form carries its
// session's token; the sign-in form, which has no session yet, carries the token of a
// pre-session cookie (the double-submit pattern: another site can neither read the cookie
// nor set it on this host, whose cookies are "__Host-"). Browsers' own Sec-Fetch-Site and
// Origin headers are checked as well (http.CrossOriginProtection).
const (
	// CSRFField names the hidden field of the token in every form.
	CSRFField = "csrf"
	// PreSessionCookie holds the sign-in form's token.
	PreSessionCookie = "__Host-wp-pre"
)

// statusError is an error with the HTTP status its page is served with.
type statusError struct {
	status int
	err    *app.Error
}

func (e *statusError) Error() string { return e.err.Error() }
func (e *statusError) Unwrap() error { return e.err }

func errCSRF() error {
	return &statusError{http.StatusForbidden, app.Errorf(app.CodeForbidden,
		"This form has run out or did not come from these pages, so nothing was saved: go back, reload the page and send it again")}
}

func errTooLarge() error {
	return &statusError{http.StatusRequestEntityTooLarge, app.Errorf(app.CodeInvalid,
		"What was sent is too large, so nothing was saved: at most {{.N}} photos of {{.MB}} MB each", "N", MaxPhotosPerPost, "MB", photo.MaxBytes>>20)}
}

func errBadForm(cause error) error {
	return &statusError{http.StatusBadRequest, app.Errorf(app.CodeInvalid,
		"The form could not be read, so nothing was saved: go back and send it again").Wrap(cause)}
}

// readForm reads a POST's fields within the body's limit (secure): a plain form, or a form
// with files (whose files beyond MultipartMemory wait in temporary files).
func readForm(r *http.Request) error {
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err = r.ParseMultipartForm(MultipartMemory)
	} else {
		err = r.ParseForm()
	}
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return errTooLarge()
	case err != nil:
		return errBadForm(err)
	}
	return nil
}

// smallForm bounds the body of a form that has no business sending files (signing in,
// the language) to MaxFormBytes, whatever its type says: no one who has not signed in makes
// the server take a large upload.
func smallForm(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxFormBytes)
}

// checkToken reads the form and compares its token with want; an empty want (no cookie,
// no session) never matches.
func checkToken(r *http.Request, want string) error {
	if err := readForm(r); err != nil {
		return err
	}
	got := r.PostFormValue(CSRFField) // the body's, never the address's
	if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return errCSRF()
	}
	return nil
}

// preToken is the pre-session token of the request, set as a new cookie when it has none.
func preToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(PreSessionCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	t := randomToken()
	http.SetCookie(w, &http.Cookie{Name: PreSessionCookie, Value: t, Path: "/", Secure: true, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, MaxAge: int(SessionMax.Seconds())})
	return t
}

// preTokenOf is the pre-session token the request's cookie holds ("" when none).
func preTokenOf(r *http.Request) string {
	if c, err := r.Cookie(PreSessionCookie); err == nil {
		return c.Value
	}
	return ""
}

// crossOrigin refuses a POST a browser says came from another site, with the same page as
// a missing token.
func (s *Server) crossOrigin(next http.Handler) http.Handler {
	p := http.NewCrossOriginProtection()
	p.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, s.translator(r), nil, errCSRF())
	}))
	return p.Handler(next)
}
