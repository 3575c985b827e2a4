package ui

import (
	"image"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// handViewer is a camera's viewer whose frames the test hands over itself.
type handViewer struct {
	out  chan *app.Frame
	size image.Point
}

func newHandViewer(size image.Point) *handViewer {
	return &handViewer{out: make(chan *app.Frame, 8), size: size}
}

func (v *handViewer) Frames() <-chan *app.Frame { return v.out }
func (v *handViewer) Status() app.StreamStatus {
	return app.StreamStatus{State: app.StreamPlaying, Width: 640, Height: 360}
}
func (v *handViewer) Resize(int, int)                {}
func (v *handViewer) Snapshot() (*image.RGBA, error) { return nil, nil }
func (v *handViewer) SetMaxFPS(float64)              {}
func (v *handViewer) Close()                         {}

// trackedFrame is a frame that remembers whether it was let go.
type trackedFrame struct {
	*app.Frame
	released atomic.Bool
}

func (v *handViewer) send(t *testing.T) *trackedFrame {
	tf := &trackedFrame{}
	tf.Frame = app.NewFrame(image.NewRGBA(image.Rectangle{Max: v.size}), func() { tf.released.Store(true) })
	tf.Decoded, tf.Captured = time.Now(), time.Now()
	select {
	case v.out <- tf.Frame:
	default:
		t.Fatal("the viewer's queue is full")
	}
	return tf
}

// handOverTile points a playing tile at a viewer the test feeds, with the pump stopped.
func handOverTile(t *testing.T, w *wallPanel, tl *tile) *handViewer {
	waitPlaying(t, w, tl)
	var v *handViewer
	w.locked(func() {
		w.stopPump()
		tl.viewer.Close()
		v = newHandViewer(tl.px)
		tl.viewer = v
		w.publishFeeds()
	})
	t.Cleanup(func() { w.locked(func() { w.startPump() }) })
	return v
}

func queueOf(w *wallPanel, tl *tile) *frameQueue {
	w.feedMu.Lock()
	defer w.feedMu.Unlock()
	for _, r := range w.feeds {
		if r.t == tl {
			return r.q
		}
	}
	return nil
}

// A camera whose frames arrive closer together than the wall hands them over (network
// jitter, a decoder catching up) has each of them shown, one per hand-off, up to the
// jitter buffer's depth; older ones are let go unshown. (A pump that took the newest frame
// of each viewer at its tick showed one of them.)
func TestWallShowsEachFrameOfABurstUpToItsJitterBuffer(t *testing.T) {
	c := newTestConsole(t, enConfig())
	w := wallOf(t, c)
	live := w.tiles[0]
	v := handOverTile(t, w, live)
	before := get(w, func() uint64 { return live.shownSeq })

	f1, f2, f3 := v.send(t), v.send(t), v.send(t)
	q := queueOf(w, live)
	require.NotNil(t, q)
	require.Eventually(t, func() bool { return len(v.out) == 0 && q.waiting() == jitterDepth }, 15*time.Second, 10*time.Millisecond,
		"the frames are taken from the viewer as they arrive, the newest two kept")
	assert.True(t, f1.released.Load(), "the oldest is let go when the buffer is full")

	w.locked(w.startPump)
	require.Eventually(t, func() bool { return get(w, func() uint64 { return live.shownSeq }) == before+2 }, 15*time.Second, 10*time.Millisecond,
		"both frames waiting are shown")
	get(w, func() bool {
		assert.Same(t, f3.Frame, live.shown, "the newest is on screen")
		return true
	})
	assert.True(t, f2.released.Load(), "the one before it was shown and replaced")
	assert.False(t, f3.released.Load())
	assert.Zero(t, q.waiting())
}

// The pacing, on its own clock: a frame that arrives after a quiet spell is handed over
// after the short coalescing wait (so that tiles arriving together share a paint), and
// hand-offs are at least the gap apart however many tiles arrive in between.
func TestPacerCoalescesArrivalsAndKeepsHandOffsAGapApart(t *testing.T) {
	p := pacer{gap: 33 * time.Millisecond, coalesce: 3 * time.Millisecond}
	t0 := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	_, ok := p.due()
	assert.False(t, ok, "nothing waits")

	p.arrived(t0)
	p.arrived(t0.Add(time.Millisecond))
	at, ok := p.due()
	require.True(t, ok)
	assert.Equal(t, t0.Add(3*time.Millisecond), at, "after a quiet spell: the coalescing wait from the first arrival")

	p.handed(at, false)
	_, ok = p.due()
	assert.False(t, ok)
	p.arrived(at.Add(5 * time.Millisecond))
	next, _ := p.due()
	assert.Equal(t, at.Add(33*time.Millisecond), next, "soon after a hand-off: the gap from it")

	p.handed(next, true)
	backlog, ok := p.due()
	require.True(t, ok, "frames left waiting are due")
	assert.Equal(t, next.Add(33*time.Millisecond), backlog, "a gap later")
}

// Sixteen cameras at 15 fps, each at its own phase and with jitter, through the tiles'
// queues and the pacer on a simulated clock: every frame is handed over, the hand-offs are
// never closer than the gap (at most 20 a second), and no frame waits much longer than a
// gap.
func TestPacingHandsOverEveryFrameOfSixteenCamerasAtMostTwentyTimesASecond(t *testing.T) {
	const cams, seconds = 16, 10
	p := pacer{gap: paceGap, coalesce: coalesce}
	queues := make([]*frameQueue, cams)
	for i := range queues {
		queues[i] = newFrameQueue()
	}
	type arrival struct {
		at  time.Time
		cam int
	}
	t0 := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	var arrivals []arrival
	for c := 0; c < cams; c++ {
		phase := time.Duration(c*37%67) * time.Millisecond
		for k := 0; k < seconds*15; k++ {
			jitter := time.Duration((k*13+c*7)%11-5) * time.Millisecond // ±5 ms
			arrivals = append(arrivals, arrival{t0.Add(phase + time.Duration(k)*frameInterval + jitter), c})
		}
	}
	sortArrivals := func(a []arrival) {
		for i := 1; i < len(a); i++ {
			for j := i; j > 0 && a[j].at.Before(a[j-1].at); j-- {
				a[j], a[j-1] = a[j-1], a[j]
			}
		}
	}
	sortArrivals(arrivals)

	var mu sync.Mutex
	arrivedAt := map[*app.Frame]time.Time{}
	handed, handOffs := 0, 0
	var lastHand time.Time
	var worstWait time.Duration
	handOver := func(now time.Time) {
		backlog := false
		n := 0
		for _, q := range queues {
			f, more := q.pop()
			if f != nil {
				n++
				mu.Lock()
				worstWait = max(worstWait, now.Sub(arrivedAt[f]))
				mu.Unlock()
			}
			backlog = backlog || more
		}
		if n > 0 {
			if handOffs > 0 {
				assert.GreaterOrEqual(t, now.Sub(lastHand), paceGap, "hand-offs a gap apart")
			}
			handOffs++
			handed += n
			lastHand = now
		}
		p.handed(now, backlog)
	}
	for _, a := range arrivals {
		// Hand over what is due before this arrival.
		for {
			at, ok := p.due()
			if !ok || at.After(a.at) {
				break
			}
			handOver(at)
		}
		f := app.NewFrame(nil, nil)
		mu.Lock()
		arrivedAt[f] = a.at
		mu.Unlock()
		require.True(t, queues[a.cam].push(f))
		p.arrived(a.at)
	}
	for {
		at, ok := p.due()
		if !ok {
			break
		}
		handOver(at)
	}
	dropped := int64(0)
	for _, q := range queues {
		dropped += q.dropped
	}
	assert.Zero(t, dropped, "no frame let go")
	assert.Equal(t, len(arrivals), handed, "every frame handed over")
	span := arrivals[len(arrivals)-1].at.Sub(arrivals[0].at) + paceGap + coalesce
	assert.LessOrEqual(t, handOffs, int(span/paceGap)+1, "at most one hand-off (paint) per gap: 20 a second")
	assert.LessOrEqual(t, worstWait, paceGap+frameInterval/4, "no frame waits much longer than a gap")
}

// The driver's paint ticks are learned from the paints seen (each a little after its
// tick), and batches are handed over just before a tick: never before they are due, and
// never a whole tick later than needed. Without paints seen recently nothing is aligned.
func TestTickClockHandsBatchesOverJustBeforeTheDriversTick(t *testing.T) {
	var c tickClock
	tick0 := time.Date(2026, 12, 7, 8, 0, 0, 123456, time.UTC)
	due := tick0.Add(10 * time.Second)
	assert.Equal(t, due, c.align(due), "ticks not known yet")

	// Paints on every other tick, each 1–6 ms after it.
	var last time.Time
	for i := 0; i < 3*tickRound; i++ {
		last = tick0.Add(time.Duration(2*i)*tickPeriod + time.Millisecond + time.Duration(i*7%6)*time.Millisecond)
		c.painted(last)
	}
	for _, d := range []time.Duration{0, time.Millisecond, 5 * time.Millisecond, 11 * time.Millisecond, 16 * time.Millisecond} {
		at := last.Add(d)
		got := c.align(at)
		assert.False(t, got.Before(at), "not before it is due")
		assert.Less(t, got.Sub(at), tickPeriod, "within a tick")
		// tickLead before a tick (the estimate is the earliest paint: a millisecond late).
		sinceTick := (got.Add(tickLead).Sub(tick0) - time.Millisecond) % tickPeriod
		assert.Zero(t, sinceTick, "%v: handed %v after a tick less the lead", d, sinceTick)
	}
	assert.Equal(t, last.Add(tickFresh+time.Second), c.align(last.Add(tickFresh+time.Second)), "an old estimate is not used")
}

// The benchmark's painting floor: with WATCHPOST_WALL_STATIC the tiles show still pictures
// of their own size, handed over again and again at that rate through the same pump, and
// painted (no camera is watched).
func TestWallShowsStillPicturesForThePaintingFloor(t *testing.T) {
	t.Setenv(staticEnv, "15")
	c := newTestConsole(t, enConfig())
	w := wallOf(t, c)
	require.NotNil(t, w.static)
	live := w.tiles[0]
	waitPlaying(t, w, live)
	_, still := get(w, func() app.Viewer { return live.viewer }).(*staticViewer)
	assert.True(t, still, "the tile watches a still picture, not its camera")
	require.Eventually(t, func() bool {
		return get(w, func() bool { return live.shown != nil && live.shown.Image.Rect.Size() == live.px })
	}, 15*time.Second, 10*time.Millisecond, "at the tile's size")

	first := get(w, func() uint64 { return live.shownSeq })
	require.Eventually(t, func() bool { return get(w, func() uint64 { return live.shownSeq }) >= first+3 }, 15*time.Second, 10*time.Millisecond,
		"handed over again and again")
	before := paintedOn(w, live)
	require.Eventually(t, func() bool {
		fyne.DoAndWait(func() { c.win.Canvas().Capture() })
		return paintedOn(w, live) >= before+2
	}, 15*time.Second, 50*time.Millisecond, "and painted")
}

// A tile's jitter buffer shows both frames of a burst, but when it is full at two hand-offs
// in a row the paints are not keeping up with the camera: the tile catches up to its newest
// frame instead of showing every frame ever later.
func TestJitterBufferCatchesUpWhenThePaintsFallBehind(t *testing.T) {
	q := newFrameQueue()
	frame := func() *trackedFrame {
		tf := &trackedFrame{}
		tf.Frame = app.NewFrame(nil, func() { tf.released.Store(true) })
		return tf
	}
	f1, f2 := frame(), frame()
	q.push(f1.Frame)
	q.push(f2.Frame)
	got, more := q.pop()
	assert.Same(t, f1.Frame, got, "a burst: the older first")
	assert.True(t, more)
	got, more = q.pop()
	assert.Same(t, f2.Frame, got, "then the newer")
	assert.False(t, more)

	// Full at two hand-offs in a row: behind.
	f3, f4, f5 := frame(), frame(), frame()
	q.push(f3.Frame)
	q.push(f4.Frame)
	got, _ = q.pop()
	assert.Same(t, f3.Frame, got, "full once: still every frame")
	q.push(f5.Frame)
	got, more = q.pop()
	assert.Same(t, f5.Frame, got, "full again: the newest")
	assert.False(t, more)
	assert.True(t, f4.released.Load(), "the stale one is let go")
	assert.EqualValues(t, 1, q.dropped)
}
