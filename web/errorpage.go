package web

import (
	"errors"
	"net/http"

	"watchpost/app"
	"watchpost/assets/i18n"
)

// What goes wrong is shown on a page in the user's language: the core's errors carry an
// English template and its values (app.Error), rendered with the translator; anything else
// is logged and the page says so without the system's words.

// errorData is the error page's.
type errorData struct {
	Heading string
	Message string
	// SignIn: the page links to the sign-in page (no one is signed in), else home.
	SignIn bool
}

// fail shows err on an error page in the user's language, with the status it calls for.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, tr i18n.Translator, op *app.Operator, err error) {
	status := statusOf(err)
	msg := tr.ErrText(err)
	var e *app.Error
	if !errors.As(err, &e) || e.Code == app.CodeInternal {
		s.log.Error("phone page", "path", r.URL.Path, "err", err)
		msg = tr.T("Something went wrong on the server; the guard room can find it in the log")
	}
	s.render(w, r, status, "error", View{Operator: op, CSRF: s.formToken(w, r), tr: tr,
		Data: errorData{Heading: tr.T(headingOf(status)), Message: msg, SignIn: op == nil}})
}

// formToken is the token of the forms of a page that is not a signed-in page's own (an
// error page): the session's when the phone has one, else the pre-session one (set now
// when it has none), so that its sign-out and language switch work.
func (s *Server) formToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(SessionCookie); err == nil {
		if sess, ok := s.sessions.use(c.Value); ok {
			return sess.csrf
		}
	}
	return preToken(w, r)
}

// statusOf is the HTTP status of an error's page.
func statusOf(err error) int {
	var se *statusError
	if errors.As(err, &se) {
		return se.status
	}
	var e *app.Error
	if !errors.As(err, &e) {
		return http.StatusInternalServerError
	}
	switch e.Code {
	case app.CodeInvalid, app.CodeUnchanged:
		return http.StatusBadRequest
	case app.CodeNotFound:
		return http.StatusNotFound
	case app.CodeConflict:
		return http.StatusConflict
	case app.CodeForbidden:
		return http.StatusForbidden
	case app.CodeUnauthenticated:
		return http.StatusUnauthorized
	case app.CodeUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// headingOf is the error page's heading for a status (English, the translation key).
func headingOf(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "That cannot be done"
	case http.StatusUnauthorized:
		return "Sign in first"
	case http.StatusForbidden:
		return "Not allowed"
	case http.StatusNotFound:
		return "Not found"
	case http.StatusConflict:
		return "That no longer fits"
	case http.StatusRequestEntityTooLarge:
		return "Too large"
	case http.StatusTooManyRequests:
		return "Too many for now"
	case http.StatusServiceUnavailable:
		return "Not available now"
	}
	return "Something went wrong"
}

// notFound is the page of every address nothing else serves.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, s.translator(r), nil, &statusError{http.StatusNotFound, app.Errorf(app.CodeNotFound, "There is no page at this address")})
}
