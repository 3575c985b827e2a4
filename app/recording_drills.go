package app

import (
	"context"
	"fmt"
	"time"
)

// drillRecording is a running drill whose cameras are recorded.
type drillRecording struct {
	run     DrillRun
	stopped chan struct{} // closed when the drill stops
	stopAt  time.Time
	active  int // cameras still recording
}

// drillSegment is the length of a drill's clips: a clip is held in memory until written,
// and a crash loses at most the segment being recorded.
const drillSegment = time.Minute

// drillStarted records each camera of the drill in segments until it stops.
func (r *Recording) drillStarted(run DrillRun) {
	if run.ID == 0 || len(run.Cameras) == 0 {
		return
	}
	r.mu.Lock()
	if _, ok := r.drills[run.ID]; ok {
		r.mu.Unlock()
		return
	}
	d := &drillRecording{run: run, stopped: make(chan struct{}), active: len(run.Cameras)}
	r.drills[run.ID] = d
	pre := r.cfg.PreD()
	r.mu.Unlock()
	for _, cam := range run.Cameras {
		r.jobs.Add(1)
		go func() {
			defer r.jobs.Done()
			r.recordDrill(d, cam, run.StartedAt.Add(-pre))
		}()
	}
}

func (r *Recording) drillStopped(id int64, at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	d, ok := r.drills[id]
	if !ok || !d.stopAt.IsZero() {
		return
	}
	d.stopAt = at
	close(d.stopped)
}

// recordDrill records one camera of a drill, segment after segment, until Post after the
// drill stopped. A segment starts at the key frame at or before the previous one's end,
// so nothing falls between two.
func (r *Recording) recordDrill(d *drillRecording, cam string, from time.Time) {
	defer func() {
		r.mu.Lock()
		d.active--
		if d.active == 0 && !d.stopAt.IsZero() {
			delete(r.drills, d.run.ID)
		}
		r.mu.Unlock()
	}()
	for seg := 1; r.ctx.Err() == nil; seg++ {
		to := from.Add(drillSegment)
		r.mu.Lock()
		stopAt, post := d.stopAt, r.cfg.PostD()
		r.mu.Unlock()
		last := false
		if !stopAt.IsZero() && !stopAt.Add(post).After(to) {
			to, last = stopAt.Add(post), true
		}
		if !to.After(from) {
			return
		}
		// The segment ends early when the drill stops meanwhile (Post after it).
		ctx, cancel := context.WithCancel(r.ctx)
		done := make(chan struct{})
		go func() {
			select {
			case <-d.stopped:
			case <-done:
				return
			}
			r.mu.Lock()
			end := d.stopAt.Add(r.cfg.PostD())
			r.mu.Unlock()
			if end.Before(to) {
				select {
				case <-time.After(end.Sub(r.d.Clock.Now())):
					cancel()
				case <-done:
				}
			}
		}()
		c := Clip{
			ID:       fmt.Sprintf("%s-%s-drill%d-%d", cam, from.Local().Format("20060102-150405"), d.run.ID, seg),
			CameraID: cam, DrillRun: d.run.ID, Reason: ClipForDrill,
		}
		var wrote ClipFile
		ok := r.recordNow(ctx, c, from, to, true, &wrote)
		close(done)
		cancel()
		r.mu.Lock()
		stopped := !d.stopAt.IsZero() && !d.stopAt.Add(r.cfg.PostD()).After(r.d.Clock.Now())
		r.mu.Unlock()
		if last || stopped {
			return
		}
		if ok && wrote.To.After(from) {
			from = wrote.To
		} else {
			from = to
		}
	}
}
