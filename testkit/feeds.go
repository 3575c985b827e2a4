package testkit

import (
	"image"
	"image/color"
	"sync"
	"time"

	"watchpost/app"
)

// Feeds are camera feeds whose pictures are generated, for the tests of the panels that
// show cameras: no RTSP, no decoder. The live cameras play a moving test card at FPS frames
// a second (the main stream at Main's size, the sub stream at Sub's), converted to the size
// each viewer asks for; the others fail as a camera that is switched off does
// (app.ReasonUnreachable). It implements app.CameraFeeds.
type Feeds struct {
	mu       sync.Mutex
	live     map[string]int // camera ID → its place among the live ones (its colour)
	known    map[string]bool
	statuses map[streamKey]app.StreamStatus // streams in use or used
	viewers  map[*viewer]bool
}

// The generated streams' sizes and rate (small, as the tests' simulator served them).
var (
	Main = image.Pt(640, 360)
	Sub  = image.Pt(320, 180)
)

// FPS is the generated streams' frame rate.
const FPS = 15

type streamKey struct {
	camera string
	main   bool
}

// NewFeeds serves the cameras: the first live of them play, the others are unreachable.
func NewFeeds(cameras []app.Camera, live int) *Feeds {
	f := &Feeds{live: map[string]int{}, known: map[string]bool{}, statuses: map[streamKey]app.StreamStatus{}, viewers: map[*viewer]bool{}}
	for i, c := range cameras {
		f.known[c.ID] = true
		if i < live {
			f.live[c.ID] = i
		}
	}
	return f
}

// Watch opens a viewer of a camera's main or sub stream, delivering RGBA frames of w×h.
func (f *Feeds) Watch(cameraID string, main bool, w, h int) (app.Viewer, error) {
	return f.watch(cameraID, main, w, h, false, 0)
}

// WatchGray opens a viewer of a camera's sub stream delivering luma frames of w×h at most
// fps a second.
func (f *Feeds) WatchGray(cameraID string, w, h int, fps float64) (app.Viewer, error) {
	return f.watch(cameraID, false, w, h, true, fps)
}

// Statuses returns the status of every stream in use or used.
func (f *Feeds) Statuses() []app.StreamStatus {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]app.StreamStatus, 0, len(f.statuses))
	for _, st := range f.statuses {
		out = append(out, st)
	}
	return out
}

// Viewers is how many viewers are open now.
func (f *Feeds) Viewers() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.viewers)
}

// Close closes every viewer still open (the test's end).
func (f *Feeds) Close() {
	f.mu.Lock()
	var open []*viewer
	for v := range f.viewers {
		open = append(open, v)
	}
	f.mu.Unlock()
	for _, v := range open {
		v.Close()
	}
}

func (f *Feeds) watch(cameraID string, main bool, w, h int, gray bool, fps float64) (app.Viewer, error) {
	if w <= 0 || h <= 0 {
		w, h = 640, 360
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.known[cameraID] {
		return nil, app.Errorf(app.CodeNotFound, "There is no camera {{.ID}}", "ID", cameraID)
	}
	full := Sub
	if main {
		full = Main
	}
	key := streamKey{cameraID, main}
	now := time.Now()
	st := app.StreamStatus{CameraID: cameraID, Main: main, State: app.StreamConnecting, Since: now}
	place, live := f.live[cameraID]
	if !live {
		st.State, st.Reason, st.Detail = app.StreamFailed, app.ReasonUnreachable, "connection refused (a generated camera that is off)"
	}
	f.statuses[key] = st
	v := &viewer{f: f, key: key, out: make(chan *app.Frame, 1), stop: make(chan struct{}), gray: gray, full: full,
		tint: tints[place%len(tints)], status: st}
	v.size = image.Pt(w, h)
	v.SetMaxFPS(fps)
	f.viewers[v] = true
	if live {
		v.done = make(chan struct{})
		go v.run()
	}
	return v, nil
}

func (f *Feeds) setStatus(key streamKey, st app.StreamStatus) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.statuses[key] = st
}

func (f *Feeds) closed(v *viewer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.viewers, v)
}

// tints tell the live cameras apart on screen.
var tints = []color.RGBA{{0x2e, 0x6b, 0xa8, 0xff}, {0x3f, 0x8f, 0x4f, 0xff}, {0xa8, 0x6b, 0x2e, 0xff}, {0x7a, 0x4f, 0x9a, 0xff}}

// viewer generates one viewer's frames.
type viewer struct {
	f    *Feeds
	key  streamKey
	out  chan *app.Frame
	stop chan struct{}
	done chan struct{} // closed when run returns (nil: nothing runs)
	gray bool
	full image.Point // the stream's own resolution
	tint color.RGBA

	mu       sync.Mutex
	size     image.Point
	interval time.Duration
	status   app.StreamStatus
	seq      uint64
	once     sync.Once
}

func (v *viewer) run() {
	defer close(v.done)
	tick := time.NewTicker(time.Second / FPS)
	defer tick.Stop()
	var last time.Time
	for {
		select {
		case <-v.stop:
			return
		case now := <-tick.C:
			v.mu.Lock()
			iv := v.interval
			v.mu.Unlock()
			if iv > 0 && now.Sub(last) < iv*9/10 {
				v.mu.Lock()
				v.status.Skipped++
				v.mu.Unlock()
				continue
			}
			last = now
			v.deliver(now)
		}
	}
}

// deliver makes the next frame and offers it; a frame the viewer has not taken yet is
// dropped for it (and counted), as the real feeds do.
func (v *viewer) deliver(now time.Time) {
	v.mu.Lock()
	v.seq++
	seq, size := v.seq, v.size
	if v.status.State != app.StreamPlaying {
		v.status = app.StreamStatus{CameraID: v.key.camera, Main: v.key.main, State: app.StreamPlaying, Codec: "H.264",
			Width: v.full.X, Height: v.full.Y, FPS: FPS, Since: now}
	}
	st := v.status
	v.mu.Unlock()
	v.f.setStatus(v.key, app.StreamStatus{CameraID: st.CameraID, Main: st.Main, State: st.State, Codec: st.Codec,
		Width: st.Width, Height: st.Height, FPS: st.FPS, Since: st.Since})

	var fr *app.Frame
	if v.gray {
		fr = app.NewGrayFrame(grayCard(size, seq), nil)
	} else {
		fr = app.NewFrame(card(size, seq, v.tint), nil)
	}
	// Stamped like a camera that carries its send times: sent, then received, then decoded.
	fr.Seq, fr.Captured, fr.Received, fr.Decoded = seq, now.Add(-5*time.Millisecond), now.Add(-2*time.Millisecond), now
	for {
		select {
		case v.out <- fr:
			return
		default:
		}
		select {
		case old := <-v.out:
			old.Release()
			v.mu.Lock()
			v.status.Dropped++
			v.mu.Unlock()
		default:
		}
	}
}

func (v *viewer) Frames() <-chan *app.Frame { return v.out }

func (v *viewer) Status() app.StreamStatus {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.status
}

func (v *viewer) Resize(w, h int) {
	if w <= 0 || h <= 0 {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.size = image.Pt(w, h)
}

// Snapshot returns the current picture at the stream's full resolution.
func (v *viewer) Snapshot() (*image.RGBA, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.status.State != app.StreamPlaying {
		return nil, app.Errorf(app.CodeUnavailable, "The camera has no picture to save")
	}
	return card(v.full, v.seq, v.tint), nil
}

func (v *viewer) SetMaxFPS(fps float64) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.interval = 0
	if fps > 0 {
		v.interval = time.Duration(float64(time.Second) / fps)
	}
}

func (v *viewer) Close() {
	v.once.Do(func() {
		close(v.stop)
		if v.done != nil {
			<-v.done
		}
		select {
		case f := <-v.out:
			f.Release()
		default:
		}
		v.f.closed(v)
	})
}

// card draws the test card: the camera's tint, a lighter band that moves one step a frame.
func card(size image.Point, seq uint64, tint color.RGBA) *image.RGBA {
	img := image.NewRGBA(image.Rectangle{Max: size})
	band := 0
	if size.X > 0 {
		band = int(seq*4) % size.X
	}
	light := color.RGBA{tint.R/2 + 0x60, tint.G/2 + 0x60, tint.B/2 + 0x60, 0xff}
	for y := 0; y < size.Y; y++ {
		row := img.Pix[y*img.Stride:]
		for x := 0; x < size.X; x++ {
			c := tint
			if x >= band && x < band+size.X/10 {
				c = light
			}
			row[4*x], row[4*x+1], row[4*x+2], row[4*x+3] = c.R, c.G, c.B, c.A
		}
	}
	return img
}

// grayCard is the test card's luma (analytics).
func grayCard(size image.Point, seq uint64) *image.Gray {
	img := image.NewGray(image.Rectangle{Max: size})
	band := 0
	if size.X > 0 {
		band = int(seq*4) % size.X
	}
	for y := 0; y < size.Y; y++ {
		for x := 0; x < size.X; x++ {
			v := uint8(0x40)
			if x >= band && x < band+size.X/10 {
				v = 0xc0
			}
			img.Pix[y*img.Stride+x] = v
		}
	}
	return img
}
