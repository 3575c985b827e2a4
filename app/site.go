package app

import (
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode"
)

// Site is one community: its plan and everything installed in it.
type Site struct {
	ID string `json:"id"`
	Names
	Address   string     `json:"address,omitempty"`
	Demo      bool       `json:"demo,omitempty"`      // the bundled demo community with simulated cameras and devices
	TimeZone  string     `json:"time_zone,omitempty"` // IANA name; empty: Asia/Shanghai
	Boundary  Polygon    `json:"boundary"`
	Features  []Feature  `json:"features,omitempty"`
	Grids     []Grid     `json:"grids"`
	Buildings []Building `json:"buildings"`
	Cameras   []Camera   `json:"cameras"`
	Devices   []Device   `json:"devices"`
	Vehicles  []Vehicle  `json:"vehicles,omitempty"` // the residents' vehicle register
	Contacts  []Contact  `json:"contacts,omitempty"` // whom to call: property, police, fire, medical…
	// Origin anchors the plan on the Earth when it was surveyed in WGS-84 (geo.go).
	Origin *GeoOrigin `json:"origin,omitempty"`
	// Background is a raster (CAD export, photo) drawn under the plan (georaster.go).
	Background *Background `json:"background,omitempty"`
}

// Location is the site's time zone (its schedules are read in it): TimeZone, or Asia/Shanghai
// when it names none or an unknown one.
func (s *Site) Location() *time.Location {
	if s != nil && s.TimeZone != "" {
		if loc, err := time.LoadLocation(s.TimeZone); err == nil {
			return loc
		}
	}
	return DefaultLocation()
}

// Contact is someone the guard room calls: property management, the residents' committee,
// police, fire, medical services, utilities.
type Contact struct {
	ID   string `json:"id"`
	Role string `json:"role"` // property, committee, police, fire, medical, gas, power, water…
	Names
	Phone string `json:"phone"`
	Note  string `json:"note,omitempty"`
}

// ContactRoleLabel is the English name of a contact role (the translation key).
func ContactRoleLabel(role string) string {
	switch role {
	case "property":
		return "Property management"
	case "committee":
		return "Residents' committee"
	case "police":
		return "Police"
	case "fire":
		return "Fire brigade"
	case "medical":
		return "Emergency medical"
	case "gas":
		return "Gas company"
	case "power":
		return "Power company"
	case "water":
		return "Water company"
	case "security":
		return "Security patrol"
	}
	return role
}

// Vehicle is a resident's registered vehicle; plates not in the register are reported.
type Vehicle struct {
	Plate    string `json:"plate"`
	Owner    string `json:"owner,omitempty"`
	Building string `json:"building,omitempty"`
	Phone    string `json:"phone,omitempty"`
}

// NormalizePlate makes plates comparable: upper case, no spaces, dots or dashes.
func NormalizePlate(p string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '.', '·':
			return -1
		}
		return unicode.ToUpper(r)
	}, p)
}

// Vehicle returns the registered vehicle with this plate.
func (s *Site) Vehicle(plate string) (*Vehicle, bool) {
	n := NormalizePlate(plate)
	for i := range s.Vehicles {
		if NormalizePlate(s.Vehicles[i].Plate) == n {
			return &s.Vehicles[i], true
		}
	}
	return nil, false
}

// Resident returns the person with this ID (a bracelet's wearer) and their device.
func (s *Site) Resident(personID string) (*Person, *Device, bool) {
	if personID == "" {
		return nil, nil, false
	}
	for i := range s.Devices {
		if p := s.Devices[i].Person; p != nil && p.ID == personID {
			return p, &s.Devices[i], true
		}
	}
	return nil, nil, false
}

// FeatureKind is the kind of a plan feature drawn on the map.
type FeatureKind string

const (
	FeatureRoad    FeatureKind = "road"    // Line, with Width
	FeatureGate    FeatureKind = "gate"    // At
	FeatureCarPark FeatureKind = "carpark" // Area
	FeatureGreen   FeatureKind = "green"   // Area
	FeaturePlaza   FeatureKind = "plaza"   // Area (squares, playgrounds)
	FeatureWater   FeatureKind = "water"   // Area
)

// Feature is a piece of the site plan that is not a building: roads, gates, car parks,
// green space. Exactly one geometry is set, according to Kind.
type Feature struct {
	ID   string      `json:"id"`
	Kind FeatureKind `json:"kind"`
	Names
	Area  Polygon  `json:"area,omitempty"`
	Line  Polyline `json:"line,omitempty"`
	Width float64  `json:"width,omitempty"` // road width in metres
	At    *Point   `json:"at,omitempty"`
}

// GridWorker is the person responsible for a management grid (网格员).
type GridWorker struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

// Grid is a management grid (网格): an area of the community with its own grid worker.
type Grid struct {
	ID string `json:"id"`
	Names
	Area   Polygon    `json:"area"`
	Worker GridWorker `json:"worker"`
	Color  string     `json:"color,omitempty"` // #rrggbb used to tint the grid on the map
}

// Building is a residential or service building.
type Building struct {
	ID string `json:"id"`
	Names
	Number    string  `json:"number,omitempty"` // the number painted on it, e.g. "3"
	Use       string  `json:"use,omitempty"`    // residential, service, shop, school…
	Footprint Polygon `json:"footprint"`
	Floors    int     `json:"floors,omitempty"`
	Units     int     `json:"units,omitempty"` // stairwells (单元)
	GridID    string  `json:"grid,omitempty"`
}

// Validate checks a grid.
func (g *Grid) Validate() error { var p Problems; g.check(&p); return p.Err() }

func (g *Grid) check(p *Problems) {
	checkID(p, "id", g.ID)
	checkName(p, "name", g.Name)
	if !validRing(g.Area) {
		p.Add("area", "Grid {{.ID}} needs an area of at least three points", "ID", g.ID)
	}
	if strings.TrimSpace(g.Worker.Name) == "" {
		p.Add("worker.name", "Grid {{.ID}} needs a grid worker", "ID", g.ID)
	}
	if g.Worker.Phone != "" && !validPhone(g.Worker.Phone) {
		p.Add("worker.phone", "{{.Phone}} is not a phone number", "Phone", g.Worker.Phone)
	}
}

// Validate checks a building.
func (b *Building) Validate() error { var p Problems; b.check(&p); return p.Err() }

func (b *Building) check(p *Problems) {
	checkID(p, "id", b.ID)
	checkName(p, "name", b.Name)
	if !validRing(b.Footprint) {
		p.Add("footprint", "Building {{.ID}} needs a footprint of at least three points", "ID", b.ID)
	}
	if b.Floors < 0 || b.Floors > 200 {
		p.Add("floors", "Building {{.ID}} has an impossible number of floors", "ID", b.ID)
	}
}

// Validate checks a plan feature.
func (f *Feature) Validate() error { var p Problems; f.check(&p); return p.Err() }

func (f *Feature) check(p *Problems) {
	checkID(p, "id", f.ID)
	switch f.Kind {
	case FeatureRoad:
		if len(f.Line) < 2 {
			p.Add("line", "Road {{.ID}} needs at least two points", "ID", f.ID)
		}
	case FeatureGate:
		if f.At == nil || !finite(*f.At) {
			p.Add("at", "Gate {{.ID}} needs a position", "ID", f.ID)
		}
	case FeatureCarPark, FeatureGreen, FeaturePlaza, FeatureWater:
		if !validRing(f.Area) {
			p.Add("area", "Feature {{.ID}} needs an area of at least three points", "ID", f.ID)
		}
	default:
		p.Add("kind", "Unknown feature kind {{.Kind}}", "Kind", f.Kind)
	}
}

// Validate checks the whole site: each part, unique IDs, and that references (grid of a
// building, building of a device) point at things that exist.
func (s *Site) Validate() error {
	var p Problems
	checkID(&p, "id", s.ID)
	checkName(&p, "name", s.Name)
	if s.TimeZone != "" {
		if err := CheckTimeZone(s.TimeZone); err != nil {
			p = append(p, err.(*Error).On("time_zone"))
		}
	}
	if !validRing(s.Boundary) {
		p.Add("boundary", "The site needs a boundary of at least three points")
	}
	seen := map[string]bool{}
	unique := func(kind, id string) {
		if seen[kind+"/"+id] {
			p.Add(kind, "The {{.Kind}} ID {{.ID}} is used twice", "Kind", kind, "ID", id)
		}
		seen[kind+"/"+id] = true
	}
	grids := map[string]bool{}
	for i := range s.Features {
		unique("feature", s.Features[i].ID)
		s.Features[i].check(&p)
	}
	for i := range s.Grids {
		unique("grid", s.Grids[i].ID)
		grids[s.Grids[i].ID] = true
		s.Grids[i].check(&p)
	}
	buildings := map[string]bool{}
	for i := range s.Buildings {
		b := &s.Buildings[i]
		unique("building", b.ID)
		buildings[b.ID] = true
		b.check(&p)
		if b.GridID != "" && !grids[b.GridID] {
			p.Add("grid", "Building {{.ID}} refers to unknown grid {{.Grid}}", "ID", b.ID, "Grid", b.GridID)
		}
	}
	for i := range s.Cameras {
		c := &s.Cameras[i]
		unique("camera", c.ID)
		c.check(&p)
		if c.GridID != "" && !grids[c.GridID] {
			p.Add("grid", "Camera {{.ID}} refers to unknown grid {{.Grid}}", "ID", c.ID, "Grid", c.GridID)
		}
		if c.BuildingID != "" && !buildings[c.BuildingID] {
			p.Add("building", "Camera {{.ID}} refers to unknown building {{.Building}}", "ID", c.ID, "Building", c.BuildingID)
		}
	}
	for i := range s.Devices {
		d := &s.Devices[i]
		unique("device", d.ID)
		d.check(&p)
		if d.GridID != "" && !grids[d.GridID] {
			p.Add("grid", "Device {{.ID}} refers to unknown grid {{.Grid}}", "ID", d.ID, "Grid", d.GridID)
		}
		if d.BuildingID != "" && !buildings[d.BuildingID] {
			p.Add("building", "Device {{.ID}} refers to unknown building {{.Building}}", "ID", d.ID, "Building", d.BuildingID)
		}
	}
	for _, c := range s.Contacts {
		unique("contact", c.ID)
		checkID(&p, "contacts.id", c.ID)
		checkName(&p, "contacts.name", c.Name)
		if !validPhone(c.Phone) {
			p.Add("contacts.phone", "{{.Phone}} is not a phone number", "Phone", c.Phone)
		}
	}
	plates := map[string]bool{}
	for _, v := range s.Vehicles {
		n := NormalizePlate(v.Plate)
		if n == "" {
			p.Add("vehicles", "A registered vehicle needs a plate")
		} else if plates[n] {
			p.Add("vehicles", "The plate {{.Plate}} is registered twice", "Plate", v.Plate)
		}
		plates[n] = true
	}
	return p.Err()
}

// Redacted returns a copy of the site whose camera addresses hide their passwords, for the
// journal and for exports.
func (s *Site) Redacted() *Site {
	c := *s
	c.Cameras = make([]Camera, len(s.Cameras))
	for i, cam := range s.Cameras {
		cam.MainURL, cam.SubURL = RedactURL(cam.MainURL), RedactURL(cam.SubURL)
		c.Cameras[i] = cam
	}
	return &c
}

// Bounds returns the box enclosing the boundary and everything drawn on the plan.
func (s *Site) Bounds() Rect {
	r := s.Boundary.Bounds()
	for _, f := range s.Features {
		r = r.Union(f.Area.Bounds()).Union(f.Line.Bounds())
		if f.At != nil {
			r = r.Extend(*f.At)
		}
	}
	for _, b := range s.Buildings {
		r = r.Union(b.Footprint.Bounds())
	}
	return r
}

// Grid returns the grid with the given ID.
func (s *Site) Grid(id string) (*Grid, bool) {
	for i := range s.Grids {
		if s.Grids[i].ID == id {
			return &s.Grids[i], true
		}
	}
	return nil, false
}

// Building returns the building with the given ID.
func (s *Site) Building(id string) (*Building, bool) {
	for i := range s.Buildings {
		if s.Buildings[i].ID == id {
			return &s.Buildings[i], true
		}
	}
	return nil, false
}

// Camera returns the camera with the given ID.
func (s *Site) Camera(id string) (*Camera, bool) {
	for i := range s.Cameras {
		if s.Cameras[i].ID == id {
			return &s.Cameras[i], true
		}
	}
	return nil, false
}

// Device returns the device with the given ID.
func (s *Site) Device(id string) (*Device, bool) {
	for i := range s.Devices {
		if s.Devices[i].ID == id {
			return &s.Devices[i], true
		}
	}
	return nil, false
}

// GridAt returns the grid whose area contains p.
func (s *Site) GridAt(p Point) (*Grid, bool) {
	for i := range s.Grids {
		if s.Grids[i].Area.Contains(p) {
			return &s.Grids[i], true
		}
	}
	return nil, false
}

// AssignGrids fills in the grid of buildings, cameras and devices that have none, from
// where they stand; installers then only draw grids and place things.
func (s *Site) AssignGrids() {
	for i := range s.Buildings {
		b := &s.Buildings[i]
		if b.GridID == "" {
			if g, ok := s.GridAt(b.Footprint.Centroid()); ok {
				b.GridID = g.ID
			}
		}
	}
	for i := range s.Cameras {
		c := &s.Cameras[i]
		if c.GridID == "" {
			if g, ok := s.GridAt(c.Position); ok {
				c.GridID = g.ID
			}
		}
	}
	for i := range s.Devices {
		d := &s.Devices[i]
		if d.GridID == "" {
			if g, ok := s.GridAt(d.Position); ok {
				d.GridID = g.ID
			}
		}
	}
}

// SiteCounts summarises a site for logs and the journal.
type SiteCounts struct {
	Grids, Buildings, Cameras, Devices int
}

// Counts returns how many of each thing the site has.
func (s *Site) Counts() SiteCounts {
	return SiteCounts{len(s.Grids), len(s.Buildings), len(s.Cameras), len(s.Devices)}
}

func (c SiteCounts) String() string {
	return fmt.Sprintf("%d grids, %d buildings, %d cameras, %d devices", c.Grids, c.Buildings, c.Cameras, c.Devices)
}

// DevicesByKind groups the devices by kind, kinds in their canonical order.
func (s *Site) DevicesByKind() map[DeviceKind][]Device {
	out := map[DeviceKind][]Device{}
	for _, d := range s.Devices {
		out[d.Kind] = append(out[d.Kind], d)
	}
	for k := range out {
		sort.Slice(out[k], func(i, j int) bool { return out[k][i].ID < out[k][j].ID })
	}
	return out
}

var phoneChars = "0123456789+- ()"

func validPhone(s string) bool {
	digits := 0
	for _, r := range s {
		if !strings.ContainsRune(phoneChars, r) {
			return false
		}
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	return digits >= 3 && digits <= 20
}
