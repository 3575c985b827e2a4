package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"watchpost/app"
	"watchpost/assets/i18n"
)

// Later pages (a grid worker's tasks, reporting a hazard, …) register with Page and get the
// signed-in account, the translator and the form token; they render a template of
// templates/ inside the common layout (Render), answer a POST with a redirect that carries a
// message to the next page (Redirect), and return an error to have it shown in the user's
// language on an error page. A page is two files' worth:
//
//	// orders.go
//	s.Page("GET /orders", app.ActOrderWork, func(w http.ResponseWriter, r *http.Request, c *web.Context) error {
//		list, err := c.Core.Orders.Mine(r.Context(), c.Operator)
//		if err != nil {
//			return err // an error page in the user's language
//		}
//		return c.Render(w, "orders", list)
//	}).Listed("My tasks")
//	s.Page("POST /orders/{id}/accept", app.ActOrderWork, func(w http.ResponseWriter, r *http.Request, c *web.Context) error {
//		if err := c.Core.Orders.Accept(r.Context(), c.Operator, r.PathValue("id")); err != nil {
//			c.RedirectError(w, "/orders/"+r.PathValue("id"), err)
//			return nil
//		}
//		c.Redirect(w, "/orders", "Order {{.ID}} accepted", "ID", r.PathValue("id"))
//		return nil
//	})
//
//	<!-- templates/orders.html: "title" and "content"; the page's own data is .Data -->
//	{{define "title"}}{{.T "My tasks"}}{{end}}
//	{{define "content"}}
//	{{range .Data}}<a href="/orders/{{.ID}}">{{.Title}}</a>{{end}}
//	<form method="post" action="/orders/7/accept" enctype="multipart/form-data">
//	{{template "csrf" .}}
//	<input type="file" name="photo" accept="image/*" capture="environment" multiple>
//	<button type="submit">{{.T "Accept"}}</button>
//	</form>
//	{{end}}
//
// Every form needs {{template "csrf" .}} (inside a {{with}} or {{range}}: {{template "csrf"
// $}}); the texts of templates go through {{.T "English" "Field" value …}} (or $.T), and
// their zh-CN translations are checked by TestEveryPhoneTextHasAChineseTranslation. No
// script and no inline style: the Content-Security-Policy refuses them.

var (
	//go:embed templates/*.html
	templateFS embed.FS
	//go:embed static/app.css
	appCSS []byte
	// cssURL names the style sheet by its content, so a phone never keeps an old one.
	cssURL = func() string {
		sum := sha256.Sum256(appCSS)
		return "/static/app.css?v=" + hex.EncodeToString(sum[:6])
	}()
)

// Handler serves a page for a signed-in account. An error it returns is shown on an error
// page (an *app.Error in the user's language, with the status its code calls for).
type Handler func(w http.ResponseWriter, r *http.Request, c *Context) error

// Context is what a page handler gets besides the request.
type Context struct {
	// Operator is the signed-in account, as stored now (its role, name, …).
	Operator *app.Operator
	// T renders texts and the core's messages in the user's language.
	T i18n.Translator
	// CSRF is the token each form of the page carries in a hidden field named CSRFField
	// (the layout's {{template "csrf" .}} writes it).
	CSRF string
	// Core is the core the page acts through.
	Core *app.Core

	s   *Server
	r   *http.Request
	sid string
}

// Route is a registered page.
type Route struct {
	pattern string
	path    string
	needs   app.Action
	title   string
}

// Page registers a page: pattern as http.ServeMux reads it ("GET /orders", "POST
// /orders/{id}/accept"), needs the action the account's role must allow (app.Authorize;
// "" lets every signed-in account in). Every request is signed in (else it is sent to the
// sign-in page), and every request but GET and HEAD carries its form token (else it is
// refused before h runs).
func (s *Server) Page(pattern string, needs app.Action, h Handler) *Route {
	rt := &Route{pattern: pattern, needs: needs}
	s.mux.Handle(pattern, s.authed(needs, false, h))
	s.mu.Lock()
	s.routes = append(s.routes, rt)
	s.mu.Unlock()
	return rt
}

// Listed puts the page on the home page under title (English, the translation key), for
// the accounts whose role allows its action. Only a GET page without wildcards can be
// listed.
func (rt *Route) Listed(title string) *Route {
	method, p, ok := strings.Cut(rt.pattern, " ")
	if !ok || method != http.MethodGet || strings.ContainsAny(p, "{}") || !strings.HasPrefix(p, "/") {
		panic(fmt.Sprintf("web: only a GET page without wildcards can be listed on the home page, not %q", rt.pattern))
	}
	rt.path, rt.title = p, title
	return rt
}

// View is the data of every template: the layout's and, in Data, the page's own.
type View struct {
	Lang     string
	Site     string
	Operator *app.Operator
	CSRF     string
	// Path is the page's own address (the language switch comes back to it); empty: the
	// request's.
	Path  string
	Flash *Flash
	Data  any
	CSS   string
	tr    i18n.Translator
}

// Flash is a message shown once on the page after a POST.
type Flash struct {
	Text  string
	Error bool
}

// flash is a message kept in the session until the next page renders it in the language
// of that page.
type flash struct {
	key   string
	args  map[string]any
	error bool
}

// T translates a text of a template: {{.T "Signed in as {{.N}}" "N" .Operator.Name}}.
func (v View) T(key string, kv ...any) string { return v.tr.Translate(key, pairs(kv)) }

// Err renders an error in the page's language.
func (v View) Err(err error) string { return v.tr.ErrText(err) }

// RoleLabel is the signed-in account's role in the page's language.
func (v View) RoleLabel() string {
	if v.Operator == nil {
		return ""
	}
	return v.tr.T(v.Operator.Role.Label())
}

// LangChoice is the language the switch offers: its code, and its name in itself (each
// language names itself, so a phone set to the wrong one finds the way back).
type LangChoice struct{ Code, Name string }

// OtherLang is the language the switch at the foot of the page offers.
func (v View) OtherLang() LangChoice {
	if v.Lang == i18n.English {
		return LangChoice{i18n.Chinese, "中文"}
	}
	return LangChoice{i18n.English, "English"}
}

func pairs(kv []any) map[string]any {
	if len(kv) == 0 {
		return nil
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[fmt.Sprint(kv[i])] = kv[i+1]
	}
	return m
}

// parsePages parses each page of templates/ with the layout: page "home" is
// templates/home.html, which defines "title" and "content".
func parsePages() (map[string]*template.Template, error) {
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, f := range files {
		if path.Base(f) == "layout.html" {
			continue
		}
		t, err := template.New("layout.html").ParseFS(templateFS, "templates/layout.html", f)
		if err != nil {
			return nil, err
		}
		pages[strings.TrimSuffix(path.Base(f), ".html")] = t
	}
	return pages, nil
}

// render writes a page: the whole page or, when it cannot be made, an error page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, v View) {
	t, ok := s.pages[page]
	if !ok {
		s.fail(w, r, v.tr, v.Operator, app.Errorf(app.CodeInternal, "The page {{.P}} does not exist", "P", page))
		return
	}
	v.Lang, v.CSS = v.tr.Lang(), cssURL
	if v.Path == "" {
		v.Path = r.URL.RequestURI()
	}
	v.Site = s.siteName(v.tr)
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", v); err != nil {
		s.log.Error("phone page", "page", page, "err", err)
		if page != "error" {
			s.fail(w, r, v.tr, v.Operator, app.Errorf(app.CodeInternal, "The page {{.P}} could not be made", "P", page).Wrap(err))
		} else {
			http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		}
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store") // a shared phone's back button shows no one else's page
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

func (s *Server) siteName(tr i18n.Translator) string {
	if s.core.Inventory != nil {
		if site := s.core.Inventory.Site(); site != nil {
			return site.Display(tr.English())
		}
	}
	return tr.T("Watchpost")
}

// Render writes the page template page (templates/<page>.html) with data in the layout.
func (c *Context) Render(w http.ResponseWriter, page string, data any) error {
	return c.RenderStatus(w, http.StatusOK, page, data)
}

// RenderStatus is Render with a status (a form shown again with what was wrong: 422).
func (c *Context) RenderStatus(w http.ResponseWriter, status int, page string, data any) error {
	v := View{Operator: c.Operator, CSRF: c.CSRF, Data: data, tr: c.T}
	if f := c.takeFlash(); f != nil {
		v.Flash = &Flash{Text: c.T.Translate(f.key, f.args), Error: f.error}
	}
	c.s.render(w, c.r, status, page, v)
	return nil
}

// Redirect answers a POST by sending the phone to the page to (a path on this server) with
// message (English, the translation key; "" for none) shown once there: a reload of that
// page sends nothing again.
func (c *Context) Redirect(w http.ResponseWriter, to string, message string, kv ...any) {
	if message != "" {
		c.setFlash(flash{key: message, args: pairs(kv)})
	}
	http.Redirect(w, c.r, localPath(to, "/"), http.StatusSeeOther)
}

// RedirectError is Redirect with a message that says what went wrong (shown as an error).
func (c *Context) RedirectError(w http.ResponseWriter, to string, err error) {
	var e *app.Error
	if errors.As(err, &e) {
		c.setFlash(flash{key: e.Message, args: e.Args, error: true})
	} else {
		c.s.log.Error("phone page", "path", c.r.URL.Path, "err", err)
		c.setFlash(flash{key: "Something went wrong on the server; the guard room can find it in the log", error: true})
	}
	http.Redirect(w, c.r, localPath(to, "/"), http.StatusSeeOther)
}

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
	case http.StatusServiceUnavailable:
		return "Not available now"
	}
	return "Something went wrong"
}

// homeLink is a page listed on the home page.
type homeLink struct {
	Path, Title string
}

// home lists the pages the account's role may open.
func (s *Server) home(w http.ResponseWriter, r *http.Request, c *Context) error {
	s.mu.Lock()
	routes := append([]*Route(nil), s.routes...)
	s.mu.Unlock()
	var links []homeLink
	for _, rt := range routes {
		if rt.title == "" || (rt.needs != "" && app.Authorize(c.Operator, rt.needs) != nil) {
			continue
		}
		links = append(links, homeLink{Path: rt.path, Title: c.T.T(rt.title)})
	}
	return c.Render(w, "home", links)
}

// notFound is the page of every address nothing else serves.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, s.translator(r), nil, &statusError{http.StatusNotFound, app.Errorf(app.CodeNotFound, "There is no page at this address")})
}

// static serves the style sheet.
func (s *Server) static(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/css; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=31536000, immutable") // its address changes with it
	_, _ = w.Write(appCSS)
}
