package app

import (
	"context"
	"maps"
	"time"
)

// Start starts a run of a scenario (trainers and administrators): drill.started is
// journaled, and the scheduler injects the scenario's events at their times from now.
// Only one drill runs at a time.
func (s *Drills) Start(ctx context.Context, op *Operator, scenarioID string) (DrillRun, error) {
	if err := Authorize(op, ActRunDrill); err != nil {
		return DrillRun{}, err
	}
	s.write.Lock()
	defer s.write.Unlock()
	if cur, ok := s.Current(); ok {
		return DrillRun{}, Errorf(CodeConflict, "The drill {{.Name}} is running: stop it first", "Name", cur.Name)
	}
	sc, ok := s.Scenario(scenarioID)
	if !ok {
		return DrillRun{}, Errorf(CodeNotFound, "There is no drill scenario {{.ID}}", "ID", scenarioID)
	}
	// The site or the plans may have changed since the scenario was written.
	if err := s.Check(&sc); err != nil {
		return DrillRun{}, err
	}
	var plan *Plan
	if s.plans != nil {
		if p, ok := s.plans.Get(sc.PlanID); ok {
			plan = &p
		}
	}
	now := s.clock.Now()
	run := DrillRun{Scenario: sc.ID, Name: sc.Name, NameEn: sc.NameEn, PlanID: sc.PlanID, Cameras: s.cameras(&sc),
		StartedAt: now, Version: sc.Version, By: op.Username}
	e := NewEntry(KindDrillStarted, SubjectDrill(0), op.Username, run) // the journal gives the run its ID
	e.Drill, e.Time = true, now
	out, err := s.rec.Record(ctx, e)
	if err != nil {
		return DrillRun{}, err
	}
	run.ID = out[0].Seq
	s.mu.Lock()
	s.run = &activeRun{DrillRun: run, scenario: sc, plan: plan}
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return run, nil
}

// cameras lists the cameras around a scenario's devices and cameras: those that see each
// place, then the nearest (the recorder keeps their clips, replay shows them).
func (s *Drills) cameras(sc *DrillScenario) []string {
	var site *Site
	if s.inv != nil {
		site = s.inv.Site()
	}
	if site == nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	add := func(ids ...string) {
		for _, id := range ids {
			if id != "" && !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	for _, in := range sc.Injections {
		switch in.What() {
		case InjectDevice:
			add(site.NearestCameras(&Alarm{DeviceID: in.Device}, 3)...)
		case InjectDetection:
			add(in.Camera)
			if c, ok := site.Camera(in.Camera); ok {
				pos := c.Position
				add(site.NearestCameras(&Alarm{Position: &pos}, 2)...)
			}
		}
	}
	return out
}

// Current returns the running drill.
func (s *Drills) Current() (DrillRun, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.run == nil {
		return DrillRun{}, false
	}
	return s.run.DrillRun, true
}

// Running reports whether a drill runs (for the banner).
func (s *Drills) Running() bool {
	_, ok := s.Current()
	return ok
}

// DrillStatus is what the banner shows of the running drill, without asking the journal.
type DrillStatus struct {
	Run      DrillRun
	Elapsed  time.Duration
	Done     int             // injections done
	Total    int             // injections of the scenario
	LastNote *DrillInjection // the latest note for the operators
}

// Status returns the running drill's status.
func (s *Drills) Status() (DrillStatus, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r := s.run
	if r == nil {
		return DrillStatus{}, false
	}
	st := DrillStatus{Run: r.DrillRun, Elapsed: s.clock.Now().Sub(r.StartedAt), Done: r.next, Total: len(r.scenario.Injections)}
	for i := len(r.done) - 1; i >= 0; i-- {
		if r.done[i].What == InjectNote {
			n := r.done[i]
			st.LastNote = &n
			break
		}
	}
	return st, true
}

// Tick does the injections of the running drill that are due, and ends the run when its
// scenario says so. The scheduler calls it; tests call it after moving their clock.
func (s *Drills) Tick(ctx context.Context) error {
	s.write.Lock()
	defer s.write.Unlock()
	s.mu.RLock()
	r := s.run
	s.mu.RUnlock()
	if r == nil {
		return nil
	}
	now := s.clock.Now()
	elapsed := now.Sub(r.StartedAt)
	for r.next < len(r.scenario.Injections) && r.scenario.Injections[r.next].At.D() <= elapsed {
		done, err := s.inject(ctx, r, r.scenario.Injections[r.next], now)
		if err != nil {
			return err // not journaled: tried again at the next tick
		}
		s.mu.Lock()
		r.next++
		r.done = append(r.done, done)
		s.mu.Unlock()
	}
	if d := r.scenario.Expect.Duration; d > 0 && elapsed >= d.D() && r.next == len(r.scenario.Injections) {
		_, err := s.stopRun(ctx, r.DrillRun, SystemActor, r)
		return err
	}
	return nil
}

// inject does one injection and journals what it did (drill.injected). An injection that
// cannot be done (its device left the site) is journaled with the reason, and the run
// goes on; only a journal that cannot be written stops the tick (it is tried again).
func (s *Drills) inject(ctx context.Context, r *activeRun, in DrillInject, now time.Time) (DrillInjection, error) {
	d := DrillInjection{Run: r.ID, At: in.At, What: in.What(), Device: in.Device, Camera: in.Camera, Note: in.Note, NoteEn: in.NoteEn}
	var err error
	switch d.What {
	case InjectDevice:
		if s.ingest == nil {
			err = Errorf(CodeUnavailable, "The device path is not running")
			break
		}
		rd := Reading{DeviceID: in.Device, Type: in.Type, Event: in.Event, Time: now, Received: now, Values: maps.Clone(in.Values)}
		if rd.Type == "" {
			rd.Type = MsgEvent
		}
		var alarms []Alarm
		alarms, err = s.ingest.Inject(ctx, rd)
		for _, a := range alarms {
			d.Alarms = append(d.Alarms, a.ID)
		}
	case InjectDetection:
		if s.vision == nil {
			err = Errorf(CodeUnavailable, "Video analytics is not running")
			break
		}
		det := Detection{CameraID: in.Camera, Detector: in.Detector, Zone: in.Zone, Count: in.Count, Detail: in.Detail,
			Score: 1, Time: now, Drill: true}
		err = s.vision.Detected(ctx, &det)
	}
	if err != nil {
		d.Error = err.Error()
		s.log.Warn("drill injection failed", "run", r.ID, "at", in.At.String(), "what", d.What, "err", err)
	}
	e := NewEntry(KindDrillInjected, SubjectDrill(r.ID), r.By, d)
	e.Drill, e.Time = true, now
	if _, err := s.rec.Record(ctx, e); err != nil {
		return d, err
	}
	return d, nil
}

// Stop ends the running drill (trainers and administrators) and scores it.
func (s *Drills) Stop(ctx context.Context, op *Operator, runID int64) (DrillRun, error) {
	if err := Authorize(op, ActRunDrill); err != nil {
		return DrillRun{}, err
	}
	s.write.Lock()
	defer s.write.Unlock()
	s.mu.RLock()
	r := s.run
	s.mu.RUnlock()
	if r == nil || r.ID != runID {
		return DrillRun{}, Errorf(CodeConflict, "Drill run {{.ID}} is not running", "ID", runID)
	}
	return s.stopRun(ctx, r.DrillRun, op.Username, r)
}

// stopRun scores a run from the journal and journals drill.stopped; the run's drill
// alarms still open are then resolved by the system. r is the running drill (nil: a run
// left open by a console that stopped, which ends when that console did).
func (s *Drills) stopRun(ctx context.Context, run DrillRun, by string, r *activeRun) (DrillRun, error) {
	now := s.clock.Now()
	var sc *DrillScenario
	var plan *Plan
	if r != nil {
		sc, plan = &r.scenario, r.plan
	} else {
		if x, ok := s.Scenario(run.Scenario); ok {
			sc = &x
		}
		if s.plans != nil {
			if p, ok := s.plans.Get(run.PlanID); ok {
				plan = &p
			}
		}
		if end, ok := s.consoleEnd(ctx, run.ID); ok {
			now = end
		}
	}
	entries, err := s.runEntries(ctx, run.ID, 0)
	if err != nil {
		return DrillRun{}, err
	}
	score := ScoreDrill(run, sc, plan, entries, now, true)
	run.EndedAt, run.EndedBy, run.Score = &now, by, &score
	e := NewEntry(KindDrillStopped, SubjectDrill(run.ID), by, run)
	e.Drill, e.Time = true, now
	if _, err := s.rec.Record(ctx, e); err != nil {
		return DrillRun{}, err
	}
	s.mu.Lock()
	if s.run != nil && s.run.ID == run.ID {
		s.run = nil
	}
	s.mu.Unlock()
	if s.desk != nil {
		if err := s.desk.endDrill(ctx, run.ID, "Drill ended"); err != nil {
			s.log.Error("drill alarms not resolved", "run", run.ID, "err", err)
		}
	}
	return run, nil
}

// consoleEnd finds when the console that ran a run stopped (or the next one started).
func (s *Drills) consoleEnd(ctx context.Context, runID int64) (time.Time, bool) {
	es, err := s.rec.Journal.Query(ctx, JournalQuery{AfterSeq: runID, Kinds: []EntryKind{KindConsoleStopped, KindConsoleStarted}, Limit: 1})
	if err != nil {
		return time.Time{}, false
	}
	for _, e := range es {
		if e.Seq > runID && (e.Kind == KindConsoleStopped || e.Kind == KindConsoleStarted) {
			return e.Time, true
		}
	}
	return time.Time{}, false
}

// scoreKinds are the entries a score is measured from.
var scoreKinds = []EntryKind{KindAlarmRaised, KindAlarmAcknowledged, KindIncidentOpened, KindIncidentStepDone, KindIncidentStepSkipped}

// runEntries returns the entries a run is scored from: after its start and, when
// untilSeq is given, before it.
func (s *Drills) runEntries(ctx context.Context, runID, untilSeq int64) ([]Entry, error) {
	es, err := s.rec.Journal.Query(ctx, JournalQuery{AfterSeq: runID, Kinds: scoreKinds})
	if err != nil {
		return nil, err
	}
	out := es[:0]
	for _, e := range es {
		if e.Seq > runID && (untilSeq == 0 || e.Seq < untilSeq) {
			out = append(out, e)
		}
	}
	return out, nil
}

// DrillProgress is a running drill as the trainer follows it: the injections done and to
// come, and the expected reactions met, late, missed or still awaited.
type DrillProgress struct {
	Run      DrillRun
	Scenario DrillScenario
	Elapsed  time.Duration
	Done     []DrillInjection
	Pending  []DrillInject
	Score    DrillScore
}

// Progress returns the running drill's progress (ok false: none runs).
func (s *Drills) Progress(ctx context.Context) (DrillProgress, bool, error) {
	s.mu.RLock()
	r := s.run
	var p DrillProgress
	if r != nil {
		p = DrillProgress{Run: r.DrillRun, Scenario: r.scenario, Done: append([]DrillInjection(nil), r.done...),
			Pending: append([]DrillInject(nil), r.scenario.Injections[r.next:]...)}
	}
	s.mu.RUnlock()
	if r == nil {
		return DrillProgress{}, false, nil
	}
	now := s.clock.Now()
	p.Elapsed = now.Sub(r.StartedAt)
	entries, err := s.runEntries(ctx, r.ID, 0)
	if err != nil {
		return p, true, err
	}
	p.Score = ScoreDrill(r.DrillRun, &r.scenario, r.plan, entries, now, false)
	return p, true, nil
}

// Run is the scheduler: it does the injections when they are due until ctx ends; then it
// ends a running drill (a drill does not outlive the console that ran it). Times come from
// the drills' clock; the ticker only wakes it up.
func (s *Drills) Run(ctx context.Context) error {
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			s.endRunning()
			return nil
		case <-t.C:
		case <-s.wake:
		}
		if err := s.Tick(ctx); err != nil {
			s.log.Error("drill tick", "err", err)
		}
	}
}

// endRunning stops the running drill, as the system.
func (s *Drills) endRunning() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.write.Lock()
	defer s.write.Unlock()
	s.mu.RLock()
	r := s.run
	s.mu.RUnlock()
	if r != nil {
		if _, err := s.stopRun(ctx, r.DrillRun, SystemActor, r); err != nil {
			s.log.Error("drill not stopped", "run", r.ID, "err", err)
		}
	}
}
