package web

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"watchpost/app"
	"watchpost/testkit"
)

func TestEveryAnswerCarriesTheSecurityHeaders(t *testing.T) {
	e := newEnv(t)
	e.account("wang", app.RoleOperator)
	p := e.phone()
	check := func(what string, a answer) {
		t.Helper()
		for k, want := range map[string]string{
			"Strict-Transport-Security": "max-age=31536000",
			"Content-Security-Policy":   ContentSecurityPolicy,
			"X-Frame-Options":           "DENY",
			"Referrer-Policy":           "no-referrer",
			"X-Content-Type-Options":    "nosniff",
		} {
			if got := a.header.Get(k); got != want {
				t.Errorf("%s: %s is %q, want %q", what, k, got, want)
			}
		}
	}
	check("the sign-in page", p.get("/signin"))
	check("a redirect", p.get("/"))
	check("an unknown page", p.get("/no/such/page"))
	check("the style sheet", p.get(cssURL))
	p.signedIn("wang")
	home := p.get("/")
	check("home", home)
	if home.header.Get("Cache-Control") != "no-store" {
		t.Error("a signed-in page may be cached")
	}
	for _, want := range []string{"frame-ancestors 'none'", "default-src 'none'", "form-action 'self'"} {
		if !strings.Contains(ContentSecurityPolicy, want) {
			t.Errorf("the policy lacks %s", want)
		}
	}
	if strings.Contains(ContentSecurityPolicy, "script-src") || strings.Contains(ContentSecurityPolicy, "unsafe") {
		t.Error("the policy lets scripts run: the pages have none")
	}
	// The pages use no script and no inline style (the policy would block them).
	for _, page := range []string{home.body, p.get("/password").body} {
		if strings.Contains(page, "<script") || strings.Contains(page, "style=") || strings.Contains(page, "<style") {
			t.Errorf("a page has a script or an inline style:\n%s", page)
		}
	}
}

func TestTheLimitsAreThoseOfTheConstants(t *testing.T) {
	e := newEnv(t)
	hs := e.srv.httpServer()
	if hs.ReadHeaderTimeout != ReadHeaderTimeout || hs.ReadTimeout != ReadTimeout || hs.WriteTimeout != WriteTimeout ||
		hs.IdleTimeout != IdleTimeout || hs.MaxHeaderBytes != MaxHeaderBytes {
		t.Errorf("the server's limits: %+v", hs)
	}
	if WriteTimeout <= ReadTimeout {
		t.Error("WriteTimeout must leave time after the slowest upload")
	}
	if MaxUploadBytes < MaxPhotosPerPost*(15<<20) || MaxFormBytes > 1<<20 {
		t.Error("the body limits do not fit the photos or are too large for a form")
	}
	if hs.TLSConfig.MinVersion < tls.VersionTLS12 {
		t.Error("TLS below 1.2 is served")
	}
}

func TestTooLargeHeadersAndFormsAreRefused(t *testing.T) {
	e := newEnv(t)
	e.account("wang", app.RoleOperator)
	p := e.phone()
	req, _ := http.NewRequest(http.MethodGet, e.base+"/signin", nil)
	req.Header.Set("X-Padding", strings.Repeat("a", MaxHeaderBytes+8<<10))
	if a := p.do(req); a.status != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("headers over MaxHeaderBytes: %d", a.status)
	}
	p.signedIn("wang")
	tok := p.token("/test/note")
	a := p.post("/test/note", url.Values{"csrf": {tok}, "note": {strings.Repeat("长", MaxFormBytes/3+1)}})
	if a.status != http.StatusRequestEntityTooLarge || !strings.Contains(a.body, "提交的内容过大") {
		t.Errorf("a form over MaxFormBytes: %d\n%.300s", a.status, a.body)
	}
	if got := e.stored(); len(got) != 0 {
		t.Errorf("stored %v", got)
	}
	a = p.post("/test/note", url.Values{"csrf": {tok}, "note": {strings.Repeat("x", MaxFormBytes-200)}})
	if a.status != http.StatusSeeOther {
		t.Errorf("a form just under MaxFormBytes: %d", a.status)
	}
}

func TestASilentConnectionIsDropped(t *testing.T) {
	// ReadHeaderTimeout shortened, so the test does not wait ten seconds.
	clock := testkit.NewClock(start)
	kit := testkit.New(t, testkit.Options{Clock: clock})
	srv, err := New(Options{Core: kit.Core, DataDir: t.TempDir(), Config: Config{Listen: "127.0.0.1:0"}, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	srv.limits.readHeader = 300 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	defer func() { cancel(); <-done }()
	waitListening(t, srv)
	conn, err := tls.Dial("tcp", srv.Addr(), &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.Write([]byte("GET /signin HTTP/1.1\r\nHost: x\r\n")) // and never the end of the headers
	_ = conn.SetReadDeadline(time.Now().Add(15 * time.Second))
	_, err = io.ReadAll(bufio.NewReader(conn))
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("the server kept a connection that never finished its headers")
	}
}

func TestRunStopsWhenItsContextEnds(t *testing.T) {
	clock := testkit.NewClock(start)
	kit := testkit.New(t, testkit.Options{Clock: clock})
	srv, err := New(Options{Core: kit.Core, DataDir: t.TempDir(), Config: Config{Listen: "127.0.0.1:0"}, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	waitListening(t, srv)
	addr := srv.Addr()
	// A second server on the same address fails to start, and says where.
	srv2, _ := New(Options{Core: kit.Core, DataDir: t.TempDir(), Config: Config{Listen: addr}, Log: slog.New(slog.DiscardHandler)})
	if err := srv2.Run(context.Background()); err == nil || !strings.Contains(err.Error(), addr) {
		t.Errorf("a second server on %s: %v", addr, err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run after its context ended: %v", err)
		}
	case <-time.After(ShutdownGrace + 15*time.Second):
		t.Fatal("Run did not return")
	}
	if _, err := net.Dial("tcp", addr); err == nil {
		t.Error("still listening after Run returned")
	}
}

func TestNewRefusesAConfigurationThatDoesNotHold(t *testing.T) {
	kit := testkit.New(t, testkit.Options{})
	_, err := New(Options{Core: kit.Core, DataDir: t.TempDir(), Config: Config{Listen: "0.0.0.0:8443"}})
	if err == nil || !strings.Contains(err.Error(), "allow_remote") {
		t.Errorf("every address without allow_remote: %v", err)
	}
	if _, err := New(Options{DataDir: t.TempDir()}); err == nil {
		t.Error("a server without the core")
	}
}

func TestUnknownAddressesAndErrorsSpeakTheUsersLanguage(t *testing.T) {
	e := newEnv(t)
	e.account("wang", app.RoleOperator)
	p := e.phone()
	a := p.get("/no/such/page")
	if a.status != http.StatusNotFound || !strings.Contains(a.body, "此地址没有页面") {
		t.Errorf("an unknown page: %d\n%s", a.status, a.body)
	}
	p.signedIn("wang")
	a = p.get("/test/fail")
	if a.status != http.StatusNotFound || !strings.Contains(a.body, "页面 cam-9 不存在") || !strings.Contains(a.body, "返回首页") {
		t.Errorf("a page's error: %d\n%s", a.status, a.body)
	}
	// The error page's own forms (sign-out, the language) carry the session's token.
	tok := p.token("/test/fail")
	if a := p.post("/lang", url.Values{"csrf": {tok}, "lang": {"en"}, "next": {"/"}}); a.status != http.StatusSeeOther {
		t.Fatalf("the language switch of an error page: %d", a.status)
	}
	a = p.get("/test/fail")
	if !strings.Contains(a.body, "The page cam-9 does not exist") || !strings.Contains(a.body, "Not found") {
		t.Errorf("the error in English:\n%s", a.body)
	}
}

func TestURLIsTheConfiguredAddressOrTheListeningOne(t *testing.T) {
	e := newEnv(t)
	if got, want := e.srv.URL(), "https://"+e.srv.Addr()+"/"; got != want {
		t.Errorf("URL %q, want %q", got, want)
	}
	e2 := newEnv(t, func(o *Options) { o.Config.BaseURL = "https://192.168.1.10:8443" })
	if got := e2.srv.URL(); got != "https://192.168.1.10:8443/" {
		t.Errorf("URL with a base URL: %q", got)
	}
}
