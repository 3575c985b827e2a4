package ui

import (
	"image"
	"image/color"
	"os"
	"strconv"
	"sync"
	"time"

	"watchpost/app"
)

// The wall's painting floor, for its benchmark: with WATCHPOST_WALL_STATIC set to a frame
// rate (15), the wall's tiles do not watch their cameras. Each shows a still picture of the
// size its viewer would decode to, handed over again at that rate as if its camera had sent
// a new frame, through the same pump, tiles, paint probe and window as live video, each tile
// at its own phase as independent cameras are. Nothing is received or decoded, so what the
// console costs then is what painting the wall costs (Fyne's rasterizing and texture
// uploads, the pump, the console's other work): the floor the benchmark puts beside the
// live wall and beside decoding alone.

const staticEnv = "WATCHPOST_WALL_STATIC"

// staticRate reads WATCHPOST_WALL_STATIC (frames per second; unset or 0: live video).
func staticRate(log func(msg string, args ...any)) float64 {
	v := os.Getenv(staticEnv)
	if v == "" {
		return 0
	}
	fps, err := strconv.ParseFloat(v, 64)
	if err != nil || fps <= 0 || fps > 60 {
		log("ignoring "+staticEnv+": give a frame rate such as 15", "value", v)
		return 0
	}
	return fps
}

// staticFeeds opens still-picture viewers in place of the cameras' streams.
type staticFeeds struct {
	fps  float64
	mu   sync.Mutex
	next int // viewers opened: each starts at its own phase
}

func (s *staticFeeds) Watch(cameraID string, main bool, w, h int) (app.Viewer, error) {
	s.mu.Lock()
	n := s.next
	s.next++
	s.mu.Unlock()
	interval := time.Duration(float64(time.Second) / s.fps)
	// Phases spread by a step that is not a divisor of the interval, as cameras started at
	// unrelated times are.
	phase := time.Duration(n) * interval * 7 / 17 % interval
	v := &staticViewer{out: make(chan *app.Frame, 1), stop: make(chan struct{}), size: image.Pt(w, h), shade: uint8(40 + n*37%160), fps: s.fps}
	v.draw()
	go v.run(interval, phase)
	return v, nil
}

func (s *staticFeeds) WatchGray(string, int, int, float64) (app.Viewer, error) {
	return nil, app.Errorf(app.CodeUnavailable, "The video service is stopped")
}

func (s *staticFeeds) Statuses() []app.StreamStatus { return nil }

// staticViewer hands its still picture over at a fixed rate, through a one-place queue that
// keeps the newest (as a camera's viewer does).
type staticViewer struct {
	out   chan *app.Frame
	stop  chan struct{}
	once  sync.Once
	shade uint8
	fps   float64

	mu   sync.Mutex
	size image.Point
	pic  *image.RGBA
	seq  uint64
}

// draw paints the still picture at the viewer's size: a gradient, so that every pixel is
// uploaded and drawn as a camera's would be.
func (v *staticViewer) draw() {
	pic := image.NewRGBA(image.Rectangle{Max: v.size})
	for y := 0; y < v.size.Y; y++ {
		for x := 0; x < v.size.X; x++ {
			pic.SetRGBA(x, y, color.RGBA{uint8(x), uint8(y), v.shade, 0xff})
		}
	}
	v.pic = pic
}

func (v *staticViewer) run(interval, phase time.Duration) {
	select {
	case <-time.After(phase):
	case <-v.stop:
		return
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		v.mu.Lock()
		if v.pic.Rect.Size() != v.size {
			v.draw()
		}
		v.seq++
		now := time.Now()
		f := app.NewFrame(v.pic, nil)
		f.Seq, f.Captured, f.Received, f.Decoded = v.seq, now, now, now
		v.mu.Unlock()
		select {
		case old := <-v.out:
			old.Release()
		default:
		}
		v.out <- f // the only sender: the place is free
		select {
		case <-tick.C:
		case <-v.stop:
			return
		}
	}
}

func (v *staticViewer) Frames() <-chan *app.Frame { return v.out }

// Status: playing, at the aspect of the cameras' sub streams (640×360), so that the tile lays
// the picture out as it would a camera's.
func (v *staticViewer) Status() app.StreamStatus {
	return app.StreamStatus{State: app.StreamPlaying, Width: 640, Height: 360, Codec: "still", FPS: v.fps}
}

func (v *staticViewer) Resize(w, h int) {
	if w > 0 && h > 0 {
		v.mu.Lock()
		v.size = image.Pt(w, h)
		v.mu.Unlock()
	}
}

func (v *staticViewer) Snapshot() (*image.RGBA, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	c := *v.pic
	c.Pix = append([]uint8(nil), v.pic.Pix...)
	return &c, nil
}

func (v *staticViewer) SetMaxFPS(float64) {}

func (v *staticViewer) Close() { v.once.Do(func() { close(v.stop) }) }
