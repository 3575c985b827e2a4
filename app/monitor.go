package app

import (
	"sort"
	"sync"
	"time"
)

// DeviceState is the live state of one device, for the device panel and supervision.
type DeviceState struct {
	DeviceID string         `json:"device"`
	Online   bool           `json:"online"`
	LastSeen time.Time      `json:"last_seen"`
	LastType MessageType    `json:"last_type,omitempty"`
	Event    string         `json:"event,omitempty"`
	Battery  *float64       `json:"battery,omitempty"`
	Values   map[string]any `json:"values,omitempty"` // the latest value of every field seen
	Messages int64          `json:"messages"`
	// ClockSkew is how far the device's clock ("ts") was from ours in its latest message
	// that carried one (positive: the device is ahead).
	ClockSkew Duration `json:"clock_skew,omitempty"`
	// Gaps counts the messages the device numbered that never arrived (device.gap entries),
	// the latest found at LastGap.
	Gaps    int64     `json:"gaps,omitempty"`
	LastGap time.Time `json:"last_gap,omitzero"`
}

// ClockOff reports whether the device's clock is off by more than ClockSkewLimit.
func (s *DeviceState) ClockOff() bool {
	return s.ClockSkew.D() > ClockSkewLimit || s.ClockSkew.D() < -ClockSkewLimit
}

// Unregistered is a device that sends messages but is not in the site's inventory.
type Unregistered struct {
	DeviceID  string      `json:"device"`
	Topic     string      `json:"topic"`
	FirstSeen time.Time   `json:"first_seen"`
	LastSeen  time.Time   `json:"last_seen"`
	Messages  int64       `json:"messages"`
	LastType  MessageType `json:"last_type"`
	Fields    []string    `json:"fields,omitempty"` // field names seen, to guess its kind
}

// Malformed records a message that could not be read.
type Malformed struct {
	Time   time.Time `json:"time"`
	Topic  string    `json:"topic"`
	Reason string    `json:"reason"`
	Size   int       `json:"size"`
}

// DeviceMonitor keeps the live state of every device: when it was last heard, whether it
// is online, its battery and latest values; the devices that are not registered; and the
// messages that could not be read. Supervision (Overdue) finds devices silent past their
// window.
type DeviceMonitor struct {
	mu           sync.RWMutex
	states       map[string]*DeviceState
	unregistered map[string]*Unregistered
	malformed    []Malformed // the latest, newest last
	malformedN   int64
	started      time.Time
	// unknownMax bounds unregistered (0: DefaultMaxUnknownDevices); broker keeps what the
	// device broker refused, those dropped beyond unknownMax included.
	unknownMax int
	broker     *BrokerWatch
}

// maxMalformed is how many unreadable messages are kept for the diagnostics view.
const maxMalformed = 200

// NewDeviceMonitor starts with every device of the site unknown. Supervision counts from
// start for devices never heard of, so a restart does not report every device offline.
func NewDeviceMonitor(start time.Time) *DeviceMonitor {
	return &DeviceMonitor{states: map[string]*DeviceState{}, unregistered: map[string]*Unregistered{}, started: start, broker: NewBrokerWatch()}
}

// Restore sets a device's state from the store at start.
func (m *DeviceMonitor) Restore(st DeviceState) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := st
	m.states[st.DeviceID] = &s
}

// Seen records a reading of a registered device. It returns whether the device was
// offline before (so its offline fault can clear).
func (m *DeviceMonitor) Seen(r *Reading) (wasOffline bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.states[r.DeviceID]
	if st == nil {
		st = &DeviceState{DeviceID: r.DeviceID, Online: true}
		m.states[r.DeviceID] = st
	}
	wasOffline = !st.Online
	st.LastSeen = r.Received
	if st.LastSeen.IsZero() {
		st.LastSeen = r.Time
	}
	st.LastType, st.Messages = r.Type, st.Messages+1
	if r.DeviceClock {
		st.ClockSkew = Duration(r.Time.Sub(r.Received).Round(time.Second))
	}
	if r.Event != "" {
		st.Event = r.Event
	}
	if st.Values == nil {
		st.Values = map[string]any{}
	}
	for k, v := range r.Values {
		st.Values[k] = v
	}
	if b, ok := r.Number("battery"); ok {
		st.Battery = &b
	}
	st.Online = true
	if r.Type == MsgStatus {
		if s, _ := r.String("status"); s == "offline" {
			st.Online = false
		}
	}
	return wasOffline
}

// NoteGap counts n messages of a device that never arrived (a device.gap entry).
func (m *DeviceMonitor) NoteGap(id string, n int64, at time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.states[id]
	if st == nil {
		st = &DeviceState{DeviceID: id, Online: true}
		m.states[id] = st
	}
	st.Gaps += n
	if at.After(st.LastGap) {
		st.LastGap = at
	}
}

// SetOnline marks a device online or offline.
func (m *DeviceMonitor) SetOnline(id string, online bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.states[id]
	if st == nil {
		st = &DeviceState{DeviceID: id}
		m.states[id] = st
	}
	st.Online = online
}

// Overdue returns the devices, online until now, silent past their supervision window.
func (m *DeviceMonitor) Overdue(site *Site, now time.Time, window func(*Device) time.Duration) []*Device {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []*Device
	for i := range site.Devices {
		d := &site.Devices[i]
		st := m.states[d.ID]
		last := m.started
		if st != nil {
			if !st.Online {
				continue // already reported
			}
			if st.LastSeen.After(last) {
				last = st.LastSeen
			}
		}
		if now.Sub(last) > window(d) {
			out = append(out, d)
		}
	}
	return out
}

// State returns one device's state.
func (m *DeviceMonitor) State(id string) (DeviceState, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	st, ok := m.states[id]
	if !ok {
		return DeviceState{DeviceID: id}, false
	}
	c := *st
	c.Values = make(map[string]any, len(st.Values))
	for k, v := range st.Values {
		c.Values[k] = v
	}
	return c, true
}

// Counts returns how many devices are online and offline (never heard counts as neither).
func (m *DeviceMonitor) Counts() (online, offline int) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	for _, st := range m.states {
		if st.Online {
			online++
		} else {
			offline++
		}
	}
	return
}

// Broker returns what the device broker refused and how it is exposed.
func (m *DeviceMonitor) Broker() *BrokerWatch { return m.broker }

// SetUnknownLimit sets how many unregistered devices are kept (0: the default).
func (m *DeviceMonitor) SetUnknownLimit(n int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.unknownMax = n
}

// AdmitUnregistered reports whether a message of an unregistered device is kept (listed,
// journaled): always for a device already kept, and for a new one while fewer than the
// limit are. A message of a device beyond it is counted as refused, with the device's ID
// as the last reason: made-up IDs cannot grow memory, the database or the log.
func (m *DeviceMonitor) AdmitUnregistered(id string, at time.Time) bool {
	m.mu.Lock()
	_, kept := m.unregistered[id]
	n, max := len(m.unregistered), m.unknownMax
	m.mu.Unlock()
	if max <= 0 {
		max = DefaultMaxUnknownDevices
	}
	if kept || n < max {
		return true
	}
	m.broker.Note(RefusedUnknown, at, "Device {{.ID}} is unknown and {{.N}} unknown devices are already kept", "ID", id, "N", max)
	return false
}

// NoteUnregistered records a message from a device the site does not know.
func (m *DeviceMonitor) NoteUnregistered(r *Reading, topic string) (first bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	u := m.unregistered[r.DeviceID]
	if u == nil {
		u = &Unregistered{DeviceID: r.DeviceID, FirstSeen: r.Received}
		m.unregistered[r.DeviceID] = u
		first = true
	}
	u.Topic, u.LastSeen, u.LastType = topic, r.Received, r.Type
	u.Messages++
	for k := range r.Values {
		found := false
		for _, f := range u.Fields {
			found = found || f == k
		}
		if !found && len(u.Fields) < 32 {
			u.Fields = append(u.Fields, k)
		}
	}
	sort.Strings(u.Fields)
	return first
}

// Adopted removes a device from the unregistered list.
func (m *DeviceMonitor) Adopted(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.unregistered, id)
}

// UnregisteredDevices lists them, most recent first.
func (m *DeviceMonitor) UnregisteredDevices() []Unregistered {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]Unregistered, 0, len(m.unregistered))
	for _, u := range m.unregistered {
		out = append(out, *u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].LastSeen.After(out[j].LastSeen) })
	return out
}

// NoteMalformed records a message that could not be read.
func (m *DeviceMonitor) NoteMalformed(x Malformed) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.malformedN++
	m.malformed = append(m.malformed, x)
	if len(m.malformed) > maxMalformed {
		m.malformed = m.malformed[len(m.malformed)-maxMalformed:]
	}
}

// MalformedMessages returns the count of unreadable messages and the latest ones, newest first.
func (m *DeviceMonitor) MalformedMessages() (int64, []Malformed) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]Malformed, len(m.malformed))
	for i, x := range m.malformed {
		out[len(out)-1-i] = x
	}
	return m.malformedN, out
}
