package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

func alarmPanelOf(t *testing.T, c *Console) *alarmPanel {
	t.Helper()
	c.shell.show("alarms")
	p, ok := c.shell.built["alarms"].(*alarmPanel)
	require.True(t, ok)
	return p
}

// raise raises an alarm as the rules would, and waits for the panel to show it.
func raise(t *testing.T, c *Console, a app.Alarm) app.Alarm {
	t.Helper()
	got, err := c.core.Desk.Raise(context.Background(), nil, a)
	require.NoError(t, err)
	return got
}

// confirmDialog taps the confirm button of the dialog on top of the window.
func confirmDialog(t *testing.T, c *Console, label string) {
	t.Helper()
	top := c.win.Canvas().Overlays().Top()
	require.NotNil(t, top, "a dialog is open")
	b := findButton(top, label)
	require.NotNil(t, b, "the dialog has %q", label)
	tap(b)
}

func waitState(t *testing.T, c *Console, id int64, want app.AlarmState) {
	t.Helper()
	require.Eventually(t, func() bool {
		a, err := c.core.Desk.Get(context.Background(), id)
		return err == nil && a.State == want
	}, 15*time.Second, 10*time.Millisecond, "alarm %d becomes %s", id, want)
}

func TestAlarmDeskHandlesAnAlarmFromStartToEnd(t *testing.T) {
	c := newTestConsole(t, enConfig())
	p := alarmPanelOf(t, c)
	a := raise(t, c, app.Alarm{Kind: app.AlarmFall, Priority: app.P1, Cause: "fall", DeviceID: "bracelet-b07-0502", GridID: "g2", Building: "b07"})
	require.Eventually(t, func() bool { return len(p.shown) == 1 }, 15*time.Second, 10*time.Millisecond, "the alarm arrives on the desk")
	assert.Contains(t, visibleTexts(c.win.Content()), "P1  1", "the header counts it")

	p.list.Select(0)
	texts := visibleTexts(p.detail)
	assert.Contains(t, texts, "Fall detected")
	assert.Contains(t, texts, "赵桂兰, 84", "the resident")
	assert.Contains(t, texts, "女儿 王丽  13912345611", "whom to call")

	p.TypedKey(&fyne.KeyEvent{Name: fyne.KeyA}) // acknowledge by keyboard
	confirmDialog(t, c, "Acknowledge")
	waitState(t, c, a.ID, app.AlarmAcknowledged)

	p.dispatch()
	confirmDialog(t, c, "Dispatch")
	waitState(t, c, a.ID, app.AlarmDispatched)
	got, _ := c.core.Desk.Get(context.Background(), a.ID)
	assert.Contains(t, got.Dispatch.To, "张建国", "dispatched to the grid's worker by default")
	assert.Equal(t, "duty", got.Dispatch.By)

	p.resolve()
	confirmDialog(t, c, "Resolve")
	require.Eventually(t, func() bool { return len(c.core.Desk.Open()) == 0 }, 15*time.Second, 10*time.Millisecond)
	require.Eventually(t, func() bool { return len(p.shown) == 0 }, 15*time.Second, 10*time.Millisecond, "gone from the inbox")

	hist, err := c.core.Desk.History(context.Background(), a.ID)
	require.NoError(t, err)
	var kinds []app.EntryKind
	for _, e := range hist {
		kinds = append(kinds, e.Kind)
	}
	assert.Equal(t, []app.EntryKind{app.KindAlarmRaised, app.KindAlarmAcknowledged, app.KindAlarmDispatched, app.KindAlarmResolved}, kinds)
}

func TestAlarmDeskOrderFiltersAndKeys(t *testing.T) {
	c := newTestConsole(t, enConfig())
	p := alarmPanelOf(t, c)
	raise(t, c, app.Alarm{Kind: app.AlarmStreetlight, Priority: app.P3, Cause: "x", DeviceID: "light-04", GridID: "g2", Fault: true})
	raise(t, c, app.Alarm{Kind: app.AlarmFire, Priority: app.P1, Cause: "x", DeviceID: "smoke-b03-u2-12", GridID: "g1"})
	raise(t, c, app.Alarm{Kind: app.AlarmDoorForced, Priority: app.P2, Cause: "x", DeviceID: "door-b05-u1", GridID: "g2"})
	require.Eventually(t, func() bool { return len(p.shown) == 3 }, 15*time.Second, 10*time.Millisecond)
	assert.Equal(t, []string{app.AlarmFire, app.AlarmDoorForced, app.AlarmStreetlight}, []string{p.shown[0].Kind, p.shown[1].Kind, p.shown[2].Kind}, "most urgent first")

	p.grid.SetSelected("Grid 2")
	require.Len(t, p.shown, 2, "filtered by grid")
	p.kind.SetSelected("Door forced open")
	require.Len(t, p.shown, 1)
	p.kind.SetSelectedIndex(0)
	p.grid.SetSelectedIndex(0)
	p.state.SetSelected("New")
	assert.Len(t, p.shown, 3)
	p.state.SetSelectedIndex(0)

	p.list.Select(0)
	p.TypedKey(&fyne.KeyEvent{Name: fyne.KeyN})
	assert.Equal(t, p.shown[1].ID, p.selected, "N goes to the next alarm")
	p.TypedKey(&fyne.KeyEvent{Name: fyne.KeyUp})
	assert.Equal(t, p.shown[0].ID, p.selected)
}

func TestATrainerCannotAcknowledge(t *testing.T) {
	c := newTestConsole(t, enConfig())
	trainer, err := c.core.Accounts.SignIn(context.Background(), "trainer", "sunshine-demo")
	require.NoError(t, err)
	c.signedIn(trainer)
	p := alarmPanelOf(t, c)
	raise(t, c, app.Alarm{Kind: app.AlarmFire, Priority: app.P1, Cause: "x", DeviceID: "smoke-b03-u2-12", GridID: "g1"})
	require.Eventually(t, func() bool { return len(p.shown) == 1 }, 15*time.Second, 10*time.Millisecond)
	p.list.Select(0)
	ack := findButton(p.detail, "Acknowledge (A)")
	require.NotNil(t, ack)
	assert.True(t, ack.Disabled(), "the button is off for a trainer (and the core refuses anyway)")
}

func TestDevicePanel(t *testing.T) {
	c := newTestConsole(t, enConfig())
	site := c.core.Inventory.Site()
	in := c.core.Ingest
	now := time.Now()
	r := app.Reading{DeviceID: "smoke-b03-u2-12", Type: app.MsgHeartbeat, Event: "heartbeat", Time: now, Received: now, Values: map[string]any{"battery": 77.0}}
	require.NoError(t, in.Handle(context.Background(), r, "t"))
	u := app.Reading{DeviceID: "mystery-1", Type: app.MsgEvent, Event: "x", Time: now, Received: now, Values: map[string]any{"tilt": 3.0}}
	require.NoError(t, in.Handle(context.Background(), u, "watchpost/demo/mystery-1/event"))
	in.NoteMalformed("watchpost/demo/x/event", "the message is not a JSON object", 5)

	c.shell.show("devices")
	p := c.shell.built["devices"].(*devicePanel)
	assert.Len(t, p.rows, len(site.Devices))
	typeIn(p.search, "3号楼2单元12层")
	require.Len(t, p.rows, 1)
	p.list.Select(0)
	texts := visibleTexts(p.detail)
	assert.Contains(t, texts, "Online")
	assert.Contains(t, texts, "77 %", "the battery value")
	p.offline.SetChecked(true)
	assert.Empty(t, p.rows, "it is online")

	p.Tick()
	require.Len(t, p.unreg, 1)
	assert.Equal(t, "mystery-1", p.unreg[0].DeviceID)
	require.Len(t, p.malformed, 1)
	p.content.(*container.AppTabs).SelectIndex(1)
	p.unregList.Resize(fyne.NewSize(800, 400))
	adopt := findButton(p.unregList, "Adopt…")
	require.NotNil(t, adopt)
	assert.True(t, adopt.Disabled(), "only administrators adopt devices")
}

var _ = widget.NewLabel

// The selected alarm's "… ago" keeps time while it is shown: raised 57 s ago, it soon reads
// "1 min ago" without being selected again.
func TestTheAlarmDetailsRelativeTimesTick(t *testing.T) {
	c := newTestConsole(t, enConfig())
	p := alarmPanelOf(t, c)
	raise(t, c, app.Alarm{Kind: app.AlarmFall, Priority: app.P1, DeviceID: "bracelet-b07-0502", RaisedAt: time.Now().Add(-57 * time.Second)})
	require.Eventually(t, func() bool { return len(p.shown) == 1 }, 15*time.Second, 10*time.Millisecond)
	p.list.Select(0)
	raisedText := func() string {
		var s string
		fyne.DoAndWait(func() {
			for _, x := range visibleTexts(p.detail) {
				if len(x) > 4 && x[len(x)-4:] == "ago)" {
					s = x
				}
			}
		})
		return s
	}
	assert.Contains(t, raisedText(), "s ago)")
	assert.Eventually(t, func() bool { return strings.Contains(raisedText(), "1 min ago") }, 15*time.Second, 100*time.Millisecond,
		"still %q", raisedText())
}
