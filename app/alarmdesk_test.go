package app_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

var (
	duty    = &app.Operator{Username: "duty", Name: "值班员", Role: app.RoleOperator}
	trainer = &app.Operator{Username: "trainer", Name: "培训员", Role: app.RoleTrainer}
)

func smokeAlarm() app.Alarm {
	return app.Alarm{Kind: "smoke", Priority: app.P1, Cause: "3号楼 烟感报警", DeviceID: "smoke-b03-u2-12"}
}

func newDesk(t *testing.T) (*app.AlarmDesk, *memStore, *app.Bus, *fakeClock) {
	st, bus, clk := newMemStore(), app.NewBus(), newClock()
	d := app.NewAlarmDesk(app.NewRecorder(st, bus), st, clk)
	require.NoError(t, d.Load(context.Background()))
	return d, st, bus, clk
}

func TestAlarmLifecycle(t *testing.T) {
	ctx := context.Background()
	d, st, bus, clk := newDesk(t)
	sub := bus.Subscribe(10, nil)

	a, err := d.Raise(ctx, nil, smokeAlarm())
	require.NoError(t, err)
	assert.Equal(t, int64(1), a.ID, "the alarm's ID is the journal sequence of its raise")
	assert.Equal(t, app.AlarmNew, a.State)
	got := <-sub.C()
	assert.Equal(t, app.KindAlarmRaised, got.Kind)
	assert.Equal(t, "alarm:1", got.Subject)
	assert.Equal(t, app.SystemActor, got.Operator)

	clk.Add(20e9)
	a, err = d.Acknowledge(ctx, duty, a.ID, "看到了")
	require.NoError(t, err)
	assert.Equal(t, app.AlarmAcknowledged, a.State)
	assert.Equal(t, "duty", a.Ack.By)
	assert.Equal(t, clk.Now(), a.Ack.At)

	_, err = d.Acknowledge(ctx, duty, a.ID, "")
	assert.True(t, app.IsCode(err, app.CodeConflict), "a second acknowledge is a conflict: %v", err)

	_, err = d.Dispatch(ctx, duty, a.ID, "", "")
	assert.True(t, app.IsCode(err, app.CodeInvalid))
	a, err = d.Dispatch(ctx, duty, a.ID, "网格员 张伟", "去3号楼")
	require.NoError(t, err)
	assert.Equal(t, "网格员 张伟", a.Dispatch.To)

	a, err = d.Resolve(ctx, duty, a.ID, app.OutcomeGenuine, "厨房油烟")
	require.NoError(t, err)
	assert.Equal(t, app.AlarmResolved, a.State)
	assert.Empty(t, d.Open())

	_, err = d.Acknowledge(ctx, duty, a.ID, "")
	assert.True(t, app.IsCode(err, app.CodeConflict), "%v", err)
	_, err = d.Acknowledge(ctx, duty, 999, "")
	assert.True(t, app.IsCode(err, app.CodeNotFound), "%v", err)

	kinds := []app.EntryKind{}
	for _, e := range st.entries {
		kinds = append(kinds, e.Kind)
	}
	assert.Equal(t, []app.EntryKind{app.KindAlarmRaised, app.KindAlarmAcknowledged, app.KindAlarmDispatched, app.KindAlarmResolved}, kinds)
	assert.Equal(t, app.AlarmResolved, st.alarms[1].State, "the stored alarm follows the journal")
}

func TestAlarmRolesAreCheckedInTheCore(t *testing.T) {
	ctx := context.Background()
	d, _, _, _ := newDesk(t)
	a, err := d.Raise(ctx, nil, smokeAlarm())
	require.NoError(t, err)

	_, err = d.Acknowledge(ctx, trainer, a.ID, "")
	assert.True(t, app.IsCode(err, app.CodeForbidden), "a trainer may not acknowledge: %v", err)
	_, err = d.Acknowledge(ctx, nil, a.ID, "")
	assert.True(t, app.IsCode(err, app.CodeUnauthenticated), "%v", err)
	disabled := *duty
	disabled.Disabled = true
	_, err = d.Acknowledge(ctx, &disabled, a.ID, "")
	assert.True(t, app.IsCode(err, app.CodeForbidden), "%v", err)
	_, err = d.Raise(ctx, trainer, smokeAlarm())
	assert.True(t, app.IsCode(err, app.CodeForbidden), "%v", err)
	assert.Equal(t, app.AlarmNew, d.Open()[0].State)
}

func TestAlarmRepeatsFoldIntoTheOpenAlarm(t *testing.T) {
	ctx := context.Background()
	d, _, _, clk := newDesk(t)
	first, err := d.Raise(ctx, nil, smokeAlarm())
	require.NoError(t, err)
	clk.Add(5e9)
	again := smokeAlarm()
	again.Priority = app.P1
	rep, err := d.Raise(ctx, nil, again)
	require.NoError(t, err)
	assert.Equal(t, first.ID, rep.ID)
	assert.Equal(t, 1, rep.Repeats)
	assert.Equal(t, clk.Now(), rep.LastAt)
	assert.Len(t, d.Open(), 1)

	other := smokeAlarm()
	other.DeviceID = "smoke-b05-u1-03"
	_, err = d.Raise(ctx, nil, other)
	require.NoError(t, err)
	assert.Len(t, d.Open(), 2)
	assert.Equal(t, 2, d.Counts()[app.P1])
}

func TestOpenAlarmsSortMostUrgentFirst(t *testing.T) {
	ctx := context.Background()
	d, _, _, clk := newDesk(t)
	for i, p := range []app.Priority{app.P3, app.P1, app.P4, app.P1} {
		a := smokeAlarm()
		a.Priority = p
		a.DeviceID = "dev-" + string(rune('a'+i))
		_, err := d.Raise(ctx, nil, a)
		require.NoError(t, err)
		clk.Add(1e9)
	}
	open := d.Open()
	require.Len(t, open, 4)
	assert.Equal(t, []app.Priority{app.P1, app.P1, app.P3, app.P4}, []app.Priority{open[0].Priority, open[1].Priority, open[2].Priority, open[3].Priority})
	assert.Equal(t, "dev-d", open[0].DeviceID, "newest first within a priority")
	c := d.Counts()
	assert.Equal(t, 4, c.Total())
}

func TestFaultClearsItself(t *testing.T) {
	ctx := context.Background()
	d, _, _, _ := newDesk(t)
	f := app.Alarm{Kind: "device_offline", Priority: app.P3, Fault: true, Cause: "设备离线", DeviceID: "light-04"}
	_, err := d.Raise(ctx, nil, f)
	require.NoError(t, err)
	a, cleared, err := d.ClearFault(ctx, "device_offline", "light-04", "back online")
	require.NoError(t, err)
	assert.True(t, cleared)
	assert.Equal(t, app.OutcomeCleared, a.Outcome)
	assert.Equal(t, app.SystemActor, a.Resolve.By)
	assert.Empty(t, d.Open())
	_, cleared, err = d.ClearFault(ctx, "device_offline", "light-04", "")
	assert.NoError(t, err)
	assert.False(t, cleared)
}

func TestAlarmIsNotShownWhenTheJournalFails(t *testing.T) {
	ctx := context.Background()
	d, st, bus, _ := newDesk(t)
	sub := bus.Subscribe(10, nil)
	st.failNext = errors.New("disk full")
	_, err := d.Raise(ctx, nil, smokeAlarm())
	require.Error(t, err)
	assert.Empty(t, d.Open(), "nothing is shown that is not durable")
	assert.Len(t, sub.C(), 0)

	a, err := d.Raise(ctx, nil, smokeAlarm())
	require.NoError(t, err)
	st.failNext = errors.New("disk full")
	_, err = d.Acknowledge(ctx, duty, a.ID, "")
	require.Error(t, err)
	assert.Equal(t, app.AlarmNew, d.Open()[0].State, "a failed acknowledge changes nothing")
}

func TestDeskReloadsOpenAlarmsAfterRestart(t *testing.T) {
	ctx := context.Background()
	d, st, bus, clk := newDesk(t)
	a, err := d.Raise(ctx, nil, smokeAlarm())
	require.NoError(t, err)
	_, err = d.Acknowledge(ctx, duty, a.ID, "")
	require.NoError(t, err)

	d2 := app.NewAlarmDesk(app.NewRecorder(st, bus), st, clk)
	require.NoError(t, d2.Load(ctx))
	require.Len(t, d2.Open(), 1)
	assert.Equal(t, app.AlarmAcknowledged, d2.Open()[0].State)
	_, err = d2.Resolve(ctx, duty, a.ID, "bogus", "")
	assert.True(t, app.IsCode(err, app.CodeInvalid))
}

func TestTallyCountsDrillAlarmsApart(t *testing.T) {
	ctx := context.Background()
	d, _, _, _ := newDesk(t)
	raise := func(dev string, p app.Priority, drill bool) app.Alarm {
		a := smokeAlarm()
		a.DeviceID, a.Priority, a.Drill = dev, p, drill
		got, err := d.Raise(ctx, nil, a)
		require.NoError(t, err)
		return got
	}
	first := raise("dev-a", app.P1, false)
	raise("dev-b", app.P1, false)
	raise("dev-c", app.P2, false)
	raise("dev-d", app.P1, true)
	drill := raise("dev-e", app.P2, true)
	_, err := d.Acknowledge(ctx, duty, first.ID, "")
	require.NoError(t, err)
	_, err = d.Acknowledge(ctx, duty, drill.ID, "")
	require.NoError(t, err)

	tl := d.Tally()
	assert.Equal(t, 2, tl.Open[app.P1], "drill alarms are not in the real counts")
	assert.Equal(t, 1, tl.New[app.P1], "one real P1 waits for acknowledgement")
	assert.Equal(t, 1, tl.Open[app.P2])
	assert.Equal(t, 1, tl.New[app.P2])
	assert.Equal(t, 2, tl.Drill)
	assert.Equal(t, 1, tl.DrillNew)
}
