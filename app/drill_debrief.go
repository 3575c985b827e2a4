package app

import (
	"context"
	"sort"
	"strings"
	"time"
)

// Runs returns the runs of a scenario ("": of all), newest first: each as it stopped,
// with its score, or as it started while it runs.
func (s *Drills) Runs(ctx context.Context, scenarioID string) ([]DrillRun, error) {
	es, err := s.rec.Journal.Query(ctx, JournalQuery{Subject: "drill:", Kinds: []EntryKind{KindDrillStarted, KindDrillStopped}})
	if err != nil {
		return nil, err
	}
	byID := map[int64]DrillRun{}
	for i := range es {
		e := &es[i]
		if e.Kind != KindDrillStarted && e.Kind != KindDrillStopped {
			continue
		}
		r, err := DrillRunOf(e)
		if err != nil {
			return nil, err
		}
		if _, seen := byID[r.ID]; seen && e.Kind == KindDrillStarted {
			continue
		}
		byID[r.ID] = r
	}
	out := make([]DrillRun, 0, len(byID))
	for _, r := range byID {
		if scenarioID == "" || r.Scenario == scenarioID {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	return out, nil
}

// DrillDebrief is what the debrief of a run holds: the run and its score, what was
// injected, the timeline of the drill from the journal, and the other runs of the same
// scenario to compare with.
type DrillDebrief struct {
	Run        DrillRun
	Scenario   *DrillScenario // as it is now (nil: deleted since)
	Score      DrillScore     // as the run stopped, or so far while it runs
	Final      bool           // the run has ended
	Injections []DrillInjection
	Timeline   []Entry    // the run's drill entries (drill, alarms, incident), in order
	History    []DrillRun // the runs of the same scenario, oldest first (this one included)
	End        time.Time  // when it ended, or now
	Made       time.Time
}

// Duration is how long the run lasted (so far).
func (d *DrillDebrief) Duration() time.Duration { return d.End.Sub(d.Run.StartedAt) }

// Debrief gathers a run's debrief.
func (s *Drills) Debrief(ctx context.Context, runID int64) (DrillDebrief, error) {
	own, err := s.rec.Journal.Query(ctx, JournalQuery{Subject: SubjectDrill(runID)})
	if err != nil {
		return DrillDebrief{}, err
	}
	var d DrillDebrief
	var stopSeq int64
	found := false
	for i := range own {
		e := &own[i]
		switch e.Kind {
		case KindDrillStarted:
			if r, err := DrillRunOf(e); err == nil && r.ID == runID {
				d.Run, found = r, true
			}
		case KindDrillInjected:
			var in DrillInjection
			if e.Decode(&in) == nil {
				d.Injections = append(d.Injections, in)
			}
		case KindDrillStopped:
			if r, err := DrillRunOf(e); err == nil {
				d.Run, stopSeq, found = r, e.Seq, true
			}
		}
	}
	if !found {
		// The start entry of a run whose journal lacks its stamped subject (the run is
		// its own sequence number).
		runs, err := s.Runs(ctx, "")
		if err != nil {
			return DrillDebrief{}, err
		}
		for _, r := range runs {
			if r.ID == runID {
				d.Run, found = r, true
			}
		}
	}
	if !found {
		return DrillDebrief{}, Errorf(CodeNotFound, "There is no drill run {{.ID}}", "ID", runID)
	}
	d.Made = s.clock.Now()
	if sc, ok := s.Scenario(d.Run.Scenario); ok {
		d.Scenario = &sc
	}
	d.End, d.Final = d.Made, d.Run.EndedAt != nil
	if d.Final {
		d.End = *d.Run.EndedAt
	}
	switch {
	case d.Run.Score != nil:
		d.Score = *d.Run.Score
	default:
		if p, ok, err := s.Progress(ctx); err == nil && ok && p.Run.ID == runID {
			d.Score = p.Score
		}
	}

	// The timeline: the drill's own entries, its alarms and its incident, until it stopped.
	// Bounded by time (the journal's time index), not by sequence number alone: an old
	// run must not read the journal from its start to today.
	q := JournalQuery{Since: d.Run.StartedAt}
	if d.Final {
		q.Until = d.End.Add(time.Nanosecond)
	}
	es, err := s.rec.Journal.Query(ctx, q)
	if err != nil {
		return DrillDebrief{}, err
	}
	for _, e := range es {
		if e.Seq < runID || (stopSeq > 0 && e.Seq > stopSeq) || !e.Drill {
			continue
		}
		k := string(e.Kind)
		if strings.HasPrefix(k, "drill.") || e.Kind.IsAlarm() || strings.HasPrefix(k, "incident.") {
			d.Timeline = append(d.Timeline, e)
		}
	}

	runs, err := s.Runs(ctx, d.Run.Scenario)
	if err != nil {
		return DrillDebrief{}, err
	}
	for i := len(runs) - 1; i >= 0; i-- {
		d.History = append(d.History, runs[i])
	}
	return d, nil
}
