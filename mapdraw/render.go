// Package mapdraw draws a site's map — its ground, grids, buildings, roads, cameras with
// their fields of view, devices, alarms, a background picture — into an *image.RGBA, and
// finds what is at a pixel. It knows nothing of windows: the console's map panel and
// replay show its picture, and pages for phones and printed reports can use it too.
//
// The renderer draws the site plan from its vector data into image layers:
//
//   - static: the background picture, the ground, green space, water, roads, buildings,
//     the grids' tints and outlines and the cameras' view cones. Drawn again only when the
//     view (pan, zoom, size), the layers or the plan (an edit) change.
//   - out: static plus what changes: alarmed grids, markers, the selection, edit handles.
//
// A change of a marker (a blink, a device going offline) redraws only its rectangle:
// static is copied back there and whatever overlaps it is drawn again, in order.
//
// Names (labels) are placed here (PlaceLabels: the most important first, none
// overlapping) but drawn by the caller, in its own fonts.
//
// A Renderer is not safe for concurrent use: one goroutine (the UI thread) owns it.
package mapdraw

import (
	"image"
	"image/color"
	"math"
	"sort"
	"sync"

	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/math/f64"

	"watchpost/app"
)

type spriteKey struct {
	sym                    string
	d                      int
	fill, ring, halo, icon color.NRGBA
}

// Renderer draws one site for one viewer.
type Renderer struct {
	scene  *scene
	pal    Palette
	view   View
	dpi    float64 // device pixels per unit of the caller's layout (Fyne's scale)
	layers Layers

	static, out *image.RGBA
	staticOK    bool
	markersOK   bool
	sp, dp      *painter
	sp2, dp2    *painter // the second half's, drawn on another core

	bg        *Background
	blinkOn   bool
	grids     map[string]GridMark
	selected  string // "camera:ID", "device:ID", "grid:ID", "building:ID"
	edit      bool   // show edit handles
	draft     Draft
	order     []int // markers in drawing order (alarmed last, on top)
	rank      []int // each marker's place in order
	sprites   map[spriteKey]*sprite
	stats     Stats
	markerD   int  // marker diameter in pixels at this zoom
	withIcons bool // markers big enough for their icon
	icons     *Icons
}

// Options are a renderer's colours, scale and icons.
type Options struct {
	Palette Palette // the zero Palette: DarkPalette()
	// Icons draws the markers' symbols; nil: markers are plain discs.
	Icons *Icons
	// DPI is how many pixels make one unit of the caller's layout (markers, lines and
	// handles are sized in units); ≤ 0 means 1.
	DPI float64
}

// New returns a renderer of the site (nil: an empty picture). Nothing is drawn before
// Resize gives it a size.
func New(site *app.Site, opts Options) *Renderer {
	pal := opts.Palette
	if pal == (Palette{}) {
		pal = DarkPalette()
	}
	r := &Renderer{scene: newScene(site), pal: pal, dpi: opts.DPI, icons: opts.Icons, layers: DefaultLayers(), grids: map[string]GridMark{}, sprites: map[spriteKey]*sprite{}}
	if r.dpi <= 0 {
		r.dpi = 1
	}
	r.sortOrder()
	return r
}

// SetSite puts a changed plan in (after an edit), keeping the markers' looks, the view
// and the selection.
func (r *Renderer) SetSite(s *app.Site) {
	sc := newScene(s)
	old := r.scene
	r.scene = sc
	for i := range sc.markers {
		if j, ok := old.byKey[sc.markers[i].Key]; ok {
			sc.markers[i].Look, sc.markers[i].Prio = old.markers[j].Look, old.markers[j].Prio
		}
	}
	r.sortOrder()
	r.staticOK, r.markersOK = false, false
}

// Site is the site drawn.
func (r *Renderer) Site() *app.Site { return r.scene.site }

// Bounds is the site's extent: its plan and every marker.
func (r *Renderer) Bounds() app.Rect { return r.scene.bounds }

// Palette is the renderer's colours.
func (r *Renderer) Palette() Palette { return r.pal }

// DPI is how many pixels make one unit.
func (r *Renderer) DPI() float64 { return r.dpi }

// SetDPI changes the scale (the window moved to another screen): everything is drawn
// again at the new size.
func (r *Renderer) SetDPI(dpi float64) {
	if dpi <= 0 {
		dpi = 1
	}
	if dpi == r.dpi {
		return
	}
	r.dpi = dpi
	r.sprites = map[spriteKey]*sprite{}
	r.staticOK, r.markersOK = false, false
}

// Resize sets the picture's size in pixels (the view keeps its scale and top-left corner).
func (r *Renderer) Resize(w, h int) {
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

// View is what the picture shows.
func (r *Renderer) View() View { return r.view }

// SetView pans and zooms (the picture keeps its size: v's W and H are ignored).
func (r *Renderer) SetView(v View) {
	v.W, v.H = r.view.W, r.view.H
	if v == r.view {
		return
	}
	r.view = v
	r.staticOK, r.markersOK = false, false
}

// Invalidate makes the next Render draw everything again.
func (r *Renderer) Invalidate() { r.staticOK, r.markersOK = false, false }

// Ready reports whether a frame is drawn and still matches the plan, the view and the
// layers, so that Redraw and Blink draw only what they must.
func (r *Renderer) Ready() bool { return r.out != nil && r.staticOK && r.markersOK }

// Image is the picture last drawn (nil before Resize). Render, Redraw and Blink draw
// into this same picture.
func (r *Renderer) Image() *image.RGBA { return r.out }

// Stats says what the last Render, Redraw or Blink drew.
func (r *Renderer) Stats() Stats { return r.stats }

// Layers is what is drawn.
func (r *Renderer) Layers() Layers { return r.layers }

// SetLayers switches layers on and off.
func (r *Renderer) SetLayers(l Layers) {
	if l.Hidden == nil {
		l.Hidden = map[app.DeviceKind]bool{}
	}
	r.layers = l
	r.staticOK, r.markersOK = false, false
}

// Selected is the key of what is selected ("" when nothing is).
func (r *Renderer) Selected() string { return r.selected }

// Select highlights a marker, building or grid by its key ("camera:ID", "device:ID",
// "building:ID", "grid:ID"; "" clears).
func (r *Renderer) Select(key string) {
	if key == r.selected {
		return
	}
	old := r.selected
	r.selected = key
	// A camera's cone is in the plan layer (a selected one is drawn however small).
	if k, _ := SplitKey(old); k == "camera" {
		r.staticOK = false
	}
	if k, _ := SplitKey(key); k == "camera" {
		r.staticOK = false
	}
}

// Editing reports whether edit handles are drawn.
func (r *Renderer) Editing() bool { return r.edit }

// SetEditing draws the edit handles (the selected grid's corners, a selected camera's aim)
// or not, and drops any draft.
func (r *Renderer) SetEditing(on bool) {
	r.edit = on
	r.draft = Draft{}
	r.staticOK, r.markersOK = false, false
}

// Draft is the edit in progress.
func (r *Renderer) Draft() Draft { return r.draft }

// SetDraft shows an edit in progress instead of the stored plan.
func (r *Renderer) SetDraft(d Draft) {
	r.draft = d
	r.staticOK, r.markersOK = false, false
}

// SetDrawing shows the corners of a new grid being drawn (nil: none). They are drawn
// over the plan: the plan itself is not drawn again.
func (r *Renderer) SetDrawing(pts []app.Point) { r.draft.Drawing = pts }

// Background is the picture under the plan (nil: none).
func (r *Renderer) Background() *Background { return r.bg }

// SetBackground puts a picture under the plan (nil removes it).
func (r *Renderer) SetBackground(bg *Background) {
	r.bg = bg
	r.staticOK, r.markersOK = false, false
}

// sortOrder draws alarmed markers last (on top of the others), the most urgent on top.
func (r *Renderer) sortOrder() {
	ms := r.scene.markers
	r.order = r.order[:0]
	for i := range ms {
		r.order = append(r.order, i)
	}
	rank := func(m *Marker) int {
		if !m.alarmed() {
			if m.Look != LookNormal { // offline, in maintenance or test
				return 1
			}
			return 0
		}
		return 10 - int(m.Prio)
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
func (r *Renderer) markerSize() (int, bool) {
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
			if c := r.view.Px(m.Pos); r.layers.shows(m) && c.X >= 0 && c.Y >= 0 && int(c.X) < b.Max.X && int(c.Y) < b.Max.Y {
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

func (r *Renderer) halo() int { return int(math.Round(5 * r.dpi)) }

// markerPos is where a marker is drawn (its draft position while it is dragged).
func (r *Renderer) markerPos(m *Marker) app.Point {
	if r.draft.Marker == m.Key {
		return r.draft.Pos
	}
	return m.Pos
}

// layoutMarkers finds each marker's rectangle on screen.
func (r *Renderer) layoutMarkers() {
	r.markerD, r.withIcons = r.markerSize()
	half := r.markerD/2 + r.halo()
	bounds := r.out.Rect
	for i := range r.scene.markers {
		m := &r.scene.markers[i]
		c := r.view.Px(r.markerPos(m))
		cx, cy := int(math.Round(float64(c.X))), int(math.Round(float64(c.Y)))
		m.Rect = image.Rect(cx-half, cy-half, cx-half+2*half+1, cy-half+2*half+1)
		m.Shown = r.layers.shows(m) && m.Rect.Overlaps(bounds)
	}
	r.markersOK = true
}

// markerDiscs are the markers on screen (their discs, without the room for a halo): the
// labels keep off them.
func (r *Renderer) markerDiscs() []image.Rectangle {
	if !r.markersOK {
		r.layoutMarkers()
	}
	h := r.halo()
	out := make([]image.Rectangle, 0, len(r.scene.markers))
	for i := range r.scene.markers {
		if m := &r.scene.markers[i]; m.Shown {
			out = append(out, m.Rect.Inset(h))
		}
	}
	return out
}

// Render draws the frame (the plan only when the view, the layers or the plan changed)
// and returns it (nil before Resize).
func (r *Renderer) Render() *image.RGBA {
	if r.out == nil {
		return nil
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
		if m := &r.scene.markers[i]; m.Shown {
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
	r.stats = Stats{Rects: 1, Pixels: r.out.Rect.Dx() * r.out.Rect.Dy(), Markers: drawn[0] + drawn[1]}
	return r.out
}

// halves draws the top and the bottom half of the frame at the same time, one on this
// goroutine and one on another (the machine has two cores; a frame takes half as long).
func (r *Renderer) halves(p1, p2 *painter, draw func(p *painter, clip image.Rectangle)) {
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

// Redraw draws again only the given rectangles (merged where they overlap); everything
// when the frame is not Ready.
func (r *Renderer) Redraw(rects []image.Rectangle) {
	if r.out == nil || !r.staticOK || !r.markersOK {
		r.Render()
		return
	}
	rects = mergeRects(rects, r.out.Rect)
	r.stats = Stats{Rects: len(rects)}
	for _, rc := range rects {
		copyRect(r.out, r.static, rc)
		r.stats.Markers += r.drawDynamic(r.dp, rc)
		r.stats.Pixels += rc.Dx() * rc.Dy()
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

func (r *Renderer) pts(pg []app.Point) []Pt {
	out := make([]Pt, len(pg))
	for i, p := range pg {
		out[i] = r.view.Px(p)
	}
	return out
}

// GridArea is a grid's outline (its draft while reshaped).
func (r *Renderer) GridArea(g *app.Grid) app.Polygon {
	if r.draft.GridID == g.ID && r.draft.Area != nil {
		return r.draft.Area
	}
	return g.Area
}

// cameraAim is a camera's position and direction (its draft while moved or aimed).
func (r *Renderer) cameraAim(c *app.Camera) (app.Point, float64) {
	if r.draft.Marker == "camera:"+c.ID {
		return r.draft.Pos, r.draft.Dir
	}
	return c.Position, c.Direction
}

// renderStatic draws the plan within clip.
func (r *Renderer) renderStatic(p *painter, clip image.Rectangle) {
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
			p.poly(r.pts(r.GridArea(g)))
			if ground.A == 255 {
				p.fill(mix(ground, GridColor(g), 0x40))
			} else {
				p.fill(withA(GridColor(g), 0x40))
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
			p.stroke(r.pts(r.GridArea(g)), 2*lw, true)
			p.fill(GridColor(g))
		}
	}
	p.stroke(r.pts(s.Boundary), 2*lw, true)
	p.fill(pal.Boundary)
	for i := range s.Features {
		if f := &s.Features[i]; f.Kind == app.FeatureGate && f.At != nil {
			c := r.view.Px(*f.At)
			p.poly([]Pt{{c.X - 5*lw, c.Y - 5*lw}, {c.X + 5*lw, c.Y - 5*lw}, {c.X + 5*lw, c.Y + 5*lw}, {c.X - 5*lw, c.Y + 5*lw}})
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
func (r *Renderer) cone(c *app.Camera, pos app.Point, dir float64) []Pt {
	rng := c.ViewRange() * r.view.Scale
	if rng < 32*r.dpi && r.selected != "camera:"+c.ID {
		return nil // too small to tell anything: left out when zoomed far out
	}
	o := r.view.Px(pos)
	if rf := float32(rng); o.X < -rf || o.Y < -rf || o.X > float32(r.view.W)+rf || o.Y > float32(r.view.H)+rf {
		return nil // off screen
	}
	fov := c.FieldOfView()
	n := int(math.Max(4, fov/6))
	pts := make([]Pt, 0, n+2)
	if fov < 360 {
		pts = append(pts, o)
	}
	for i := 0; i <= n; i++ {
		b := (dir - fov/2 + fov*float64(i)/float64(n)) * math.Pi / 180
		pts = append(pts, Pt{o.X + float32(rng*math.Sin(b)), o.Y - float32(rng*math.Cos(b))})
	}
	return pts
}

func (r *Renderer) drawBackground(clip image.Rectangle) {
	bg := r.bg
	v := r.view
	t := bg.Transform
	S := v.Scale
	m := f64.Aff3{S * t.A, S * t.B, S * (t.TX - v.OX), -S * t.B, S * t.A, S * (v.OY - t.TY)}
	a := uint8(math.Round(255 * bg.Alpha))
	xdraw.ApproxBiLinear.Transform(r.static.SubImage(clip).(*image.RGBA), m, bg.Image, bg.Image.Bounds(), xdraw.Over,
		&xdraw.Options{SrcMask: image.NewUniform(color.Alpha{A: a})})
}

// drawDynamic draws alarmed grids, markers, the selection and edit handles within clip,
// and returns how many markers it drew.
func (r *Renderer) drawDynamic(p *painter, clip image.Rectangle) int {
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
			c := r.pal.P[clampPrio(mk.Prio)]
			pts := r.pts(r.GridArea(g))
			if mk.Blink && !r.blinkOn {
				p.stroke(pts, 2*lw, true)
				p.fill(withA(c, 0x90))
				continue
			}
			fa := uint8(0x30)
			if mk.Blink {
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
		if !m.Shown || !m.Rect.Overlaps(clip) {
			continue
		}
		blit(r.out, r.sprite(m), m.Rect.Min, clip)
		n++
		if m.Key == r.selected {
			c := m.Rect.Min.Add(m.Rect.Size().Div(2))
			p.setClip(clip)
			ring := r.ringPts(Pt{float32(c.X), float32(c.Y)}, float32(r.markerD)/2+2.5*lw)
			p.stroke(ring, 2*lw, true)
			p.fill(r.pal.Select)
		}
	}
	if r.edit {
		r.drawHandles(p)
	}
	return n
}

func (r *Renderer) ringPts(c Pt, rad float32) []Pt {
	n := 24
	pts := make([]Pt, n)
	for i := range pts {
		a := 2 * math.Pi * float64(i) / float64(n)
		pts[i] = Pt{c.X + rad*float32(math.Cos(a)), c.Y + rad*float32(math.Sin(a))}
	}
	return pts
}

// drawSelectedArea outlines the selected grid or building (and brightens a selected
// camera's cone).
func (r *Renderer) drawSelectedArea(p *painter) {
	s := r.scene.site
	lw := float32(r.dpi)
	kind, id := SplitKey(r.selected)
	switch kind {
	case "grid":
		if g, ok := s.Grid(id); ok {
			p.stroke(r.pts(r.GridArea(g)), 3*lw, true)
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

// handleSize is an edit handle's half-size, in units.
const handleSize = 5.0

// HitSlop is how far from a handle (in units) a press still takes it.
const HitSlop = 9.0

// drawHandles draws the edit handles: the selected grid's corners and the midpoints of its
// edges (drag one to add a corner), the new grid being drawn, and the aim handle of a
// selected camera.
func (r *Renderer) drawHandles(p *painter) {
	lw := float32(r.dpi)
	hs := float32(handleSize * r.dpi)
	square := func(c Pt, h float32) {
		p.poly([]Pt{{c.X - h, c.Y - h}, {c.X + h, c.Y - h}, {c.X + h, c.Y + h}, {c.X - h, c.Y + h}})
	}
	s := r.scene.site
	kind, id := SplitKey(r.selected)
	if kind == "grid" && s != nil {
		if g, ok := s.Grid(id); ok {
			pts := r.pts(r.GridArea(g))
			for i := range pts {
				a, b := pts[i], pts[(i+1)%len(pts)]
				p.disc(Pt{(a.X + b.X) / 2, (a.Y + b.Y) / 2}, hs*0.8)
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
			o, tip := r.AimHandle(c)
			p.stroke([]Pt{o, tip}, 2*lw, false)
			p.fill(r.pal.Edge)
			p.disc(tip, hs+lw)
			p.fill(r.pal.Edge)
			p.disc(tip, hs-lw)
			p.fill(r.pal.Handle)
		}
	}
	if d := r.draft.Drawing; len(d) > 0 {
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

// AimHandle returns a camera's position and the handle that sets its direction, on screen.
func (r *Renderer) AimHandle(c *app.Camera) (Pt, Pt) {
	pos, dir := r.cameraAim(c)
	o := r.view.Px(pos)
	l := math.Max(c.ViewRange()*r.view.Scale*0.8, 46*r.dpi)
	b := dir * math.Pi / 180
	return o, Pt{o.X + float32(l*math.Sin(b)), o.Y - float32(l*math.Cos(b))}
}

// SplitKey splits "kind:id".
func SplitKey(k string) (string, string) {
	for i := 0; i < len(k); i++ {
		if k[i] == ':' {
			return k[:i], k[i+1:]
		}
	}
	return "", k
}

// --- markers ---------------------------------------------------------------------------

func (r *Renderer) lookColors(m *Marker) spriteKey {
	pal := r.pal
	k := spriteKey{sym: m.Sym, d: r.markerD, fill: pal.Device, ring: pal.DeviceRing, icon: pal.Icon}
	if m.Camera != nil {
		k.fill, k.ring = pal.Camera, pal.CameraRing
	}
	pc := pal.P[clampPrio(m.Prio)]
	switch m.Look {
	case LookOffline:
		k.fill, k.ring, k.icon = pal.Offline, pal.OfflineRing, pal.OfflineIcon
	case LookMaintenance:
		k.fill, k.ring = pal.Maintenance, pal.MaintenanceRing
	case LookTest:
		k.ring = pal.TestRing
	case LookAlarm:
		k.fill, k.ring, k.icon = pc, rgb(0xffffff), TextOn(pc)
	case LookBlink:
		if r.blinkOn {
			k.fill, k.ring, k.icon, k.halo = pc, rgb(0xffffff), TextOn(pc), withA(pc, 0x78)
		} else {
			k.ring = pc
		}
	}
	if !r.withIcons {
		k.sym = ""
	}
	return k
}

// sprite returns the marker's picture (drawn once per look and size).
func (r *Renderer) sprite(m *Marker) *sprite {
	k := r.lookColors(m)
	if sp, ok := r.sprites[k]; ok {
		return sp
	}
	h := r.halo()
	size := k.d + 2*h + 1
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	p := newPainter(img)
	c := Pt{float32(size) / 2, float32(size) / 2}
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
		if mask := r.icons.mask(k.sym, is); mask != nil {
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
