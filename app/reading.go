package app

import (
	"time"
)

// MessageType is what a device message says, by MQTT topic (docs/devices.md).
type MessageType string

const (
	MsgEvent     MessageType = "event"     // something happened
	MsgState     MessageType = "state"     // the current state (retained)
	MsgHeartbeat MessageType = "heartbeat" // alive, nothing to say
	MsgStatus    MessageType = "status"    // online / offline (retained; the Last Will says offline)
)

// Reading is one decoded and validated message from a device: what the device said, when
// it said it, and when we received it. Values holds the kind's fields (smoke, temperature,
// battery…) with JSON types; fields Watchpost does not know are kept, not dropped.
type Reading struct {
	DeviceID string         `json:"device"`
	Kind     DeviceKind     `json:"kind,omitempty"`
	Type     MessageType    `json:"type"`
	Event    string         `json:"event,omitempty"` // the payload's "type": "alarm", "sos", "entry"…
	Time     time.Time      `json:"ts"`              // the device's clock ("ts"), or Received when it sent none
	Received time.Time      `json:"received"`        // ours: alarms are ordered, filtered, recorded and clipped by it
	Values   map[string]any `json:"values,omitempty"`
	// DeviceClock: Time is the device's own ("ts" was in the message).
	DeviceClock bool `json:"device_clock,omitempty"`
	// Seq is the device's own count of the messages it published (1, 2, 3…; 0: the device
	// does not count), and Boot names the device's current run (it changes when the device
	// restarts and counts from 1 again). The core finds lost messages (gaps) and messages
	// delivered twice by them (docs/devices.md).
	Seq  uint64 `json:"seq,omitempty"`
	Boot string `json:"boot,omitempty"`
	// Retained: a site broker delivered the copy it keeps of the device's latest retained
	// message (on every subscription), not a message the device just sent: its number says
	// nothing of the device's count now.
	Retained bool `json:"retained,omitempty"`
}

// ClockSkewLimit is how far a device's clock may be from ours before the device panel
// flags it (its messages are still taken, timed by when we received them).
const ClockSkewLimit = time.Minute

// Validate checks a reading.
func (r *Reading) Validate() error {
	var p Problems
	checkID(&p, "device", r.DeviceID)
	switch r.Type {
	case MsgEvent, MsgState, MsgHeartbeat, MsgStatus:
	default:
		p.Add("type", "Unknown message type {{.Type}}", "Type", r.Type)
	}
	if r.Time.IsZero() {
		p.Add("ts", "The message has no time")
	}
	return p.Err()
}

// Bool returns a boolean field and whether it was present as a boolean.
func (r *Reading) Bool(name string) (bool, bool) {
	v, ok := r.Values[name].(bool)
	return v, ok
}

// Number returns a numeric field and whether it was present as a number.
func (r *Reading) Number(name string) (float64, bool) {
	switch v := r.Values[name].(type) {
	case float64:
		return v, true
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	}
	return 0, false
}

// String returns a text field and whether it was present as text.
func (r *Reading) String(name string) (string, bool) {
	v, ok := r.Values[name].(string)
	return v, ok
}
