package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"watchpost/app"
	"watchpost/assets/i18n"
)

// Pages are html/template files embedded from templates/: each page file defines "title"
// and "content", parsed with layout.html (the header, the message after a POST, the foot
// with the links, sign-out and the language switch). One style sheet, named by its
// content.

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
	err   error // an error's message, rendered as ErrText renders it (a list of problems too)
	error bool
}

// text renders the message in the page's language.
func (f *flash) text(tr i18n.Translator) string {
	if f.err != nil {
		return tr.ErrText(f.err)
	}
	return tr.Translate(f.key, f.args)
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

// static serves the style sheet.
func (s *Server) static(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/css; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=31536000, immutable") // its address changes with it
	_, _ = w.Write(appCSS)
}
