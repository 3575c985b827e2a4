package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"github.com/stretchr/testify/require"
)

// Switching layouts several times keeps every live tile playing: the tiles that stay on
// screen keep receiving frames at their new sizes.
func TestWallKeepsPlayingAcrossLayoutChanges(t *testing.T) {
	c := newTestConsole(t, enConfig())
	w := wallOf(t, c)
	waitPlaying(t, w, w.tiles[0])
	for _, key := range []fyne.KeyName{fyne.Key2, fyne.Key7, fyne.Key4, fyne.Key2} {
		pressed := time.Now()
		w.TypedKey(&fyne.KeyEvent{Name: key})
		for i := 0; i < liveCameras; i++ {
			tl := w.tiles[i]
			require.Eventually(t, func() bool {
				return get(w, func() bool {
					return tl.state == tilePlaying && tl.shown != nil && tl.shown.Decoded.After(pressed) &&
						tl.shown.Image.Bounds().Dx() == tl.px.X
				})
			}, 15*time.Second, 20*time.Millisecond, "after key %s tile %d plays frames decoded since, at its size (state %v)", key, i, tl.state)
		}
	}
}
