package ui

import (
	"image"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"

	"watchpost/app"
)

// What the operator sees is what is painted into the window, not what is handed to the
// canvas: Fyne paints a dirty window at most 60 times a second, and a tile whose picture is
// replaced twice between two paints shows one frame, not two.
//
// Fyne has no callback after a paint, so the wall carries a probe: one transparent pixel,
// refreshed whenever a batch of frames is put on the canvas. Fyne frees the textures of
// refreshed objects just before it paints the window and creates them again while it paints,
// so the probe's generator runs during the paint that puts the new pictures on screen (the
// whole window is painted at once), once however many batches were handed over since the
// last paint; it notes every tile whose picture changed since the paint before. One probe
// for the wall, not one per tile: each object drawn costs a draw call in every paint. The
// time is taken after the paint (its buffers swapped): the generator queues a function on
// the UI thread, which runs once the paint in progress is done.

// probePixel is what the probe draws: one transparent pixel (never written).
var probePixel = image.NewRGBA(image.Rect(0, 0, 1, 1))

func newPaintProbe(w *wallPanel) *canvas.Raster {
	r := canvas.NewRaster(w.painting)
	r.ScaleMode = canvas.ImageScaleFastest
	r.Resize(fyne.NewSize(1, 1))
	return r
}

// painting is the probe's generator, called by Fyne while it paints the window (UI thread).
func (w *wallPanel) painting(int, int) image.Image {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, t := range append(w.tiles[:len(w.tiles):len(w.tiles)], w.big) {
		// A tile shows a new frame when its picture was replaced since the last paint; a
		// paint of the same picture puts no new frame on screen.
		if t.shown != nil && t.state == tilePlaying && t.Visible() && t.paintedSeq != t.shownSeq {
			t.paintedSeq = t.shownSeq
			w.paints.painted(t, t.shown)
		}
	}
	// The enlarged view's first frame of the main stream (not the tile's picture standing in).
	if b := w.big; !w.enlargedAt.IsZero() && w.enlarged && b.shown != nil && !b.standIn && b.state == tilePlaying && b.cam != nil {
		w.paints.enlargedPainted(b.cam.ID, w.enlargedAt, b.shown.Captured)
		w.enlargedAt = time.Time{}
	}
	return probePixel
}

// paintMeter collects the frames of one paint and stamps them once the paint is done.
type paintMeter struct {
	mu      sync.Mutex
	pending []paintedFrame
	queued  bool
	into    *latencyWindow
	paints  *latencyWindow // one sample per paint that put new frames on screen
	log     func(msg string, args ...any)
	// The enlarged view's first main-stream frame in this paint, if it is in it.
	enlarge *enlargePaint
}

// enlargePaint is an enlarged camera's first frame of its main stream on screen: logged
// with how long after the enlarging and how old the picture was (the frame must be the
// current one, not the first of a stale group).
type enlargePaint struct {
	camera          string
	asked, captured time.Time
}

func (m *paintMeter) enlargedPainted(camera string, asked, captured time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.enlarge = &enlargePaint{camera: camera, asked: asked, captured: captured}
	if !m.queued {
		m.queued = true
		go fyne.Do(m.stamp)
	}
}

type paintedFrame struct {
	t                 *tile
	decoded, captured time.Time
}

func (m *paintMeter) painted(t *tile, f *app.Frame) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.pending = append(m.pending, paintedFrame{t, f.Decoded, f.Captured})
	if !m.queued {
		m.queued = true
		// From another goroutine, so that it is queued behind the paint in progress
		// (fyne.Do on the UI thread itself may run at once).
		go fyne.Do(m.stamp)
	}
}

// stamp records the frames of the paint that has just been put on screen.
func (m *paintMeter) stamp() {
	now := time.Now()
	m.mu.Lock()
	done, enlarge := m.pending, m.enlarge
	m.pending, m.queued, m.enlarge = nil, false, nil
	m.mu.Unlock()
	if enlarge != nil && m.log != nil {
		age := -1.0 // the stream carries no send times
		if !enlarge.captured.IsZero() {
			age = ms(now.Sub(enlarge.captured))
		}
		m.log("wall enlarged", "camera", enlarge.camera, "painted_after_ms", ms(now.Sub(enlarge.asked)),
			"frame_age_ms", age, "painted_unix_ms", now.UnixMilli())
	}
	m.paints.add(latencySample{at: now, captured: -1})
	for _, p := range done {
		c := time.Duration(-1)
		if !p.captured.IsZero() {
			c = now.Sub(p.captured)
		}
		m.into.add(latencySample{at: now, tile: p.t, decoded: now.Sub(p.decoded), captured: c})
	}
}
