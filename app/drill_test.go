package app_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/assets"
)

// drillCore is the core on the demo site with the default drills, on a fake clock.
type drillCore struct {
	*command
	ingest *app.Ingest
	drills *app.Drills
}

func newDrillCore(t *testing.T) *drillCore {
	t.Helper()
	ctx := context.Background()
	c := &drillCore{command: newCommand(t)}
	quiet := slog.New(slog.DiscardHandler)
	c.ingest = app.NewIngest(c.inv, c.desk, c.rec, app.NewRules(app.RulesConfig{}, c.clk.Now()), app.NewDeviceMonitor(c.clk.Now()), c.clk, quiet)
	vision := app.NewVision(c.inv, c.desk, c.rec, nil, c.clk, quiet, nil)
	c.drills = app.NewDrills(app.DrillDeps{Recorder: c.rec, Inventory: c.inv, Plans: c.plans, Desk: c.desk, Ingest: c.ingest,
		Vision: vision, Clock: c.clk, Log: quiet})
	require.NoError(t, c.drills.Load(ctx))
	defaults, err := assets.DefaultDrills()
	require.NoError(t, err)
	n, err := c.drills.Seed(ctx, defaults)
	require.NoError(t, err)
	require.Equal(t, 3, n, "the three default drills fit the demo site")
	return c
}

// after returns the journal entries after seq.
func (c *drillCore) after(seq int64) []app.Entry {
	var out []app.Entry
	for _, e := range c.st.entries {
		if e.Seq > seq {
			out = append(out, e)
		}
	}
	return out
}

func kindsOf(es []app.Entry) []app.EntryKind {
	var out []app.EntryKind
	for _, e := range es {
		out = append(out, e.Kind)
	}
	return out
}

// advance moves the fake clock to offset d from t0 and lets the scheduler do what is due.
func (c *drillCore) advance(t *testing.T, t0 time.Time, d time.Duration) {
	t.Helper()
	c.clk.Add(t0.Add(d).Sub(c.clk.Now()))
	require.NoError(t, c.drills.Tick(context.Background()))
}

func TestDefaultDrillsAreValidOnTheDemoSite(t *testing.T) {
	c := newDrillCore(t)
	var ids []string
	for _, sc := range c.drills.Scenarios() {
		ids = append(ids, sc.ID)
		assert.NotEmpty(t, sc.NameEn, sc.ID)
		assert.NoError(t, c.drills.Check(&sc))
		pl, ok := c.plans.Get(sc.PlanID)
		require.True(t, ok)
		assert.NotEmpty(t, sc.Expect.ExpectedSteps(&pl), sc.ID)
	}
	assert.Equal(t, []string{"fire-building", "fall-night", "flood-basement"}, ids)

	// Seeding again adds nothing; a deleted default stays deleted after a restart.
	defaults, _ := assets.DefaultDrills()
	n, err := c.drills.Seed(context.Background(), defaults)
	require.NoError(t, err)
	assert.Zero(t, n)
	require.NoError(t, c.drills.Delete(context.Background(), trainer, "flood-basement"))
	again := app.NewDrills(app.DrillDeps{Recorder: c.rec, Inventory: c.inv, Plans: c.plans, Desk: c.desk, Clock: c.clk})
	require.NoError(t, again.Load(context.Background()))
	n, err = again.Seed(context.Background(), defaults)
	require.NoError(t, err)
	assert.Zero(t, n)
	assert.Len(t, again.Scenarios(), 2)
}

func TestFireDrillOnAFakeClock(t *testing.T) {
	ctx := context.Background()
	c := newDrillCore(t)
	before, _ := c.st.LastSeq(ctx)

	run, err := c.drills.Start(ctx, trainer, "fire-building")
	require.NoError(t, err)
	assert.Equal(t, before+1, run.ID, "the run's ID is its drill.started entry's sequence number")
	assert.Contains(t, run.Cameras, "cam-b03-corridor")
	_, err = c.drills.Start(ctx, trainer, "fall-night")
	assert.True(t, app.IsCode(err, app.CodeConflict), "one drill at a time")

	t0 := run.StartedAt
	c.advance(t, t0, 0)              // the opening note
	c.advance(t, t0, 10*time.Second) // smoke, 12F
	st, ok := c.drills.Status()
	require.True(t, ok)
	assert.Equal(t, 2, st.Done)
	require.NotNil(t, st.LastNote)
	assert.Contains(t, st.LastNote.NoteEn, "smell of smoke")

	// A real message during the drill stays real, and so does its alarm.
	require.NoError(t, c.ingest.Handle(ctx, app.Reading{DeviceID: "sos-gate-n", Type: app.MsgEvent, Event: "sos",
		Time: c.clk.Now(), Values: map[string]any{"pressed": true}}, "watchpost/demo/sos-gate-n/event"))

	c.advance(t, t0, 45*time.Second) // smoke again: a repeat of the same drill alarm
	c.advance(t, t0, 7*time.Minute)  // everything else

	es := c.after(before)
	assert.Equal(t, []app.EntryKind{
		app.KindDrillStarted,
		app.KindDrillInjected,                                             // note
		app.KindDeviceReading, app.KindAlarmRaised, app.KindDrillInjected, // smoke 12F
		app.KindDeviceReading, app.KindAlarmRaised, // the real SOS
		app.KindDeviceReading, app.KindAlarmRepeated, app.KindDrillInjected, // smoke again
		app.KindDrillInjected,                                             // note
		app.KindDeviceReading, app.KindAlarmRaised, app.KindDrillInjected, // smoke 8F
		app.KindVideoDetection, app.KindAlarmRaised, app.KindDrillInjected, // crowd on camera
		app.KindDeviceReading, app.KindAlarmRaised, app.KindDrillInjected, // door held open
		app.KindDrillInjected, // note
	}, kindsOf(es))
	var drillAlarms, realAlarms []app.Alarm
	for _, e := range es {
		isReal := e.Subject == "device:sos-gate-n" || (e.Kind == app.KindAlarmRaised && e.Seq == es[5].Seq+1)
		if e.Kind == app.KindAlarmRaised {
			var a app.Alarm
			require.NoError(t, e.Decode(&a))
			assert.Equal(t, a.Drill, e.Drill)
			if a.Drill {
				drillAlarms = append(drillAlarms, a)
			} else {
				realAlarms = append(realAlarms, a)
			}
			continue
		}
		assert.Equal(t, !isReal, e.Drill, "%d %s %s is marked drill only when it belongs to the drill", e.Seq, e.Kind, e.Subject)
	}
	require.Len(t, realAlarms, 1)
	assert.Equal(t, app.AlarmMedical, realAlarms[0].Kind)
	var kinds []string
	for _, a := range drillAlarms {
		kinds = append(kinds, a.Kind)
	}
	assert.Equal(t, []string{app.AlarmFire, app.AlarmFire, app.AlarmCrowd, app.AlarmDoorHeld}, kinds, "alarms raised through the real rules")

	// The injections say what they raised.
	var inj app.DrillInjection
	require.NoError(t, es[4].Decode(&inj))
	assert.Equal(t, run.ID, inj.Run)
	assert.Equal(t, app.InjectDevice, inj.What)
	assert.Equal(t, "smoke-b03-u2-12", inj.Device)
	assert.Equal(t, []int64{es[3].Seq}, inj.Alarms)
	assert.Equal(t, app.Duration(10*time.Second), inj.At)

	// The injected readings say nothing about the devices' health.
	ds, _ := c.ingest.Monitor().State("smoke-b03-u2-12")
	assert.True(t, ds.LastSeen.IsZero(), "an injected message does not make a device seen")

	// An operator cannot stop it; the trainer does, and the run is scored.
	_, err = c.drills.Stop(ctx, duty, run.ID)
	assert.True(t, app.IsCode(err, app.CodeForbidden))
	stopped, err := c.drills.Stop(ctx, trainer, run.ID)
	require.NoError(t, err)
	require.NotNil(t, stopped.Score)
	require.NotNil(t, stopped.EndedAt)
	assert.Len(t, stopped.Score.Alarms, 4)
	assert.Equal(t, app.CheckMissed, stopped.Score.Incident.State, "nobody opened the incident")
	assert.Zero(t, stopped.Score.Met)
	// Without an incident the steps' limits count from when it was due (3:10): at 7:00 the
	// 2- and 3-minute steps were missed, the others not reached.
	assert.Equal(t, 2, stopped.Score.StepsMissed())
	notReached := 0
	for _, st := range stopped.Score.Steps {
		if st.State == app.CheckNotReached {
			notReached++
		}
	}
	assert.Equal(t, 5, notReached)
	assert.False(t, c.drills.Running())

	// The drill's alarms are resolved by the system once it ends; the real one stays open.
	open := c.desk.Open()
	require.Len(t, open, 1)
	assert.False(t, open[0].Drill)
	last := c.st.entries[len(c.st.entries)-1]
	assert.Equal(t, app.KindAlarmResolved, last.Kind)
	assert.True(t, last.Drill)

	runs, err := c.drills.Runs(ctx, "fire-building")
	require.NoError(t, err)
	require.Len(t, runs, 1)
	require.NotNil(t, runs[0].Score)
	assert.Equal(t, run.ID, runs[0].ID)
	assert.Equal(t, "trainer", runs[0].EndedBy)
}

func TestOnlyTrainersAndAdminsRunDrills(t *testing.T) {
	ctx := context.Background()
	c := newDrillCore(t)
	// Refused for what the operator is, not for any other reason: the duty operator and
	// the commander are forbidden, nobody signed in is unauthenticated; nothing is journaled.
	before := len(c.st.entries)
	for _, tc := range []struct {
		op   *app.Operator
		code app.ErrorCode
	}{{duty, app.CodeForbidden}, {commander, app.CodeForbidden}, {nil, app.CodeUnauthenticated}} {
		_, err := c.drills.Start(ctx, tc.op, "fire-building")
		require.Error(t, err)
		assert.Equal(t, tc.code, app.CodeOf(err), "%v: %v", tc.op, err)
		assert.False(t, c.drills.Running())
	}
	sc, ok := c.drills.Scenario("fall-night")
	require.True(t, ok)
	_, err := c.drills.Save(ctx, duty, sc)
	assert.Equal(t, app.CodeForbidden, app.CodeOf(err), "%v", err)
	assert.Len(t, c.st.entries, before, "a refusal leaves no trace in the journal")
	run, err := c.drills.Start(ctx, admin, "fall-night")
	require.NoError(t, err)
	_, err = c.drills.Stop(ctx, admin, run.ID)
	require.NoError(t, err)
}

func TestTeamReactionsAreScoredLive(t *testing.T) {
	ctx := context.Background()
	c := newDrillCore(t)
	run, err := c.drills.Start(ctx, trainer, "fall-night")
	require.NoError(t, err)
	t0 := run.StartedAt
	c.advance(t, t0, 15*time.Second) // the fall
	p, ok, err := c.drills.Progress(ctx)
	require.NoError(t, err)
	require.True(t, ok)
	require.Len(t, p.Score.Alarms, 1)
	assert.Equal(t, app.CheckWaiting, p.Score.Alarms[0].State)
	assert.Len(t, p.Done, 2)
	assert.Len(t, p.Pending, 3)

	// The commander opens the incident from the alarm 50 s later (it acknowledges it).
	c.advance(t, t0, 65*time.Second)
	in, err := c.incidents.Open(ctx, commander, app.OpenRequest{PlanID: "elderly-medical", AlarmID: p.Score.Alarms[0].Alarm})
	require.NoError(t, err)
	assert.True(t, in.Drill)
	c.advance(t, t0, 95*time.Second)
	_, err = c.incidents.Tick(ctx, commander, in.ID, "contact", "")
	require.NoError(t, err)
	c.advance(t, t0, 2*time.Minute)                // the vitals alarm
	c.advance(t, t0, 6*time.Minute+35*time.Second) // call-120 (3 min) is overdue
	_, err = c.incidents.Skip(ctx, commander, in.ID, "call-120", "drill: not called for real")
	require.NoError(t, err)

	p, _, err = c.drills.Progress(ctx)
	require.NoError(t, err)
	s := p.Score
	require.Len(t, s.Alarms, 2)
	assert.Equal(t, app.CheckMet, s.Alarms[0].State)
	assert.Equal(t, app.CheckOverdue, s.Alarms[1].State, "nobody acknowledged the vitals alarm")
	assert.Equal(t, app.Duration(50*time.Second), s.Alarms[0].Took)
	assert.Equal(t, app.CheckMet, s.Incident.State)
	assert.Equal(t, in.ID, s.Incident.ID)
	assert.Equal(t, "elderly-medical", s.PlanUsed)
	byStep := map[string]app.DrillStepScore{}
	for _, st := range s.Steps {
		byStep[st.Step] = st
	}
	assert.Equal(t, app.CheckMet, byStep["contact"].State)
	assert.Equal(t, app.CheckLate, byStep["call-120"].State)
	assert.True(t, byStep["call-120"].Skipped)
	assert.Equal(t, app.CheckOverdue, byStep["family"].State, "5 min passed")
	assert.Equal(t, app.CheckWaiting, byStep["entry"].State, "10 min not yet")

	stopped, err := c.drills.Stop(ctx, trainer, run.ID)
	require.NoError(t, err)
	f := stopped.Score
	assert.Equal(t, app.CheckMissed, f.Steps[2].State, "what did not come within its limit is missed")
	assert.Equal(t, app.CheckNotReached, f.Steps[5].State, "guide (8 min) was not due when the drill stopped at 5:30 into the incident")
	// Met: the fall's acknowledgement, the incident, contact. Late: call-120. Missed: the
	// vitals alarm's acknowledgement, family and go. Not reached: entry and guide.
	assert.Equal(t, 3, f.Met)
	assert.Equal(t, 1, f.Late)
	assert.Equal(t, 3, f.Missed)
	assert.Equal(t, 2, f.NotReached)
	assert.Equal(t, 2+1+6, f.Total)
	assert.Equal(t, 42, f.Percent, "3 in time of the 7 that were due")

	d, err := c.drills.Debrief(ctx, run.ID)
	require.NoError(t, err)
	assert.True(t, d.Final)
	assert.Equal(t, *f, d.Score)
	assert.Len(t, d.Injections, 5)
	assert.Equal(t, app.KindDrillStarted, d.Timeline[0].Kind)
	assert.Equal(t, app.KindDrillStopped, d.Timeline[len(d.Timeline)-1].Kind)
	require.Len(t, d.History, 1)
}

func TestARunLeftOpenIsStoppedAtTheNextStart(t *testing.T) {
	ctx := context.Background()
	c := newDrillCore(t)
	run, err := c.drills.Start(ctx, trainer, "flood-basement")
	require.NoError(t, err)
	c.advance(t, run.StartedAt, 40*time.Second)
	// The console stops without stopping the drill (a crash).
	c.clk.Add(time.Minute)
	again := app.NewDrills(app.DrillDeps{Recorder: c.rec, Inventory: c.inv, Plans: c.plans, Desk: c.desk, Clock: c.clk})
	require.NoError(t, again.Load(ctx))
	assert.False(t, again.Running())
	runs, err := again.Runs(ctx, "")
	require.NoError(t, err)
	require.Len(t, runs, 1)
	require.NotNil(t, runs[0].EndedAt)
	assert.Equal(t, app.SystemActor, runs[0].EndedBy)
	require.NotNil(t, runs[0].Score)
	assert.Len(t, runs[0].Score.Alarms, 1)
}

func TestScenarioEditsAreCheckedAndJournaled(t *testing.T) {
	ctx := context.Background()
	c := newDrillCore(t)
	sc, _ := c.drills.Scenario("fire-building")
	sc.ID = "fire-b11"
	sc.Name = "11号楼火灾演练"
	sc.Injections = append(sc.Injections, app.DrillInject{At: app.Duration(time.Minute), Device: "smoke-b99-u1-1"},
		app.DrillInject{At: app.Duration(time.Minute), Device: "smoke-b11-u1-30", Note: "both"})
	sc.Expect.Steps = append(sc.Expect.Steps, "no-such-step")
	_, err := c.drills.Save(ctx, trainer, sc)
	require.Error(t, err)
	msg := err.Error()
	assert.Contains(t, msg, "smoke-b99-u1-1")
	assert.Contains(t, msg, "must be one of")
	assert.Contains(t, msg, "no-such-step")

	sc.Injections = sc.Injections[:len(sc.Injections)-2]
	sc.Expect.Steps = sc.Expect.Steps[:len(sc.Expect.Steps)-1]
	sc.Injections = append(sc.Injections, app.DrillInject{At: app.Duration(5 * time.Second), Device: "smoke-b11-u1-30", Values: map[string]any{"smoke": true}})
	saved, err := c.drills.Save(ctx, trainer, sc)
	require.NoError(t, err)
	assert.Equal(t, 1, saved.Version)
	assert.Equal(t, app.Duration(5*time.Second), saved.Injections[1].At, "injections are kept in time order")
	assert.Equal(t, app.MsgEvent, saved.Injections[1].Type)
	h, err := c.drills.History(ctx, "fire-b11")
	require.NoError(t, err)
	require.Len(t, h, 1)
	assert.Equal(t, app.KindDrillScenarioSaved, h[0].Kind)
	assert.Equal(t, "trainer", h[0].Operator)
	assert.False(t, h[0].Drill, "editing a scenario is not a drill event")

	b, err := app.MarshalDrillScenario(saved)
	require.NoError(t, err)
	back, err := app.ParseDrillScenario(b)
	require.NoError(t, err)
	assert.Equal(t, saved.Injections, back.Injections)
	_, err = app.ParseDrillScenario([]byte(`{"id": "x", "injektions": []}`))
	assert.Error(t, err, "a misspelt key is refused")
}
