package ui

import (
	"image"
	"math"
	"os"
	"sort"
	"sync"
	"time"

	"watchpost/app"

	"fyne.io/fyne/v2"
)

// The wall's pump: one goroutine per wall (not per tile) that, at the cameras' frame rate,
// takes the newest frame of every visible tile's viewer without waiting, and puts them all
// on screen in one fyne.Do. Only tiles with a new frame are refreshed, and only their
// picture. (A pacing that handed frames over as they arrived, with a jitter buffer per tile
// and hand-offs timed to Fyne's paint ticks, was measured beside this one in the same quiet
// run and did no better: under software rendering the window's paints are the cost, and
// this pump keeps them to 15 a second; see the README's wall figures.) The flashing alarm borders toggle from the same pump. It also measures how
// long frames take from the decoder (and from the camera) to the canvas and to the screen.

const (
	pumpRate    = 15              // per second: the streams' rate
	flashEvery  = 8               // pump ticks between two toggles of a flashing border (~2 Hz)
	statsWindow = 5 * time.Second // the rolling window of Stats
	statsRing   = 8192            // samples kept (36 tiles × 15 fps × 5 s fit)
	statsEnv    = "WATCHPOST_WALL_STATS"
)

// feedRef is a tile and the viewer it shows, as the pump sees them.
type feedRef struct {
	t *tile
	v app.Viewer
}

type frameUpdate struct {
	t *tile
	v app.Viewer
	f *app.Frame
}

// WallStats is what the camera wall delivers: how many tiles play, how many frames reach
// the screen per second, and how late they are.
type WallStats struct {
	Tiles int
	// The frame size of the first tile, in pixels (what its viewer decodes to).
	TilePixels image.Point

	// Frames handed to the canvas (a tile's picture replaced) per second, and how late they
	// were then: from the decoded frame, and from the camera's send time (when the stream
	// carries it).
	HandedFPS                                float64
	DecodedToHandedP50, DecodedToHandedP95   time.Duration
	CapturedToHandedP50, CapturedToHandedP95 time.Duration

	// Frames painted into the window (what the operator sees, wall_paint.go) per second, in
	// all and on the worst-served tile of those playing, and how late they were on screen.
	PaintedFPS, MinTileFPS float64
	// The window's paints per second that put new frames on screen (Fyne paints the whole
	// window each time: this, more than the frames, is what painting costs).
	PaintsPerSecond                          float64
	DecodedToScreenP50, DecodedToScreenP95   time.Duration
	CapturedToScreenP50, CapturedToScreenP95 time.Duration

	// How long the UI thread took to run a batch handed to it: the window's responsiveness
	// (a tap or a key waits behind the same queue).
	UILagP95 time.Duration
}

// publishFeeds hands the pump the viewers of the tiles on screen.
func (w *wallPanel) publishFeeds() {
	var refs []feedRef
	flash := false
	for _, t := range w.visibleTiles() {
		if t.viewer != nil {
			refs = append(refs, feedRef{t, t.viewer})
		}
		flash = flash || t.flashing()
	}
	w.feedMu.Lock()
	w.feeds = refs
	w.feedMu.Unlock()
	w.anyFlash.Store(flash)
}

func (w *wallPanel) startPump() {
	if w.pumpStop != nil {
		return
	}
	stop := make(chan struct{})
	w.pumpStop = stop
	now := time.Now()
	w.stats.reset(now)
	w.painted.reset(now)
	w.paintsW.reset(now)
	go w.pump(stop)
}

// stopPump tells the pump to stop; it does not wait (a batch it already handed to the UI
// thread is applied or released there).
func (w *wallPanel) stopPump() {
	if w.pumpStop != nil {
		close(w.pumpStop)
		w.pumpStop = nil
	}
}

func (w *wallPanel) pump(stop <-chan struct{}) {
	tick := time.NewTicker(time.Second / pumpRate)
	defer tick.Stop()
	var refs []feedRef
	n, flashDue := 0, false
	nextLog := time.Now().Add(w.statsEvery)
	var held *frameUpdate // the enlarged view's first frame, taken while the UI thread was busy
	for {
		// The enlarged view's first frame of the main stream goes on screen as soon as it is
		// decoded, not at the next tick (up to 67 ms later): the operator is waiting for it.
		var first feedRef
		var firstFrames <-chan *app.Frame
		if t := w.firstWanted.Load(); t != nil && held == nil {
			w.feedMu.Lock()
			for _, r := range w.feeds {
				if r.t == t {
					first, firstFrames = r, r.v.Frames()
				}
			}
			w.feedMu.Unlock()
		}
		select {
		case <-stop:
			held.release()
			return
		case <-w.pumpWake:
			continue // the enlarged view changed: look at it again
		case f := <-firstFrames:
			if f == nil {
				continue
			}
			select {
			case <-stop: // stopped meanwhile (select picks among ready cases at random)
				f.Release()
				held.release()
				return
			default:
			}
			if g := newest(first.v); g != nil {
				f.Release()
				f = g
			}
			held = &frameUpdate{first.t, first.v, f}
			if w.applying.Load() {
				continue // put on screen with the next batch
			}
			batch := []frameUpdate{*held}
			held = nil
			w.applyOnUI(batch, false)
			continue
		case <-tick.C:
		}
		n++
		if n%flashEvery == 0 && w.anyFlash.Load() {
			flashDue = true
		}
		if w.statsEvery > 0 && !time.Now().Before(nextLog) {
			w.logStats()
			nextLog = time.Now().Add(w.statsEvery)
		}
		if w.applying.Load() {
			// The UI thread has not applied the last batch yet: leave the frames in the
			// viewers' queues (they keep the newest) rather than pile batches up.
			continue
		}
		w.feedMu.Lock()
		refs = append(refs[:0], w.feeds...)
		w.feedMu.Unlock()
		var batch []frameUpdate
		for _, r := range refs {
			f := newest(r.v)
			if held != nil && held.v == r.v {
				if f == nil {
					f = held.f
				} else {
					held.f.Release()
				}
				held = nil
			}
			if f != nil {
				batch = append(batch, frameUpdate{r.t, r.v, f})
			}
		}
		held.release() // its viewer is no longer on screen
		held = nil
		select {
		case <-stop: // stopped while the batch was gathered
			for _, u := range batch {
				u.f.Release()
			}
			return
		default:
		}
		if len(batch) == 0 && !flashDue {
			continue
		}
		flash := flashDue
		flashDue = false
		w.applyOnUI(batch, flash)
	}
}

// applyOnUI hands a batch to the UI thread, noting how long it waited there.
func (w *wallPanel) applyOnUI(batch []frameUpdate, flash bool) {
	w.applying.Store(true)
	queued := time.Now()
	w.c.onUI(func() {
		defer w.applying.Store(false)
		w.uiLag.add(latencySample{at: time.Now(), decoded: time.Since(queued), captured: -1})
		w.apply(batch, flash)
	})
}

func (u *frameUpdate) release() {
	if u != nil {
		u.f.Release()
	}
}

// newest drains a viewer's queue without waiting and returns the newest frame (or nil);
// older ones are released.
func newest(v app.Viewer) *app.Frame {
	var f *app.Frame
	for {
		select {
		case g := <-v.Frames():
			if g == nil {
				return f
			}
			f.Release()
			f = g
		default:
			return f
		}
	}
}

// apply puts a batch of frames on screen (UI thread).
func (w *wallPanel) apply(batch []frameUpdate, flash bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := time.Now()
	shown := false
	for _, u := range batch {
		decoded, captured := u.f.Decoded, u.f.Captured
		if u.t.showFrame(u.v, u.f) {
			shown = true
			if u.t == w.big {
				w.firstWanted.CompareAndSwap(u.t, nil)
			}
			c := time.Duration(-1)
			if !captured.IsZero() {
				c = now.Sub(captured)
			}
			w.stats.add(latencySample{at: now, decoded: now.Sub(decoded), captured: c})
		}
	}
	if shown {
		w.probe.Refresh() // the next paint notes the frames (wall_paint.go)
	}
	if flash {
		w.flashOn = !w.flashOn
		for _, t := range w.visibleTiles() {
			t.flash(w.flashOn)
		}
	}
}

// Stats returns the wall's figures over the last few seconds.
func (w *wallPanel) Stats() WallStats {
	w.feedMu.Lock()
	tiles := make([]*tile, len(w.feeds))
	for i, r := range w.feeds {
		tiles[i] = r.t
	}
	w.feedMu.Unlock()
	now := time.Now()
	handed, painted := w.stats.compute(now), w.painted.compute(now)
	s := WallStats{Tiles: len(tiles),
		HandedFPS: handed.fps, DecodedToHandedP50: handed.decodedP50, DecodedToHandedP95: handed.decodedP95,
		CapturedToHandedP50: handed.capturedP50, CapturedToHandedP95: handed.capturedP95,
		PaintedFPS: painted.fps, DecodedToScreenP50: painted.decodedP50, DecodedToScreenP95: painted.decodedP95,
		CapturedToScreenP50: painted.capturedP50, CapturedToScreenP95: painted.capturedP95,
		UILagP95: w.uiLag.compute(now).decodedP95, PaintsPerSecond: w.paintsW.compute(now).fps,
	}
	for i, t := range tiles {
		f := painted.perTile[t]
		if i == 0 || f < s.MinTileFPS {
			s.MinTileFPS = f
		}
	}
	if len(tiles) > 0 {
		w.mu.Lock()
		s.TilePixels = tiles[0].px
		w.mu.Unlock()
	}
	return s
}

func (w *wallPanel) logStats() {
	s := w.Stats()
	// Where the first tile's centre is in the window (pixels): what a benchmark double-clicks.
	// Asked of the UI thread, which may be gone when the console closes: not waited for then.
	at := make(chan image.Point, 1)
	w.c.onUI(func() {
		w.mu.Lock()
		t := w.tiles[0]
		w.mu.Unlock()
		var p image.Point
		if a := fyne.CurrentApp(); a != nil && t.Visible() {
			pos := a.Driver().AbsolutePositionForObject(t)
			scale := w.c.win.Canvas().Scale()
			p = image.Pt(int((pos.X+t.Size().Width/2)*scale), int((pos.Y+t.Size().Height/2)*scale))
		}
		at <- p
	})
	var centre image.Point
	select {
	case centre = <-at:
	case <-time.After(time.Second):
	}
	w.c.core.Log.Info("wall stats", "tiles", s.Tiles, "tile_w", s.TilePixels.X, "tile_h", s.TilePixels.Y,
		"tile0_x", centre.X, "tile0_y", centre.Y,
		"painted_fps", round1(s.PaintedFPS), "min_tile_fps", round1(s.MinTileFPS), "paints_per_s", round1(s.PaintsPerSecond),
		"decoded_to_screen_p50_ms", ms(s.DecodedToScreenP50), "decoded_to_screen_p95_ms", ms(s.DecodedToScreenP95),
		"captured_to_screen_p50_ms", ms(s.CapturedToScreenP50), "captured_to_screen_p95_ms", ms(s.CapturedToScreenP95),
		"handed_fps", round1(s.HandedFPS), "captured_to_handed_p50_ms", ms(s.CapturedToHandedP50),
		"captured_to_handed_p95_ms", ms(s.CapturedToHandedP95), "ui_lag_p95_ms", ms(s.UILagP95))
}

// statsInterval reads WATCHPOST_WALL_STATS ("5s"): how often to log the wall's figures.
func statsInterval(log func(msg string, args ...any)) time.Duration {
	v := os.Getenv(statsEnv)
	if v == "" {
		return 0
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		log("ignoring "+statsEnv+": give a duration such as 5s", "value", v)
		return 0
	}
	return d
}

func ms(d time.Duration) float64 { return round1(float64(d) / float64(time.Millisecond)) }

func round1(f float64) float64 { return math.Round(f*10) / 10 }

type latencySample struct {
	at       time.Time
	tile     *tile // the tile it was painted on (painted frames only)
	decoded  time.Duration
	captured time.Duration // -1: the stream carries no send times
}

// latencyWindow keeps the latest samples in a ring.
type latencyWindow struct {
	mu    sync.Mutex
	since time.Time
	ring  []latencySample
	next  int
	full  bool
}

func (l *latencyWindow) reset(now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.since, l.next, l.full = now, 0, false
	if l.ring == nil {
		l.ring = make([]latencySample, statsRing)
	}
}

func (l *latencyWindow) add(s latencySample) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ring == nil {
		l.ring = make([]latencySample, statsRing)
	}
	l.ring[l.next] = s
	l.next++
	if l.next == len(l.ring) {
		l.next, l.full = 0, true
	}
}

// windowFigures are a latency window's figures: samples per second, in all and per tile,
// and percentiles of their two delays.
type windowFigures struct {
	fps                      float64
	perTile                  map[*tile]float64
	decodedP50, decodedP95   time.Duration
	capturedP50, capturedP95 time.Duration
}

func (l *latencyWindow) compute(now time.Time) windowFigures {
	l.mu.Lock()
	n := l.next
	if l.full {
		n = len(l.ring)
	}
	from := now.Add(-statsWindow)
	var dec, capt []time.Duration
	count := map[*tile]int{}
	for i := 0; i < n; i++ {
		s := l.ring[i]
		if s.at.Before(from) || s.at.After(now) {
			continue
		}
		if s.tile != nil {
			count[s.tile]++
		}
		dec = append(dec, s.decoded)
		if s.captured >= 0 {
			capt = append(capt, s.captured)
		}
	}
	span := statsWindow
	if !l.since.IsZero() && now.Sub(l.since) < span {
		span = now.Sub(l.since)
	}
	l.mu.Unlock()
	out := windowFigures{perTile: map[*tile]float64{}}
	if span > 0 {
		out.fps = float64(len(dec)) / span.Seconds()
		for t, c := range count {
			out.perTile[t] = float64(c) / span.Seconds()
		}
	}
	out.decodedP50, out.decodedP95 = percentile(dec, 50), percentile(dec, 95)
	out.capturedP50, out.capturedP95 = percentile(capt, 50), percentile(capt, 95)
	return out
}

// percentile returns the p-th percentile (nearest rank) of ds, which it sorts.
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	i := int(math.Ceil(float64(p)/100*float64(len(ds)))) - 1
	return ds[max(0, min(i, len(ds)-1))]
}
