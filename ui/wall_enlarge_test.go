package ui

import (
	"image"
	"log/slog"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// Enlarging a playing tile shows the camera at once: the tile's picture (its sub stream)
// stays on the enlarged view, also while the main stream connects, until the main
// stream's first frame replaces it.
func TestWallEnlargeShowsTheTilesPictureUntilTheMainStreamsFirstFrame(t *testing.T) {
	c := newTestConsole(t, enConfig())
	w := wallOf(t, c)
	live := w.tiles[0]
	waitPlaying(t, w, live)
	w.locked(func() {
		w.stopPump() // the main stream's frames wait
		shown := live.shown.Image
		w.selectTile(0)
		w.setEnlarged(true)
		assert.Equal(t, tilePlaying, w.big.state, "the enlarged view shows the camera at once")
		assert.Same(t, shown, w.big.img.Image, "with the tile's picture")
		assert.True(t, w.big.img.Visible())
		w.big.showStatus(app.StreamStatus{State: app.StreamConnecting, Since: time.Now()})
		assert.Equal(t, tilePlaying, w.big.state, "while the main stream connects")
		w.startPump()
	})
	require.Eventually(t, func() bool {
		return get(w, func() bool {
			img, ok := w.big.img.Image.(*image.RGBA)
			return !w.big.standIn && w.big.state == tilePlaying && ok && img.Rect.Size() == w.big.px
		})
	}, 15*time.Second, 20*time.Millisecond, "the main stream's frames replace it")
}

// The enlarged view's first painted frame of the main stream is logged once, with how long
// after the enlarging it reached the screen and how old the picture was (BenchmarkEnlarge
// Painted reads it); the tile's picture standing in before it does not count.
func TestWallLogsTheEnlargedMainStreamsFirstPaint(t *testing.T) {
	c := newTestConsole(t, enConfig())
	w := wallOf(t, c)
	capture := &logCapture{}
	w.locked(func() { w.paints.log = slog.New(capture).Info })
	live := w.tiles[0]
	waitPlaying(t, w, live)
	paint := func() { fyne.DoAndWait(func() { c.win.Canvas().Capture() }) }
	cam := get(w, func() string { return live.cam.ID })

	w.locked(func() {
		w.stopPump() // the main stream's frames wait
		w.selectTile(0)
		w.setEnlarged(true)
	})
	paint()
	paint()
	assert.Empty(t, capture.all("wall enlarged"), "the tile's picture standing in is not the main stream")
	w.locked(w.startPump)

	require.Eventually(t, func() bool { paint(); return len(capture.all("wall enlarged")) > 0 },
		15*time.Second, 20*time.Millisecond, "the main stream's first frame is painted and logged")
	got := capture.all("wall enlarged")[0]
	assert.Equal(t, cam, got["camera"])
	assert.Positive(t, got["painted_after_ms"], "after the enlarging")
	assert.Positive(t, got["painted_unix_ms"])
	age, ok := got["frame_age_ms"].(float64)
	require.True(t, ok)
	assert.True(t, age == -1 || age >= 0, "the frame's age, or -1 when the stream carries no send times: %v", age)
	paint()
	paint()
	assert.Len(t, capture.all("wall enlarged"), 1, "once per enlarging")

	// Back to the grid and enlarged again: logged again.
	w.locked(func() { w.setEnlarged(false); w.setEnlarged(true) })
	require.Eventually(t, func() bool { paint(); return len(capture.all("wall enlarged")) == 2 },
		15*time.Second, 20*time.Millisecond, "each enlarging is measured")
}
