package video

import (
	"image"
	"sync"
	"sync/atomic"
	"time"

	"watchpost/app"
	"watchpost/video/codec"
)

// viewer is one consumer of a stream (a wall tile, later the recorder or analytics). It
// owns a few picture buffers of its own size: the decoder converts into a free one and
// offers it through a one-place queue; when the viewer has not taken the previous frame
// yet, that frame is dropped (and counted) in favour of the new one.
type viewer struct {
	s       *stream
	out     chan *app.Frame
	dropped atomic.Int64
	skipped atomic.Int64 // frames left out on purpose (sampling), not for being slow
	size    atomic.Value // image.Point
	gray    bool         // luma only (analytics), else RGBA (display)

	// interval is the least time between delivered frames (ns; 0: every frame). Analytics
	// samples a stream, and the CPU budget lowers its rate.
	interval atomic.Int64
	lastAt   time.Time // the last delivered frame's decode time (decoder goroutine only)

	mu     sync.Mutex
	free   []image.Image
	closed bool
	once   sync.Once
}

// buffersPerViewer: one on screen, one queued, one being converted.
const buffersPerViewer = 3

func newViewer(s *stream, w, h int, gray bool) *viewer {
	v := &viewer{s: s, out: make(chan *app.Frame, 1), gray: gray}
	v.size.Store(image.Pt(w, h))
	for i := 0; i < buffersPerViewer; i++ {
		v.free = append(v.free, v.newBuffer(image.Pt(w, h)))
	}
	return v
}

func (v *viewer) newBuffer(size image.Point) image.Image {
	if v.gray {
		return image.NewGray(image.Rectangle{Max: size})
	}
	return image.NewRGBA(image.Rectangle{Max: size})
}

// SetMaxFPS limits the frames delivered per second (0: all of them).
func (v *viewer) SetMaxFPS(fps float64) {
	if fps <= 0 {
		v.interval.Store(0)
		return
	}
	v.interval.Store(int64(float64(time.Second) / fps))
}

func (v *viewer) Frames() <-chan *app.Frame { return v.out }

func (v *viewer) Status() app.StreamStatus {
	st := v.s.Status()
	st.Dropped = v.dropped.Load()
	st.Skipped = v.skipped.Load()
	return st
}

func (v *viewer) Resize(w, h int) {
	if w > 0 && h > 0 {
		v.size.Store(image.Pt(w, h))
	}
}

func (v *viewer) Snapshot() (*image.RGBA, error) {
	req := make(chan snapResult, 1)
	select {
	case v.s.snaps <- req:
	case <-v.s.done:
		return nil, errNoPicture
	case <-time.After(3 * time.Second):
		return nil, errNoPicture
	}
	r := <-req
	return r.img, r.err
}

func (v *viewer) Close() {
	v.once.Do(func() {
		v.mu.Lock()
		v.closed = true
		v.mu.Unlock()
		v.s.feeds.release(v)
		// Drain so the last frame's buffer is not left pinned in the queue.
		select {
		case f := <-v.out:
			f.Release()
		default:
		}
	})
}

// take returns a free buffer of the wanted size, or nil when all are in use.
func (v *viewer) take(want image.Point) image.Image {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.closed {
		return nil
	}
	if len(v.free) == 0 {
		return nil
	}
	b := v.free[len(v.free)-1]
	v.free = v.free[:len(v.free)-1]
	if b.Bounds().Size() != want {
		// A buffer of an old size: let it go, make one of the new size.
		b = v.newBuffer(want)
	}
	return b
}

// giveBack returns a buffer once its frame is no longer shown. A buffer of an old size (the
// tile was resized meanwhile) is replaced by one of the new size: the viewer always owns
// buffersPerViewer buffers, or it could run out and never get a frame again.
func (v *viewer) giveBack(b image.Image) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.closed || len(v.free) >= buffersPerViewer {
		return
	}
	if want := v.size.Load().(image.Point); b.Bounds().Size() != want {
		b = v.newBuffer(want)
	}
	v.free = append(v.free, b)
}

// deliver converts the decoder's picture for this viewer (on the decoder goroutine).
func (v *viewer) deliver(dec *codec.Decoder, seq uint64, captured, received, decoded time.Time) {
	if iv := time.Duration(v.interval.Load()); iv > 0 {
		// Sampling: keep the rhythm, with a little slack so that 5 of 15 fps stays 5.
		if decoded.Sub(v.lastAt) < iv*9/10 {
			v.skipped.Add(1)
			return
		}
	}
	buf := v.take(v.size.Load().(image.Point))
	if buf == nil {
		v.dropped.Add(1) // every buffer is still held: the viewer is behind
		return
	}
	var f *app.Frame
	var err error
	switch b := buf.(type) {
	case *image.Gray:
		err = dec.ConvertGray(b)
		f = app.NewGrayFrame(b, func() { v.giveBack(b) })
	case *image.RGBA:
		err = dec.ConvertRGBA(b)
		f = app.NewFrame(b, func() { v.giveBack(b) })
	}
	if err != nil {
		v.giveBack(buf)
		return
	}
	v.lastAt = decoded
	f.Seq, f.Captured, f.Received, f.Decoded = seq, captured, received, decoded
	for {
		select {
		case v.out <- f:
			return
		default:
		}
		select {
		case old := <-v.out:
			old.Release()
			v.dropped.Add(1)
		default:
		}
	}
}
