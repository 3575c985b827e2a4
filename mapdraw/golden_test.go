package mapdraw

import (
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// matchesGolden checks a picture against testdata/name: at most one pixel in 200 may be
// off by more than 6 in a channel (anti-aliasing may round differently on another CPU).
// WATCHPOST_UPDATE_GOLDEN=1 writes the picture as the golden, on purpose; a golden that
// is missing fails, and a picture that does not match is left in testdata/failed/.
func matchesGolden(t *testing.T, got *image.RGBA, name string) {
	t.Helper()
	golden := filepath.Join("testdata", name)
	save := func(path string) {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		f, err := os.Create(path)
		require.NoError(t, err)
		defer f.Close()
		require.NoError(t, png.Encode(f, got))
	}
	if os.Getenv("WATCHPOST_UPDATE_GOLDEN") != "" {
		save(golden)
		return
	}
	failed := filepath.Join("testdata", "failed", name)
	f, err := os.Open(golden)
	if err != nil {
		save(failed)
		t.Fatalf("no golden %s (%v): the picture drawn is in %s", golden, err, failed)
	}
	defer f.Close()
	want, err := png.Decode(f)
	require.NoError(t, err)
	require.Equal(t, want.Bounds(), got.Bounds())
	off := 0
	for y := got.Rect.Min.Y; y < got.Rect.Max.Y; y++ {
		for x := got.Rect.Min.X; x < got.Rect.Max.X; x++ {
			r, g, b, _ := want.At(x, y).RGBA()
			c := got.RGBAAt(x, y)
			if far(c.R, r) || far(c.G, g) || far(c.B, b) {
				off++
			}
		}
	}
	if n := got.Rect.Dx() * got.Rect.Dy(); off > n/200 {
		save(failed)
		t.Errorf("%d of %d pixels differ from %s: the picture drawn is in %s", off, n, golden, failed)
	}
}

// far reports whether a channel differs from a 16-bit one by more than 6 (of 255).
func far(a uint8, b uint32) bool {
	d := int(a) - int(b>>8)
	return d > 6 || d < -6
}
