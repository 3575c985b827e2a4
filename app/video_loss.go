package app

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// VideoLoss raises a "video loss" (视频丢失) alarm when a camera that is being received (on
// the wall, by recording, by analytics) has had no video for its grace time, and resolves it
// when the picture comes back. It follows the camera.status entries of the journal (the
// streams' states as the video side reports them), so what it decides is what a replay
// shows. A camera nobody receives is not watched: Watchpost cannot tell if it works.
type VideoLoss struct {
	desk  *AlarmDesk
	inv   *Inventory
	bus   *Bus
	clock Clock
	grace time.Duration // the site's default (rules.video_loss)
	log   *slog.Logger

	mu   sync.Mutex
	cams map[string]*cameraVideo
}

// cameraVideo is what is known of one camera's streams.
type cameraVideo struct {
	streams   map[bool]StreamState // main → state
	lostSince time.Time            // when its last stream stopped playing (zero: it plays, or is not received)
	raised    bool                 // its video-loss alarm is open
}

// DefaultVideoLossGrace is how long a received camera may be without video before the alarm.
const DefaultVideoLossGrace = time.Minute

// NewVideoLoss builds the watcher; grace is the site's default (0: DefaultVideoLossGrace).
func NewVideoLoss(desk *AlarmDesk, inv *Inventory, bus *Bus, clock Clock, grace time.Duration, log *slog.Logger) *VideoLoss {
	if grace <= 0 {
		grace = DefaultVideoLossGrace
	}
	if log == nil {
		log = slog.Default()
	}
	v := &VideoLoss{desk: desk, inv: inv, bus: bus, clock: clock, grace: grace, log: log, cams: map[string]*cameraVideo{}}
	for _, a := range desk.Open() {
		if a.Kind == AlarmCameraOffline && a.CameraID != "" {
			v.camera(a.CameraID).raised = true // open from before a restart: resolved when it plays
		}
	}
	return v
}

func (v *VideoLoss) camera(id string) *cameraVideo {
	c := v.cams[id]
	if c == nil {
		c = &cameraVideo{streams: map[bool]StreamState{}}
		v.cams[id] = c
	}
	return c
}

// Run follows the cameras' states and checks the grace times every second, until ctx ends.
func (v *VideoLoss) Run(ctx context.Context) error {
	sub := v.bus.Subscribe(1024, func(e *Entry) bool { return e.Kind == KindCameraStatus })
	defer sub.Close()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case e, ok := <-sub.C():
			if !ok {
				return nil
			}
			var st StreamStatus
			if err := e.Decode(&st); err == nil {
				v.Observe(ctx, st, e.Time)
			}
		case <-tick.C:
			v.Check(ctx)
		}
	}
}

// Observe applies a stream's new state at t: a camera that plays again clears its alarm.
func (v *VideoLoss) Observe(ctx context.Context, st StreamStatus, t time.Time) {
	v.mu.Lock()
	c := v.camera(st.CameraID)
	c.streams[st.Main] = st.State
	playing, received := false, false
	for _, s := range c.streams {
		playing = playing || s == StreamPlaying
		received = received || s != StreamIdle
	}
	clear := false
	switch {
	case playing:
		c.lostSince = time.Time{}
		clear, c.raised = c.raised, false
	case !received:
		c.lostSince = time.Time{} // nobody receives it: nothing to say (an open alarm stays)
	case c.lostSince.IsZero():
		c.lostSince = t
	}
	v.mu.Unlock()
	if clear {
		if _, _, err := v.desk.ClearFault(ctx, AlarmCameraOffline, st.CameraID, "Video is back"); err != nil {
			v.log.Error("video loss not cleared", "camera", st.CameraID, "err", err)
		}
	}
}

// Check raises the alarm of every camera without video past its grace time.
func (v *VideoLoss) Check(ctx context.Context) {
	site := v.inv.Site()
	if site == nil {
		return
	}
	now := v.clock.Now()
	var due []Alarm
	v.mu.Lock()
	for id, c := range v.cams {
		cam, ok := site.Camera(id)
		if !ok || c.raised || c.lostSince.IsZero() {
			continue
		}
		lost := now.Sub(c.lostSince)
		if lost < cam.VideoLossGrace(v.grace) {
			continue
		}
		c.raised = true
		pos := cam.Position
		a := Alarm{Kind: AlarmCameraOffline, Priority: cam.VideoLossPriorityOr(P3), Fault: true, CameraID: id,
			GridID: cam.GridID, Building: cam.BuildingID, Position: &pos, RaisedAt: now}
		a.SetParam(ParamOffline, num(lost.Round(time.Second).Seconds()))
		due = append(due, a)
	}
	v.mu.Unlock()
	for _, a := range due {
		if _, err := v.desk.Raise(ctx, nil, a); err != nil {
			v.log.Error("video loss alarm not raised", "camera", a.CameraID, "err", err)
			v.mu.Lock()
			v.camera(a.CameraID).raised = false // tried again at the next check
			v.mu.Unlock()
		}
	}
}

// Lost returns the cameras received without video now, with since when.
func (v *VideoLoss) Lost() map[string]time.Time {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := map[string]time.Time{}
	for id, c := range v.cams {
		if !c.lostSince.IsZero() {
			out[id] = c.lostSince
		}
	}
	return out
}
