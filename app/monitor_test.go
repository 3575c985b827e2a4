package app_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// A device's own clock is kept beside ours, and one off by more than a minute is flagged.
func TestDeviceMonitorFlagsAClockOffByMoreThanAMinute(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	m := app.NewDeviceMonitor(now)
	r := app.Reading{DeviceID: "smoke-1", Type: app.MsgEvent, Time: now.Add(-8 * 24 * time.Hour), Received: now, DeviceClock: true}
	m.Seen(&r)
	st, ok := m.State("smoke-1")
	require.True(t, ok)
	assert.Equal(t, -8*24*time.Hour, st.ClockSkew.D())
	assert.True(t, st.ClockOff())
	assert.Equal(t, now, st.LastSeen, "heard when we received it, not when its clock says")

	r = app.Reading{DeviceID: "smoke-1", Type: app.MsgHeartbeat, Time: now.Add(50 * time.Second), Received: now.Add(time.Second), DeviceClock: true}
	m.Seen(&r)
	st, _ = m.State("smoke-1")
	assert.False(t, st.ClockOff(), "49 s off is within a minute")

	r = app.Reading{DeviceID: "smoke-1", Type: app.MsgHeartbeat, Time: now.Add(time.Hour), Received: now.Add(2 * time.Second)}
	m.Seen(&r)
	st, _ = m.State("smoke-1")
	assert.False(t, st.ClockOff(), "a message without ts says nothing of the device's clock")
}
