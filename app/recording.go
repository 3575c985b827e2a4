package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"
)

// Recording records video around alarms and drills: when an alarm is raised, a clip of
// each camera that sees it (at most three), from Pre before to Post after; while a drill
// runs, clips of its cameras one after the other. It keeps the disk within the retention
// limits, deleting the oldest clips first and never one of an open alarm, a running
// incident or a running drill. Everything it writes or deletes is journaled.
type Recording struct {
	d RecordingDeps

	sub    *Subscription
	ctx    context.Context // the service's life: jobs outlive a restart of Run
	cancel context.CancelFunc
	jobs   sync.WaitGroup
	kick   chan struct{}

	mu      sync.Mutex
	cfg     RecordingConfig
	started bool
	loaded  bool
	clips   map[string]Clip
	pending map[string]pendingClip
	drills  map[int64]*drillRecording
	lastErr error
	errAt   time.Time

	retainMu sync.Mutex // one retention pass at a time
}

// RecordingDeps are what the service works with. Incidents and Health may be nil.
type RecordingDeps struct {
	Source    ClipSource
	Store     ClipStore
	Recorder  *Recorder
	Inventory *Inventory
	Desk      *AlarmDesk
	Incidents *Incidents
	Health    *Health
	Clock     Clock
	Log       *slog.Logger
}

// pendingClip is a clip being recorded (waiting for the end of its window or written).
type pendingClip struct {
	CameraID string
	AlarmID  int64
	DrillRun int64
	From, To time.Time
}

// maxAlarmCameras: the clips of an alarm are of the cameras that see it, at most these.
const maxAlarmCameras = 3

// NewRecording builds the service and subscribes it to the alarms and drills (a bounded
// queue, no goroutine: what comes before Run is handled when it runs); Run it under a
// supervisor.
func NewRecording(d RecordingDeps, cfg RecordingConfig) *Recording {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Clock == nil {
		d.Clock = SystemClock{}
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &Recording{d: d, cfg: cfg, ctx: ctx, cancel: cancel, kick: make(chan struct{}, 1),
		clips: map[string]Clip{}, pending: map[string]pendingClip{}, drills: map[int64]*drillRecording{}}
	r.sub = d.Recorder.Bus.Subscribe(1024, func(e *Entry) bool {
		switch e.Kind {
		case KindAlarmRaised, KindDrillStarted, KindDrillStopped:
			return true
		}
		return e.Kind.ChangesCameras()
	})
	d.Recorder.Bus.Fold(r.apply)
	return r
}

// apply is the clip index's fold: a clip journaled (by this process's recording, or read by
// the Tail) joins it, a clip deleted leaves it, before any subscriber sees the entry.
func (r *Recording) apply(e Entry) {
	switch e.Kind {
	case KindClip:
		var c Clip
		if e.Decode(&c) != nil || c.ID == "" {
			return
		}
		r.mu.Lock()
		r.clips[c.ID] = c
		r.mu.Unlock()
	case KindClipDeleted:
		var d ClipDeletion
		if e.Decode(&d) != nil || d.Clip == "" {
			return
		}
		r.mu.Lock()
		delete(r.clips, d.Clip)
		r.mu.Unlock()
	}
}

// tapCameras asks the video side to record every camera of the site: any of them may be
// the one that sees the next alarm, and what happened before it must already be held.
func (r *Recording) tapCameras() {
	var ids []string
	if site := r.d.Inventory.Site(); site != nil {
		for _, c := range site.Cameras {
			ids = append(ids, c.ID)
		}
	}
	r.mu.Lock()
	cfg := r.cfg
	r.mu.Unlock()
	r.d.Source.Keep(ids, cfg.Main(), cfg.PreD())
}

// SetConfig applies a changed recording section (settings).
func (r *Recording) SetConfig(cfg RecordingConfig) {
	r.mu.Lock()
	changed := r.cfg.Main() != cfg.Main() || r.cfg.PreD() != cfg.PreD()
	r.cfg = cfg
	started := r.started
	r.mu.Unlock()
	if changed && started {
		r.tapCameras()
	}
	r.retainSoon()
}

// Run records the site's cameras, reacts to alarms and drills and applies retention until
// ctx ends; then it finishes the clips being recorded and stops recording the cameras. It
// returns an error when the clips already recorded cannot be read; the supervisor runs it
// again.
func (r *Recording) Run(ctx context.Context) error {
	r.mu.Lock()
	r.started = true
	r.mu.Unlock()
	r.tapCameras() // every camera may be the one that sees the next alarm
	err := r.run(ctx)
	if ctx.Err() != nil {
		r.stop()
	}
	return err
}

func (r *Recording) run(ctx context.Context) error {
	r.mu.Lock()
	loaded := r.loaded
	r.mu.Unlock()
	if !loaded {
		clips, err := r.d.Store.Clips(ctx)
		if err != nil {
			r.failed(err)
			return err
		}
		r.mu.Lock()
		for _, c := range clips {
			r.clips[c.ID] = c
		}
		r.loaded = true
		r.mu.Unlock()
	}
	r.retain(ctx)
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-r.ctx.Done():
			return nil
		case e, ok := <-r.sub.C():
			if !ok {
				return nil
			}
			r.handle(e)
		case <-tick.C:
			r.retain(ctx)
			r.report()
		case <-r.kick:
			r.retain(ctx)
			r.report()
		}
	}
}

// stop ends the Run for good: it stops listening, finishes the clips being recorded (with
// what was received so far: a clip cut short is still evidence) and stops recording the
// cameras.
func (r *Recording) stop() {
	r.cancel()
	if r.sub != nil {
		r.sub.Close()
	}
	r.jobs.Wait()
	r.d.Source.Keep(nil, true, 0)
}

func (r *Recording) handle(e Entry) {
	switch e.Kind {
	case KindAlarmRaised:
		var a Alarm
		if err := e.Decode(&a); err != nil {
			r.d.Log.Warn("recording: alarm not read", "seq", e.Seq, "err", err)
			return
		}
		a.ID = e.Seq
		r.alarmRaised(a)
	case KindDrillStarted:
		run, err := DrillRunOf(&e)
		if err != nil {
			return
		}
		if run.StartedAt.IsZero() {
			run.StartedAt = e.Time
		}
		r.drillStarted(run)
	case KindDrillStopped:
		run, err := DrillRunOf(&e)
		if err != nil {
			return
		}
		at := e.Time
		if run.EndedAt != nil {
			at = *run.EndedAt
		}
		r.drillStopped(run.ID, at)
	default:
		if e.Kind.ChangesCameras() {
			r.tapCameras()
		}
	}
}

// alarmRaised records the cameras that see the alarm. Faults of the system (a device
// offline, a low battery) are not events anyone needs to see, and recording them would
// fill the disk with pictures of nothing.
func (r *Recording) alarmRaised(a Alarm) {
	if a.Fault {
		return
	}
	site := r.d.Inventory.Site()
	if site == nil {
		return
	}
	cams := site.NearestCameras(&a, maxAlarmCameras)
	if len(cams) == 0 {
		return
	}
	now := r.d.Clock.Now()
	at := a.RaisedAt
	if at.IsZero() || at.After(now) {
		at = now
	}
	r.mu.Lock()
	pre, post := r.cfg.PreD(), r.cfg.PostD()
	run := int64(0)
	if a.Drill {
		for id, d := range r.drills {
			if d.stopAt.IsZero() {
				run = max(run, id) // the latest running drill
			}
		}
	}
	r.mu.Unlock()
	for _, cam := range cams {
		c := Clip{
			ID:       fmt.Sprintf("%s-%s-alarm%d", cam, at.Local().Format("20060102-150405"), a.ID),
			CameraID: cam, AlarmID: a.ID, DrillRun: run, Reason: ClipForAlarm,
		}
		r.record(r.ctx, c, at.Add(-pre), at.Add(post), a.Drill, nil)
	}
}

// record starts recording a clip in the background.
func (r *Recording) record(ctx context.Context, c Clip, from, to time.Time, drill bool, wrote *ClipFile) {
	r.jobs.Add(1)
	go func() {
		defer r.jobs.Done()
		r.recordNow(ctx, c, from, to, drill, wrote)
	}()
}

// recordNow records one clip: it waits for the end of its window, has the file written,
// journals it and adds it to the index. It reports whether a clip was kept.
func (r *Recording) recordNow(ctx context.Context, c Clip, from, to time.Time, drill bool, wrote *ClipFile) bool {
	r.mu.Lock()
	if _, dup := r.pending[c.ID]; dup {
		r.mu.Unlock()
		return false
	}
	if _, dup := r.clips[c.ID]; dup {
		r.mu.Unlock()
		return false
	}
	r.pending[c.ID] = pendingClip{CameraID: c.CameraID, AlarmID: c.AlarmID, DrillRun: c.DrillRun, From: from, To: to}
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		delete(r.pending, c.ID)
		r.mu.Unlock()
	}()

	f, err := r.d.Source.Clip(ctx, ClipRequest{CameraID: c.CameraID, From: from, To: to, Name: c.ID})
	if err != nil {
		if IsCode(err, CodeNotFound) {
			// Nothing to record (the time is before what the camera's buffer holds, or the
			// camera is not recorded): a note on the alarm, not a failure of recording.
			r.missing(c, drill, err)
			return false
		}
		r.failed(Errorf(CodeUnavailable, "The clip of camera {{.Camera}} could not be recorded", "Camera", c.CameraID).Wrap(err))
		return false
	}
	if wrote != nil {
		*wrote = f
	}
	c.File, c.Bytes, c.From, c.To, c.Codec = f.File, f.Bytes, f.From, f.To, f.Codec
	c.Stream = "sub"
	if f.Main {
		c.Stream = "main"
	}
	if c.AlarmID != 0 && r.d.Incidents != nil {
		if in, ok := r.d.Incidents.ForAlarm(c.AlarmID); ok {
			c.IncidentID = in.ID
		}
	}
	if err := c.Validate(); err != nil {
		r.failed(err)
		return false
	}
	e := NewEntry(KindClip, SubjectClip(c.ID), SystemActor, c)
	e.Drill = drill
	// The service's context may be ending (the console stops): the clip is written, so it
	// is journaled all the same.
	jctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := r.d.Recorder.Record(jctx, e); err != nil { // the fold adds it to the index
		r.failed(err)
		return false
	}
	r.retainSoon()
	return true
}

func (r *Recording) retainSoon() {
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// missing journals, on the alarm, that a clip could not be made for want of video: the
// operator sees it in the alarm's history; recording itself is working.
func (r *Recording) missing(c Clip, drill bool, err error) {
	r.d.Log.Info("recording: no clip", "clip", c.ID, "err", err)
	m := ClipMissing{Clip: c.ID, CameraID: c.CameraID, AlarmID: c.AlarmID, DrillRun: c.DrillRun, Why: err.Error()}
	if pc, ok := r.pendingOf(c.ID); ok {
		m.From, m.To = pc.From, pc.To
	}
	var e *Error
	if errors.As(err, &e) {
		m.Why, m.Args = e.Message, e.Args
	}
	subject := SubjectClip(c.ID)
	if c.AlarmID != 0 {
		subject = SubjectAlarm(c.AlarmID)
	}
	entry := NewEntry(KindClipMissing, subject, SystemActor, m)
	entry.Drill = drill
	jctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := r.d.Recorder.Record(jctx, entry); err != nil {
		r.failed(err)
	}
}

func (r *Recording) pendingOf(id string) (pendingClip, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	pc, ok := r.pending[id]
	return pc, ok
}

// failed remembers the latest trouble for the settings panel and the status bar.
func (r *Recording) failed(err error) {
	r.d.Log.Warn("recording", "err", err)
	r.mu.Lock()
	r.lastErr, r.errAt = err, r.d.Clock.Now()
	r.mu.Unlock()
	r.report()
}

// ClipQuery selects clips. Zero fields do not filter.
type ClipQuery struct {
	AlarmID    int64
	IncidentID int64
	DrillRun   int64
	CameraID   string
	At         time.Time // clips that show this instant
}

// Clips returns the kept clips that match, oldest first.
func (r *Recording) Clips(q ClipQuery) []Clip {
	r.mu.Lock()
	var out []Clip
	for _, c := range r.clips {
		if (q.AlarmID != 0 && c.AlarmID != q.AlarmID) || (q.IncidentID != 0 && c.IncidentID != q.IncidentID) ||
			(q.DrillRun != 0 && c.DrillRun != q.DrillRun) || (q.CameraID != "" && c.CameraID != q.CameraID) ||
			(!q.At.IsZero() && !c.Covers(q.At)) {
			continue
		}
		out = append(out, c)
	}
	r.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		if !out[i].From.Equal(out[j].From) {
			return out[i].From.Before(out[j].From)
		}
		return out[i].CameraID < out[j].CameraID
	})
	return out
}

// Pending returns how many clips of an alarm (0: of all) are still being recorded.
func (r *Recording) Pending(alarmID int64) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, p := range r.pending {
		if alarmID == 0 || p.AlarmID == alarmID {
			n++
		}
	}
	return n
}

// Open gives an operator a clip to play and journals who looked at it: clips are
// evidence, and who saw them is part of the record.
func (r *Recording) Open(ctx context.Context, op *Operator, id string) (Clip, error) {
	if err := Authorize(op, ActView); err != nil {
		return Clip{}, err
	}
	r.mu.Lock()
	c, ok := r.clips[id]
	r.mu.Unlock()
	if !ok {
		return Clip{}, Errorf(CodeNotFound, "There is no clip {{.ID}} (retention may have deleted it)", "ID", id)
	}
	_, err := r.d.Recorder.Record(ctx, NewEntry(KindClipOpened, SubjectClip(id), op.Username, ClipDeletion{Clip: id, File: c.File}))
	return c, err
}

// RecordingStatus is what the settings panel shows of recording.
type RecordingStatus struct {
	Stream    string
	Pre, Post time.Duration
	MaxAge    time.Duration
	MaxBytes  int64
	Cameras   int           // recorded cameras (tapped streams)
	Receiving int           // of them, those whose stream plays now
	Held      time.Duration // the least time held among the receiving cameras: what an alarm now gets before it
	RingBytes int64         // memory of the ring buffers
	Clips     int
	Bytes     int64 // disk used by the clips
	Oldest    time.Time
	Pending   int
	Drills    int   // drills being recorded
	LastError error // the latest trouble (an app.Error: its text is a translation key)
	ErrorAt   time.Time
	Taps      []TapStatus
}

// Status returns the recording figures.
func (r *Recording) Status() RecordingStatus {
	taps := r.d.Source.Taps()
	r.mu.Lock()
	st := RecordingStatus{Stream: r.cfg.StreamName(), Pre: r.cfg.PreD(), Post: r.cfg.PostD(), MaxAge: r.cfg.MaxAgeD(),
		MaxBytes: r.cfg.MaxBytesN(), Clips: len(r.clips), Pending: len(r.pending), Drills: len(r.drills),
		LastError: r.lastErr, ErrorAt: r.errAt, Taps: taps, Cameras: len(taps)}
	for _, c := range r.clips {
		st.Bytes += c.Bytes
		if st.Oldest.IsZero() || c.From.Before(st.Oldest) {
			st.Oldest = c.From
		}
	}
	r.mu.Unlock()
	for _, t := range taps {
		st.RingBytes += t.Bytes
		if t.State == StreamPlaying {
			if st.Receiving == 0 || t.Held < st.Held {
				st.Held = t.Held
			}
			st.Receiving++
		}
	}
	return st
}

// report sets the "recording" component of the status bar.
func (r *Recording) report() {
	if r.d.Health == nil {
		return
	}
	st := r.Status()
	cs := ComponentStatus{Name: "recording", Label: "Recording", State: StateOK,
		Detail: fmt.Sprintf("%d/%d, %.1f/%.0f GB", st.Receiving, st.Cameras, float64(st.Bytes)/1e9, float64(st.MaxBytes)/1e9)}
	if st.LastError != nil && r.d.Clock.Now().Sub(st.ErrorAt) < 10*time.Minute {
		cs.State = StateDegraded
		cs.SetError(st.LastError)
	}
	r.d.Health.Set(cs)
}
