package web

import (
	"net/http"
	"strings"

	"watchpost/assets/i18n"
)

// The pages speak Chinese first: the site's configured language when it names one, else
// zh-CN; a phone may switch to English (or back) with the switch at the foot of every
// page, kept in a cookie of its own (the choice of a phone, not of an account: a property
// office's shared phone is used by several people).

// LangCookie keeps a phone's choice of language.
const LangCookie = "__Host-wp-lang"

// language is the language of the request's pages.
func (s *Server) language(r *http.Request) string {
	if c, err := r.Cookie(LangCookie); err == nil && (c.Value == i18n.Chinese || c.Value == i18n.English) {
		return c.Value
	}
	if s.core.Settings != nil {
		if l := s.core.Settings.Get().Language; l == i18n.Chinese || l == i18n.English {
			return l
		}
	}
	return i18n.Chinese
}

func (s *Server) translator(r *http.Request) i18n.Translator { return i18n.For(s.language(r)) }

// switchLanguage keeps the chosen language and goes back to the page it was chosen on.
// The form carries the session's token, or on the sign-in page the pre-session one.
func (s *Server) switchLanguage(w http.ResponseWriter, r *http.Request) {
	smallForm(w, r)
	want := preTokenOf(r)
	if c, err := r.Cookie(SessionCookie); err == nil {
		if sess, ok := s.sessions.use(c.Value); ok {
			want = sess.csrf
		}
	}
	if err := checkToken(r, want); err != nil {
		s.fail(w, r, s.translator(r), nil, err)
		return
	}
	lang := r.PostFormValue("lang")
	if lang != i18n.Chinese && lang != i18n.English {
		lang = i18n.Chinese
	}
	http.SetCookie(w, &http.Cookie{Name: LangCookie, Value: lang, Path: "/", Secure: true, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, MaxAge: 365 * 24 * 3600})
	http.Redirect(w, r, localPath(r.PostFormValue("next"), "/"), http.StatusSeeOther)
}

// localPath is p when it is a path on this server, else fallback: a "next" from a form or
// an address never sends a phone to another site.
func localPath(p, fallback string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, `/\`) ||
		strings.ContainsAny(p, "\r\n\\") {
		return fallback
	}
	return p
}
