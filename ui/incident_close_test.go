package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// findRadio finds a radio group offering option.
func findRadio(t *testing.T, c *Console, option string) *widget.RadioGroup {
	t.Helper()
	var found *widget.RadioGroup
	walk(topDialog(t, c), func(x fyne.CanvasObject) {
		if r, ok := x.(*widget.RadioGroup); ok && found == nil {
			for _, o := range r.Options {
				if o == option {
					found = r
				}
			}
		}
	})
	return found
}

// A commander closing an incident is asked what becomes of its open alarms; resolved with
// the incident's outcome, the desk then links the closed incident instead of offering to
// open one.
func TestClosingAnIncidentResolvesItsOpenAlarmsWithItsOutcome(t *testing.T) {
	c := newTestConsole(t, enConfig())
	commander := signInAs(t, c, "commander")
	ctx := context.Background()
	a := raise(t, c, app.Alarm{Kind: app.AlarmFire, Priority: app.P1, Cause: "Fire alarm: 3号楼2单元12层", DeviceID: "smoke-b03-u2-12", GridID: "g1", Building: "b03"})
	in, err := c.core.Incidents.Open(ctx, commander, app.OpenRequest{PlanID: "fire-residential", AlarmID: a.ID})
	require.NoError(t, err)
	b := raise(t, c, app.Alarm{Kind: app.AlarmFire, Priority: app.P1, Cause: "x", DeviceID: "smoke-b03-u1-8", GridID: "g1", Building: "b03"})
	_, err = c.core.Incidents.LinkAlarm(ctx, commander, in.ID, b.ID)
	require.NoError(t, err)

	p := incidentPanelOf(t, c)
	c.ShowIncident(in.ID)
	shown(t, p, "the incident with both alarms", func(x *app.Incident) bool { return x.ID == in.ID && len(x.AlarmIDs) == 2 })
	tap(panelButton(p, p.actions, "Close incident…"))
	dlg := topDialog(t, c)
	texts := strings.Join(visibleTexts(dlg), "\n")
	assert.Contains(t, texts, "Open alarms", "the dialog names the alarms still open")
	assert.Contains(t, texts, "#"+fmt.Sprint(a.ID)+" P1 Fire alarm")
	assert.Contains(t, texts, "#"+fmt.Sprint(b.ID)+" P1 Fire alarm")
	choice := findRadio(t, c, "Leave them open on the alarm desk")
	require.NotNil(t, choice, "it asks what to do with them")
	assert.Equal(t, "Resolve them with the incident's outcome", choice.Selected)
	outcome := findSelect(dlg, "Real incident")
	require.NotNil(t, outcome, "what the incident turned out to be")
	outcome.SetSelected("False alarm")
	typeIn(findEntry(dlg), "住户煮饭糊锅，无火情")
	confirmDialog(t, c, "Close incident")

	for _, id := range []int64{a.ID, b.ID} {
		waitState(t, c, id, app.AlarmResolved)
		got, err := c.core.Desk.Get(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, app.OutcomeFalse, got.Outcome, "resolved with the incident's outcome")
		assert.Equal(t, "commander", got.Resolve.By)
	}
	shown(t, p, "closed", func(x *app.Incident) bool { return x.State == app.IncidentClosed })
	assert.Equal(t, app.OutcomeFalse, current(t, c, in.ID).Outcome)
	assert.Contains(t, panelText(p, p.levelText), "Outcome: False alarm")
	assert.Contains(t, panelText(p, p.logBox), "alarms resolved with it: #"+fmt.Sprint(a.ID)+" #"+fmt.Sprint(b.ID))

	// The desk: the resolved alarm links its closed incident; nothing offers to open one.
	c.ShowAlarm(a.ID)
	desk := alarmPanelOf(t, c)
	link := waitButton(t, "the desk links the closed incident", func() fyne.CanvasObject { return desk.detail },
		"Incident #"+fmt.Sprint(in.ID)+" (closed)")
	assert.Nil(t, findButton(desk.detail, "Open incident…"), "no incident is offered for a resolved alarm")
	tap(link)
	assert.Equal(t, "incidents", c.shell.current)
}

// Left open, an alarm stays on the desk linked to the closed incident; a new incident is
// offered only once its cause comes back.
func TestClosingAnIncidentCanLeaveItsAlarmsOpen(t *testing.T) {
	c := newTestConsole(t, enConfig())
	commander := signInAs(t, c, "commander")
	ctx := context.Background()
	alarm := app.Alarm{Kind: app.AlarmFire, Priority: app.P1, Cause: "Fire alarm: 3号楼2单元12层", DeviceID: "smoke-b03-u2-12", GridID: "g1", Building: "b03"}
	a := raise(t, c, alarm)
	in, err := c.core.Incidents.Open(ctx, commander, app.OpenRequest{PlanID: "fire-residential", AlarmID: a.ID})
	require.NoError(t, err)

	desk := alarmPanelOf(t, c)
	c.ShowAlarm(a.ID)
	waitFor(t, "the desk names the running incident", func() bool { return findButton(desk.detail, "Incident #"+fmt.Sprint(in.ID)) != nil })

	p := incidentPanelOf(t, c)
	c.ShowIncident(in.ID)
	shown(t, p, "the incident", func(x *app.Incident) bool { return x.ID == in.ID })
	tap(panelButton(p, p.actions, "Close incident…"))
	choice := findRadio(t, c, "Leave them open on the alarm desk")
	require.NotNil(t, choice)
	choice.SetSelected("Leave them open on the alarm desk")
	typeIn(findEntry(topDialog(t, c)), "设备仍报警，交物业检修")
	confirmDialog(t, c, "Close incident")
	shown(t, p, "closed", func(x *app.Incident) bool { return x.State == app.IncidentClosed })
	got, err := c.core.Desk.Get(ctx, a.ID)
	require.NoError(t, err)
	assert.Equal(t, app.AlarmAcknowledged, got.State, "left open")
	assert.Contains(t, panelText(p, p.logBox), "alarms left open: #"+fmt.Sprint(a.ID))

	// The desk follows the close (no alarm changed: the incident's entry tells it).
	waitFor(t, "the desk links the closed incident", func() bool {
		return findButton(desk.detail, "Incident #"+fmt.Sprint(in.ID)+" (closed)") != nil
	})
	alarmPanelOf(t, c)
	assert.Nil(t, findButton(desk.detail, "Open incident…"), "the closed incident handled it: nothing to open")
	assert.Nil(t, findButton(desk.detail, "Open a new incident…"))
	res := findButton(desk.detail, "Resolve (R)")
	require.NotNil(t, res)
	assert.False(t, res.Disabled(), "what is left is to resolve it")

	// The smoke comes back: the same alarm repeats, and a new incident may be needed.
	raise(t, c, alarm)
	waitFor(t, "the desk offers a new incident", func() bool {
		b := findButton(desk.detail, "Open a new incident…")
		return b != nil && !b.Disabled()
	})
}
