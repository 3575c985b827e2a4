package web

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"watchpost/app"
	"watchpost/testkit"
)

// The tests run the server as the engine does (New, then Run on a loopback port) on a real
// core (testkit: app.NewCore on a temporary SQLite file with the demo community), on a
// clock that stands still until a test moves it, so that sessions end exactly when they
// should without a test sleeping.

// goodPassword passes the password policy.
const goodPassword = "Gate-Keeper-2041"

var start = time.Date(2026, 12, 7, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))

type env struct {
	t     *testing.T
	kit   *testkit.Env
	clock *testkit.Clock
	srv   *Server
	base  string
	pool  *x509.CertPool
	// notes is what the test page "POST /test/note" and "POST /test/photos" stored.
	mu    sync.Mutex
	notes []string
}

// newEnv starts a server on its own core; setup may change the options before New.
func newEnv(t *testing.T, setup ...func(*Options)) *env {
	t.Helper()
	clock := testkit.NewClock(start)
	kit := testkit.New(t, testkit.Options{Clock: clock})
	o := Options{Core: kit.Core, DataDir: t.TempDir(), Config: Config{Listen: "127.0.0.1:0"}, Log: slog.New(slog.DiscardHandler)}
	for _, f := range setup {
		f(&o)
	}
	srv, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	e := &env{t: t, kit: kit, clock: clock, srv: srv}
	e.registerTestPages()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("Run did not return after its context ended")
		}
	})
	waitListening(t, srv)
	e.base = "https://" + srv.Addr()
	e.pool = x509.NewCertPool()
	e.pool.AddCert(srv.cert.tls.Leaf)
	return e
}

// waitListening waits (15 s at most) for Run to listen.
func waitListening(t *testing.T, srv *Server) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for srv.Addr() == "" {
		if time.Now().After(deadline) {
			t.Fatal("the server did not start listening")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// registerTestPages adds the pages the tests post to: a note (a plain form), photos (a
// form with files), a page only administrators may open, and a listed page.
func (e *env) registerTestPages() {
	t := template.Must(template.New("layout.html").ParseFS(templateFS, "templates/layout.html"))
	e.srv.pages["testform"] = template.Must(t.Parse(testForm))
	e.srv.Page("GET /test/note", "", func(w http.ResponseWriter, r *http.Request, c *Context) error {
		return c.Render(w, "testform", nil)
	})
	e.srv.Page("POST /test/note", "", func(w http.ResponseWriter, r *http.Request, c *Context) error {
		e.mu.Lock()
		e.notes = append(e.notes, r.PostFormValue("note"))
		e.mu.Unlock()
		c.Redirect(w, "/test/note", "Saved: {{.N}}", "N", r.PostFormValue("note"))
		return nil
	})
	e.srv.Page("POST /test/photos", "", func(w http.ResponseWriter, r *http.Request, c *Context) error {
		ps, err := c.Photos("photo")
		if err != nil {
			return err
		}
		e.mu.Lock()
		for _, p := range ps {
			e.notes = append(e.notes, "photo "+strconv.Itoa(p.Width)+"x"+strconv.Itoa(p.Height))
		}
		e.mu.Unlock()
		c.Redirect(w, "/test/note", "Saved: {{.N}}", "N", strconv.Itoa(len(ps))+" photos")
		return nil
	})
	e.srv.Page("GET /test/admin", app.ActManageOperators, func(w http.ResponseWriter, r *http.Request, c *Context) error {
		return c.Render(w, "testform", nil)
	}).Listed("Manage operators (test)")
	e.srv.Page("GET /test/view", app.ActView, func(w http.ResponseWriter, r *http.Request, c *Context) error {
		return c.Render(w, "testform", nil)
	}).Listed("Overview (test)")
	e.srv.PublicPage("GET /test/public", func(w http.ResponseWriter, r *http.Request, c *Context) error {
		return c.Render(w, "testform", nil)
	})
	e.srv.PublicPage("POST /test/public", func(w http.ResponseWriter, r *http.Request, c *Context) error {
		e.mu.Lock()
		e.notes = append(e.notes, "public "+r.PostFormValue("note"))
		e.mu.Unlock()
		c.Redirect(w, "/test/public", "Saved: {{.N}}", "N", r.PostFormValue("note"))
		return nil
	})
	e.srv.Page("POST /test/problems", "", func(w http.ResponseWriter, r *http.Request, c *Context) error {
		var p app.Problems
		p.Add("a", "The photo {{.Name}} is empty", "Name", "a.jpg")
		p.Add("b", "Send at most {{.N}} photos at once", "N", 4)
		c.RedirectError(w, "/test/note", p.Err())
		return nil
	})
	e.srv.Page("GET /test/fail", "", func(w http.ResponseWriter, r *http.Request, c *Context) error {
		return app.Errorf(app.CodeNotFound, "The page {{.P}} does not exist", "P", "cam-9")
	})
}

func (e *env) stored() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.notes...)
}

// testForm is the test pages' template: a note, and photos.
const testForm = `{{define "title"}}Test form{{end}}
{{define "content"}}
<form method="post" action="/test/note" id="note">
{{template "csrf" .}}
<input name="note" id="note-text">
<button type="submit" id="note-send">Save</button>
</form>
<form method="post" action="/test/photos" enctype="multipart/form-data" id="photos">
{{template "csrf" .}}
<input type="file" name="photo" id="photo" accept="image/*" multiple>
<button type="submit" id="photo-send">Send</button>
</form>
{{end}}`

// account creates an account with goodPassword.
func (e *env) account(username string, role app.Role) app.Operator {
	e.t.Helper()
	op, err := e.kit.Core.Accounts.Create(context.Background(), nil, app.Operator{Username: username, Name: "测试 " + username, Role: role}, goodPassword)
	if err != nil {
		e.t.Fatal(err)
	}
	return op
}

// phone is a browser without a page: a cookie jar, our certificate trusted, redirects not
// followed (the tests look at them).
type phone struct {
	e      *env
	c      *http.Client
}

func (e *env) phone() *phone {
	jar, _ := cookiejar.New(nil)
	return &phone{e: e, c: &http.Client{
		Jar:       jar,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: e.pool}},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
		Timeout: 60 * time.Second,
	}}
}

type answer struct {
	status   int
	location string
	body     string
	header   http.Header
}

func (p *phone) do(req *http.Request) answer {
	p.e.t.Helper()
	res, err := p.c.Do(req)
	if err != nil {
		p.e.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return answer{status: res.StatusCode, location: res.Header.Get("Location"), body: string(b), header: res.Header}
}

func (p *phone) get(path string) answer {
	p.e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, p.e.base+path, nil)
	return p.do(req)
}

func (p *phone) post(path string, form url.Values) answer {
	p.e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, p.e.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return p.do(req)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// token is the form token of the page at path.
func (p *phone) token(path string) string {
	p.e.t.Helper()
	a := p.get(path)
	m := csrfField.FindStringSubmatch(a.body)
	if m == nil {
		p.e.t.Fatalf("GET %s (%d) has no form token:\n%s", path, a.status, a.body)
	}
	return m[1]
}

// signIn signs in and returns the answer to the form.
func (p *phone) signIn(username, password string) answer {
	p.e.t.Helper()
	return p.post("/signin", url.Values{"csrf": {p.token("/signin")}, "username": {username}, "password": {password}})
}

// signedIn signs in and fails the test unless it worked.
func (p *phone) signedIn(username string) {
	p.e.t.Helper()
	if a := p.signIn(username, goodPassword); a.status != http.StatusSeeOther || a.location != "/" {
		p.e.t.Fatalf("sign-in of %s: %d → %q\n%s", username, a.status, a.location, a.body)
	}
}

// journal returns the entries of those kinds.
func (e *env) journal(kinds ...app.EntryKind) []app.Entry {
	e.t.Helper()
	es, err := e.kit.Store.Query(context.Background(), app.JournalQuery{Kinds: kinds})
	if err != nil {
		e.t.Fatal(err)
	}
	return es
}
