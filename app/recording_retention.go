package app

import (
	"context"
	"sort"
)

// Retain applies the retention limits now (also run every minute and after each clip).
func (r *Recording) Retain(ctx context.Context) error { return r.retain(ctx) }

func (r *Recording) retain(ctx context.Context) error {
	r.retainMu.Lock()
	defer r.retainMu.Unlock()
	now := r.d.Clock.Now()
	keep := r.protected()
	r.mu.Lock()
	if !r.loaded {
		r.mu.Unlock()
		return nil // the index is not read yet: nothing is known to delete
	}
	maxAge, maxBytes := r.cfg.MaxAgeD(), r.cfg.MaxBytesN()
	list := make([]Clip, 0, len(r.clips))
	var total int64
	for _, c := range r.clips {
		list = append(list, c)
		total += c.Bytes
	}
	r.mu.Unlock()
	sort.Slice(list, func(i, j int) bool {
		if !list[i].From.Equal(list[j].From) {
			return list[i].From.Before(list[j].From)
		}
		return list[i].ID < list[j].ID
	})
	var gone []ClipDeletion
	deleted := map[string]bool{}
	for _, c := range list {
		if c.To.Before(now.Add(-maxAge)) && !keep(c) {
			gone = append(gone, ClipDeletion{Clip: c.ID, File: c.File, CameraID: c.CameraID, Bytes: c.Bytes, Why: ClipTooOld})
			deleted[c.ID] = true
			total -= c.Bytes
		}
	}
	for _, c := range list {
		if total <= maxBytes {
			break
		}
		if deleted[c.ID] || keep(c) {
			continue
		}
		gone = append(gone, ClipDeletion{Clip: c.ID, File: c.File, CameraID: c.CameraID, Bytes: c.Bytes, Why: ClipOverSize})
		deleted[c.ID] = true
		total -= c.Bytes
	}
	if len(gone) == 0 {
		return nil
	}
	// The file first, then the entry: a crash between them leaves an entry-less deletion
	// that the next pass journals (removing a file already gone is no error).
	var entries []Entry
	var firstErr error
	for _, g := range gone {
		if err := r.d.Source.Remove(g.File); err != nil {
			if firstErr == nil {
				firstErr = Errorf(CodeUnavailable, "The clip {{.File}} cannot be deleted", "File", g.File).Wrap(err)
			}
			continue
		}
		entries = append(entries, NewEntry(KindClipDeleted, SubjectClip(g.Clip), SystemActor, g))
	}
	if len(entries) > 0 {
		if _, err := r.d.Recorder.Record(ctx, entries...); err != nil { // the fold takes them out of the index
			r.failed(err)
			return err
		}
		r.d.Log.Info("recording: retention deleted clips", "clips", len(entries))
	}
	if firstErr != nil {
		r.failed(firstErr)
	}
	return firstErr
}

// protected returns whether a clip must be kept whatever its age or the disk: it belongs
// to an open alarm, to a running incident (or an alarm of one), or to a running drill.
func (r *Recording) protected() func(Clip) bool {
	alarms := map[int64]bool{}
	incidents := map[int64]bool{}
	drills := map[int64]bool{}
	if r.d.Desk != nil {
		for _, a := range r.d.Desk.Open() {
			alarms[a.ID] = true
		}
	}
	if r.d.Incidents != nil {
		for _, in := range r.d.Incidents.Running() {
			incidents[in.ID] = true
			for _, id := range in.AlarmIDs {
				alarms[id] = true
			}
		}
	}
	r.mu.Lock()
	for id := range r.drills {
		drills[id] = true
	}
	r.mu.Unlock()
	return func(c Clip) bool {
		return (c.AlarmID != 0 && alarms[c.AlarmID]) || (c.IncidentID != 0 && incidents[c.IncidentID]) ||
			(c.DrillRun != 0 && drills[c.DrillRun])
	}
}
