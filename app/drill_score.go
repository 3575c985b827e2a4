package app

import (
	"sort"
	"time"
)

// DrillScore is how the team did in one run, measured from the journal of the run.
type DrillScore struct {
	Alarms   []DrillAlarmScore `json:"alarms,omitempty"`    // each drill alarm: time to acknowledge
	Incident DrillCheck        `json:"incident"`            // time to open the incident
	PlanUsed string            `json:"plan_used,omitempty"` // the plan the incident was opened with
	Steps    []DrillStepScore  `json:"steps,omitempty"`     // each expected plan step: done time against its limit
	Met      int               `json:"met"`                 // expected reactions in time
	Late     int               `json:"late"`                // came, but after their limit
	Missed   int               `json:"missed"`              // never came, and their limit passed while the run lasted
	// NotReached: never came, but the run stopped before their limit passed. They are not
	// counted against the team: the score is of the reactions that were due.
	NotReached int `json:"not_reached,omitempty"`
	Total      int `json:"total"`   // expected reactions
	Percent    int `json:"percent"` // Met of the reactions that were due (Total less NotReached), 0..100
}

// StepsMissed counts the expected steps that were neither done nor skipped.
func (s *DrillScore) StepsMissed() int {
	n := 0
	for _, st := range s.Steps {
		if st.State == CheckMissed || st.State == CheckOverdue {
			n++
		}
	}
	return n
}

// CheckState is where an expected reaction stands.
type CheckState string

const (
	CheckMet     CheckState = "met"     // in time
	CheckLate    CheckState = "late"    // after its limit
	CheckWaiting CheckState = "waiting" // not yet, and still in time (a running drill)
	CheckOverdue CheckState = "overdue" // not yet, and past its limit (a running drill)
	CheckMissed  CheckState = "missed"  // never came before the run ended, and its limit had passed
	// CheckNotReached: never came, but the run ended before its limit passed (a trainer
	// stopped the drill early): not a miss.
	CheckNotReached CheckState = "not_reached"
)

// Label is the English name of a check state (the translation key).
func (s CheckState) Label() string {
	switch s {
	case CheckMet:
		return "In time"
	case CheckLate:
		return "Late"
	case CheckWaiting:
		return "Waiting"
	case CheckOverdue:
		return "Overdue"
	case CheckMissed:
		return "Missed"
	case CheckNotReached:
		return "Not reached"
	}
	return string(s)
}

// DrillCheck is one expected reaction: from when its clock runs, its limit, when (and
// whether) it came and by whom.
type DrillCheck struct {
	From    time.Time  `json:"from,omitzero"`   // its clock starts (the alarm, the first alarm, the incident)
	Limit   Duration   `json:"limit,omitempty"` // 0: no limit
	At      *time.Time `json:"at,omitempty"`    // when it came; nil: it did not
	Took    Duration   `json:"took,omitempty"`  // From to At
	By      string     `json:"by,omitempty"`
	State   CheckState `json:"state"`
	Skipped bool       `json:"skipped,omitempty"` // a step skipped (with its reason) rather than done
	Reason  string     `json:"reason,omitempty"`
	ID      int64      `json:"id,omitempty"` // the incident's ID
}

// DrillAlarmScore is the time to acknowledge one drill alarm.
type DrillAlarmScore struct {
	Alarm int64  `json:"alarm"`
	Kind  string `json:"kind"`
	// Params are the alarm's cause as facts; Cause a sentence an earlier version recorded.
	Params map[string]string `json:"params,omitempty"`
	Cause  string            `json:"cause,omitempty"`
	DrillCheck
}

// DrillStepScore is one step of the expected plan.
type DrillStepScore struct {
	Step    string `json:"step"`
	Title   string `json:"title"`
	TitleEn string `json:"title_en,omitempty"`
	DrillCheck
}

// DisplayTitle returns the English title when asked and present.
func (s *DrillStepScore) DisplayTitle(english bool) string {
	if english && s.TitleEn != "" {
		return s.TitleEn
	}
	return s.Title
}

// judge sets a check's state at now; final: the run is over, what did not come is missed.
func (c *DrillCheck) judge(now time.Time, final bool) {
	switch {
	case c.At != nil:
		c.Took = Duration(c.At.Sub(c.From))
		if c.Limit > 0 && c.Took > c.Limit {
			c.State = CheckLate
		} else {
			c.State = CheckMet
		}
	case final && c.Limit > 0 && !c.From.IsZero() && now.Sub(c.From) <= c.Limit.D():
		c.State = CheckNotReached // the run stopped before its limit passed
	case final:
		c.State = CheckMissed
	case c.Limit > 0 && !c.From.IsZero() && now.Sub(c.From) > c.Limit.D():
		c.State = CheckOverdue
	default:
		c.State = CheckWaiting
	}
}

func (s *DrillScore) count(c *DrillCheck) {
	s.Total++
	switch c.State {
	case CheckMet:
		s.Met++
	case CheckLate:
		s.Late++
	case CheckMissed, CheckOverdue:
		s.Missed++
	case CheckNotReached:
		s.NotReached++
	}
}

// ScoreDrill measures a run from its journal: entries are those after its drill.started
// (any order; others are ignored), plan the plan the scenario expects (the incident's own
// copy is used when it was opened with it). now is the end of the run (final) or the
// present moment of a running drill.
func ScoreDrill(run DrillRun, sc *DrillScenario, plan *Plan, entries []Entry, now time.Time, final bool) DrillScore {
	es := append([]Entry(nil), entries...)
	sort.SliceStable(es, func(i, j int) bool { return es[i].Seq < es[j].Seq })
	var x DrillExpect
	if sc != nil {
		x = sc.Expect
	}
	var score DrillScore

	// Alarms: each drill alarm raised during the run, to its acknowledgement.
	index := map[int64]int{}
	var incident *Incident
	for i := range es {
		e := &es[i]
		if !e.Drill || e.Seq <= run.ID {
			continue
		}
		switch e.Kind {
		case KindAlarmRaised:
			var a Alarm
			if e.Decode(&a) != nil || a.Fault {
				continue
			}
			id := e.Seq
			from := a.RaisedAt
			if from.IsZero() {
				from = e.Time
			}
			index[id] = len(score.Alarms)
			score.Alarms = append(score.Alarms, DrillAlarmScore{Alarm: id, Kind: a.Kind, Params: a.Params, Cause: a.Cause,
				DrillCheck: DrillCheck{From: from, Limit: Duration(x.AckWithin())}})
		case KindAlarmAcknowledged:
			var a Alarm
			if e.Decode(&a) != nil {
				continue
			}
			i, ok := index[a.ID]
			if !ok || score.Alarms[i].At != nil {
				continue
			}
			at, by := e.Time, e.Operator
			if a.Ack != nil {
				at, by = a.Ack.At, a.Ack.By
			}
			score.Alarms[i].At, score.Alarms[i].By = &at, by
		case KindIncidentOpened:
			var in Incident
			if e.Decode(&in) != nil {
				continue
			}
			// The first drill incident, unless a later one uses the expected plan.
			if incident == nil || (incident.PlanID != run.PlanID && in.PlanID == run.PlanID) {
				incident = &in
			}
		}
	}

	// The incident: opened within its limit of the first drill alarm (of the start when
	// the drill raised none: a note may be the whole alarm).
	first := run.StartedAt
	if len(score.Alarms) > 0 {
		first = score.Alarms[0].From
	}
	score.Incident = DrillCheck{From: first, Limit: Duration(x.OpenWithin())}
	if incident != nil {
		at := incident.OpenedAt
		score.Incident.At, score.Incident.By, score.Incident.ID = &at, incident.OpenedBy, incident.ID
		score.PlanUsed = incident.PlanID
		if incident.PlanID == run.PlanID && incident.Plan != nil {
			plan = incident.Plan
		}
	}

	// The expected steps, each within its limit of the incident's opening.
	done := map[string]IncidentChange{}
	skipped := map[string]bool{}
	if incident != nil && incident.PlanID == run.PlanID {
		subject := SubjectIncident(incident.ID)
		for i := range es {
			e := &es[i]
			if e.Subject != subject || (e.Kind != KindIncidentStepDone && e.Kind != KindIncidentStepSkipped) {
				continue
			}
			var ch IncidentChange
			if e.Decode(&ch) != nil {
				continue
			}
			if _, seen := done[ch.Step]; seen {
				continue
			}
			if ch.At.IsZero() {
				ch.At = e.Time
			}
			if ch.By == "" {
				ch.By = e.Operator
			}
			done[ch.Step] = ch
			skipped[ch.Step] = e.Kind == KindIncidentStepSkipped
		}
	}
	for _, st := range x.ExpectedSteps(plan) {
		s := DrillStepScore{Step: st.ID, Title: st.Title, TitleEn: st.TitleEn, DrillCheck: DrillCheck{Limit: st.Limit}}
		if incident != nil {
			s.From = incident.OpenedAt
		}
		if ch, ok := done[st.ID]; ok {
			at := ch.At
			s.At, s.By, s.Skipped, s.Reason = &at, ch.By, skipped[st.ID], ch.Reason
		}
		score.Steps = append(score.Steps, s)
	}

	for i := range score.Alarms {
		score.Alarms[i].judge(now, final)
		score.count(&score.Alarms[i].DrillCheck)
	}
	score.Incident.judge(now, final)
	score.count(&score.Incident)
	for i := range score.Steps {
		s := &score.Steps[i]
		switch {
		case s.From.IsZero() && !final:
			s.State = CheckWaiting // its clock starts with the incident
		case s.From.IsZero():
			// No incident was opened: the step's limit is counted from when the incident
			// was due, to tell a step the run never reached from one it missed.
			ck := s.DrillCheck
			ck.From = score.Incident.From.Add(score.Incident.Limit.D())
			ck.judge(now, final)
			s.State = ck.State
		default:
			s.judge(now, final)
		}
		score.count(&s.DrillCheck)
	}
	if due := score.Total - score.NotReached; due > 0 {
		score.Percent = score.Met * 100 / due
	}
	return score
}

// MeanAck is the mean time to acknowledge the drill alarms that were acknowledged (ok
// false when none was).
func (s *DrillScore) MeanAck() (time.Duration, bool) {
	var sum time.Duration
	n := 0
	for _, a := range s.Alarms {
		if a.At != nil {
			sum += a.Took.D()
			n++
		}
	}
	if n == 0 {
		return 0, false
	}
	return sum / time.Duration(n), true
}

// StepsInTime counts the expected steps done (or skipped) within their limits.
func (s *DrillScore) StepsInTime() (met, total int) {
	for _, st := range s.Steps {
		if st.State == CheckMet {
			met++
		}
	}
	return met, len(s.Steps)
}
