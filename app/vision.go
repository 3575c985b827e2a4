package app

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// KindVideoDetection journals what video analytics saw (Data: Detection, its snapshot
// saved as a file). Detections that raise an alarm are journaled with it, in the same
// transaction.
const KindVideoDetection EntryKind = "video.detection"

// FileSaver keeps pictures (snapshots of detections) and returns where.
type FileSaver interface {
	SaveFile(name string, data []byte) (string, error)
}

// Vision is the analytics path's way into the core, as Ingest is the devices': each
// detection is journaled (with its snapshot saved first), goes through the rules
// (DetectionAlarm) and raises its alarm on the desk. The journal entry is durable before
// Detected returns, so nobody is shown an alarm that a crash could lose.
type Vision struct {
	inv   *Inventory
	desk  *AlarmDesk
	rec   *Recorder
	files FileSaver
	clock Clock
	log   *slog.Logger
	drill func() bool // a drill is running: detections are marked as drill

	mu       sync.Mutex
	warmUp   time.Duration
	lastSent map[string]time.Time // detector (camera, kind, zone or line) → when it last raised or repeated its alarm
	learning int64                // detections dropped while their camera's analysis was warming up
}

// DefaultAnalyticsWarmUp is how long a camera's analysis learns its scene before what it sees
// counts: the background model takes the first moments for movement, so everything would.
const DefaultAnalyticsWarmUp = time.Minute

// SetWarmUp sets the learning time at the start of each camera's analysis (0: none, for
// recorded clips and tests).
func (v *Vision) SetWarmUp(d time.Duration) {
	v.mu.Lock()
	v.warmUp = d
	v.mu.Unlock()
}

// Learning returns how many detections were dropped while their camera learnt its scene.
func (v *Vision) Learning() int64 {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.learning
}

// NewVision wires the analytics path; drill may be nil.
func NewVision(inv *Inventory, desk *AlarmDesk, rec *Recorder, files FileSaver, clock Clock, log *slog.Logger, drill func() bool) *Vision {
	return &Vision{inv: inv, desk: desk, rec: rec, files: files, clock: clock, log: log, drill: drill, lastSent: map[string]time.Time{}}
}

// Detected records one detection and raises its alarm, if it has one.
func (v *Vision) Detected(ctx context.Context, d *Detection) error {
	site := v.inv.Site()
	if site == nil {
		return Errorf(CodeUnavailable, "No site is set up yet")
	}
	if d.Time.IsZero() {
		d.Time = v.clock.Now()
	}
	v.mu.Lock()
	if !d.SessionStart.IsZero() && d.Time.Sub(d.SessionStart) < v.warmUp {
		v.learning++
		v.mu.Unlock()
		return nil // still learning the scene: not a detection of anything
	}
	v.mu.Unlock()
	if v.drill != nil && v.drill() {
		d.Drill = true
	}
	if len(d.Snapshot) > 0 && v.files != nil {
		name := fmt.Sprintf("%s-%s-%s.jpg", d.CameraID, d.Detector, d.Time.Format("20060102-150405.000"))
		if path, err := v.files.SaveFile(name, d.Snapshot); err != nil {
			// The detection still counts; only its picture is lost.
			v.log.Error("detection snapshot not saved", "camera", d.CameraID, "err", err)
		} else {
			d.Image = path
		}
	}
	e := NewEntry(KindVideoDetection, SubjectCamera(d.CameraID), SystemActor, d)
	e.Drill = d.Drill
	a, ok := DetectionAlarm(site, d)
	if ok && !d.Drill && v.coolingDown(site, d) {
		ok = false // seen again within its detector's cooldown: a record, not news for the desk
	}
	if !ok {
		_, err := v.rec.Record(ctx, e)
		return err
	}
	a.Image = d.Image
	_, err := v.desk.Raise(ctx, nil, a, e)
	if err == nil {
		v.mu.Lock()
		v.lastSent[detectorKey(d)] = d.Time
		v.mu.Unlock()
	}
	return err
}

func detectorKey(d *Detection) string {
	return d.CameraID + "|" + string(d.Detector) + "|" + d.Zone + "|" + d.Line
}

// coolingDown reports whether d's detector raised its alarm less than its cooldown ago.
func (v *Vision) coolingDown(site *Site, d *Detection) bool {
	cam, ok := site.Camera(d.CameraID)
	if !ok {
		return false
	}
	dc, ok := cam.Analytics.DetectorOf(d)
	if !ok || dc.Cooldown <= 0 {
		return false
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	last, ok := v.lastSent[detectorKey(d)]
	return ok && d.Time.Sub(last) < dc.Cooldown.D()
}

// Recent returns a camera's latest detections (at most n, the newest last).
func (v *Vision) Recent(ctx context.Context, cameraID string, n int) ([]Detection, error) {
	entries, err := v.rec.Journal.Query(ctx, JournalQuery{Subject: SubjectCamera(cameraID), Kinds: []EntryKind{KindVideoDetection}, Latest: n})
	if err != nil {
		return nil, err
	}
	out := make([]Detection, 0, len(entries))
	for _, e := range entries {
		var d Detection
		if err := e.Decode(&d); err == nil {
			out = append(out, d)
		}
	}
	return out, nil
}
