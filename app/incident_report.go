package app

import (
	"context"
	"sort"
	"time"
)

// ReportSaver writes a report file and returns where it is.
type ReportSaver interface {
	SaveReport(name string, data []byte) (string, error)
}

// IncidentReport is what an incident's record holds: its checklist against the plan's
// limits, the calls, notes and alarms, and the timeline from the journal.
type IncidentReport struct {
	Incident Incident
	Steps    []ChecklistItem // the checklist at the end (done and skipped steps of any level included)
	Dropped  []Step          // steps of the plan that were not part of the checklist at the end
	Alarms   []Alarm
	Timeline []Entry   // the incident's and its alarms' journal entries, in order
	End      time.Time // when it was closed, or when the report was made
	Made     time.Time // when the report was made
	Counts   ReportCounts
}

// ReportCounts summarise the checklist.
type ReportCounts struct {
	Steps, Done, Late, Skipped, NotDone int
}

// Duration is how long the incident ran (until the report, while it is open).
func (r *IncidentReport) Duration() time.Duration { return r.End.Sub(r.Incident.OpenedAt) }

// BuildReport assembles the report of an incident at a moment.
func BuildReport(in Incident, alarms []Alarm, timeline []Entry, now time.Time) IncidentReport {
	r := IncidentReport{Incident: in, Alarms: alarms, Made: now, End: now}
	if in.State == IncidentClosed {
		r.End = in.ClosedAt
	}
	r.Steps = in.Checklist(r.End)
	listed := map[string]bool{}
	for _, it := range r.Steps {
		listed[it.Step.ID] = true
		r.Counts.Steps++
		switch it.Progress.Status {
		case StepDone:
			r.Counts.Done++
			if it.Late {
				r.Counts.Late++
			}
		case StepSkipped:
			r.Counts.Skipped++
		default:
			r.Counts.NotDone++
		}
	}
	if in.Plan != nil {
		for _, s := range in.Plan.Steps {
			if !listed[s.ID] {
				r.Dropped = append(r.Dropped, s)
			}
		}
	}
	sort.SliceStable(timeline, func(i, j int) bool { return timeline[i].Seq < timeline[j].Seq })
	r.Timeline = timeline
	return r
}

// Report gathers an incident's report: its state, its alarms and its journal.
func (s *Incidents) Report(ctx context.Context, id int64) (IncidentReport, error) {
	in, err := s.Get(ctx, id)
	if err != nil {
		return IncidentReport{}, err
	}
	timeline, err := s.History(ctx, id)
	if err != nil {
		return IncidentReport{}, err
	}
	var alarms []Alarm
	for _, aid := range in.AlarmIDs {
		a, err := s.desk.Get(ctx, aid)
		if err != nil {
			continue // an alarm the store no longer has: the report still stands
		}
		alarms = append(alarms, a)
		es, err := s.rec.Journal.Query(ctx, JournalQuery{Subject: SubjectAlarm(aid)})
		if err != nil {
			return IncidentReport{}, err
		}
		timeline = append(timeline, es...)
	}
	return BuildReport(in, alarms, timeline, s.clock.Now()), nil
}
