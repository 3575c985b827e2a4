package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// A drill run's ID is its drill.started entry's sequence number, written into the entry
// on disk; a drill's injected device message does not count as the device speaking.
func TestDrillEntries(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	_, err := s.Append(ctx, app.NewEntry("test.appended", "x", app.SystemActor, nil))
	require.NoError(t, err)

	run := app.DrillRun{Scenario: "fire-building", Name: "火灾演练", StartedAt: time.Now(), By: "trainer"}
	e := app.NewEntry(app.KindDrillStarted, app.SubjectDrill(0), "trainer", run)
	e.Drill = true
	out, err := s.Append(ctx, e)
	require.NoError(t, err)
	assert.Equal(t, int64(2), out[0].Seq)
	assert.Equal(t, "drill:2", out[0].Subject)

	back, err := s.Query(ctx, app.JournalQuery{Subject: "drill:"})
	require.NoError(t, err)
	require.Len(t, back, 1)
	assert.True(t, back[0].Drill)
	var got app.DrillRun
	require.NoError(t, back[0].Decode(&got))
	assert.Equal(t, int64(2), got.ID, "the stored data carries the run's ID")

	// A scenario's entries do not fall under the runs' subject prefix.
	_, err = s.Append(ctx, app.NewEntry(app.KindDrillScenarioSaved, app.SubjectDrillScenario("fire-building"), "trainer", map[string]string{"id": "fire-building"}))
	require.NoError(t, err)
	back, err = s.Query(ctx, app.JournalQuery{Subject: "drill:"})
	require.NoError(t, err)
	assert.Len(t, back, 1)

	reading := func(drill bool) {
		r := app.Reading{DeviceID: "smoke-1", Type: app.MsgEvent, Time: time.Now(), Received: time.Now(), Values: map[string]any{"smoke": drill}}
		e := app.NewEntry(app.KindDeviceReading, app.SubjectDevice("smoke-1"), app.SystemActor, r)
		e.Drill = drill
		_, err := s.Append(ctx, e)
		require.NoError(t, err)
	}
	reading(true)
	states, err := s.DeviceStates(ctx)
	require.NoError(t, err)
	assert.Empty(t, states, "an injected message is not the device speaking")
	reading(false)
	states, err = s.DeviceStates(ctx)
	require.NoError(t, err)
	require.Len(t, states, 1)
	assert.Equal(t, int64(1), states[0].Messages)
}
