package video_test

import (
	"context"
	"fmt"
	"image"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/video"
	"watchpost/video/codec"
	"watchpost/video/sim"
)

// Every test here runs the real camera simulator over loopback and the real RTSP client
// and decoder; ffprobe stands in as an independent client.

var quiet = slog.New(slog.DiscardHandler)

// freePort is a port that was free a moment ago (benchmarks; tests let the simulator take
// any port itself, "127.0.0.1:0").
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// refusingAddr returns a loopback address where connections are refused, like a camera that
// is switched off. A socket bound there and never listening holds the port for the test, so
// nothing else can start listening on it meanwhile.
func refusingAddr(t testing.TB) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	require.NoError(t, err)
	t.Cleanup(func() { syscall.Close(fd) })
	require.NoError(t, syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}))
	sa, err := syscall.Getsockname(fd)
	require.NoError(t, err)
	return fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port)
}

// simulator is a camera simulator the test runs; stop ends its Run (the camera goes away).
type simulator struct {
	*sim.Server
	stop func()
}

func startSim(t testing.TB, cfg sim.Config) *simulator {
	t.Helper()
	if cfg.Address == "" {
		cfg.Address = "127.0.0.1:0" // the simulator takes a free port and says which (URL)
	}
	if len(cfg.Cameras) == 0 {
		cfg.Cameras = []sim.Camera{{ID: "gate", Name: "北门 North Gate"}}
	}
	// Small streams keep the tests light on two cores.
	if cfg.Main.Width == 0 {
		cfg.Main = sim.Profile{Width: 640, Height: 360, FPS: 15, BitrateKbps: 600}
	}
	if cfg.Sub.Width == 0 {
		cfg.Sub = sim.Profile{Width: 320, Height: 180, FPS: 15, BitrateKbps: 200}
	}
	cfg.Log = quiet
	if cfg.UDP && cfg.UDPBase == 0 {
		// RTP and RTCP need two ports side by side: try pairs until one is free (a pair
		// taken by another process is tried again, never a failure).
		for try := 0; ; try++ {
			cfg.UDPBase = 20000 + 2*rand.IntN(10000)
			s, err := sim.New(cfg)
			if err == nil {
				return &simulator{s, run(t, s)}
			}
			require.Less(t, try, 50, "no free pair of UDP ports: %v", err)
		}
	}
	s, err := sim.New(cfg)
	require.NoError(t, err)
	return &simulator{s, run(t, s)}
}

func camera(id, main, sub string) app.Camera {
	return app.Camera{ID: id, Names: app.Names{Name: id}, MainURL: main, SubURL: sub}
}

// newFeeds returns running feeds of the cameras (stopped at the test's end).
func newFeeds(t testing.TB, cfg video.Config, cams ...app.Camera) *video.Feeds {
	t.Helper()
	f, _ := startFeeds(t, video.NewFeeds(cams, cfg, nil, nil))
	return f
}

// startFeeds runs f and waits until streams can be opened; stop ends its Run.
func startFeeds(t testing.TB, f *video.Feeds) (_ *video.Feeds, stop func()) {
	t.Helper()
	stop = run(t, f)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	require.NoError(t, f.WaitRunning(ctx), "the feeds' Run started")
	return f, stop
}

// waitFrame returns the next frame or fails after d.
func waitFrame(t testing.TB, v app.Viewer, d time.Duration) *app.Frame {
	t.Helper()
	select {
	case f := <-v.Frames():
		return f
	case <-time.After(d):
		t.Fatalf("no frame within %v; status %+v", d, v.Status())
		return nil
	}
}

func waitState(t testing.TB, v app.Viewer, want app.StreamState, d time.Duration) app.StreamStatus {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		// Keep the queue drained so frames keep flowing.
		select {
		case f := <-v.Frames():
			f.Release()
		default:
		}
		if st := v.Status(); st.State == want {
			return st
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("state %s not reached within %v; status %+v", want, d, v.Status())
	return app.StreamStatus{}
}

func TestPlays(t *testing.T) {
	for _, tc := range []struct {
		name  string
		codec codec.Codec
		udp   bool
	}{
		{"H.264 over TCP", codec.H264, false},
		{"H.264 over UDP", codec.H264, true},
		{"H.265 over TCP", codec.H265, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startSim(t, sim.Config{Codec: tc.codec, UDP: tc.udp})
			f := newFeeds(t, video.Config{UDP: tc.udp}, camera("gate", s.URL("gate", "main"), s.URL("gate", "sub")))
			v, err := f.Watch("gate", false, 160, 90)
			require.NoError(t, err)
			defer v.Close()
			fr := waitFrame(t, v, 15*time.Second)
			assert.Equal(t, image.Pt(160, 90), fr.Image.Rect.Size(), "frames come at the viewer's size")
			assert.False(t, fr.Captured.IsZero(), "the simulator's send time is carried")
			fr.Release()
			st := waitState(t, v, app.StreamPlaying, 15*time.Second)
			assert.Equal(t, tc.codec.String(), st.Codec)
			assert.Equal(t, 320, st.Width, "the sub stream is decoded for a tile")
			assert.Equal(t, 180, st.Height)

			snap, err := v.Snapshot()
			require.NoError(t, err)
			assert.Equal(t, image.Pt(320, 180), snap.Rect.Size(), "a snapshot has the stream's full size")

			main, err := f.Watch("gate", true, 640, 360)
			require.NoError(t, err)
			defer main.Close()
			waitFrame(t, main, 15*time.Second).Release()
			assert.Equal(t, 640, waitState(t, main, app.StreamPlaying, 15*time.Second).Width, "an enlarged view plays the main stream")
		})
	}
}

func TestFFprobeReadsTheSimulator(t *testing.T) {
	if _, err := exec.LookPath("ffprobe"); err != nil {
		t.Skip("ffprobe is not installed (make test installs it)")
	}
	s := startSim(t, sim.Config{})
	out, err := exec.Command("ffprobe", "-v", "error", "-rtsp_transport", "tcp", "-select_streams", "v:0",
		"-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0", s.URL("gate", "sub")).CombinedOutput()
	require.NoError(t, err, string(out))
	assert.Equal(t, "h264,320,180", strings.TrimSpace(string(out)))
}

// cameraPort is a camera's address that the test holds for its whole run: connections are
// passed on to the simulator behind it while the camera is up, and closed at once (and
// counted) while it is away. Nothing else can take the address meanwhile, and the test sees
// each attempt to reconnect.
type cameraPort struct {
	l        net.Listener
	mu       sync.Mutex
	backend  string // the simulator's address; "" while the camera is away
	attempts int    // connections while away
}

func holdCameraPort(t *testing.T) *cameraPort {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	c := &cameraPort{l: l}
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			c.mu.Lock()
			backend := c.backend
			if backend == "" {
				c.attempts++
			}
			c.mu.Unlock()
			if backend == "" {
				conn.Close()
				continue
			}
			go pipe(conn, backend)
		}
	}()
	return c
}

// pipe passes a connection on to addr until either side closes.
func pipe(conn net.Conn, addr string) {
	defer conn.Close()
	up, err := net.Dial("tcp", addr)
	if err != nil {
		return
	}
	defer up.Close()
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(up, conn); done <- struct{}{} }()
	go func() { _, _ = io.Copy(conn, up); done <- struct{}{} }()
	<-done
}

func (c *cameraPort) url(id, stream string) string {
	return fmt.Sprintf("rtsp://%s/%s/%s", c.l.Addr(), id, stream)
}

// serve puts the camera at backend ("": away, from the next connection on).
func (c *cameraPort) serve(backend string) {
	c.mu.Lock()
	c.backend, c.attempts = backend, 0
	c.mu.Unlock()
}

func (c *cameraPort) tries() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.attempts
}

func TestReconnectsWhenTheCameraComesBack(t *testing.T) {
	port := holdCameraPort(t)
	s := startSim(t, sim.Config{})
	port.serve(s.Addr())
	f := newFeeds(t, video.Config{}, camera("gate", port.url("gate", "main"), port.url("gate", "sub")))
	v, err := f.Watch("gate", false, 160, 90)
	require.NoError(t, err)
	defer v.Close()
	waitState(t, v, app.StreamPlaying, 15*time.Second)

	port.serve("")
	s.stop()
	st := waitState(t, v, app.StreamFailed, 15*time.Second)
	assert.Equal(t, app.ReasonUnreachable, st.Reason)

	// The camera stays away while the source tries again a few times: its backoff has grown.
	require.Eventually(t, func() bool { return port.tries() >= 3 }, 30*time.Second, 20*time.Millisecond,
		"the source tries again while the camera is away")
	port.serve(startSim(t, sim.Config{}).Addr())
	back := time.Now()
	waitState(t, v, app.StreamPlaying, 15*time.Second)
	t.Logf("playing again %v after the camera came back", time.Since(back).Round(time.Millisecond))
	waitFrame(t, v, 15*time.Second).Release()
}

func TestFailuresSayWhy(t *testing.T) {
	s := startSim(t, sim.Config{User: "admin", Password: "right-one"})
	dead := "rtsp://" + refusingAddr(t) + "/none"
	f := newFeeds(t, video.Config{},
		camera("badpass", strings.Replace(s.URL("gate", "main"), "right-one", "wrong-one", 1), ""),
		camera("goodpass", s.URL("gate", "main"), ""),
		camera("dead", dead, ""),
		camera("nopath", strings.Replace(s.URL("gate", "main"), "/gate/main", "/nothing-here", 1), ""),
		camera("badurl", "rtsp://[::1:80/x", ""),
	)
	for id, want := range map[string]string{
		"badpass": app.ReasonWrongPassword,
		"dead":    app.ReasonUnreachable,
		"nopath":  app.ReasonRefused,
		"badurl":  app.ReasonBadURL,
	} {
		v, err := f.Watch(id, false, 64, 36)
		require.NoError(t, err)
		st := waitState(t, v, app.StreamFailed, 15*time.Second)
		assert.Equal(t, want, st.Reason, id)
		assert.NotContains(t, st.Detail, "wrong-one", "no password in what is shown or logged")
		v.Close()
	}
	v, err := f.Watch("goodpass", false, 64, 36)
	require.NoError(t, err)
	defer v.Close()
	waitState(t, v, app.StreamPlaying, 15*time.Second)

	_, err = f.Watch("no-such-camera", false, 64, 36)
	assert.True(t, app.IsCode(err, app.CodeNotFound))
}

func TestASlowViewerDropsFramesWithoutSlowingAnother(t *testing.T) {
	s := startSim(t, sim.Config{})
	f := newFeeds(t, video.Config{}, camera("gate", s.URL("gate", "main"), s.URL("gate", "sub")))
	slow, err := f.Watch("gate", false, 160, 90)
	require.NoError(t, err)
	defer slow.Close()
	fast, err := f.Watch("gate", false, 320, 180)
	require.NoError(t, err)
	defer fast.Close()

	// The slow viewer takes nothing while the fast one takes 45 frames: the fast one is not
	// held up (each of its frames is newer than the one before), and every picture decoded
	// meanwhile is one the slow viewer dropped and counted, however busy the machine.
	var seqs []uint64
	for len(seqs) < 45 {
		fr := waitFrame(t, fast, 15*time.Second)
		seqs = append(seqs, fr.Seq)
		fr.Release()
	}
	for i := 1; i < len(seqs); i++ {
		require.Greater(t, seqs[i], seqs[i-1], "the fast viewer's frames come in order")
	}
	// A picture goes to the viewers one after the other: when the fast one has the last, the
	// one before it has reached the slow one too.
	first, last := seqs[0], seqs[len(seqs)-1]
	assert.GreaterOrEqual(t, slow.Status().Dropped, int64(last-first)-1, "the slow viewer's frames were dropped and counted")
	assert.Less(t, fast.Status().Dropped, slow.Status().Dropped, "the fast viewer lost fewer")
	fr := waitFrame(t, slow, 15*time.Second)
	assert.GreaterOrEqual(t, fr.Seq, last-1, "a slow viewer gets the newest frame, not an old one")
	fr.Release()
}

func TestMain(m *testing.M) {
	os.Exit(m.Run())
}

func TestANewAddressReachesTheViewers(t *testing.T) {
	a := startSim(t, sim.Config{})
	b := startSim(t, sim.Config{Sub: sim.Profile{Width: 256, Height: 144, FPS: 15, BitrateKbps: 200}})
	cam := camera("gate", a.URL("gate", "main"), a.URL("gate", "sub"))
	f := newFeeds(t, video.Config{}, cam)
	v, err := f.Watch("gate", false, 64, 36)
	require.NoError(t, err)
	defer v.Close()
	assert.Equal(t, 320, waitState(t, v, app.StreamPlaying, 15*time.Second).Width)
	cam.SubURL = b.URL("gate", "sub")
	f.SetCameras([]app.Camera{cam})
	require.Eventually(t, func() bool {
		select {
		case fr := <-v.Frames():
			fr.Release()
		default:
		}
		return v.Status().Width == 256 && v.Status().State == app.StreamPlaying
	}, 15*time.Second, 20*time.Millisecond, "the same viewer plays the camera's new address")
}

// A viewer resized many times (a tile on a wall whose layout changes) keeps getting frames.
func TestAResizedViewerNeverStarves(t *testing.T) {
	s := startSim(t, sim.Config{})
	f := newFeeds(t, video.Config{}, camera("gate", s.URL("gate", "main"), s.URL("gate", "sub")))
	v, err := f.Watch("gate", false, 160, 90)
	require.NoError(t, err)
	defer v.Close()
	var shown *app.Frame // like a tile: hold the frame on screen until the next one
	for _, size := range [][2]int{{320, 180}, {96, 54}, {640, 360}, {200, 112}} {
		v.Resize(size[0], size[1])
		deadline := time.Now().Add(15 * time.Second)
		for {
			fr := waitFrame(t, v, 15*time.Second)
			shown.Release()
			shown = fr
			if fr.Image.Rect.Dx() == size[0] {
				break
			}
			require.True(t, time.Now().Before(deadline), "no frame of the new size %v", size)
		}
	}
	shown.Release()
}

// The status bar counts cameras, not streams: a camera watched on its sub stream and, in an
// enlarged tile, on its main stream is one camera playing ("1/1", never "2/1").
func TestFeedsSummaryCountsCamerasNotStreams(t *testing.T) {
	s := startSim(t, sim.Config{})
	health := app.NewHealth(nil, app.SystemClock{}, quiet)
	f, _ := startFeeds(t, video.NewFeeds([]app.Camera{camera("gate", s.URL("gate", "main"), s.URL("gate", "sub"))}, video.Config{}, health, nil))
	sub, err := f.Watch("gate", false, 320, 180)
	require.NoError(t, err)
	defer sub.Close()
	main, err := f.Watch("gate", true, 640, 360)
	require.NoError(t, err)
	defer main.Close()
	waitFrame(t, sub, 30*time.Second)
	waitFrame(t, main, 30*time.Second)
	cameras := func() string {
		for _, st := range health.All() {
			if st.Name == "cameras" {
				return st.Detail
			}
		}
		return ""
	}
	assert.Eventually(t, func() bool { return cameras() == "1/1" }, 30*time.Second, 50*time.Millisecond, "cameras: %s", cameras())
}
