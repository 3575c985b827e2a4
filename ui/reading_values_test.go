package ui

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"watchpost/app"
)

// A reading reads as the operator would say it, in both languages: rounded numbers with
// their units, yes/no and states translated, the message's kind named.
func TestReadingsAreShownInWords(t *testing.T) {
	r := &app.Reading{Type: app.MsgHeartbeat, Values: map[string]any{
		"battery": 49.96592044036965, "heart_rate": 70.94083782318876, "fall": false, "status": "online", "x-custom": "raw"}}
	t.Cleanup(func() { SetLanguage("en") })
	SetLanguage("en")
	{
		assert.Equal(t, "Heartbeat · Battery 50 % · Fall No · Heart rate 71 bpm · Status Online · x-custom raw", readingSummary(r))
		assert.Equal(t, "3.5 °C", readingValue("temperature", 3.4567))
		assert.Equal(t, "12°", readingValue("tilt", 12.0))
	}
	SetLanguage("zh-CN")
	assert.Equal(t, "心跳 · 电量 50 % · 跌倒 否 · 心率 71 次/分 · 状态 在线 · x-custom raw", readingSummary(r))
}
