package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// The benchmark's painting floor: with WATCHPOST_WALL_STATIC the tiles show still pictures
// of their own size, handed over again and again at that rate through the same pump, and
// painted (no camera is watched).
func TestWallShowsStillPicturesForThePaintingFloor(t *testing.T) {
	t.Setenv(staticEnv, "15")
	c := newTestConsole(t, enConfig())
	w := wallOf(t, c)
	require.NotNil(t, w.static)
	live := w.tiles[0]
	waitPlaying(t, w, live)
	_, still := get(w, func() app.Viewer { return live.viewer }).(*staticViewer)
	assert.True(t, still, "the tile watches a still picture, not its camera")
	require.Eventually(t, func() bool {
		return get(w, func() bool { return live.shown != nil && live.shown.Image.Rect.Size() == live.px })
	}, 15*time.Second, 10*time.Millisecond, "at the tile's size")

	first := get(w, func() uint64 { return live.shownSeq })
	require.Eventually(t, func() bool { return get(w, func() uint64 { return live.shownSeq }) >= first+3 }, 15*time.Second, 10*time.Millisecond,
		"handed over again and again")
	before := paintedOn(w, live)
	require.Eventually(t, func() bool {
		fyne.DoAndWait(func() { c.win.Canvas().Capture() })
		return paintedOn(w, live) >= before+2
	}, 15*time.Second, 50*time.Millisecond, "and painted")
}
