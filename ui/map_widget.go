package ui

import (
	"image"
	"image/color"
	"math"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
	"watchpost/assets"
	"watchpost/mapdraw"
)

// siteMap is the map canvas: the picture mapdraw draws shown 1:1 in one canvas.Image,
// with the labels (placed by mapdraw) and the scale bar as Fyne text on top. Drag pans, the wheel zooms about the
// pointer; in edit mode a drag moves what it starts on (a grid's corner, a marker, a
// camera's aim handle) and a tap adds a corner to a grid being drawn.
type siteMap struct {
	widget.BaseWidget
	r      *mapdraw.Renderer
	img    *canvas.Image
	labels *fyne.Container
	pool   []*mapLabelObj
	scale  *fyne.Container
	// The open work orders' pins over the picture (map_orders.go).
	pins      *fyne.Container
	orderPins []orderPin
	pinPool   []*pinObj
	pinRects  []pinRect
	scaleBar  *canvas.Rectangle
	scaleTxt  *canvas.Text
	measure   map[measureKey][2]int

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
	onPick     func(at app.Point)                             // set: a tap places a thing there (place_picker.go)
	onPoint    func(at app.Point)                             // a tap, where on the site (before onSelect)
	onOrder    func(id int64)                                 // a tap on a work order's pin
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
	m.r = mapdraw.New(site, mapdraw.Options{Palette: currentMapPalette(), Icons: mapIcons})
	m.img = &canvas.Image{FillMode: canvas.ImageFillStretch, ScaleMode: canvas.ImageScaleFastest}
	m.labels = container.NewWithoutLayout()
	m.pins = container.NewWithoutLayout()
	m.scaleBar = canvas.NewRectangle(color.White)
	m.scaleTxt = canvas.NewText("", color.White)
	m.scaleTxt.TextSize = theme.CaptionTextSize()
	plate := canvas.NewRectangle(color.NRGBA{0, 0, 0, 0x90})
	plate.CornerRadius = 3
	m.scale = container.NewWithoutLayout(plate, m.scaleBar, m.scaleTxt)
	m.ExtendBaseWidget(m)
	return m
}

// mapIcons are the markers' symbols, rendered once for every map (the live one, replays).
var mapIcons = mapdraw.NewIcons(assets.SymbolSVG)

// currentMapPalette picks the map's colours for the console's theme (the console is
// built again when the theme changes), its names in the theme's text colour.
func currentMapPalette() mapdraw.Palette {
	pal := mapdraw.DarkPalette()
	if fyne.CurrentApp() != nil {
		if t, ok := fyne.CurrentApp().Settings().Theme().(*consoleTheme); ok && !t.dark {
			pal = mapdraw.LightPalette()
		}
	}
	pal.LabelText = color.NRGBAModel.Convert(themeColor(theme.ColorNameForeground)).(color.NRGBA)
	return pal
}

func (m *siteMap) CreateRenderer() fyne.WidgetRenderer { return &siteMapRenderer{m: m} }

type siteMapRenderer struct{ m *siteMap }

func (r *siteMapRenderer) Layout(s fyne.Size) {
	m := r.m
	m.img.Resize(s)
	m.labels.Resize(s)
	m.pins.Resize(s)
	m.scale.Resize(s)
	if s != m.lastSize {
		m.lastSize = s
		m.resized()
	}
}
func (r *siteMapRenderer) MinSize() fyne.Size { return fyne.NewSize(200, 150) }
func (r *siteMapRenderer) Refresh()           { r.m.redrawAll() }
func (r *siteMapRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.m.img, r.m.labels, r.m.pins, r.m.scale}
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
	m.r.SetDPI(dpi)
	w, h := int(math.Round(float64(s.Width)*dpi)), int(math.Round(float64(s.Height)*dpi))
	old := m.r.View()
	m.r.Resize(w, h)
	if !m.fitted {
		m.fit()
		return
	}
	// Keep the centre where it was.
	m.r.SetView(m.r.View().Centred(old.Centre()))
	m.redrawAll()
}

// fit shows the whole site.
func (m *siteMap) fit() {
	if m.r.Image() == nil {
		return
	}
	b := m.r.Bounds()
	if b.Empty() {
		b = app.Rect{Max: app.Point{X: 100, Y: 100}}
	}
	m.fitted = true
	v := m.r.View()
	m.flyTo(mapdraw.Fit(b, v.W, v.H, 24*m.r.DPI()), false)
}

// fitRect returns the view that shows r (at least minSpan metres across).
func (m *siteMap) fitRect(r app.Rect, minSpan float64) mapdraw.View {
	cx, cy := (r.Min.X+r.Max.X)/2, (r.Min.Y+r.Max.Y)/2
	hw := math.Max((r.Max.X-r.Min.X)/2, minSpan/2)
	hh := math.Max((r.Max.Y-r.Min.Y)/2, minSpan/2)
	cur := m.r.View()
	v := mapdraw.Fit(app.Rect{Min: app.Point{X: cx - hw, Y: cy - hh}, Max: app.Point{X: cx + hw, Y: cy + hh}}, cur.W, cur.H, 40*m.r.DPI())
	return m.clampView(v)
}

// scaleLimits: from a quarter of the whole site to 60 pixels a metre.
func (m *siteMap) clampView(v mapdraw.View) mapdraw.View {
	b := m.r.Bounds()
	minS := 0.02
	if !b.Empty() && v.W > 0 {
		minS = mapdraw.Fit(b, v.W, v.H, 0).Scale / 4
	}
	maxS := 60 * m.r.DPI()
	s := math.Min(math.Max(v.Scale, minS), maxS)
	if s != v.Scale {
		c := v.Centre()
		v.Scale = s
		v = v.Centred(c)
	}
	return v
}

// flyTo moves the view to v: animated (a short glide) or at once.
func (m *siteMap) flyTo(v mapdraw.View, animated bool) {
	if m.anim != nil {
		m.anim.Stop()
		m.anim = nil
	}
	v = m.clampView(v)
	from := m.r.View()
	if !animated || !m.animate || from.Scale <= 0 {
		m.r.SetView(v)
		m.redrawAll()
		return
	}
	fc, tc := from.Centre(), v.Centre()
	ls0, ls1 := math.Log(from.Scale), math.Log(v.Scale)
	m.anim = fyne.NewAnimation(350*time.Millisecond, func(f float32) {
		t := float64(f)
		s := math.Exp(ls0 + (ls1-ls0)*t)
		cur := m.r.View()
		cur.Scale = s
		m.r.SetView(cur.Centred(app.Point{X: fc.X + (tc.X-fc.X)*t, Y: fc.Y + (tc.Y-fc.Y)*t}))
		if f >= 1 {
			m.r.SetView(v)
		}
		m.redrawAll()
	})
	m.anim.Curve = fyne.AnimationEaseInOut
	m.anim.Start()
}

// zoom scales the view by f about the pixel (x, y).
func (m *siteMap) zoom(f, x, y float64) {
	m.flyTo(m.r.View().ZoomAt(f, x, y), false)
}

// zoomStep zooms in (+1) or out (−1) about the pointer when it is over the map, else the centre.
func (m *siteMap) zoomStep(dir int) {
	v := m.r.View()
	x, y := float64(v.W)/2, float64(v.H)/2
	if m.pointerIn {
		x, y = m.px(m.pointer)
	}
	f := 1.5
	if dir < 0 {
		f = 1 / f
	}
	m.zoom(f, x, y)
}

// pan moves the view by (dx, dy) pixels.
func (m *siteMap) pan(dx, dy float64) {
	v := m.r.View()
	v.OX -= dx / v.Scale
	v.OY += dy / v.Scale
	m.r.SetView(v)
	m.redrawAll()
}

// redrawAll draws the frame (the plan only when the view changed) and puts labels and the
// scale bar in place.
func (m *siteMap) redrawAll() {
	img := m.r.Render()
	if img == nil {
		return
	}
	m.img.Image = img
	m.img.Refresh()
	m.placeLabels()
	m.placePins()
	m.placeScale()
	if m.onView != nil {
		m.onView()
	}
}

// redrawRects draws again only the given rectangles (blinks, state changes).
func (m *siteMap) redrawRects(rects []image.Rectangle) {
	if m.r.Image() == nil || len(rects) == 0 {
		return
	}
	m.r.Redraw(rects)
	m.img.Image = m.r.Image()
	m.img.Refresh()
}

func (m *siteMap) measureText(text string, size float32, bold bool) (int, int) {
	k := measureKey{text, size, bold}
	if v, ok := m.measure[k]; ok {
		return v[0], v[1]
	}
	s := fyne.MeasureText(text, size, fyne.TextStyle{Bold: bold})
	v := [2]int{int(math.Ceil(float64(s.Width) * m.r.DPI())), int(math.Ceil(float64(s.Height) * m.r.DPI()))}
	if len(m.measure) > 20000 {
		m.measure = map[measureKey][2]int{}
	}
	m.measure[k] = v
	return v[0], v[1]
}

// placeLabels declutters and shows the labels of the current view.
func (m *siteMap) placeLabels() {
	img := m.r.Image()
	if img == nil {
		return
	}
	d := m.r.DPI()
	scaleBar := image.Rect(0, img.Rect.Dy()-int(56*d), int(180*d), img.Rect.Dy()) // keep clear of the scale bar
	placed := m.r.PlaceLabels(m.english, m.measureText, 400, scaleBar)
	dpi := float32(d)
	for len(m.pool) < len(placed) {
		o := &mapLabelObj{bg: canvas.NewRectangle(color.Transparent), text: canvas.NewText("", color.Transparent)}
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
		st := m.r.Style(l)
		o.text.Text = l.Text
		o.text.TextSize = l.Size
		o.text.TextStyle = fyne.TextStyle{Bold: l.Bold}
		o.text.Color = st.Text
		o.bg.FillColor = st.Plate
		o.bg.StrokeColor = st.Outline
		o.bg.StrokeWidth = st.OutlineWidth
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

// placeScale draws the scale bar: a round length of about 120 units.
func (m *siteMap) placeScale() {
	s := m.r.View().Scale / m.r.DPI() // units per metre
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
		return strconv.Itoa(int(v))
	}
	s := strconv.Itoa(int(v*10 + 0.5))
	return s[:len(s)-1] + "." + s[len(s)-1:]
}

// --- pointer ---------------------------------------------------------------------------

func (m *siteMap) px(p fyne.Position) (float64, float64) {
	return float64(p.X) * m.r.DPI(), float64(p.Y) * m.r.DPI()
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
	dx, dy := float64(ev.Dragged.DX)*m.r.DPI(), float64(ev.Dragged.DY)*m.r.DPI()
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
		dr := m.r.Draft()
		dr.Area[d.vertex] = m.r.View().Site(x, y)
		m.r.SetDraft(dr)
		m.redrawAll()
	case dragMarker:
		dr := m.r.Draft()
		dr.Pos = m.r.View().Site(x, y)
		m.r.SetDraft(dr)
		m.redrawAll()
	case dragAim:
		dr := m.r.Draft()
		o := m.r.View().Px(dr.Pos)
		b := math.Atan2(x-float64(o.X), -(y-float64(o.Y))) * 180 / math.Pi
		dr.Dir = math.Mod(b+360, 360)
		m.r.SetDraft(dr)
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
	dr := m.r.Draft()
	switch d.kind {
	case dragVertex:
		if m.onGridEdit != nil {
			m.onGridEdit(dr.GridID, append(app.Polygon(nil), dr.Area...))
		}
	case dragMarker, dragAim:
		if m.onMove != nil {
			m.onMove(d.key, dr.Pos, dr.Dir)
		}
	}
}

// startDrag decides what a drag starting at pixel (x, y) moves.
func (m *siteMap) startDrag(x, y float64) *mapDrag {
	if !m.editing || m.drawing {
		return &mapDrag{kind: dragPan}
	}
	s := m.r.Site()
	kind, id := mapdraw.SplitKey(m.r.Selected())
	if kind == "camera" {
		if c, ok := s.Camera(id); ok {
			if _, tip := m.r.AimHandle(c); m.r.Near(tip, x, y) {
				m.r.SetDraft(mapdraw.Draft{Marker: "camera:" + id, Pos: c.Position, Dir: c.Direction})
				return &mapDrag{kind: dragAim, key: "camera:" + id}
			}
		}
	}
	if kind == "grid" {
		if g, ok := s.Grid(id); ok {
			if v, mid := m.r.VertexAt(g, x, y); v >= 0 {
				area := append(app.Polygon(nil), m.r.GridArea(g)...)
				if mid {
					// Dragging an edge's midpoint adds a corner there.
					a, b := area[v], area[(v+1)%len(area)]
					area = append(area[:v+1], append(app.Polygon{{X: (a.X + b.X) / 2, Y: (a.Y + b.Y) / 2}}, area[v+1:]...)...)
					v++
				}
				m.r.SetDraft(mapdraw.Draft{GridID: id, Area: area})
				return &mapDrag{kind: dragVertex, key: m.r.Selected(), vertex: v}
			}
		}
	}
	if mk, ok := m.r.MarkerAt(x, y); ok {
		m.r.Select(mk.Key)
		d := mapdraw.Draft{Marker: mk.Key, Pos: mk.Pos}
		if mk.Camera != nil {
			d.Dir = mk.Camera.Direction
		}
		m.r.SetDraft(d)
		if m.onSelect != nil {
			m.onSelect(mk.Key)
		}
		return &mapDrag{kind: dragMarker, key: mk.Key}
	}
	return &mapDrag{kind: dragPan}
}

// Tapped selects what is under the pointer: a marker, else a building, else a grid. While
// a new grid is drawn it adds a corner (a tap on the first corner closes it).
func (m *siteMap) Tapped(ev *fyne.PointEvent) {
	x, y := m.px(ev.Position)
	if m.drawing {
		m.addDrawnPoint(x, y)
		return
	}
	if m.onPick != nil {
		m.pickAt(m.r.View().Site(x, y))
		return
	}
	if id, ok := m.pinAt(ev.Position); ok && m.onOrder != nil {
		m.onOrder(id)
		return
	}
	if m.onPoint != nil {
		m.onPoint(m.r.View().Site(x, y))
	}
	key := m.r.KeyAt(x, y)
	m.selectKey(key)
	if m.onSelect != nil {
		m.onSelect(key)
	}
}

func (m *siteMap) addDrawnPoint(x, y float64) {
	d := m.r.Draft().Drawing
	if len(d) >= 3 && m.r.Near(m.r.View().Px(d[0]), x, y) {
		m.finishDrawing()
		return
	}
	m.r.SetDrawing(append(d, m.r.View().Site(x, y)))
	m.redrawAll()
}

// finishDrawing closes the grid being drawn and hands its outline over.
func (m *siteMap) finishDrawing() {
	pts := m.r.Draft().Drawing
	m.drawing = false
	m.r.SetDrawing(nil)
	m.redrawAll()
	if len(pts) >= 3 && m.onDrawn != nil {
		m.onDrawn(pts)
	}
}

// TappedSecondary offers what can be done where the pointer is (a corner: remove it).
func (m *siteMap) TappedSecondary(ev *fyne.PointEvent) {
	x, y := m.px(ev.Position)
	vertex := -1
	key := m.r.KeyAt(x, y)
	if m.editing {
		if kind, id := mapdraw.SplitKey(m.r.Selected()); kind == "grid" {
			if g, ok := m.r.Site().Grid(id); ok {
				if v, mid := m.r.VertexAt(g, x, y); v >= 0 && !mid {
					vertex, key = v, m.r.Selected()
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
	if key == m.r.Selected() {
		return
	}
	m.r.Select(key)
	m.redrawAll()
}

// setSite puts a changed plan in (after an edit), keeping the view, states and selection.
func (m *siteMap) setSite(s *app.Site) {
	m.r.SetSite(s)
	m.r.SetDraft(mapdraw.Draft{Drawing: m.r.Draft().Drawing})
	m.redrawAll()
}

// visible reports whether a site point is in view (away from the edges).
func (m *siteMap) visible(p app.Point) bool {
	v := m.r.View()
	q := v.Px(p)
	margin := float32(30 * m.r.DPI())
	return q.X > margin && q.Y > margin && q.X < float32(v.W)-margin && q.Y < float32(v.H)-margin
}

// Cursor: the hand while dragging the map.
func (m *siteMap) Cursor() desktop.Cursor {
	if m.drawing {
		return desktop.CrosshairCursor
	}
	return desktop.DefaultCursor
}
