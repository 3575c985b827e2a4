package app

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"
)

// DrillScenario is a scripted drill (演练脚本): timed injections of device messages,
// analytics detections and notes for the operators, the plan the team is expected to use
// and the reactions expected of it. The defaults ship in assets/drills; trainers edit
// them in the console.
type DrillScenario struct {
	ID string `json:"id"`
	Names
	Description   string        `json:"description,omitempty"`
	DescriptionEn string        `json:"description_en,omitempty"`
	PlanID        string        `json:"plan"` // the plan the team is expected to open the incident with
	Injections    []DrillInject `json:"injections"`
	Expect        DrillExpect   `json:"expect"`

	Version   int       `json:"version,omitempty"` // raised by every change
	UpdatedBy string    `json:"updated_by,omitempty"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// DisplayDescription returns the English description when asked and present.
func (sc *DrillScenario) DisplayDescription(english bool) string {
	if english && sc.DescriptionEn != "" {
		return sc.DescriptionEn
	}
	return sc.Description
}

// Last is the offset of the last injection.
func (sc *DrillScenario) Last() time.Duration {
	var last time.Duration
	for _, in := range sc.Injections {
		last = max(last, in.At.D())
	}
	return last
}

// What an injection does.
const (
	InjectDevice    = "device"    // a device message, through the device path and its rules
	InjectDetection = "detection" // an analytics detection, through the analytics path
	InjectNote      = "note"      // a note shown to the operators ("a resident calls: smoke on 12F")
)

// DrillInject is one timed injection: exactly one of a device message (Device with the
// fields of the message as the device path decodes it), a detection (Camera and Detector)
// or a note.
type DrillInject struct {
	At Duration `json:"at"` // from the start of the run

	Device string         `json:"device,omitempty"`
	Type   MessageType    `json:"type,omitempty"`  // event (default), state, heartbeat or status
	Event  string         `json:"event,omitempty"` // the payload's "type": "alarm", "fall", "water"…
	Values map[string]any `json:"values,omitempty"`

	Camera   string       `json:"camera,omitempty"`
	Detector DetectorKind `json:"detector,omitempty"`
	Zone     string       `json:"zone,omitempty"`
	Count    int          `json:"count,omitempty"`
	Detail   string       `json:"detail,omitempty"`

	Note   string `json:"note,omitempty"`
	NoteEn string `json:"note_en,omitempty"`
}

// What says what the injection does (InjectDevice, InjectDetection or InjectNote; "" when
// it is none of them or more than one).
func (in *DrillInject) What() string {
	var kinds []string
	if in.Device != "" {
		kinds = append(kinds, InjectDevice)
	}
	if in.Camera != "" || in.Detector != "" {
		kinds = append(kinds, InjectDetection)
	}
	if in.Note != "" || in.NoteEn != "" {
		kinds = append(kinds, InjectNote)
	}
	if len(kinds) != 1 {
		return ""
	}
	return kinds[0]
}

// DisplayNote returns the English note when asked and present.
func (in *DrillInject) DisplayNote(english bool) string {
	if english && in.NoteEn != "" {
		return in.NoteEn
	}
	return in.Note
}

// DrillExpect are the reactions a scenario expects of the team.
type DrillExpect struct {
	Acknowledge  Duration `json:"acknowledge,omitempty"`   // each drill alarm acknowledged within (default 1m)
	OpenIncident Duration `json:"open_incident,omitempty"` // the incident opened within this of the first alarm (default 3m)
	// Steps are the plan's steps expected done; empty: every step with a time limit at the
	// plan's opening level. Each within its limit in the plan, or in Limits.
	Steps  []string            `json:"steps,omitempty"`
	Limits map[string]Duration `json:"limits,omitempty"`
	// Duration ends the run by itself this long after its start (0: the trainer ends it).
	Duration Duration `json:"duration,omitempty"`
}

// Default limits of the expected reactions.
const (
	DefaultAckWithin  = time.Minute
	DefaultOpenWithin = 3 * time.Minute
)

// AckWithin is the acknowledgement limit.
func (x *DrillExpect) AckWithin() time.Duration {
	if x.Acknowledge > 0 {
		return x.Acknowledge.D()
	}
	return DefaultAckWithin
}

// OpenWithin is the limit to open the incident.
func (x *DrillExpect) OpenWithin() time.Duration {
	if x.OpenIncident > 0 {
		return x.OpenIncident.D()
	}
	return DefaultOpenWithin
}

// ExpectedSteps returns the steps of plan the drill expects, with their limits.
func (x *DrillExpect) ExpectedSteps(pl *Plan) []Step {
	if pl == nil {
		return nil
	}
	var out []Step
	if len(x.Steps) > 0 {
		for _, id := range x.Steps {
			if s, ok := pl.Step(id); ok {
				out = append(out, *s)
			}
		}
	} else {
		for _, s := range pl.StepsAt(pl.StartLevel()) {
			if s.Limit > 0 || x.Limits[s.ID] > 0 {
				out = append(out, s)
			}
		}
	}
	for i := range out {
		if l, ok := x.Limits[out[i].ID]; ok && l > 0 {
			out[i].Limit = l
		}
	}
	return out
}

// MaxDrillLength bounds an injection's offset and a run's length.
const MaxDrillLength = 12 * time.Hour

// CheckDrillScenario validates a scenario against the site (its devices and cameras) and
// the plans (nil: not checked), reporting every problem.
func CheckDrillScenario(sc *DrillScenario, site *Site, plan func(id string) (Plan, bool)) error {
	var p Problems
	checkID(&p, "id", sc.ID)
	checkName(&p, "name", sc.Name)
	var pl *Plan
	if sc.PlanID == "" {
		p.Add("plan", "Say which plan the team is expected to use")
	} else if plan != nil {
		if x, ok := plan(sc.PlanID); ok {
			pl = &x
		} else {
			p.Add("plan", "There is no plan {{.ID}}", "ID", sc.PlanID)
		}
	}
	if len(sc.Injections) == 0 {
		p.Add("injections", "A drill needs at least one injection")
	}
	for i := range sc.Injections {
		checkInject(&p, &sc.Injections[i], i+1, site)
	}
	x := &sc.Expect
	if x.Acknowledge < 0 || x.OpenIncident < 0 || x.Duration < 0 {
		p.Add("expect", "Expected times cannot be negative")
	}
	if x.Duration.D() > MaxDrillLength {
		p.Add("expect.duration", "A drill lasts at most {{.Max}}", "Max", MaxDrillLength.String())
	}
	if pl != nil {
		for _, id := range x.Steps {
			if _, ok := pl.Step(id); !ok {
				p.Add("expect.steps", "Plan {{.Plan}} has no step {{.ID}}", "Plan", pl.ID, "ID", id)
			}
		}
		for id, l := range x.Limits {
			if _, ok := pl.Step(id); !ok {
				p.Add("expect.limits", "Plan {{.Plan}} has no step {{.ID}}", "Plan", pl.ID, "ID", id)
			} else if l < 0 {
				p.Add("expect.limits", "Step {{.ID}} has a negative time limit", "ID", id)
			}
		}
	}
	return p.Err()
}

func checkInject(p *Problems, in *DrillInject, n int, site *Site) {
	if in.At < 0 || in.At.D() > MaxDrillLength {
		p.Add("injections.at", "Injection {{.N}} must come between 0s and {{.Max}}", "N", n, "Max", MaxDrillLength.String())
	}
	switch in.What() {
	case InjectDevice:
		switch in.Type {
		case "", MsgEvent, MsgState, MsgHeartbeat, MsgStatus:
		default:
			p.Add("injections.type", "Injection {{.N}}: unknown message type {{.Type}}", "N", n, "Type", in.Type)
		}
		if !ValidID(in.Device) {
			p.Add("injections.device", "{{.ID}} is not a valid device ID", "ID", in.Device)
		} else if site != nil {
			if _, ok := site.Device(in.Device); !ok {
				p.Add("injections.device", "Injection {{.N}}: the site has no device {{.ID}}", "N", n, "ID", in.Device)
			}
		}
	case InjectDetection:
		if site != nil {
			if _, ok := site.Camera(in.Camera); !ok {
				p.Add("injections.camera", "Injection {{.N}}: the site has no camera {{.ID}}", "N", n, "ID", in.Camera)
			}
		}
		known := false
		for _, k := range DetectorKinds {
			known = known || k == in.Detector
		}
		if !known {
			p.Add("injections.detector", "Injection {{.N}}: unknown detector {{.Kind}}", "N", n, "Kind", in.Detector)
		}
	case InjectNote:
	default:
		p.Add("injections", "Injection {{.N}} must be one of a device message, a detection or a note", "N", n)
	}
}

// normalizeDrill trims texts and puts the injections in time order (stable: injections
// at the same offset keep the order they were written in).
func normalizeDrill(sc *DrillScenario) {
	// Copies first: the caller's scenario shares these with ours and must not change.
	sc.Injections = slices.Clone(sc.Injections)
	sc.Expect.Steps = slices.Clone(sc.Expect.Steps)
	sc.Expect.Limits = maps.Clone(sc.Expect.Limits)
	sc.ID = strings.TrimSpace(sc.ID)
	sc.Name = strings.TrimSpace(sc.Name)
	sc.NameEn = strings.TrimSpace(sc.NameEn)
	sc.PlanID = strings.TrimSpace(sc.PlanID)
	for i := range sc.Injections {
		in := &sc.Injections[i]
		in.Device, in.Camera = strings.TrimSpace(in.Device), strings.TrimSpace(in.Camera)
		in.Note, in.NoteEn = strings.TrimSpace(in.Note), strings.TrimSpace(in.NoteEn)
		if in.Device != "" && in.Type == "" {
			in.Type = MsgEvent
		}
	}
	sort.SliceStable(sc.Injections, func(i, j int) bool { return sc.Injections[i].At < sc.Injections[j].At })
}

// ParseDrillScenario reads a scenario file (JSON). Unknown fields are refused: a misspelt
// key would otherwise be lost without a word.
func ParseDrillScenario(data []byte) (DrillScenario, error) {
	var sc DrillScenario
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sc); err != nil {
		return DrillScenario{}, Errorf(CodeInvalid, "The file is not a drill scenario: {{.Why}}", "Why", err.Error()).Wrap(err)
	}
	if dec.More() {
		return DrillScenario{}, Errorf(CodeInvalid, "The file is not a drill scenario: {{.Why}}", "Why", "more than one JSON value")
	}
	return sc, nil
}

// MarshalDrillScenario writes a scenario as indented JSON (without its edit history), as
// ParseDrillScenario reads it and as the scenario editor shows it.
func MarshalDrillScenario(sc DrillScenario) ([]byte, error) {
	sc.Version, sc.UpdatedBy, sc.UpdatedAt = 0, "", time.Time{}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(sc); err != nil {
		return nil, Errorf(CodeInternal, "The drill scenario cannot be written").Wrap(err)
	}
	return b.Bytes(), nil
}
