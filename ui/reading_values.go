package ui

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"watchpost/app"
)

// A device's readings in the operator's words: "电量 50 %" and "心率 71 次/分" rather than
// "battery 49.96592044036965" and "map[heart_rate:70.94…]". Keys the contract
// (docs/devices.md) does not name are shown as the device sent them.

// readingLabel is the translated name of a reading's key.
func readingLabel(key string) string {
	switch key {
	case "battery":
		return T("Battery")
	case "heart_rate":
		return T("Heart rate")
	case "temperature":
		return T("Temperature")
	case "smoke":
		return T("Smoke")
	case "fall":
		return T("Fall")
	case "sos":
		return T("SOS")
	case "status":
		return T("Status")
	case "water_level":
		return T("Water level")
	case "tilt":
		return T("Tilt")
	case "power":
		return T("Power")
	case "pressed":
		return T("Pressed")
	case "overheat":
		return T("Overheat")
	case "on":
		return T("Lit")
	case "forced":
		return T("Forced")
	case "fault":
		return T("Fault")
	case "plate":
		return T("Plate")
	case "lane":
		return T("Lane")
	case "direction":
		return T("Direction")
	case "method":
		return T("Method")
	case "confidence":
		return T("Confidence")
	}
	return key
}

// readingUnit is the unit a key's number is in ("" for none).
func readingUnit(key string) string {
	switch key {
	case "battery", "confidence":
		return " %"
	case "heart_rate":
		return " " + T("bpm")
	case "temperature":
		return " °C"
	case "water_level":
		return " cm"
	case "tilt":
		return "°"
	}
	return ""
}

// readingValue is one value as shown: numbers rounded to what a person reads (a whole
// number from 10 up, one decimal below), yes/no, and the device's states translated.
func readingValue(key string, v any) string {
	switch x := v.(type) {
	case bool:
		if x {
			return T("Yes")
		}
		return T("No")
	case float64:
		var s string
		switch {
		case math.Abs(x) >= 10 || x == math.Trunc(x):
			s = strconv.FormatFloat(math.Round(x), 'f', -1, 64)
		default:
			s = strconv.FormatFloat(math.Round(x*10)/10, 'f', -1, 64)
		}
		return s + readingUnit(key)
	case string:
		switch x {
		case "online":
			return T("Online")
		case "offline":
			return T("Offline")
		}
		return x
	}
	return fmt.Sprint(v)
}

// readingKeys are a reading's keys in a stable order.
func readingKeys(values map[string]any) []string {
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// readingSummary is a reading in one line: its type and its values ("心跳 · 电量 50 % · 心率 71 次/分").
func readingSummary(r *app.Reading) string {
	parts := []string{readingType(r)}
	for _, k := range readingKeys(r.Values) {
		parts = append(parts, readingLabel(k)+" "+readingValue(k, r.Values[k]))
	}
	return strings.Join(parts, " · ")
}

// readingType names the kind of message (the payload's own event when it says more).
func readingType(r *app.Reading) string {
	var t string
	switch r.Type {
	case app.MsgHeartbeat:
		t = T("Heartbeat")
	case app.MsgState:
		t = T("State")
	case app.MsgEvent:
		t = T("Event")
	case app.MsgStatus:
		t = T("Status")
	default:
		t = string(r.Type)
	}
	if r.Event != "" && r.Event != string(r.Type) {
		t += " (" + r.Event + ")"
	}
	return t
}
