// Package sim is the camera simulator: an RTSP server (gortsplib) that serves simulated
// cameras, each a looping scene of real footage (or a synthetic one) with the camera's
// name and a running clock burned in, encoded live as H.264 (or H.265) main and sub
// streams. Every access unit carries its send time in an SEI NAL unit so that latency can
// be measured end to end. A stream is encoded only while someone plays it.
package sim

import (
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"

	"github.com/bluenviron/gortsplib/v4"
	"github.com/bluenviron/gortsplib/v4/pkg/base"
	"github.com/bluenviron/gortsplib/v4/pkg/liberrors"

	"watchpost/video/codec"
)

// Camera is one simulated camera.
type Camera struct {
	ID      string // path: rtsp://host/ID/main, /ID/sub (and /ID for the main stream)
	Name    string // burned into the picture
	Variant int    // which view of the footage
	Footage string // this camera's own video file (else the simulator's)
	// Start is where in the footage the camera begins, in seconds (0: the variant's own
	// offset); tests start at the moment their labels are about.
	Start float64
}

// Profile is the encoding of one stream.
type Profile struct {
	Width, Height, FPS, BitrateKbps int
}

// Defaults: a 720p main stream and a 360p sub stream at 15 fps, one key frame a second.
var (
	MainProfile = Profile{1280, 720, 15, 2000}
	SubProfile  = Profile{640, 360, 15, 500}
)

// Config of the simulator.
type Config struct {
	Address  string // RTSP listen address, default 127.0.0.1:8554; port 0: any free port (Addr says which)
	UDP      bool   // also offer RTP over UDP (on UDPBase and UDPBase+1)
	UDPBase  int
	User     string // when set, readers must give these credentials
	Password string
	Codec    codec.Codec // H264 (default) or H265
	Footage  string      // video file to play; DefaultFootage when empty; synthetic if missing
	Main     Profile
	Sub      Profile
	Cameras  []Camera
	// Distinct > 0 encodes only that many distinct streams, shared round-robin by the
	// cameras (for load tests of a viewer: it still receives and decodes one stream per
	// camera, while the simulator encodes fewer).
	Distinct int
	Log      *slog.Logger
}

// Server is the running simulator.
type Server struct {
	cfg     Config
	server  *gortsplib.Server
	pathsMu sync.RWMutex
	paths   map[string]*path

	mu        sync.Mutex
	sessions  map[*gortsplib.ServerSession]*path
	closeOnce sync.Once
}

// Start listens and serves the cameras.
func Start(cfg Config) (*Server, error) {
	if cfg.Address == "" {
		cfg.Address = "127.0.0.1:8554"
	}
	if cfg.Codec == 0 {
		cfg.Codec = codec.H264
	}
	if cfg.Footage == "" {
		cfg.Footage = DefaultFootage
	}
	if cfg.Main.Width == 0 {
		cfg.Main = MainProfile
	}
	if cfg.Sub.Width == 0 {
		cfg.Sub = SubProfile
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	s := &Server{cfg: cfg, paths: map[string]*path{}, sessions: map[*gortsplib.ServerSession]*path{}}
	var ln net.Listener
	s.server = &gortsplib.Server{
		Handler:     s,
		RTSPAddress: cfg.Address,
		// The reader side of the simulator: be generous, tests stall clients on purpose.
		WriteQueueSize: 1024,
		// Kept to learn the port the system chose when the address asks for any (":0").
		Listen: func(network, address string) (net.Listener, error) {
			l, err := net.Listen(network, address)
			ln = l
			return l, err
		},
	}
	if cfg.UDP {
		base := cfg.UDPBase
		if base == 0 {
			base = 18000
		}
		s.server.UDPRTPAddress = fmt.Sprintf("%s:%d", hostOf(cfg.Address), base)
		s.server.UDPRTCPAddress = fmt.Sprintf("%s:%d", hostOf(cfg.Address), base+1)
	}
	if err := s.server.Start(); err != nil {
		return nil, fmt.Errorf("the camera simulator cannot listen on %s: %w", cfg.Address, err)
	}
	if host, port, err := net.SplitHostPort(cfg.Address); err == nil && port == "0" && ln != nil {
		// What Addr and URL give out: the port the system chose, on the host asked for.
		s.cfg.Address = net.JoinHostPort(host, fmt.Sprint(ln.Addr().(*net.TCPAddr).Port))
	}
	// Clients may already connect while the paths are set up (a reader retrying).
	s.pathsMu.Lock()
	defer s.pathsMu.Unlock()
	for i, c := range cfg.Cameras {
		if cfg.Distinct > 0 && i >= cfg.Distinct {
			src := cfg.Cameras[i%cfg.Distinct].ID
			for _, suffix := range []string{"main", "sub"} {
				s.paths["/"+c.ID+"/"+suffix] = s.paths["/"+src+"/"+suffix]
			}
			s.paths["/"+c.ID] = s.paths["/"+src+"/main"]
			continue
		}
		for _, p := range []struct {
			suffix string
			prof   Profile
		}{{"main", cfg.Main}, {"sub", cfg.Sub}} {
			pt, err := newPath(s, c, p.suffix, p.prof)
			if err != nil {
				s.pathsMu.Unlock()
				s.Close()
				s.pathsMu.Lock()
				return nil, err
			}
			s.paths["/"+c.ID+"/"+p.suffix] = pt
			if p.suffix == "main" {
				s.paths["/"+c.ID] = pt
			}
		}
	}
	return s, nil
}

func hostOf(addr string) string {
	if i := strings.LastIndex(addr, ":"); i >= 0 {
		return addr[:i]
	}
	return addr
}

// Addr returns the address the simulator listens on (host:port), the port the system
// chose when the configured address asked for any.
func (s *Server) Addr() string { return s.cfg.Address }

// URL returns the address of a camera's stream ("main" or "sub").
func (s *Server) URL(cameraID, stream string) string {
	auth := ""
	if s.cfg.User != "" {
		auth = s.cfg.User + ":" + s.cfg.Password + "@"
	}
	return fmt.Sprintf("rtsp://%s%s/%s/%s", auth, s.cfg.Address, cameraID, stream)
}

// Close stops serving (once; later calls do nothing).
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.server.Close()
		seen := map[*path]bool{}
		for _, p := range s.paths {
			if !seen[p] {
				seen[p] = true
				p.close()
			}
		}
	})
}

// Readers returns how many clients play the given path ("/ID/sub").
func (s *Server) Readers(p string) int {
	s.pathsMu.RLock()
	pt := s.paths[p]
	s.pathsMu.RUnlock()
	if pt != nil {
		return pt.readerCount()
	}
	return 0
}

func (s *Server) lookup(p string) *path {
	s.pathsMu.RLock()
	defer s.pathsMu.RUnlock()
	return s.paths[strings.TrimSuffix(p, "/")]
}

func (s *Server) authorized(ctx *gortsplib.ServerConn, req *base.Request) bool {
	if s.cfg.User == "" {
		return true
	}
	return ctx.VerifyCredentials(req, s.cfg.User, s.cfg.Password)
}

// OnDescribe implements gortsplib.ServerHandlerOnDescribe.
func (s *Server) OnDescribe(ctx *gortsplib.ServerHandlerOnDescribeCtx) (*base.Response, *gortsplib.ServerStream, error) {
	if !s.authorized(ctx.Conn, ctx.Request) {
		return &base.Response{StatusCode: base.StatusUnauthorized}, nil, liberrors.ErrServerAuth{}
	}
	p := s.lookup(ctx.Path)
	if p == nil {
		return &base.Response{StatusCode: base.StatusNotFound}, nil, nil
	}
	return &base.Response{StatusCode: base.StatusOK}, p.stream, nil
}

// OnSetup implements gortsplib.ServerHandlerOnSetup.
func (s *Server) OnSetup(ctx *gortsplib.ServerHandlerOnSetupCtx) (*base.Response, *gortsplib.ServerStream, error) {
	if !s.authorized(ctx.Conn, ctx.Request) {
		return &base.Response{StatusCode: base.StatusUnauthorized}, nil, liberrors.ErrServerAuth{}
	}
	p := s.lookup(ctx.Path)
	if p == nil {
		return &base.Response{StatusCode: base.StatusNotFound}, nil, nil
	}
	s.mu.Lock()
	s.sessions[ctx.Session] = p
	s.mu.Unlock()
	return &base.Response{StatusCode: base.StatusOK}, p.stream, nil
}

// OnPlay implements gortsplib.ServerHandlerOnPlay: the first reader starts the encoder.
func (s *Server) OnPlay(ctx *gortsplib.ServerHandlerOnPlayCtx) (*base.Response, error) {
	s.mu.Lock()
	p := s.sessions[ctx.Session]
	s.mu.Unlock()
	if p != nil {
		p.addReader(ctx.Session)
	}
	return &base.Response{StatusCode: base.StatusOK}, nil
}

// OnSessionClose implements gortsplib.ServerHandlerOnSessionClose: the last reader leaving
// stops the encoder.
func (s *Server) OnSessionClose(ctx *gortsplib.ServerHandlerOnSessionCloseCtx) {
	s.mu.Lock()
	p := s.sessions[ctx.Session]
	delete(s.sessions, ctx.Session)
	s.mu.Unlock()
	if p != nil {
		p.removeReader(ctx.Session)
	}
}
