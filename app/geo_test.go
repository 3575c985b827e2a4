package app_test

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

func TestProjectionRoundTripWithinCentimetres(t *testing.T) {
	// Sunshine Garden would sit in a city at 31° N; the round trip and the distances it
	// gives must hold to centimetres across the site and well beyond.
	o := app.GeoOrigin{Lon: 121.4737, Lat: 31.2304}
	p := app.NewProjection(o)
	for _, pt := range []app.Point{{0, 0}, {400, 300}, {-50, 1200}, {2500, -800}, {0.01, 0.02}} {
		lon, lat := p.ToWGS84(pt)
		back := p.ToLocal(lon, lat)
		assert.InDelta(t, pt.X, back.X, 0.01, "x of %v", pt)
		assert.InDelta(t, pt.Y, back.Y, 0.01, "y of %v", pt)
	}
	// WGS-84 → metres → WGS-84 (the import/export direction), within a centimetre.
	for _, ll := range [][2]float64{{121.4737, 31.2304}, {121.4781, 31.2331}, {121.4702, 31.2299}} {
		m := p.ToLocal(ll[0], ll[1])
		lon, lat := p.ToWGS84(m)
		assert.InDelta(t, ll[0], lon, 1e-7) // 1e-7° ≈ 1 cm
		assert.InDelta(t, ll[1], lat, 1e-7)
	}
	// Distances agree with the ellipsoid: one minute of latitude here is about 1,848 m and
	// 0.001° of longitude about 95.2 m.
	north := p.ToLocal(o.Lon, o.Lat+1.0/60)
	assert.InDelta(t, 1848.0, north.Y, 3)
	east := p.ToLocal(o.Lon+0.001, o.Lat)
	assert.InDelta(t, 95.2, east.X, 0.3)
}

func TestRingCrossing(t *testing.T) {
	_, _, bad := app.RingCrossing(app.Polygon{{0, 0}, {10, 0}, {10, 10}, {0, 10}})
	assert.False(t, bad, "a square")
	_, _, bad = app.RingCrossing(app.Polygon{{0, 0}, {200, 0}, {200, 100}, {150, 100}, {150, 150}, {0, 150}})
	assert.False(t, bad, "an L-shaped grid")
	a, b, bad := app.RingCrossing(app.Polygon{{0, 0}, {10, 10}, {10, 0}, {0, 10}})
	assert.True(t, bad, "a bow tie")
	assert.Equal(t, []int{0, 2}, []int{a, b})
	_, _, bad = app.RingCrossing(app.Polygon{{0, 0}, {10, 0}, {10, 10}, {5, 0}, {0, 10}})
	assert.True(t, bad, "a corner touching an edge")
	_, _, bad = app.RingCrossing(app.Polygon{{0, 0}, {10, 0}, {20, 0}, {10, 0}, {10, 10}})
	assert.True(t, bad, "a spike folding back")
}

func TestBackgroundTransformFromTwoPoints(t *testing.T) {
	// A plan scanned at 0.25 m per pixel, turned 30° and with its top-left corner at
	// (100, 400) on the site.
	want := func(px app.Point) app.Point {
		th := 30 * math.Pi / 180
		x, y := px.X*0.25, -px.Y*0.25 // pixels down, metres north
		return app.Point{100 + x*math.Cos(th) - y*math.Sin(th), 400 + x*math.Sin(th) + y*math.Cos(th)}
	}
	p1, p2 := app.Point{120, 80}, app.Point{1500, 900}
	bg := app.Background{File: "plan.png", Refs: [2]app.RefPair{{p1, want(p1)}, {p2, want(p2)}}}
	require.NoError(t, bg.Validate())
	tr, err := bg.Transform()
	require.NoError(t, err)
	assert.InDelta(t, 0.25, tr.Scale(), 1e-9)
	for _, px := range []app.Point{{0, 0}, {2000, 0}, {640, 1024}} {
		got := tr.Apply(px)
		assert.InDelta(t, want(px).X, got.X, 1e-6)
		assert.InDelta(t, want(px).Y, got.Y, 1e-6)
		back := tr.Invert(got)
		assert.InDelta(t, px.X, back.X, 1e-6)
		assert.InDelta(t, px.Y, back.Y, 1e-6)
	}
	same := app.Background{File: "plan.png", Refs: [2]app.RefPair{{p1, want(p1)}, {p1, want(p2)}}}
	assert.True(t, app.IsCode(same.Validate(), app.CodeInvalid), "two equal pixels cannot align a picture")
}

// wgsSite is a small site surveyed in WGS-84, as a GIS would write it (no hints).
func wgsSite(grid string) string {
	return `{"type": "FeatureCollection", "features": [
  {"type": "Feature", "properties": {"watchpost:type": "boundary"},
   "geometry": {"type": "Polygon", "coordinates": [[[121.4700, 31.2300], [121.4742, 31.2300], [121.4742, 31.2327], [121.4700, 31.2327], [121.4700, 31.2300]]]}},
  {"type": "Feature", "id": "g1", "properties": {"watchpost:type": "grid", "name": "第一网格", "worker": {"name": "李秀英", "phone": "13800138001"}, "color": "#6f8fb0"},
   "geometry": {"type": "Polygon", "coordinates": [` + grid + `]}},
  {"type": "Feature", "properties": {"watchpost:type": "device", "id": "smoke-1", "kind": "smoke", "name": "烟感 1", "floor": 3},
   "geometry": {"type": "Point", "coordinates": [121.47105, 31.23051]}}
]}`
}

const okGrid = `[[121.4700, 31.2300], [121.4721, 31.2300], [121.4721, 31.2327], [121.4700, 31.2327], [121.4700, 31.2300]]`

func TestWGS84SiteIsProjectedAndExportedBack(t *testing.T) {
	s, err := app.ImportGeoJSON([]byte(wgsSite(okGrid)))
	require.NoError(t, err)
	require.NotNil(t, s.Origin, "the origin is kept for the way back")
	assert.InDelta(t, 121.47, s.Origin.Lon, 1e-9)
	assert.InDelta(t, 31.23, s.Origin.Lat, 1e-9)
	// 0.0042° of longitude at 31.23° N is about 400 m, 0.0027° of latitude about 300 m.
	b := s.Boundary.Bounds()
	assert.InDelta(t, 0, b.Min.X, 1e-6)
	assert.InDelta(t, 400, b.Max.X, 2)
	assert.InDelta(t, 300, b.Max.Y, 2)
	require.Len(t, s.Devices, 1)
	assert.Equal(t, 3, s.Devices[0].Floor, "properties are kept")
	assert.Equal(t, "13800138001", s.Grids[0].Worker.Phone)

	s.ID, s.Name = "wgs", "测试小区"
	out, err := app.ExportGeoJSON(s)
	require.NoError(t, err)
	var doc struct {
		Units    string `json:"watchpost:units"`
		Features []struct {
			Geometry struct {
				Type        string          `json:"type"`
				Coordinates json.RawMessage `json:"coordinates"`
			} `json:"geometry"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	require.NoError(t, json.Unmarshal(out, &doc))
	assert.Equal(t, "wgs84", doc.Units)
	var pt [2]float64
	require.NoError(t, json.Unmarshal(doc.Features[2].Geometry.Coordinates, &pt))
	assert.InDelta(t, 121.47105, pt[0], 1e-7, "longitude back within a centimetre")
	assert.InDelta(t, 31.23051, pt[1], 1e-7, "latitude back within a centimetre")

	again, err := app.ImportGeoJSON(out)
	require.NoError(t, err)
	assert.InDelta(t, s.Devices[0].Position.X, again.Devices[0].Position.X, 0.01)
	assert.InDelta(t, s.Devices[0].Position.Y, again.Devices[0].Position.Y, 0.01)
	assert.Equal(t, s.Origin, again.Origin)
}

func TestBadGeoJSONIsRefusedWithTheReasonAndTheFeature(t *testing.T) {
	cases := []struct {
		name, file string
		want       []string
	}{
		{"syntax", "{\"type\": \"FeatureCollection\",\n \"features\": [\n  {\"type\": \"Feature\",, }\n]}",
			[]string{"not valid JSON", "line 3"}},
		{"not a collection", `{"type": "Feature", "geometry": null, "properties": {}}`,
			[]string{"not a GeoJSON FeatureCollection", "Feature"}},
		{"self-intersecting grid", wgsSite(`[[121.4700, 31.2300], [121.4721, 31.2327], [121.4721, 31.2300], [121.4700, 31.2327], [121.4700, 31.2300]]`),
			[]string{"features[1]", "g1", "line 4", "crosses itself"}},
		{"unknown type", strings.Replace(wgsSite(okGrid), `"watchpost:type": "device"`, `"watchpost:type": "spaceship"`, 1),
			[]string{"features[2]", "smoke-1", "unknown watchpost:type spaceship"}},
		{"wrong geometry", strings.Replace(wgsSite(okGrid), `"watchpost:type": "grid"`, `"watchpost:type": "camera"`, 1),
			[]string{"features[1]", "g1", "needs a Point geometry, not Polygon"}},
		{"no boundary", strings.Replace(wgsSite(okGrid), `"watchpost:type": "boundary"`, `"watchpost:type": "green"`, 1),
			[]string{"no site boundary"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := app.ImportGeoJSON([]byte(c.file))
			require.Error(t, err)
			assert.True(t, app.IsCode(err, app.CodeInvalid), "%v", err)
			msg := err.(*app.Error).Text()
			for _, w := range c.want {
				assert.Contains(t, msg, w)
			}
		})
	}
}

func TestDemoSiteExportsAsGeoJSON(t *testing.T) {
	site := loadDemoSite(t)
	out, err := app.ExportGeoJSON(&site)
	require.NoError(t, err)
	var fc struct {
		Type     string           `json:"type"`
		Units    string           `json:"watchpost:units"`
		Features []map[string]any `json:"features"`
	}
	require.NoError(t, json.Unmarshal(out, &fc))
	assert.Equal(t, "FeatureCollection", fc.Type)
	assert.Equal(t, "m", fc.Units, "a plan in local metres says so")
	c := site.Counts()
	assert.Len(t, fc.Features, 1+len(site.Features)+c.Grids+c.Buildings+c.Cameras+c.Devices)
	types := map[string]int{}
	for _, f := range fc.Features {
		types[fmt.Sprint(f["properties"].(map[string]any)["watchpost:type"])]++
	}
	assert.Equal(t, 1, types["boundary"])
	assert.Equal(t, c.Grids, types["grid"])
	assert.Equal(t, 6, types["road"])

	back, err := app.ImportGeoJSON(out)
	require.NoError(t, err)
	back.AssignGrids()
	assert.Equal(t, site.Redacted(), back, "the plan, grids and everything on them come back as they were")
}
