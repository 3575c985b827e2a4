package app

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// Alarm kinds raised by the rules. Labels (English, translated when shown) are in AlarmKindLabel.
const (
	AlarmFire           = "fire"            // smoke, or a charging point overheating or smoking
	AlarmMedical        = "medical"         // an emergency call button or a bracelet's SOS
	AlarmFall           = "fall"            // a bracelet detected a fall
	AlarmVitals         = "vitals"          // a bracelet's heart rate out of range
	AlarmDoorForced     = "door_forced"     // a door forced open
	AlarmDoorHeld       = "door_held"       // a door held open too long
	AlarmManhole        = "manhole"         // a manhole cover displaced or tilted
	AlarmManholeWater   = "manhole_water"   // water rising in a manhole
	AlarmStreetlight    = "streetlight"     // a streetlight fault
	AlarmUnknownVehicle = "unknown_vehicle" // a plate not in the residents' register
	AlarmZombieVehicle  = "zombie_vehicle"  // a vehicle parked longer than N days
	AlarmWelfare        = "welfare_check"   // an elderly resident living alone not seen for N hours
	AlarmLowBattery     = "low_battery"     // maintenance
	AlarmTamper         = "tamper"          // a device being tampered with
	AlarmOffline        = "device_offline"  // silent past its supervision window, or its Last Will fired
	AlarmCameraOffline  = "camera_offline"  // video loss (视频丢失): a camera without video past its grace time
)

// AlarmKindLabel is the English name of an alarm kind (the translation key).
func AlarmKindLabel(kind string) string {
	switch kind {
	case AlarmFire:
		return "Fire alarm"
	case AlarmMedical:
		return "Emergency call (SOS)"
	case AlarmFall:
		return "Fall detected"
	case AlarmVitals:
		return "Abnormal heart rate"
	case AlarmDoorForced:
		return "Door forced open"
	case AlarmDoorHeld:
		return "Door held open"
	case AlarmManhole:
		return "Manhole cover displaced"
	case AlarmManholeWater:
		return "Water rising in a manhole"
	case AlarmStreetlight:
		return "Streetlight fault"
	case AlarmUnknownVehicle:
		return "Unregistered vehicle"
	case AlarmZombieVehicle:
		return "Long-parked vehicle"
	case AlarmWelfare:
		return "Welfare check"
	case AlarmLowBattery:
		return "Low battery"
	case AlarmTamper:
		return "Device tampering"
	case AlarmOffline:
		return "Device offline"
	case AlarmCameraOffline:
		return "Video loss"
	case AlarmJournalBroken:
		return "Journal tampered with"
	case AlarmSupplyExpired:
		return "Supply expired"
	case AlarmSupplyLow:
		return "Supply low"
	case AlarmIntrusion:
		return "Intrusion"
	case AlarmLoitering:
		return "Loitering"
	case AlarmCrowd:
		return "Crowd gathering"
	case AlarmFallVideo:
		return "Fall seen on camera"
	case AlarmLine:
		return "Line crossed"
	case AlarmGasLeak:
		return "Gas leak"
	case AlarmWaterLeak:
		return "Water leak"
	case AlarmFight:
		return "Fight or disturbance"
	case AlarmTheft:
		return "Theft or break-in"
	case AlarmSuspicious:
		return "Suspicious person or vehicle"
	case AlarmMissing:
		return "Missing person"
	case AlarmOther:
		return "Other report"
	case AlarmOrderOverdue:
		return "Work order overdue"
	case AlarmJournalFull:
		return "Journal cannot be written (disk full)"
	case AlarmBrokerDown:
		return "Device broker cannot listen"
	}
	return kind
}

// RulesConfig are the thresholds of the community rules (the "rules" key of the configuration).
type RulesConfig struct {
	FloodWindow  Duration `json:"flood_window,omitempty"`  // repeats within it fold into one alarm (default 5m)
	LowBattery   float64  `json:"low_battery,omitempty"`   // percent (default 20)
	HeldOpen     Duration `json:"held_open,omitempty"`     // a door open longer is reported (default 60s)
	ManholeTilt  float64  `json:"manhole_tilt,omitempty"`  // degrees (default 15)
	ManholeWater float64  `json:"manhole_water,omitempty"` // water level in cm (default 30)
	ZombieDays   int      `json:"zombie_days,omitempty"`   // a vehicle in for longer (default 15)
	WelfareHours int      `json:"welfare_hours,omitempty"` // default hours without door activity (default 24)
	HeartRateMin float64  `json:"heart_rate_min,omitempty"`
	HeartRateMax float64  `json:"heart_rate_max,omitempty"`
	VideoLoss    Duration `json:"video_loss,omitempty"` // a received camera without video this long raises an alarm (default 1m)
	// Supervision overrides the supervision window of a whole kind ({"smoke": "2h"}); a
	// device's own window still wins.
	Supervision map[DeviceKind]Duration `json:"supervision,omitempty"`
}

// SupervisionWindow returns how long a device may stay silent: its own window, else its
// kind's from the configuration, else the kind's default.
func (c RulesConfig) SupervisionWindow(d *Device) time.Duration {
	if d.Supervision > 0 {
		return d.Supervision.D()
	}
	if w, ok := c.Supervision[d.Kind]; ok && w > 0 {
		return w.D()
	}
	return d.Kind.DefaultSupervision()
}

// WithDefaults fills the zero values.
func (c RulesConfig) WithDefaults() RulesConfig {
	if c.FloodWindow == 0 {
		c.FloodWindow = Duration(5 * time.Minute)
	}
	if c.LowBattery == 0 {
		c.LowBattery = 20
	}
	if c.HeldOpen == 0 {
		c.HeldOpen = Duration(time.Minute)
	}
	if c.ManholeTilt == 0 {
		c.ManholeTilt = 15
	}
	if c.ManholeWater == 0 {
		c.ManholeWater = 30
	}
	if c.ZombieDays == 0 {
		c.ZombieDays = 15
	}
	if c.WelfareHours == 0 {
		c.WelfareHours = 24
	}
	if c.HeartRateMin == 0 {
		c.HeartRateMin = 40
	}
	if c.HeartRateMax == 0 {
		c.HeartRateMax = 150
	}
	return c
}

// Validate checks the thresholds.
func (c RulesConfig) Validate() error {
	var p Problems
	if c.VideoLoss < 0 || (c.VideoLoss > 0 && c.VideoLoss.D() < 10*time.Second) {
		p.Add("rules.video_loss", "Video loss is reported after at least 10 s")
	}
	if c.FloodWindow < 0 || c.HeldOpen < 0 {
		p.Add("rules", "Rule durations cannot be negative")
	}
	if c.LowBattery < 0 || c.LowBattery > 100 {
		p.Add("rules.low_battery", "The low-battery threshold is a percentage (0–100)")
	}
	if c.ZombieDays < 0 || c.WelfareHours < 0 {
		p.Add("rules", "Rule periods cannot be negative")
	}
	for k, w := range c.Supervision {
		if !k.Known() {
			p.Add("rules.supervision", "Unknown device kind {{.Kind}}", "Kind", k)
		} else if w.D() < 10*time.Second {
			p.Add("rules.supervision", "A supervision window is at least 10 s")
		}
	}
	return p.Err()
}

// Rules turn device readings into alarms. Most rules look at one reading; the vehicle and
// welfare rules remember what they saw (plates in, people passing doors) and are checked
// periodically by Check.
type Rules struct {
	cfg    RulesConfig
	arming *Arming // nil: always armed, never in maintenance

	mu       sync.Mutex
	plates   map[string]plateSeen // normalized plate → when it came in (and is still in)
	lastDoor map[string]time.Time // person ID → last door activity
	started  time.Time
	raisedZ  map[string]bool // zombie alarms raised, by plate, until the vehicle leaves
	raisedW  map[string]bool // welfare alarms raised, by person, until they pass a door
}

type plateSeen struct {
	in     time.Time
	device string
}

// NewRules builds the rules; now is the start (welfare windows count from it).
func NewRules(cfg RulesConfig, now time.Time) *Rules {
	return &Rules{cfg: cfg.WithDefaults(), plates: map[string]plateSeen{}, lastDoor: map[string]time.Time{},
		started: now, raisedZ: map[string]bool{}, raisedW: map[string]bool{}}
}

// Config returns the thresholds in use.
func (r *Rules) Config() RulesConfig { return r.cfg }

// Evaluate returns the alarms a reading raises (none for most readings).
func (r *Rules) Evaluate(site *Site, d *Device, rd *Reading) []Alarm {
	var out []Alarm
	// raise adds an alarm of the reading's device; params are name, value pairs of its cause.
	raise := func(kind string, p Priority, fault bool, params ...string) {
		a := deviceAlarm(kind, p, fault, d, rd.Received)
		a.DeviceTime = rd.Time
		for i := 0; i+1 < len(params); i += 2 {
			a.SetParam(params[i], params[i+1])
		}
		out = append(out, a)
	}
	is := func(field string) bool { v, _ := rd.Bool(field); return v }
	num := func(field string) (float64, bool) { return rd.Number(field) }
	ev := strings.ToLower(rd.Event)

	switch d.Kind {
	case KindSmoke:
		if is("smoke") || (rd.Type == MsgEvent && ev == "alarm") {
			raise(AlarmFire, P1, false, tempParam(rd)...)
		}
		if is("tamper") || ev == "tamper" {
			raise(AlarmTamper, P3, true)
		}
	case KindCharger:
		if is("overheat") || is("smoke") || ev == "overheat" || ev == "smoke" {
			raise(AlarmFire, P1, false, tempParam(rd)...)
		}
	case KindCallButton:
		if is("pressed") || ev == "sos" || ev == "pressed" {
			raise(AlarmMedical, P1, false)
		}
	case KindBracelet:
		if is("sos") || ev == "sos" {
			raise(AlarmMedical, P1, false)
		}
		if is("fall") || ev == "fall" {
			raise(AlarmFall, P1, false)
		}
		if hr, ok := num("heart_rate"); ok && hr > 0 && (hr < r.cfg.HeartRateMin || hr > r.cfg.HeartRateMax) {
			raise(AlarmVitals, P2, false, ParamHeartRate, fmt.Sprintf("%.0f", hr))
		}
	case KindDoor:
		if is("forced") || ev == "forced_open" {
			raise(AlarmDoorForced, P2, false)
		}
		open, _ := num("open_seconds")
		if is("held_open") || ev == "held_open" || open > r.cfg.HeldOpen.D().Seconds() {
			raise(AlarmDoorHeld, P2, false)
		}
	case KindManhole:
		tilt, _ := num("tilt")
		if is("displacement") || ev == "displaced" || tilt > r.cfg.ManholeTilt {
			raise(AlarmManhole, P2, false)
		}
		if w, ok := num("water_level"); (ok && w > r.cfg.ManholeWater) || ev == "water" {
			level := ""
			if ok {
				level = fmt.Sprintf("%.0f", w)
			}
			raise(AlarmManholeWater, P2, false, ParamWaterLevel, level)
		}
	case KindStreetlight:
		if f, ok := rd.Values["fault"]; ok && f != nil && f != false && f != "" || ev == "fault" {
			code := ""
			if s, ok := f.(string); ok {
				code = s
			}
			raise(AlarmStreetlight, P3, true, ParamFault, code)
		}
	case KindPlateCamera:
		plate, _ := rd.String("plate")
		if plate != "" {
			dir, _ := rd.String("direction")
			if !strings.EqualFold(dir, "out") {
				if _, ok := site.Vehicle(plate); !ok {
					raise(AlarmUnknownVehicle, P3, false, ParamPlate, plate)
				}
			}
		}
	}
	if b, ok := num("battery"); ok && b >= 0 && b < r.cfg.LowBattery {
		raise(AlarmLowBattery, P4, true, ParamBattery, fmt.Sprintf("%.0f", b))
	}
	return out
}

// SetArming makes Decide follow the arming schedules, maintenances and test modes.
func (r *Rules) SetArming(a *Arming) { r.arming = a }

// Decide returns which of a device's alarms (Evaluate's, and the device path's own: its
// Last Will, its silence) are raised at t once the arming has had its say: those held back
// by an arming schedule or a maintenance are said in Held, and in test mode they are marked
// test.
func (r *Rules) Decide(d *Device, alarms []Alarm, t time.Time) Verdict {
	if r.arming == nil {
		return Verdict{Raise: alarms}
	}
	return r.arming.Judge(d, alarms, t)
}

// Check runs the rules that depend on time passing: vehicles parked too long and residents
// living alone not seen at a door for too long. Each is raised once until it clears.
func (r *Rules) Check(site *Site, now time.Time) []Alarm {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Alarm
	for plate, seen := range r.plates {
		if r.raisedZ[plate] || now.Sub(seen.in) < time.Duration(r.cfg.ZombieDays)*24*time.Hour {
			continue
		}
		r.raisedZ[plate] = true
		a := Alarm{Kind: AlarmZombieVehicle, Priority: P4, DeviceID: seen.device, RaisedAt: now}
		if d, ok := site.Device(seen.device); ok {
			a.GridID = d.GridID
		}
		a.SetParam(ParamPlate, plate)
		a.SetParam(ParamSince, seen.in.Local().Format(time.DateOnly))
		out = append(out, a)
	}
	for i := range site.Devices {
		d := &site.Devices[i]
		p := d.Person
		if p == nil || p.ID == "" || r.raisedW[p.ID] {
			continue
		}
		hours := p.WelfareHours
		if hours == 0 {
			hours = r.cfg.WelfareHours
		}
		last, ok := r.lastDoor[p.ID]
		if !ok {
			last = r.started
		}
		if now.Sub(last) < time.Duration(hours)*time.Hour {
			continue
		}
		r.raisedW[p.ID] = true
		a := deviceAlarm(AlarmWelfare, P2, false, d, now)
		a.CameraID = "" // nobody was seen: no camera shows it
		a.SetParam(ParamHours, fmt.Sprint(hours))
		out = append(out, a)
	}
	return out
}

// Observe takes a journaled reading into the rules' memory: who passed a door when (the
// welfare rule), which vehicles are in (the zombie-vehicle rule). It is the fold of the
// device readings (Ingest's), whoever journaled them; Evaluate only decides.
func (r *Rules) Observe(d *Device, rd *Reading) {
	switch d.Kind {
	case KindDoor:
		if person, ok := rd.String("person"); ok && person != "" {
			r.mu.Lock()
			if rd.Received.After(r.lastDoor[person]) {
				r.lastDoor[person] = rd.Received
			}
			delete(r.raisedW, person)
			r.mu.Unlock()
		}
	case KindPlateCamera:
		plate, _ := rd.String("plate")
		if plate == "" {
			return
		}
		dir, _ := rd.String("direction")
		n := NormalizePlate(plate)
		r.mu.Lock()
		defer r.mu.Unlock()
		if strings.EqualFold(dir, "out") {
			delete(r.plates, n)
			delete(r.raisedZ, n)
		} else if _, in := r.plates[n]; !in {
			r.plates[n] = plateSeen{in: rd.Received, device: d.ID}
		}
	}
}

// Seen tells the welfare rule that a person passed a door at t (used when replaying the
// journal at start, so a restart does not forget who was seen).
func (r *Rules) Seen(person string, t time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if t.After(r.lastDoor[person]) {
		r.lastDoor[person] = t
	}
}

// deviceAlarm is an alarm of a device at its place, with the cameras that see it and the
// person it concerns (a bracelet's wearer).
func deviceAlarm(kind string, p Priority, fault bool, d *Device, at time.Time) Alarm {
	pos := d.Position
	a := Alarm{Kind: kind, Priority: p, Fault: fault, DeviceID: d.ID, GridID: d.GridID, Building: d.BuildingID,
		Position: &pos, RaisedAt: at}
	if len(d.CameraIDs) > 0 {
		a.CameraID = d.CameraIDs[0]
	}
	if d.Person != nil {
		a.SetParam(ParamPerson, d.Person.Name)
	}
	return a
}

func tempParam(rd *Reading) []string {
	if t, ok := rd.Number("temperature"); ok {
		return []string{ParamTemperature, fmt.Sprintf("%.0f", t)}
	}
	return nil
}
