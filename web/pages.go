package web

import (
	"errors"
	"fmt"
	"net/http"
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

// Render writes the page template page (templates/<page>.html) with data in the layout.
func (c *Context) Render(w http.ResponseWriter, page string, data any) error {
	return c.RenderStatus(w, http.StatusOK, page, data)
}

// RenderStatus is Render with a status (a form shown again with what was wrong: 422).
func (c *Context) RenderStatus(w http.ResponseWriter, status int, page string, data any) error {
	v := View{Operator: c.Operator, CSRF: c.CSRF, Data: data, tr: c.T}
	if f := c.takeFlash(); f != nil {
		v.Flash = &Flash{Text: f.text(c.T), Error: f.error}
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
		c.setFlash(flash{err: e, error: true})
	} else {
		c.s.log.Error("phone page", "path", c.r.URL.Path, "err", err)
		c.setFlash(flash{key: "Something went wrong on the server; the guard room can find it in the log", error: true})
	}
	http.Redirect(w, c.r, localPath(to, "/"), http.StatusSeeOther)
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
