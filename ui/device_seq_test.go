package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// A device's lost messages and a reading from a skewed clock read in the operator's
// language in the device panel and the map's device history.
func TestLostMessagesAndASkewedClockAreShown(t *testing.T) {
	gap := app.NewEntry(app.KindDeviceGap, app.SubjectDevice("smoke-1"), app.SystemActor, app.SeqGap{Device: "smoke-1", From: 4, To: 8, Missing: 5})
	received := time.Date(2026, 12, 7, 9, 0, 0, 0, time.Local)
	slow := app.Reading{DeviceID: "smoke-1", Type: app.MsgEvent, Event: "alarm", Time: time.UnixMilli(5000), Received: received, DeviceClock: true}
	fine := app.Reading{DeviceID: "smoke-1", Type: app.MsgEvent, Event: "alarm", Time: received.Add(-20 * time.Second), Received: received, DeviceClock: true}
	reading := app.NewEntry(app.KindDeviceReading, app.SubjectDevice("smoke-1"), app.SystemActor, slow)
	reading.Time = received

	t.Cleanup(func() { SetLanguage("en") })
	SetLanguage("zh-CN")
	text, ok := gapText(&gap)
	require.True(t, ok)
	assert.Equal(t, "第 4–8 条消息未收到（共 5 条）", text)
	assert.Equal(t, "丢失 5 条消息", lostText(&app.DeviceState{Gaps: 5}))
	assert.Contains(t, deviceHistoryLine(gap), "第 4–8 条消息未收到")

	SetLanguage("en")
	text, _ = gapText(&gap)
	assert.Equal(t, "Messages 4–8 never arrived (5)", text)
	assert.Empty(t, lostText(&app.DeviceState{}), "nothing said of a device that lost nothing")
	note := readingClockNote(&slow)
	assert.True(t, strings.HasPrefix(note, "device clock 1970-01-01"), note)
	assert.Contains(t, note, "off by −")
	assert.Contains(t, deviceHistoryLine(reading), note, "the map's history flags the reading")
	assert.Empty(t, readingClockNote(&fine), "20 s off is within the limit")
}
