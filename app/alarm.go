package app

import (
	"strings"
	"time"
)

// Priority orders alarms: P1 is a threat to life (fire, SOS, a fall), P4 a notice.
type Priority int

const (
	P1 Priority = 1
	P2 Priority = 2
	P3 Priority = 3
	P4 Priority = 4
)

// Priorities lists them from most to least urgent.
var Priorities = []Priority{P1, P2, P3, P4}

func (p Priority) String() string {
	switch p {
	case P1, P2, P3, P4:
		return "P" + string(rune('0'+int(p)))
	}
	return "P?"
}

// Valid reports whether p is P1–P4.
func (p Priority) Valid() bool { return p >= P1 && p <= P4 }

// AlarmState is where an alarm stands in its lifecycle.
type AlarmState string

const (
	AlarmNew          AlarmState = "new"
	AlarmAcknowledged AlarmState = "acknowledged"
	AlarmDispatched   AlarmState = "dispatched"
	AlarmResolved     AlarmState = "resolved"
)

// Open reports whether the alarm still needs someone.
func (s AlarmState) Open() bool { return s != AlarmResolved }

// Outcome records what an alarm turned out to be.
type Outcome string

const (
	OutcomeGenuine Outcome = "genuine"
	OutcomeFalse   Outcome = "false"   // false alarm
	OutcomeTest    Outcome = "test"    // maintenance or test
	OutcomeCleared Outcome = "cleared" // a fault that cleared itself (device back online)
	OutcomeFault   Outcome = "fault"   // the device itself was faulty
)

// Outcomes an operator chooses from when resolving.
var Outcomes = []Outcome{OutcomeGenuine, OutcomeFalse, OutcomeTest, OutcomeFault}

// Label is the English name of an outcome (the translation key).
func (o Outcome) Label() string {
	switch o {
	case OutcomeGenuine:
		return "Real incident"
	case OutcomeFalse:
		return "False alarm"
	case OutcomeTest:
		return "Test or maintenance"
	case OutcomeFault:
		return "Device fault"
	case OutcomeCleared:
		return "Cleared by itself"
	}
	return string(o)
}

// Mark is who did a step of the alarm's lifecycle, when, and what they noted.
type Mark struct {
	By   string    `json:"by"` // operator user name; "system" for automatic steps
	At   time.Time `json:"at"`
	Note string    `json:"note,omitempty"`
	To   string    `json:"to,omitempty"` // dispatch: who was sent (grid worker, property, police…)
}

// Alarm is something an operator must see and handle. Its ID is the journal sequence
// number of the entry that raised it.
type Alarm struct {
	ID       int64      `json:"id"`
	Kind     string     `json:"kind"` // the cause, e.g. "smoke", "sos", "fall", "device_offline"
	Priority Priority   `json:"priority"`
	State    AlarmState `json:"state"`
	Fault    bool       `json:"fault,omitempty"` // a fault of the system (device offline) rather than an event in the community
	Drill    bool       `json:"drill,omitempty"`
	// Reported: logged by an operator from a phoned-in or walk-in report (接警登记, intake.go),
	// not raised by a device or a camera. Two calls are two reports: they never fold.
	Reported bool `json:"reported,omitempty"`
	Test     bool `json:"test,omitempty"` // raised by a device in test mode (an installer's test): not a real alarm
	// Params are the facts of the cause (alarm_cause.go), rendered in each operator's
	// language when shown. Cause is only set on alarms journaled by earlier versions, which
	// stored a finished sentence: those are shown as recorded.
	Params   map[string]string `json:"params,omitempty"`
	Cause    string            `json:"cause,omitempty"`
	DeviceID string            `json:"device,omitempty"`
	CameraID string            `json:"camera,omitempty"`
	GridID   string            `json:"grid,omitempty"`
	Building string            `json:"building,omitempty"`
	Position *Point            `json:"position,omitempty"`
	RaisedAt time.Time         `json:"raised_at"` // when Watchpost received what raised it (ours: orders, filters, clips)
	// DeviceTime is the device's own clock for that moment ("ts"), kept beside ours.
	DeviceTime time.Time `json:"device_time,omitzero"`
	LastAt     time.Time `json:"last_at"`           // the latest repeat of the cause
	Repeats    int       `json:"repeats,omitempty"` // repeats folded into this alarm while open
	Ack        *Mark     `json:"acknowledged,omitempty"`
	Dispatch   *Mark     `json:"dispatched,omitempty"`
	Resolve    *Mark     `json:"resolved,omitempty"`
	Outcome    Outcome   `json:"outcome,omitempty"`
	Image      string    `json:"image,omitempty"` // the snapshot of what a camera saw (video analytics)
}

// Validate checks an alarm.
func (a *Alarm) Validate() error {
	var p Problems
	if strings.TrimSpace(a.Kind) == "" {
		p.Add("kind", "An alarm needs a kind")
	}
	if !a.Priority.Valid() {
		p.Add("priority", "Priority must be P1 to P4")
	}
	switch a.State {
	case AlarmNew, AlarmAcknowledged, AlarmDispatched, AlarmResolved:
	default:
		p.Add("state", "Unknown alarm state {{.State}}", "State", a.State)
	}
	if a.RaisedAt.IsZero() {
		p.Add("raised_at", "An alarm needs the time it was raised")
	}
	if a.DeviceID != "" && !ValidID(a.DeviceID) {
		p.Add("device", "{{.ID}} is not a valid device ID", "ID", a.DeviceID)
	}
	if a.CameraID != "" && !ValidID(a.CameraID) {
		p.Add("camera", "{{.ID}} is not a valid camera ID", "ID", a.CameraID)
	}
	return p.Err()
}

// Subject is the journal subject of the alarm.
func (a *Alarm) Subject() string { return SubjectAlarm(a.ID) }

// transition moves the alarm to a new state if the lifecycle allows it.
func (a *Alarm) transition(to AlarmState, m Mark) error {
	allowed := false
	switch to {
	case AlarmAcknowledged:
		allowed = a.State == AlarmNew
	case AlarmDispatched:
		allowed = a.State == AlarmAcknowledged
	case AlarmResolved:
		allowed = a.State == AlarmAcknowledged || a.State == AlarmDispatched ||
			(a.State == AlarmNew && m.By == SystemActor) // faults that clear themselves
	}
	if !allowed {
		return Errorf(CodeConflict, "Alarm {{.ID}} is {{.State}}: it cannot become {{.To}}", "ID", a.ID, "State", a.State, "To", to)
	}
	a.State = to
	switch to {
	case AlarmAcknowledged:
		a.Ack = &m
	case AlarmDispatched:
		a.Dispatch = &m
	case AlarmResolved:
		a.Resolve = &m
	}
	return nil
}

// SystemActor is the name of automatic actions in the journal.
const SystemActor = "system"

// AlarmCounts counts open alarms by priority.
type AlarmCounts map[Priority]int

// Total returns the number of open alarms.
func (c AlarmCounts) Total() int {
	n := 0
	for _, v := range c {
		n += v
	}
	return n
}

// AlarmTally is what the console's header counts: the open real alarms by priority, how
// many of them nobody has acknowledged yet, and drill alarms apart, so that a drill never
// looks like (nor hides) a real emergency.
type AlarmTally struct {
	Open     AlarmCounts // open real alarms
	New      AlarmCounts // of those, not acknowledged yet
	Drill    int         // open drill alarms
	DrillNew int         // of those, not acknowledged yet
	Test     int         // open test-mode alarms (not counted as real)
}

// TallyAlarms counts open alarms for the header.
func TallyAlarms(open []Alarm) AlarmTally {
	t := AlarmTally{Open: AlarmCounts{}, New: AlarmCounts{}}
	for _, a := range open {
		if !a.State.Open() {
			continue
		}
		isNew := a.State == AlarmNew
		switch {
		case a.Test:
			t.Test++
		case a.Drill:
			t.Drill++
			if isNew {
				t.DrillNew++
			}
		default:
			t.Open[a.Priority]++
			if isNew {
				t.New[a.Priority]++
			}
		}
	}
	return t
}
