package app_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// A hand-written journal of a run: what the score must say is worked out by hand.
func TestScoreFromAHandWrittenJournal(t *testing.T) {
	t0 := time.Date(2026, 11, 28, 21, 0, 0, 0, time.UTC)
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	plan := app.Plan{ID: "fire", Names: app.Names{Name: "火灾"}, Roles: []app.TeamRole{"guard"}, Steps: []app.Step{
		{ID: "verify", Phase: app.PhaseAlert, Title: "核实", Role: "guard", Limit: app.Duration(2 * time.Minute)},
		{ID: "call", Phase: app.PhaseAlert, Title: "报警", Role: "guard", Limit: app.Duration(3 * time.Minute)},
		{ID: "evacuate", Phase: app.PhaseEvacuate, Title: "疏散", Role: "guard", Limit: app.Duration(10 * time.Minute)},
		{ID: "record", Phase: app.PhaseRecover, Title: "记录", Role: "guard"}, // no limit: not expected by default
	}}
	sc := &app.DrillScenario{ID: "fire", PlanID: "fire", Expect: app.DrillExpect{Acknowledge: app.Duration(time.Minute),
		OpenIncident: app.Duration(3 * time.Minute), Limits: map[string]app.Duration{"evacuate": app.Duration(8 * time.Minute)}}}
	run := app.DrillRun{ID: 10, Scenario: "fire", PlanID: "fire", StartedAt: t0}

	alarm := func(seq int64, kind app.EntryKind, id int64, drill bool, raised time.Time, ack *app.Mark, by string, when time.Time) app.Entry {
		a := app.Alarm{ID: id, Kind: app.AlarmFire, Priority: app.P1, State: app.AlarmNew, Cause: "烟感", RaisedAt: raised, Drill: drill, Ack: ack}
		if kind == app.KindAlarmRaised {
			a.ID = 0
		}
		e := app.NewEntry(kind, app.SubjectAlarm(id), by, a)
		e.Seq, e.Time, e.Drill = seq, when, drill
		return e
	}
	change := func(seq int64, kind app.EntryKind, step, by string, when time.Time) app.Entry {
		e := app.NewEntry(kind, app.SubjectIncident(3), by, app.IncidentChange{Incident: 3, Step: step, By: by, At: when, Reason: "演练不真实拨打"})
		e.Seq, e.Time, e.Drill = seq, when, true
		return e
	}
	snapshot := plan
	opened := app.NewEntry(app.KindIncidentOpened, app.SubjectIncident(3), "commander",
		app.Incident{ID: 3, Title: "火灾", PlanID: "fire", Plan: &snapshot, Level: app.LevelIII, State: app.IncidentOpen, Drill: true,
			OpenedBy: "commander", OpenedAt: at(150 * time.Second)})
	opened.Seq, opened.Time, opened.Drill = 17, at(150*time.Second), true

	journal := []app.Entry{
		// Before the run: an older drill alarm acknowledged during it does not count.
		alarm(4, app.KindAlarmRaised, 4, true, t0.Add(-time.Hour), nil, "system", t0.Add(-time.Hour)),
		alarm(11, app.KindAlarmRaised, 11, true, at(10*time.Second), nil, "system", at(10*time.Second)),
		alarm(12, app.KindAlarmRaised, 12, false, at(20*time.Second), nil, "system", at(20*time.Second)), // a real alarm
		alarm(13, app.KindAlarmAcknowledged, 11, true, at(10*time.Second), &app.Mark{By: "duty", At: at(50 * time.Second)}, "duty", at(50*time.Second)),
		alarm(14, app.KindAlarmAcknowledged, 4, true, t0.Add(-time.Hour), &app.Mark{By: "duty", At: at(55 * time.Second)}, "duty", at(55*time.Second)),
		alarm(15, app.KindAlarmAcknowledged, 12, false, at(20*time.Second), &app.Mark{By: "duty", At: at(60 * time.Second)}, "duty", at(60*time.Second)),
		alarm(16, app.KindAlarmRaised, 16, true, at(100*time.Second), nil, "system", at(100*time.Second)), // never acknowledged
		opened,
		change(18, app.KindIncidentStepDone, "verify", "duty2", at(230*time.Second)),    // 80 s: in time
		change(19, app.KindIncidentStepSkipped, "call", "commander", at(9*time.Minute)), // 6.5 min: late
		change(20, app.KindIncidentStepDone, "verify", "duty", at(10*time.Minute)),      // a second tick does not count
	}
	// The journal comes in any order.
	journal[3], journal[8] = journal[8], journal[3]

	end := at(12 * time.Minute)
	s := app.ScoreDrill(run, sc, &plan, journal, end, true)

	require.Len(t, s.Alarms, 2)
	assert.Equal(t, int64(11), s.Alarms[0].Alarm)
	assert.Equal(t, app.CheckMet, s.Alarms[0].State)
	assert.Equal(t, app.Duration(40*time.Second), s.Alarms[0].Took)
	assert.Equal(t, "duty", s.Alarms[0].By)
	assert.Equal(t, int64(16), s.Alarms[1].Alarm)
	assert.Equal(t, app.CheckMissed, s.Alarms[1].State)

	assert.Equal(t, app.CheckMet, s.Incident.State)
	assert.Equal(t, app.Duration(140*time.Second), s.Incident.Took, "from the first drill alarm")
	assert.Equal(t, int64(3), s.Incident.ID)

	require.Len(t, s.Steps, 3, "the steps with a limit")
	assert.Equal(t, "verify", s.Steps[0].Step)
	assert.Equal(t, app.CheckMet, s.Steps[0].State)
	assert.Equal(t, app.Duration(80*time.Second), s.Steps[0].Took)
	assert.Equal(t, "duty2", s.Steps[0].By)
	assert.Equal(t, app.CheckLate, s.Steps[1].State)
	assert.True(t, s.Steps[1].Skipped)
	assert.Equal(t, "演练不真实拨打", s.Steps[1].Reason)
	assert.Equal(t, app.Duration(8*time.Minute), s.Steps[2].Limit, "the scenario's own limit")
	assert.Equal(t, app.CheckMissed, s.Steps[2].State)

	assert.Equal(t, 6, s.Total)
	assert.Equal(t, 3, s.Met)
	assert.Equal(t, 1, s.Late)
	assert.Equal(t, 2, s.Missed)
	assert.Equal(t, 1, s.StepsMissed())
	assert.Equal(t, 50, s.Percent)

	// The same journal while the drill runs, 6 minutes in: what has not come is awaited
	// or overdue, not missed; entries after that moment are not there yet.
	var sofar []app.Entry
	for _, e := range journal {
		if !e.Time.After(at(6 * time.Minute)) {
			sofar = append(sofar, e)
		}
	}
	live := app.ScoreDrill(run, sc, &plan, sofar, at(6*time.Minute), false)
	assert.Equal(t, app.CheckOverdue, live.Alarms[1].State)
	assert.Equal(t, app.CheckOverdue, live.Steps[1].State, "call: due 3 min after the incident opened at 2.5 min")
	assert.Equal(t, app.CheckWaiting, live.Steps[2].State)
	assert.Equal(t, 1, live.StepsMissed())

	// An incident opened with another plan: the steps of the expected one are not done.
	other := opened
	var in app.Incident
	require.NoError(t, other.Decode(&in))
	in.PlanID = "gas-leak"
	other = app.NewEntry(app.KindIncidentOpened, app.SubjectIncident(3), "commander", in)
	other.Seq, other.Time, other.Drill = 17, in.OpenedAt, true
	wrong := app.ScoreDrill(run, sc, &plan, []app.Entry{journal[1], other, journal[8]}, end, true)
	assert.Equal(t, "gas-leak", wrong.PlanUsed)
	assert.Equal(t, 3, wrong.StepsMissed())
}

// A drill stopped early: what had not come and whose limit had not passed is "not
// reached", not missed, and the score is of what was due.
func TestADrillStoppedEarlyScoresWhatWasDue(t *testing.T) {
	t0 := time.Date(2026, 11, 28, 21, 0, 0, 0, time.UTC)
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	plan := app.Plan{ID: "fire", Names: app.Names{Name: "火灾"}, Roles: []app.TeamRole{"guard"}, Steps: []app.Step{
		{ID: "verify", Phase: app.PhaseAlert, Title: "核实", Role: "guard", Limit: app.Duration(2 * time.Minute)},
		{ID: "call", Phase: app.PhaseAlert, Title: "报警", Role: "guard", Limit: app.Duration(3 * time.Minute)},
		{ID: "evacuate", Phase: app.PhaseEvacuate, Title: "疏散", Role: "guard", Limit: app.Duration(10 * time.Minute)},
	}}
	sc := &app.DrillScenario{ID: "fire", PlanID: "fire", Expect: app.DrillExpect{Acknowledge: app.Duration(time.Minute),
		OpenIncident: app.Duration(3 * time.Minute)}}
	run := app.DrillRun{ID: 10, Scenario: "fire", PlanID: "fire", StartedAt: t0}
	raised := func(seq int64, when time.Time) app.Entry {
		e := app.NewEntry(app.KindAlarmRaised, app.SubjectAlarm(seq), "system",
			app.Alarm{Kind: app.AlarmFire, Priority: app.P1, State: app.AlarmNew, Cause: "烟感", RaisedAt: when, Drill: true})
		e.Seq, e.Time, e.Drill = seq, when, true
		return e
	}
	acked := func(seq, id int64, raisedAt, when time.Time) app.Entry {
		e := app.NewEntry(app.KindAlarmAcknowledged, app.SubjectAlarm(id), "duty",
			app.Alarm{ID: id, Kind: app.AlarmFire, Priority: app.P1, State: app.AlarmAcknowledged, Cause: "烟感", RaisedAt: raisedAt, Drill: true,
				Ack: &app.Mark{By: "duty", At: when}})
		e.Seq, e.Time, e.Drill = seq, when, true
		return e
	}
	snapshot := plan
	opened := app.NewEntry(app.KindIncidentOpened, app.SubjectIncident(3), "commander",
		app.Incident{ID: 3, Title: "火灾", PlanID: "fire", Plan: &snapshot, Level: app.LevelIV, State: app.IncidentOpen, Drill: true,
			OpenedBy: "commander", OpenedAt: at(150 * time.Second)})
	opened.Seq, opened.Time, opened.Drill = 15, at(150*time.Second), true
	verify := app.NewEntry(app.KindIncidentStepDone, app.SubjectIncident(3), "duty",
		app.IncidentChange{Incident: 3, Step: "verify", By: "duty", At: at(200 * time.Second)})
	verify.Seq, verify.Time, verify.Drill = 16, at(200*time.Second), true
	journal := []app.Entry{
		raised(11, at(10*time.Second)),
		acked(12, 11, at(10*time.Second), at(40*time.Second)), // in time
		raised(13, at(100*time.Second)),                       // due at 160 s, never acknowledged
		opened, verify,
	}

	// Stopped at 4 minutes: "call" was due at 5:30, "evacuate" at 12:30.
	s := app.ScoreDrill(run, sc, &plan, journal, at(4*time.Minute), true)
	assert.Equal(t, app.CheckMet, s.Alarms[0].State)
	assert.Equal(t, app.CheckMissed, s.Alarms[1].State, "its limit passed before the stop")
	assert.Equal(t, app.CheckMet, s.Incident.State)
	assert.Equal(t, app.CheckMet, s.Steps[0].State)
	assert.Equal(t, app.CheckNotReached, s.Steps[1].State, "its limit had not passed when the drill stopped")
	assert.Equal(t, app.CheckNotReached, s.Steps[2].State)
	assert.Equal(t, 6, s.Total)
	assert.Equal(t, 3, s.Met)
	assert.Equal(t, 1, s.Missed, "not reached is not missed")
	assert.Equal(t, 2, s.NotReached)
	assert.Equal(t, 0, s.StepsMissed())
	assert.Equal(t, 75, s.Percent, "3 in time of the 4 that were due")

	// The same run stopped at 13 minutes: now they were missed.
	late := app.ScoreDrill(run, sc, &plan, journal, at(13*time.Minute), true)
	assert.Equal(t, app.CheckMissed, late.Steps[1].State)
	assert.Equal(t, app.CheckMissed, late.Steps[2].State)
	assert.Zero(t, late.NotReached)
	assert.Equal(t, 3, late.Missed)
	assert.Equal(t, 50, late.Percent)

	// No incident opened (due at 3:10): at 4 minutes the incident is missed, its steps (due
	// at the earliest 2 min after it was due) were not reached.
	noInc := app.ScoreDrill(run, sc, &plan, journal[:3], at(4*time.Minute), true)
	assert.Equal(t, app.CheckMissed, noInc.Incident.State)
	for _, st := range noInc.Steps {
		assert.Equal(t, app.CheckNotReached, st.State, st.Step)
	}
	noIncLate := app.ScoreDrill(run, sc, &plan, journal[:3], at(20*time.Minute), true)
	for _, st := range noIncLate.Steps {
		assert.Equal(t, app.CheckMissed, st.State, st.Step)
	}
}
