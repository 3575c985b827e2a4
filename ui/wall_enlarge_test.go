package ui

import (
	"image"
	"testing"
	"time"

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
