package devices

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"watchpost/app"
)

// The device contract (docs/devices.md): topics watchpost/<site>/<device-id>/<type> with
// type event, state (retained), heartbeat, or status (retained "online"/"offline", also the
// Last Will). Payloads are JSON objects with "type" and "ts" (RFC 3339 or Unix
// milliseconds) and the fields of the device's kind. Fields Watchpost does not know are
// kept. Decode turns a message into an app.Reading or says exactly why it cannot.

// TopicRoot is the first level of every device topic.
const TopicRoot = "watchpost"

// MaxPayload bounds a message: nothing a device sends is larger.
const MaxPayload = 64 << 10

// Malformed is a message that cannot be read, with the reason in words.
type Malformed struct{ Reason string }

func (m *Malformed) Error() string { return m.Reason }

func malformed(format string, args ...any) error {
	return &Malformed{Reason: fmt.Sprintf(format, args...)}
}

// ParseTopic splits watchpost/<site>/<device>/<type>.
func ParseTopic(topic string) (site, device string, typ app.MessageType, err error) {
	parts := strings.Split(topic, "/")
	if len(parts) != 4 || parts[0] != TopicRoot {
		return "", "", "", malformed("topic %q is not watchpost/<site>/<device-id>/<event|state|heartbeat|status>", topic)
	}
	site, device, typ = parts[1], parts[2], app.MessageType(parts[3])
	if !app.ValidID(device) {
		return "", "", "", malformed("%q is not a valid device ID", device)
	}
	switch typ {
	case app.MsgEvent, app.MsgState, app.MsgHeartbeat, app.MsgStatus:
	default:
		return "", "", "", malformed("unknown message type %q in the topic (event, state, heartbeat, status)", typ)
	}
	return site, device, typ, nil
}

// fieldKind is the JSON type a known field must have.
type fieldKind int

const (
	fBool fieldKind = iota
	fNumber
	fPercent
	fString
	fBoolOrString
	fPosition
)

// schemas lists the fields each kind defines (all optional; others are kept unchecked).
var schemas = map[app.DeviceKind]map[string]fieldKind{
	app.KindSmoke:       {"smoke": fBool, "temperature": fNumber, "battery": fPercent, "tamper": fBool},
	app.KindManhole:     {"tilt": fNumber, "displacement": fBool, "water_level": fNumber, "battery": fPercent},
	app.KindStreetlight: {"on": fBool, "fault": fBoolOrString, "power": fNumber},
	app.KindCallButton:  {"pressed": fBool, "battery": fPercent},
	app.KindBracelet:    {"sos": fBool, "fall": fBool, "heart_rate": fNumber, "battery": fPercent, "position": fPosition},
	app.KindDoor:        {"method": fString, "person": fString, "forced": fBool, "held_open": fBool, "open_seconds": fNumber},
	app.KindPlateCamera: {"plate": fString, "direction": fString, "lane": fNumber, "confidence": fNumber},
	app.KindCharger:     {"overheat": fBool, "smoke": fBool, "temperature": fNumber, "power": fNumber, "battery": fPercent},
}

// Decode reads one message. kind is the device's registered kind ("" when the device is
// not registered: then only the common fields are checked). now is when it arrived.
func Decode(topic string, payload []byte, kind app.DeviceKind, now time.Time) (app.Reading, error) {
	_, device, typ, err := ParseTopic(topic)
	if err != nil {
		return app.Reading{}, err
	}
	if len(payload) > MaxPayload {
		return app.Reading{}, malformed("the message is %d bytes; at most %d are accepted", len(payload), MaxPayload)
	}
	r := app.Reading{DeviceID: device, Kind: kind, Type: typ, Received: now, Values: map[string]any{}}
	trimmed := bytes.TrimSpace(payload)
	// A Last Will is usually a bare word.
	if typ == app.MsgStatus && len(trimmed) > 0 && trimmed[0] != '{' {
		word := strings.ToLower(string(trimmed))
		if word != "online" && word != "offline" {
			return app.Reading{}, malformed("a status is \"online\" or \"offline\", not %q", clip(string(trimmed)))
		}
		r.Event, r.Time = word, now
		r.Values["status"] = word
		return r, nil
	}
	if !utf8.Valid(trimmed) {
		return app.Reading{}, malformed("the message is not UTF-8 text")
	}
	var obj map[string]any
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil {
		return app.Reading{}, malformed("the message is not a JSON object: %v", err)
	}
	if dec.More() {
		return app.Reading{}, malformed("the message has text after its JSON object")
	}
	if obj == nil {
		return app.Reading{}, malformed("the message is null, not a JSON object")
	}
	t, ok := obj["type"]
	ts, _ := t.(string)
	if !ok || strings.TrimSpace(ts) == "" {
		return app.Reading{}, malformed("the message has no \"type\"")
	}
	r.Event = ts
	// "ts" is the device's clock, kept beside ours: Watchpost times everything by when it
	// received the message, so a device with a wrong clock (or none: "ts" is optional) still
	// raises its alarm now; the device panel flags a clock off by more than a minute.
	r.Time = now
	if v, ok := obj["ts"]; ok {
		when, err := parseTime(v)
		if err != nil {
			return app.Reading{}, err
		}
		r.Time, r.DeviceClock = when, true
	}
	if err := sequence(&r, obj); err != nil {
		return app.Reading{}, err
	}
	delete(obj, "type")
	delete(obj, "ts")
	delete(obj, "seq")
	delete(obj, "boot")
	schema := schemas[kind]
	for k, v := range obj {
		nv, err := normalize(k, v, schema[k], schema != nil && hasField(schema, k))
		if err != nil {
			return app.Reading{}, err
		}
		r.Values[k] = nv
	}
	if typ == app.MsgStatus {
		s, _ := r.Values["status"].(string)
		if s == "" {
			s = strings.ToLower(ts)
		}
		if s != "online" && s != "offline" {
			return app.Reading{}, malformed("a status message says \"online\" or \"offline\"")
		}
		r.Values["status"] = s
	}
	if err := r.Validate(); err != nil {
		return app.Reading{}, malformed("%s", err.Error())
	}
	return r, nil
}

func hasField(schema map[string]fieldKind, k string) bool { _, ok := schema[k]; return ok }

// normalize converts json.Number to float64 and checks known fields' types.
func normalize(name string, v any, want fieldKind, known bool) (any, error) {
	v = numbers(v)
	if !known {
		return v, nil
	}
	bad := func(what string) error { return malformed("field %q must be %s", name, what) }
	switch want {
	case fBool:
		if _, ok := v.(bool); !ok {
			return nil, bad("true or false")
		}
	case fNumber:
		f, ok := v.(float64)
		if !ok || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, bad("a number")
		}
	case fPercent:
		f, ok := v.(float64)
		if !ok || f < 0 || f > 100 {
			return nil, bad("a percentage from 0 to 100")
		}
	case fString:
		if _, ok := v.(string); !ok {
			return nil, bad("text")
		}
	case fBoolOrString:
		switch v.(type) {
		case bool, string:
		default:
			return nil, bad("true, false or a description")
		}
	case fPosition:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, bad(`a position {"x":…,"y":…} or {"lat":…,"lon":…}`)
		}
		_, hasX := m["x"].(float64)
		_, hasY := m["y"].(float64)
		_, hasLat := m["lat"].(float64)
		_, hasLon := m["lon"].(float64)
		if !(hasX && hasY) && !(hasLat && hasLon) {
			return nil, bad(`a position {"x":…,"y":…} or {"lat":…,"lon":…}`)
		}
	}
	return v, nil
}

// numbers turns json.Number into float64 throughout a value.
func numbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return x.String()
		}
		return f
	case map[string]any:
		for k, e := range x {
			x[k] = numbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = numbers(e)
		}
	}
	return v
}

// MaxSeq is the largest sequence number read exactly (JSON numbers are doubles).
const MaxSeq = 1 << 53

// sequence reads "seq" (the device's count of its messages, from 1) and "boot" (its
// current run: text or a number), both optional.
func sequence(r *app.Reading, obj map[string]any) error {
	if v, ok := obj["seq"]; ok {
		n, isNum := v.(json.Number)
		seq, err := strconv.ParseUint(string(n), 10, 64)
		if !isNum || err != nil || seq < 1 || seq > MaxSeq {
			return malformed("\"seq\" must be a whole number from 1 (the device's count of its messages)")
		}
		r.Seq = seq
	}
	if v, ok := obj["boot"]; ok {
		var boot string
		switch x := v.(type) {
		case string:
			boot = x
		case json.Number:
			boot = x.String()
		}
		if boot == "" || len(boot) > 64 || !utf8.ValidString(boot) {
			return malformed("\"boot\" must be text or a number (at most 64 characters) that changes when the device restarts")
		}
		r.Boot = boot
	}
	return nil
}

// parseTime reads "ts": RFC 3339 text or Unix milliseconds.
func parseTime(v any) (time.Time, error) {
	switch x := v.(type) {
	case nil:
		return time.Time{}, malformed("\"ts\" is null: leave it out, or give RFC 3339 text or Unix milliseconds")
	case string:
		t, err := time.Parse(time.RFC3339Nano, x)
		if err != nil {
			return time.Time{}, malformed("\"ts\" %q is not an RFC 3339 time", clip(x))
		}
		return t, nil
	case json.Number:
		ms, err := x.Int64()
		if err != nil {
			f, ferr := x.Float64()
			if ferr != nil {
				return time.Time{}, malformed("\"ts\" %s is not Unix milliseconds", x)
			}
			ms = int64(f)
		}
		// A clock reset to 1970 (a few seconds since the epoch) or one sending seconds is
		// still the device's clock: kept and flagged, never a reason to refuse the message
		// (its alarm is timed by when it arrived).
		if ms < 0 || ms > 1e14 { // after 5138: nonsense
			return time.Time{}, malformed("\"ts\" %d does not look like Unix milliseconds", ms)
		}
		return time.UnixMilli(ms), nil
	}
	return time.Time{}, malformed("\"ts\" must be RFC 3339 text or Unix milliseconds")
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
