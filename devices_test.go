package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/devices"
)

// The device side is parts the supervisor runs as it runs the core's: the broker, then the
// demo's simulator, so that the simulator stops first and its devices leave cleanly (no Last
// Will, no offline alarm at every stop). An alarm a device sent is journaled, and the parts
// have all returned when the supervisor's Run does.
func TestTheDevicePartsRunUnderTheSupervisor(t *testing.T) {
	core, st := newCore(t, "")
	quiet := slog.New(slog.DiscardHandler)
	dp, err := deviceParts(app.Config{Broker: app.BrokerConfig{Listen: "127.0.0.1:0"}}, core, true, t.TempDir(), quiet)
	require.NoError(t, err)
	var names []string
	for _, p := range dp.parts {
		names = append(names, p.Name)
	}
	require.Equal(t, []string{"broker", "device-simulator"}, names, "the simulator after the broker: it stops first")
	require.NotNil(t, dp.simulate)

	sup := app.NewSupervisor(core.Health, quiet)
	sup.Add(core.Parts()...)
	sup.Add(dp.parts...)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	supervised := make(chan struct{})
	go func() { defer close(supervised); _ = sup.Run(ctx) }()

	var played error
	require.Eventually(t, func() bool {
		_, played = dp.simulate("fire")
		return !errors.Is(played, devices.ErrSimNotRunning)
	}, 60*time.Second, 100*time.Millisecond, "the simulated devices connect to the broker")
	require.NoError(t, played, "the fire is played")
	require.Eventually(t, func() bool {
		for _, a := range core.Desk.Open() {
			if a.Kind == app.AlarmFire {
				return true
			}
		}
		return false
	}, 30*time.Second, 20*time.Millisecond, "the fire reaches the desk")

	cancel()
	select {
	case <-supervised:
	case <-time.After(60 * time.Second):
		t.Fatal("the supervisor did not stop its parts within a minute")
	}
	for _, s := range sup.States() {
		assert.Equal(t, app.StateDown, s.State, "%s stopped", s.Name)
		assert.Zero(t, s.Restarts, "%s ran once: %v", s.Name, s.LastErr)
	}
	_, err = dp.simulate("fire")
	assert.ErrorIs(t, err, devices.ErrSimNotRunning, "no play once the simulator stopped")

	es, err := st.Query(context.Background(), app.JournalQuery{Kinds: []app.EntryKind{app.KindDeviceOffline}})
	require.NoError(t, err)
	for _, e := range es {
		var d map[string]string
		require.NoError(t, json.Unmarshal(e.Data, &d))
		assert.NotEqual(t, "last_will", d["reason"], "%s left with its Last Will: the broker stopped before the simulator", d["device"])
	}
	fires, err := st.Query(context.Background(), app.JournalQuery{Kinds: []app.EntryKind{app.KindAlarmRaised}})
	require.NoError(t, err)
	assert.NotEmpty(t, fires, "the alarm is in the journal")
}
