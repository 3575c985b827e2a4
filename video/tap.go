package video

import (
	"sync"
	"sync/atomic"
	"time"

	"watchpost/app"
	"watchpost/video/codec"
)

// Packet is one compressed access unit of a camera as a tap receives it: what the camera
// sent, neither decoded nor encoded again.
type Packet struct {
	Codec codec.Codec
	// NALUs are the NAL units without start codes. A key frame starts with the latest
	// parameter sets seen ((VPS,) SPS, PPS), in-band or from the SDP, so that a file cut
	// there plays on its own. For MJPEG: one JPEG picture.
	NALUs [][]byte
	Key   bool
	// PTS is the presentation time in 1/90000 s; it counts on within a connection and
	// restarts when Conn changes (the camera was reconnected).
	PTS      int64
	Conn     uint64
	Received time.Time
	Size     int // bytes of NAL units
	// Gap says packets were lost before this one (a reconnection, or the tap's reader was
	// behind): it is a key frame, and the time since the previous packet is not continuous.
	Gap bool
}

// tapQueue bounds a tap's queue: about 8 s of video at 15 fps, far more than a reader that
// only files packets away ever needs.
const tapQueue = 128

// Tap is a receive-only consumer of a camera stream (the recorder): it keeps the stream
// connected and gets its access units as they arrive, with no decoding. A stream that has
// taps but no viewers is not decoded at all. A tap whose reader falls behind loses the
// queued units (counted) and starts again at the next key frame; it never slows the
// network reader, the decoder or a viewer.
type Tap struct {
	s       *stream
	out     chan Packet
	dropped atomic.Int64

	mu      sync.Mutex // serializes offers against Close
	closed  bool
	needKey bool // resume at the next key frame (after a drop, or at the start)
	gap     bool // the next packet follows a gap
	conn    uint64
	once    sync.Once
}

func newTap(s *stream) *Tap {
	return &Tap{s: s, out: make(chan Packet, tapQueue), needKey: true}
}

// Packets is the queue to read; it is closed by Close, or when the feeds stop (their Run
// ended).
func (t *Tap) Packets() <-chan Packet { return t.out }

// Dropped returns how many units were lost because the reader was behind.
func (t *Tap) Dropped() int64 { return t.dropped.Load() }

// Status returns the stream's status (state, codec, rates) and the tap's own drops.
func (t *Tap) Status() app.StreamStatus {
	st := t.s.Status()
	st.Dropped = t.dropped.Load()
	return st
}

// Close takes the tap off its stream (which stops after the grace period when nobody else
// uses it) and closes the queue.
func (t *Tap) Close() {
	t.once.Do(func() {
		t.s.feeds.releaseTap(t)
		t.end()
	})
}

// end closes the queue (once, whoever comes first: Close or the stream's stop).
func (t *Tap) end() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.closed {
		t.closed = true
		close(t.out)
	}
}

// offer queues a unit (on the network reader's goroutine): never blocks.
func (t *Tap) offer(au accessUnit) {
	if !au.hasPTS {
		return // before the connection's first key frame: no time to file it under
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return
	}
	if au.conn != t.conn {
		t.conn = au.conn
		if !t.needKey {
			t.gap = true
		}
		t.needKey = true
	}
	if t.needKey {
		if !au.key {
			return
		}
		t.needKey = false
	}
	p := Packet{Codec: au.codec, NALUs: au.nalus, Key: au.key, PTS: au.pts, Conn: au.conn, Received: au.received,
		Size: au.size, Gap: t.gap}
	select {
	case t.out <- p:
		t.gap = false
		return
	default:
	}
	// Full: drop what is queued (the oldest) and start again at the next key frame, as
	// a unit in the middle of a group of pictures is of no use without those before it.
	for {
		select {
		case <-t.out:
			t.dropped.Add(1)
			continue
		default:
		}
		break
	}
	t.dropped.Add(1) // this one
	t.gap = true
	if au.key {
		p.Gap = true
		t.out <- p // the queue is empty now, and only offer sends
		t.gap = false
		return
	}
	t.needKey = true
}
