package ui

import (
	"time"

	"watchpost/app"
)

// What a device's own numbering and clock say, for the device panel and the map's device
// history: messages it sent that never arrived (device.gap), and a reading whose device
// time is off from when Watchpost received it (the received time is the one that counts).

// gapText describes a device.gap entry; ok is false for other entries.
func gapText(e *app.Entry) (string, bool) {
	if e.Kind != app.KindDeviceGap {
		return "", false
	}
	var g app.SeqGap
	if e.Decode(&g) != nil {
		return "", false
	}
	if g.From == g.To {
		return T("Message {{.From}} never arrived", map[string]any{"From": g.From}), true
	}
	return T("Messages {{.From}}–{{.To}} never arrived ({{.N}})", map[string]any{"From": g.From, "To": g.To, "N": g.Missing}), true
}

// lostText is the device's count of lost messages, "" when none.
func lostText(st *app.DeviceState) string {
	if st.Gaps == 0 {
		return ""
	}
	return T("{{.N}} messages lost", map[string]any{"N": st.Gaps})
}

// readingClockNote flags a reading whose device time is off by more than the limit.
func readingClockNote(r *app.Reading) string {
	if !r.DeviceClock || r.Received.IsZero() {
		return ""
	}
	skew := r.Time.Sub(r.Received)
	if skew <= app.ClockSkewLimit && skew >= -app.ClockSkewLimit {
		return ""
	}
	return T("device clock {{.Time}}, off by {{.Skew}}", map[string]any{
		"Time": r.Time.Local().Format("2006-01-02 15:04:05"), "Skew": signedDuration(skew.Round(time.Second))})
}
