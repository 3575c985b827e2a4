package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestAPublicPageNeedsNoSignInButItsFormsTheirToken(t *testing.T) {
	e := newEnv(t)
	p := e.phone()
	page := p.get("/test/public")
	if page.status != http.StatusOK || !strings.Contains(page.body, `lang="zh-CN"`) || strings.Contains(page.body, `id="signout"`) {
		t.Fatalf("the public page: %d\n%s", page.status, page.body)
	}
	tok := csrfField.FindStringSubmatch(page.body)[1]
	for name, form := range map[string]url.Values{
		"no token":    {"note": {"x"}},
		"wrong token": {"csrf": {strings.Repeat("y", 43)}, "note": {"x"}},
	} {
		if a := p.post("/test/public", form); a.status != http.StatusForbidden {
			t.Errorf("%s: %d", name, a.status)
		}
	}
	if a := e.phone().post("/test/public", url.Values{"csrf": {tok}, "note": {"x"}}); a.status != http.StatusForbidden {
		t.Errorf("the token without its cookie: %d", a.status)
	}
	if got := e.stored(); len(got) != 0 {
		t.Fatalf("refused forms stored %v", got)
	}
	a := p.post("/test/public", url.Values{"csrf": {tok}, "note": {"路灯不亮"}})
	if a.status != http.StatusSeeOther || len(e.stored()) != 1 {
		t.Fatalf("the form with its token: %d, stored %v", a.status, e.stored())
	}
	if b := p.get("/test/public").body; !strings.Contains(b, "路灯不亮") || !strings.Contains(b, `class="flash"`) {
		t.Errorf("the message after the redirect:\n%s", b)
	}
	if b := p.get("/test/public").body; strings.Contains(b, `class="flash"`) {
		t.Error("the message is shown twice")
	}
	if e.srv.sessions.count() != 0 {
		t.Error("a public page opened a session")
	}
}
