package mapdraw

import (
	"image"
	"image/color"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/assets"
)

// symbols are the console's marker icons (the renderer is given them; it imports no assets).
var symbols = NewIcons(assets.SymbolSVG)

func demoSite(t *testing.T) *app.Site {
	t.Helper()
	site, err := assets.DemoSite()
	require.NoError(t, err)
	return site
}

// fitted is a renderer of the site showing all of it in w × h pixels.
func fitted(site *app.Site, w, h int, opts Options) *Renderer {
	r := New(site, opts)
	r.Resize(w, h)
	r.SetView(Fit(r.Bounds(), w, h, 16))
	return r
}

func TestDemoSiteMatchesItsGolden(t *testing.T) {
	// The demo site with an acknowledged P1 alarm on a smoke detector and its grid, and a
	// camera selected (its cone brightened), compared with a golden picture; run with
	// WATCHPOST_UPDATE_GOLDEN=1 to write it again after a deliberate change.
	r := fitted(demoSite(t), 640, 480, Options{Icons: symbols})
	_, ok := r.SetLook("device:smoke-b03-u2-12", LookAlarm, app.P1)
	require.True(t, ok)
	r.SetGridMarks(map[string]GridMark{"g1": {Prio: app.P1}})
	r.Select("camera:cam-plaza")
	matchesGolden(t, r.Render(), "demo.png")
}

// A square site of two grids side by side, red and blue, drawn 1:1 with a 20 px margin:
// site (x, y) is pixel (x+20, 120−y).
func twoGrids() *app.Site {
	sq := func(x0, x1 float64) app.Polygon {
		return app.Polygon{{X: x0, Y: 0}, {X: x1, Y: 0}, {X: x1, Y: 100}, {X: x0, Y: 100}}
	}
	return &app.Site{Boundary: sq(0, 200), Grids: []app.Grid{
		{ID: "west", Area: sq(0, 100), Color: "#ff0000"},
		{ID: "east", Area: sq(100, 200), Color: "#0000ff"},
	}}
}

func TestGridsAreDrawnInTheirColours(t *testing.T) {
	pal := DarkPalette()
	r := New(twoGrids(), Options{Palette: pal})
	r.Resize(240, 140)
	r.SetView(View{Scale: 1, OX: -20, OY: 120})
	img := r.Render()
	at := func(x, y int) color.NRGBA {
		return color.NRGBA(img.RGBAAt(x, y)) // opaque pixels: the same bytes
	}
	red, blue := color.NRGBA{0xff, 0, 0, 0xff}, color.NRGBA{0, 0, 0xff, 0xff}
	assert.Equal(t, pal.Outside, at(5, 5), "outside the site")
	assert.Equal(t, mix(pal.Ground, red, 0x40), at(70, 70), "the west grid tints the ground red")
	assert.Equal(t, mix(pal.Ground, blue, 0x40), at(170, 70), "the east grid blue")
	assert.Equal(t, blue, at(120, 70), "their common edge in the colour of the grid drawn last")
	assert.Equal(t, pal.Boundary, at(20, 70), "the site's boundary over the grids' outlines")

	// An alarm on the east grid: its outline in the priority's colour, its inside tinted.
	rects := r.SetGridMarks(map[string]GridMark{"east": {Prio: app.P1}})
	require.NotEmpty(t, rects)
	r.Redraw(rects)
	assert.Equal(t, pal.P[1], at(120, 70))
	inside := at(170, 70)
	assert.Greater(t, int(inside.R), int(mix(pal.Ground, blue, 0x40).R)+20, "tinted towards P1's red: %v", inside)
	assert.Equal(t, mix(pal.Ground, red, 0x40), at(70, 70), "the west grid is as it was")

	// With the grids' layer off, neither tint nor outline.
	l := r.Layers()
	l.Grids = false
	r.SetLayers(l)
	r.SetGridMarks(nil)
	r.Render()
	assert.Equal(t, pal.Ground, at(70, 70))
	assert.Equal(t, pal.Ground, at(120, 70))
}

func TestHitTestingFindsWhatIsThere(t *testing.T) {
	site := demoSite(t)
	r := fitted(site, 1200, 900, Options{})
	r.Render()
	v := r.View()
	cam, _ := site.Camera("cam-plaza")
	c := v.Px(cam.Position)
	assert.Equal(t, "camera:cam-plaza", r.KeyAt(float64(c.X), float64(c.Y)), "a camera's marker")
	m, ok := r.MarkerAt(float64(c.X)+2, float64(c.Y)-2)
	require.True(t, ok, "a couple of pixels off its centre")
	require.NotNil(t, m.Camera)
	assert.Equal(t, "cam-plaza", m.Camera.ID)

	b, _ := site.Building("b09")
	q := v.Px(app.Point{X: b.Footprint[0].X + 2, Y: b.Footprint[0].Y + 2})
	assert.Equal(t, "building:b09", r.KeyAt(float64(q.X), float64(q.Y)), "a building off the markers")
	q = v.Px(app.Point{X: 270, Y: 60}) // open ground in grid 2
	assert.Equal(t, "grid:g2", r.KeyAt(float64(q.X), float64(q.Y)))
	assert.Equal(t, "", r.KeyAt(2, 2), "nothing outside the site")

	// What is not shown cannot be hit.
	l := r.Layers()
	l.Cameras, l.Grids = false, false
	r.SetLayers(l)
	r.Render()
	assert.NotEqual(t, "camera:cam-plaza", r.KeyAt(float64(c.X), float64(c.Y)))
	q = v.Px(app.Point{X: 270, Y: 60})
	assert.Equal(t, "", r.KeyAt(float64(q.X), float64(q.Y)))
}

func TestHitTestingFindsTheTopMarker(t *testing.T) {
	r := New(syntheticSite(5000, 200), Options{})
	sc := r.scene
	r.Resize(1600, 900)
	r.SetView(Fit(r.Bounds(), 1600, 900, 20).ZoomAt(4, 800, 450))
	r.Render()
	found := 0
	for i := range sc.markers {
		m := &sc.markers[i]
		if !m.Shown {
			continue
		}
		c := r.view.Px(m.Pos)
		got := r.hitMarker(float64(c.X), float64(c.Y))
		require.GreaterOrEqual(t, got, 0)
		// Another marker may lie on top of this one; then it is drawn later.
		if got != i {
			assert.Greater(t, r.rank[got], r.rank[i], "the marker on top wins")
		} else {
			found++
		}
	}
	assert.Greater(t, found, 100)
	// An alarmed marker is drawn over its neighbours, and wins.
	r.setLook(7, LookBlink, app.P1)
	r.Render()
	c := r.view.Px(sc.markers[7].Pos)
	assert.Equal(t, 7, r.hitMarker(float64(c.X)+1, float64(c.Y)+1), "an alarmed marker is on top")
	_, ok := New(&app.Site{}, Options{}).MarkerAt(10, 10)
	assert.False(t, ok, "an empty site has no markers")
}

func TestBackgroundPictureIsAlignedByTwoPoints(t *testing.T) {
	// A 200 × 150 picture whose left half is red and right half blue, its corners put on
	// the demo site's corners (0, 300) and (400, 0): 2 m a pixel.
	pic := image.NewRGBA(image.Rect(0, 0, 200, 150))
	for y := 0; y < 150; y++ {
		for x := 0; x < 200; x++ {
			c := color.RGBA{0xff, 0, 0, 0xff}
			if x >= 100 {
				c = color.RGBA{0, 0, 0xff, 0xff}
			}
			pic.SetRGBA(x, y, c)
		}
	}
	bg := app.Background{File: "plan.png", Refs: [2]app.RefPair{
		{Pixel: app.Point{X: 0, Y: 0}, Site: app.Point{X: 0, Y: 300}}, {Pixel: app.Point{X: 200, Y: 150}, Site: app.Point{X: 400, Y: 0}}}}
	tr, err := bg.Transform()
	require.NoError(t, err)
	r := New(&app.Site{Boundary: app.Polygon{{X: 0, Y: 0}, {X: 400, Y: 0}, {X: 400, Y: 300}, {X: 0, Y: 300}}}, Options{})
	r.SetBackground(&Background{Image: pic, Transform: tr, Alpha: 1})
	r.Resize(400, 300)
	r.SetView(View{Scale: 1, OX: 0, OY: 300})
	img := r.Render()
	west, east := img.RGBAAt(100, 150), img.RGBAAt(300, 150) // site (100, 150) and (300, 150)
	assert.Greater(t, int(west.R), int(west.B)+60, "the west half of the site shows the red half: %v", west)
	assert.Greater(t, int(east.B), int(east.R)+60, "the east half shows the blue half: %v", east)

	// Switched off, the ground is plain again.
	l := r.Layers()
	l.Background = false
	r.SetLayers(l)
	r.Render()
	ground := DarkPalette().Ground
	assert.Equal(t, color.RGBA{ground.R, ground.G, ground.B, 0xff}, img.RGBAAt(100, 150))
}

func TestViewMapsSitePointsToPixelsAndBack(t *testing.T) {
	b := app.Rect{Min: app.Point{X: -50, Y: 10}, Max: app.Point{X: 350, Y: 210}}
	v := Fit(b, 800, 600, 20)
	for _, p := range []app.Point{b.Min, b.Max, {X: 100, Y: 100}} {
		q := v.Px(p)
		assert.True(t, q.X >= 19 && q.X <= 781 && q.Y >= 19 && q.Y <= 581, "%v is in view, within the margin: %v", p, q)
		back := v.Site(float64(q.X), float64(q.Y))
		assert.InDelta(t, p.X, back.X, 1e-3)
		assert.InDelta(t, p.Y, back.Y, 1e-3)
	}
	top, bottom := v.Px(app.Point{X: 0, Y: 200}), v.Px(app.Point{X: 0, Y: 20})
	assert.Less(t, top.Y, bottom.Y, "north is up")

	// Zooming keeps the point under the pointer where it is.
	z := v.ZoomAt(3, 200, 150)
	assert.InDelta(t, v.Scale*3, z.Scale, 1e-9)
	p, q := v.Site(200, 150), z.Site(200, 150)
	assert.InDelta(t, p.X, q.X, 1e-9)
	assert.InDelta(t, p.Y, q.Y, 1e-9)
	c := z.Centred(app.Point{X: 7, Y: 8}).Centre()
	assert.InDelta(t, 7, c.X, 1e-9)
	assert.InDelta(t, 8, c.Y, 1e-9)
}

func TestEditHandlesAreFoundWhereTheyAreDrawn(t *testing.T) {
	site := demoSite(t)
	r := fitted(site, 1200, 900, Options{})
	r.SetEditing(true)
	r.Select("grid:g1")
	before := r.Render()
	g, _ := site.Grid("g1")
	v := r.View()
	corner := v.Px(g.Area[2])
	handle := before.RGBAAt(int(corner.X), int(corner.Y))
	assert.Equal(t, color.RGBA{0xff, 0xff, 0xff, 0xff}, handle, "a corner's handle is drawn on it")
	i, mid := r.VertexAt(g, float64(corner.X)+3, float64(corner.Y)-3)
	assert.Equal(t, 2, i)
	assert.False(t, mid)
	a, b := v.Px(g.Area[0]), v.Px(g.Area[1])
	i, mid = r.VertexAt(g, float64(a.X+b.X)/2, float64(a.Y+b.Y)/2)
	assert.Equal(t, 0, i)
	assert.True(t, mid, "an edge's middle adds a corner")
	i, _ = r.VertexAt(g, 3, 3)
	assert.Equal(t, -1, i)

	// A draft moves the corner on the picture, not in the plan.
	moved := append(app.Polygon(nil), g.Area...)
	moved[2] = app.Point{X: moved[2].X + 20, Y: moved[2].Y + 20}
	r.SetDraft(Draft{GridID: "g1", Area: moved})
	r.Render()
	now := v.Px(moved[2])
	i, _ = r.VertexAt(g, float64(now.X), float64(now.Y))
	assert.Equal(t, 2, i, "the handle follows the draft")
	assert.NotEqual(t, moved[2], g.Area[2], "the site is untouched")

	// A selected camera's aim handle lies in the direction it looks.
	cam, _ := site.Camera("cam-plaza")
	r.Select("camera:" + cam.ID)
	o, tip := r.AimHandle(cam)
	assert.True(t, r.Near(tip, float64(tip.X)+4, float64(tip.Y)), "the tip takes a press beside it")
	assert.False(t, r.Near(tip, float64(o.X), float64(o.Y)), "but not the camera itself")
}

func TestMarkersShowTheIconsTheCallerGives(t *testing.T) {
	// One smoke detector, zoomed in so that markers are big enough for their icon.
	site := &app.Site{Boundary: app.Polygon{{X: 0, Y: 0}, {X: 40, Y: 0}, {X: 40, Y: 40}, {X: 0, Y: 40}},
		Devices: []app.Device{{ID: "s1", Kind: app.KindSmoke, Position: app.Point{X: 20, Y: 20}}}}
	draw := func(icons *Icons) *image.RGBA {
		r := New(site, Options{Icons: icons})
		r.Resize(120, 120)
		r.SetView(View{Scale: 3, OX: 0, OY: 40})
		return r.Render()
	}
	plain := draw(nil)
	withIcon := draw(symbols)
	broken := draw(NewIcons(func(string) ([]byte, bool) { return []byte("<svg"), true }))
	missing := draw(NewIcons(func(string) ([]byte, bool) { return nil, false }))
	differ := 0
	for i := range plain.Pix {
		if plain.Pix[i] != withIcon.Pix[i] {
			differ++
		}
	}
	assert.Greater(t, differ, 20, "the icon is drawn on the marker")
	assert.Equal(t, plain.Pix, broken.Pix, "a symbol that does not parse: a plain disc, no crash")
	assert.Equal(t, plain.Pix, missing.Pix, "no such symbol: a plain disc")
}
