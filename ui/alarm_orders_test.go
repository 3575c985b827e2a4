package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// A streetlight out is a job, not an emergency: the operator dispatches it from the desk as
// a work order; the order names the alarm, the alarm is dispatched to the order, and each
// shows the other.
func TestTheDeskDispatchesAnAlarmAsALinkedWorkOrder(t *testing.T) {
	c, _ := newOrderConsole(t)
	p := alarmPanelOf(t, c)
	a := raise(t, c, app.Alarm{Kind: app.AlarmStreetlight, Priority: app.P3, Cause: "x", DeviceID: "light-04", GridID: "g2", Fault: true})
	waitFor(t, "the alarm is on the desk", func() bool { return uiGet(func() int { return len(p.shown) }) == 1 })
	serialUI(func() { p.list.Select(0) })

	b := uiGet(func() *widget.Button { return findButton(p.detail, "Dispatch as work order…") })
	require.NotNil(t, b)
	tap(findButton(p.detail, "Dispatch as work order…"))
	top := topDialog(t, c)
	cat := findSelectHint(top, "Category")
	require.NotNil(t, cat)
	assert.Equal(t, "Device fault", cat.Selected, "a fault's order is a device fault unless the operator says otherwise")
	typeIn(focusedEntryWithPlaceholder(t, top, "What is to be done (optional: the alarm's kind otherwise)"), "4号路灯不亮")
	confirmDialog(t, c, "Make order")

	waitFor(t, "the order is made", func() bool { return len(c.core.Orders.ForAlarm(a.ID)) == 1 })
	o := c.core.Orders.ForAlarm(a.ID)[0]
	assert.Equal(t, app.CatDevice, o.Category)
	assert.Equal(t, app.FromAlarm, o.Reporter.Via)
	assert.Equal(t, "4号路灯不亮", o.Text)
	assert.Equal(t, []int64{a.ID}, o.Alarms, "the order names the alarm")
	waitState(t, c, a.ID, app.AlarmDispatched)
	got, err := c.core.Desk.Get(context.Background(), a.ID)
	require.NoError(t, err)
	assert.Equal(t, o.Subject(), got.Dispatch.To, "the alarm is dispatched to the order")

	waitFor(t, "the desk lists the alarm's order", func() bool {
		d := strings.Join(uiGet(func() []string { return visibleTexts(p.detail) }), "\n")
		return strings.Contains(d, "Work orders") && strings.Contains(d, "#1  Device fault") && strings.Contains(d, "work order #1")
	})
	tap(findButton(p.detail, "Show on the board"))
	assert.Equal(t, "orders", c.shell.current)
	board := ordersPanelOf(t, c)
	assert.Equal(t, o.ID, board.selected)
	d := detailText(board)
	assert.Contains(t, d, "Linked alarms")
	assert.Contains(t, d, "Streetlight fault", "the order lists its alarm")
}

// An order the core made from an alarm without a note says the alarm's kind, in the
// operator's language; what a person wrote is shown as written.
func TestAnOrderMadeByTheCoreIsSaidInTheOperatorsLanguage(t *testing.T) {
	SetLanguage("zh-CN")
	t.Cleanup(func() { SetLanguage("en") })
	made := app.WorkOrder{Text: "Streetlight fault", Reporter: app.Reporter{Via: app.FromDevice}, Steps: []app.OrderStep{{By: app.SystemActor, Kind: app.KindOrderCreated, Note: "Streetlight fault"}}}
	assert.Equal(t, "路灯故障", orderText(&made))
	assert.Equal(t, "路灯故障", orderStepNote(&made, made.Steps[0]))
	written := app.WorkOrder{Text: "Streetlight fault", Reporter: app.Reporter{Via: app.FromConsole}, Steps: []app.OrderStep{{By: "duty"}}}
	assert.Equal(t, "Streetlight fault", orderText(&written), "a person's words")
}
