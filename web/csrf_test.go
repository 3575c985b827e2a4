package web

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"watchpost/app"
)

func TestAFormWithoutItsTokenIsRefusedAndStoresNothing(t *testing.T) {
	e := newEnv(t)
	e.account("wang", app.RoleOperator)
	e.account("li", app.RoleOperator)
	p := e.phone()
	p.signedIn("wang")
	tok := p.token("/test/note")
	other := e.phone()
	other.signedIn("li")
	otherTok := other.token("/test/note")
	for name, form := range map[string]url.Values{
		"no token":                 {"note": {"x"}},
		"empty token":              {"csrf": {""}, "note": {"x"}},
		"wrong token":              {"csrf": {wrongToken(tok)}, "note": {"x"}},
		"another session's token":  {"csrf": {otherTok}, "note": {"x"}},
		"a sign-in form's token":   {"csrf": {e.phone().token("/signin")}, "note": {"x"}},
		"the session ID for token": {"csrf": {cookieValue(p.c.Jar.Cookies(mustURL(e.base)), SessionCookie)}, "note": {"x"}},
	} {
		a := p.post("/test/note", form)
		if a.status != http.StatusForbidden || !strings.Contains(a.body, "此表单已过期或并非来自本站页面，什么也没有保存") {
			t.Errorf("%s: %d\n%s", name, a.status, a.body)
		}
	}
	// The token in the address instead of the body.
	req, _ := http.NewRequest(http.MethodPost, e.base+"/test/note?csrf="+url.QueryEscape(tok), strings.NewReader("note=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if a := p.do(req); a.status != http.StatusForbidden {
		t.Errorf("the token in the address: %d", a.status)
	}
	// The right token, but the browser says another site sent the form.
	req, _ = http.NewRequest(http.MethodPost, e.base+"/test/note", strings.NewReader(url.Values{"csrf": {tok}, "note": {"x"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if a := p.do(req); a.status != http.StatusForbidden || !strings.Contains(a.body, "什么也没有保存") {
		t.Errorf("a cross-site form: %d\n%s", a.status, a.body)
	}
	// A form with files is checked the same way.
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, _ := mw.CreateFormFile("photo", "a.jpg")
	fw.Write(jpegBytes(t, 64, 48))
	mw.Close()
	req, _ = http.NewRequest(http.MethodPost, e.base+"/test/photos", &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if a := p.do(req); a.status != http.StatusForbidden {
		t.Errorf("photos without the token: %d", a.status)
	}
	if got := e.stored(); len(got) != 0 {
		t.Fatalf("refused forms stored %v", got)
	}
	// With its token the form is taken, and its message shown once on the next page.
	a := p.post("/test/note", url.Values{"csrf": {tok}, "note": {"水管漏水"}})
	if a.status != http.StatusSeeOther || a.location != "/test/note" {
		t.Fatalf("the form with its token: %d → %q\n%s", a.status, a.location, a.body)
	}
	if got := e.stored(); len(got) != 1 || got[0] != "水管漏水" {
		t.Errorf("stored %v", got)
	}
	if b := p.get("/test/note").body; !strings.Contains(b, `class="flash"`) || !strings.Contains(b, "水管漏水") {
		t.Errorf("the message after the redirect is not shown:\n%s", b)
	}
	if b := p.get("/test/note").body; strings.Contains(b, `class="flash"`) {
		t.Error("the message is shown twice")
	}
}

func TestTheLanguageSwitchIsAFormWithItsToken(t *testing.T) {
	e := newEnv(t)
	p := e.phone()
	// Before signing in: the pre-session token.
	page := p.get("/signin")
	if !strings.Contains(page.body, `<html lang="zh-CN">`) || !strings.Contains(page.body, "登录") {
		t.Fatalf("the sign-in page is not in Chinese first:\n%s", page.body)
	}
	tok := csrfField.FindStringSubmatch(page.body)[1]
	if a := p.post("/lang", url.Values{"lang": {"en"}, "next": {"/signin"}}); a.status != http.StatusForbidden {
		t.Errorf("a switch without its token: %d", a.status)
	}
	a := p.post("/lang", url.Values{"csrf": {tok}, "lang": {"en"}, "next": {"https://evil.example/"}})
	if a.status != http.StatusSeeOther || a.location != "/" {
		t.Errorf("a switch to another site's address: %d → %q", a.status, a.location)
	}
	a = p.post("/lang", url.Values{"csrf": {tok}, "lang": {"en"}, "next": {"/signin?why=ended"}})
	if a.location != "/signin?why=ended" {
		t.Errorf("the switch goes to %q", a.location)
	}
	if b := p.get(a.location).body; !strings.Contains(b, `<html lang="en">`) || !strings.Contains(b, "Your session ended: sign in again") || !strings.Contains(b, ">中文</button>") {
		t.Errorf("the page after the switch:\n%s", b)
	}
}

func TestLocalPathKeepsPhonesOnThisServer(t *testing.T) {
	for in, want := range map[string]string{
		"/orders": "/orders", "/orders?x=1": "/orders?x=1", "": "/", "orders": "/", "//evil.example": "/",
		`/\evil.example`: "/", "https://evil.example/": "/", "/a\r\nSet-Cookie: x": "/", "/a\\b": "/",
	} {
		if got := localPath(in, "/"); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// wrongToken is tok with its last character changed (a token's last character is "A" one
// time in sixteen: replacing it by "A" alone would leave it right).
func wrongToken(tok string) string {
	last := "A"
	if strings.HasSuffix(tok, "A") {
		last = "B"
	}
	return tok[:len(tok)-1] + last
}
