package video

import (
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
	closed  bool

	reportMu      sync.RWMutex // guards sending on reports against its closing
	reportsClosed bool
	reports       chan app.StreamStatus
	done          chan struct{}
}

type streamKey struct {
	camera string
	main   bool
}

// NewFeeds serves the given cameras. health (may be nil) gets a "cameras" summary for the
// status bar; onStatus (may be nil) gets every change of a stream's state, e.g. to journal it.
func NewFeeds(cameras []app.Camera, cfg Config, health *app.Health, onStatus func(app.StreamStatus)) *Feeds {
	if cfg.Grace == 0 {
		cfg.Grace = 5 * time.Second
	}
	f := &Feeds{
		cfg: cfg, health: health, onStatus: onStatus,
		cameras: map[string]app.Camera{},
		streams: map[streamKey]*stream{},
		recent:  map[streamKey]app.StreamStatus{},
		reports: make(chan app.StreamStatus, 1024),
		done:    make(chan struct{}),
	}
	f.SetCameras(cameras)
	go f.reporter()
	return f
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
	s.mu.Lock()
	s.keepLocked()
	s.viewers[v] = struct{}{}
	s.nviewers.Store(int32(len(s.viewers)))
	s.mu.Unlock()
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
func (f *Feeds) streamLocked(cameraID string, main bool) (*stream, error) {
	if f.closed {
		return nil, app.Errorf(app.CodeUnavailable, "The video service is stopped")
	}
	cam, ok := f.cameras[cameraID]
	if !ok {
		return nil, app.Errorf(app.CodeNotFound, "There is no camera {{.ID}}", "ID", cameraID)
	}
	key := streamKey{cameraID, main}
	s := f.streams[key]
	if s != nil && s.address() != cam.StreamFor(main) {
		go s.stop() // the camera's address changed
		s = nil
	}
	if s == nil {
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
	if s.unusedLocked() && s.idle == nil {
		s.idle = time.AfterFunc(f.cfg.Grace, func() { f.stopIfIdle(s) })
	}
	s.mu.Unlock()
}

// release takes a closed viewer off its stream; the stream stops after the grace period
// when it was the last.
func (f *Feeds) release(v *viewer) {
	s := v.s
	s.mu.Lock()
	delete(s.viewers, v)
	s.nviewers.Store(int32(len(s.viewers)))
	if s.unusedLocked() && s.idle == nil {
		s.idle = time.AfterFunc(f.cfg.Grace, func() { f.stopIfIdle(s) })
	}
	s.mu.Unlock()
}

func (f *Feeds) stopIfIdle(s *stream) {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return
	}
	s.mu.Lock()
	idle := s.unusedLocked()
	s.mu.Unlock()
	key := streamKey{s.cameraID, s.main}
	if idle && f.streams[key] == s {
		delete(f.streams, key)
		st := s.Status()
		st.State, st.FPS, st.BitrateKbps = app.StreamIdle, 0, 0
		f.recent[key] = st
	}
	f.mu.Unlock()
	if idle {
		s.stop()
		f.report(app.StreamStatus{CameraID: s.cameraID, Main: s.main, State: app.StreamIdle, Since: time.Now()})
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

// report queues a state change (called with a stream's lock held: never blocks).
func (f *Feeds) report(st app.StreamStatus) {
	f.reportMu.RLock()
	defer f.reportMu.RUnlock()
	if f.reportsClosed {
		return
	}
	select {
	case f.reports <- st:
	default:
	}
}

// reporter hands state changes on and keeps the status bar's summary current.
func (f *Feeds) reporter() {
	defer close(f.done)
	for st := range f.reports {
		if f.onStatus != nil {
			f.onStatus(st)
		}
		f.mu.Lock()
		f.summaryLocked()
		f.mu.Unlock()
	}
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

// Close stops every stream.
func (f *Feeds) Close() {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return
	}
	f.closed = true
	streams := f.streams
	f.streams = map[streamKey]*stream{}
	f.mu.Unlock()
	var wg sync.WaitGroup
	for _, s := range streams {
		s.mu.Lock()
		if s.idle != nil {
			s.idle.Stop()
		}
		s.mu.Unlock()
		wg.Add(1)
		go func(s *stream) { defer wg.Done(); s.stop() }(s)
	}
	wg.Wait()
	f.reportMu.Lock()
	f.reportsClosed = true
	close(f.reports)
	f.reportMu.Unlock()
	<-f.done
}
