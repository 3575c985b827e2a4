package video_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/video"
	"watchpost/video/codec"
	"watchpost/video/sim"
)

// Recording through the real simulator, RTSP client and MP4 writer; ffprobe and ffmpeg are
// the independent judges of the files.

func needFFprobe(t testing.TB) {
	t.Helper()
	for _, tool := range []string{"ffprobe", "ffmpeg"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (make test installs it)", tool)
		}
	}
}

// probed is what ffprobe says of a clip.
type probed struct {
	Format struct {
		Duration   string `json:"duration"`
		FormatName string `json:"format_name"`
	} `json:"format"`
	Streams []struct {
		CodecName string `json:"codec_name"`
		Width     int    `json:"width"`
		Height    int    `json:"height"`
		NbFrames  string `json:"nb_read_frames"`
	} `json:"streams"`
	Frames []struct {
		KeyFrame int    `json:"key_frame"`
		PictType string `json:"pict_type"`
	} `json:"frames"`
}

func ffprobe(t testing.TB, file string) probed {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0",
		"-show_entries", "format=duration,format_name:stream=codec_name,width,height",
		"-show_frames", "-read_intervals", "%+#1", "-of", "json", file).Output()
	require.NoError(t, err, "ffprobe %s", file)
	var p probed
	require.NoError(t, json.Unmarshal(out, &p), string(out))
	require.Len(t, p.Streams, 1, string(out))
	// Counted apart: the frames above are only the first one.
	out, err = exec.Command("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
		"-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", file).Output()
	require.NoError(t, err, "ffprobe %s", file)
	p.Streams[0].NbFrames = strings.TrimSpace(string(out))
	return p
}

func (p probed) seconds(t testing.TB) float64 {
	d, err := strconv.ParseFloat(p.Format.Duration, 64)
	require.NoError(t, err)
	return d
}

// decodesCleanly has ffprobe decode every picture of the file (-show_frames decodes) and
// report any error.
func decodesCleanly(t testing.TB, file string) {
	t.Helper()
	cmd := exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "frame=key_frame", "-of", "csv=p=0", file)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, stderr.String())
	assert.Empty(t, strings.TrimSpace(stderr.String()), "every picture decodes without an error")
	assert.Positive(t, strings.Count(string(out), "\n"), "pictures were decoded")
}

// waitHeld waits until the recorder holds at least d of the camera.
func waitHeld(t testing.TB, r *video.Recorder, camera string, d time.Duration) {
	t.Helper()
	require.Eventually(t, func() bool {
		for _, st := range r.Taps() {
			if st.CameraID == camera && st.Held >= d {
				return true
			}
		}
		return false
	}, 20*time.Second, 50*time.Millisecond, "the recorder never held %v of %s: %+v", d, camera, r.Taps())
}

// packetLog is what a tap of the test's own saw of a stream: when each picture arrived and
// whether it was a key frame.
type packetLog struct {
	tap  *video.Tap
	mu   sync.Mutex
	pkts []video.Packet
}

func watchPackets(t *testing.T, f *video.Feeds, camera string) *packetLog {
	t.Helper()
	tap, err := f.Tap(camera, true)
	require.NoError(t, err)
	l := &packetLog{tap: tap}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for p := range tap.Packets() {
			p.NALUs = nil // only when and what kind
			l.mu.Lock()
			l.pkts = append(l.pkts, p)
			l.mu.Unlock()
		}
	}()
	t.Cleanup(func() { tap.Close(); <-done })
	return l
}

// between returns the pictures of a clip from `from` to `to` (the recorder's rule): from
// the last key frame at or before from up to the last picture received before to. It waits
// until the tap has seen a picture at or after to.
func (l *packetLog) between(t *testing.T, from, to time.Time) []video.Packet {
	t.Helper()
	require.Eventually(t, func() bool {
		l.mu.Lock()
		defer l.mu.Unlock()
		return len(l.pkts) > 0 && !l.pkts[len(l.pkts)-1].Received.Before(to)
	}, 15*time.Second, 10*time.Millisecond, "the test's tap sees the stream past the clip's end")
	require.Zero(t, l.tap.Dropped(), "the test's tap kept up")
	l.mu.Lock()
	defer l.mu.Unlock()
	start := -1
	for i, p := range l.pkts {
		if p.Received.After(from) && start >= 0 {
			break
		}
		if p.Key {
			start = i
		}
	}
	require.GreaterOrEqual(t, start, 0, "a key frame at or before %v", from)
	end := start
	for end < len(l.pkts) && l.pkts[end].Received.Before(to) {
		end++
	}
	return append([]video.Packet(nil), l.pkts[start:end]...)
}

func newRecorder(t testing.TB, f *video.Feeds) (*video.Recorder, string) {
	dir := filepath.Join(t.TempDir(), "clips")
	r := video.NewRecorder(f, video.RecorderConfig{Dir: dir, Log: quiet})
	run(t, r)
	return r, dir
}

// A clip from P seconds before to Q seconds after an instant: a standard MP4 that ffprobe
// opens, of the expected duration (within one key-frame interval, 1 s here, at each end),
// starting at a key frame, decoding without an error; for H.264 and H.265.
func TestClipsOpenInAnyPlayer(t *testing.T) {
	needFFprobe(t)
	for _, tc := range []struct {
		codec codec.Codec
		name  string
	}{{codec.H264, "h264"}, {codec.H265, "hevc"}} {
		t.Run(tc.codec.String(), func(t *testing.T) {
			s := startSim(t, sim.Config{Codec: tc.codec})
			f := newFeeds(t, video.Config{}, camera("gate", s.URL("gate", "main"), s.URL("gate", "sub")))
			sent := watchPackets(t, f, "gate") // the pictures of the stream, as a tap of the test's own sees them
			r, dir := newRecorder(t, f)
			const pre, post = 3 * time.Second, 2 * time.Second
			r.Keep([]string{"gate"}, true, pre)
			waitHeld(t, r, "gate", pre+time.Second)

			at := time.Now()
			clip, err := r.Clip(context.Background(), app.ClipRequest{CameraID: "gate", From: at.Add(-pre), To: at.Add(post), Name: "gate-alarm-1"})
			require.NoError(t, err)
			assert.Equal(t, filepath.Join(dir, clip.From.Local().Format("2006-01-02"), "gate-alarm-1.mp4"), clip.File)
			assert.True(t, clip.Main)
			assert.Equal(t, tc.codec.String(), clip.Codec)
			fi, err := os.Stat(clip.File)
			require.NoError(t, err)
			assert.Equal(t, fi.Size(), clip.Bytes)
			// What the clip must hold, from the pictures the stream delivered (however fast
			// a busy machine let the camera send them): from the last key frame at or before
			// the asked start up to the last picture received before the asked end.
			want := sent.between(t, at.Add(-pre), at.Add(post))
			assert.Equal(t, want[0].Received, clip.From, "the clip starts at the last key frame at or before the asked start")
			assert.False(t, clip.From.After(at.Add(-pre)))

			p := ffprobe(t, clip.File)
			assert.Contains(t, p.Format.FormatName, "mp4")
			assert.Equal(t, tc.name, p.Streams[0].CodecName)
			assert.Equal(t, 640, p.Streams[0].Width, "the main stream")
			assert.InDelta(t, clip.To.Sub(clip.From).Seconds(), p.seconds(t), 0.1, "the clip's times say what the file holds")
			assert.GreaterOrEqual(t, p.seconds(t), want[len(want)-1].Received.Sub(want[0].Received).Seconds(), "the file spans its pictures")
			require.NotEmpty(t, p.Frames)
			assert.Equal(t, 1, p.Frames[0].KeyFrame, "the first picture is a key frame")
			assert.Equal(t, "I", p.Frames[0].PictType)
			frames, _ := strconv.Atoi(p.Streams[0].NbFrames)
			assert.Equal(t, len(want), frames, "every picture of the window is in")
			decodesCleanly(t, clip.File)

			// Nothing half written is left beside it.
			entries, err := os.ReadDir(filepath.Dir(clip.File))
			require.NoError(t, err)
			assert.Len(t, entries, 1)
		})
	}
}

// A clip whose window is cut short (the console stops) is still written, with what was
// received until then.
func TestAClipCutShortIsStillWritten(t *testing.T) {
	needFFprobe(t)
	s := startSim(t, sim.Config{})
	f := newFeeds(t, video.Config{}, camera("gate", s.URL("gate", "main"), s.URL("gate", "sub")))
	r, _ := newRecorder(t, f)
	r.Keep([]string{"gate"}, true, 2*time.Second)
	waitHeld(t, r, "gate", 2*time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(time.Second, cancel)
	at := time.Now()
	clip, err := r.Clip(ctx, app.ClipRequest{CameraID: "gate", From: at.Add(-2 * time.Second), To: at.Add(time.Minute), Name: "cut"})
	require.NoError(t, err)
	assert.Less(t, clip.To.Sub(clip.From), 10*time.Second)
	decodesCleanly(t, clip.File)
}

// A camera that drops out and comes back within a clip: the clip spans the reconnection.
// It holds pictures from before the drop and from after the camera came back, up to the
// end asked for, with the pause the camera had in between (its time runs on, it does not
// restart), and plays across it.
func TestAClipSpansAReconnection(t *testing.T) {
	needFFprobe(t)
	addr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	s := startSim(t, sim.Config{Address: addr})
	f := newFeeds(t, video.Config{}, camera("gate", s.URL("gate", "main"), s.URL("gate", "sub")))
	r, _ := newRecorder(t, f)
	r.Keep([]string{"gate"}, true, 2*time.Second)
	waitHeld(t, r, "gate", 2*time.Second)
	at := time.Now()
	req := app.ClipRequest{CameraID: "gate", From: at.Add(-time.Second), To: at.Add(6 * time.Second), Name: "gap"}
	type result struct {
		clip app.ClipFile
		err  error
	}
	done := make(chan result, 1)
	go func() {
		clip, err := r.Clip(context.Background(), req)
		done <- result{clip, err}
	}()
	s.stop()
	require.Eventually(t, func() bool { return r.Taps()[0].State != app.StreamPlaying }, 15*time.Second, 20*time.Millisecond,
		"the recorder sees the camera go away")
	startSim(t, sim.Config{Address: addr})
	res := <-done
	require.NoError(t, res.err)
	clip := res.clip
	assert.False(t, clip.From.After(req.From), "the clip starts before the drop, at the asked start")
	assert.False(t, clip.To.Before(req.To.Add(-200*time.Millisecond)), "and reaches the asked end, after the camera came back: %v", clip.To.Sub(req.To))
	decodesCleanly(t, clip.File)
	p := ffprobe(t, clip.File)
	assert.InDelta(t, clip.To.Sub(clip.From).Seconds(), p.seconds(t), 0.1)

	// The pictures' times: one pause, with pictures on both sides of it.
	out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time",
		"-of", "csv=p=0", clip.File).Output()
	require.NoError(t, err)
	var pts []float64
	for _, line := range strings.Fields(string(out)) {
		v, err := strconv.ParseFloat(strings.TrimSuffix(line, ","), 64)
		require.NoError(t, err, line)
		pts = append(pts, v)
	}
	sort.Float64s(pts)
	require.NotEmpty(t, pts)
	gap, gapAt := 0.0, 0
	for i := 1; i < len(pts); i++ {
		if d := pts[i] - pts[i-1]; d > gap {
			gap, gapAt = d, i
		}
	}
	t.Logf("pause %.2f s after %.2f s of %.2f s", gap, pts[gapAt-1]-pts[0], pts[len(pts)-1]-pts[0])
	assert.GreaterOrEqual(t, gap, 0.4, "the clip keeps the pause the camera had (its time ran on across the reconnection)")
	assert.GreaterOrEqual(t, pts[gapAt-1]-pts[0], 0.5, "pictures from before the drop")
	assert.GreaterOrEqual(t, pts[len(pts)-1]-pts[gapAt], 0.5, "pictures from after the camera came back")
}

// A tap (even one nobody reads) never makes a viewer of the same stream drop a frame, and
// a stream that only taps use is not decoded; a viewer who comes to it starts without
// waiting for the next key frame and without dropped frames.
func TestATapDoesNotMakeViewersDropFrames(t *testing.T) {
	s := startSim(t, sim.Config{Main: sim.Profile{Width: 320, Height: 180, FPS: 30, BitrateKbps: 300}})
	f := newFeeds(t, video.Config{}, camera("gate", s.URL("gate", "main"), s.URL("gate", "sub")))

	stalled, err := f.Tap("gate", true) // never read
	require.NoError(t, err)
	defer stalled.Close()
	require.Eventually(t, func() bool { return stalled.Status().State == app.StreamPlaying }, 10*time.Second, 20*time.Millisecond,
		"a stream only tapped plays (it is not decoded)")
	assert.Zero(t, video.Decoded(f, "gate", true), "nobody watches: nothing decoded")

	v, err := f.Watch("gate", true, 160, 90)
	require.NoError(t, err)
	defer v.Close()
	// The viewer gets new pictures, in order, until the tap's queue has overflowed and
	// after: the tap nobody reads holds nothing up. Every picture decoded meanwhile reached
	// the viewer or was counted as one the viewer itself was too slow for (a busy machine),
	// none was lost on the tap's account.
	var first, last uint64
	frames, after := 0, 0
	for after < 30 {
		fr := waitFrame(t, v, 15*time.Second)
		require.Greater(t, fr.Seq, last, "the viewer's pictures come in order")
		if first == 0 {
			first = fr.Seq
		}
		last = fr.Seq
		fr.Release()
		frames++
		if stalled.Dropped() > 0 {
			after++
		}
		require.Less(t, frames, 2000, "the stalled tap never overflowed")
	}
	assert.Positive(t, stalled.Dropped(), "the tap's own queue overflowed, and it counts")
	assert.Positive(t, video.Decoded(f, "gate", true))
	assert.GreaterOrEqual(t, int64(frames)+v.Status().Dropped, int64(last-first+1), "every picture decoded is accounted for")
}

// Keep follows the cameras and the stream asked for.
func TestKeepFollowsTheCameras(t *testing.T) {
	s := startSim(t, sim.Config{Cameras: []sim.Camera{{ID: "a", Name: "A"}, {ID: "b", Name: "B", Variant: 1}}})
	f := newFeeds(t, video.Config{},
		camera("a", s.URL("a", "main"), s.URL("a", "sub")), camera("b", s.URL("b", "main"), s.URL("b", "sub")))
	r, _ := newRecorder(t, f)
	r.Keep([]string{"a", "b", "unknown"}, true, time.Second)
	// Keep applies once the recorder's Run has started (at once when it runs already).
	require.Eventually(t, func() bool { return len(r.Taps()) == 2 }, 15*time.Second, 20*time.Millisecond)
	taps := r.Taps()
	require.Len(t, taps, 2, "an unknown camera is left out")
	r.Keep([]string{"b"}, false, time.Second)
	taps = r.Taps()
	require.Len(t, taps, 1)
	assert.Equal(t, "b", taps[0].CameraID)
	require.Eventually(t, func() bool { return r.Taps()[0].State == app.StreamPlaying }, 10*time.Second, 20*time.Millisecond)
	assert.False(t, r.Taps()[0].Main, "the sub stream now")
	assert.Eventually(t, func() bool { return s.Readers("/a/main") == 0 && s.Readers("/b/main") == 0 }, 15*time.Second, 100*time.Millisecond,
		"the streams no longer recorded are let go (after the grace period)")
	_, err := r.Clip(context.Background(), app.ClipRequest{CameraID: "a", From: time.Now(), To: time.Now(), Name: "x"})
	assert.Error(t, err, "a camera not recorded has no clips")
}

// Remove deletes clips and nothing outside the clips folder.
func TestRemoveStaysInTheClipsFolder(t *testing.T) {
	f := newFeeds(t, video.Config{})
	r, dir := newRecorder(t, f)
	day := filepath.Join(dir, "2026-11-28")
	require.NoError(t, os.MkdirAll(day, 0o755))
	clip := filepath.Join(day, "a.mp4")
	require.NoError(t, os.WriteFile(clip, []byte("x"), 0o644))
	outside := filepath.Join(filepath.Dir(dir), "watchpost.db")
	require.NoError(t, os.WriteFile(outside, []byte("x"), 0o644))

	require.NoError(t, r.Remove(clip))
	assert.NoFileExists(t, clip)
	assert.NoDirExists(t, day, "an emptied day's folder goes too")
	require.NoError(t, r.Remove(clip), "a clip already gone is no error")
	assert.Error(t, r.Remove(outside))
	assert.FileExists(t, outside)
}
