package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// The site plan as GeoJSON (RFC 7946): a FeatureCollection in which every feature carries
// "watchpost:type" (boundary, road, gate, carpark, green, plaza, water, grid, building,
// camera, device) and the fields of its object as properties. The collection carries the
// site's own fields in "watchpost:site", and "watchpost:units" says whether the coordinates
// are WGS-84 longitude/latitude ("wgs84") or the site's local metres ("m").
//
// On import, WGS-84 coordinates (the units say so, an old-style "crs" names CRS84 or
// EPSG:4326, or every coordinate is a longitude/latitude within a few kilometres) are
// projected to local metres about the south-west corner (or "watchpost:origin"); the
// origin is kept so that an export gives WGS-84 back.

// Feature types of the GeoJSON plan.
const (
	GeoBoundary = "boundary"
	GeoGrid     = "grid"
	GeoBuilding = "building"
	GeoCamera   = "camera"
	GeoDevice   = "device"
)

const (
	geoTypeKey   = "watchpost:type"
	geoSiteKey   = "watchpost:site"
	geoUnitsKey  = "watchpost:units"
	geoOriginKey = "watchpost:origin"
	unitsMetres  = "m"
	unitsWGS84   = "wgs84"
)

// geoSite is the site's own data in the collection.
type geoSite struct {
	ID string `json:"id,omitempty"`
	Names
	Address  string    `json:"address,omitempty"`
	TimeZone string    `json:"time_zone,omitempty"`
	Demo     bool      `json:"demo,omitempty"`
	Vehicles []Vehicle `json:"vehicles,omitempty"`
	Contacts []Contact `json:"contacts,omitempty"`
}

// ExportGeoJSON writes the site as a GeoJSON FeatureCollection. Camera addresses are
// exported without their passwords.
func ExportGeoJSON(site *Site) ([]byte, error) {
	s := site.Redacted()
	fc := geojson.NewFeatureCollection()
	units := unitsMetres
	var proj *Projection
	if s.Origin != nil {
		p := NewProjection(*s.Origin)
		proj, units = &p, unitsWGS84
	}
	pt := func(p Point) orb.Point {
		if proj != nil {
			lon, lat := proj.ToWGS84(p)
			return orb.Point{lon, lat}
		}
		return orb.Point{p.X, p.Y}
	}
	poly := func(pg Polygon) orb.Polygon {
		// RFC 7946: exterior rings counterclockwise, first point repeated at the end.
		pts := pg
		if signedArea(pg) < 0 {
			pts = make(Polygon, len(pg))
			for i := range pg {
				pts[i] = pg[len(pg)-1-i]
			}
		}
		r := make(orb.Ring, 0, len(pts)+1)
		for _, p := range pts {
			r = append(r, pt(p))
		}
		if len(pts) > 0 {
			r = append(r, pt(pts[0]))
		}
		return orb.Polygon{r}
	}
	line := func(pl Polyline) orb.LineString {
		out := make(orb.LineString, len(pl))
		for i, p := range pl {
			out[i] = pt(p)
		}
		return out
	}
	var ferr error
	add := func(typ, id string, g orb.Geometry, v any, drop ...string) {
		f := geojson.NewFeature(g)
		if id != "" {
			f.ID = id
		}
		props := geojson.Properties{}
		if v != nil {
			b, err := json.Marshal(v)
			if err == nil {
				err = json.Unmarshal(b, &props)
			}
			if err != nil && ferr == nil {
				ferr = err
			}
		}
		for _, k := range drop {
			delete(props, k)
		}
		props[geoTypeKey] = typ
		f.Properties = props
		fc.Append(f)
	}
	add(GeoBoundary, "", poly(s.Boundary), nil)
	for _, f := range s.Features {
		switch f.Kind {
		case FeatureRoad:
			add(string(f.Kind), f.ID, line(f.Line), f, "kind", "line", "area", "at")
		case FeatureGate:
			if f.At != nil {
				add(string(f.Kind), f.ID, pt(*f.At), f, "kind", "line", "area", "at")
			}
		default:
			add(string(f.Kind), f.ID, poly(f.Area), f, "kind", "line", "area", "at")
		}
	}
	for _, g := range s.Grids {
		add(GeoGrid, g.ID, poly(g.Area), g, "area")
	}
	for _, b := range s.Buildings {
		add(GeoBuilding, b.ID, poly(b.Footprint), b, "footprint")
	}
	for _, c := range s.Cameras {
		add(GeoCamera, c.ID, pt(c.Position), c, "position")
	}
	for _, d := range s.Devices {
		add(GeoDevice, d.ID, pt(d.Position), d, "position")
	}
	if ferr != nil {
		return nil, Errorf(CodeInternal, "The site cannot be exported").Wrap(ferr)
	}
	fc.ExtraMembers = geojson.Properties{
		geoUnitsKey: units,
		geoSiteKey:  geoSite{ID: s.ID, Names: s.Names, Address: s.Address, TimeZone: s.TimeZone, Demo: s.Demo, Vehicles: s.Vehicles, Contacts: s.Contacts},
	}
	if s.Origin != nil {
		fc.ExtraMembers[geoOriginKey] = *s.Origin
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(fc); err != nil {
		return nil, Errorf(CodeInternal, "The site cannot be exported").Wrap(err)
	}
	return buf.Bytes(), nil
}

func signedArea(pg Polygon) float64 {
	s := 0.0
	for i, j := 0, len(pg)-1; i < len(pg); j, i = i, i+1 {
		s += pg[j].X*pg[i].Y - pg[i].X*pg[j].Y
	}
	return s / 2
}

// lineAt returns the 1-based line of a byte offset.
func lineAt(data []byte, off int64) int {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	if off < 0 {
		off = 0
	}
	return bytes.Count(data[:off], []byte("\n")) + 1
}

// rawCollection is the collection read member by member, remembering where each feature
// starts (for the line numbers of messages).
type rawCollection struct {
	Type     string
	Features []json.RawMessage
	Offsets  []int64
	CRS      json.RawMessage
	Units    string
	Origin   *GeoOrigin
	Site     json.RawMessage
}

func jsonError(data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	off := int64(-1)
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		off = int64(len(data))
	}
	if off < 0 {
		return Errorf(CodeInvalid, "The file is not valid JSON: {{.Why}}", "Why", err.Error()).Wrap(err)
	}
	line := lineAt(data, off)
	start := bytes.LastIndexByte(data[:min(off, int64(len(data)))], '\n') + 1
	col := int(off) - start + 1
	return Errorf(CodeInvalid, "The file is not valid JSON at line {{.Line}}, column {{.Col}}: {{.Why}}",
		"Line", line, "Col", col, "Why", err.Error()).Wrap(err)
}

func readCollection(data []byte) (*rawCollection, error) {
	// A first pass with the standard decoder finds syntax errors with their offset.
	var probe any
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, jsonError(data, err)
	}
	if _, ok := probe.(map[string]any); !ok {
		return nil, Errorf(CodeInvalid, "The file is not a GeoJSON FeatureCollection (its type is {{.Type}})", "Type", fmt.Sprintf("%T", probe))
	}
	rc := &rawCollection{}
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil { // {
		return nil, jsonError(data, err)
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, jsonError(data, err)
		}
		key, _ := t.(string)
		switch key {
		case "features":
			if t, err := dec.Token(); err != nil {
				return nil, jsonError(data, err)
			} else if d, ok := t.(json.Delim); !ok || d != '[' {
				return nil, Errorf(CodeInvalid, "The features of a FeatureCollection must be a list")
			}
			for dec.More() {
				off := dec.InputOffset()
				var raw json.RawMessage
				if err := dec.Decode(&raw); err != nil {
					return nil, jsonError(data, err)
				}
				// InputOffset is before any whitespace and comma: skip to the value.
				for off < int64(len(data)) && strings.ContainsRune(" \t\r\n,", rune(data[off])) {
					off++
				}
				rc.Features = append(rc.Features, raw)
				rc.Offsets = append(rc.Offsets, off)
			}
			if _, err := dec.Token(); err != nil { // ]
				return nil, jsonError(data, err)
			}
		default:
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return nil, jsonError(data, err)
			}
			var err error
			switch key {
			case "type":
				err = json.Unmarshal(raw, &rc.Type)
			case "crs":
				rc.CRS = raw
			case geoUnitsKey:
				err = json.Unmarshal(raw, &rc.Units)
			case geoOriginKey:
				err = json.Unmarshal(raw, &rc.Origin)
			case geoSiteKey:
				rc.Site = raw
			}
			if err != nil {
				return nil, Errorf(CodeInvalid, "The member {{.Key}} of the file cannot be read: {{.Why}}", "Key", key, "Why", err.Error()).Wrap(err)
			}
		}
	}
	if rc.Type != "FeatureCollection" {
		return nil, Errorf(CodeInvalid, "The file is not a GeoJSON FeatureCollection (its type is {{.Type}})", "Type", rc.Type)
	}
	return rc, nil
}

// geoFeature is one feature read from the file, with where it came from for messages.
type geoFeature struct {
	index int
	line  int
	typ   string
	name  string // its ID or name, for messages
	f     *geojson.Feature
}

// args are the fields of a message about the feature: N, Name, Line and more.
func (g *geoFeature) args(kv ...any) []any {
	return append([]any{"N", g.index, "Name", g.name, "Line", g.line}, kv...)
}

// wgs84Hint reads the units of the file: true for WGS-84, false for metres, nil when the
// file does not say.
func (rc *rawCollection) wgs84Hint() *bool {
	yes, no := true, false
	switch strings.ToLower(strings.TrimSpace(rc.Units)) {
	case "wgs84", "wgs-84", "degrees", "epsg:4326", "crs84":
		return &yes
	case "m", "metres", "meters", "local":
		return &no
	}
	if len(rc.CRS) > 0 {
		s := strings.ToUpper(string(rc.CRS))
		if strings.Contains(s, "CRS84") || strings.Contains(s, "4326") {
			return &yes
		}
		return &no // some other named system: taken as local metres
	}
	return nil
}

// ImportGeoJSON reads a site plan written by ExportGeoJSON or drawn in a GIS. It refuses a
// file that is not valid GeoJSON, a feature of an unknown type or with the wrong geometry,
// and outlines that cross themselves, naming the feature (its index in "features", its ID
// or name, and its line). The site's ID and names come from "watchpost:site" when present
// (else they are left empty for the caller to fill).
func ImportGeoJSON(data []byte) (*Site, error) {
	rc, err := readCollection(data)
	if err != nil {
		return nil, err
	}
	feats := make([]*geoFeature, 0, len(rc.Features))
	var all []orb.Point
	for i, raw := range rc.Features {
		gf := &geoFeature{index: i, line: lineAt(data, rc.Offsets[i]), name: "-"}
		f, err := geojson.UnmarshalFeature(raw)
		if err != nil {
			return nil, Errorf(CodeInvalid, "features[{{.N}}] ({{.Name}}, line {{.Line}}): the feature cannot be read: {{.Why}}", gf.args("Why", err.Error())...).Wrap(err)
		}
		gf.f = f
		if id, ok := f.Properties["id"].(string); ok && id != "" {
			gf.name = id
		} else if f.ID != nil {
			gf.name = fmt.Sprint(f.ID)
		} else if n, ok := f.Properties["name"].(string); ok && n != "" {
			gf.name = n
		}
		typ, _ := f.Properties[geoTypeKey].(string)
		if typ == "" {
			return nil, Errorf(CodeInvalid, "features[{{.N}}] ({{.Name}}, line {{.Line}}): it has no watchpost:type", gf.args()...)
		}
		gf.typ = typ
		if f.Geometry == nil {
			return nil, Errorf(CodeInvalid, "features[{{.N}}] ({{.Name}}, line {{.Line}}): it has no geometry", gf.args()...)
		}
		start := len(all)
		switch g := f.Geometry.(type) {
		case orb.Point:
			all = append(all, g)
		case orb.LineString:
			all = append(all, g...)
		case orb.Polygon:
			for _, r := range g {
				all = append(all, r...)
			}
		}
		for _, p := range all[start:] {
			if math.IsNaN(p[0]) || math.IsNaN(p[1]) || math.IsInf(p[0], 0) || math.IsInf(p[1], 0) {
				return nil, Errorf(CodeInvalid, "features[{{.N}}] ({{.Name}}, line {{.Line}}): its coordinates are not numbers", gf.args()...)
			}
		}
		feats = append(feats, gf)
	}

	// Units: what the file says, or what its coordinates look like.
	wgs := false
	if h := rc.wgs84Hint(); h != nil {
		wgs = *h
	} else if len(all) > 0 {
		b := orb.MultiPoint(all).Bound()
		wgs = b.Min[0] >= -180 && b.Max[0] <= 180 && b.Min[1] >= -90 && b.Max[1] <= 90 &&
			b.Max[0]-b.Min[0] < 0.5 && b.Max[1]-b.Min[1] < 0.5
	}
	site := &Site{}
	var proj *Projection
	if wgs {
		o := GeoOrigin{}
		if rc.Origin != nil {
			o = *rc.Origin
		} else if len(all) > 0 {
			b := orb.MultiPoint(all).Bound()
			o = GeoOrigin{Lon: b.Min[0], Lat: b.Min[1]}
		}
		p := NewProjection(o)
		proj = &p
		site.Origin = &o
	}
	toPoint := func(p orb.Point) Point {
		if proj != nil {
			return proj.ToLocal(p[0], p[1])
		}
		return Point{p[0], p[1]}
	}

	if len(rc.Site) > 0 {
		var gs geoSite
		if err := json.Unmarshal(rc.Site, &gs); err != nil {
			return nil, Errorf(CodeInvalid, "The member {{.Key}} of the file cannot be read: {{.Why}}", "Key", geoSiteKey, "Why", err.Error()).Wrap(err)
		}
		site.ID, site.Names, site.Address, site.Demo, site.Vehicles, site.Contacts = gs.ID, gs.Names, gs.Address, gs.Demo, gs.Vehicles, gs.Contacts
		site.TimeZone = gs.TimeZone
	}

	boundaries := 0
	for _, gf := range feats {
		f := gf.f
		ring := func() (Polygon, error) {
			pg, ok := f.Geometry.(orb.Polygon)
			if !ok {
				return nil, Errorf(CodeInvalid, "features[{{.N}}] ({{.Name}}, line {{.Line}}): a {{.Type}} needs a Polygon geometry, not {{.Got}}", gf.args("Type", gf.typ, "Got", f.Geometry.GeoJSONType())...)
			}
			if len(pg) == 0 {
				return nil, Errorf(CodeInvalid, "features[{{.N}}] ({{.Name}}, line {{.Line}}): an outline needs at least three distinct points", gf.args()...)
			}
			if len(pg) > 1 {
				return nil, Errorf(CodeInvalid, "features[{{.N}}] ({{.Name}}, line {{.Line}}): areas with holes are not supported", gf.args()...)
			}
			r := pg[0]
			out := make(Polygon, 0, len(r))
			for _, p := range r {
				q := toPoint(p)
				if len(out) > 0 && out[len(out)-1] == q {
					continue // a repeated point
				}
				out = append(out, q)
			}
			if len(out) > 1 && out[0] == out[len(out)-1] {
				out = out[:len(out)-1] // GeoJSON closes its rings
			}
			if len(out) < 3 {
				return nil, Errorf(CodeInvalid, "features[{{.N}}] ({{.Name}}, line {{.Line}}): an outline needs at least three distinct points", gf.args()...)
			}
			if a, b, bad := RingCrossing(out); bad {
				return nil, Errorf(CodeInvalid, "features[{{.N}}] ({{.Name}}, line {{.Line}}): its outline crosses itself (edges {{.A}} and {{.B}})", gf.args("A", a+1, "B", b+1)...)
			}
			if out.Area() == 0 {
				return nil, Errorf(CodeInvalid, "features[{{.N}}] ({{.Name}}, line {{.Line}}): an outline needs at least three distinct points", gf.args()...)
			}
			return out, nil
		}
		point := func() (Point, error) {
			p, ok := f.Geometry.(orb.Point)
			if !ok {
				return Point{}, Errorf(CodeInvalid, "features[{{.N}}] ({{.Name}}, line {{.Line}}): a {{.Type}} needs a Point geometry, not {{.Got}}", gf.args("Type", gf.typ, "Got", f.Geometry.GeoJSONType())...)
			}
			return toPoint(p), nil
		}
		props := func(v any, drop ...string) error {
			m := make(map[string]any, len(f.Properties))
			for k, x := range f.Properties {
				if !strings.HasPrefix(k, "watchpost:") {
					m[k] = x
				}
			}
			for _, k := range drop {
				delete(m, k)
			}
			if _, ok := m["id"]; !ok && f.ID != nil {
				m["id"] = fmt.Sprint(f.ID)
			}
			b, _ := json.Marshal(m)
			if err := json.Unmarshal(b, v); err != nil {
				return Errorf(CodeInvalid, "features[{{.N}}] ({{.Name}}, line {{.Line}}): its properties cannot be read: {{.Why}}", gf.args("Why", err.Error())...).Wrap(err)
			}
			return nil
		}

		switch gf.typ {
		case GeoBoundary:
			boundaries++
			if boundaries > 1 {
				return nil, Errorf(CodeInvalid, "features[{{.N}}] ({{.Name}}, line {{.Line}}): the file has more than one site boundary", gf.args()...)
			}
			pg, err := ring()
			if err != nil {
				return nil, err
			}
			site.Boundary = pg
		case string(FeatureRoad), string(FeatureGate), string(FeatureCarPark), string(FeatureGreen), string(FeaturePlaza), string(FeatureWater):
			var x Feature
			if err := props(&x, "kind", "line", "area", "at"); err != nil {
				return nil, err
			}
			x.Kind = FeatureKind(gf.typ)
			switch x.Kind {
			case FeatureRoad:
				ls, ok := f.Geometry.(orb.LineString)
				if !ok {
					return nil, Errorf(CodeInvalid, "features[{{.N}}] ({{.Name}}, line {{.Line}}): a {{.Type}} needs a LineString geometry, not {{.Got}}", gf.args("Type", gf.typ, "Got", f.Geometry.GeoJSONType())...)
				}
				for _, p := range ls {
					x.Line = append(x.Line, toPoint(p))
				}
			case FeatureGate:
				p, err := point()
				if err != nil {
					return nil, err
				}
				x.At = &p
			default:
				pg, err := ring()
				if err != nil {
					return nil, err
				}
				x.Area = pg
			}
			site.Features = append(site.Features, x)
		case GeoGrid:
			var g Grid
			if err := props(&g, "area"); err != nil {
				return nil, err
			}
			pg, err := ring()
			if err != nil {
				return nil, err
			}
			g.Area = pg
			site.Grids = append(site.Grids, g)
		case GeoBuilding:
			var b Building
			if err := props(&b, "footprint"); err != nil {
				return nil, err
			}
			pg, err := ring()
			if err != nil {
				return nil, err
			}
			b.Footprint = pg
			site.Buildings = append(site.Buildings, b)
		case GeoCamera:
			var c Camera
			if err := props(&c, "position"); err != nil {
				return nil, err
			}
			p, err := point()
			if err != nil {
				return nil, err
			}
			c.Position = p
			site.Cameras = append(site.Cameras, c)
		case GeoDevice:
			var d Device
			if err := props(&d, "position"); err != nil {
				return nil, err
			}
			p, err := point()
			if err != nil {
				return nil, err
			}
			d.Position = p
			site.Devices = append(site.Devices, d)
		default:
			return nil, Errorf(CodeInvalid, "features[{{.N}}] ({{.Name}}, line {{.Line}}): unknown watchpost:type {{.Type}}", gf.args("Type", gf.typ)...)
		}
	}
	if boundaries == 0 {
		return nil, Errorf(CodeInvalid, "The file has no site boundary (a feature with watchpost:type boundary)")
	}
	return site, nil
}
