package main

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	cmdline "watchpost/cli"
)

// `watchpost replay ID --at T --json` on a real journal, read while the console's store is
// still open: an incident from its alarm to its close, the state printed before and after
// each thing the team did.
func TestReplayCommandPrintsTheStateAtAnInstant(t *testing.T) {
	ctx := context.Background()
	g := newRecRig(t, app.RecordingConfig{}, false)
	place := g.place
	a, err := g.core.Desk.Raise(ctx, nil, app.Alarm{Kind: "smoke", Priority: app.P1, Cause: "烟感报警 smoke", Position: &place})
	require.NoError(t, err)
	moveOn(t, a.RaisedAt) // each action at an instant of its own, so that a probe stands between two
	acked, err := g.core.Desk.Acknowledge(ctx, recDuty, a.ID, "on my way")
	require.NoError(t, err)
	moveOn(t, acked.Ack.At)
	in, err := g.core.Incidents.Open(ctx, recCommander, app.OpenRequest{PlanID: "fire-residential", AlarmID: a.ID})
	require.NoError(t, err)
	moveOn(t, in.OpenedAt)
	ticked, err := g.core.Incidents.Tick(ctx, recCommander, in.ID, "verify", "")
	require.NoError(t, err)
	tickedAt := ticked.ProgressOf("verify").At
	moveOn(t, tickedAt)
	closed, err := g.core.Incidents.Close(ctx, recCommander, in.ID, app.CloseRequest{Summary: "false alarm: burnt toast", Outcome: app.OutcomeFalse, Alarms: app.AlarmsResolve})
	require.NoError(t, err)
	// The probes stand halfway between two actions, whatever time each took on a busy machine.
	between := func(from, to time.Time) string {
		require.True(t, from.Before(to), "%v before %v", from, to)
		return from.Add(to.Sub(from) / 2).Format(time.RFC3339Nano)
	}

	at := func(when string) cmdline.ReplayJSON {
		t.Helper()
		out, errOut, code := cli(t, nil, "replay", fmt.Sprintf("incident:%d", in.ID), "--at", when, "--json", "--data", g.dir)
		require.Equal(t, 0, code, errOut)
		var r cmdline.ReplayJSON
		require.NoError(t, json.Unmarshal([]byte(out), &r), out)
		return r
	}
	alarmState := func(r cmdline.ReplayJSON) app.AlarmState {
		t.Helper()
		require.Len(t, r.Alarms, 1, "the incident's alarm")
		return r.Alarms[0].State
	}

	// Just after the alarm: new, no incident yet, the alarm on the desk.
	r := at(between(a.RaisedAt, acked.Ack.At))
	assert.Equal(t, app.AlarmNew, alarmState(r))
	assert.Nil(t, r.Incident, "not opened yet")
	require.Len(t, r.Desk, 1)
	assert.Equal(t, a.ID, r.Desk[0].ID)

	// After the acknowledgment: acknowledged by the duty operator.
	r = at(between(acked.Ack.At, in.OpenedAt))
	assert.Equal(t, app.AlarmAcknowledged, alarmState(r))
	require.NotNil(t, r.Alarms[0].Ack)
	assert.Equal(t, "duty", r.Alarms[0].Ack.By)
	assert.Nil(t, r.Incident)

	// Opened, nothing ticked yet; then "verify" done by the commander.
	r = at(between(in.OpenedAt, tickedAt))
	require.NotNil(t, r.Incident)
	assert.Equal(t, "open", r.Incident.State)
	assert.Zero(t, r.Incident.Done)
	assert.Positive(t, r.Incident.Total)
	r = at(between(tickedAt, closed.ClosedAt))
	assert.Equal(t, 1, r.Incident.Done)
	var verify cmdline.ReplayStep
	for _, s := range r.Incident.Checklist {
		if s.Step == "verify" {
			verify = s
		}
	}
	assert.Equal(t, "done", verify.Status)
	assert.Equal(t, "commander", verify.By)

	// At the end: closed, and offsets from the start read the same.
	r = at("end")
	assert.Equal(t, "closed", r.Incident.State)
	assert.Equal(t, r.Target.End, r.At)
	r2 := at("+1s")
	assert.Equal(t, in.OpenedAt.Add(time.Second).Unix(), r2.At.Unix())

	// A wrong ID or instant says so.
	_, errOut, code := cli(t, nil, "replay", "incident:999", "--at", "end", "--data", g.dir)
	assert.Equal(t, exitFailure, code)
	assert.Contains(t, errOut, "999")
	_, errOut, code = cli(t, nil, "replay", fmt.Sprintf("incident:%d", in.ID), "--at", "yesterday-ish", "--data", g.dir)
	assert.Equal(t, exitUsage, code)
	assert.NotEmpty(t, errOut)
}

// moveOn waits until the clock has moved on from an action's instant by more than the
// journal's resolution, so that the next action's instant is another one.
func moveOn(t *testing.T, from time.Time) {
	t.Helper()
	require.Eventually(t, func() bool { return time.Since(from) > 20*time.Millisecond }, 15*time.Second, time.Millisecond)
}
