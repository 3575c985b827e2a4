package ui

import (
	"bytes"
	"image"
	"image/color"
	"math"
	"sort"
	"sync"

	"github.com/fyne-io/oksvg"
	"github.com/srwiley/rasterx"
	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/math/f64"

	"watchpost/app"
	"watchpost/assets"
)

// The map's renderer: the site plan drawn from its vector data into image layers.
//
//   - static: the background picture, the ground, green space, water, roads, buildings,
//     the grids' tints and outlines and the cameras' view cones. Drawn again only when the
//     view (pan, zoom, size), the layers or the plan (an edit) change.
//   - out: static plus what changes: alarmed grids, markers, the selection, edit handles.
//
// A change of a marker (a blink, a device going offline) redraws only its rectangle:
// static is copied back there and whatever overlaps it is drawn again, in order.

// mapView maps site metres to pixels: Scale pixels per metre, (OX, OY) the site point at
// the top-left pixel (Y grows north on the site, down on screen).
type mapView struct {
	Scale  float64
	OX, OY float64
	W, H   int
}

func (v mapView) px(p app.Point) fpt {
	return fpt{float32((p.X - v.OX) * v.Scale), float32((v.OY - p.Y) * v.Scale)}
}

func (v mapView) site(x, y float64) app.Point {
	return app.Point{X: v.OX + x/v.Scale, Y: v.OY - y/v.Scale}
}

// fit returns the view showing r whole and centred, with a margin in pixels.
func fitView(r app.Rect, w, h int, margin float64) mapView {
	v := mapView{W: w, H: h, Scale: 1}
	if r.Empty() || w <= 0 || h <= 0 {
		return v
	}
	dw, dh := math.Max(r.Max.X-r.Min.X, 1), math.Max(r.Max.Y-r.Min.Y, 1)
	v.Scale = math.Min((float64(w)-2*margin)/dw, (float64(h)-2*margin)/dh)
	if v.Scale <= 0 {
		v.Scale = math.Min(float64(w)/dw, float64(h)/dh)
	}
	cx, cy := (r.Min.X+r.Max.X)/2, (r.Min.Y+r.Max.Y)/2
	v.OX = cx - float64(w)/2/v.Scale
	v.OY = cy + float64(h)/2/v.Scale
	return v
}

// zoomAt scales the view by f keeping the site point under pixel (x, y) where it is.
func (v mapView) zoomAt(f, x, y float64) mapView {
	p := v.site(x, y)
	v.Scale *= f
	v.OX = p.X - x/v.Scale
	v.OY = p.Y + y/v.Scale
	return v
}

// mapPalette holds the map's colours.
type mapPalette struct {
	Outside, Ground, Boundary, Road, Building, BuildingLine color.NRGBA
	Green, Water, Plaza, CarPark, CarParkLine, Gate         color.NRGBA
	Device, DeviceRing, Camera, CameraRing, Cone, Icon      color.NRGBA
	Offline, OfflineRing, OfflineIcon, Select, Handle, Edge color.NRGBA
	P                                                       [5]color.NRGBA
}

func darkMapPalette() mapPalette {
	return mapPalette{
		Outside: rgb(0x0b1016), Ground: rgb(0x151d26), Boundary: rgb(0x8a9bad), Road: rgb(0x3e4752),
		Building: rgb(0x4b596a), BuildingLine: rgb(0x97a9bc), Green: rgb(0x1d3626), Water: rgb(0x1b3c59),
		Plaza: rgb(0x3b3527), CarPark: rgb(0x252e39), CarParkLine: rgb(0x4b596a), Gate: rgb(0xe0b050),
		Device: rgb(0x1f2b38), DeviceRing: rgb(0x9fb6cc), Camera: rgb(0x1c3354), CameraRing: rgb(0x58a6ff),
		Cone: rgba(0x58a6ff, 0x2e), Icon: rgb(0xffffff), Offline: rgb(0x59616b), OfflineRing: rgb(0x3a4048),
		OfflineIcon: rgb(0xc9d1d9), Select: rgb(0x2f81f7), Handle: rgb(0xffffff), Edge: rgb(0x2f81f7),
		P: [5]color.NRGBA{{}, rgb(0xff4d4f), rgb(0xff8c1a), rgb(0xf2c94c), rgb(0x4ea8ff)},
	}
}

func lightMapPalette() mapPalette {
	return mapPalette{
		Outside: rgb(0xdfe4ea), Ground: rgb(0xf4f1ea), Boundary: rgb(0x5b6b7b), Road: rgb(0xffffff),
		Building: rgb(0xcdc6bb), BuildingLine: rgb(0x8f8678), Green: rgb(0xcfe3c2), Water: rgb(0xaed0ea),
		Plaza: rgb(0xeadfc6), CarPark: rgb(0xdde1e6), CarParkLine: rgb(0xa7b0ba), Gate: rgb(0xb7791f),
		Device: rgb(0x32475c), DeviceRing: rgb(0xffffff), Camera: rgb(0x1f4f8f), CameraRing: rgb(0xffffff),
		Cone: rgba(0x1f6feb, 0x2a), Icon: rgb(0xffffff), Offline: rgb(0x8c959f), OfflineRing: rgb(0xffffff),
		OfflineIcon: rgb(0xf6f8fa), Select: rgb(0x1f6feb), Handle: rgb(0xffffff), Edge: rgb(0x1f6feb),
		P: [5]color.NRGBA{{}, rgb(0xd1242f), rgb(0xe16f00), rgb(0xd4a72c), rgb(0x0969da)},
	}
}

// markerLook is how a marker shows its state.
type markerLook uint8

const (
	lookNormal  markerLook = iota
	lookOffline            // a device that stopped reporting, a camera whose stream failed
	lookAlarm              // an open alarm being handled (acknowledged, dispatched): steady
	lookBlink              // a new alarm: blinks until acknowledged
)

// mapMarker is a camera or a device on the map.
type mapMarker struct {
	Key    string // "camera:ID" or "device:ID"
	ID     string
	Camera *app.Camera
	Device *app.Device
	Sym    string // icon
	Layer  string // "camera" or the device kind
	Pos    app.Point
	Name   string

	look  markerLook
	prio  app.Priority
	shown bool // on screen and its layer on
	rect  image.Rectangle
}

func (m *mapMarker) alarmed() bool { return m.look == lookAlarm || m.look == lookBlink }

// mapScene is the site prepared for drawing.
type mapScene struct {
	site    *app.Site
	bounds  app.Rect
	markers []mapMarker
	byKey   map[string]int
	index   *markerIndex
}

func newMapScene(s *app.Site) *mapScene {
	sc := &mapScene{site: s, byKey: map[string]int{}, bounds: app.EmptyRect()}
	if s == nil {
		return sc
	}
	sc.bounds = s.Bounds()
	for i := range s.Devices {
		d := &s.Devices[i]
		sc.markers = append(sc.markers, mapMarker{Key: "device:" + d.ID, ID: d.ID, Device: d, Sym: string(d.Kind), Layer: string(d.Kind), Pos: d.Position, Name: d.Name})
	}
	for i := range s.Cameras {
		c := &s.Cameras[i]
		sc.markers = append(sc.markers, mapMarker{Key: "camera:" + c.ID, ID: c.ID, Camera: c, Sym: "camera", Layer: "camera", Pos: c.Position, Name: c.Name})
	}
	for i := range sc.markers {
		sc.byKey[sc.markers[i].Key] = i
		sc.bounds = sc.bounds.Extend(sc.markers[i].Pos)
	}
	sc.index = newMarkerIndex(sc.markers, sc.bounds)
	return sc
}

// mapLayers says what is drawn.
type mapLayers struct {
	Grids, Labels, Cameras, Background bool
	Hidden                             map[app.DeviceKind]bool // device kinds switched off
}

func defaultLayers() mapLayers {
	return mapLayers{Grids: true, Labels: true, Cameras: true, Background: true, Hidden: map[app.DeviceKind]bool{}}
}

func (l *mapLayers) shows(m *mapMarker) bool {
	if m.Camera != nil {
		return l.Cameras
	}
	return !l.Hidden[m.Device.Kind]
}

// gridMark is an alarm shown on a grid.
type gridMark struct {
	prio  app.Priority
	blink bool
}

// mapDraft is an edit in progress, drawn instead of the stored plan.
type mapDraft struct {
	gridID  string      // a grid being reshaped…
	area    app.Polygon // …its outline
	marker  string      // a marker being moved or aimed…
	pos     app.Point
	dir     float64
	drawing []app.Point // a new grid being drawn, point by point
}

// mapBackground is the picture under the plan.
type mapBackground struct {
	img   image.Image
	tr    app.Similarity
	alpha float64
}

type spriteKey struct {
	sym                    string
	d                      int
	fill, ring, halo, icon color.NRGBA
}

type renderStats struct {
	pixels  int // pixels written by the last update
	markers int // markers drawn by the last update
	rects   int
}

type mapRenderer struct {
	scene  *mapScene
	pal    mapPalette
	view   mapView
	dpi    float64 // device pixels per Fyne unit
	layers mapLayers

	static, out *image.RGBA
	staticOK    bool
	markersOK   bool
	sp, dp      *painter
	sp2, dp2    *painter // the second half's, drawn on another core

	bg        *mapBackground
	blinkOn   bool
	grids     map[string]gridMark
	selected  string // "camera:ID", "device:ID", "grid:ID", "building:ID"
	edit      bool   // show edit handles
	draft     mapDraft
	order     []int // markers in drawing order (alarmed last, on top)
	rank      []int // each marker's place in order
	sprites   map[spriteKey]*sprite
	stats     renderStats
	markerD   int  // marker diameter in pixels at this zoom
	withIcons bool // markers big enough for their icon
}

func newMapRenderer(sc *mapScene, pal mapPalette, dpi float64) *mapRenderer {
	r := &mapRenderer{scene: sc, pal: pal, dpi: dpi, layers: defaultLayers(), grids: map[string]gridMark{}, sprites: map[spriteKey]*sprite{}}
	if r.dpi <= 0 {
		r.dpi = 1
	}
	r.sortOrder()
	return r
}

// setScene puts a new plan in (after an edit), keeping the markers' states.
func (r *mapRenderer) setScene(sc *mapScene) {
	old := r.scene
	r.scene = sc
	for i := range sc.markers {
		if j, ok := old.byKey[sc.markers[i].Key]; ok {
			sc.markers[i].look, sc.markers[i].prio = old.markers[j].look, old.markers[j].prio
		}
	}
	r.sortOrder()
	r.staticOK, r.markersOK = false, false
}

func (r *mapRenderer) resize(w, h int) {
	if w < 1 {
		w = 1
	}
	if h < 1 {
		h = 1
	}
	if r.out != nil && r.out.Rect.Dx() == w && r.out.Rect.Dy() == h {
		return
	}
	r.static = image.NewRGBA(image.Rect(0, 0, w, h))
	r.out = image.NewRGBA(image.Rect(0, 0, w, h))
	r.sp, r.dp = newPainter(r.static), newPainter(r.out)
	r.sp2, r.dp2 = newPainter(r.static), newPainter(r.out)
	r.view.W, r.view.H = w, h
	r.staticOK, r.markersOK = false, false
}

func (r *mapRenderer) setView(v mapView) {
	v.W, v.H = r.view.W, r.view.H
	if v == r.view {
		return
	}
	r.view = v
	r.staticOK, r.markersOK = false, false
}

func (r *mapRenderer) invalidate() { r.staticOK, r.markersOK = false, false }

// sortOrder draws alarmed markers last (on top of the others), the most urgent on top.
func (r *mapRenderer) sortOrder() {
	ms := r.scene.markers
	r.order = r.order[:0]
	for i := range ms {
		r.order = append(r.order, i)
	}
	rank := func(m *mapMarker) int {
		if !m.alarmed() {
			if m.look == lookOffline {
				return 1
			}
			return 0
		}
		return 10 - int(m.prio)
	}
	sort.SliceStable(r.order, func(a, b int) bool { return rank(&ms[r.order[a]]) < rank(&ms[r.order[b]]) })
	if len(r.rank) != len(ms) {
		r.rank = make([]int, len(ms))
	}
	for k, i := range r.order {
		r.rank[i] = k
	}
}

// markerSize picks the markers' size from the zoom — full icons close up, dots far away —
// and from how crowded the view is: markers that would cover more than a third of the map
// shrink a step.
func (r *mapRenderer) markerSize() (int, bool) {
	s := r.view.Scale / r.dpi
	step := 2
	switch {
	case s >= 1.5:
		step = 0
	case s >= 0.6:
		step = 1
	}
	sizes := []float64{24, 16, 9}
	if step < 2 && r.out != nil {
		n := 0
		b := r.out.Rect
		for i := range r.scene.markers {
			m := &r.scene.markers[i]
			if c := r.view.px(m.Pos); r.layers.shows(m) && c.X >= 0 && c.Y >= 0 && int(c.X) < b.Max.X && int(c.Y) < b.Max.Y {
				n++
			}
		}
		for step < 2 {
			d := sizes[step] * r.dpi
			if float64(n)*d*d <= float64(b.Dx()*b.Dy())/3 {
				break
			}
			step++
		}
	}
	return int(math.Round(sizes[step] * r.dpi)), step < 2
}

func (r *mapRenderer) halo() int { return int(math.Round(5 * r.dpi)) }

// markerPos is where a marker is drawn (its draft position while it is dragged).
func (r *mapRenderer) markerPos(m *mapMarker) app.Point {
	if r.draft.marker == m.Key {
		return r.draft.pos
	}
	return m.Pos
}

// layoutMarkers finds each marker's rectangle on screen.
func (r *mapRenderer) layoutMarkers() {
	r.markerD, r.withIcons = r.markerSize()
	half := r.markerD/2 + r.halo()
	bounds := r.out.Rect
	for i := range r.scene.markers {
		m := &r.scene.markers[i]
		c := r.view.px(r.markerPos(m))
		cx, cy := int(math.Round(float64(c.X))), int(math.Round(float64(c.Y)))
		m.rect = image.Rect(cx-half, cy-half, cx-half+2*half+1, cy-half+2*half+1)
		m.shown = r.layers.shows(m) && m.rect.Overlaps(bounds)
	}
	r.markersOK = true
}

// markerDiscs are the markers on screen (their discs, without the room for a halo): the
// labels keep off them.
func (r *mapRenderer) markerDiscs() []image.Rectangle {
	if !r.markersOK {
		r.layoutMarkers()
	}
	h := r.halo()
	out := make([]image.Rectangle, 0, len(r.scene.markers))
	for i := range r.scene.markers {
		if m := &r.scene.markers[i]; m.shown {
			out = append(out, m.rect.Inset(h))
		}
	}
	return out
}

// render draws the whole frame.
func (r *mapRenderer) render() {
	if r.out == nil {
		return
	}
	if !r.staticOK {
		r.halves(r.sp, r.sp2, r.renderStatic)
		r.staticOK = true
	}
	if !r.markersOK {
		r.layoutMarkers()
	}
	// Every marker's picture exists before the halves draw them (the cache is not shared).
	for i := range r.scene.markers {
		if m := &r.scene.markers[i]; m.shown {
			r.sprite(m)
		}
	}
	var drawn [2]int
	r.halves(r.dp, r.dp2, func(p *painter, clip image.Rectangle) {
		i := 0
		if p == r.dp2 {
			i = 1
		}
		copyRect(r.out, r.static, clip)
		drawn[i] = r.drawDynamic(p, clip)
	})
	r.stats = renderStats{rects: 1, pixels: r.out.Rect.Dx() * r.out.Rect.Dy(), markers: drawn[0] + drawn[1]}
}

// halves draws the top and the bottom half of the frame at the same time, one on this
// goroutine and one on another (the machine has two cores; a frame takes half as long).
func (r *mapRenderer) halves(p1, p2 *painter, draw func(p *painter, clip image.Rectangle)) {
	b := r.out.Rect
	mid := b.Min.Y + b.Dy()/2
	top, bottom := image.Rect(b.Min.X, b.Min.Y, b.Max.X, mid), image.Rect(b.Min.X, mid, b.Max.X, b.Max.Y)
	if b.Dy() < 64 {
		draw(p1, b)
		return
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		draw(p2, bottom)
	}()
	draw(p1, top)
	wg.Wait()
}

// redraw draws again only the given rectangles (merged where they overlap).
func (r *mapRenderer) redraw(rects []image.Rectangle) {
	if r.out == nil || !r.staticOK || !r.markersOK {
		r.render()
		return
	}
	rects = mergeRects(rects, r.out.Rect)
	r.stats = renderStats{rects: len(rects)}
	for _, rc := range rects {
		copyRect(r.out, r.static, rc)
		r.stats.markers += r.drawDynamic(r.dp, rc)
		r.stats.pixels += rc.Dx() * rc.Dy()
	}
}

// mergeRects clips rectangles to b and merges those that overlap.
func mergeRects(in []image.Rectangle, b image.Rectangle) []image.Rectangle {
	var out []image.Rectangle
	for _, r := range in {
		r = r.Intersect(b)
		if r.Empty() {
			continue
		}
		for merged := true; merged; {
			merged = false
			for i := 0; i < len(out); i++ {
				if out[i].Overlaps(r) {
					r = r.Union(out[i])
					out = append(out[:i], out[i+1:]...)
					merged = true
					break
				}
			}
		}
		out = append(out, r)
	}
	return out
}

func (r *mapRenderer) pts(pg []app.Point) []fpt {
	out := make([]fpt, len(pg))
	for i, p := range pg {
		out[i] = r.view.px(p)
	}
	return out
}

// gridArea is a grid's outline (its draft while reshaped).
func (r *mapRenderer) gridArea(g *app.Grid) app.Polygon {
	if r.draft.gridID == g.ID && r.draft.area != nil {
		return r.draft.area
	}
	return g.Area
}

// cameraAim is a camera's position and direction (its draft while moved or aimed).
func (r *mapRenderer) cameraAim(c *app.Camera) (app.Point, float64) {
	if r.draft.marker == "camera:"+c.ID {
		return r.draft.pos, r.draft.dir
	}
	return c.Position, c.Direction
}

func gridColor(g *app.Grid) color.NRGBA {
	c := rgb(0x6f8fb0)
	if len(g.Color) == 7 && g.Color[0] == '#' {
		var v uint32
		ok := true
		for _, ch := range g.Color[1:] {
			v <<= 4
			switch {
			case ch >= '0' && ch <= '9':
				v |= uint32(ch - '0')
			case ch >= 'a' && ch <= 'f':
				v |= uint32(ch-'a') + 10
			case ch >= 'A' && ch <= 'F':
				v |= uint32(ch-'A') + 10
			default:
				ok = false
			}
		}
		if ok {
			c = rgb(v)
		}
	}
	return c
}

func withA(c color.NRGBA, a uint8) color.NRGBA { c.A = a; return c }

// mix is c over base at alpha a, as an opaque colour.
func mix(base, c color.NRGBA, a uint8) color.NRGBA {
	f := func(x, y uint8) uint8 { return uint8((uint32(x)*(255-uint32(a)) + uint32(y)*uint32(a)) / 255) }
	return color.NRGBA{f(base.R, c.R), f(base.G, c.G), f(base.B, c.B), 255}
}

// renderStatic draws the plan within clip.
func (r *mapRenderer) renderStatic(p *painter, clip image.Rectangle) {
	s := r.scene.site
	p.setClip(clip)
	pal := r.pal
	fillRect(r.static, clip, pal.Outside)
	if s == nil {
		return
	}
	lw := float32(r.dpi)
	if r.bg != nil && r.layers.Background {
		r.drawBackground(clip)
	}
	ground := pal.Ground
	if r.bg != nil && r.layers.Background {
		ground.A = 0x70 // the picture shows through
	}
	p.poly(r.pts(s.Boundary))
	p.fill(ground)
	// The grids tint the ground under everything else: opaque where there is no picture
	// (the tint blended in advance: one fast pass), see-through over a picture.
	if r.layers.Grids {
		for i := range s.Grids {
			g := &s.Grids[i]
			p.poly(r.pts(r.gridArea(g)))
			if ground.A == 255 {
				p.fill(mix(ground, gridColor(g), 0x40))
			} else {
				p.fill(withA(gridColor(g), 0x40))
			}
		}
	}

	byKind := map[app.FeatureKind]color.NRGBA{app.FeatureGreen: pal.Green, app.FeatureWater: pal.Water, app.FeaturePlaza: pal.Plaza, app.FeatureCarPark: pal.CarPark}
	for _, k := range []app.FeatureKind{app.FeatureGreen, app.FeaturePlaza, app.FeatureCarPark, app.FeatureWater} {
		for i := range s.Features {
			if f := &s.Features[i]; f.Kind == k {
				p.poly(r.pts(f.Area))
			}
		}
		p.fill(byKind[k])
	}
	for i := range s.Features {
		if f := &s.Features[i]; f.Kind == app.FeatureCarPark {
			p.stroke(r.pts(f.Area), lw, true)
		}
	}
	p.fill(pal.CarParkLine)
	for i := range s.Features {
		if f := &s.Features[i]; f.Kind == app.FeatureRoad {
			w := f.Width
			if w <= 0 {
				w = 5
			}
			p.stroke(r.pts(f.Line), max(float32(w*r.view.Scale), 1.5*lw), false)
		}
	}
	p.fill(pal.Road)
	for i := range s.Buildings {
		p.poly(r.pts(s.Buildings[i].Footprint))
	}
	p.fill(pal.Building)
	for i := range s.Buildings {
		p.stroke(r.pts(s.Buildings[i].Footprint), lw, true)
	}
	p.fill(pal.BuildingLine)

	if r.layers.Grids {
		for i := range s.Grids {
			g := &s.Grids[i]
			p.stroke(r.pts(r.gridArea(g)), 2*lw, true)
			p.fill(gridColor(g))
		}
	}
	p.stroke(r.pts(s.Boundary), 2*lw, true)
	p.fill(pal.Boundary)
	for i := range s.Features {
		if f := &s.Features[i]; f.Kind == app.FeatureGate && f.At != nil {
			c := r.view.px(*f.At)
			p.poly([]fpt{{c.X - 5*lw, c.Y - 5*lw}, {c.X + 5*lw, c.Y - 5*lw}, {c.X + 5*lw, c.Y + 5*lw}, {c.X - 5*lw, c.Y + 5*lw}})
		}
	}
	p.fill(pal.Gate)

	if r.layers.Cameras {
		for i := range s.Cameras {
			pos, dir := r.cameraAim(&s.Cameras[i])
			if cone := r.cone(&s.Cameras[i], pos, dir); cone != nil {
				p.poly(cone)
			}
		}
		p.fill(pal.Cone)
	}
}

// cone is a camera's field of view on screen (nil when too small to see).
func (r *mapRenderer) cone(c *app.Camera, pos app.Point, dir float64) []fpt {
	rng := c.ViewRange() * r.view.Scale
	if rng < 32*r.dpi && r.selected != "camera:"+c.ID {
		return nil // too small to tell anything: left out when zoomed far out
	}
	o := r.view.px(pos)
	if rf := float32(rng); o.X < -rf || o.Y < -rf || o.X > float32(r.view.W)+rf || o.Y > float32(r.view.H)+rf {
		return nil // off screen
	}
	fov := c.FieldOfView()
	n := int(math.Max(4, fov/6))
	pts := make([]fpt, 0, n+2)
	if fov < 360 {
		pts = append(pts, o)
	}
	for i := 0; i <= n; i++ {
		b := (dir - fov/2 + fov*float64(i)/float64(n)) * math.Pi / 180
		pts = append(pts, fpt{o.X + float32(rng*math.Sin(b)), o.Y - float32(rng*math.Cos(b))})
	}
	return pts
}

func (r *mapRenderer) drawBackground(clip image.Rectangle) {
	bg := r.bg
	v := r.view
	t := bg.tr
	S := v.Scale
	m := f64.Aff3{S * t.A, S * t.B, S * (t.TX - v.OX), -S * t.B, S * t.A, S * (v.OY - t.TY)}
	a := uint8(math.Round(255 * bg.alpha))
	xdraw.ApproxBiLinear.Transform(r.static.SubImage(clip).(*image.RGBA), m, bg.img, bg.img.Bounds(), xdraw.Over,
		&xdraw.Options{SrcMask: image.NewUniform(color.Alpha{A: a})})
}

// drawDynamic draws alarmed grids, markers, the selection and edit handles within clip,
// and returns how many markers it drew.
func (r *mapRenderer) drawDynamic(p *painter, clip image.Rectangle) int {
	p.setClip(clip)
	p.covered = 0
	s := r.scene.site
	lw := float32(r.dpi)
	if s != nil {
		for i := range s.Grids {
			g := &s.Grids[i]
			mk, ok := r.grids[g.ID]
			if !ok {
				continue
			}
			c := r.pal.P[clampPrio(mk.prio)]
			pts := r.pts(r.gridArea(g))
			if mk.blink && !r.blinkOn {
				p.stroke(pts, 2*lw, true)
				p.fill(withA(c, 0x90))
				continue
			}
			fa := uint8(0x30)
			if mk.blink {
				fa = 0x58
			}
			p.poly(pts)
			p.fill(withA(c, fa))
			p.stroke(pts, 3*lw, true)
			p.fill(c)
		}
		r.drawSelectedArea(p)
	}
	n := 0
	for _, i := range r.order {
		m := &r.scene.markers[i]
		if !m.shown || !m.rect.Overlaps(clip) {
			continue
		}
		blit(r.out, r.sprite(m), m.rect.Min, clip)
		n++
		if m.Key == r.selected {
			c := m.rect.Min.Add(m.rect.Size().Div(2))
			p.setClip(clip)
			ring := r.ringPts(fpt{float32(c.X), float32(c.Y)}, float32(r.markerD)/2+2.5*lw)
			p.stroke(ring, 2*lw, true)
			p.fill(r.pal.Select)
		}
	}
	if r.edit {
		r.drawHandles(p)
	}
	return n
}

func (r *mapRenderer) ringPts(c fpt, rad float32) []fpt {
	n := 24
	pts := make([]fpt, n)
	for i := range pts {
		a := 2 * math.Pi * float64(i) / float64(n)
		pts[i] = fpt{c.X + rad*float32(math.Cos(a)), c.Y + rad*float32(math.Sin(a))}
	}
	return pts
}

func clampPrio(p app.Priority) int {
	if p < app.P1 || p > app.P4 {
		return 4
	}
	return int(p)
}

// drawSelectedArea outlines the selected grid or building (and brightens a selected
// camera's cone).
func (r *mapRenderer) drawSelectedArea(p *painter) {
	s := r.scene.site
	lw := float32(r.dpi)
	kind, id := splitKey(r.selected)
	switch kind {
	case "grid":
		if g, ok := s.Grid(id); ok {
			p.stroke(r.pts(r.gridArea(g)), 3*lw, true)
			p.fill(r.pal.Select)
		}
	case "building":
		if b, ok := s.Building(id); ok {
			p.poly(r.pts(b.Footprint))
			p.fill(withA(r.pal.Select, 0x50))
			p.stroke(r.pts(b.Footprint), 2*lw, true)
			p.fill(r.pal.Select)
		}
	case "camera":
		if c, ok := s.Camera(id); ok && r.layers.Cameras {
			pos, dir := r.cameraAim(c)
			if cone := r.cone(c, pos, dir); cone != nil {
				p.poly(cone)
				p.fill(withA(r.pal.Select, 0x40))
			}
		}
	}
}

// handle sizes, in Fyne units.
const (
	handleSize = 5.0
	hitSlop    = 9.0
)

// drawHandles draws the edit handles: the selected grid's corners and the midpoints of its
// edges (drag one to add a corner), the new grid being drawn, and the aim handle of a
// selected camera.
func (r *mapRenderer) drawHandles(p *painter) {
	lw := float32(r.dpi)
	hs := float32(handleSize * r.dpi)
	square := func(c fpt, h float32) {
		p.poly([]fpt{{c.X - h, c.Y - h}, {c.X + h, c.Y - h}, {c.X + h, c.Y + h}, {c.X - h, c.Y + h}})
	}
	s := r.scene.site
	kind, id := splitKey(r.selected)
	if kind == "grid" && s != nil {
		if g, ok := s.Grid(id); ok {
			pts := r.pts(r.gridArea(g))
			for i := range pts {
				a, b := pts[i], pts[(i+1)%len(pts)]
				p.disc(fpt{(a.X + b.X) / 2, (a.Y + b.Y) / 2}, hs*0.8)
			}
			p.fill(withA(r.pal.Edge, 0xc0))
			for _, q := range pts {
				square(q, hs+lw)
			}
			p.fill(r.pal.Edge)
			for _, q := range pts {
				square(q, hs-lw)
			}
			p.fill(r.pal.Handle)
		}
	}
	if kind == "camera" && s != nil {
		if c, ok := s.Camera(id); ok {
			o, tip := r.aimHandle(c)
			p.stroke([]fpt{o, tip}, 2*lw, false)
			p.fill(r.pal.Edge)
			p.disc(tip, hs+lw)
			p.fill(r.pal.Edge)
			p.disc(tip, hs-lw)
			p.fill(r.pal.Handle)
		}
	}
	if d := r.draft.drawing; len(d) > 0 {
		pts := r.pts(d)
		if len(pts) > 1 {
			p.stroke(pts, 2*lw, false)
			p.fill(r.pal.Edge)
		}
		for _, q := range pts {
			square(q, hs)
		}
		p.fill(r.pal.Handle)
	}
}

// aimHandle returns a camera's position and the handle that sets its direction, on screen.
func (r *mapRenderer) aimHandle(c *app.Camera) (fpt, fpt) {
	pos, dir := r.cameraAim(c)
	o := r.view.px(pos)
	l := math.Max(c.ViewRange()*r.view.Scale*0.8, 46*r.dpi)
	b := dir * math.Pi / 180
	return o, fpt{o.X + float32(l*math.Sin(b)), o.Y - float32(l*math.Cos(b))}
}

// splitKey splits "kind:id".
func splitKey(k string) (string, string) {
	for i := 0; i < len(k); i++ {
		if k[i] == ':' {
			return k[:i], k[i+1:]
		}
	}
	return "", k
}

// --- markers ---------------------------------------------------------------------------

func (r *mapRenderer) lookColors(m *mapMarker) spriteKey {
	pal := r.pal
	k := spriteKey{sym: m.Sym, d: r.markerD, fill: pal.Device, ring: pal.DeviceRing, icon: pal.Icon}
	if m.Camera != nil {
		k.fill, k.ring = pal.Camera, pal.CameraRing
	}
	pc := pal.P[clampPrio(m.prio)]
	switch m.look {
	case lookOffline:
		k.fill, k.ring, k.icon = pal.Offline, pal.OfflineRing, pal.OfflineIcon
	case lookAlarm:
		k.fill, k.ring, k.icon = pc, rgb(0xffffff), textOn(pc)
	case lookBlink:
		if r.blinkOn {
			k.fill, k.ring, k.icon, k.halo = pc, rgb(0xffffff), textOn(pc), withA(pc, 0x78)
		} else {
			k.ring = pc
		}
	}
	if !r.withIcons {
		k.sym = ""
	}
	return k
}

// textOn is white or near-black, whichever reads on c.
func textOn(c color.NRGBA) color.NRGBA {
	l := (299*uint32(c.R) + 587*uint32(c.G) + 114*uint32(c.B)) / 1000
	if l > 0x90 {
		return rgb(0x11161c)
	}
	return rgb(0xffffff)
}

// sprite returns the marker's picture (drawn once per look and size).
func (r *mapRenderer) sprite(m *mapMarker) *sprite {
	k := r.lookColors(m)
	if sp, ok := r.sprites[k]; ok {
		return sp
	}
	h := r.halo()
	size := k.d + 2*h + 1
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	p := newPainter(img)
	c := fpt{float32(size) / 2, float32(size) / 2}
	rad := float32(k.d) / 2
	if k.halo.A > 0 {
		p.disc(c, rad+float32(h)-0.5)
		p.fill(k.halo)
	}
	p.disc(c, rad)
	p.fill(k.ring)
	ringW := float32(math.Max(1.5*r.dpi, float64(k.d)/12))
	p.disc(c, rad-ringW)
	p.fill(k.fill)
	if k.sym != "" {
		is := int(math.Round(float64(k.d) * 0.6))
		if mask := iconMask(k.sym, is); mask != nil {
			at := image.Pt(int(c.X)-is/2, int(c.Y)-is/2)
			blendMask(img, image.Rect(at.X, at.Y, at.X+is, at.Y+is), mask.Pix, mask.Stride, k.icon)
		}
	}
	if len(r.sprites) > 512 { // looks come and go with zoom levels: keep the cache small
		r.sprites = map[spriteKey]*sprite{}
	}
	sp := newSprite(img)
	r.sprites[k] = sp
	return sp
}

var (
	iconMu    sync.Mutex
	iconCache = map[string]*image.Alpha{}
)

// iconMask renders a kind's SVG symbol (black on transparent) at size px as a mask.
func iconMask(sym string, size int) *image.Alpha {
	key := sym + "@" + itoa(size)
	iconMu.Lock()
	defer iconMu.Unlock()
	if m, ok := iconCache[key]; ok {
		return m
	}
	var out *image.Alpha
	if b, ok := assets.SymbolSVG(sym); ok && size > 0 {
		func() {
			defer func() { recover() }() // a broken symbol draws none, never a crash
			icon, err := oksvg.ReadIconStream(bytes.NewReader(b))
			if err != nil {
				return
			}
			icon.SetTarget(0, 0, float64(size), float64(size))
			img := image.NewRGBA(image.Rect(0, 0, size, size))
			sc := rasterx.NewScannerGV(size, size, img, img.Bounds())
			icon.Draw(rasterx.NewDasher(size, size, sc), 1)
			out = image.NewAlpha(img.Rect)
			for i := range out.Pix {
				out.Pix[i] = img.Pix[4*i+3]
			}
		}()
	}
	iconCache[key] = out
	return out
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// --- live state --------------------------------------------------------------------------

// setLook changes a marker's look and returns the rectangle to draw again (empty when
// nothing changed or it is not on screen).
func (r *mapRenderer) setLook(i int, look markerLook, prio app.Priority) (image.Rectangle, bool) {
	m := &r.scene.markers[i]
	if m.look == look && (m.prio == prio || !m.alarmed()) {
		return image.Rectangle{}, false
	}
	reorder := m.alarmed() != (look == lookAlarm || look == lookBlink) || m.prio != prio
	m.look, m.prio = look, prio
	if reorder {
		r.sortOrder()
	}
	if !m.shown {
		return image.Rectangle{}, true
	}
	return m.rect, true
}

// gridRect is a grid's rectangle on screen (with room for its outline).
func (r *mapRenderer) gridRect(id string) image.Rectangle {
	g, ok := r.scene.site.Grid(id)
	if !ok {
		return image.Rectangle{}
	}
	pad := int(3 * r.dpi)
	b := r.gridArea(g).Bounds()
	a, c := r.view.px(b.Min), r.view.px(b.Max)
	return image.Rect(int(a.X)-pad, int(c.Y)-pad, int(c.X)+pad+1, int(a.Y)+pad+1)
}

// blink turns the blinking phase and draws again only what blinks. It reports what it
// touched in r.stats.
func (r *mapRenderer) blink() {
	r.blinkOn = !r.blinkOn
	var rects []image.Rectangle
	for i := range r.scene.markers {
		m := &r.scene.markers[i]
		if m.look == lookBlink && m.shown {
			rects = append(rects, m.rect)
		}
	}
	for id, mk := range r.grids {
		if mk.blink {
			rects = append(rects, r.gridRect(id))
		}
	}
	if len(rects) == 0 {
		r.stats = renderStats{}
		return
	}
	r.redraw(rects)
}

// blinking reports whether anything blinks.
func (r *mapRenderer) blinking() bool {
	for _, mk := range r.grids {
		if mk.blink {
			return true
		}
	}
	for i := range r.scene.markers {
		if r.scene.markers[i].look == lookBlink {
			return true
		}
	}
	return false
}
