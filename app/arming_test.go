package app_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// The arming on a fake clock, through the device path as the console runs it: a reading goes
// through Ingest, the rules evaluate it, the arming decides.

var (
	armAdmin     = &app.Operator{Username: "admin", Name: "赵磊", Role: app.RoleAdmin}
	armCommander = &app.Operator{Username: "commander", Name: "王强", Role: app.RoleCommander}
	armDuty      = &app.Operator{Username: "duty", Name: "李明", Role: app.RoleOperator}
)

type armEnv struct {
	st    *memStore
	clk   *fakeClock
	rec   *app.Recorder
	inv   *app.Inventory
	desk  *app.AlarmDesk
	arm   *app.Arming
	in    *app.Ingest
	shift *app.Shifts
}

// shanghai is the site's zone (the test site names none: the default).
var shanghai = app.DefaultLocation()

func newArmEnv(t *testing.T, at time.Time) *armEnv {
	t.Helper()
	e := &armEnv{st: newMemStore(), clk: &fakeClock{t: at}}
	e.rec = app.NewRecorder(e.st, app.NewBus())
	e.inv = app.NewInventory(e.st, e.rec)
	require.NoError(t, e.inv.Seed(context.Background(), ruleSite()))
	e.boot(t)
	return e
}

// boot builds the services on the store as a (re)start of the console does.
func (e *armEnv) boot(t *testing.T) {
	t.Helper()
	e.rec = app.NewRecorder(e.st, app.NewBus())
	e.inv = app.NewInventory(e.st, e.rec)
	require.NoError(t, e.inv.Load(context.Background()))
	e.desk = app.NewAlarmDesk(e.rec, e.st, e.clk)
	require.NoError(t, e.desk.Load(context.Background()))
	e.arm = app.NewArming(e.rec, e.inv, e.clk)
	require.NoError(t, e.arm.Load(context.Background()))
	rules := app.NewRules(app.RulesConfig{}, e.clk.Now())
	rules.SetArming(e.arm)
	e.in = app.NewIngest(e.inv, e.desk, e.rec, rules, app.NewDeviceMonitor(e.clk.Now()), e.clk, slog.New(slog.DiscardHandler))
	e.shift = app.NewShifts(nil, e.desk, nil, e.rec, e.clk)
	e.shift.UseArming(e.arm)
}

func (e *armEnv) at(t time.Time) { e.clk.mu.Lock(); e.clk.t = t; e.clk.mu.Unlock() }

// send handles a reading now and returns the alarms raised since before it.
func (e *armEnv) send(t *testing.T, dev string, typ app.MessageType, event string, values map[string]any) []app.Alarm {
	t.Helper()
	before := map[int64]bool{}
	for _, a := range e.desk.Open() {
		before[a.ID] = true
	}
	r := reading(dev, typ, event, values)
	r.Time, r.Received = e.clk.Now(), e.clk.Now()
	require.NoError(t, e.in.Handle(context.Background(), r, "t"))
	var out []app.Alarm
	for _, a := range e.desk.Open() {
		if !before[a.ID] {
			out = append(out, a)
		}
	}
	return out
}

func (e *armEnv) forced(t *testing.T) []app.Alarm {
	return e.send(t, "door-1", app.MsgEvent, "forced_open", map[string]any{"forced": true})
}

// suppressed returns the device.alarm_suppressed entries journaled so far.
func (e *armEnv) suppressed(t *testing.T) []app.Suppressed {
	var out []app.Suppressed
	for _, en := range e.st.entries {
		if en.Kind == app.KindAlarmSuppressed {
			var s app.Suppressed
			require.NoError(t, en.Decode(&s))
			assert.Equal(t, app.SubjectDevice(s.Device), en.Subject, "it is in the device's journal")
			out = append(out, s)
		}
	}
	return out
}

func (e *armEnv) readings() int {
	n := 0
	for _, en := range e.st.entries {
		if en.Kind == app.KindDeviceReading {
			n++
		}
	}
	return n
}

func window(days []time.Weekday, from, to string) app.Window {
	s, _ := app.ParseTimeOfDay(from)
	e, _ := app.ParseTimeOfDay(to)
	return app.Window{Days: days, Start: s, End: e}
}

var everyDay = []time.Weekday{0, 1, 2, 3, 4, 5, 6}

func TestANightArmedDoorRaisesNothingInTheAfternoon(t *testing.T) {
	ctx := context.Background()
	mon := time.Date(2026, 11, 30, 14, 0, 0, 0, shanghai) // a Monday
	e := newArmEnv(t, mon)
	night := app.ArmingSchedule{Target: app.ArmTarget{Scope: app.ScopeDevice, ID: "door-1"},
		Schedule: app.WeeklySchedule{Windows: []app.Window{window(everyDay, "22:00", "06:00")}}}
	require.NoError(t, e.arm.SetSchedule(ctx, armAdmin, night))

	assert.Empty(t, e.forced(t), "14:00: the door is disarmed")
	assert.Equal(t, 1, e.readings(), "the reading is journaled all the same")
	held := e.suppressed(t)
	require.Len(t, held, 1)
	assert.Equal(t, app.SuppressedDisarmed, held[0].Reason)
	assert.Equal(t, night.Target, held[0].Target)
	require.Len(t, held[0].Alarms, 1)
	assert.Equal(t, app.AlarmDoorForced, held[0].Alarms[0].Kind)

	// A fault is raised whatever the schedule: a battery running out needs someone.
	low := e.send(t, "door-1", app.MsgStatus, "", map[string]any{"battery": 5.0})
	require.Len(t, low, 1)
	assert.Equal(t, app.AlarmLowBattery, low[0].Kind)

	e.at(mon.Add(9 * time.Hour)) // 23:00
	got := e.forced(t)
	require.Len(t, got, 1, "23:00: armed")
	assert.Equal(t, app.AlarmDoorForced, got[0].Kind)
	assert.False(t, got[0].Test)
	assert.Len(t, e.suppressed(t), 1, "nothing more held")

	e.at(mon.Add(16*time.Hour + 30*time.Minute)) // Tuesday 06:30: disarmed again
	assert.Empty(t, e.send(t, "door-1", app.MsgEvent, "held_open", map[string]any{"held_open": true}))
}

func TestMostSpecificArmingScheduleWins(t *testing.T) {
	ctx := context.Background()
	mon := time.Date(2026, 11, 30, 14, 0, 0, 0, shanghai)
	e := newArmEnv(t, mon)
	kind := app.ArmingSchedule{Target: app.ArmTarget{Scope: app.ScopeKind, ID: string(app.KindDoor)},
		Schedule: app.WeeklySchedule{Windows: []app.Window{window(everyDay, "22:00", "06:00")}}}
	require.NoError(t, e.arm.SetSchedule(ctx, armAdmin, kind))
	assert.Empty(t, e.forced(t), "the kind's night schedule")

	zone := app.ArmingSchedule{Target: app.ArmTarget{Scope: app.ScopeZone, ID: "g1"},
		Schedule: app.WeeklySchedule{Windows: []app.Window{window(everyDay, "08:00", "18:00")}}}
	require.NoError(t, e.arm.SetSchedule(ctx, armAdmin, zone))
	assert.Len(t, e.forced(t), 1, "the grid's day schedule is more specific than the kind's")

	e.at(mon.Add(time.Minute * 10))
	dev := app.ArmingSchedule{Target: app.ArmTarget{Scope: app.ScopeDevice, ID: "door-1"},
		Schedule: app.WeeklySchedule{Windows: []app.Window{window(everyDay, "01:00", "02:00")}}}
	require.NoError(t, e.arm.SetSchedule(ctx, armAdmin, dev))
	assert.Empty(t, e.send(t, "door-1", app.MsgEvent, "held_open", map[string]any{"held_open": true}), "the device's own wins")

	require.NoError(t, e.arm.ClearSchedule(ctx, armAdmin, dev.Target))
	assert.Len(t, e.send(t, "door-1", app.MsgEvent, "held_open", map[string]any{"held_open": true}), 1, "back to the grid's")

	// Life-safety alarms are never disarmed: a kind schedule on smoke detectors does not hold a fire.
	require.NoError(t, e.arm.SetSchedule(ctx, armAdmin, app.ArmingSchedule{Target: app.ArmTarget{Scope: app.ScopeKind, ID: string(app.KindSmoke)},
		Schedule: app.WeeklySchedule{Windows: []app.Window{window(everyDay, "01:00", "02:00")}}}))
	assert.Len(t, e.send(t, "smoke-1", app.MsgEvent, "alarm", map[string]any{"smoke": true}), 1)
}

func TestATiaoxiuSaturdayFollowsTheWorkingDaySchedule(t *testing.T) {
	ctx := context.Background()
	// The lobby door is armed outside office hours: working nights and whole weekends.
	weekdays := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	s := app.ArmingSchedule{Target: app.ArmTarget{Scope: app.ScopeDevice, ID: "door-1"}, Schedule: app.WeeklySchedule{Windows: []app.Window{
		window(weekdays, "18:00", "08:00"), window([]time.Weekday{time.Saturday, time.Sunday}, "00:00", "00:00")}}}
	sat := time.Date(2026, 12, 5, 12, 0, 0, 0, shanghai) // a Saturday
	e := newArmEnv(t, sat)
	require.NoError(t, e.arm.SetSchedule(ctx, armAdmin, s))
	assert.Len(t, e.forced(t), 1, "an ordinary Saturday: armed all day")

	// The same kind of Saturday worked as 调休: the working day's schedule, disarmed at noon.
	tiaoxiu := time.Date(2026, 12, 12, 12, 0, 0, 0, shanghai)
	require.NoError(t, e.arm.SetCalendar(ctx, armAdmin, app.HolidayCalendar{Days: []app.CalendarDay{
		{Date: "2026-12-12", Kind: app.DayWorkday, Name: "调休上班"}, {Date: "2026-12-14", Kind: app.DayHoliday, Name: "节日"}}}))
	e.at(tiaoxiu)
	assert.Empty(t, e.forced(t), "a 调休 Saturday at noon: office hours, disarmed")
	e.at(tiaoxiu.Add(7 * time.Hour)) // 19:00
	assert.Len(t, e.forced(t), 1, "a 调休 Saturday evening: armed like a working day")
	e.at(time.Date(2026, 12, 14, 12, 0, 0, 0, shanghai)) // a Monday that is a holiday
	assert.Len(t, e.send(t, "door-1", app.MsgEvent, "held_open", map[string]any{"held_open": true}), 1, "a holiday: the weekend's schedule, armed")
}

func TestMaintenanceForTwoHoursSuppressesAlarmsAndEndsByItself(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 11, 30, 10, 0, 0, 0, shanghai)
	e := newArmEnv(t, start)
	target := app.ArmTarget{Scope: app.ScopeDevice, ID: "smoke-1"}
	req := app.MaintenanceRequest{Target: target, Mode: app.ModeMaintenance, For: 2 * time.Hour, Reason: "更换烟感电池"}

	_, err := e.arm.StartMaintenance(ctx, armDuty, req)
	assert.True(t, app.IsCode(err, app.CodeForbidden), "a duty operator does not silence devices: %v", err)
	_, err = e.arm.StartMaintenance(ctx, armCommander, app.MaintenanceRequest{Target: target, Mode: app.ModeMaintenance, For: 2 * time.Hour})
	assert.True(t, app.IsCode(err, app.CodeInvalid), "a reason is needed")
	m, err := e.arm.StartMaintenance(ctx, armCommander, req)
	require.NoError(t, err)
	assert.Equal(t, start.Add(2*time.Hour), m.Until)
	last := e.st.entries[len(e.st.entries)-1]
	assert.Equal(t, app.KindMaintenanceStarted, last.Kind)
	assert.Equal(t, "commander", last.Operator, "journaled with who")

	assert.Empty(t, e.send(t, "smoke-1", app.MsgEvent, "alarm", map[string]any{"smoke": true}), "in maintenance: no fire alarm")
	assert.Empty(t, e.send(t, "smoke-1", app.MsgStatus, "", map[string]any{"battery": 3.0}), "nor a fault")
	held := e.suppressed(t)
	require.Len(t, held, 2)
	assert.Equal(t, app.SuppressedMaintenance, held[0].Reason)
	assert.Equal(t, 2, e.readings(), "both readings journaled")
	_, in := e.arm.MaintenanceOf(mustDevice(t, e, "smoke-1"), e.clk.Now())
	assert.True(t, in)
	assert.Len(t, e.shift.OpenNow().Maintenance, 1, "the next shift sees it")

	// A device silent past its window while in maintenance goes offline without an alarm.
	e.at(start.Add(90 * time.Minute))
	for range 2 {
		e.in.SuperviseOnce(ctx, false)
	}
	for _, a := range e.desk.Open() {
		assert.NotEqual(t, "smoke-1", a.DeviceID, "no alarm of the device in maintenance")
	}

	e.at(start.Add(2*time.Hour + time.Minute)) // it ended by itself: nobody did anything
	_, in = e.arm.MaintenanceOf(mustDevice(t, e, "smoke-1"), e.clk.Now())
	assert.False(t, in)
	assert.Empty(t, e.shift.OpenNow().Maintenance)
	got := e.send(t, "smoke-1", app.MsgEvent, "alarm", map[string]any{"smoke": true})
	require.Len(t, got, 1, "after two hours the fire alarm is raised again")
	assert.Equal(t, app.AlarmFire, got[0].Kind)
}

func TestTestModeMarksAlarmsTestAndEndsEarlyByHand(t *testing.T) {
	ctx := context.Background()
	e := newArmEnv(t, time.Date(2026, 11, 30, 10, 0, 0, 0, shanghai))
	target := app.ArmTarget{Scope: app.ScopeKind, ID: string(app.KindCallButton)}
	_, err := e.arm.StartMaintenance(ctx, armAdmin, app.MaintenanceRequest{Target: target, Mode: app.ModeTest, For: 4 * time.Hour, Reason: "安装调试 一键报警"})
	require.NoError(t, err)
	got := e.send(t, "callbutton-1", app.MsgEvent, "sos", map[string]any{"pressed": true})
	require.Len(t, got, 1, "a test raises the alarm")
	assert.True(t, got[0].Test, "marked test")
	tally := app.TallyAlarms(e.desk.Open())
	assert.Zero(t, tally.Open.Total(), "a test alarm is not a real alarm")
	assert.Equal(t, 1, tally.Test)

	require.NoError(t, e.arm.EndMaintenance(ctx, armAdmin, target))
	assert.Equal(t, "admin", e.st.entries[len(e.st.entries)-1].Operator)
	assert.Error(t, e.arm.EndMaintenance(ctx, armAdmin, target), "ended already")
	e.clk.Add(time.Minute) // within the flood window of the test alarm, which is still open
	real := e.send(t, "callbutton-1", app.MsgEvent, "sos", map[string]any{"pressed": true})
	require.Len(t, real, 1, "a real press after the test is a real alarm, not a repeat of the test")
	assert.False(t, real[0].Test)
}

func TestArmingSurvivesARestart(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 11, 30, 14, 0, 0, 0, shanghai)
	e := newArmEnv(t, start)
	require.NoError(t, e.arm.SetSchedule(ctx, armAdmin, app.ArmingSchedule{Target: app.ArmTarget{Scope: app.ScopeDevice, ID: "door-1"},
		Schedule: app.WeeklySchedule{Windows: []app.Window{window(everyDay, "22:00", "06:00")}}}))
	require.NoError(t, e.arm.SetCalendar(ctx, armAdmin, app.HolidayCalendar{Days: []app.CalendarDay{{Date: "2026-12-12", Kind: app.DayWorkday}}}))
	_, err := e.arm.StartMaintenance(ctx, armAdmin, app.MaintenanceRequest{Target: app.ArmTarget{Scope: app.ScopeDevice, ID: "smoke-1"},
		Mode: app.ModeMaintenance, For: 2 * time.Hour, Reason: "更换"})
	require.NoError(t, err)

	e.boot(t) // the console restarts on the same store
	assert.Len(t, e.arm.Schedules(), 1)
	assert.Len(t, e.arm.Calendar().Days, 1)
	assert.Len(t, e.arm.Maintenances(e.clk.Now()), 1)
	assert.Empty(t, e.forced(t), "still disarmed at 14:00 after the restart")
	assert.Empty(t, e.send(t, "smoke-1", app.MsgEvent, "alarm", map[string]any{"smoke": true}), "still in maintenance")
}

func TestArmingInputIsChecked(t *testing.T) {
	ctx := context.Background()
	e := newArmEnv(t, time.Date(2026, 11, 30, 14, 0, 0, 0, shanghai))
	bad := []app.ArmingSchedule{
		{Target: app.ArmTarget{Scope: app.ScopeDevice, ID: "nope"}, Schedule: app.WeeklySchedule{Windows: []app.Window{window(everyDay, "22:00", "06:00")}}},
		{Target: app.ArmTarget{Scope: app.ScopeKind, ID: "toaster"}, Schedule: app.WeeklySchedule{Windows: []app.Window{window(everyDay, "22:00", "06:00")}}},
		{Target: app.ArmTarget{Scope: app.ScopeDevice, ID: "door-1"}},
	}
	for _, s := range bad {
		assert.True(t, app.IsCode(e.arm.SetSchedule(ctx, armAdmin, s), app.CodeInvalid), "%+v", s)
	}
	ok := app.ArmingSchedule{Target: app.ArmTarget{Scope: app.ScopeDevice, ID: "door-1"}, Schedule: app.WeeklySchedule{Windows: []app.Window{window(everyDay, "22:00", "06:00")}}}
	assert.True(t, app.IsCode(e.arm.SetSchedule(ctx, armCommander, ok), app.CodeForbidden), "schedules are the administrator's")
	assert.True(t, app.IsCode(e.arm.SetCalendar(ctx, armCommander, app.HolidayCalendar{}), app.CodeForbidden))
	_, err := e.arm.StartMaintenance(ctx, armAdmin, app.MaintenanceRequest{Target: ok.Target, Mode: app.ModeMaintenance, For: 100 * time.Hour, Reason: "x"})
	assert.True(t, app.IsCode(err, app.CodeInvalid), "at most 72 hours")
	assert.Equal(t, 0, len(e.arm.Schedules()))
}

func mustDevice(t *testing.T, e *armEnv, id string) *app.Device {
	d, ok := e.inv.Site().Device(id)
	require.True(t, ok)
	return d
}
