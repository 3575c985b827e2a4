package app

import (
	"fmt"
	"math"
	"time"
)

// Video analytics: what a camera watches for, and what it saw. Coordinates on the picture
// are normalized (0–1 from the top-left), so zones stay right whatever the stream's size.

// NPoint is a point on a camera's picture, normalized to 0–1.
type NPoint struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// NRect is a box on a camera's picture, normalized to 0–1.
type NRect struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
	W float64 `json:"w"`
	H float64 `json:"h"`
}

// Foot is the bottom centre of a box: where a person stands.
func (r NRect) Foot() NPoint { return NPoint{r.X + r.W/2, r.Y + r.H} }

// Zone is an area of a camera's picture. An excluded zone is a mask: nothing that moves
// in it counts (the camera's own clock, a flag, trees in the wind).
type Zone struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	NameEn  string   `json:"name_en,omitempty"` // for an English console (the installer's words otherwise)
	Points  []NPoint `json:"points"`
	Exclude bool     `json:"exclude,omitempty"`
}

// Contains reports whether p lies in the zone (even-odd rule).
func (z *Zone) Contains(p NPoint) bool {
	in := false
	pts := z.Points
	for i, j := 0, len(pts)-1; i < len(pts); j, i = i, i+1 {
		a, b := pts[i], pts[j]
		if (a.Y > p.Y) != (b.Y > p.Y) && p.X < (b.X-a.X)*(p.Y-a.Y)/(b.Y-a.Y)+a.X {
			in = !in
		}
	}
	return in
}

// CrossLine is a line on the picture; crossing it in the given direction is reported. Its
// two sides are named A and B: A is on the left of someone walking along it from From to
// To (as seen on the picture), B on the right. The console labels them on the picture.
type CrossLine struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	NameEn    string `json:"name_en,omitempty"`
	From      NPoint `json:"from"`
	To        NPoint `json:"to"`
	Direction string `json:"direction,omitempty"` // CrossAB, CrossBA, or "" for both
}

// Directions of a line crossing.
const (
	CrossAB = "ab" // from side A to side B
	CrossBA = "ba"
)

// DetectorKind is what a detector looks for.
type DetectorKind string

const (
	DetectMotion    DetectorKind = "motion"
	DetectIntrusion DetectorKind = "intrusion" // a person entering a zone
	DetectLoitering DetectorKind = "loitering" // a person staying in a zone longer than Seconds
	DetectCrowd     DetectorKind = "crowd"     // more than Count people in a zone for Seconds
	DetectFall      DetectorKind = "fall"      // a person who goes down and stays down for Seconds
	DetectLine      DetectorKind = "line"      // a person crossing a line (in its direction)
	DetectFace      DetectorKind = "face"      // faces, for the access log
)

// DetectorKinds in the order the console lists them.
var DetectorKinds = []DetectorKind{DetectMotion, DetectIntrusion, DetectLoitering, DetectCrowd, DetectFall, DetectLine, DetectFace}

// Label is the English name of a detector (the translation key).
func (k DetectorKind) Label() string {
	switch k {
	case DetectMotion:
		return "Motion"
	case DetectIntrusion:
		return "Intrusion"
	case DetectLoitering:
		return "Loitering"
	case DetectCrowd:
		return "Crowd gathering"
	case DetectFall:
		return "Fall"
	case DetectLine:
		return "Line crossing"
	case DetectFace:
		return "Faces"
	}
	return string(k)
}

// Schedule limits a detector to hours of the day (e.g. the perimeter at night only).
// Empty From and To: always. From after To spans midnight (22:00–06:00).
type Schedule struct {
	From string `json:"from,omitempty"` // "22:00"
	To   string `json:"to,omitempty"`   // "06:00"
}

func parseHM(s string) (int, bool) {
	var h, m int
	if _, err := fmt.Sscanf(s, "%d:%d", &h, &m); err != nil || h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, false
	}
	return h*60 + m, true
}

// Active reports whether the schedule covers t (in t's location).
func (s Schedule) Active(t time.Time) bool {
	if s.From == "" && s.To == "" {
		return true
	}
	from, ok1 := parseHM(s.From)
	to, ok2 := parseHM(s.To)
	if !ok1 || !ok2 {
		return true
	}
	now := t.Hour()*60 + t.Minute()
	if from <= to {
		return now >= from && now < to
	}
	return now >= from || now < to
}

// DetectorConfig turns a detector on for a camera, with its zone or line and thresholds.
type DetectorConfig struct {
	Kind        DetectorKind `json:"kind"`
	Enabled     bool         `json:"enabled"`
	Zone        string       `json:"zone,omitempty"` // zone ID; "" for the whole picture
	Line        string       `json:"line,omitempty"` // line ID (line crossing)
	Seconds     float64      `json:"seconds,omitempty"`
	Count       int          `json:"count,omitempty"`
	Sensitivity float64      `json:"sensitivity,omitempty"` // 0–1; higher finds more (and more false ones)
	MinSize     float64      `json:"min_size,omitempty"`    // smallest object, as a fraction of the picture's height
	Schedule    Schedule     `json:"schedule,omitempty"`
	// Cooldown: after this detector raised (or repeated) its alarm, what it sees again within
	// this time is journaled as a detection but not brought to the desk again (0: always).
	Cooldown Duration `json:"cooldown,omitempty"`
}

// CameraAnalytics is a camera's analytics settings.
type CameraAnalytics struct {
	Zones     []Zone           `json:"zones,omitempty"`
	Lines     []CrossLine      `json:"lines,omitempty"`
	Detectors []DetectorConfig `json:"detectors,omitempty"`
	FPS       float64          `json:"fps,omitempty"`      // frames analysed per second (default 5)
	Priority  int              `json:"priority,omitempty"` // higher keeps its rate longest when over the CPU budget
	ShowBoxes bool             `json:"show_boxes,omitempty"`
}

// DetectorOf returns the settings of the detector that made d (its kind, on its zone or line).
func (c *CameraAnalytics) DetectorOf(d *Detection) (DetectorConfig, bool) {
	if c == nil {
		return DetectorConfig{}, false
	}
	for _, dc := range c.Detectors {
		if dc.Kind == d.Detector && dc.Zone == d.Zone && dc.Line == d.Line {
			return dc, true
		}
	}
	return DetectorConfig{}, false
}

// Enabled reports whether any detector is on.
func (c *CameraAnalytics) Enabled() bool {
	if c == nil {
		return false
	}
	for _, d := range c.Detectors {
		if d.Enabled {
			return true
		}
	}
	return false
}

// Zone returns a zone by ID.
func (c *CameraAnalytics) Zone(id string) (*Zone, bool) {
	for i := range c.Zones {
		if c.Zones[i].ID == id {
			return &c.Zones[i], true
		}
	}
	return nil, false
}

// Line returns a line by ID.
func (c *CameraAnalytics) Line(id string) (*CrossLine, bool) {
	for i := range c.Lines {
		if c.Lines[i].ID == id {
			return &c.Lines[i], true
		}
	}
	return nil, false
}

// Validate checks the settings.
func (c *CameraAnalytics) Validate() error {
	var p Problems
	in01 := func(v float64) bool { return v >= 0 && v <= 1 }
	for _, z := range c.Zones {
		if len(z.Points) < 3 {
			p.Add("zones", "Zone {{.Name}} needs at least three points", "Name", z.Name)
		}
		for _, pt := range z.Points {
			if !in01(pt.X) || !in01(pt.Y) {
				p.Add("zones", "Zone {{.Name}} leaves the picture", "Name", z.Name)
				break
			}
		}
	}
	for _, d := range c.Detectors {
		valid := false
		for _, k := range DetectorKinds {
			valid = valid || k == d.Kind
		}
		if !valid {
			p.Add("detectors", "Unknown detector {{.Kind}}", "Kind", d.Kind)
			continue
		}
		if d.Zone != "" {
			if _, ok := c.Zone(d.Zone); !ok {
				p.Add("detectors", "Detector {{.Kind}} uses unknown zone {{.Zone}}", "Kind", d.Kind, "Zone", d.Zone)
			}
		}
		if d.Kind == DetectLine && d.Enabled {
			if _, ok := c.Line(d.Line); !ok {
				p.Add("detectors", "Line crossing needs a line")
			}
		}
		if d.Kind == DetectCrowd && d.Enabled && d.Count < 1 {
			p.Add("detectors", "Crowd gathering needs a number of people")
		}
		if !in01(d.Sensitivity) || !in01(d.MinSize) || d.Seconds < 0 || d.Cooldown < 0 || d.Cooldown.D() > 24*time.Hour {
			p.Add("detectors", "Detector {{.Kind}} has a setting out of range", "Kind", d.Kind)
		}
		if d.Schedule.From != "" || d.Schedule.To != "" {
			if _, ok := parseHM(d.Schedule.From); !ok {
				p.Add("detectors", "A schedule's times are HH:MM")
			} else if _, ok := parseHM(d.Schedule.To); !ok {
				p.Add("detectors", "A schedule's times are HH:MM")
			}
		}
	}
	if c.FPS < 0 || c.FPS > 30 {
		p.Add("fps", "Analytics runs at 0.2 to 30 frames per second")
	}
	return p.Err()
}

// Detection is what a detector saw on a camera.
type Detection struct {
	CameraID string       `json:"camera"`
	Detector DetectorKind `json:"detector"`
	Zone     string       `json:"zone,omitempty"`
	Line     string       `json:"line,omitempty"`
	Boxes    []NRect      `json:"boxes,omitempty"`
	Score    float64      `json:"score,omitempty"`
	Count    int          `json:"count,omitempty"`   // people (crowd)
	Detail   string       `json:"detail,omitempty"`  // direction of a crossing, how long a loiterer stayed…
	Seconds  float64      `json:"seconds,omitempty"` // how long a loiterer stayed, or a fallen person lay
	// SessionStart is when the analysis that saw it began receiving the camera (not
	// journaled): the first moments are spent learning the scene (Vision's warm-up).
	SessionStart time.Time `json:"-"`
	Time         time.Time `json:"time"`
	Snapshot     []byte    `json:"-"`               // JPEG of the moment, saved as a file
	Image        string    `json:"image,omitempty"` // the snapshot's file, once saved
	Drill        bool      `json:"drill,omitempty"`
}

// Alarm kinds raised from video analytics.
const (
	AlarmIntrusion = "intrusion"
	AlarmLoitering = "loitering"
	AlarmCrowd     = "crowd"
	AlarmFallVideo = "fall_video"
	AlarmLine      = "line_crossing"
)

// DetectionAlarm returns the alarm a detection raises (ok false: it only goes in the
// journal, like motion and faces).
func DetectionAlarm(site *Site, d *Detection) (Alarm, bool) {
	var kind string
	var prio Priority
	switch d.Detector {
	case DetectIntrusion:
		kind, prio = AlarmIntrusion, P2
	case DetectLoitering:
		kind, prio = AlarmLoitering, P3
	case DetectCrowd:
		kind, prio = AlarmCrowd, P3
	case DetectFall:
		kind, prio = AlarmFallVideo, P1
	case DetectLine:
		kind, prio = AlarmLine, P3
	default:
		return Alarm{}, false
	}
	a := Alarm{Kind: kind, Priority: prio, CameraID: d.CameraID, RaisedAt: d.Time, Drill: d.Drill}
	cam, known := site.Camera(d.CameraID)
	if known {
		a.GridID, a.Building = cam.GridID, cam.BuildingID
		pos := cam.Position
		a.Position = &pos
	}
	// Zone and line names are the installer's words, kept as they were at the time.
	a.SetParam(ParamZone, d.Zone)
	a.SetParam(ParamLine, d.Line)
	if known && cam.Analytics != nil {
		if z, ok := cam.Analytics.Zone(d.Zone); ok {
			a.SetParam(ParamZoneName, z.Name)
			a.SetParam(ParamZoneNameEn, z.NameEn)
		}
		for _, l := range cam.Analytics.Lines {
			if l.ID == d.Line {
				a.SetParam(ParamLineName, l.Name)
				a.SetParam(ParamLineNameEn, l.NameEn)
			}
		}
	}
	switch kind {
	case AlarmCrowd:
		if d.Count > 0 {
			a.SetParam(ParamCount, fmt.Sprint(d.Count))
		}
	case AlarmLine:
		a.SetParam(ParamDirection, d.Detail)
	}
	if d.Seconds > 0 {
		a.SetParam(ParamSeconds, num(math.Round(d.Seconds)))
	}
	return a, true
}

// DetectorStatus is how one detector of a camera is doing.
type DetectorStatus struct {
	Kind       DetectorKind   `json:"kind"`
	Zone       string         `json:"zone,omitempty"`
	Active     bool           `json:"active"`                // on and within its schedule
	Failed     string         `json:"failed,omitempty"`      // why it was switched off: an English template, the translation key
	FailedArgs map[string]any `json:"failed_args,omitempty"` // its values
}

// TrackedObject is something analytics follows on a camera's picture.
type TrackedObject struct {
	ID     int   `json:"id"`
	Box    NRect `json:"box"`
	Person bool  `json:"person"`
	People int   `json:"people,omitempty"` // people in it (a group), when checked
}

// Analytics states of a camera.
const (
	AnalyticsOff      = "off"      // no detector on
	AnalyticsStarting = "starting" // waiting for the first pictures
	AnalyticsRunning  = "running"
	AnalyticsFailed   = "failed" // every detector is off; Reason says why
)

// AnalyticsStatus is how video analytics is doing on one camera.
type AnalyticsStatus struct {
	CameraID      string           `json:"camera"`
	State         string           `json:"state"`
	Reason        string           `json:"reason,omitempty"` // why it is off or waiting (a template, as DetectorStatus.Failed)
	ReasonArgs    map[string]any   `json:"reason_args,omitempty"`
	ConfiguredFPS float64          `json:"configured_fps"` // what the camera asks for
	TargetFPS     float64          `json:"target_fps"`     // what the CPU budget allows now
	FPS           float64          `json:"fps"`            // measured over the last seconds
	MsPerFrame    float64          `json:"ms_per_frame"`
	Skipped       int64            `json:"skipped"` // frames left out by the sampling rate
	Dropped       int64            `json:"dropped"` // frames lost because analytics fell behind
	Detections    int64            `json:"detections"`
	Detectors     []DetectorStatus `json:"detectors,omitempty"`
}

// AnalyticsService is what the console shows of video analytics.
type AnalyticsService interface {
	// Statuses returns the status of every camera with analytics on.
	Statuses() []AnalyticsStatus
	// Objects returns what is being tracked on a camera now (for boxes over its tile).
	Objects(cameraID string) []TrackedObject
	// Budget returns the CPU budget in cores and the share of it in use.
	Budget() (cores, used float64)
}
