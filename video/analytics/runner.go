package analytics

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"log/slog"
	"math"
	"sync"
	"time"

	"watchpost/app"
)

// Sink takes what the detectors saw: app.Vision journals it and raises the alarm.
type Sink interface {
	Detected(ctx context.Context, d *app.Detection) error
}

// runner analyses one camera: a sampled luma viewer of its sub stream, an engine, and the
// figures the budget and the console need.
type runner struct {
	cam   app.Camera
	cfg   app.CameraAnalytics
	feeds app.CameraFeeds
	sink  Sink
	opts  Options
	log   *slog.Logger

	target chan float64 // new sampling rates from the scheduler (latest wins)

	mu       sync.Mutex
	status   app.AnalyticsStatus
	objects  []app.TrackedObject
	objAt    time.Time
	costEWMA float64 // ms per frame
	window   []time.Time
	rate     float64 // fps now asked for
}

func newRunner(cam app.Camera, feeds app.CameraFeeds, sink Sink, opts Options, log *slog.Logger) *runner {
	cfg := *cam.Analytics
	fps := cfg.FPS
	if fps <= 0 {
		fps = DefaultFPS
	}
	r := &runner{cam: cam, cfg: cfg, feeds: feeds, sink: sink, opts: opts, log: log.With("camera", cam.ID),
		target: make(chan float64, 1), rate: fps}
	r.status = app.AnalyticsStatus{CameraID: cam.ID, State: app.AnalyticsStarting, ConfiguredFPS: fps, TargetFPS: fps}
	return r
}

// setRate asks for a new sampling rate (from the budget scheduler).
func (r *runner) setRate(fps float64) {
	r.mu.Lock()
	r.rate = fps
	r.status.TargetFPS = fps
	r.mu.Unlock()
	for {
		select {
		case r.target <- fps:
			return
		default:
			select {
			case <-r.target:
			default:
			}
		}
	}
}

// load is the cores this camera costs at its current rate (ms per frame × frames per second).
func (r *runner) load() (cores float64, priority int, rate, configured float64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.costEWMA * r.rate / 1000, r.cfg.Priority, r.rate, r.status.ConfiguredFPS
}

// run analyses until ctx ends, reopening the stream with backoff when it fails.
func (r *runner) run(ctx context.Context) {
	backoff := time.Second
	for ctx.Err() == nil {
		why, args := r.session(ctx)
		if ctx.Err() != nil {
			return
		}
		if why != "" {
			r.setState(app.AnalyticsFailed, why, args)
			if r.engineFailed() {
				<-ctx.Done() // every detector is off: nothing to retry until the settings change
				return
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 30*time.Second)
	}
}

func (r *runner) engineFailed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, d := range r.status.Detectors {
		if d.Failed == "" {
			return false
		}
	}
	return len(r.status.Detectors) > 0
}

// session is one connection to the camera's stream; it returns why it ended (a template
// and its values).
func (r *runner) session(ctx context.Context) (string, map[string]any) {
	r.mu.Lock()
	rate := r.rate
	r.mu.Unlock()
	v, err := r.feeds.WatchGray(r.cam.ID, 640, 360, rate)
	if err != nil {
		var ae *app.Error
		if errors.As(err, &ae) {
			return ae.Message, ae.Args
		}
		return "The camera's stream cannot be opened: {{.Err}}", map[string]any{"Err": err.Error()}
	}
	defer v.Close()
	e := NewEngine(r.cam.ID, r.cfg, r.opts)
	defer e.Close()
	r.updateDetectors(e, time.Now())
	if why, args := e.Failed(); why != "" {
		return why, args
	}
	sized := false
	var started time.Time // the first picture of this session: the scene is learnt from it
	stats := time.NewTicker(time.Second)
	defer stats.Stop()
	for {
		select {
		case <-ctx.Done():
			return "", nil
		case fps := <-r.target:
			v.SetMaxFPS(fps)
		case <-stats.C:
			st := v.Status()
			r.mu.Lock()
			r.status.Skipped, r.status.Dropped = st.Skipped, st.Dropped
			if st.State == app.StreamFailed && r.status.State != app.AnalyticsFailed {
				r.status.State, r.status.Reason, r.status.ReasonArgs = app.AnalyticsStarting, st.Reason, nil
			}
			r.mu.Unlock()
			r.updateDetectors(e, time.Now())
		case f, ok := <-v.Frames():
			if !ok {
				return "The camera's stream closed", nil
			}
			if f.Gray == nil {
				f.Release()
				continue
			}
			if !sized {
				// Keep the stream's shape: 640 wide, as tall as its aspect says.
				sized = true
				if st := v.Status(); st.Width > 0 && st.Height > 0 {
					want := AnalysisSize(image.Pt(st.Width, st.Height))
					if want != f.Gray.Rect.Size() {
						v.Resize(want.X, want.Y)
					}
				}
			}
			at := f.Received
			if at.IsZero() {
				at = time.Now()
			}
			if started.IsZero() {
				started = at
			}
			res := e.Process(f.Gray, at)
			f.Release()
			r.account(res, at)
			for i := range res.Detections {
				d := res.Detections[i]
				d.SessionStart = started
				d.Snapshot = r.snapshot(v, &d)
				if err := r.sink.Detected(ctx, &d); err != nil && ctx.Err() == nil {
					r.log.Error("detection not recorded", "detector", d.Detector, "err", err)
				}
			}
			if why, args := e.Failed(); why != "" {
				r.updateDetectors(e, at)
				return why, args
			}
		}
	}
}

// account keeps the figures: analysed frames in the last five seconds, the cost per frame
// (a moving average), what is tracked now.
func (r *runner) account(res Result, at time.Time) {
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	ms := float64(res.Cost.Microseconds()) / 1000
	if r.costEWMA == 0 {
		r.costEWMA = ms
	} else {
		r.costEWMA += (ms - r.costEWMA) * 0.1
	}
	r.window = append(r.window, now)
	cut := 0
	for cut < len(r.window) && now.Sub(r.window[cut]) > 5*time.Second {
		cut++
	}
	r.window = r.window[cut:]
	span := 5.0
	if len(r.window) > 1 {
		span = math.Max(1, math.Min(5, now.Sub(r.window[0]).Seconds()))
	}
	r.status.FPS = float64(len(r.window)) / span
	r.status.MsPerFrame = r.costEWMA
	r.status.Detections += int64(len(res.Detections))
	r.status.State, r.status.Reason, r.status.ReasonArgs = app.AnalyticsRunning, "", nil
	r.objects, r.objAt = res.Objects, at
}

func (r *runner) updateDetectors(e *Engine, at time.Time) {
	st := e.Statuses(at)
	r.mu.Lock()
	r.status.Detectors = st
	r.mu.Unlock()
}

func (r *runner) setState(state, reason string, args map[string]any) {
	r.mu.Lock()
	r.status.State, r.status.Reason, r.status.ReasonArgs = state, reason, args
	r.status.FPS = 0
	r.mu.Unlock()
}

func (r *runner) snapshotStatus() app.AnalyticsStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.status
	st.Detectors = append([]app.DetectorStatus(nil), st.Detectors...)
	return st
}

func (r *runner) currentObjects() []app.TrackedObject {
	r.mu.Lock()
	defer r.mu.Unlock()
	if time.Since(r.objAt) > 2*time.Second {
		return nil // stale: the stream stopped
	}
	return append([]app.TrackedObject(nil), r.objects...)
}

// snapshot is the camera's current picture in colour with the detection's boxes drawn,
// as a JPEG (nil if the stream has no picture).
func (r *runner) snapshot(v app.Viewer, d *app.Detection) []byte {
	img, err := v.Snapshot()
	if err != nil || img == nil {
		return nil
	}
	return EncodeSnapshot(img, d.Boxes)
}

// EncodeSnapshot draws boxes (0–1 of the picture) on a copy of img and encodes it as JPEG.
func EncodeSnapshot(img image.Image, boxes []app.NRect) []byte {
	b := img.Bounds()
	rgba := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(rgba, rgba.Rect, img, b.Min, draw.Src)
	red := color.RGBA{230, 40, 40, 255}
	thick := max(2, b.Dy()/240)
	for _, n := range boxes {
		r := image.Rect(int(n.X*float64(b.Dx())), int(n.Y*float64(b.Dy())),
			int((n.X+n.W)*float64(b.Dx())), int((n.Y+n.H)*float64(b.Dy())))
		for i := 0; i < thick; i++ {
			o := r.Inset(-i)
			draw.Draw(rgba, image.Rect(o.Min.X, o.Min.Y, o.Max.X, o.Min.Y+1), image.NewUniform(red), image.Point{}, draw.Src)
			draw.Draw(rgba, image.Rect(o.Min.X, o.Max.Y-1, o.Max.X, o.Max.Y), image.NewUniform(red), image.Point{}, draw.Src)
			draw.Draw(rgba, image.Rect(o.Min.X, o.Min.Y, o.Min.X+1, o.Max.Y), image.NewUniform(red), image.Point{}, draw.Src)
			draw.Draw(rgba, image.Rect(o.Max.X-1, o.Min.Y, o.Max.X, o.Max.Y), image.NewUniform(red), image.Point{}, draw.Src)
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, rgba, &jpeg.Options{Quality: 82}); err != nil {
		return nil
	}
	return buf.Bytes()
}
