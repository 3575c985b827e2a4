package ui

import (
	"context"
	"errors"
	"image"
	"image/color"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// fakeVideo is a clip of n pictures 50 ms apart, each filled with its index.
type fakeVideo struct {
	n      int
	next   int
	mu     sync.Mutex
	seeks  []time.Duration
	closed atomic.Bool
}

const fakeStep = 50 * time.Millisecond

func (v *fakeVideo) frame(i int) app.VideoFrame {
	img := image.NewRGBA(image.Rect(0, 0, 32, 18))
	for p := 0; p < len(img.Pix); p += 4 {
		img.Pix[p], img.Pix[p+3] = uint8(i), 255
	}
	return app.VideoFrame{Image: img, At: time.Duration(i) * fakeStep, Index: i}
}

func (v *fakeVideo) Info() app.ClipVideoInfo {
	return app.ClipVideoInfo{Width: 32, Height: 18, Duration: time.Duration(v.n) * fakeStep, Frames: v.n, Codec: "H.264"}
}

func (v *fakeVideo) Next() (app.VideoFrame, error) {
	if v.next >= v.n {
		return app.VideoFrame{}, io.EOF
	}
	v.next++
	return v.frame(v.next - 1), nil
}

func (v *fakeVideo) Seek(t time.Duration) (app.VideoFrame, error) {
	v.mu.Lock()
	v.seeks = append(v.seeks, t)
	v.mu.Unlock()
	i := min(max(int(t/fakeStep), 0), v.n-1)
	v.next = i + 1
	return v.frame(i), nil
}

func (v *fakeVideo) Close() error { v.closed.Store(true); return nil }

// fakePlayer opens fakeVideos, or fails with err.
type fakePlayer struct {
	err    error
	mu     sync.Mutex
	opened []string
	last   *fakeVideo
}

func (p *fakePlayer) OpenClip(file string) (app.ClipVideo, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.opened = append(p.opened, file)
	if p.err != nil {
		return nil, p.err
	}
	p.last = &fakeVideo{n: 10}
	return p.last, nil
}

// The video side of recording, for a console whose clips are already written.
type noClipSource struct{}

func (noClipSource) Keep([]string, bool, time.Duration) {}
func (noClipSource) Clip(context.Context, app.ClipRequest) (app.ClipFile, error) {
	return app.ClipFile{}, errors.New("no camera in this test")
}
func (noClipSource) Remove(string) error   { return nil }
func (noClipSource) Taps() []app.TapStatus { return nil }

type keptClips []app.Clip

func (k keptClips) Clips(context.Context) ([]app.Clip, error) { return k, nil }

// withRecording gives the console a recording service holding clip, journaling on the
// console's core.
func withRecording(t *testing.T, c *Console, clip app.Clip) {
	t.Helper()
	r := app.NewRecording(app.RecordingDeps{Source: noClipSource{}, Store: keptClips{clip}, Recorder: c.core.Recorder,
		Inventory: c.core.Inventory, Desk: c.core.Desk, Log: slog.New(slog.DiscardHandler)}, app.RecordingConfig{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = r.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	waitFor(t, "the clip is known", func() bool { return len(r.Clips(app.ClipQuery{AlarmID: clip.AlarmID})) == 1 })
	c.core.Recording = r
}

// The alarm desk's Play plays the clip inside the console: the first picture, then every
// picture to the end; the slider moves to a position; closing the player closes the clip.
// No external player is asked for.
func TestAClipPlaysInsideTheConsole(t *testing.T) {
	c, env := newTestEnv(t, enConfig())
	player := &fakePlayer{}
	c.x.ClipPlayer = player
	var external atomic.Int32
	c.x.OpenURL = func(*url.URL) error { external.Add(1); return nil }
	a := raise(t, c, app.Alarm{Kind: app.AlarmFire, Priority: app.P1, Cause: "smoke", DeviceID: "smoke-b03-u2-12", GridID: "g1", Building: "b03"})
	clip := app.Clip{ID: "cam-b03-1-alarm", CameraID: "cam-b03-1", From: time.Now().Add(-5 * time.Second), To: time.Now(),
		File: "/var/lib/watchpost/clips/2026-12-07/cam-b03-1-alarm.mp4", AlarmID: a.ID}
	withRecording(t, c, clip)

	desk := alarmPanelOf(t, c)
	c.ShowAlarm(a.ID)
	play := findButton(desk.detail, "Play")
	require.NotNil(t, play, "the alarm's clip is listed")
	tap(play)
	waitFor(t, "the player opens", func() bool { return c.player.Load() != nil })
	pl := c.player.Load()
	assert.Equal(t, []string{clip.File}, player.opened)
	dlg := topDialog(t, c)
	texts := strings.Join(visibleTexts(dlg), "\n")
	assert.Contains(t, texts, "00:00.0 / 00:00.5", "the position and the length")
	assert.Contains(t, texts, clip.File, "the file, to copy")
	require.NotNil(t, pl.img.Image)
	assert.Equal(t, color.RGBA{0, 0, 0, 255}, pl.img.Image.At(0, 0), "the first picture")

	tap(pl.play)
	waitFor(t, "it plays to the end", func() bool { return pl.index.Load() == 9 && !pl.playing.Load() })
	assert.Equal(t, "Play", pl.play.Text, "at the end it can be played again")
	assert.Equal(t, color.RGBA{9, 0, 0, 255}, pl.img.Image.At(0, 0), "the last picture")

	pl.slider.OnChangeEnded(0.2)
	waitFor(t, "the slider moves it", func() bool { return pl.index.Load() == 4 })
	assert.Equal(t, color.RGBA{4, 0, 0, 255}, pl.img.Image.At(0, 0))
	assert.InDelta(t, 0.2, pl.slider.Value, 0.001)
	assert.Contains(t, strings.Join(visibleTexts(topDialog(t, c)), "\n"), "00:00.2 / 00:00.5")

	tap(pl.play) // from there on
	waitFor(t, "it plays on from the position", func() bool { return pl.index.Load() == 9 })

	pl.dlg.Hide()
	waitFor(t, "closing the player closes the clip", func() bool { return player.last.closed.Load() })
	assert.Zero(t, external.Load(), "no external player")
	es, err := env.Store.Query(context.Background(), app.JournalQuery{Subject: app.SubjectClip(clip.ID)})
	require.NoError(t, err)
	require.Len(t, es, 1)
	assert.Equal(t, app.KindClipOpened, es[0].Kind, "who looked at the evidence is journaled")
	assert.Equal(t, "duty", es[0].Operator)
}

// A clip that cannot be read says so, clearly, with where its file is.
func TestAClipThatCannotBeReadSaysSo(t *testing.T) {
	c := newTestConsole(t, enConfig())
	c.x.ClipPlayer = &fakePlayer{err: app.Errorf(app.CodeInvalid, "The clip {{.File}} cannot be played: {{.Why}}", "File", "/x/gone.mp4", "Why", "not an MP4 clip")}
	c.showClip(app.Clip{ID: "x", CameraID: "cam-b03-1", From: time.Now(), To: time.Now().Add(time.Second), File: "/x/gone.mp4"}, 0)
	waitFor(t, "the console says why", func() bool {
		top := c.win.Canvas().Overlays().Top()
		return top != nil && strings.Contains(strings.Join(visibleTexts(top), "\n"), "The clip cannot be played here")
	})
	texts := strings.Join(visibleTexts(topDialog(t, c)), "\n")
	assert.Contains(t, texts, "not an MP4 clip")
	assert.Contains(t, texts, "/x/gone.mp4")
	assert.NotNil(t, findButton(topDialog(t, c), "Open in another player"))
	assert.Nil(t, c.player.Load(), "no player for a clip that cannot be read")
}
