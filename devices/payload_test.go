package devices

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

var now = time.Date(2026, 11, 28, 1, 30, 0, 0, time.UTC)

func TestDecodeGoodMessages(t *testing.T) {
	r, err := Decode("watchpost/demo/smoke-1/event", []byte(`{"type":"alarm","ts":"2026-11-28T09:30:00+08:00","smoke":true,"temperature":61,"vendor":{"fw":"1.2"}}`), app.KindSmoke, now)
	require.NoError(t, err)
	assert.Equal(t, "smoke-1", r.DeviceID)
	assert.Equal(t, app.MsgEvent, r.Type)
	assert.Equal(t, "alarm", r.Event)
	assert.True(t, r.Time.Equal(now))
	smoke, _ := r.Bool("smoke")
	assert.True(t, smoke)
	temp, _ := r.Number("temperature")
	assert.Equal(t, 61.0, temp)
	assert.Equal(t, map[string]any{"fw": "1.2"}, r.Values["vendor"], "unknown fields are kept")

	r, err = Decode("watchpost/demo/manhole-1/state", []byte(`{"type":"state","ts":1764293400000,"water_level":12.5}`), app.KindManhole, now)
	require.NoError(t, err)
	assert.Equal(t, time.UnixMilli(1764293400000), r.Time, "Unix milliseconds")

	r, err = Decode("watchpost/demo/light-1/status", []byte("offline"), app.KindStreetlight, now)
	require.NoError(t, err, "a Last Will is a bare word")
	assert.Equal(t, "offline", r.Values["status"])
	r, err = Decode("watchpost/demo/light-1/status", []byte(`{"type":"status","ts":1764293400000,"status":"online"}`), app.KindStreetlight, now)
	require.NoError(t, err)
	assert.Equal(t, "online", r.Values["status"])

	// The device's clock is kept beside ours, whatever it says; without "ts", ours is used.
	r, err = Decode("watchpost/demo/smoke-1/event", []byte(`{"type":"alarm","ts":"2031-01-01T00:00:00Z","smoke":true}`), app.KindSmoke, now)
	require.NoError(t, err, "a device whose clock is wrong still raises its alarm")
	assert.True(t, r.DeviceClock)
	assert.Equal(t, 2031, r.Time.Year())
	assert.Equal(t, now, r.Received)
	for _, ts := range []string{"5000", "1764293400", `"1970-01-01T00:00:05Z"`} { // reset to 1970; seconds
		r, err = Decode("watchpost/demo/smoke-1/event", []byte(`{"type":"alarm","ts":`+ts+`,"smoke":true}`), app.KindSmoke, now)
		require.NoError(t, err, "a clock reset to 1970 (or one counting seconds) still raises its alarm: %s", ts)
		assert.True(t, r.DeviceClock)
		assert.Equal(t, 1970, r.Time.Year(), "the device's time is kept as it said it")
		assert.Equal(t, now, r.Received)
	}
	r, err = Decode("watchpost/demo/smoke-1/event", []byte(`{"type":"alarm","smoke":true}`), app.KindSmoke, now)
	require.NoError(t, err, "ts is optional")
	assert.False(t, r.DeviceClock)
	assert.Equal(t, now, r.Time)

	// The device's count of its messages and its run: the contract's, not fields of the kind.
	r, err = Decode("watchpost/demo/smoke-1/heartbeat", []byte(`{"type":"heartbeat","seq":9007199254740992,"boot":"b7","battery":80}`), app.KindSmoke, now)
	require.NoError(t, err)
	assert.Equal(t, uint64(1<<53), r.Seq)
	assert.Equal(t, "b7", r.Boot)
	assert.NotContains(t, r.Values, "seq")
	assert.NotContains(t, r.Values, "boot")
	r, err = Decode("watchpost/demo/smoke-1/heartbeat", []byte(`{"type":"heartbeat","seq":1,"boot":1764293400000}`), app.KindSmoke, now)
	require.NoError(t, err, "a boot ID may be a number (the device's start time)")
	assert.Equal(t, "1764293400000", r.Boot)

	r, err = Decode("watchpost/demo/x-1/event", []byte(`{"type":"anything","ts":1764293400000,"smoke":"maybe"}`), "", now)
	require.NoError(t, err, "an unregistered device's fields are not checked")
	assert.Equal(t, "maybe", r.Values["smoke"])
}

func TestDecodeSaysWhyAMessageIsMalformed(t *testing.T) {
	for name, c := range map[string]struct {
		topic, payload string
		kind           app.DeviceKind
		want           string
	}{
		"topic too short":  {"watchpost/demo/event", `{}`, app.KindSmoke, "is not watchpost/"},
		"foreign topic":    {"other/demo/smoke-1/event", `{}`, app.KindSmoke, "is not watchpost/"},
		"bad device id":    {"watchpost/demo/smo ke/event", `{}`, app.KindSmoke, "not a valid device ID"},
		"unknown type":     {"watchpost/demo/smoke-1/gossip", `{}`, app.KindSmoke, "unknown message type"},
		"not json":         {"watchpost/demo/smoke-1/event", `smoke!`, app.KindSmoke, "not a JSON object"},
		"array":            {"watchpost/demo/smoke-1/event", `[1,2]`, app.KindSmoke, "not a JSON object"},
		"null":             {"watchpost/demo/smoke-1/event", `null`, app.KindSmoke, "null"},
		"trailing text":    {"watchpost/demo/smoke-1/event", `{"type":"a","ts":1764293400000} x`, app.KindSmoke, "text after"},
		"no type":          {"watchpost/demo/smoke-1/event", `{"ts":1764293400000}`, app.KindSmoke, `no "type"`},
		"null ts":          {"watchpost/demo/smoke-1/event", `{"type":"alarm","ts":null}`, app.KindSmoke, `"ts" is null`},
		"bad ts text":      {"watchpost/demo/smoke-1/event", `{"type":"alarm","ts":"yesterday"}`, app.KindSmoke, "RFC 3339"},
		"negative ts":      {"watchpost/demo/smoke-1/event", `{"type":"alarm","ts":-5}`, app.KindSmoke, "Unix milliseconds"},
		"seq zero":         {"watchpost/demo/smoke-1/event", `{"type":"alarm","seq":0}`, app.KindSmoke, `"seq" must be a whole number from 1`},
		"seq text":         {"watchpost/demo/smoke-1/event", `{"type":"alarm","seq":"7"}`, app.KindSmoke, `"seq" must be a whole number from 1`},
		"seq fraction":     {"watchpost/demo/smoke-1/event", `{"type":"alarm","seq":7.5}`, app.KindSmoke, `"seq" must be a whole number from 1`},
		"boot object":      {"watchpost/demo/smoke-1/event", `{"type":"alarm","seq":7,"boot":{}}`, app.KindSmoke, `"boot" must be text or a number`},
		"wrong field type": {"watchpost/demo/smoke-1/event", `{"type":"alarm","ts":1764293400000,"smoke":"yes"}`, app.KindSmoke, `"smoke" must be true or false`},
		"battery 140":      {"watchpost/demo/smoke-1/event", `{"type":"alarm","ts":1764293400000,"battery":140}`, app.KindSmoke, "percentage"},
		"bad position":     {"watchpost/demo/b-1/event", `{"type":"fall","ts":1764293400000,"position":[1,2]}`, app.KindBracelet, "position"},
		"bad status":       {"watchpost/demo/smoke-1/status", `maybe`, app.KindSmoke, `"online" or "offline"`},
		"binary":           {"watchpost/demo/smoke-1/event", "\xff\xfe\x00", app.KindSmoke, "UTF-8"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Decode(c.topic, []byte(c.payload), c.kind, now)
			require.Error(t, err)
			var m *Malformed
			assert.True(t, errors.As(err, &m), "a *Malformed: %T", err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
	_, err := Decode("watchpost/demo/smoke-1/event", make([]byte, MaxPayload+1), app.KindSmoke, now)
	assert.ErrorContains(t, err, "at most")
}

// FuzzDecode: whatever arrives on the wire, Decode returns a valid reading or a *Malformed,
// and never panics.
func FuzzDecode(f *testing.F) {
	f.Add("watchpost/demo/smoke-1/event", []byte(`{"type":"alarm","ts":"2026-11-28T09:30:00+08:00","smoke":true}`), "smoke")
	f.Add("watchpost/demo/b-1/event", []byte(`{"type":"fall","ts":1764293400000,"position":{"x":1,"y":2}}`), "bracelet")
	f.Add("watchpost/demo/l-1/status", []byte(`offline`), "streetlight")
	f.Add("watchpost/demo/d-1/event", []byte(`{"type":"entry","ts":1764293400000,"person":"p","open_seconds":1e308}`), "door")
	f.Add("watchpost/demo/d-1/event", []byte(`{"type":"x","ts":1764293400000,"a":[{"b":[1,{"c":null}]}]}`), "")
	f.Fuzz(func(t *testing.T, topic string, payload []byte, kind string) {
		r, err := Decode(topic, payload, app.DeviceKind(kind), now)
		if err != nil {
			var m *Malformed
			if !errors.As(err, &m) {
				t.Fatalf("error is %T, not *Malformed: %v", err, err)
			}
			return
		}
		if verr := r.Validate(); verr != nil {
			t.Fatalf("accepted an invalid reading: %v", verr)
		}
	})
}
