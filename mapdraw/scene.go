package mapdraw

import (
	"image"

	"watchpost/app"
)

// Look is how a marker shows its state.
type Look uint8

const (
	LookNormal      Look = iota
	LookOffline          // a device that stopped reporting, a camera whose stream failed
	LookAlarm            // an open alarm being handled (acknowledged, dispatched): steady
	LookBlink            // a new alarm: blinks until acknowledged
	LookMaintenance      // a device in maintenance (no alarms): amber ring on a muted disc
	LookTest             // a device in test mode (its alarms are tests): teal ring
)

// Marker is a camera or a device on the map, with the look it has and where it was
// last drawn.
type Marker struct {
	Key    string // "camera:ID" or "device:ID"
	ID     string
	Camera *app.Camera
	Device *app.Device
	Sym    string // icon
	Layer  string // "camera" or the device kind
	Pos    app.Point
	Name   string

	Look  Look
	Prio  app.Priority
	Shown bool            // on screen and its layer on
	Rect  image.Rectangle // its picture's rectangle (the disc and room for a halo)
}

func (m *Marker) alarmed() bool { return m.Look == LookAlarm || m.Look == LookBlink }

// scene is the site prepared for drawing.
type scene struct {
	site    *app.Site
	bounds  app.Rect
	markers []Marker
	byKey   map[string]int
	index   *markerIndex
}

func newScene(s *app.Site) *scene {
	sc := &scene{site: s, byKey: map[string]int{}, bounds: app.EmptyRect()}
	if s == nil {
		return sc
	}
	sc.bounds = s.Bounds()
	for i := range s.Devices {
		d := &s.Devices[i]
		sc.markers = append(sc.markers, Marker{Key: "device:" + d.ID, ID: d.ID, Device: d, Sym: string(d.Kind), Layer: string(d.Kind), Pos: d.Position, Name: d.Name})
	}
	for i := range s.Cameras {
		c := &s.Cameras[i]
		sc.markers = append(sc.markers, Marker{Key: "camera:" + c.ID, ID: c.ID, Camera: c, Sym: "camera", Layer: "camera", Pos: c.Position, Name: c.Name})
	}
	for i := range sc.markers {
		sc.byKey[sc.markers[i].Key] = i
		sc.bounds = sc.bounds.Extend(sc.markers[i].Pos)
	}
	sc.index = newMarkerIndex(sc.markers, sc.bounds)
	return sc
}

// Layers says what is drawn.
type Layers struct {
	Grids, Labels, Cameras, Background bool
	Hidden                             map[app.DeviceKind]bool // device kinds switched off
}

// DefaultLayers draws everything.
func DefaultLayers() Layers {
	return Layers{Grids: true, Labels: true, Cameras: true, Background: true, Hidden: map[app.DeviceKind]bool{}}
}

func (l *Layers) shows(m *Marker) bool {
	if m.Camera != nil {
		return l.Cameras
	}
	return !l.Hidden[m.Device.Kind]
}

// GridMark is an alarm shown on a grid: its colour, and whether it blinks.
type GridMark struct {
	Prio  app.Priority
	Blink bool
}

// Draft is an edit in progress, drawn instead of the stored plan.
type Draft struct {
	GridID  string      // a grid being reshaped…
	Area    app.Polygon // …its outline
	Marker  string      // a marker being moved or aimed…
	Pos     app.Point
	Dir     float64
	Drawing []app.Point // a new grid being drawn, point by point
}

// Background is the picture under the plan, placed on the site by a similarity (from
// its two reference points, app.Background.Transform), drawn at opacity Alpha.
type Background struct {
	Image     image.Image
	Transform app.Similarity
	Alpha     float64
}

// Stats says what the last update drew (for the tests and the benchmarks).
type Stats struct {
	Pixels  int // pixels written by the last update
	Markers int // markers drawn by the last update
	Rects   int
}
