// Package web serves the phone pages: grid workers (网格员), property staff (物业) and
// maintenance sign in from a phone browser on the site's network. Pages are rendered on the
// server (net/http, html/template, embed), need no JavaScript, and reach the core only
// through its services, as the console does: every action is authorized and journaled
// there. This file holds the server and its limits; tls.go the certificate, session.go the
// sessions, csrf.go the forms' tokens, signin.go signing in and out, throttle.go the
// per-device slow-down, pages.go the page framework later pages register with, photos.go
// the upload of photos (processed by web/photo).
package web

import (
	"context"
	"errors"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"watchpost/app"
	"watchpost/web/photo"
)

// Limits of the server. Each is a named constant so that a reviewer finds them in one
// place and the tests check each.
const (
	// ReadHeaderTimeout drops a client that does not finish its request line and headers
	// (a connection held open by sending nothing).
	ReadHeaderTimeout = 10 * time.Second
	// ReadTimeout bounds reading a whole request: MaxPhotosPerPost photos over a poor mobile
	// link (60 MB at 200 KB/s is five minutes).
	ReadTimeout = 5 * time.Minute
	// WriteTimeout bounds a request from its headers to the end of its answer, so it covers
	// the reading of the body and the processing of its photos too.
	WriteTimeout = ReadTimeout + time.Minute
	// IdleTimeout closes a kept-alive connection nobody uses.
	IdleTimeout = 2 * time.Minute
	// MaxHeaderBytes bounds the request line and headers.
	MaxHeaderBytes = 16 << 10
	// MaxFormBytes bounds the body of a plain form.
	MaxFormBytes = 64 << 10
	// MaxPhotosPerPost is how many photos one form may send.
	MaxPhotosPerPost = 4
	// MaxUploadBytes bounds the body of a form with photos: MaxPhotosPerPost photos of
	// photo.MaxBytes, and the form's other fields.
	MaxUploadBytes = MaxPhotosPerPost*photo.MaxBytes + 1<<20
	// MultipartMemory is how much of an upload is held in memory; the rest waits in
	// temporary files, which net/http removes when the request ends.
	MultipartMemory = 8 << 20
	// ShutdownGrace is how long requests under way may finish when the server stops.
	ShutdownGrace = 10 * time.Second
	// sweepEvery is how often ended sessions are dropped.
	sweepEvery = time.Minute
)

// ContentSecurityPolicy allows what the pages use and nothing else: their own style
// sheet, their own pictures (photos are served by the pages) and forms posting to
// themselves. No script runs at all; no other site may frame them. A page that needs more
// changes this one line, and the test that reads it.
const ContentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// Options are what a Server is built from.
type Options struct {
	Config Config
	// Core is the core the pages act through (accounts now; orders, reports later).
	Core *app.Core
	// DataDir is where the server keeps the certificate it makes (CertDir).
	DataDir string
	// Clock times sessions and the throttle; default: the core's.
	Clock app.Clock
	Log   *slog.Logger
}

// Server serves the phone pages. It is a runner (Run); pages are registered on it with Page
// before or while it runs.
type Server struct {
	cfg      Config
	core     *app.Core
	clock    app.Clock
	log      *slog.Logger
	cert     certificate
	mux      *http.ServeMux
	sessions *sessions
	throttle *throttle
	anon     *anonFlashes // the public pages' messages (public.go)
	plans    plans        // the site plan's pictures (plan.go)
	reports  *rateLimit   // residents' reports (resident_limit.go)
	misses   *rateLimit   // receipt numbers that name no report
	handler  http.Handler
	pages    map[string]*template.Template

	mu     sync.Mutex
	routes []*Route
	addr   string

	// timeouts of the http.Server; the constants above, which a test shortens.
	limits limits
}

type limits struct {
	readHeader, read, write, idle time.Duration
}

// New builds the server: it checks the configuration and loads or makes the certificate,
// so that what is wrong is said before anything runs.
func New(o Options) (*Server, error) {
	if o.Core == nil {
		return nil, app.Errorf(app.CodeInternal, "The phone pages need the core")
	}
	if err := o.Config.Validate(); err != nil {
		return nil, err
	}
	if o.Clock == nil {
		o.Clock = o.Core.Clock
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	cfg := o.Config.WithDefaults()
	pages, err := parsePages()
	if err != nil {
		return nil, app.Errorf(app.CodeInternal, "The phone pages' templates do not parse").Wrap(err)
	}
	cert, err := loadCertificate(cfg, o.DataDir, o.Clock.Now())
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, core: o.Core, clock: o.Clock, log: o.Log, cert: cert, mux: http.NewServeMux(), pages: pages,
		sessions: newSessions(o.Clock), throttle: newThrottle(o.Clock), anon: newAnonFlashes(o.Clock),
		limits: limits{readHeader: ReadHeaderTimeout, read: ReadTimeout, write: WriteTimeout, idle: IdleTimeout}}
	s.routesOwn()
	s.routesTasks()
	s.routesOrder()
	s.routesReport()
	s.routesResident()
	s.handler = s.secure(s.mux)
	return s, nil
}

// routesOwn registers the server's own pages: signing in and out, the password, the
// language, the style sheet, home and the page of every unknown address.
func (s *Server) routesOwn() {
	s.mux.HandleFunc("GET /static/app.css", s.static)
	s.mux.HandleFunc("GET /signin", s.signInPage)
	s.mux.Handle("POST /signin", s.crossOrigin(http.HandlerFunc(s.signIn)))
	s.mux.Handle("POST /lang", s.crossOrigin(http.HandlerFunc(s.switchLanguage)))
	s.mux.Handle("POST /signout", s.authed("", true, s.signOut))
	s.mux.Handle("GET /password", s.authed("", true, s.passwordPage))
	s.mux.Handle("POST /password", s.authed("", true, s.changePassword))
	s.mux.Handle("GET /{$}", s.authed("", false, s.home))
	s.mux.HandleFunc("/", s.notFound)
}

// Core is the core the pages act through.
func (s *Server) Core() *app.Core { return s.core }

// Fingerprint is the SHA-256 fingerprint of the served certificate ("AB:CD:…"), for the
// console and the README to show: a phone's user compares it with what the browser shows
// before trusting a certificate the server made.
func (s *Server) Fingerprint() string { return s.cert.fingerprint }

// Addr is the address the server listens on once Run has started listening; "" before.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// URL is the pages' address for links that leave the server: the configured BaseURL, or
// one made from the listening address.
func (s *Server) URL() string { return s.cfg.PublicURL(s.Addr()) }

// Remote reports whether the pages are served beyond this machine (Config.Remote).
func (s *Server) Remote() bool { return s.cfg.Remote() }

// httpServer is the http.Server with the limits.
func (s *Server) httpServer() *http.Server {
	return &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: s.limits.readHeader,
		ReadTimeout:       s.limits.read,
		WriteTimeout:      s.limits.write,
		IdleTimeout:       s.limits.idle,
		MaxHeaderBytes:    MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug), // TLS handshakes of untrusting phones
		TLSConfig:         s.cert.config(),
	}
}

// Run serves the pages until ctx ends, then lets requests under way finish (ShutdownGrace)
// and returns nil. A failure to listen or to serve is returned (the supervisor runs it
// again later).
func (s *Server) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return app.Errorf(app.CodeUnavailable, "Cannot serve the phone pages on {{.A}}", "A", s.cfg.Listen).Wrap(err)
	}
	s.mu.Lock()
	s.addr = ln.Addr().String()
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.addr = ""
		s.mu.Unlock()
	}()
	srv := s.httpServer()
	done := make(chan error, 1)
	go func() { done <- srv.ServeTLS(ln, "", "") }()
	s.log.Info("phone pages served", "url", s.URL(), "fingerprint", s.cert.fingerprint)
	tick := time.NewTicker(sweepEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			sctx, cancel := context.WithTimeout(context.Background(), ShutdownGrace)
			defer cancel()
			if err := srv.Shutdown(sctx); err != nil {
				_ = srv.Close()
			}
			<-done
			return nil
		case err := <-done:
			if errors.Is(err, http.ErrServerClosed) {
				return nil
			}
			return app.Errorf(app.CodeUnavailable, "The phone pages stopped serving").Wrap(err)
		case <-tick.C:
			s.sessions.sweep()
		}
	}
}

// secure wraps every answer with the security headers and bounds every request body.
func (s *Server) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Strict-Transport-Security", "max-age=31536000")
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		limit := int64(MaxFormBytes)
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
			limit = MaxUploadBytes
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}
