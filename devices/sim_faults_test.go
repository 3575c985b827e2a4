package devices_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/devices"
)

// faultAlarms counts the desk's alarms of a kind raised for device id (all, resolved too).
func (e *engine) faultAlarms(t *testing.T, kind, id string) int {
	t.Helper()
	n := 0
	for _, en := range e.journal(t, app.KindAlarmRaised) {
		var a app.Alarm
		require.NoError(t, en.Decode(&a))
		if a.Kind == kind && (id == "" || a.DeviceID == id) {
			n++
		}
	}
	return n
}

// The faults the repair crew fixes can be played on demand: a streetlight's lamp failing
// and a battery running low reach the desk as the rules' P3 and P4 faults.
func TestSimPlaysDeviceFaults(t *testing.T) {
	e := newEngine(t)
	addr := e.startBroker(t)
	devs := append(oneDevice(e, "light-04"), oneDevice(e, "smoke-b03-u2-12")...)
	sim, err := devices.NewSim(devices.SimConfig{Broker: "tcp://" + addr, Username: user, Password: password, Site: "demo", Devices: devs, Log: quiet})
	require.NoError(t, err)
	run(t, sim)
	waitFor(t, sim.Ready(), "the simulated devices connect")

	what, err := sim.Play("streetlight_fault")
	require.NoError(t, err)
	assert.Contains(t, what, "light-04")
	what, err = sim.Play("low_battery")
	require.NoError(t, err)
	assert.Contains(t, what, "smoke-b03-u2-12")
	require.Eventually(t, func() bool {
		return e.faultAlarms(t, app.AlarmStreetlight, "light-04") == 1 && e.faultAlarms(t, app.AlarmLowBattery, "smoke-b03-u2-12") == 1
	}, 15*time.Second, 20*time.Millisecond, "both faults raised")
	for _, a := range e.desk.Open() {
		switch a.Kind {
		case app.AlarmStreetlight:
			assert.Equal(t, app.P3, a.Priority)
		case app.AlarmLowBattery:
			assert.Equal(t, app.P4, a.Priority)
		}
	}
}

// Left running, the simulator fails a device now and then (SimConfig.Faults an hour): a
// streetlight, which is repaired after FaultRepair, or a battery running low.
func TestSimFailsDevicesNowAndThen(t *testing.T) {
	old := devices.FaultRepair
	devices.FaultRepair = time.Second
	t.Cleanup(func() { devices.FaultRepair = old })
	e := newEngine(t)
	addr := e.startBroker(t)
	devs := append(oneDevice(e, "light-04"), oneDevice(e, "smoke-b03-u2-12")...)
	// 3,600 an hour: one a second on average, so that a test sees both kinds.
	sim, err := devices.NewSim(devices.SimConfig{Broker: "tcp://" + addr, Username: user, Password: password, Site: "demo", Devices: devs,
		Faults: 3600, Log: quiet})
	require.NoError(t, err)
	run(t, sim)
	waitFor(t, sim.Ready(), "the simulated devices connect")
	require.Eventually(t, func() bool {
		return e.faultAlarms(t, app.AlarmStreetlight, "light-04") > 0 && e.faultAlarms(t, app.AlarmLowBattery, "smoke-b03-u2-12") > 0
	}, 30*time.Second, 50*time.Millisecond, "a streetlight failed and a battery ran low")
	require.Eventually(t, func() bool {
		failed, repaired := false, false
		for _, en := range e.journal(t, app.KindDeviceReading) {
			var r app.Reading
			require.NoError(t, en.Decode(&r))
			if r.DeviceID != "light-04" || r.Type != app.MsgState {
				continue
			}
			switch r.Values["fault"] {
			case "lamp_failure":
				failed = true
			case false:
				repaired = repaired || failed
			}
		}
		return repaired
	}, 30*time.Second, 50*time.Millisecond, "the failed streetlight is repaired")

}
