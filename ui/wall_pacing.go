package ui

import (
	"sync"
	"time"

	"watchpost/app"
)

// How the wall's frames reach the screen, and why so.
//
// Fyne 2.7 repaints the whole window whenever anything in it is dirty, at most at its
// driver's 60 Hz tick; in software (Xvfb, llvmpipe) a paint of the 1600×900 wall costs
// about as much whether one tile changed or all of them. So how often the window is painted
// is the cost, and each tile's frame should be painted as soon as possible after it arrived:
// the two pull apart, and the pacing below sets where they meet.
//
//   - A frame is taken from its viewer as soon as the decoder delivers it (one goroutine per
//     tile on screen waits on the viewer), into the tile's jitter buffer: up to jitterDepth
//     frames not yet handed to the canvas. A fixed-rate pump beating against cameras of the
//     same nominal rate saw two frames in one period now and then and dropped one of them;
//     here the second waits for the next hand-off instead. A buffer still full at the next
//     hand-off means the paints do not keep up: the tile then skips to its newest frame.
//   - The frames of all tiles that arrived within coalesce of the first one are handed to
//     the UI thread in one fyne.Do, and hand-offs are at least gap apart: the window is
//     painted at most 1/gap times a second, whatever the number of tiles and their phases,
//     and each hand-off is timed to land just before the driver's paint tick.
//     A hand-off takes one frame per tile (the oldest waiting); a tile with a backlog gets
//     the next at the next hand-off.
//   - No batch is handed while the previous one waits for the UI thread, nor before the
//     paint that shows it has begun (up to paintWait): a batch put on the canvas before
//     that would replace pictures nobody saw, and batches would queue behind slow paints.
//     The next batch is handed during that paint, so it is applied as soon as the paint
//     ends: when paints are slow (software rendering) the wall paints back to back, each
//     paint carrying every tile's next frame.

const (
	// frameInterval is the cameras' nominal frame interval (sub streams at 15 fps).
	frameInterval = time.Second / 15
	// paceGap is the least time between two hand-offs, and so between two paints of the
	// window: three of the driver's ticks (wall_tick.go), a millisecond less so that aligned
	// hand-offs stay on every third tick. Each paint of the window costs the same whatever
	// changed (Fyne walks, measures and draws every object), so this is most of what the wall
	// costs: at most 20 paints a second. A frame waits at most that long for its paint;
	// once per frame interval (15) would keep frames of cameras at other phases waiting
	// most of an interval (p95 over 80 ms), twice (30) costs half as much again in painting.
	paceGap = 3*tickPeriod - time.Millisecond
	// coalesce is how long the first frame after a quiet spell waits for others that are
	// about to arrive (tiles whose cameras send at nearly the same instant).
	coalesce = 3 * time.Millisecond
	// jitterDepth is the most frames a tile holds that are not yet handed over. The viewer
	// owns three buffers (one on screen, one delivered, one being converted): two waiting
	// here and one on screen leave the decoder none, so it then drops the newest.
	jitterDepth = 2
	// paintWait is the longest the pump waits for the paint of its last batch: a window
	// that is not painted (hidden, or Fyne's test driver, which paints only when asked)
	// still gets its frames, a few a second.
	paintWait = 150 * time.Millisecond
)

// pacer decides when the frames waiting are handed to the UI thread. It holds no clock:
// the pump tells it the time (and tests tell it theirs).
type pacer struct {
	gap, coalesce time.Duration
	last          time.Time // the last hand-off
	since         time.Time // when the oldest frame not handed over arrived (zero: none)
}

// arrived notes that a frame arrived at now.
func (p *pacer) arrived(now time.Time) {
	if p.since.IsZero() {
		p.since = now
	}
}

// due returns when what is waiting should be handed over (ok false: nothing waits).
func (p *pacer) due() (at time.Time, ok bool) {
	if p.since.IsZero() {
		return time.Time{}, false
	}
	at = p.since.Add(p.coalesce)
	if next := p.last.Add(p.gap); next.After(at) {
		at = next
	}
	return at, true
}

// handed notes a hand-off at now; backlog: frames still wait (they are due a gap later).
func (p *pacer) handed(now time.Time, backlog bool) {
	p.last, p.since = now, time.Time{}
	if backlog {
		p.since = now
	}
}

// frameQueue is a tile's jitter buffer: frames taken from its viewer, oldest first.
type frameQueue struct {
	mu      sync.Mutex
	frames  []*app.Frame
	closed  bool
	wasFull bool  // the buffer was full at the last hand-off
	dropped int64 // frames let go because the buffer was full (never painted)
	stop    chan struct{}
}

func newFrameQueue() *frameQueue { return &frameQueue{stop: make(chan struct{})} }

// push adds a frame; when jitterDepth frames already wait, the oldest is let go. It reports
// whether the frame was kept (not after close).
func (q *frameQueue) push(f *app.Frame) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		f.Release()
		return false
	}
	if len(q.frames) == jitterDepth {
		q.frames[0].Release()
		q.frames = append(q.frames[:0], q.frames[1:]...)
		q.dropped++
	}
	q.frames = append(q.frames, f)
	return true
}

// pop takes the oldest frame (nil: none) and reports whether more wait. When the buffer was
// full at the hand-off before too, the paints are not keeping up with the camera (a window
// painted less often than frames come): the oldest is let go, so that the tile shows its
// newest frame instead of falling further behind.
func (q *frameQueue) pop() (*app.Frame, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	full := len(q.frames) == jitterDepth
	if full && q.wasFull {
		q.frames[0].Release()
		q.frames = append(q.frames[:0], q.frames[1:]...)
		q.dropped++
	}
	q.wasFull = full
	if len(q.frames) == 0 {
		return nil, false
	}
	f := q.frames[0]
	q.frames = append(q.frames[:0], q.frames[1:]...)
	return f, len(q.frames) > 0
}

func (q *frameQueue) waiting() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.frames)
}

// close ends the queue's forwarder and lets the frames waiting go.
func (q *frameQueue) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return
	}
	q.closed = true
	close(q.stop)
	for _, f := range q.frames {
		f.Release()
	}
	q.frames = nil
}

// forward moves a viewer's frames into the tile's queue as they are delivered, and wakes
// the pump. It ends when the queue is closed (the tile no longer shows that viewer).
func (w *wallPanel) forward(v app.Viewer, q *frameQueue) {
	for {
		select {
		case f, ok := <-v.Frames():
			if !ok {
				return
			}
			if f != nil && q.push(f) {
				w.wake()
			}
		case <-q.stop:
			return
		}
	}
}

// wake tells the pump that something changed (a frame arrived, a batch was applied).
func (w *wallPanel) wake() {
	select {
	case w.wakeup <- struct{}{}:
	default:
	}
}
