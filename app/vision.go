package app

import (
	"context"
	"fmt"
	"log/slog"
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
}

// NewVision wires the analytics path; drill may be nil.
func NewVision(inv *Inventory, desk *AlarmDesk, rec *Recorder, files FileSaver, clock Clock, log *slog.Logger, drill func() bool) *Vision {
	return &Vision{inv: inv, desk: desk, rec: rec, files: files, clock: clock, log: log, drill: drill}
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
	if !ok {
		_, err := v.rec.Record(ctx, e)
		return err
	}
	a.Image = d.Image
	_, err := v.desk.Raise(ctx, nil, a, e)
	return err
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
