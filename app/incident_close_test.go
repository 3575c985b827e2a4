package app_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// Closing an incident asks what becomes of its linked alarms still open: resolved with
// the incident's outcome (as the commander's own resolutions) or left open on the desk.
func TestClosingAnIncidentResolvesOrLeavesItsOpenAlarms(t *testing.T) {
	ctx := context.Background()
	c := newCommand(t)
	a := fireAlarm(c, t)
	in, err := c.incidents.Open(ctx, commander, app.OpenRequest{PlanID: "fire-residential", AlarmID: a.ID})
	require.NoError(t, err)
	b, err := c.desk.Raise(ctx, nil, app.Alarm{Kind: app.AlarmFire, Priority: app.P1, Cause: "x", DeviceID: "smoke-b03-u1-8", GridID: "g1"})
	require.NoError(t, err)
	_, err = c.incidents.LinkAlarm(ctx, commander, in.ID, b.ID) // linked while new: nobody acknowledged it
	require.NoError(t, err)
	done, err := c.desk.Raise(ctx, nil, app.Alarm{Kind: app.AlarmDoorForced, Priority: app.P2, Cause: "y", DeviceID: "door-b03-u1", GridID: "g1"})
	require.NoError(t, err)
	_, err = c.incidents.LinkAlarm(ctx, commander, in.ID, done.ID)
	require.NoError(t, err)
	_, err = c.desk.Acknowledge(ctx, duty, done.ID, "")
	require.NoError(t, err)
	_, err = c.desk.Resolve(ctx, duty, done.ID, app.OutcomeGenuine, "")
	require.NoError(t, err)

	open, err := c.incidents.OpenAlarms(ctx, in.ID)
	require.NoError(t, err)
	var openIDs []int64
	for _, x := range open {
		openIDs = append(openIDs, x.ID)
	}
	assert.Equal(t, []int64{a.ID, b.ID}, openIDs, "the resolved one is not asked about")

	_, err = c.incidents.Close(ctx, commander, in.ID, app.CloseRequest{Summary: "误报"})
	assert.True(t, app.IsCode(err, app.CodeInvalid), "the choice is required: %v", err)
	_, err = c.incidents.Close(ctx, commander, in.ID, app.CloseRequest{Summary: "误报", Alarms: app.AlarmsResolve})
	assert.EqualError(t, err, "Say what the incident turned out to be: its open alarms are resolved with that outcome")
	_, err = c.incidents.Close(ctx, commander, in.ID, app.CloseRequest{Summary: "误报", Outcome: "burnt", Alarms: app.AlarmsResolve})
	assert.True(t, app.IsCode(err, app.CodeInvalid), "an unknown outcome: %v", err)
	_, err = c.incidents.Close(ctx, duty, in.ID, app.CloseRequest{Summary: "误报", Outcome: app.OutcomeFalse, Alarms: app.AlarmsResolve})
	assert.True(t, app.IsCode(err, app.CodeForbidden), "only commanders close incidents: %v", err)
	for _, id := range []int64{a.ID, b.ID} {
		got, err := c.desk.Get(ctx, id)
		require.NoError(t, err)
		assert.True(t, got.State.Open(), "a refused close changes no alarm")
	}

	closed, err := c.incidents.Close(ctx, commander, in.ID, app.CloseRequest{Summary: "住户煮饭糊锅", Outcome: app.OutcomeFalse, Alarms: app.AlarmsResolve})
	require.NoError(t, err)
	assert.Equal(t, app.IncidentClosed, closed.State)
	assert.Equal(t, app.OutcomeFalse, closed.Outcome, "the incident keeps its outcome")
	for _, id := range []int64{a.ID, b.ID} {
		got, err := c.desk.Get(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, app.AlarmResolved, got.State)
		assert.Equal(t, app.OutcomeFalse, got.Outcome, "resolved with the incident's outcome")
		require.NotNil(t, got.Resolve)
		assert.Equal(t, "commander", got.Resolve.By, "as the commander's resolution")
		assert.Contains(t, got.Resolve.Note, "住户煮饭糊锅")
		require.NotNil(t, got.Ack)
		assert.Equal(t, "commander", got.Ack.By, "b was acknowledged on the way")
		es := c.entriesOf(t, app.SubjectAlarm(id))
		last := es[len(es)-1]
		assert.Equal(t, app.KindAlarmResolved, last.Kind)
		assert.Equal(t, "commander", last.Operator, "journaled as the commander's")
	}
	got, err := c.desk.Get(ctx, done.ID)
	require.NoError(t, err)
	assert.Equal(t, "duty", got.Resolve.By, "the alarm resolved before is left as it was")

	es := c.entriesOf(t, app.SubjectIncident(in.ID))
	var ch app.IncidentChange
	require.NoError(t, es[len(es)-1].Decode(&ch))
	assert.Equal(t, []int64{a.ID, b.ID}, ch.Resolved, "the closing says which alarms it resolved")
	assert.Empty(t, ch.LeftOpen)
	replayed, err := app.ReplayIncident(es)
	require.NoError(t, err)
	assert.Equal(t, closed, replayed, "the journal rebuilds the outcome")

	// The desk finds the closed incident of an alarm.
	of, ok, err := c.incidents.OfAlarm(ctx, b.ID)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, in.ID, of.ID)
	assert.Equal(t, app.IncidentClosed, of.State)

	// Left open: the alarm stays as it was, and the closing says so.
	x, err := c.desk.Raise(ctx, nil, app.Alarm{Kind: app.AlarmFire, Priority: app.P1, Cause: "z", DeviceID: "smoke-b03-u2-12", GridID: "g1"})
	require.NoError(t, err)
	second, err := c.incidents.Open(ctx, commander, app.OpenRequest{PlanID: "fire-residential", AlarmID: x.ID})
	require.NoError(t, err)
	_, err = c.incidents.Close(ctx, commander, second.ID, app.CloseRequest{Summary: "设备仍在报警，交物业检修", Alarms: app.AlarmsLeaveOpen})
	require.NoError(t, err)
	got, err = c.desk.Get(ctx, x.ID)
	require.NoError(t, err)
	assert.Equal(t, app.AlarmAcknowledged, got.State, "left open")
	es = c.entriesOf(t, app.SubjectIncident(second.ID))
	require.NoError(t, es[len(es)-1].Decode(&ch))
	assert.Equal(t, []int64{x.ID}, ch.LeftOpen)
	of, ok, err = c.incidents.OfAlarm(ctx, x.ID)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, second.ID, of.ID)
	_, ok, err = c.incidents.OfAlarm(ctx, 999999)
	require.NoError(t, err)
	assert.False(t, ok)
}
