package app

import (
	"strings"
	"time"
)

// Event is something that happened in the community, as the rules see it: derived from a
// device reading, a video detection or the system itself. Rules decide whether an event
// raises an alarm.
type Event struct {
	Time     time.Time      `json:"time"`
	Source   string         `json:"source"` // a subject: "device:smoke-3-1", "camera:gate-north", "system"
	Kind     string         `json:"kind"`   // "smoke", "sos", "fall", "forced_open", "motion"…
	Priority Priority       `json:"priority,omitempty"`
	Message  string         `json:"message,omitempty"`
	Drill    bool           `json:"drill,omitempty"`
	Data     map[string]any `json:"data,omitempty"`
}

// Validate checks an event.
func (e *Event) Validate() error {
	var p Problems
	if e.Time.IsZero() {
		p.Add("time", "An event needs a time")
	}
	if strings.TrimSpace(e.Source) == "" {
		p.Add("source", "An event needs a source")
	}
	if strings.TrimSpace(e.Kind) == "" {
		p.Add("kind", "An event needs a kind")
	}
	if e.Priority != 0 && !e.Priority.Valid() {
		p.Add("priority", "Priority must be P1 to P4")
	}
	return p.Err()
}
