// Recorder is a runner (DESIGN.md, "Every part that runs"): NewRecorder starts nothing;
// Run(ctx) waits for the feeds' Run, taps the cameras Keep asks for (Keep before Run is
// remembered) and, when ctx ends, closes the taps and returns; a clip being written then
// ends with what its ring holds (cut short, still written). A camera whose tap cannot be
// opened (the camera is not known yet, the feeds stopped meanwhile) is tried again every
// second.

package video

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"watchpost/app"
)

// RecorderConfig configures the recorder.
type RecorderConfig struct {
	Dir string // where clips are written (<data dir>/clips), in a folder per day
	// RingBytes bounds each camera's ring buffer (default 64 MB: 15 s of a 30 Mbit/s
	// stream); over it the oldest video goes even if a clip still waits for it.
	RingBytes int64
	Log       *slog.Logger
}

// Recorder keeps the last seconds of each recorded camera's compressed stream in a ring
// buffer, through a tap (no decoding), and writes clips from it as MP4 files without
// encoding. It implements app.ClipSource.
type Recorder struct {
	feeds *Feeds
	cfg   RecorderConfig

	mu      sync.Mutex
	main    bool
	pre     time.Duration
	want    []string              // the cameras Keep asked for
	cameras map[string]*recording // those tapped (while Run runs)
	failed  map[string]string     // why a camera wanted is not tapped (logged once per reason)
	running bool
}

// recording is one camera being recorded: its tap, its ring and the goroutine between.
type recording struct {
	tap  *Tap
	main bool // the camera's main stream, else its sub stream
	ring *ring
	done chan struct{} // closed when the tap's queue ended (the recorder let it go, or the feeds stopped)
}

// ringMargin is kept beyond what is asked: the tap's queue and the wait for the end of a
// clip's window must not cost its first seconds.
const ringMargin = 2 * time.Second

// NewRecorder records cameras of feeds into cfg.Dir once Run runs.
func NewRecorder(feeds *Feeds, cfg RecorderConfig) *Recorder {
	if cfg.RingBytes <= 0 {
		cfg.RingBytes = 64 << 20
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	removeTemporary(cfg.Dir, cfg.Log)
	return &Recorder{feeds: feeds, cfg: cfg, main: true, cameras: map[string]*recording{}, failed: map[string]string{}}
}

// retryTaps is how often Run tries again the cameras it could not tap.
const retryTaps = time.Second

// Run records the cameras Keep asks for until ctx ends; then it closes every tap, lets
// the clips being written end with what they hold, and returns nil. Run may be run again
// after it returned, never twice at once.
func (r *Recorder) Run(ctx context.Context) error {
	// The feeds run beside it (another part started at the same time): tapping before
	// their Run would only fail and be tried again.
	if err := r.feeds.WaitRunning(ctx); err != nil {
		return nil // ctx ended first
	}
	r.mu.Lock()
	if r.running {
		r.mu.Unlock()
		return errors.New("video: the recorder is already running")
	}
	r.running = true
	stop := r.applyLocked()
	r.mu.Unlock()
	stopRecordings(stop)
	tick := time.NewTicker(retryTaps)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			r.mu.Lock()
			r.running = false
			stop := make([]*recording, 0, len(r.cameras))
			for _, rc := range r.cameras {
				stop = append(stop, rc)
			}
			r.cameras = map[string]*recording{}
			clear(r.failed)
			r.mu.Unlock()
			stopRecordings(stop)
			return nil
		case <-tick.C:
			r.mu.Lock()
			stop := r.applyLocked()
			r.mu.Unlock()
			stopRecordings(stop)
		}
	}
}

// removeTemporary deletes the temporary files of clips a crash left half written.
func removeTemporary(dir string, log *slog.Logger) {
	_ = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasPrefix(d.Name(), ".clip-") {
			if os.Remove(path) == nil {
				log.Info("recording: removed a clip left half written", "file", path)
			}
		}
		return nil
	})
}

// Keep records the given cameras' main (or sub) streams, holding at least pre of each;
// the others are let go. Cameras whose stream choice changed are tapped afresh. While Run
// runs it applies at once; before, Run applies it when it starts.
func (r *Recorder) Keep(cameraIDs []string, main bool, pre time.Duration) {
	r.mu.Lock()
	if main != r.main {
		clear(r.failed) // another stream: its failures are new
	}
	r.want, r.main, r.pre = append([]string(nil), cameraIDs...), main, pre
	var stop []*recording
	if r.running {
		stop = r.applyLocked()
	}
	r.mu.Unlock()
	stopRecordings(stop)
}

// applyLocked taps the cameras wanted and not tapped (again, when their tap ended) and
// returns the recordings to stop: those no longer wanted, or of the other stream (r.mu
// held, Run running).
func (r *Recorder) applyLocked() (stop []*recording) {
	want := map[string]bool{}
	for _, id := range r.want {
		want[id] = true
	}
	for id, rc := range r.cameras {
		if !want[id] || rc.main != r.main || rc.ended() {
			stop = append(stop, rc)
			delete(r.cameras, id)
		} else {
			rc.ring.setKeep(r.pre + ringMargin)
		}
	}
	for id := range r.failed {
		if !want[id] {
			delete(r.failed, id)
		}
	}
	for _, id := range r.want {
		if _, ok := r.cameras[id]; ok {
			continue
		}
		tap, err := r.feeds.Tap(id, r.main)
		if err != nil {
			if why := err.Error(); r.failed[id] != why {
				r.failed[id] = why
				r.cfg.Log.Warn("recording: camera not recorded (tried again every second)", "camera", id, "err", err)
			}
			continue
		}
		if _, was := r.failed[id]; was {
			delete(r.failed, id)
			r.cfg.Log.Info("recording: camera recorded", "camera", id)
		}
		rc := &recording{tap: tap, main: r.main, ring: newRing(r.pre+ringMargin, r.cfg.RingBytes), done: make(chan struct{})}
		r.cameras[id] = rc
		go rc.file()
	}
	return stop
}

// file moves the tap's packets into the ring until the tap's queue ends; then the ring
// ends too (a clip waiting for more is written with what it holds).
func (rc *recording) file() {
	defer close(rc.done)
	defer rc.ring.end()
	for p := range rc.tap.Packets() {
		rc.ring.add(p)
	}
}

// ended reports whether the tap's queue ended without the recorder letting it go (the
// feeds stopped): the camera is tapped afresh.
func (rc *recording) ended() bool {
	select {
	case <-rc.done:
		return true
	default:
		return false
	}
}

// stopRecordings closes the taps and waits for their goroutines, all at once.
func stopRecordings(rcs []*recording) {
	for _, rc := range rcs {
		rc.tap.Close()
	}
	for _, rc := range rcs {
		<-rc.done
	}
}

// longestWait bounds how long a clip waits past its end for the stream to deliver it (a
// camera that went silent): then the clip ends with what was received.
const longestWait = 5 * time.Second

// Clip writes the clip of req (see app.ClipSource).
func (r *Recorder) Clip(ctx context.Context, req app.ClipRequest) (app.ClipFile, error) {
	r.mu.Lock()
	rc := r.cameras[req.CameraID]
	main := r.main
	r.mu.Unlock()
	if rc == nil {
		return app.ClipFile{}, app.Errorf(app.CodeNotFound, "Camera {{.Camera}} is not recorded", "Camera", req.CameraID)
	}
	pin := rc.ring.pin(req.From)
	defer rc.ring.unpin(pin)

	// Wait until the stream has delivered the end of the window.
	timeout := time.NewTimer(time.Until(req.To) + longestWait)
	defer timeout.Stop()
wait:
	for {
		arrived, past := rc.ring.waitPast(req.To)
		if past {
			break
		}
		select {
		case <-arrived:
		case <-timeout.C:
			break wait
		case <-ctx.Done():
			break wait
		}
	}
	pkts := rc.ring.between(req.From, req.To)
	if len(pkts) == 0 {
		return app.ClipFile{}, errNoVideo
	}
	return r.write(req, pkts, main)
}

// write writes pkts as the clip's MP4: to a temporary file, synced, then renamed, so the
// clip's name only ever points to a whole file.
func (r *Recorder) write(req app.ClipRequest, pkts []*Packet, main bool) (app.ClipFile, error) {
	from := pkts[0].Received
	dir := filepath.Join(r.cfg.Dir, from.Local().Format("2006-01-02"))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return app.ClipFile{}, err
	}
	tmp, err := os.CreateTemp(dir, ".clip-*.mp4")
	if err != nil {
		return app.ClipFile{}, err
	}
	defer os.Remove(tmp.Name()) // after the rename, there is nothing left to remove
	bw := bufio.NewWriterSize(tmp, 1<<20)
	info, err := writeMP4(bw, pkts)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return app.ClipFile{}, err
	}
	name := filepath.Base(strings.ReplaceAll(req.Name, string(filepath.Separator), "_")) + ".mp4"
	dst := filepath.Join(dir, name)
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return app.ClipFile{}, err
	}
	syncDir(dir) // the rename itself survives a power cut
	fi, err := os.Stat(dst)
	if err != nil {
		return app.ClipFile{}, err
	}
	if info.cut {
		r.cfg.Log.Info("recording: clip cut short, the camera changed its stream", "camera", req.CameraID, "file", dst)
	}
	return app.ClipFile{File: dst, Bytes: fi.Size(), From: from, To: from.Add(info.duration),
		Codec: pkts[0].Codec.String(), Main: main}, nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// Remove deletes a clip's file, and its day's folder once empty. Only files under the
// clips folder are deleted.
func (r *Recorder) Remove(file string) error {
	root, err := filepath.Abs(r.cfg.Dir)
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return err
	}
	if rel, err := filepath.Rel(root, abs); err != nil || rel == "." || strings.HasPrefix(rel, "..") {
		return fmt.Errorf("%s is not a clip of %s", file, root)
	}
	if err := os.Remove(abs); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if dir := filepath.Dir(abs); dir != root {
		_ = os.Remove(dir) // only succeeds when empty
	}
	return nil
}

// Taps reports the recorded cameras, by camera.
func (r *Recorder) Taps() []app.TapStatus {
	r.mu.Lock()
	out := make([]app.TapStatus, 0, len(r.cameras))
	now := time.Now()
	for id, rc := range r.cameras {
		st := rc.tap.Status()
		held, bytes := rc.ring.held(now)
		out = append(out, app.TapStatus{CameraID: id, Main: st.Main, State: st.State, Reason: st.Reason, Codec: st.Codec,
			Held: held, Bytes: bytes, Dropped: st.Dropped})
	}
	r.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].CameraID < out[j].CameraID })
	return out
}
