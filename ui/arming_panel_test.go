package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/mapdraw"
)

func firstDeviceOf(t *testing.T, c *Console, k app.DeviceKind) app.Device {
	t.Helper()
	for _, d := range c.core.Inventory.Site().Devices {
		if d.Kind == k {
			return d
		}
	}
	t.Fatalf("the demo has no %s", k)
	return app.Device{}
}

func devicePanelOn(t *testing.T, c *Console, id string) *devicePanel {
	t.Helper()
	c.shell.show("devices")
	p, ok := c.shell.built["devices"].(*devicePanel)
	require.True(t, ok)
	p.selected = id
	p.showDetail()
	return p
}

func TestDevicePanelPutsADeviceInMaintenanceShownOnTheMapAndEndsIt(t *testing.T) {
	c := newTestConsole(t, enConfig())
	smoke := firstDeviceOf(t, c, app.KindSmoke)
	p := devicePanelOn(t, c, smoke.ID)
	require.NotNil(t, findButton(p.detail, "Maintenance…"))
	assert.True(t, findButton(p.detail, "Maintenance…").Disabled(), "a duty operator does not silence devices")
	assert.Contains(t, visibleTexts(p.detail), "Armed always (no schedule)")

	signInAs(t, c, "commander")
	p = devicePanelOn(t, c, smoke.ID)
	b := findButton(p.detail, "Maintenance…")
	require.NotNil(t, b)
	require.False(t, b.Disabled())
	tap(b)
	d := c.win.Canvas().Overlays().Top()
	require.NotNil(t, d, "the dialog opens")
	assert.NotNil(t, findSelect(d, "2 h"), "two hours unless chosen otherwise")
	reason := entryByHint(d, "What is being done, by whom (e.g. battery change, property technician Zhang)")
	require.NotNil(t, reason)
	tap(findButton(d, "Start"))
	require.Eventually(t, func() bool { return contains(visibleTexts(d), "Say why (what is being done, by whom)") }, 15*time.Second, 10*time.Millisecond,
		"no reason: the core says so in the dialog")
	typeIn(reason, "更换电池")
	tap(findButton(d, "Start"))
	require.Eventually(t, func() bool {
		_, in := c.core.Arming.MaintenanceOf(&smoke, c.core.Clock.Now())
		return in && c.win.Canvas().Overlays().Top() == nil
	}, 15*time.Second, 10*time.Millisecond, "in maintenance, the dialog closed")
	require.Eventually(t, func() bool { return textStartingWith(p.detail, "Maintenance until ") != "" }, 15*time.Second, 10*time.Millisecond,
		"the panel says until when: %v", visibleTexts(p.detail))
	assert.Contains(t, textStartingWith(p.detail, "Maintenance until "), "更换电池 · 王强", "why and who")

	// The map shows it in maintenance.
	c.shell.show("map")
	mp, ok := c.shell.built["map"].(*mapPanel)
	require.True(t, ok)
	mp.updateLooks()
	m, ok := mp.m.r.Marker("device:" + smoke.ID)
	require.True(t, ok)
	assert.Equal(t, mapdraw.LookMaintenance, m.Look)

	p = devicePanelOn(t, c, smoke.ID)
	end := findButton(p.detail, "End now")
	require.NotNil(t, end)
	tap(end)
	require.Eventually(t, func() bool {
		_, in := c.core.Arming.MaintenanceOf(&smoke, c.core.Clock.Now())
		return !in
	}, 15*time.Second, 10*time.Millisecond, "ended early by hand")
	mp.updateLooks()
	m, _ = mp.m.r.Marker("device:" + smoke.ID)
	assert.NotEqual(t, mapdraw.LookMaintenance, m.Look)
}

func TestArmingPanelSavesANightScheduleAndATiaoxiuDay(t *testing.T) {
	c := newTestConsole(t, enConfig())
	assert.NotContains(t, visibleTexts(c.shell.nav), "Arming", "a duty operator has no arming editor")
	signInAs(t, c, "admin")
	c.shell.show("arming")
	p, ok := c.shell.built["arming"].(*armingPanel)
	require.True(t, ok, "the administrator's navigation offers the arming editor")

	add := findButton(p.content, "Add…") // the schedules' (the left side comes first)
	require.NotNil(t, add)
	tap(add)
	d := c.win.Canvas().Overlays().Top()
	require.NotNil(t, d)
	which := findSelect(d, "")
	require.NotNil(t, which, "what it covers: the kind chosen, then which")
	which.SetSelected("Access door")
	tap(findButton(d, "Save"))
	require.Eventually(t, func() bool { return len(c.core.Arming.Schedules()) == 1 }, 15*time.Second, 10*time.Millisecond)
	s := c.core.Arming.Schedules()[0]
	assert.Equal(t, app.ArmTarget{Scope: app.ScopeKind, ID: string(app.KindDoor)}, s.Target)
	require.Len(t, s.Schedule.Windows, 1)
	assert.Equal(t, "22:00", s.Schedule.Windows[0].Start.String())
	assert.Equal(t, "06:00", s.Schedule.Windows[0].End.String())
	require.Eventually(t, func() bool {
		return contains(visibleTexts(p.content), "Armed: Every day 22:00–06:00 (next day)")
	}, 15*time.Second, 10*time.Millisecond, "the list shows it: %v", visibleTexts(p.content))

	// A 调休 Saturday in the holiday calendar.
	var adds []*widget.Button
	walk(p.content, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Add…" {
			adds = append(adds, b)
		}
	})
	require.Len(t, adds, 2)
	tap(adds[1])
	d = c.win.Canvas().Overlays().Top()
	date := entryByHint(d, "2025-10-01")
	require.NotNil(t, date)
	typeIn(date, "2026-12-12")
	var kind *widget.RadioGroup
	walk(d, func(o fyne.CanvasObject) {
		if r, ok := o.(*widget.RadioGroup); ok {
			kind = r
		}
	})
	require.NotNil(t, kind)
	kind.SetSelected("Moved working day (调休): working-day schedule")
	typeIn(entryByHint(d, "National Day, Spring Festival make-up day…"), "调休上班")
	tap(findButton(d, "Add"))
	require.Eventually(t, func() bool { return len(c.core.Arming.Calendar().Days) == 1 }, 15*time.Second, 10*time.Millisecond)
	day := c.core.Arming.Calendar().Days[0]
	assert.Equal(t, app.CalendarDay{Date: "2026-12-12", Kind: app.DayWorkday, Name: "调休上班"}, day)
	require.Eventually(t, func() bool {
		return contains(visibleTexts(p.content), "2026-12-12 Sat · Moved working day (调休): working-day schedule · 调休上班")
	}, 15*time.Second, 10*time.Millisecond, "%v", visibleTexts(p.content))
}

func TestTestAlarmsDoNotPopUpNorChime(t *testing.T) {
	real := app.Alarm{ID: 1, Kind: app.AlarmFire, Priority: app.P1, State: app.AlarmNew}
	test := app.Alarm{ID: 2, Kind: app.AlarmMedical, Priority: app.P1, State: app.AlarmNew, Test: true}
	got := urgentWaiting([]app.Alarm{test, real})
	require.Len(t, got, 1)
	assert.Equal(t, int64(1), got[0].ID)
}
