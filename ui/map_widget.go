package ui

import (
	"image"
	"image/color"
	"math"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// siteMap is the map canvas: the renderer's picture shown 1:1 in one canvas.Image, with
// the labels and the scale bar as Fyne text on top. Drag pans, the wheel zooms about the
// pointer; in edit mode a drag moves what it starts on (a grid's corner, a marker, a
// camera's aim handle) and a tap adds a corner to a grid being drawn.
type siteMap struct {
	widget.BaseWidget
	r        *mapRenderer
	img      *canvas.Image
	labels   *fyne.Container
	pool     []*mapLabelObj
	scale    *fyne.Container
	scaleBar *canvas.Rectangle
	scaleTxt *canvas.Text
	measure  map[measureKey][2]int

	fitted    bool
	lastSize  fyne.Size
	english   bool
	animate   bool
	anim      *fyne.Animation
	pointer   fyne.Position
	pointerIn bool

	// Edit mode (the panel sets it; the core checks the operator again).
	editing bool
	drawing bool // a new grid: taps add corners
	drag    *mapDrag

	onSelect   func(key string)                               // a tap on a marker, building or grid ("" on nothing)
	onGridEdit func(id string, area app.Polygon)              // a grid's corner moved, added or removed
	onMove     func(key string, to app.Point, dir float64)    // a marker moved or a camera aimed
	onDrawn    func(pts []app.Point)                          // a new grid's outline closed
	onMenu     func(key string, at fyne.Position, vertex int) // right click (vertex ≥ 0 on a grid corner)
	onView     func()                                         // the view changed (pan, zoom)
}

type measureKey struct {
	text string
	size float32
	bold bool
}

// mapLabelObj is one label on the map: text on a dark rounded plate.
type mapLabelObj struct {
	bg   *canvas.Rectangle
	text *canvas.Text
}

type dragKind int

const (
	dragPan dragKind = iota
	dragVertex
	dragMarker
	dragAim
)

type mapDrag struct {
	kind   dragKind
	key    string
	vertex int
	moved  bool
}

func newSiteMap(site *app.Site) *siteMap {
	m := &siteMap{measure: map[measureKey][2]int{}, animate: true, english: english()}
	m.r = newMapRenderer(newMapScene(site), currentMapPalette(), 1)
	m.img = &canvas.Image{FillMode: canvas.ImageFillStretch, ScaleMode: canvas.ImageScaleFastest}
	m.labels = container.NewWithoutLayout()
	m.scaleBar = canvas.NewRectangle(color.White)
	m.scaleTxt = canvas.NewText("", color.White)
	m.scaleTxt.TextSize = theme.CaptionTextSize()
	plate := canvas.NewRectangle(color.NRGBA{0, 0, 0, 0x90})
	plate.CornerRadius = 3
	m.scale = container.NewWithoutLayout(plate, m.scaleBar, m.scaleTxt)
	m.ExtendBaseWidget(m)
	return m
}

// currentMapPalette picks the map's colours for the console's theme.
func currentMapPalette() mapPalette {
	if fyne.CurrentApp() != nil {
		if t, ok := fyne.CurrentApp().Settings().Theme().(*consoleTheme); ok && !t.dark {
			return lightMapPalette()
		}
	}
	return darkMapPalette()
}

func (m *siteMap) CreateRenderer() fyne.WidgetRenderer { return &siteMapRenderer{m: m} }

type siteMapRenderer struct{ m *siteMap }

func (r *siteMapRenderer) Layout(s fyne.Size) {
	m := r.m
	m.img.Resize(s)
	m.labels.Resize(s)
	m.scale.Resize(s)
	if s != m.lastSize {
		m.lastSize = s
		m.resized()
	}
}
func (r *siteMapRenderer) MinSize() fyne.Size { return fyne.NewSize(200, 150) }
func (r *siteMapRenderer) Refresh()           { r.m.redrawAll() }
func (r *siteMapRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.m.img, r.m.labels, r.m.scale}
}
func (r *siteMapRenderer) Destroy() {}

// dpi is the canvas's scale: pixels per Fyne unit.
func (m *siteMap) dpi() float64 {
	if fyne.CurrentApp() != nil {
		if c := fyne.CurrentApp().Driver().CanvasForObject(m); c != nil && c.Scale() > 0 {
			return float64(c.Scale())
		}
	}
	return 1
}

func (m *siteMap) resized() {
	s := m.lastSize
	if s.Width < 1 || s.Height < 1 {
		return
	}
	dpi := m.dpi()
	if dpi != m.r.dpi {
		m.r.dpi = dpi
		m.r.sprites = map[spriteKey]*sprite{}
	}
	w, h := int(math.Round(float64(s.Width)*dpi)), int(math.Round(float64(s.Height)*dpi))
	old := m.r.view
	m.r.resize(w, h)
	if !m.fitted {
		m.fit()
		return
	}
	// Keep the centre where it was.
	c := old.site(float64(old.W)/2, float64(old.H)/2)
	v := m.r.view
	v.OX, v.OY = c.X-float64(w)/2/v.Scale, c.Y+float64(h)/2/v.Scale
	m.r.setView(v)
	m.redrawAll()
}

// fit shows the whole site.
func (m *siteMap) fit() {
	if m.r.out == nil {
		return
	}
	b := m.r.scene.bounds
	if b.Empty() {
		b = app.Rect{Max: app.Point{X: 100, Y: 100}}
	}
	m.fitted = true
	m.flyTo(fitView(b, m.r.view.W, m.r.view.H, 24*m.r.dpi), false)
}

// fitRect returns the view that shows r (at least minSpan metres across).
func (m *siteMap) fitRect(r app.Rect, minSpan float64) mapView {
	cx, cy := (r.Min.X+r.Max.X)/2, (r.Min.Y+r.Max.Y)/2
	hw := math.Max((r.Max.X-r.Min.X)/2, minSpan/2)
	hh := math.Max((r.Max.Y-r.Min.Y)/2, minSpan/2)
	v := fitView(app.Rect{Min: app.Point{X: cx - hw, Y: cy - hh}, Max: app.Point{X: cx + hw, Y: cy + hh}}, m.r.view.W, m.r.view.H, 40*m.r.dpi)
	return m.clampView(v)
}

// scaleLimits: from a quarter of the whole site to 60 pixels a metre.
func (m *siteMap) clampView(v mapView) mapView {
	b := m.r.scene.bounds
	minS := 0.02
	if !b.Empty() && v.W > 0 {
		minS = fitView(b, v.W, v.H, 0).Scale / 4
	}
	maxS := 60 * m.r.dpi
	s := math.Min(math.Max(v.Scale, minS), maxS)
	if s != v.Scale {
		c := v.site(float64(v.W)/2, float64(v.H)/2)
		v.Scale = s
		v.OX, v.OY = c.X-float64(v.W)/2/s, c.Y+float64(v.H)/2/s
	}
	return v
}

// flyTo moves the view to v: animated (a short glide) or at once.
func (m *siteMap) flyTo(v mapView, animated bool) {
	if m.anim != nil {
		m.anim.Stop()
		m.anim = nil
	}
	v = m.clampView(v)
	from := m.r.view
	if !animated || !m.animate || from.Scale <= 0 {
		m.r.setView(v)
		m.redrawAll()
		return
	}
	fc := from.site(float64(from.W)/2, float64(from.H)/2)
	tc := v.site(float64(v.W)/2, float64(v.H)/2)
	ls0, ls1 := math.Log(from.Scale), math.Log(v.Scale)
	m.anim = fyne.NewAnimation(350*time.Millisecond, func(f float32) {
		t := float64(f)
		s := math.Exp(ls0 + (ls1-ls0)*t)
		cx, cy := fc.X+(tc.X-fc.X)*t, fc.Y+(tc.Y-fc.Y)*t
		w, h := m.r.view.W, m.r.view.H
		m.r.setView(mapView{Scale: s, OX: cx - float64(w)/2/s, OY: cy + float64(h)/2/s})
		if f >= 1 {
			m.r.setView(v)
		}
		m.redrawAll()
	})
	m.anim.Curve = fyne.AnimationEaseInOut
	m.anim.Start()
}

// zoom scales the view by f about the pixel (x, y).
func (m *siteMap) zoom(f, x, y float64) {
	m.flyTo(m.r.view.zoomAt(f, x, y), false)
}

// zoomStep zooms in (+1) or out (−1) about the pointer when it is over the map, else the centre.
func (m *siteMap) zoomStep(dir int) {
	x, y := float64(m.r.view.W)/2, float64(m.r.view.H)/2
	if m.pointerIn {
		x, y = float64(m.pointer.X)*m.r.dpi, float64(m.pointer.Y)*m.r.dpi
	}
	f := 1.5
	if dir < 0 {
		f = 1 / f
	}
	m.zoom(f, x, y)
}

// pan moves the view by (dx, dy) pixels.
func (m *siteMap) pan(dx, dy float64) {
	v := m.r.view
	v.OX -= dx / v.Scale
	v.OY += dy / v.Scale
	m.r.setView(v)
	m.redrawAll()
}

// redrawAll draws the frame (the plan only when the view changed) and puts labels and the
// scale bar in place.
func (m *siteMap) redrawAll() {
	if m.r.out == nil {
		return
	}
	m.r.render()
	m.img.Image = m.r.out
	m.img.Refresh()
	m.placeLabels()
	m.placeScale()
	if m.onView != nil {
		m.onView()
	}
}

// redrawRects draws again only the given rectangles (blinks, state changes).
func (m *siteMap) redrawRects(rects []image.Rectangle) {
	if m.r.out == nil || len(rects) == 0 {
		return
	}
	m.r.redraw(rects)
	m.img.Image = m.r.out
	m.img.Refresh()
}

func (m *siteMap) measureText(text string, size float32, bold bool) (int, int) {
	k := measureKey{text, size, bold}
	if v, ok := m.measure[k]; ok {
		return v[0], v[1]
	}
	s := fyne.MeasureText(text, size, fyne.TextStyle{Bold: bold})
	v := [2]int{int(math.Ceil(float64(s.Width) * m.r.dpi)), int(math.Ceil(float64(s.Height) * m.r.dpi))}
	if len(m.measure) > 20000 {
		m.measure = map[measureKey][2]int{}
	}
	m.measure[k] = v
	return v[0], v[1]
}

// placeLabels declutters and shows the labels of the current view.
func (m *siteMap) placeLabels() {
	cands := m.r.labelCandidates(m.english)
	d := m.r.dpi
	scaleBar := image.Rect(0, m.r.out.Rect.Dy()-int(56*d), int(180*d), m.r.out.Rect.Dy()) // keep clear of the scale bar
	placed := declutter(cands, m.measureText, m.r.out.Rect, 400, append(m.r.markerDiscs(), scaleBar)...)
	dpi := float32(m.r.dpi)
	fg := themeColor(theme.ColorNameForeground)
	plateCol := color.NRGBA{0x0b, 0x10, 0x16, 0xb8}
	if !m.r.darkPal() {
		plateCol = color.NRGBA{0xff, 0xff, 0xff, 0xc8}
	}
	for len(m.pool) < len(placed) {
		o := &mapLabelObj{bg: canvas.NewRectangle(plateCol), text: canvas.NewText("", fg)}
		o.bg.CornerRadius = 3
		m.pool = append(m.pool, o)
		m.labels.Add(o.bg)
		m.labels.Add(o.text)
	}
	for i, o := range m.pool {
		if i >= len(placed) {
			o.bg.Hide()
			o.text.Hide()
			continue
		}
		l := placed[i]
		o.text.Text = l.Text
		o.text.TextSize = l.Size
		o.text.TextStyle = fyne.TextStyle{Bold: l.Bold}
		o.text.Color = fg
		o.bg.FillColor = plateCol
		o.bg.StrokeWidth = 0
		if l.Prio == prioLabelGrid {
			if g, ok := m.r.scene.site.Grid(l.Key[len("grid:"):]); ok {
				o.bg.StrokeColor = gridColor(g)
				o.bg.StrokeWidth = 1.5
			}
		}
		if l.Alarm != 0 {
			c := m.r.pal.P[clampPrio(l.Alarm)]
			o.bg.FillColor = c
			o.text.Color = textOn(c)
		}
		pos := fyne.NewPos(float32(l.R.Min.X)/dpi, float32(l.R.Min.Y)/dpi)
		size := fyne.NewSize(float32(l.R.Dx())/dpi, float32(l.R.Dy())/dpi)
		o.bg.Move(pos)
		o.bg.Resize(size)
		o.text.Move(pos)
		o.text.Resize(size)
		o.text.Alignment = fyne.TextAlignCenter
		o.bg.Show()
		o.text.Show()
		o.bg.Refresh()
		o.text.Refresh()
	}
}

func (r *mapRenderer) darkPal() bool { return r.pal.Outside == darkMapPalette().Outside }

// placeScale draws the scale bar: a round length of about 120 units.
func (m *siteMap) placeScale() {
	s := m.r.view.Scale / m.r.dpi // units per metre
	if s <= 0 {
		return
	}
	target := 120 / s
	p := math.Pow(10, math.Floor(math.Log10(target)))
	l := p
	for _, f := range []float64{1, 2, 5, 10} {
		if f*p <= target {
			l = f * p
		}
	}
	w := float32(l * s)
	text := T("{{.N}} m", map[string]any{"N": trimFloat(l)})
	if l >= 1000 {
		text = T("{{.N}} km", map[string]any{"N": trimFloat(l / 1000)})
	}
	m.scaleTxt.Text = text
	ts := m.scaleTxt.MinSize()
	pad := float32(6)
	h := m.lastSize.Height
	plateW := max(w, ts.Width) + 2*pad
	plate := m.scale.Objects[0]
	plate.Move(fyne.NewPos(10, h-ts.Height-20-pad))
	plate.Resize(fyne.NewSize(plateW, ts.Height+12+pad))
	m.scaleTxt.Move(fyne.NewPos(10+pad, h-ts.Height-18-pad+2))
	m.scaleTxt.Refresh()
	m.scaleBar.Move(fyne.NewPos(10+pad, h-14-pad/2))
	m.scaleBar.Resize(fyne.NewSize(w, 3))
	m.scaleBar.Refresh()
	plate.Refresh()
}

func trimFloat(v float64) string {
	if v == math.Trunc(v) {
		return itoa(int(v))
	}
	s := []byte(itoa(int(v*10 + 0.5)))
	return string(s[:len(s)-1]) + "." + string(s[len(s)-1:])
}

// --- pointer ---------------------------------------------------------------------------

func (m *siteMap) px(p fyne.Position) (float64, float64) {
	return float64(p.X) * m.r.dpi, float64(p.Y) * m.r.dpi
}

// Scrolled zooms about the pointer: one wheel notch is a quarter.
func (m *siteMap) Scrolled(ev *fyne.ScrollEvent) {
	x, y := m.px(ev.Position)
	f := math.Pow(1.25, float64(ev.Scrolled.DY)/25)
	f = math.Min(math.Max(f, 0.5), 2)
	m.zoom(f, x, y)
}

func (m *siteMap) MouseIn(ev *desktop.MouseEvent) { m.pointer, m.pointerIn = ev.Position, true }
func (m *siteMap) MouseMoved(ev *desktop.MouseEvent) {
	m.pointer, m.pointerIn = ev.Position, true
}
func (m *siteMap) MouseOut() { m.pointerIn = false }

// Dragged pans, or in edit mode moves what the drag started on.
func (m *siteMap) Dragged(ev *fyne.DragEvent) {
	x, y := m.px(ev.Position)
	dx, dy := float64(ev.Dragged.DX)*m.r.dpi, float64(ev.Dragged.DY)*m.r.dpi
	if m.drag == nil {
		m.drag = m.startDrag(x-dx, y-dy)
	}
	d := m.drag
	d.moved = true
	switch d.kind {
	case dragPan:
		if m.anim != nil {
			m.anim.Stop()
			m.anim = nil
		}
		m.pan(dx, dy)
	case dragVertex:
		m.r.draft.area[d.vertex] = m.r.view.site(x, y)
		m.r.invalidate()
		m.redrawAll()
	case dragMarker:
		m.r.draft.pos = m.r.view.site(x, y)
		m.r.invalidate()
		m.redrawAll()
	case dragAim:
		o := m.r.view.px(m.r.draft.pos)
		b := math.Atan2(x-float64(o.X), -(y-float64(o.Y))) * 180 / math.Pi
		m.r.draft.dir = math.Mod(b+360, 360)
		m.r.invalidate()
		m.redrawAll()
	}
}

// DragEnd commits an edit (the panel journals it through the core).
func (m *siteMap) DragEnd() {
	d := m.drag
	m.drag = nil
	if d == nil || !d.moved {
		return
	}
	switch d.kind {
	case dragVertex:
		if m.onGridEdit != nil {
			m.onGridEdit(m.r.draft.gridID, append(app.Polygon(nil), m.r.draft.area...))
		}
	case dragMarker, dragAim:
		if m.onMove != nil {
			m.onMove(d.key, m.r.draft.pos, m.r.draft.dir)
		}
	}
}

// startDrag decides what a drag starting at pixel (x, y) moves.
func (m *siteMap) startDrag(x, y float64) *mapDrag {
	if !m.editing || m.drawing {
		return &mapDrag{kind: dragPan}
	}
	slop := hitSlop * m.r.dpi
	s := m.r.scene.site
	kind, id := splitKey(m.r.selected)
	if kind == "camera" {
		if c, ok := s.Camera(id); ok {
			if _, tip := m.r.aimHandle(c); math.Hypot(float64(tip.X)-x, float64(tip.Y)-y) <= slop {
				m.r.draft = mapDraft{marker: "camera:" + id, pos: c.Position, dir: c.Direction}
				return &mapDrag{kind: dragAim, key: "camera:" + id}
			}
		}
	}
	if kind == "grid" {
		if g, ok := s.Grid(id); ok {
			if v, mid := m.vertexAt(g, x, y); v >= 0 {
				area := append(app.Polygon(nil), m.r.gridArea(g)...)
				if mid {
					// Dragging an edge's midpoint adds a corner there.
					a, b := area[v], area[(v+1)%len(area)]
					area = append(area[:v+1], append(app.Polygon{{X: (a.X + b.X) / 2, Y: (a.Y + b.Y) / 2}}, area[v+1:]...)...)
					v++
				}
				m.r.draft = mapDraft{gridID: id, area: area}
				return &mapDrag{kind: dragVertex, key: m.r.selected, vertex: v}
			}
		}
	}
	if i := m.r.hitMarker(x, y); i >= 0 {
		mk := &m.r.scene.markers[i]
		m.r.selected = mk.Key
		d := mapDraft{marker: mk.Key, pos: mk.Pos}
		if mk.Camera != nil {
			d.dir = mk.Camera.Direction
		}
		m.r.draft = d
		if m.onSelect != nil {
			m.onSelect(mk.Key)
		}
		return &mapDrag{kind: dragMarker, key: mk.Key}
	}
	return &mapDrag{kind: dragPan}
}

// vertexAt finds the grid corner (or, mid true, the edge midpoint after corner v) at
// pixel (x, y); -1 when none.
func (m *siteMap) vertexAt(g *app.Grid, x, y float64) (int, bool) {
	slop := hitSlop * m.r.dpi
	pts := m.r.pts(m.r.gridArea(g))
	for i, q := range pts {
		if math.Hypot(float64(q.X)-x, float64(q.Y)-y) <= slop {
			return i, false
		}
	}
	for i := range pts {
		a, b := pts[i], pts[(i+1)%len(pts)]
		if math.Hypot(float64(a.X+b.X)/2-x, float64(a.Y+b.Y)/2-y) <= slop {
			return i, true
		}
	}
	return -1, false
}

// Tapped selects what is under the pointer: a marker, else a building, else a grid. While
// a new grid is drawn it adds a corner (a tap on the first corner closes it).
func (m *siteMap) Tapped(ev *fyne.PointEvent) {
	x, y := m.px(ev.Position)
	if m.drawing {
		m.addDrawnPoint(x, y)
		return
	}
	key := m.keyAt(x, y)
	m.selectKey(key)
	if m.onSelect != nil {
		m.onSelect(key)
	}
}

// keyAt names what is at pixel (x, y).
func (m *siteMap) keyAt(x, y float64) string {
	if i := m.r.hitMarker(x, y); i >= 0 {
		return m.r.scene.markers[i].Key
	}
	s := m.r.scene.site
	if s == nil {
		return ""
	}
	p := m.r.view.site(x, y)
	for i := range s.Buildings {
		if s.Buildings[i].Footprint.Contains(p) {
			return "building:" + s.Buildings[i].ID
		}
	}
	if m.r.layers.Grids {
		for i := range s.Grids {
			if m.r.gridArea(&s.Grids[i]).Contains(p) {
				return "grid:" + s.Grids[i].ID
			}
		}
	}
	return ""
}

func (m *siteMap) addDrawnPoint(x, y float64) {
	d := m.r.draft.drawing
	if len(d) >= 3 {
		f := m.r.view.px(d[0])
		if math.Hypot(float64(f.X)-x, float64(f.Y)-y) <= hitSlop*m.r.dpi {
			m.finishDrawing()
			return
		}
	}
	m.r.draft.drawing = append(d, m.r.view.site(x, y))
	m.redrawAll()
}

// finishDrawing closes the grid being drawn and hands its outline over.
func (m *siteMap) finishDrawing() {
	pts := m.r.draft.drawing
	m.drawing = false
	m.r.draft.drawing = nil
	m.redrawAll()
	if len(pts) >= 3 && m.onDrawn != nil {
		m.onDrawn(pts)
	}
}

// TappedSecondary offers what can be done where the pointer is (a corner: remove it).
func (m *siteMap) TappedSecondary(ev *fyne.PointEvent) {
	x, y := m.px(ev.Position)
	vertex := -1
	key := m.keyAt(x, y)
	if m.editing {
		if kind, id := splitKey(m.r.selected); kind == "grid" {
			if g, ok := m.r.scene.site.Grid(id); ok {
				if v, mid := m.vertexAt(g, x, y); v >= 0 && !mid {
					vertex, key = v, m.r.selected
				}
			}
		}
	}
	if m.onMenu != nil {
		m.onMenu(key, ev.AbsolutePosition, vertex)
	}
}

// selectKey highlights a marker, building or grid ("" clears).
func (m *siteMap) selectKey(key string) {
	if key == m.r.selected {
		return
	}
	old := m.r.selected
	m.r.selected = key
	// A camera's cone and a grid's outline live in the plan layer.
	if k, _ := splitKey(old); k == "camera" {
		m.r.staticOK = false
	}
	if k, _ := splitKey(key); k == "camera" {
		m.r.staticOK = false
	}
	m.redrawAll()
}

// setSite puts a changed plan in (after an edit), keeping the view, states and selection.
func (m *siteMap) setSite(s *app.Site) {
	m.r.setScene(newMapScene(s))
	m.r.draft = mapDraft{drawing: m.r.draft.drawing}
	m.redrawAll()
}

// visible reports whether a site point is in view (away from the edges).
func (m *siteMap) visible(p app.Point) bool {
	q := m.r.view.px(p)
	margin := float32(30 * m.r.dpi)
	return q.X > margin && q.Y > margin && q.X < float32(m.r.view.W)-margin && q.Y < float32(m.r.view.H)-margin
}

// Cursor: the hand while dragging the map.
func (m *siteMap) Cursor() desktop.Cursor {
	if m.drawing {
		return desktop.CrosshairCursor
	}
	return desktop.DefaultCursor
}
