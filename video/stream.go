package video

import (
	"context"
	"errors"
	"image"
	"sync"
	"sync/atomic"
	"time"

	"watchpost/app"
	"watchpost/video/codec"
)

// stream is one camera stream in use: its RTSP source, its decoder, and the viewers it
// feeds. The source's goroutine only queues access units; one decoder goroutine per stream
// decodes them and converts each picture into every viewer's own buffer at the viewer's
// size, offering it through the viewer's drop-oldest queue. A slow viewer loses frames
// (counted); it never holds the decoder, the camera or another viewer back.
type stream struct {
	feeds    *Feeds
	cameraID string
	main     bool
	url      string

	aus    chan job // bounded: a full queue drops the unit and waits for a key frame
	snaps  chan chan snapResult
	cancel context.CancelFunc
	done   chan struct{}

	ctx       context.Context // the stream's life; a source lives within it
	srcCancel context.CancelFunc
	srcDone   chan struct{}
	lost      atomic.Int64

	mu      sync.Mutex
	viewers map[*viewer]struct{}
	status  app.StreamStatus
	idle    *time.Timer // stops the stream a little after the last viewer (and tap) left
	stopped bool        // stop was called: no source starts any more

	// The network reader reads these without the lock: how many viewers decode the
	// stream, and the taps (copy on write) that take its compressed units.
	nviewers atomic.Int32
	taps     atomic.Pointer[[]*Tap]

	// gop holds the units since the last key frame (the newest group of pictures, the same
	// units the recorder's ring ends with), whether the stream is decoded or not: a viewer
	// that comes to a stream nobody watched (the enlarged view on a recorded main stream,
	// or a tile paged back within the grace period) is caught up from it at once, to the
	// current picture, instead of waiting for the next key frame. gopMu orders the catch-up
	// before every unit that arrives after it (taken before s.mu).
	gopMu   sync.Mutex
	gop     []accessUnit
	gopLost int64  // s.lost when the group began: a loss since leaves a hole in it
	gopConn uint64 // the connection the group came on
	// gen counts the catch-ups (written with gopMu held): the decoder lets go of the jobs
	// queued before the latest one, so a viewer who joins never sees their older pictures.
	gen atomic.Uint64

	needKey   atomic.Bool
	queueDrop atomic.Int64
	frames    atomic.Int64 // decoded, for the fps figure
	bytes     atomic.Int64 // received, for the bitrate figure
	decErrs   atomic.Int64
	decoded   atomic.Int64 // pictures decoded in the stream's life (a stream only tapped decodes none)
	seq       uint64
}

// job is what the decoder is given: one unit as it arrived, or a viewer's catch-up (the
// units from the last key frame, lead, decoded without being shown, then the newest, au).
type job struct {
	lead []accessUnit
	au   accessUnit
	gen  uint64 // the catch-up it follows
}

type snapResult struct {
	img *image.RGBA
	err error
}

// auQueue holds about two seconds of video: enough to ride out a hiccup of the decoder,
// little enough that what is shown stays live.
const auQueue = 32

func newStream(f *Feeds, cameraID string, main bool, url string) *stream {
	s := &stream{
		feeds: f, cameraID: cameraID, main: main, url: url,
		aus:     make(chan job, auQueue),
		snaps:   make(chan chan snapResult),
		done:    make(chan struct{}),
		viewers: map[*viewer]struct{}{},
		status:  app.StreamStatus{CameraID: cameraID, Main: main, State: app.StreamConnecting, Since: time.Now()},
	}
	s.needKey.Store(true)
	ctx, cancel := context.WithCancel(context.Background())
	s.ctx, s.cancel = ctx, cancel
	s.startSource(url)
	decoded := make(chan struct{})
	go func() { defer close(decoded); s.decodeLoop(ctx) }()
	go func() {
		<-decoded // only after stop: no source starts any more
		s.mu.Lock()
		srcDone := s.srcDone
		s.mu.Unlock()
		<-srcDone
		close(s.done)
		f.live.Done() // counted by the Feeds' Run that opened the stream
	}()
	return s
}

// startSource connects to url (s.mu not held); a stream being stopped connects no more.
func (s *stream) startSource(url string) {
	ctx, cancel := context.WithCancel(s.ctx)
	done := make(chan struct{})
	src := &source{cfg: sourceConfig{URL: url, UDP: s.feeds.cfg.UDP}, onAU: s.push, onState: s.sourceState, lost: &s.lost}
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		cancel()
		return
	}
	s.url, s.srcCancel, s.srcDone = url, cancel, done
	s.mu.Unlock()
	go func() { defer close(done); src.run(ctx) }()
}

// retarget moves the stream to a camera's new address: a new connection, the same
// viewers (they see "connecting", then pictures from the new address).
func (s *stream) retarget(url string) {
	s.mu.Lock()
	cancel, done := s.srcCancel, s.srcDone
	s.mu.Unlock()
	cancel()
	<-done
	s.needKey.Store(true)
	s.startSource(url)
}

// address returns the URL the stream plays.
func (s *stream) address() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

// stop ends the source and the decoder and waits for them.
func (s *stream) stop() {
	s.mu.Lock()
	s.stopped = true
	if s.idle != nil {
		s.idle.Stop()
		s.idle = nil
	}
	s.mu.Unlock()
	s.cancel()
	<-s.done
}

// endTaps closes the queues of the taps still open on a stopped stream: their readers see
// the end instead of waiting for packets that will not come.
func (s *stream) endTaps() {
	if taps := s.taps.Load(); taps != nil {
		for _, t := range *taps {
			t.end()
		}
	}
}

// push hands an access unit from the source to the taps, keeps it in the current group of
// pictures and queues it for the decoder when someone watches; it never blocks the
// network reader.
func (s *stream) push(au accessUnit) {
	s.bytes.Add(int64(au.size))
	if taps := s.taps.Load(); taps != nil {
		for _, t := range *taps {
			t.offer(au)
		}
	}
	s.gopMu.Lock()
	s.keepGOP(au)
	watched := s.nviewers.Load() > 0
	if watched {
		s.queue(job{au: au, gen: s.gen.Load()})
	}
	s.gopMu.Unlock()
	if !watched {
		// Nobody watches (the recorder taps it, or the last viewer left a moment ago):
		// decoding would be wasted work; the group kept starts a viewer who comes.
		s.undecoded(au)
	}
}

// keepGOP keeps the units since the last key frame (s.gopMu held). A group with a hole (a
// reconnection, or longer than maxGOP) is let go: nothing is caught up from it.
func (s *stream) keepGOP(au accessUnit) {
	switch {
	case au.key:
		clear(s.gop) // let the previous group's units go
		s.gop = append(s.gop[:0], au)
		s.gopLost, s.gopConn = s.lost.Load(), au.conn
	case len(s.gop) == 0:
	case au.conn != s.gopConn || len(s.gop) >= maxGOP:
		clear(s.gop)
		s.gop = s.gop[:0]
	default:
		s.gop = append(s.gop, au)
	}
}

// catchUpLocked starts the decoder, which nobody fed while nobody watched, at the current
// picture: the group kept is decoded in one go and only its newest picture (or a newer
// one that came meanwhile) is shown. Without a whole group the decoder waits for the next
// key frame (s.gopMu held).
func (s *stream) catchUpLocked() {
	// What the decoder still has queued from before is of no use: let it go (a decoder
	// that fell behind would otherwise have no room for the catch-up).
	gen := s.gen.Add(1)
	s.needKey.Store(true)
	for drained := false; !drained; {
		select {
		case <-s.aus:
		default:
			drained = true
		}
	}
	n := len(s.gop)
	if n == 0 || s.lost.Load() != s.gopLost {
		return
	}
	// A copy (never nil: it marks the job as a catch-up): the group is rewritten in place
	// at the next key frame.
	lead := make([]accessUnit, n-1)
	copy(lead, s.gop)
	s.queue(job{lead: lead, au: s.gop[n-1], gen: gen})
}

// undecoded reports a stream nobody watches playing from its first key frame (its size
// stays the last one decoded).
func (s *stream) undecoded(au accessUnit) {
	s.frames.Add(1) // received, for the fps figure
	if au.key {
		s.mu.Lock()
		if s.status.State != app.StreamPlaying {
			prev := s.status
			s.status.State, s.status.Reason, s.status.Detail = app.StreamPlaying, "", ""
			s.changed(prev)
		}
		s.mu.Unlock()
	}
}

// maxGOP bounds the units kept to catch a viewer up (a camera with a very long key-frame
// interval is caught up at its next key frame instead).
const maxGOP = 300

// queue offers a job to the decoder.
func (s *stream) queue(j job) {
	select {
	case s.aus <- j:
	default:
		// The decoder is behind: drop, and restart at the next key frame (decoding on from
		// a gap would only show a smeared picture).
		s.queueDrop.Add(1)
		s.needKey.Store(true)
	}
}

// sourceState records what the connection reports.
func (s *stream) sourceState(st sourceState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	prev := s.status
	if st.connected {
		s.status.State = app.StreamConnecting // until the first picture is decoded
		s.status.Reason, s.status.Detail = "", ""
		s.status.Codec = st.codec.String()
		s.needKey.Store(true)
	} else {
		s.status.State = app.StreamFailed
		s.status.Reason, s.status.Detail = st.reason, st.detail
		s.status.FPS, s.status.BitrateKbps = 0, 0
	}
	s.changed(prev)
}

// changed reports a state change (s.mu held).
func (s *stream) changed(prev app.StreamStatus) {
	if prev.State == s.status.State && prev.Reason == s.status.Reason {
		return
	}
	s.status.Since = time.Now()
	s.feeds.report(s.status)
}

func (s *stream) decodeLoop(ctx context.Context) {
	var dec *codec.Decoder
	defer func() {
		if dec != nil {
			dec.Close()
		}
	}()
	var decCodec codec.Codec
	// decode decodes one unit and reports whether a picture came out.
	decode := func(au accessUnit) bool {
		if dec == nil || decCodec != au.codec {
			if dec != nil {
				dec.Close()
			}
			var err error
			if dec, err = codec.NewDecoder(au.codec); err != nil {
				s.fail(app.ReasonNoCodec, err)
				dec = nil
				return false
			}
			decCodec = au.codec
			s.needKey.Store(true)
		}
		if s.needKey.Load() {
			if !au.key {
				return false
			}
			s.needKey.Store(false)
		}
		ok, err := dec.Decode(au.nalus)
		if err != nil {
			s.decErrs.Add(1)
			s.needKey.Store(true)
			return false
		}
		if ok {
			s.decoded.Add(1)
		}
		return ok
	}
	// catching is true from a catch-up until its first picture is shown: units that came
	// while it was decoded are decoded too, and only the newest picture is shown (a viewer
	// joining never sees a run of stale pictures).
	catching := false
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	lastLost := int64(0)
	lastTick := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			now := time.Now()
			s.updateRates(now.Sub(lastTick))
			lastTick = now
			if l := s.lost.Load(); l != lastLost {
				lastLost = l
				s.needKey.Store(true) // a gap: wait for the next key frame
			}
		case req := <-s.snaps:
			req <- s.snapshot(dec)
		case j := <-s.aus:
			if j.gen != s.gen.Load() {
				continue // queued before a catch-up, which starts afresh
			}
			if j.lead != nil {
				catching = true
			}
			for _, au := range j.lead {
				decode(au)
			}
			if !decode(j.au) {
				continue
			}
			if catching && len(s.aus) > 0 || j.gen != s.gen.Load() {
				continue // a newer unit waits (or a catch-up): only the newest picture is shown
			}
			catching = false
			s.picture(dec, j.au)
		}
	}
}

// picture hands a decoded picture to every viewer.
func (s *stream) picture(dec *codec.Decoder, au accessUnit) {
	now := time.Now()
	s.frames.Add(1)
	s.seq++
	captured, _ := codec.SendTime(au.codec, au.nalus)
	w, h := dec.Size()
	s.mu.Lock()
	if s.status.State != app.StreamPlaying || s.status.Width != w || s.status.Height != h {
		prev := s.status
		s.status.State, s.status.Width, s.status.Height = app.StreamPlaying, w, h
		s.status.Reason, s.status.Detail = "", ""
		s.changed(prev)
	}
	viewers := make([]*viewer, 0, len(s.viewers))
	for v := range s.viewers {
		viewers = append(viewers, v)
	}
	s.mu.Unlock()
	for _, v := range viewers {
		v.deliver(dec, s.seq, captured, au.received, now)
	}
}

func (s *stream) fail(reason string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	prev := s.status
	s.status.State, s.status.Reason, s.status.Detail = app.StreamFailed, reason, err.Error()
	s.changed(prev)
}

func (s *stream) updateRates(d time.Duration) {
	secs := d.Seconds()
	if secs <= 0 {
		return
	}
	frames, bytes := s.frames.Swap(0), s.bytes.Swap(0)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status.FPS = float64(frames) / secs
	s.status.BitrateKbps = float64(bytes) * 8 / 1000 / secs
	s.status.DecodeErrors = s.decErrs.Load()
	dropped := s.queueDrop.Load()
	for v := range s.viewers {
		dropped += v.dropped.Load()
	}
	s.status.Dropped = dropped
}

var errNoPicture = errors.New("no picture has been received from this camera yet")

// snapshot converts the current picture at its full size (runs on the decoder goroutine).
func (s *stream) snapshot(dec *codec.Decoder) snapResult {
	if dec == nil {
		return snapResult{err: errNoPicture}
	}
	w, h := dec.Size()
	if w == 0 || h == 0 {
		return snapResult{err: errNoPicture}
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	if err := dec.ConvertRGBA(img); err != nil {
		return snapResult{err: err}
	}
	return snapResult{img: img}
}

// Status returns the stream's status.
func (s *stream) Status() app.StreamStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status
}
