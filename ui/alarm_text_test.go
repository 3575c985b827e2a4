package ui

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/assets"
)

// An alarm's cause is stored as facts and read in each operator's language: a crowd on the
// south gate camera reads wholly in Chinese on a Chinese console and wholly in English on
// an English one (names included, where the site gives them in English).
func TestAlarmCausesReadInTheOperatorsLanguage(t *testing.T) {
	site, err := assets.DemoSite()
	require.NoError(t, err)
	d := app.Detection{CameraID: "cam-gate-s", Detector: app.DetectCrowd, Zone: "square", Count: 3, Time: time.Now()}
	crowd, ok := app.DetectionAlarm(site, &d)
	require.True(t, ok)
	assert.Empty(t, crowd.Cause, "no finished sentence is stored")
	assert.Equal(t, "square", crowd.Param(app.ParamZone), "the zone is kept by its ID for --json")

	smoke := app.Alarm{Kind: app.AlarmFire, Priority: app.P1, DeviceID: "smoke-b03-u2-12"}
	smoke.SetParam(app.ParamTemperature, "61")
	offline := app.Alarm{Kind: app.AlarmOffline, Priority: app.P3, DeviceID: "smoke-b03-u2-12"}
	offline.SetParam(app.ParamReason, app.OfflineSilent)
	offline.SetParam(app.ParamWindow, "3600")

	t.Cleanup(func() { SetLanguage("en") })
	SetLanguage("zh-CN")
	assert.Equal(t, "人群聚集：南门全景（区域 集合点，3 人）", alarmCause(&crowd, site))
	assert.Equal(t, "火警：3号楼2单元12层烟感（61 °C）", alarmCause(&smoke, site))
	assert.Equal(t, "设备离线：3号楼2单元12层烟感（已 1 小时 无消息）", alarmCause(&offline, site))

	SetLanguage("en")
	assert.Equal(t, "Crowd gathering: South Gate overview (Zone Meeting point, 3 people)", alarmCause(&crowd, site))
	assert.Equal(t, "Fire alarm: Smoke detector, Bldg 3, Unit 2, 12F (61 °C)", alarmCause(&smoke, site))
	assert.Equal(t, "Device offline: Smoke detector, Bldg 3, Unit 2, 12F (Silent for 1 h)", alarmCause(&offline, site))
}

// A cause journaled as a sentence by an earlier version is shown as it was recorded, and
// says so; the journal is never rewritten.
func TestARecordedCauseIsShownAsRecorded(t *testing.T) {
	old := app.Alarm{Kind: app.AlarmCrowd, Priority: app.P3, CameraID: "cam-gate-s", Cause: "Crowd gathering: 南门全景 (集合点) — 3"}
	require.True(t, old.Recorded())
	t.Cleanup(func() { SetLanguage("en") })
	SetLanguage("zh-CN")
	assert.Equal(t, "Crowd gathering: 南门全景 (集合点) — 3 （按当时记录）", alarmCause(&old, nil))
	assert.Equal(t, "Crowd gathering: 南门全景 (集合点) — 3 （按当时记录）", alarmPlace(&old, nil), "with nothing else known, the place is the recorded sentence")
}
