package app

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Drills runs drills (演练) on the live console: trainers keep the scenarios, start a run
// and stop it; the run injects its device messages, detections and notes at their times
// through the real device and analytics paths, so its alarms are real alarms marked drill;
// at the end the journal of the run gives the score.
//
// Scenarios are kept in the journal itself (drill-scenario:<id> entries, each with the
// whole scenario): an edit is one durable entry, and nothing else needs to be written.
// Runs are the drill:<id> entries. At most one drill runs at a time.
type Drills struct {
	rec    *Recorder
	inv    *Inventory
	plans  *Plans
	desk   *AlarmDesk
	ingest *Ingest // injected device messages (nil: device injections fail)
	vision *Vision // injected detections (nil: detection injections fail)
	clock  Clock
	log    *slog.Logger

	mu        sync.RWMutex
	scenarios []DrillScenario
	deleted   map[string]bool // defaults a trainer deleted: never seeded again
	run       *activeRun      // the running drill; nil when none

	write sync.Mutex    // one change (edit, start, injection, stop) at a time
	wake  chan struct{} // a drill started: the scheduler looks at once
}

// activeRun is the drill running now.
type activeRun struct {
	DrillRun
	scenario DrillScenario // as it was when the run started
	plan     *Plan         // the expected plan, as it was then
	next     int           // the next injection to do
	done     []DrillInjection
}

// DrillDeps are what Drills works with.
type DrillDeps struct {
	Recorder  *Recorder
	Inventory *Inventory
	Plans     *Plans
	Desk      *AlarmDesk
	Ingest    *Ingest
	Vision    *Vision
	Clock     Clock
	Log       *slog.Logger
}

// NewDrills builds the service; call Load (and Seed) before use, and Run for the scheduler.
func NewDrills(d DrillDeps) *Drills {
	if d.Clock == nil {
		d.Clock = SystemClock{}
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	return &Drills{rec: d.Recorder, inv: d.Inventory, plans: d.Plans, desk: d.Desk, ingest: d.Ingest, vision: d.Vision,
		clock: d.Clock, log: d.Log, deleted: map[string]bool{},
		wake: make(chan struct{}, 1)}
}

// Now is the drills' clock (the UI shows elapsed times by it).
func (s *Drills) Now() time.Time { return s.clock.Now() }

// Load folds the scenarios from the journal. A run the journal shows started and never
// stopped (the console stopped or crashed during it) is stopped now, by the system, with
// its score as it stood.
func (s *Drills) Load(ctx context.Context) error {
	es, err := s.rec.Journal.Query(ctx, JournalQuery{Subject: "drill-scenario:"})
	if err != nil {
		return err
	}
	var list []DrillScenario
	deleted := map[string]bool{}
	for _, e := range es {
		switch e.Kind {
		case KindDrillScenarioSeeded, KindDrillScenarioSaved:
			var sc DrillScenario
			if err := e.Decode(&sc); err != nil {
				return err
			}
			list = upsertScenario(list, sc)
			delete(deleted, sc.ID)
		case KindDrillScenarioDeleted:
			var d struct{ ID string }
			if err := e.Decode(&d); err != nil {
				return err
			}
			list = removeScenario(list, d.ID)
			deleted[d.ID] = true
		}
	}
	s.mu.Lock()
	s.scenarios, s.deleted = list, deleted
	s.mu.Unlock()

	runs, err := s.Runs(ctx, "")
	if err != nil {
		return err
	}
	for _, r := range runs {
		if r.EndedAt == nil {
			if _, err := s.stopRun(ctx, r, SystemActor, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

func upsertScenario(list []DrillScenario, sc DrillScenario) []DrillScenario {
	for i := range list {
		if list[i].ID == sc.ID {
			list[i] = sc
			return list
		}
	}
	return append(list, sc)
}

func removeScenario(list []DrillScenario, id string) []DrillScenario {
	for i := range list {
		if list[i].ID == id {
			return append(list[:i:i], list[i+1:]...)
		}
	}
	return list
}

// Scenarios returns the scenarios in the order they were added.
func (s *Drills) Scenarios() []DrillScenario {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]DrillScenario(nil), s.scenarios...)
}

// Scenario returns a scenario by ID.
func (s *Drills) Scenario(id string) (DrillScenario, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, sc := range s.scenarios {
		if sc.ID == id {
			return sc, true
		}
	}
	return DrillScenario{}, false
}

// Check validates a scenario against the site and the plans.
func (s *Drills) Check(sc *DrillScenario) error {
	var site *Site
	if s.inv != nil {
		site = s.inv.Site()
	}
	var plan func(string) (Plan, bool)
	if s.plans != nil {
		plan = s.plans.Get
	}
	return CheckDrillScenario(sc, site, plan)
}

// Seed adds the default scenarios the journal has never seen (first start, or a newer
// Watchpost with more of them), journaled as drill.scenario_seeded by the system. A
// default a trainer changed or deleted is left as they left it. It returns how many it
// added. A default that does not fit the site (another site than the demo's) is skipped.
func (s *Drills) Seed(ctx context.Context, defaults []DrillScenario) (int, error) {
	s.write.Lock()
	defer s.write.Unlock()
	now := s.clock.Now()
	var entries []Entry
	var added []DrillScenario
	for _, sc := range defaults {
		normalizeDrill(&sc)
		_, exists := s.Scenario(sc.ID)
		s.mu.RLock()
		gone := s.deleted[sc.ID]
		s.mu.RUnlock()
		if exists || gone {
			continue
		}
		sc.Version, sc.UpdatedBy, sc.UpdatedAt = 1, SystemActor, now
		if err := s.Check(&sc); err != nil {
			s.log.Info("default drill scenario left out: it does not fit this site", "scenario", sc.ID, "why", err)
			continue
		}
		entries = append(entries, NewEntry(KindDrillScenarioSeeded, SubjectDrillScenario(sc.ID), SystemActor, sc))
		added = append(added, sc)
	}
	if len(entries) == 0 {
		return 0, nil
	}
	if _, err := s.rec.Record(ctx, entries...); err != nil {
		return 0, err
	}
	s.mu.Lock()
	s.scenarios = append(s.scenarios, added...)
	s.mu.Unlock()
	return len(added), nil
}

// Save creates or changes a scenario (trainers and administrators).
func (s *Drills) Save(ctx context.Context, op *Operator, sc DrillScenario) (DrillScenario, error) {
	if err := Authorize(op, ActRunDrill); err != nil {
		return DrillScenario{}, err
	}
	s.write.Lock()
	defer s.write.Unlock()
	normalizeDrill(&sc)
	prev, exists := s.Scenario(sc.ID)
	if exists {
		same := sc
		same.Version, same.UpdatedBy, same.UpdatedAt = prev.Version, prev.UpdatedBy, prev.UpdatedAt
		if sameJSON(same, prev) {
			return prev, ErrUnchanged()
		}
	}
	sc.Version = prev.Version + 1
	sc.UpdatedBy, sc.UpdatedAt = op.Username, s.clock.Now()
	if err := s.Check(&sc); err != nil {
		return DrillScenario{}, err
	}
	// The list shows the scenario before the entry is published: a panel that reloads when
	// it arrives sees the new version.
	_, err := s.rec.RecordThen(ctx, func() {
		s.mu.Lock()
		s.scenarios = upsertScenario(s.scenarios, sc)
		delete(s.deleted, sc.ID)
		s.mu.Unlock()
	}, NewEntry(KindDrillScenarioSaved, SubjectDrillScenario(sc.ID), op.Username, sc))
	if err != nil {
		return DrillScenario{}, err
	}
	return sc, nil
}

// Delete removes a scenario (trainers and administrators). Past runs keep their scores;
// a running drill of it runs on.
func (s *Drills) Delete(ctx context.Context, op *Operator, id string) error {
	if err := Authorize(op, ActRunDrill); err != nil {
		return err
	}
	s.write.Lock()
	defer s.write.Unlock()
	if _, ok := s.Scenario(id); !ok {
		return Errorf(CodeNotFound, "There is no drill scenario {{.ID}}", "ID", id)
	}
	_, err := s.rec.RecordThen(ctx, func() {
		s.mu.Lock()
		s.scenarios = removeScenario(s.scenarios, id)
		s.deleted[id] = true
		s.mu.Unlock()
	}, NewEntry(KindDrillScenarioDeleted, SubjectDrillScenario(id), op.Username, map[string]string{"id": id}))
	if err != nil {
		return err
	}
	return nil
}

// History returns the journal entries of a scenario: who changed it and when.
func (s *Drills) History(ctx context.Context, id string) ([]Entry, error) {
	return s.rec.Journal.Query(ctx, JournalQuery{Subject: SubjectDrillScenario(id)})
}
