package app

import (
	"strconv"
	"strings"
	"time"
)

// An alarm's cause is stored as facts, never as a finished sentence: its kind, the device or
// camera it came from, and the parameters below. Each console renders them in its operator's
// language when it shows the alarm (the desk, the map, the replay, reports), and the CLI's
// --json keeps them as they are. Alarms journaled before causes had parameters carry the
// sentence of that time in Cause; they are shown as recorded (the journal is never
// rewritten).

// Names of an alarm's cause parameters (Alarm.Params). Values are text in a fixed,
// language-free form: numbers in decimal, dates as YYYY-MM-DD, durations in seconds.
const (
	ParamTemperature = "temperature" // °C a smoke detector or charger reported
	ParamHeartRate   = "heart_rate"  // beats a minute
	ParamWaterLevel  = "water_level" // cm of water in a manhole
	ParamFault       = "fault"       // the fault code a device reported, as it sent it
	ParamPlate       = "plate"       // a vehicle's plate
	ParamSince       = "since"       // a date: when a vehicle came in
	ParamHours       = "hours"       // hours without door activity
	ParamBattery     = "battery"     // percent left
	ParamReason      = "reason"      // why a device is offline: ReasonSilent or ReasonLastWill
	ParamWindow      = "window"      // seconds: the supervision window passed in silence
	ParamPerson      = "person"      // the resident concerned (a name: not translated)
	ParamZone        = "zone"        // video analytics: the zone's ID
	ParamZoneName    = "zone_name"   // and its name when the alarm was raised
	ParamZoneNameEn  = "zone_name_en"
	ParamLine        = "line"      // the crossed line's ID
	ParamLineName    = "line_name" // and its name
	ParamLineNameEn  = "line_name_en"
	ParamDirection   = "direction" // of a crossing: A→B or B→A
	ParamCount       = "count"     // people in a crowd
	ParamSeconds     = "seconds"   // how long someone stayed, or lay on the ground
	ParamPlace       = "place"     // a place the site does not hold (a supply point): its name
	ParamPlaceEn     = "place_en"  // and its English name
	ParamItem        = "item"      // a supply item's own name
	ParamItemKind    = "item_kind" // a supply item's kind (SupplyKind)
	ParamExpiry      = "expiry"    // a date
	ParamQuantity    = "quantity"
	ParamMinimum     = "minimum"
	ParamOffline     = "offline" // seconds a camera has been without video
)

// Why a device went offline (ParamReason).
const (
	OfflineSilent   = "silent"    // nothing heard within its supervision window
	OfflineLastWill = "last_will" // the broker published its Last Will: the connection dropped
)

// Message is a text for an operator: an English template that is also the translation key,
// and the values of its fields. A value that is itself a Message is rendered first (a
// duration, a supply kind), so that every part reads in the operator's language. A Message
// with no Key is Literal: a name, shown as it is.
type Message struct {
	Key     string
	Args    map[string]any
	Literal string
}

// msg builds a Message from key/value pairs.
func msg(key string, kv ...any) Message {
	m := Message{Key: key}
	if len(kv) > 0 {
		m.Args = make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			m.Args[kv[i].(string)] = kv[i+1]
		}
	}
	return m
}

// Translator renders a template in a language: the console's lookup, or RenderTemplate
// for English.
type Translator func(key string, args map[string]any) string

// Text renders the message with tr.
func (m Message) Text(tr Translator) string {
	if m.Key == "" {
		return m.Literal
	}
	var args map[string]any
	if len(m.Args) > 0 {
		args = make(map[string]any, len(m.Args)) // never the caller's map: it may be shared
		for k, v := range m.Args {
			if inner, ok := v.(Message); ok {
				v = inner.Text(tr)
			}
			args[k] = v
		}
	}
	return tr(m.Key, args)
}

// English renders the message in English (the CLI, logs).
func (m Message) English() string { return m.Text(RenderTemplate) }

// DurationMessage says a duration the way operators read it: "2 h", "10 min", "90 s".
func DurationMessage(d time.Duration) Message {
	switch {
	case d >= 48*time.Hour:
		return msg("{{.N}} days", "N", int((d+12*time.Hour)/(24*time.Hour)))
	case d >= time.Hour && d%time.Hour == 0:
		return msg("{{.N}} h", "N", int(d/time.Hour))
	case d >= time.Minute && d%time.Minute == 0:
		return msg("{{.N}} min", "N", int(d/time.Minute))
	case d >= time.Hour:
		return msg("{{.H}} h {{.M}} min", "H", int(d/time.Hour), "M", int(d%time.Hour/time.Minute))
	case d >= time.Minute:
		return msg("{{.M}} min {{.S}} s", "M", int(d/time.Minute), "S", int(d%time.Minute/time.Second))
	}
	return msg("{{.N}} s", "N", int(d.Round(time.Second)/time.Second))
}

// SetParam records one fact of the alarm's cause (an empty value is not recorded).
func (a *Alarm) SetParam(name, value string) {
	if value == "" {
		return
	}
	if a.Params == nil {
		a.Params = map[string]string{}
	}
	a.Params[name] = value
}

// Param returns a fact of the alarm's cause ("" when absent).
func (a Alarm) Param(name string) string { return a.Params[name] }

// Recorded reports whether the alarm's cause is a sentence recorded by an earlier version
// (shown as it was recorded, marked as such), rather than facts.
func (a Alarm) Recorded() bool { return a.Cause != "" && len(a.Params) == 0 }

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// CauseDetails are the facts of the cause beyond its kind and its place, as messages in the
// order an operator reads them ("61 °C"; "王秀英, 82 bpm"; "in since 2026-11-01"); english
// picks the English names of zones and lines where the installer gave them.
func (a Alarm) CauseDetails(english bool) []Message {
	var out []Message
	p := a.Params
	if a.Reported {
		// A logged report: the unit, who called, what they said (their words, as written down).
		if v := p[ParamUnit]; v != "" {
			out = append(out, msg("Unit {{.N}}", "N", v))
		}
		switch caller, phone := p[ParamCaller], p[ParamCallerPhone]; {
		case caller != "" && phone != "":
			out = append(out, msg("Reported by {{.Name}}, {{.Phone}}", "Name", caller, "Phone", phone))
		case caller != "" || phone != "":
			out = append(out, msg("Reported by {{.Name}}", "Name", first(caller, phone)))
		default:
			out = append(out, msg("Reported by an anonymous caller"))
		}
		if v := p[ParamSaid]; v != "" {
			out = append(out, Message{Literal: "“" + v + "”"})
		}
		return out
	}
	// The resident (ParamPerson) is named by the device's own name and the alarm's people;
	// only the welfare check says it in its sentence.
	switch a.Kind {
	case AlarmFire:
		if v := p[ParamTemperature]; v != "" {
			out = append(out, msg("{{.N}} °C", "N", v))
		}
	case AlarmVitals:
		if v := p[ParamHeartRate]; v != "" {
			out = append(out, msg("Heart rate {{.N}} a minute", "N", v))
		}
	case AlarmManholeWater:
		if v := p[ParamWaterLevel]; v != "" {
			out = append(out, msg("Water {{.N}} cm", "N", v))
		}
	case AlarmStreetlight:
		if v := p[ParamFault]; v != "" {
			out = append(out, msg("Fault reported: {{.Code}}", "Code", v))
		}
	case AlarmUnknownVehicle:
		if v := p[ParamPlate]; v != "" {
			out = append(out, msg("Plate {{.Plate}}", "Plate", v))
		}
	case AlarmZombieVehicle:
		out = append(out, msg("Plate {{.Plate}}, parked since {{.Date}}", "Plate", p[ParamPlate], "Date", p[ParamSince]))
	case AlarmWelfare:
		out = append(out, msg("{{.Name}} has not passed a door for {{.N}} h", "Name", p[ParamPerson], "N", p[ParamHours]))
	case AlarmLowBattery:
		if v := p[ParamBattery]; v != "" {
			out = append(out, msg("Battery {{.N}}%", "N", v))
		}
	case AlarmOffline:
		switch p[ParamReason] {
		case OfflineLastWill:
			out = append(out, msg("Its connection dropped (the broker sent its last will)"))
		case OfflineSilent:
			out = append(out, msg("Silent for {{.Duration}}", "Duration", secondsParam(p[ParamWindow])))
		}
	case AlarmJournalBroken: // journal_chain.go
		out = append(out, journalBrokenDetails(p)...)
	case AlarmCameraOffline:
		out = append(out, msg("No video for {{.Duration}}", "Duration", secondsParam(p[ParamOffline])))
	case AlarmSupplyExpired:
		out = append(out, msg("{{.Item}} expired on {{.Date}}", "Item", itemOf(p), "Date", p[ParamExpiry]))
	case AlarmSupplyLow:
		out = append(out, msg("{{.Item}}: {{.N}} left of {{.Min}}", "Item", itemOf(p), "N", p[ParamQuantity], "Min", p[ParamMinimum]))
	case AlarmOrderOverdue: // workorder_watch.go
		out = append(out, orderOverdueDetails(p)...)
	case AlarmIntrusion, AlarmLoitering, AlarmCrowd, AlarmFallVideo, AlarmLine:
		zone, line := p[ParamZoneName], p[ParamLineName]
		if english {
			zone, line = first(p[ParamZoneNameEn], zone), first(p[ParamLineNameEn], line)
		}
		if z := first(zone, p[ParamZone]); z != "" {
			out = append(out, msg("Zone {{.Zone}}", "Zone", z))
		}
		if l := first(line, p[ParamLine]); l != "" {
			out = append(out, msg("Line {{.Line}}", "Line", l))
		}
		if d := p[ParamDirection]; d != "" {
			out = append(out, msg("Direction {{.Dir}}", "Dir", d))
		}
		if n := p[ParamCount]; n != "" {
			out = append(out, msg("{{.N}} people", "N", n))
		}
		if s := p[ParamSeconds]; s != "" {
			out = append(out, msg("For {{.Duration}}", "Duration", secondsParam(s)))
		}
	}
	return out
}

// itemOf names a supply item: its own name, else its kind (translated when shown).
func itemOf(p map[string]string) Message {
	if p[ParamItem] != "" {
		return Message{Literal: p[ParamItem]}
	}
	return msg(SupplyKind(p[ParamItemKind]).Label())
}

func first(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// secondsParam says a parameter in seconds as a duration.
func secondsParam(s string) Message {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return Message{Literal: s}
	}
	return DurationMessage(time.Duration(f * float64(time.Second)).Round(time.Second))
}

// PlaceName names where the alarm is, in the wanted language: its device (and the device's
// location), else its camera, else the place recorded with it. ok is false when none is
// known (a recorded cause then says it).
func (a Alarm) PlaceName(site *Site, english bool) (string, bool) {
	if site != nil {
		if d, ok := site.Device(a.DeviceID); ok {
			place := d.Display(english)
			if loc := d.DisplayLocation(english); loc != "" && !strings.Contains(place, loc) {
				place += " · " + loc
			}
			return place, true
		}
		if c, ok := site.Camera(a.CameraID); ok {
			return c.Display(english), true
		}
		if b, ok := site.Building(a.Building); ok && a.DeviceID == "" && a.CameraID == "" {
			return b.Display(english), true // a logged report's building (its unit is a detail)
		}
	}
	if english && a.Param(ParamPlaceEn) != "" {
		return a.Param(ParamPlaceEn), true
	}
	if a.Param(ParamPlace) != "" {
		return a.Param(ParamPlace), true
	}
	return "", false
}

// SourceID is the ID of the device or camera the alarm came from: the place of last resort
// when the site no longer knows it.
func (a Alarm) SourceID() string { return first(a.DeviceID, a.CameraID) }

// Describe renders the whole cause as one line: "Fire alarm: 3号楼2单元12层烟感 · 3号楼2单元 12层
// (61 °C)". tr is the console's translation (RenderTemplate on the CLI); a cause recorded as
// a sentence is returned as recorded, marked "(as recorded)".
func (a Alarm) Describe(site *Site, english bool, tr Translator) string {
	if a.Recorded() {
		return a.Cause + " " + msg("(as recorded)").Text(tr)
	}
	s := msg(AlarmKindLabel(a.Kind)).Text(tr)
	if place, ok := a.PlaceName(site, english); ok {
		s += ": " + place
	} else if id := a.SourceID(); id != "" {
		s += ": " + id
	}
	var details []string
	for _, m := range a.CauseDetails(english) {
		details = append(details, m.Text(tr))
	}
	if len(details) > 0 {
		s += " (" + strings.Join(details, ", ") + ")"
	}
	return s
}
