package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

func fireAlarm(c *command, t *testing.T) app.Alarm {
	t.Helper()
	a, err := c.desk.Raise(context.Background(), nil, app.Alarm{Kind: app.AlarmFire, Priority: app.P1, Cause: "Fire alarm: 3号楼2单元12层",
		DeviceID: "smoke-b03-u2-12", GridID: "g1", Building: "b03"})
	require.NoError(t, err)
	return a
}

func statusOf(list []app.ChecklistItem, id string) (app.ChecklistItem, bool) {
	for _, it := range list {
		if it.Step.ID == id {
			return it, true
		}
	}
	return app.ChecklistItem{}, false
}

func ids(list []app.ChecklistItem) []string {
	var out []string
	for _, it := range list {
		out = append(out, it.Step.ID)
	}
	return out
}

func TestIncidentFromAlarmToClose(t *testing.T) {
	ctx := context.Background()
	c := newCommand(t)
	a := fireAlarm(c, t)

	_, err := c.incidents.Open(ctx, trainer, app.OpenRequest{PlanID: "fire-residential", AlarmID: a.ID})
	assert.True(t, app.IsCode(err, app.CodeForbidden), "a trainer does not open incidents: %v", err)
	_, err = c.incidents.Open(ctx, commander, app.OpenRequest{AlarmID: a.ID})
	assert.True(t, app.IsCode(err, app.CodeInvalid), "a plan is needed")

	in, err := c.incidents.Open(ctx, commander, app.OpenRequest{PlanID: "fire-residential", AlarmID: a.ID})
	require.NoError(t, err)
	assert.Equal(t, int64(1), in.ID)
	assert.Equal(t, app.LevelIV, in.Level, "the fire plan opens at level IV (to be verified)")
	assert.Equal(t, "住宅楼火灾应急预案", in.Title)
	assert.Equal(t, []int64{a.ID}, in.AlarmIDs, "the alarm is linked")
	assert.Equal(t, "g1", in.GridID)
	assert.Equal(t, "b03", in.Building)
	assert.NotNil(t, in.Position, "the place of the alarm's device")
	got, _ := c.desk.Get(ctx, a.ID)
	assert.Equal(t, app.AlarmAcknowledged, got.State, "opening an incident acknowledges its new alarm")
	assert.Equal(t, "commander", got.Ack.By)
	_, err = c.incidents.Open(ctx, commander, app.OpenRequest{PlanID: "fire-residential", AlarmID: a.ID})
	assert.True(t, app.IsCode(err, app.CodeConflict), "an alarm belongs to one running incident")
	fi, ok := c.incidents.ForAlarm(a.ID)
	require.True(t, ok)
	assert.Equal(t, in.ID, fi.ID)

	list := in.Checklist(c.clk.Now())
	assert.Equal(t, []string{"verify", "first-attack", "notify", "cordon", "restore", "record"}, ids(list), "level IV steps, by phase")

	// Dependencies: first-attack waits for verify.
	_, err = c.incidents.Tick(ctx, commander, in.ID, "first-attack", "")
	assert.True(t, app.IsCode(err, app.CodeConflict))
	assert.ErrorContains(t, err, "waits for step")
	_, err = c.incidents.Tick(ctx, trainer, in.ID, "verify", "")
	assert.True(t, app.IsCode(err, app.CodeForbidden), "a trainer does not tick steps")
	c.clk.Add(90 * time.Second)
	in, err = c.incidents.Tick(ctx, commander, in.ID, "verify", "3号楼2单元12层冒烟")
	require.NoError(t, err)
	pr := in.ProgressOf("verify")
	assert.Equal(t, app.StepDone, pr.Status)
	assert.Equal(t, "commander", pr.By)
	assert.Equal(t, "王强", pr.ByName)
	assert.Equal(t, c.clk.Now(), pr.At)
	_, err = c.incidents.Tick(ctx, commander, in.ID, "verify", "")
	assert.True(t, app.IsCode(err, app.CodeConflict), "done once")

	// Skipping needs a reason.
	_, err = c.incidents.Skip(ctx, commander, in.ID, "first-attack", "  ")
	assert.True(t, app.IsCode(err, app.CodeInvalid))
	assert.EqualError(t, err, "Skipping a step needs a reason")
	in, err = c.incidents.Skip(ctx, commander, in.ID, "first-attack", "火势已无法扑救")
	require.NoError(t, err)
	assert.Equal(t, "火势已无法扑救", in.ProgressOf("first-attack").Reason)

	// Raising the level brings its steps in.
	_, err = c.incidents.Tick(ctx, commander, in.ID, "call-119", "")
	assert.ErrorContains(t, err, "does not apply at level IV")
	c.clk.Add(30 * time.Second)
	in, err = c.incidents.SetLevel(ctx, commander, in.ID, app.LevelIII, "确认明火")
	require.NoError(t, err)
	assert.Equal(t, app.LevelIII, in.Level)
	list = in.Checklist(c.clk.Now())
	call, ok := statusOf(list, "call-119")
	require.True(t, ok, "a level III step appears")
	assert.Equal(t, c.clk.Now(), call.ActiveFrom, "its limit counts from the level change")
	_, ok = statusOf(list, "medical")
	assert.False(t, ok, "level II steps are not there yet")
	in, err = c.incidents.Tick(ctx, commander, in.ID, "call-119", "")
	require.NoError(t, err)
	_, err = c.incidents.SetLevel(ctx, commander, in.ID, app.LevelIII, "")
	assert.True(t, app.IsCode(err, app.CodeConflict), "already at III")

	// Lowering it again: the done level III step stays recorded, the pending ones go.
	in, err = c.incidents.SetLevel(ctx, commander, in.ID, app.LevelIV, "火已扑灭")
	require.NoError(t, err)
	list = in.Checklist(c.clk.Now())
	it, ok := statusOf(list, "call-119")
	require.True(t, ok, "done steps stay")
	assert.False(t, it.Applicable)
	_, ok = statusOf(list, "lifts")
	assert.False(t, ok, "pending level III steps go")

	// Calls, notes, linked alarms.
	_, err = c.incidents.LogCall(ctx, commander, in.ID, app.CallRecord{Contact: "fire", Name: "消防救援", Phone: "119", Result: "maybe"})
	assert.True(t, app.IsCode(err, app.CodeInvalid))
	in, err = c.incidents.LogCall(ctx, commander, in.ID, app.CallRecord{Contact: "fire", Name: "消防救援", Phone: "119", Result: app.CallReached, StepID: "call-119"})
	require.NoError(t, err)
	require.Len(t, in.Calls, 1)
	assert.Equal(t, "commander", in.Calls[0].By)
	_, err = c.incidents.AddNote(ctx, commander, in.ID, "")
	assert.True(t, app.IsCode(err, app.CodeInvalid))
	in, err = c.incidents.AddNote(ctx, commander, in.ID, "消防车 09:12 到达南门")
	require.NoError(t, err)
	second, err := c.desk.Raise(ctx, nil, app.Alarm{Kind: app.AlarmFire, Priority: app.P1, Cause: "x", DeviceID: "smoke-b03-u1-8", GridID: "g1"})
	require.NoError(t, err)
	in, err = c.incidents.LinkAlarm(ctx, commander, in.ID, second.ID)
	require.NoError(t, err)
	assert.Equal(t, []int64{a.ID, second.ID}, in.AlarmIDs)
	_, err = c.incidents.LinkAlarm(ctx, commander, in.ID, second.ID)
	assert.True(t, app.IsCode(err, app.CodeConflict))

	// Closing needs a summary; afterwards nothing changes it.
	_, err = c.incidents.Close(ctx, commander, in.ID, app.CloseRequest{})
	assert.EqualError(t, err, "Closing an incident needs a summary")
	c.clk.Add(10 * time.Minute)
	_, err = c.incidents.Close(ctx, commander, in.ID, app.CloseRequest{Summary: "厨房油锅起火，已扑灭，无人员伤亡"})
	assert.EqualError(t, err, "2 alarms of the incident are still open: say whether to resolve them or leave them open",
		"closing asks what becomes of the open alarms")
	in, err = c.incidents.Close(ctx, commander, in.ID, app.CloseRequest{Summary: "厨房油锅起火，已扑灭，无人员伤亡", Alarms: app.AlarmsLeaveOpen})
	require.NoError(t, err)
	assert.Equal(t, app.IncidentClosed, in.State)
	assert.Equal(t, c.clk.Now(), in.ClosedAt)
	assert.Empty(t, c.incidents.Running())
	for _, try := range []func() error{
		func() error { _, err := c.incidents.Tick(ctx, commander, in.ID, "notify", ""); return err },
		func() error { _, err := c.incidents.Skip(ctx, commander, in.ID, "notify", "x"); return err },
		func() error { _, err := c.incidents.SetLevel(ctx, commander, in.ID, app.LevelI, ""); return err },
		func() error { _, err := c.incidents.AddNote(ctx, commander, in.ID, "x"); return err },
		func() error {
			_, err := c.incidents.Close(ctx, commander, in.ID, app.CloseRequest{Summary: "again", Alarms: app.AlarmsLeaveOpen})
			return err
		},
	} {
		err := try()
		assert.True(t, app.IsCode(err, app.CodeConflict), "%v", err)
		assert.EqualError(t, err, "Incident 1 is closed")
	}

	// Every action is in the journal with its operator, and the journal rebuilds the incident.
	es := c.entriesOf(t, app.SubjectIncident(in.ID))
	var kinds []app.EntryKind
	for _, e := range es {
		kinds = append(kinds, e.Kind)
		assert.Equal(t, "commander", e.Operator)
	}
	assert.Equal(t, []app.EntryKind{app.KindIncidentOpened, app.KindIncidentStepDone, app.KindIncidentStepSkipped,
		app.KindIncidentLevelChanged, app.KindIncidentStepDone, app.KindIncidentLevelChanged, app.KindIncidentCallLogged,
		app.KindIncidentNoteAdded, app.KindIncidentAlarmLinked, app.KindIncidentClosed}, kinds)
	replayed, err := app.ReplayIncident(es)
	require.NoError(t, err)
	stored, err := c.incidents.Get(ctx, in.ID)
	require.NoError(t, err)
	assert.Equal(t, stored, replayed, "the journal is the source of truth")

	// The report.
	r, err := c.incidents.Report(ctx, in.ID)
	require.NoError(t, err)
	assert.Len(t, r.Alarms, 2)
	assert.Len(t, r.Incident.Calls, 1)
	assert.Equal(t, 2, r.Counts.Done)
	assert.Equal(t, 1, r.Counts.Skipped)
	assert.Equal(t, 4, r.Counts.NotDone, "notify, cordon, restore, record were not done")
	assert.Equal(t, 10+3, len(r.Timeline), "the incident's 10 entries and its alarms' (raised, acknowledged; raised)")
}

func TestStepTimingAgainstAFakeClock(t *testing.T) {
	ctx := context.Background()
	c := newCommand(t)
	_, err := c.plans.Create(ctx, trainer, smallPlan())
	require.NoError(t, err)
	t0 := c.clk.Now()
	in, err := c.incidents.Open(ctx, commander, app.OpenRequest{PlanID: "drill", Title: "演练", Level: app.LevelIII, Drill: true})
	require.NoError(t, err)
	assert.True(t, in.Drill)

	at := func(d time.Duration) []app.ChecklistItem {
		cur, err := c.incidents.Get(ctx, in.ID)
		require.NoError(t, err)
		return cur.Checklist(t0.Add(d))
	}
	a, _ := statusOf(at(time.Minute), "a")
	assert.Equal(t, app.UrgencyOK, a.Urgency)
	assert.Equal(t, 4*time.Minute, a.Left)
	a, _ = statusOf(at(3*time.Minute+30*time.Second), "a")
	assert.Equal(t, app.UrgencySoon, a.Urgency, "due within two minutes")
	a, _ = statusOf(at(5*time.Minute+time.Second), "a")
	assert.Equal(t, app.UrgencyOverdue, a.Urgency)
	assert.Equal(t, -time.Second, a.Left, "counts up once overdue")
	d, _ := statusOf(at(time.Hour), "d")
	assert.Equal(t, app.UrgencyNone, d.Urgency, "no limit, never overdue")
	b, _ := statusOf(at(0), "b")
	assert.Equal(t, []string{"a"}, b.Waiting)

	c.clk.Add(6 * time.Minute)
	_, err = c.incidents.Tick(ctx, commander, in.ID, "a", "")
	require.NoError(t, err)
	a, _ = statusOf(at(6*time.Minute), "a")
	assert.True(t, a.Late, "done after its limit")
	assert.Equal(t, 6*time.Minute, a.Offset)
	assert.Equal(t, app.UrgencyNone, a.Urgency)
	b, _ = statusOf(at(6*time.Minute), "b")
	assert.Empty(t, b.Waiting)

	// A step that comes with a raised level counts from the raise.
	c.clk.Add(4 * time.Minute) // t0+10m
	_, err = c.incidents.SetLevel(ctx, commander, in.ID, app.LevelII, "")
	require.NoError(t, err)
	cs, ok := statusOf(at(11*time.Minute), "c")
	require.True(t, ok)
	assert.Equal(t, t0.Add(13*time.Minute), cs.Due)
	assert.Equal(t, app.UrgencySoon, cs.Urgency)
	cs, _ = statusOf(at(14*time.Minute), "c")
	assert.Equal(t, app.UrgencyOverdue, cs.Urgency)
	c.clk.Add(2 * time.Minute) // t0+12m
	_, err = c.incidents.Tick(ctx, commander, in.ID, "c", "")
	require.NoError(t, err)
	cs, _ = statusOf(at(12*time.Minute), "c")
	assert.False(t, cs.Late, "done 2 min after the raise, within 3")
	assert.Equal(t, 2*time.Minute, cs.Offset)
	for _, e := range c.entriesOf(t, app.SubjectIncident(in.ID)) {
		assert.True(t, e.Drill, "a drill's entries are marked")
	}
}

func TestIncidentsSurviveARestart(t *testing.T) {
	ctx := context.Background()
	c := newCommand(t)
	in, err := c.incidents.Open(ctx, commander, app.OpenRequest{PlanID: "missing-child", Title: "儿童走失 小明"})
	require.NoError(t, err)
	_, err = c.incidents.Open(ctx, commander, app.OpenRequest{PlanID: "gas-leak"})
	require.NoError(t, err)
	again := app.NewIncidents(c.st, c.rec, c.plans, c.desk, c.inv, c.clk)
	require.NoError(t, again.Load(ctx))
	assert.Len(t, again.Running(), 2, "several run at once")
	third, err := again.Open(ctx, commander, app.OpenRequest{PlanID: "earthquake"})
	require.NoError(t, err)
	assert.Equal(t, int64(3), third.ID, "IDs go on after a restart")
	got, err := again.Get(ctx, in.ID)
	require.NoError(t, err)
	assert.Equal(t, "儿童走失 小明", got.Title)
}

func TestStepContactsResolve(t *testing.T) {
	c := newCommand(t)
	site := c.inv.Site()
	in := app.Incident{GridID: "g2", DeviceIDs: []string{"bracelet-b07-0502"}}
	refs := app.ResolveContacts(site, &in, []string{"medical", "family", "grid_worker", "property"}, false)
	var names []string
	for _, r := range refs {
		names = append(names, r.Name+" "+r.Phone)
	}
	assert.Equal(t, []string{"急救中心 120", "女儿 王丽 (赵桂兰) 13912345611", "张建国 (第二网格) 13800138002",
		"物业服务中心 021-66880001"}, names, "property is a contact's ID: that one")
	refs = app.ResolveContacts(site, &in, []string{"power", "security"}, true)
	require.Len(t, refs, 2)
	assert.Equal(t, "Power company emergency", refs[0].Name, "names in the operator's language")
}
