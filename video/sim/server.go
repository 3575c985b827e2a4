// Package sim is the camera simulator: an RTSP server (gortsplib) that serves simulated
// cameras, each a looping scene of real footage (or a synthetic one) with the camera's
// name and a running clock burned in, encoded live as H.264 (or H.265) main and sub
// streams. Every access unit carries its send time in an SEI NAL unit so that latency can
// be measured end to end. A stream is encoded only while someone plays it.
//
// The Server is a runner (DESIGN.md, "Every part that runs"): New(cfg) checks the footage
// and binds the address (Addr and URL are known at once); Run(ctx) serves until ctx ends,
// then stops every encoder and ffmpeg process, waits for them, frees the address and
// returns.
package sim

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

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
	// GOP is the pictures from one key frame to the next (0: FPS, a key frame a second).
	GOP int
}

// gop returns the key-frame interval in pictures.
func (p Profile) gop() int {
	if p.GOP > 0 {
		return p.GOP
	}
	return p.FPS
}

// Defaults: a 720p main stream and a 360p sub stream at 15 fps, one key frame a second.
var (
	MainProfile = Profile{Width: 1280, Height: 720, FPS: 15, BitrateKbps: 2000}
	SubProfile  = Profile{Width: 640, Height: 360, FPS: 15, BitrateKbps: 500}
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

// Server is the simulator. It is a runner (DESIGN.md, "Every part that runs"): New checks
// the configuration and the footage and binds the listeners, so that Addr and URL are
// known at once (port 0 included) and a taken address is an error of New; Run serves the
// cameras (an encoder, and an ffmpeg process for the footage, for each stream someone
// plays) until its context ends, then stops them all, ffmpeg processes killed and waited
// for, releases the address and returns.
type Server struct {
	cfg    Config
	params map[string]paramSets // of each stream's encoder ("main", "sub"), for the SDP

	mu      sync.Mutex // the sockets New bound, handed to Run
	ln      net.Listener
	udp     []net.PacketConn // RTP and RTCP when cfg.UDP
	running bool

	pathsMu sync.RWMutex
	paths   map[string]*path // while Run runs

	sessMu   sync.Mutex
	sessions map[*gortsplib.ServerSession]*path

	clock *clock // where the footage has got to (live_position.go)
}

// paramSets are an encoder's parameter sets ((VPS,) SPS, PPS).
type paramSets struct{ vps, sps, pps []byte }

// New checks the configuration, learns the encoders' parameter sets and binds the
// listeners; nothing is served until Run. A footage file named in the configuration that
// cannot be read is an error; the default footage (Debian's opencv-doc) missing is not:
// the cameras then play a synthetic scene.
func New(cfg Config) (*Server, error) {
	if cfg.Address == "" {
		cfg.Address = "127.0.0.1:8554"
	}
	if cfg.Codec == 0 {
		cfg.Codec = codec.H264
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
	if cfg.Footage == "" {
		cfg.Footage = DefaultFootage
		if err := checkFootage(cfg.Footage); err != nil {
			cfg.Log.Info("the simulated cameras play a synthetic scene", "reason", err)
		}
	} else if err := checkFootage(cfg.Footage); err != nil {
		return nil, err
	}
	for _, c := range cfg.Cameras {
		if c.Footage != "" {
			if err := checkFootage(c.Footage); err != nil {
				return nil, fmt.Errorf("camera %s: %w", c.ID, err)
			}
		}
	}
	s := &Server{cfg: cfg, params: map[string]paramSets{}, sessions: map[*gortsplib.ServerSession]*path{}, clock: newClock(time.Now())}
	for name, prof := range map[string]Profile{"main": cfg.Main, "sub": cfg.Sub} {
		ps, err := learnParams(cfg.Codec, prof)
		if err != nil {
			return nil, fmt.Errorf("the camera simulator cannot encode its %s stream (%dx%d): %w", name, prof.Width, prof.Height, err)
		}
		s.params[name] = ps
	}
	if err := s.bind(); err != nil {
		return nil, err
	}
	if host, port, err := net.SplitHostPort(cfg.Address); err == nil && port == "0" {
		// What Addr and URL give out: the port the system chose, on the host asked for.
		s.cfg.Address = net.JoinHostPort(host, fmt.Sprint(s.ln.Addr().(*net.TCPAddr).Port))
	}
	return s, nil
}

// checkFootage says why a footage file cannot be played, or nil.
func checkFootage(file string) error {
	f, err := os.Open(file)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("the footage %s cannot be read: %w", file, err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || fi.IsDir() {
		return fmt.Errorf("the footage %s cannot be read: it is not a file", file)
	}
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		return fmt.Errorf("the footage %s cannot be played: ffmpeg is not installed", file)
	}
	return nil
}

// learnParams encodes nothing: it opens an encoder of the profile once to learn its
// parameter sets (each stream's sending goroutine opens its own).
func learnParams(c codec.Codec, prof Profile) (paramSets, error) {
	enc, err := codec.NewEncoder(codec.EncoderConfig{Codec: c, Width: prof.Width, Height: prof.Height,
		FPS: prof.FPS, GOP: prof.gop(), BitrateKbps: prof.BitrateKbps})
	if err != nil {
		return paramSets{}, err
	}
	defer enc.Close()
	vps, sps, pps := enc.ParameterSets()
	return paramSets{vps, sps, pps}, nil
}

// bind opens the RTSP listener (and the UDP sockets) on the configured address (s.mu held
// or not yet shared).
func (s *Server) bind() error {
	ln, err := net.Listen(network("tcp", s.cfg.Address), s.cfg.Address)
	if err != nil {
		return fmt.Errorf("the camera simulator cannot listen on %s: %w", s.cfg.Address, err)
	}
	var udp []net.PacketConn
	if s.cfg.UDP {
		for _, addr := range s.udpAddrs() {
			pc, err := net.ListenPacket(network("udp", addr), addr)
			if err != nil {
				ln.Close()
				for _, pc := range udp {
					pc.Close()
				}
				return fmt.Errorf("the camera simulator cannot listen on %s: %w", addr, err)
			}
			udp = append(udp, pc)
		}
	}
	s.ln, s.udp = ln, udp
	return nil
}

// udpAddrs are the RTP and RTCP addresses of UDP (UDPBase and the port after it).
func (s *Server) udpAddrs() []string {
	base := s.cfg.UDPBase
	if base == 0 {
		base = 18000
	}
	host := hostOf(s.cfg.Address)
	return []string{fmt.Sprintf("%s:%d", host, base), fmt.Sprintf("%s:%d", host, base+1)}
}

// network is what gortsplib listens on for address: IPv4 alone for 0.0.0.0.
func network(n, address string) string {
	if host, _, err := net.SplitHostPort(address); err == nil && host == "0.0.0.0" {
		return n + "4"
	}
	return n
}

// Run serves the cameras until ctx ends, then stops every stream (encoders ended, ffmpeg
// processes killed and waited for), closes the listeners and returns nil; it returns an
// error when the RTSP server cannot start or fails. Run may be run again after it
// returned (it binds the same address again), never twice at once.
func (s *Server) Run(ctx context.Context) error {
	s.mu.Lock()
	if s.running {
		s.mu.Unlock()
		return errors.New("the camera simulator is already running")
	}
	if s.ln == nil {
		if err := s.bind(); err != nil { // a run after an earlier one: its sockets are closed
			s.mu.Unlock()
			return err
		}
	}
	ln, udp := s.ln, s.udp
	s.ln, s.udp = nil, nil // Run owns them now: the server closes them
	s.running = true
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.running = false
		s.mu.Unlock()
	}()

	srv := &gortsplib.Server{
		Handler:     s,
		RTSPAddress: s.cfg.Address,
		// The reader side of the simulator: be generous, tests stall clients on purpose.
		WriteQueueSize: 1024,
		Listen:         func(string, string) (net.Listener, error) { return ln, nil },
		ListenPacket: func(_, address string) (net.PacketConn, error) {
			for i, addr := range s.udpAddrs() {
				if addr == address && i < len(udp) {
					return udp[i], nil
				}
			}
			return nil, fmt.Errorf("no socket bound for %s", address)
		},
	}
	if s.cfg.UDP {
		addrs := s.udpAddrs()
		srv.UDPRTPAddress, srv.UDPRTCPAddress = addrs[0], addrs[1]
	}
	// The paths are set up under their lock, taken before the server accepts: a reader
	// that connects at once (a client retrying) waits for them instead of finding none.
	s.pathsMu.Lock()
	if err := srv.Start(); err != nil {
		s.pathsMu.Unlock()
		ln.Close()
		for _, pc := range udp {
			pc.Close()
		}
		return fmt.Errorf("the camera simulator cannot serve on %s: %w", s.cfg.Address, err)
	}
	failed := make(chan error, 1)
	go func() { failed <- srv.Wait() }()
	err := s.openPathsLocked(srv)
	s.pathsMu.Unlock()
	if err == nil {
		select {
		case <-ctx.Done():
		case err = <-failed:
			failed <- err
			err = fmt.Errorf("the camera simulator stopped: %w", err)
		}
	}
	srv.Close() // the listeners, connections and sessions: readers leave, encoders are told to stop
	<-failed
	s.closePaths()
	return err
}

// openPathsLocked sets up every camera's streams on srv (s.pathsMu held).
func (s *Server) openPathsLocked(srv *gortsplib.Server) error {
	s.paths = map[string]*path{}
	for i, c := range s.cfg.Cameras {
		if s.cfg.Distinct > 0 && i >= s.cfg.Distinct {
			src := s.cfg.Cameras[i%s.cfg.Distinct].ID
			for _, suffix := range []string{"main", "sub"} {
				s.paths["/"+c.ID+"/"+suffix] = s.paths["/"+src+"/"+suffix]
			}
			s.paths["/"+c.ID] = s.paths["/"+src+"/main"]
			continue
		}
		for _, p := range []struct {
			suffix string
			prof   Profile
		}{{"main", s.cfg.Main}, {"sub", s.cfg.Sub}} {
			pt, err := newPath(s, srv, c, p.suffix, p.prof)
			if err != nil {
				return err
			}
			s.paths["/"+c.ID+"/"+p.suffix] = pt
			if p.suffix == "main" {
				s.paths["/"+c.ID] = pt
			}
		}
	}
	return nil
}

// closePaths stops every stream's encoder (and its ffmpeg) and waits for them.
func (s *Server) closePaths() {
	s.pathsMu.Lock()
	paths := s.paths
	s.paths = nil
	s.pathsMu.Unlock()
	seen := map[*path]bool{}
	for _, p := range paths {
		if !seen[p] {
			seen[p] = true
			p.close()
		}
	}
	s.sessMu.Lock()
	clear(s.sessions)
	s.sessMu.Unlock()
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

// Pause freezes a camera's stream ("/ID/main"): its readers stay connected and get nothing
// until it is resumed (on false), like a camera that hangs; its picture clock runs on.
func (s *Server) Pause(p string, on bool) {
	if pt := s.lookup(p); pt != nil {
		pt.paused.Store(on)
	}
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
	s.sessMu.Lock()
	s.sessions[ctx.Session] = p
	s.sessMu.Unlock()
	return &base.Response{StatusCode: base.StatusOK}, p.stream, nil
}

// OnPlay implements gortsplib.ServerHandlerOnPlay: the first reader starts the encoder.
func (s *Server) OnPlay(ctx *gortsplib.ServerHandlerOnPlayCtx) (*base.Response, error) {
	s.sessMu.Lock()
	p := s.sessions[ctx.Session]
	s.sessMu.Unlock()
	if p != nil {
		p.addReader(ctx.Session)
	}
	return &base.Response{StatusCode: base.StatusOK}, nil
}

// OnSessionClose implements gortsplib.ServerHandlerOnSessionClose: the last reader leaving
// stops the encoder.
func (s *Server) OnSessionClose(ctx *gortsplib.ServerHandlerOnSessionCloseCtx) {
	s.sessMu.Lock()
	p := s.sessions[ctx.Session]
	delete(s.sessions, ctx.Session)
	s.sessMu.Unlock()
	if p != nil {
		p.removeReader(ctx.Session)
	}
}
