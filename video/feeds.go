// Feeds is a runner (DESIGN.md, "Every part that runs"): NewFeeds starts nothing, and
// Run(ctx) owns every stream from when it starts until ctx ends. Watch, WatchGray and Tap
// open streams only while Run runs (before it, or after it returned, they answer
// CodeUnavailable); when ctx ends, Run stops every stream, waits for their goroutines, ends
// the taps' queues and returns. A camera's reconnections stay inside its stream, with
// their own backoff (source.go): a camera that goes away does not end Run.

package video

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"watchpost/app"
)

// Config of the camera feeds.
type Config struct {
	// UDP receives RTP over UDP instead of interleaved over the RTSP TCP connection.
	UDP bool
	// Grace keeps a stream running this long after its last viewer left, so that paging
	// back and forth on the wall does not reconnect every time.
	Grace time.Duration
}

// Feeds opens the cameras of the site on demand: a stream is connected while someone
// watches it (a viewer) or records it (a tap), and decoded only while watched. It
// implements app.CameraFeeds.
type Feeds struct {
	cfg      Config
	health   *app.Health
	onStatus func(app.StreamStatus)

	mu      sync.Mutex
	cameras map[string]app.Camera
	streams map[streamKey]*stream
	recent  map[streamKey]app.StreamStatus // last status of streams that stopped
	// running is true while Run runs: only then are streams opened. up is closed while it
	// runs (WaitRunning waits on it) and replaced by an open one when Run ends.
	running bool
	up      chan struct{}
	// live counts the goroutines of streams (and of their stopping) started under this Run:
	// Run waits for them before it returns. Added to only with mu held while running.
	live sync.WaitGroup

	reports chan app.StreamStatus // state changes, handed on by Run
}

type streamKey struct {
	camera string
	main   bool
}

// errNotRunning answers a stream asked for while Run does not run.
var errNotRunning = app.Errorf(app.CodeUnavailable, "The video service is stopped")

// NewFeeds serves the given cameras once Run runs. health (may be nil) gets a "cameras"
// summary for the status bar; onStatus (may be nil) gets every change of a stream's state,
// e.g. to journal it, on Run's goroutine.
func NewFeeds(cameras []app.Camera, cfg Config, health *app.Health, onStatus func(app.StreamStatus)) *Feeds {
	if cfg.Grace == 0 {
		cfg.Grace = 5 * time.Second
	}
	f := &Feeds{
		cfg: cfg, health: health, onStatus: onStatus,
		cameras: map[string]app.Camera{},
		streams: map[streamKey]*stream{},
		recent:  map[streamKey]app.StreamStatus{},
		up:      make(chan struct{}),
		reports: make(chan app.StreamStatus, 1024),
	}
	f.SetCameras(cameras)
	return f
}

// Run serves streams until ctx ends: it hands the streams' state changes on and keeps the
// status bar's summary current. When ctx ends it stops every stream, viewers and taps
// still open or not, waits for their goroutines to end, and returns nil. Run may be run
// again after it returned (a supervisor's restart), never twice at once.
func (f *Feeds) Run(ctx context.Context) error {
	f.mu.Lock()
	if f.running {
		f.mu.Unlock()
		return errors.New("video: the camera feeds are already running")
	}
	f.running = true
	close(f.up)
	f.mu.Unlock()
	for {
		select {
		case <-ctx.Done():
			f.stopAll()
			return nil
		case st := <-f.reports:
			f.handOn(st)
		}
	}
}

// WaitRunning waits until Run runs (streams can be opened), or ctx ends (its error).
func (f *Feeds) WaitRunning(ctx context.Context) error {
	f.mu.Lock()
	up := f.up
	f.mu.Unlock()
	select {
	case <-up:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// stopAll ends Run's streams: no stream opens from here on, every stream stops (its
// viewers get no more frames, its taps' queues are closed), and what they reported on the
// way is handed on before Run returns.
func (f *Feeds) stopAll() {
	f.mu.Lock()
	f.running = false
	f.up = make(chan struct{})
	streams := f.streams
	f.streams = map[streamKey]*stream{}
	f.mu.Unlock()
	for _, s := range streams {
		f.live.Add(1) // on this goroutine, before Wait
		go func(s *stream) { defer f.live.Done(); s.stop() }(s)
	}
	f.live.Wait()
	for _, s := range streams {
		s.endTaps()
	}
	for {
		select {
		case st := <-f.reports:
			f.handOn(st)
		default:
			f.mu.Lock()
			f.summaryLocked()
			f.mu.Unlock()
			return
		}
	}
}

// SetCameras replaces the camera list (after a site edit); running streams of cameras whose
// address changed reconnect to the new one, keeping their viewers.
func (f *Feeds) SetCameras(cameras []app.Camera) {
	f.mu.Lock()
	f.cameras = map[string]app.Camera{}
	for _, c := range cameras {
		f.cameras[c.ID] = c
	}
	var moved []*stream
	var urls []string
	for key, s := range f.streams {
		if c, ok := f.cameras[key.camera]; ok && c.StreamFor(key.main) != s.address() {
			moved, urls = append(moved, s), append(urls, c.StreamFor(key.main))
		}
	}
	f.summaryLocked()
	f.mu.Unlock()
	for i, s := range moved {
		s.retarget(urls[i])
	}
}

// Watch opens a viewer of a camera's main or sub stream with frames of w×h pixels.
func (f *Feeds) Watch(cameraID string, main bool, w, h int) (app.Viewer, error) {
	return f.watch(cameraID, main, w, h, false, 0)
}

// WatchGray opens an analytics viewer: the sub stream's luma at w×h, at most fps frames a second.
func (f *Feeds) WatchGray(cameraID string, w, h int, fps float64) (app.Viewer, error) {
	return f.watch(cameraID, false, w, h, true, fps)
}

func (f *Feeds) watch(cameraID string, main bool, w, h int, gray bool, fps float64) (app.Viewer, error) {
	if w <= 0 || h <= 0 {
		w, h = 640, 360
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	s, err := f.streamLocked(cameraID, main)
	if err != nil {
		return nil, err
	}
	v := newViewer(s, w, h, gray)
	v.SetMaxFPS(fps)
	// The first viewer of a stream nobody decoded (the recorder's, or one in its grace
	// period) is caught up from the group of pictures kept, before any unit that comes
	// after (gopMu): its first picture is the current one, at once, on the same connection.
	s.gopMu.Lock()
	s.mu.Lock()
	s.keepLocked()
	first := len(s.viewers) == 0
	s.viewers[v] = struct{}{}
	s.nviewers.Store(int32(len(s.viewers)))
	s.mu.Unlock()
	if first {
		s.catchUpLocked()
	}
	s.gopMu.Unlock()
	return v, nil
}

// Tap opens a receive-only consumer of a camera's main or sub stream: its compressed
// access units, for recording. The stream stays connected while the tap is open.
func (f *Feeds) Tap(cameraID string, main bool) (*Tap, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, err := f.streamLocked(cameraID, main)
	if err != nil {
		return nil, err
	}
	t := newTap(s)
	s.mu.Lock()
	s.keepLocked()
	taps := []*Tap{t}
	if old := s.taps.Load(); old != nil {
		taps = append(taps, *old...)
	}
	s.taps.Store(&taps)
	s.mu.Unlock()
	return t, nil
}

// streamLocked returns the running stream of a camera, starting it when needed (f.mu held).
// Only while Run runs: a stream opened otherwise would have nobody to stop it.
func (f *Feeds) streamLocked(cameraID string, main bool) (*stream, error) {
	if !f.running {
		return nil, errNotRunning
	}
	cam, ok := f.cameras[cameraID]
	if !ok {
		return nil, app.Errorf(app.CodeNotFound, "There is no camera {{.ID}}", "ID", cameraID)
	}
	key := streamKey{cameraID, main}
	s := f.streams[key]
	if s != nil && s.address() != cam.StreamFor(main) {
		f.live.Add(1)
		go func(s *stream) { defer f.live.Done(); s.stop() }(s) // the camera's address changed
		s = nil
	}
	if s == nil {
		f.live.Add(1) // done when the stream's goroutines have ended
		s = newStream(f, cameraID, main, cam.StreamFor(main))
		f.streams[key] = s
		delete(f.recent, key)
	}
	return s, nil
}

// keepLocked cancels a pending stop: someone uses the stream again (s.mu held).
func (s *stream) keepLocked() {
	if s.idle != nil {
		s.idle.Stop()
		s.idle = nil
	}
}

// unusedLocked reports whether neither a viewer nor a tap uses the stream (s.mu held).
func (s *stream) unusedLocked() bool {
	taps := s.taps.Load()
	return len(s.viewers) == 0 && (taps == nil || len(*taps) == 0)
}

// releaseTap takes a closed tap off its stream, like release for a viewer.
func (f *Feeds) releaseTap(t *Tap) {
	s := t.s
	s.mu.Lock()
	var taps []*Tap
	if old := s.taps.Load(); old != nil {
		for _, o := range *old {
			if o != t {
				taps = append(taps, o)
			}
		}
	}
	s.taps.Store(&taps)
	f.idleLocked(s)
	s.mu.Unlock()
}

// release takes a closed viewer off its stream; the stream stops after the grace period
// when it was the last.
func (f *Feeds) release(v *viewer) {
	s := v.s
	s.mu.Lock()
	delete(s.viewers, v)
	s.nviewers.Store(int32(len(s.viewers)))
	f.idleLocked(s)
	s.mu.Unlock()
}

// idleLocked arms the stop of a stream nobody uses any more, after the grace period; a
// stream already stopped (Run ended) has nothing to stop (s.mu held).
func (f *Feeds) idleLocked(s *stream) {
	if s.unusedLocked() && s.idle == nil && !s.stopped {
		s.idle = time.AfterFunc(f.cfg.Grace, func() { f.stopIfIdle(s) })
	}
}

func (f *Feeds) stopIfIdle(s *stream) {
	f.mu.Lock()
	if !f.running {
		f.mu.Unlock()
		return // Run has ended, and stopped the stream
	}
	s.mu.Lock()
	idle := s.unusedLocked()
	s.mu.Unlock()
	key := streamKey{s.cameraID, s.main}
	idle = idle && f.streams[key] == s
	if idle {
		delete(f.streams, key)
		st := s.Status()
		st.State, st.FPS, st.BitrateKbps = app.StreamIdle, 0, 0
		f.recent[key] = st
		f.live.Add(1) // Run waits for this stop, and for its report
	}
	f.mu.Unlock()
	if idle {
		s.stop()
		f.report(app.StreamStatus{CameraID: s.cameraID, Main: s.main, State: app.StreamIdle, Since: time.Now()})
		f.live.Done()
	}
}

// Statuses returns the status of every stream in use or recently used, by camera.
func (f *Feeds) Statuses() []app.StreamStatus {
	f.mu.Lock()
	streams := make([]*stream, 0, len(f.streams))
	for _, s := range f.streams {
		streams = append(streams, s)
	}
	out := make([]app.StreamStatus, 0, len(streams)+len(f.recent))
	for _, st := range f.recent {
		out = append(out, st)
	}
	f.mu.Unlock()
	for _, s := range streams {
		out = append(out, s.Status())
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].CameraID != out[j].CameraID {
			return out[i].CameraID < out[j].CameraID
		}
		return !out[i].Main && out[j].Main
	})
	return out
}

// report queues a state change for Run (called with a stream's lock held: never blocks;
// a change that finds the queue full is left out, the next one brings the state again).
func (f *Feeds) report(st app.StreamStatus) {
	select {
	case f.reports <- st:
	default:
	}
}

// handOn hands a state change on and keeps the status bar's summary current (on Run's
// goroutine).
func (f *Feeds) handOn(st app.StreamStatus) {
	if f.onStatus != nil {
		f.onStatus(st)
	}
	f.mu.Lock()
	f.summaryLocked()
	f.mu.Unlock()
}

// summaryLocked sets the "cameras" component: of the cameras open, how many play and how
// many fail. A camera counts once whether its sub stream, its main stream (an enlarged
// tile) or both are open; it plays when one of them does, and fails when all of them do.
func (f *Feeds) summaryLocked() {
	if f.health == nil {
		return
	}
	open := map[string]bool{} // camera → one of its streams plays
	allFailed := map[string]bool{}
	for key, s := range f.streams {
		state := s.Status().State
		if _, seen := allFailed[key.camera]; !seen {
			allFailed[key.camera] = true
		}
		open[key.camera] = open[key.camera] || state == app.StreamPlaying
		allFailed[key.camera] = allFailed[key.camera] && state == app.StreamFailed
	}
	playing, failed := 0, 0
	for cam, plays := range open {
		if plays {
			playing++
		}
		if allFailed[cam] {
			failed++
		}
	}
	st := app.ComponentStatus{Name: "cameras", Label: "Cameras", State: app.StateOK,
		Detail: fmt.Sprintf("%d/%d", playing, len(open))}
	if failed > 0 {
		st.State = app.StateDegraded
	}
	f.health.Set(st)
}
