package video_test

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/internal/runtest"
	"watchpost/video"
	"watchpost/video/sim"
)

// run runs part as the supervisor does; stop ends it (at the latest at the test's end) and
// fails the test when Run does not return, or returns an error.
func run(t testing.TB, part runtest.Runner) (stop func()) {
	t.Helper()
	return runtest.Run(t, part)
}

// Every runner of the video side has one shape: its constructor starts nothing, Run(ctx)
// runs until ctx ends and then returns, having stopped what it started.

// none waits until no goroutine runs one of the functions named (generous: a goroutine
// that is ending is given the time a loaded machine needs).
func none(t *testing.T, what string, names ...string) {
	t.Helper()
	var left []string
	ok := assert.Eventually(t, func() bool {
		left = runtest.Goroutines(names...)
		return len(left) == 0
	}, 15*time.Second, 20*time.Millisecond, "%s: goroutines left running", what)
	if !ok {
		t.Logf("left running:\n%s", strings.Join(left, "\n\n"))
	}
}

// The feeds start nothing before Run, serve while it runs, and when it ends stop every
// stream (viewers and taps still open or not): the taps' queues end, no stream's goroutine
// is left, and nothing opens afterwards. Run again serves again.
func TestFeedsRunOwnsEveryStream(t *testing.T) {
	s := startSim(t, sim.Config{})
	f := video.NewFeeds([]app.Camera{camera("gate", s.URL("gate", "main"), s.URL("gate", "sub"))}, video.Config{}, nil, nil)
	_, err := f.Watch("gate", false, 160, 90)
	assert.Equal(t, app.CodeUnavailable, app.CodeOf(err), "before Run nothing is opened: %v", err)
	none(t, "NewFeeds", "watchpost/video.(*stream)", "watchpost/video.(*source)", "watchpost/video.(*Feeds)")

	_, stop := startFeeds(t, f)
	v, err := f.Watch("gate", false, 160, 90)
	require.NoError(t, err)
	defer v.Close() // after Run ended: closing a viewer of stopped feeds is harmless
	tap, err := f.Tap("gate", true)
	require.NoError(t, err)
	defer tap.Close()
	waitFrame(t, v, 15*time.Second).Release()
	require.Eventually(t, func() bool { return tap.Status().State == app.StreamPlaying }, 15*time.Second, 20*time.Millisecond)

	stop()
	ended := make(chan struct{})
	go func() {
		for range tap.Packets() {
		}
		close(ended)
	}()
	select {
	case <-ended:
	case <-time.After(15 * time.Second):
		t.Fatal("the tap's queue did not end with the feeds' Run")
	}
	// Checked at once: Run returns only once the streams' decoders and sources have ended.
	assert.Empty(t, runtest.Goroutines("watchpost/video.(*stream).decodeLoop", "watchpost/video.(*source).run"), "streams left running when Run returned")
	none(t, "Feeds.Run ended", "watchpost/video.(*stream)", "watchpost/video.(*source)", "watchpost/video.(*Feeds)")
	// The camera (the simulator's server) learns of the closed connections on its own
	// goroutines: wait for it to count none.
	assert.Eventually(t, func() bool { return s.Readers("/gate/sub")+s.Readers("/gate/main") == 0 }, 15*time.Second, 10*time.Millisecond, "the camera is left")
	_, err = f.Watch("gate", false, 160, 90)
	assert.Equal(t, app.CodeUnavailable, app.CodeOf(err), "after Run nothing is opened: %v", err)

	startFeeds(t, f)
	again, err := f.Watch("gate", false, 160, 90)
	require.NoError(t, err, "Run again serves again")
	defer again.Close()
	waitFrame(t, again, 15*time.Second).Release()
}

// Run twice at once is refused (a wiring mistake), without disturbing the Run that runs.
func TestFeedsRunTwiceAtOnceIsRefused(t *testing.T) {
	s := startSim(t, sim.Config{})
	f := newFeeds(t, video.Config{}, camera("gate", s.URL("gate", "main"), s.URL("gate", "sub")))
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	assert.Error(t, f.Run(ctx))
	v, err := f.Watch("gate", false, 160, 90)
	require.NoError(t, err)
	defer v.Close()
	waitFrame(t, v, 15*time.Second).Release()
}

// The simulator binds in New (its address is known at once and a taken one is New's error)
// and serves only while Run runs; when Run ends every encoder and ffmpeg process is stopped
// and waited for, and the address is free again.
func TestTheSimulatorsRunLeavesNothingBehind(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg is not installed (make test installs it)")
	}
	footage := filepath.Join(t.TempDir(), "footage.mp4")
	out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=10:duration=3",
		"-c:v", "libx264", "-pix_fmt", "yuv420p", footage).CombinedOutput()
	require.NoError(t, err, string(out))
	require.Empty(t, runtest.Children("ffmpeg"), "no ffmpeg of ours before the test")

	s, err := sim.New(sim.Config{Address: "127.0.0.1:0", Log: quiet, Footage: footage, Cameras: []sim.Camera{{ID: "gate", Name: "gate"}},
		Main: sim.Profile{Width: 320, Height: 180, FPS: 10, BitrateKbps: 200}, Sub: sim.Profile{Width: 320, Height: 180, FPS: 10, BitrateKbps: 200}})
	require.NoError(t, err)
	addr := s.Addr()
	_, err = sim.New(sim.Config{Address: addr, Log: quiet})
	assert.Error(t, err, "the address is bound by New: a second simulator on it is refused at once")
	none(t, "sim.New", "watchpost/video/sim.(*path)")

	stop := run(t, s)
	f := newFeeds(t, video.Config{}, camera("gate", s.URL("gate", "main"), s.URL("gate", "sub")))
	v, err := f.Watch("gate", true, 160, 90)
	require.NoError(t, err)
	defer v.Close()
	waitFrame(t, v, 15*time.Second).Release()
	require.NotEmpty(t, runtest.Children("ffmpeg"), "the footage is played by ffmpeg")

	stop()
	// Checked at once: Run returns only once they have ended.
	assert.Empty(t, runtest.Goroutines("watchpost/video/sim.(*path).run"), "every encoder ended when Run returned")
	assert.Empty(t, runtest.Children("ffmpeg"), "every ffmpeg ended and waited for (no zombie) when Run returned")
	none(t, "sim.Run ended", "watchpost/video/sim.(*path)")
	l, err := net.Listen("tcp", addr)
	require.NoError(t, err, "the address is free once Run returned")
	l.Close()
}

// The recorder taps nothing before Run; cameras Keep asked for before Run, or before the
// feeds could be tapped, are tapped once they can be; when Run ends every tap is closed and
// its goroutine ended, and a clip waiting for more is written with what was held.
func TestTheRecorderRunsWithItsRun(t *testing.T) {
	needFFprobe(t)
	s := startSim(t, sim.Config{})
	f := video.NewFeeds([]app.Camera{camera("gate", s.URL("gate", "main"), s.URL("gate", "sub"))}, video.Config{}, nil, nil)
	dir := filepath.Join(t.TempDir(), "clips")
	r := video.NewRecorder(f, video.RecorderConfig{Dir: dir, Log: quiet})
	r.Keep([]string{"gate"}, true, 2*time.Second)
	assert.Empty(t, r.Taps(), "nothing tapped before Run")

	stopRecorder := run(t, r) // before the feeds run: the tap is tried again
	startFeeds(t, f)
	waitHeld(t, r, "gate", 2*time.Second)

	type result struct {
		clip app.ClipFile
		err  error
	}
	done := make(chan result, 1)
	at := time.Now()
	go func() {
		clip, err := r.Clip(context.Background(), app.ClipRequest{CameraID: "gate", From: at.Add(-2 * time.Second), To: at.Add(time.Hour), Name: "cut"})
		done <- result{clip, err}
	}()
	require.Eventually(t, func() bool { return len(runtest.Goroutines("watchpost/video.(*Recorder).Clip")) > 0 }, 15*time.Second, 20*time.Millisecond)
	stopRecorder()
	assert.Empty(t, r.Taps(), "every tap closed")
	none(t, "Recorder.Run ended", "watchpost/video.(*recording)", "watchpost/video.(*Recorder).Run")
	select {
	case res := <-done:
		require.NoError(t, res.err, "a clip cut short by the end is written")
		assert.Less(t, res.clip.To.Sub(res.clip.From), time.Minute)
		decodesCleanly(t, res.clip.File)
		_, err := os.Stat(res.clip.File)
		assert.NoError(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("the clip waiting for more did not end with the recorder's Run")
	}
}
