package ui

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// compareGolden compares a picture with its golden copy in testdata. A missing golden is a
// failure, not a pass: the picture drawn is left in testdata/failed/ to look at, and
// WATCHPOST_UPDATE_GOLDEN=1 writes it as the golden on purpose.
func compareGolden(t testing.TB, got *image.RGBA, path string) {
	t.Helper()
	writePNG := func(file string) {
		require.NoError(t, os.MkdirAll(filepath.Dir(file), 0o755))
		f, err := os.Create(file)
		require.NoError(t, err)
		require.NoError(t, png.Encode(f, got))
		require.NoError(t, f.Close())
	}
	if os.Getenv("WATCHPOST_UPDATE_GOLDEN") != "" {
		writePNG(path)
		t.Logf("wrote %s", path)
		return
	}
	if _, err := os.Stat(path); os.IsNotExist(err) {
		out := filepath.Join(filepath.Dir(path), "failed", filepath.Base(path))
		writePNG(out)
		t.Fatalf("there is no golden picture %s: look at the picture drawn (%s), then run with WATCHPOST_UPDATE_GOLDEN=1 to keep it", path, out)
	}
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	want, err := png.Decode(f)
	require.NoError(t, err)
	require.Equal(t, want.Bounds(), got.Bounds())
	diff := 0
	for y := got.Rect.Min.Y; y < got.Rect.Max.Y; y++ {
		for x := got.Rect.Min.X; x < got.Rect.Max.X; x++ {
			a := got.RGBAAt(x, y)
			wr, wg, wb, _ := want.At(x, y).RGBA()
			b := color.RGBA{uint8(wr >> 8), uint8(wg >> 8), uint8(wb >> 8), 0}
			if absDiff(a.R, b.R) > 6 || absDiff(a.G, b.G) > 6 || absDiff(a.B, b.B) > 6 {
				diff++
			}
		}
	}
	total := got.Rect.Dx() * got.Rect.Dy()
	if diff > total/200 {
		out := filepath.Join(filepath.Dir(path), "failed", filepath.Base(path))
		_ = os.MkdirAll(filepath.Dir(out), 0o755)
		if f, err := os.Create(out); err == nil {
			_ = png.Encode(f, got)
			f.Close()
		}
		t.Errorf("%d of %d pixels differ from %s (the picture drawn is in %s)", diff, total, path, out)
	}
}

func absDiff(a, b uint8) uint8 {
	if a > b {
		return a - b
	}
	return b - a
}

// failRecorder is a testing.TB whose failures are recorded instead of failing the test
// that uses it: it checks what compareGolden does with a missing golden.
type failRecorder struct {
	testing.TB
	mu     sync.Mutex
	failed bool
	msgs   []string
}

func (f *failRecorder) Helper()             {}
func (f *failRecorder) Logf(string, ...any) {}
func (f *failRecorder) Errorf(format string, args ...any) {
	f.mu.Lock()
	f.failed = true
	f.msgs = append(f.msgs, format)
	f.mu.Unlock()
}
func (f *failRecorder) Fatalf(format string, args ...any) { f.Errorf(format, args...); f.FailNow() }
func (f *failRecorder) FailNow() {
	f.mu.Lock()
	f.failed = true
	f.mu.Unlock()
	runtime.Goexit()
}

// A golden picture that is not there fails the test (a first run must not pass by writing
// what it drew), and leaves the picture drawn beside it to look at.
func TestAMissingGoldenIsAFailure(t *testing.T) {
	t.Setenv("WATCHPOST_UPDATE_GOLDEN", "")
	dir := t.TempDir()
	path := filepath.Join(dir, "nothing.png")
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	img.Set(1, 1, color.RGBA{R: 255, A: 255})
	rec := &failRecorder{TB: t}
	done := make(chan struct{})
	go func() { defer close(done); compareGolden(rec, img, path) }()
	<-done
	assert.True(t, rec.failed, "a missing golden fails")
	assert.NoFileExists(t, path, "and is not written")
	assert.FileExists(t, filepath.Join(dir, "failed", "nothing.png"), "the picture drawn is left to look at")

	// Written on purpose, it is then the golden the same picture matches.
	t.Setenv("WATCHPOST_UPDATE_GOLDEN", "1")
	compareGolden(t, img, path)
	require.FileExists(t, path)
	t.Setenv("WATCHPOST_UPDATE_GOLDEN", "")
	rec = &failRecorder{TB: t}
	done = make(chan struct{})
	go func() { defer close(done); compareGolden(rec, img, path) }()
	<-done
	assert.False(t, rec.failed, "%v", rec.msgs)

	// A different picture does not match it.
	other := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := range other.Pix {
		other.Pix[i] = 200
	}
	rec = &failRecorder{TB: t}
	done = make(chan struct{})
	go func() { defer close(done); compareGolden(rec, other, path) }()
	<-done
	assert.True(t, rec.failed, "a different picture fails")
}
