package app

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A report phoned in or brought to the guard room in person (接警登记) is logged by the
// operator who took it, in the few fields a busy desk can fill from the keyboard alone: what
// kind of thing it is, how urgent, where, who called (and their number), and what they said.
// It becomes an alarm like any a device raises, so it runs through the desk — acknowledged,
// dispatched, resolved, on the map, in the replay — and the journal says who logged it.
// (The work-order issue lets the same form open an order instead of, or as well as, an alarm.)

// Kinds of alarm that only people report (devices raise the others).
const (
	AlarmGasLeak    = "gas_leak"       // a smell of gas
	AlarmWaterLeak  = "water_leak"     // a burst or leaking pipe, water coming through a ceiling
	AlarmFight      = "public_order"   // a fight, a quarrel getting out of hand, a disturbance
	AlarmTheft      = "theft"          // a theft or a break-in
	AlarmSuspicious = "suspicious"     // a suspicious person or vehicle
	AlarmMissing    = "missing_person" // a child or an elderly resident missing
	AlarmOther      = "other"          // anything else a caller reports
)

// Parameters of a logged report (Alarm.Params).
const (
	ParamUnit        = "unit"         // the stairwell (单元) of the building, a number
	ParamCaller      = "caller"       // who reported it (a name: not translated)
	ParamCallerPhone = "caller_phone" // their phone number
	ParamSaid        = "said"         // what they said, in the words the operator wrote down
)

// ReportKinds are the kinds the intake form offers, most urgent first; DefaultPriority
// gives each its usual priority, which the operator may change.
var ReportKinds = []string{
	AlarmFire, AlarmMedical, AlarmGasLeak, AlarmFall, AlarmMissing, AlarmFight, AlarmTheft,
	AlarmDoorForced, AlarmSuspicious, AlarmWaterLeak, AlarmManhole, AlarmOther,
}

// ReportPriority is the priority a reported kind usually has.
func ReportPriority(kind string) Priority {
	switch kind {
	case AlarmFire, AlarmMedical, AlarmGasLeak, AlarmFall:
		return P1
	case AlarmMissing, AlarmFight, AlarmTheft, AlarmDoorForced:
		return P2
	default:
		return P3
	}
}

// Limits of a logged report: a phone call, not a document.
const (
	MaxReportText   = 2000 // characters of what was said
	MaxReportCaller = 100
	MaxReportUnit   = 99
)

// Report is what the operator wrote down.
type Report struct {
	Kind     string
	Priority Priority
	// Where: a building (and its unit), or a point on the site map, or both (a point inside
	// the building). At least one.
	BuildingID string
	Unit       int    // 0: not said
	Position   *Point // a click on the map
	Caller     string // name as given ("王先生"); may be empty (an anonymous walk-in)
	Phone      string
	Said       string
}

// Alarm turns the report into the alarm the desk raises, checking every field against the
// site. Problems name their field ("kind", "priority", "place", "caller", "said").
func (r Report) Alarm(site *Site) (Alarm, error) {
	var p Problems
	known := false
	for _, k := range ReportKinds {
		known = known || k == r.Kind
	}
	if !known {
		p.Add("kind", "Choose what was reported")
	}
	if !r.Priority.Valid() {
		p.Add("priority", "Priority must be P1 to P4")
	}
	a := Alarm{Kind: r.Kind, Priority: r.Priority, State: AlarmNew, Reported: true}
	var b *Building
	if r.BuildingID != "" {
		found := false
		if site != nil {
			b, found = site.Building(r.BuildingID)
		}
		if !found {
			p.Add("place", "There is no building {{.ID}} on the site", "ID", r.BuildingID)
		}
	}
	if r.Unit < 0 || r.Unit > MaxReportUnit {
		p.Add("place", "The unit must be a number from 1 to {{.N}}", "N", MaxReportUnit)
	} else if r.Unit > 0 && b != nil && b.Units > 0 && r.Unit > b.Units {
		p.Add("place", "{{.Building}} has {{.N}} units", "Building", b.Name, "N", b.Units)
	} else if r.Unit > 0 && r.BuildingID == "" {
		p.Add("place", "Say which building the unit is in")
	}
	if r.Position != nil && !finite(*r.Position) {
		p.Add("place", "The place on the map is not a point")
	}
	if r.BuildingID == "" && r.Position == nil {
		p.Add("place", "Say where: a building, or a click on the map")
	}
	caller := strings.TrimSpace(r.Caller)
	if utf8.RuneCountInString(caller) > MaxReportCaller {
		p.Add("caller", "A caller's name has at most {{.N}} characters", "N", MaxReportCaller)
	}
	phone := strings.TrimSpace(r.Phone)
	if phone != "" && !validPhone(phone) {
		p.Add("caller", "{{.Phone}} is not a phone number", "Phone", phone)
	}
	said := strings.TrimSpace(r.Said)
	if said == "" {
		p.Add("said", "Write down what was reported")
	} else if utf8.RuneCountInString(said) > MaxReportText {
		p.Add("said", "At most {{.N}} characters", "N", MaxReportText)
	}
	if err := p.Err(); err != nil {
		return Alarm{}, err
	}

	switch {
	case r.Position != nil:
		pos := *r.Position
		a.Position = &pos
	case b != nil && len(b.Footprint) > 0:
		c := b.Footprint.Centroid()
		a.Position = &c
	}
	if b != nil {
		a.Building = b.ID
		a.GridID = b.GridID
	}
	if a.GridID == "" && a.Position != nil && site != nil {
		if g, ok := site.GridAt(*a.Position); ok {
			a.GridID = g.ID
		}
	}
	if r.Unit > 0 {
		a.SetParam(ParamUnit, strconv.Itoa(r.Unit))
	}
	a.SetParam(ParamCaller, caller)
	a.SetParam(ParamCallerPhone, phone)
	a.SetParam(ParamSaid, said)
	return a, nil
}

// SplitCaller separates what the operator typed into the caller field ("王先生 138 0013
// 8000", "13800138000", "Mrs Li") into a name and a phone number: the phone is the run of
// digits (with + - spaces and brackets) at its end or its start, when it has at least five
// digits; the rest is the name.
func SplitCaller(s string) (name, phone string) {
	s = strings.TrimSpace(s)
	isPhone := func(r rune) bool { return strings.ContainsRune(phoneChars, r) }
	// The phone at the end: walk back over phone characters.
	end := len(s)
	start := end
	for start > 0 {
		r, size := utf8.DecodeLastRuneInString(s[:start])
		if !isPhone(r) {
			break
		}
		start -= size
	}
	if countDigits(s[start:end]) < 5 {
		// Or at the start.
		start, end = 0, 0
		for end < len(s) {
			r, size := utf8.DecodeRuneInString(s[end:])
			if !isPhone(r) {
				break
			}
			end += size
		}
		if countDigits(s[:end]) < 5 {
			return s, ""
		}
	}
	phone = strings.TrimSpace(s[start:end])
	name = strings.TrimSpace(s[:start] + " " + s[end:])
	name = strings.TrimFunc(name, func(r rune) bool { return unicode.IsSpace(r) || r == ',' || r == '，' })
	return name, phone
}

func countDigits(s string) int {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n++
		}
	}
	return n
}
