package ui

import (
	"image"
	"image/color"
	"math"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// A tile is one place of the camera wall: the picture of its camera, the camera's name on a
// dark band, a state card in place of the picture while the stream does not play (never a
// frozen last frame), and borders for the selection, an alarm and a drop target.
//
// The tile does not read video itself: the wall's pump hands it frames (showFrame) and the
// wall's one-second tick hands it the stream's status (showStatus). Everything here runs on
// the UI thread with the wall's lock held, except the renderer's Layout, which Fyne calls.

// Tile look.
const (
	tileGap          = 2  // between tiles, in the wall's grid
	alarmStroke      = 4  // the alarm border
	selectStroke     = 2  // the selection border, inside the alarm border
	dropStroke       = 3  // the border of the tile a camera is dragged over
	minViewerWidth   = 64 // the smallest frames a viewer is asked for
	minViewerHeight  = 36 //
	defaultAspect    = 16.0 / 9
	nameTextSize     = 13
	cardMaxWidth     = 340
	tileNamePadding  = 6
	defaultTilePixel = 320 // frame width asked for before the tile is laid out
)

var (
	tileBackground  = color.NRGBA{0x00, 0x00, 0x00, 0xff}
	emptyBackground = color.NRGBA{0x12, 0x17, 0x1d, 0xff}
	bandColor       = color.NRGBA{0x00, 0x00, 0x00, 0x99}
)

// alarmMark is how an open alarm touches a camera: its priority colour, flashing while new,
// marked DRILL when it is a drill's.
type alarmMark struct {
	Priority app.Priority
	Flash    bool
	Drill    bool
}

// drawn states of a tile (what it shows, not the stream's state).
type tileState int

const (
	tileEmpty      tileState = iota // no camera
	tileIdle                        // a camera, no viewer (the wall is hidden)
	tileConnecting                  // waiting for pictures
	tilePlaying                     // showing frames
	tileFailed                      // the offline card with the reason
	tileStalled                     // playing, but no frame came for a while
)

// stallAfter: a playing tile whose frames stop shows a card instead of its last frame (the
// stream itself reports a failure only after its read timeout).
const stallAfter = 3 * time.Second

type tile struct {
	widget.BaseWidget
	w     *wallPanel
	index int  // place on the page; -1 for the enlarged view
	cell  cell // where it sits in the layout's grid (arrow keys)

	cam    *app.Camera // assigned camera; nil: empty
	main   bool        // the viewer plays the main stream
	viewer app.Viewer
	shown  *app.Frame // the frame on screen, released when replaced
	// Frames handed to the picture, and the last of them painted (wall_paint.go).
	shownSeq, paintedSeq uint64
	// standIn: the frame shown is another tile's (the sub stream's, on the enlarged view),
	// kept until this tile's own viewer delivers one.
	standIn  bool
	state    tileState
	title    string    // the card's title (translated)
	reason   string    // the offline card's text (already translated)
	since    time.Time // frames decoded before this belong to an earlier state of the stream
	aspect   float64   // of the stream's picture
	px       image.Point
	selected bool
	alarm    *alarmMark
	flashOn  bool
	dropping bool

	bg, band, cardBG                   *canvas.Rectangle
	img                                *canvas.Image
	name, cardTitle, hint              *canvas.Text
	cardReason                         *widget.Label
	badge                              *badge
	alarmBorder, selBorder, dropBorder *canvas.Rectangle
	r                                  *tileRenderer

	// Boxes of what video analytics tracks, over the picture (when the camera asks for them).
	boxes   [maxTileBoxes]*canvas.Rectangle
	boxesAt time.Time
	objs    []app.TrackedObject // what the boxes show, placed again when the tile is laid out
}

// maxTileBoxes: more tracked things than this on one camera are not boxed on the wall.
const maxTileBoxes = 12

func newTile(w *wallPanel, index int) *tile {
	t := &tile{w: w, index: index, aspect: defaultAspect}
	t.bg = canvas.NewRectangle(emptyBackground)
	t.img = &canvas.Image{ScaleMode: canvas.ImageScaleFastest, FillMode: canvas.ImageFillStretch}
	t.img.Hide()
	t.band = canvas.NewRectangle(bandColor)
	t.name = canvas.NewText("", color.White)
	t.name.TextSize = nameTextSize
	t.name.TextStyle.Bold = true
	t.badge = newBadge("", themeColor(colorP1))
	t.badge.Hide()
	t.cardBG = canvas.NewRectangle(withAlpha(themeColor(theme.ColorNameOverlayBackground), 0xe6))
	t.cardBG.CornerRadius = 6
	t.cardTitle = canvas.NewText("", themeColor(theme.ColorNameForeground))
	t.cardTitle.TextStyle.Bold = true
	t.cardTitle.Alignment = fyne.TextAlignCenter
	t.cardReason = widget.NewLabel("")
	t.cardReason.Wrapping = fyne.TextWrapWord
	t.cardReason.Alignment = fyne.TextAlignCenter
	t.cardReason.SizeName = theme.SizeNameCaptionText
	t.hint = canvas.NewText("", themeColor(colorMuted))
	t.hint.TextSize = theme.CaptionTextSize()
	t.hint.Alignment = fyne.TextAlignCenter
	t.alarmBorder = border(alarmStroke)
	t.selBorder = border(selectStroke)
	t.selBorder.StrokeColor = themeColor(theme.ColorNamePrimary)
	t.dropBorder = border(dropStroke)
	t.dropBorder.StrokeColor = themeColor(theme.ColorNameHyperlink)
	for i := range t.boxes {
		t.boxes[i] = border(2)
	}
	t.ExtendBaseWidget(t)
	t.showState()
	return t
}

func border(width float32) *canvas.Rectangle {
	r := canvas.NewRectangle(color.Transparent)
	r.StrokeWidth = width
	r.Hide()
	return r
}

func withAlpha(c color.Color, a uint8) color.Color {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	n.A = a
	return n
}

// Tapped selects the tile.
func (t *tile) Tapped(*fyne.PointEvent) { t.w.locked(func() { t.w.tileTapped(t) }) }

// DoubleTapped enlarges the tile, or returns from the enlarged view.
func (t *tile) DoubleTapped(*fyne.PointEvent) { t.w.locked(func() { t.w.tileDoubleTapped(t) }) }

// TappedSecondary offers what can be done with the tile.
func (t *tile) TappedSecondary(e *fyne.PointEvent) {
	t.w.locked(func() { t.w.tileMenu(t, e.AbsolutePosition) })
}

// attach points the tile at a camera (nil: empty) and opens a viewer on it when open is
// set; the previous viewer is closed when the camera or stream changes, or open is not set.
func (t *tile) attach(cam *app.Camera, main, open bool) {
	same := t.cam == cam && t.main == main
	if same && (t.viewer != nil) == open {
		return
	}
	t.closeViewer()
	t.cam, t.main = cam, main
	t.aspect = defaultAspect
	t.name.Text = ""
	if cam != nil {
		t.name.Text = cam.Display(english())
	}
	switch {
	case cam == nil:
		t.state = tileEmpty
	case !open:
		t.state = tileIdle
	case t.w.source() == nil:
		t.state, t.reason = tileFailed, T("Video is not available")
	default:
		px := t.px
		if px.X == 0 {
			px = image.Pt(defaultTilePixel, defaultTilePixel*9/16)
		}
		v, err := t.w.source().Watch(cam.ID, main, px.X, px.Y)
		if err != nil {
			t.state, t.reason = tileFailed, ErrText(err)
			break
		}
		t.viewer, t.px = v, px
		t.state, t.since = tileConnecting, time.Time{}
		t.showStatus(v.Status())
	}
	t.alarm = t.w.alarmFor(t.cam)
	t.showState()
}

// closeViewer stops watching and takes the picture off the screen.
func (t *tile) closeViewer() {
	if t.viewer != nil {
		t.viewer.Close()
		t.viewer = nil
	}
	t.dropFrame()
}

// dropFrame hides the picture and gives its buffer back.
func (t *tile) dropFrame() {
	if t.shown != nil {
		t.shown.Release()
		t.shown = nil
	}
	t.standIn = false
	t.img.Image = nil
	t.img.Hide()
	for _, b := range t.boxes {
		b.Hide()
	}
}

// takeFrame hands the frame on screen over to another tile (nil: none shown); this tile
// no longer releases it.
func (t *tile) takeFrame() *app.Frame {
	if t.state != tilePlaying || t.shown == nil {
		return nil
	}
	f := t.shown
	t.shown = nil
	return f
}

// showStandIn shows another tile's frame (the camera's sub stream, when its view is
// enlarged) until this tile's viewer delivers its first frame: the enlarged view shows
// the camera at once, instead of a card while its main stream starts.
func (t *tile) showStandIn(f *app.Frame) {
	if f == nil {
		return
	}
	if t.viewer == nil || t.shown != nil || t.state == tileFailed {
		f.Release()
		return
	}
	t.shown, t.standIn = f, true
	t.img.Image = f.Image
	t.state = tilePlaying
	t.showState()
}

// fillsTile reports whether the picture, at its aspect, covers the whole tile.
func (t *tile) fillsTile() bool {
	s := t.Size()
	if s.Width <= 0 || s.Height <= 0 {
		return false
	}
	return math.Abs(float64(s.Width/s.Height)-t.aspect) < 0.02
}

// showFrame puts a new frame on screen (from the pump): only the picture is refreshed.
// It reports whether the frame was taken.
func (t *tile) showFrame(v app.Viewer, f *app.Frame) bool {
	if t.viewer != v || v == nil || f.Image == nil || f.Decoded.Before(t.since) {
		f.Release()
		return false
	}
	old := t.shown
	t.shown, t.standIn = f, false
	t.shownSeq++
	t.img.Image = f.Image
	if t.state != tilePlaying {
		t.state = tilePlaying
		t.showState()
	} else {
		t.img.Refresh()
	}
	old.Release()
	t.showBoxes()
	return true
}

// showBoxes draws what the camera's analytics tracks (people red, other moving things
// yellow) when its settings ask for it; ten times a second at most.
func (t *tile) showBoxes() {
	var objs []app.TrackedObject
	if t.cam != nil && t.cam.Analytics != nil && t.cam.Analytics.ShowBoxes && t.w.c.x.Analytics != nil && t.state == tilePlaying {
		if time.Since(t.boxesAt) < 100*time.Millisecond {
			return
		}
		t.boxesAt = time.Now()
		objs = t.w.c.x.Analytics.Objects(t.cam.ID)
	}
	t.objs = objs
	t.placeBoxes()
}

// placeBoxes puts the boxes over the picture where it is now (after a frame, and after a
// layout: a box placed before the picture had its size would otherwise stay at its corner).
func (t *tile) placeBoxes() {
	objs := t.objs
	o, s := t.img.Position(), t.img.Size()
	for i, b := range t.boxes {
		if i >= len(objs) {
			if b.Visible() {
				b.Hide()
				b.Refresh()
			}
			continue
		}
		ob := objs[i]
		b.StrokeColor = movingStroke
		if ob.Person {
			b.StrokeColor = personStroke
		}
		b.Move(fyne.NewPos(o.X+float32(ob.Box.X)*s.Width, o.Y+float32(ob.Box.Y)*s.Height))
		b.Resize(fyne.NewSize(float32(ob.Box.W)*s.Width, float32(ob.Box.H)*s.Height))
		b.Show()
		b.Refresh()
	}
}

// showStatus follows the stream's status (polled once a second); it redraws only what
// changed. A picture is shown when frames arrive (showFrame); a stream that fails or
// reconnects takes its picture off at once.
func (t *tile) showStatus(st app.StreamStatus) {
	if st.Width > 0 && st.Height > 0 {
		if a := float64(st.Width) / float64(st.Height); math.Abs(a-t.aspect) > 0.01 {
			t.aspect = a
			t.relayout()
		}
	}
	switch st.State {
	case app.StreamFailed:
		reason := T(st.Reason)
		if st.Reason == "" {
			reason = T(app.ReasonUnreachable)
		}
		if t.state != tileFailed || t.reason != reason {
			t.state, t.reason, t.since = tileFailed, reason, st.Since
			t.dropFrame()
			t.showState()
		}
	case app.StreamConnecting, app.StreamIdle:
		if t.standIn && t.state == tilePlaying && time.Since(t.shown.Decoded) < stallAfter {
			break // the stand-in stays while the stream connects (not longer than a stall)
		}
		if t.state != tileConnecting {
			t.state, t.since = tileConnecting, st.Since
			t.dropFrame()
			t.showState()
		}
	case app.StreamPlaying:
		if t.state == tilePlaying && t.shown != nil && time.Since(t.shown.Decoded) > stallAfter {
			t.state, t.since = tileStalled, time.Now()
			t.dropFrame()
			t.showState()
		}
	}
}

// showState draws the tile for its state: picture or card, name band, borders.
func (t *tile) showState() {
	switch t.state {
	case tileEmpty:
		t.bg.FillColor = emptyBackground
	default:
		t.bg.FillColor = tileBackground
	}
	t.img.Hidden = t.state != tilePlaying || t.img.Image == nil
	// A picture that fills the tile makes the background invisible: do not draw it. In the
	// software renderer every full-tile layer costs a pass over its pixels, 15 times a second.
	t.bg.Hidden = !t.img.Hidden && t.fillsTile()
	hasCam := t.cam != nil
	t.band.Hidden, t.name.Hidden = !hasCam, !hasCam
	card := t.state == tileConnecting || t.state == tileFailed || t.state == tileIdle || t.state == tileStalled
	t.cardBG.Hidden, t.cardTitle.Hidden, t.cardReason.Hidden = !card, !card, !card || t.state != tileFailed
	switch t.state {
	case tileConnecting:
		t.title = T("Connecting…")
		t.cardTitle.Color = themeColor(theme.ColorNameForeground)
	case tileStalled:
		t.title = T("Waiting for video…")
		t.cardTitle.Color = themeColor(theme.ColorNameWarning)
	case tileIdle:
		t.title = T("Not connected")
		t.cardTitle.Color = themeColor(colorMuted)
	case tileFailed:
		t.title = T("Offline")
		t.cardTitle.Color = themeColor(theme.ColorNameError)
		t.cardReason.Text = t.reason
	}
	t.hint.Hidden = hasCam
	t.selBorder.Hidden = !t.selected
	t.dropBorder.Hidden = !t.dropping
	t.showAlarm()
	t.relayout()
	t.Refresh()
}

// showAlarm colours the alarm border and the band's priority badge.
func (t *tile) showAlarm() {
	if t.alarm == nil {
		t.alarmBorder.Hide()
		t.badge.Hide()
		return
	}
	c := priorityColor(t.alarm.Priority)
	t.alarmBorder.StrokeColor = c
	t.alarmBorder.Hidden = t.alarm.Flash && !t.flashOn
	text := t.alarm.Priority.String()
	if t.alarm.Drill {
		text += " " + T("DRILL")
	}
	t.badge.Set(text, c)
	t.badge.Show()
}

// setAlarm changes the alarm mark; it reports whether anything changed.
func (t *tile) setAlarm(m *alarmMark) {
	if (t.alarm == nil && m == nil) || (t.alarm != nil && m != nil && *t.alarm == *m) {
		return
	}
	t.alarm = m
	t.showAlarm()
	t.relayout()
	t.alarmBorder.Refresh()
	t.band.Refresh()
	t.name.Refresh()
}

// flash toggles a flashing alarm border; only the border is redrawn.
func (t *tile) flash(on bool) {
	t.flashOn = on
	if t.alarm == nil || !t.alarm.Flash {
		return
	}
	t.alarmBorder.Hidden = !on
	t.alarmBorder.Refresh()
}

func (t *tile) setSelected(on bool) {
	if t.selected == on {
		return
	}
	t.selected = on
	t.selBorder.Hidden = !on
	t.selBorder.Refresh()
}

func (t *tile) setDropping(on bool) {
	if t.dropping == on {
		return
	}
	t.dropping = on
	t.dropBorder.Hidden = !on
	t.dropBorder.Refresh()
}

// flashing reports whether the alarm border flashes (tests and the pump).
func (t *tile) flashing() bool { return t.alarm != nil && t.alarm.Flash }

func (t *tile) relayout() {
	if t.r != nil {
		t.r.Layout(t.Size())
	}
}

// containsAbs reports whether an absolute canvas position lies on the tile.
func (t *tile) containsAbs(p fyne.Position) bool {
	if !t.Visible() {
		return false
	}
	o := fyne.CurrentApp().Driver().AbsolutePositionForObject(t)
	s := t.Size()
	return p.X >= o.X && p.Y >= o.Y && p.X < o.X+s.Width && p.Y < o.Y+s.Height
}

func (t *tile) CreateRenderer() fyne.WidgetRenderer {
	t.r = &tileRenderer{t: t}
	return t.r
}

type tileRenderer struct{ t *tile }

func (r *tileRenderer) Objects() []fyne.CanvasObject {
	t := r.t
	objs := []fyne.CanvasObject{t.bg, t.img}
	for _, b := range t.boxes {
		objs = append(objs, b)
	}
	return append(objs, t.cardBG, t.cardTitle, t.cardReason, t.hint, t.band, t.name, t.badge,
		t.alarmBorder, t.selBorder, t.dropBorder)
}

func (r *tileRenderer) MinSize() fyne.Size { return fyne.NewSize(48, 27) }

func (r *tileRenderer) Destroy() {}

func (r *tileRenderer) Refresh() {
	for _, o := range r.Objects() {
		o.Refresh()
	}
}

// Layout places the picture at its stream's aspect inside the tile, and asks the viewer for
// frames of exactly that many pixels: the frame is scaled once, during colour conversion,
// and the GPU (or the software rasterizer) only copies it.
func (r *tileRenderer) Layout(size fyne.Size) {
	t := r.t
	if size.Width <= 0 || size.Height <= 0 {
		return
	}
	t.bg.Resize(size)
	t.bg.Move(fyne.Position{})

	iw, ih := size.Width, size.Height
	if a := float32(t.aspect); a > 0 {
		if iw/ih > a {
			iw = ih * a
		} else {
			ih = iw / a
		}
	}
	ix, iy := (size.Width-iw)/2, (size.Height-ih)/2
	t.img.Move(fyne.NewPos(ix, iy))
	t.img.Resize(fyne.NewSize(iw, ih))
	t.placeBoxes()
	px := pixelSize(iw, ih, t.w.scale())
	if px != t.px {
		t.px = px
		if t.viewer != nil {
			t.viewer.Resize(px.X, px.Y)
		}
	}

	// The name on a dark band along the top of the picture, the alarm's priority at its end.
	nameH := fyne.MeasureText("Mg", nameTextSize, t.name.TextStyle).Height
	bandH := nameH + 2*3
	t.band.Move(fyne.NewPos(ix, iy))
	t.band.Resize(fyne.NewSize(iw, bandH))
	right := ix + iw - tileNamePadding
	if t.badge.Visible() {
		bs := t.badge.MinSize()
		bs.Height = min(bs.Height, bandH-2)
		t.badge.Resize(bs)
		t.badge.Move(fyne.NewPos(ix+iw-bs.Width-4, iy+(bandH-bs.Height)/2))
		right = ix + iw - bs.Width - 8
	}
	full := ""
	if t.cam != nil {
		full = t.cam.Display(english())
	}
	left := ix + tileNamePadding
	t.name.Text = fitText(full, right-left, nameTextSize, t.name.TextStyle)
	t.name.Move(fyne.NewPos(left, iy+3))
	t.name.Resize(fyne.NewSize(max(right-left, 0), nameH))

	// The state card, centred below the band.
	cw := min(size.Width-16, cardMaxWidth)
	titleH := fyne.MeasureText("Mg", theme.TextSize(), t.cardTitle.TextStyle).Height
	t.cardTitle.Text = fitText(t.title, cw-8, theme.TextSize(), t.cardTitle.TextStyle)
	ch := titleH + 12
	if t.cardReason.Visible() {
		t.cardReason.Resize(fyne.NewSize(cw, t.cardReason.MinSize().Height))
		rh := t.cardReason.MinSize().Height
		t.cardReason.Resize(fyne.NewSize(cw, rh))
		ch += rh - 4
	}
	top := iy + bandH + (ih-bandH-ch)/2
	if top < iy+bandH {
		top = iy + bandH
	}
	left = (size.Width - cw) / 2
	t.cardBG.Move(fyne.NewPos(left, top))
	t.cardBG.Resize(fyne.NewSize(cw, ch))
	t.cardTitle.Move(fyne.NewPos(left, top+6))
	t.cardTitle.Resize(fyne.NewSize(cw, titleH))
	t.cardReason.Move(fyne.NewPos(left, top+titleH+2))

	t.hint.Text = fitText(T("Drag a camera here"), size.Width-8, theme.CaptionTextSize(), t.hint.TextStyle)
	t.hint.Move(fyne.NewPos(0, (size.Height-titleH)/2))
	t.hint.Resize(fyne.NewSize(size.Width, titleH))

	for _, b := range []*canvas.Rectangle{t.alarmBorder, t.dropBorder} {
		b.Move(fyne.Position{})
		b.Resize(size)
	}
	t.selBorder.Move(fyne.NewPos(alarmStroke, alarmStroke))
	t.selBorder.Resize(fyne.NewSize(size.Width-2*alarmStroke, size.Height-2*alarmStroke))
}

// pixelSize is a viewer's frame size for an area of the canvas: its size in pixels,
// rounded to even numbers (4:2:0 pictures), at least 64×36.
func pixelSize(w, h float32, scale float32) image.Point {
	if scale <= 0 {
		scale = 1
	}
	pw := int(math.Round(float64(w*scale)/2)) * 2
	ph := int(math.Round(float64(h*scale)/2)) * 2
	return image.Pt(max(pw, minViewerWidth), max(ph, minViewerHeight))
}

// fitText shortens s with an ellipsis so that it fits in width.
func fitText(s string, width, size float32, style fyne.TextStyle) string {
	if s == "" || fyne.MeasureText(s, size, style).Width <= width {
		return s
	}
	r := []rune(s)
	lo, hi := 0, len(r)
	for lo < hi { // the longest prefix that fits with the ellipsis
		mid := (lo + hi + 1) / 2
		if fyne.MeasureText(string(r[:mid])+"…", size, style).Width <= width {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	if lo == 0 {
		return ""
	}
	return string(r[:lo]) + "…"
}

// cell is a tile's place in a layout's grid, in grid units.
type cell struct{ X, Y, W, H int }

// layoutCells returns a layout's grid and its tiles' cells in tile order. A focus layout
// puts the large tile top-left, then the small ones down the right and along the bottom.
func layoutCells(l app.WallLayout) (cols, rows int, cells []cell) {
	switch l {
	case app.LayoutFocus6:
		return 3, 3, []cell{{0, 0, 2, 2}, {2, 0, 1, 1}, {2, 1, 1, 1}, {0, 2, 1, 1}, {1, 2, 1, 1}, {2, 2, 1, 1}}
	case app.LayoutFocus8:
		return 4, 4, []cell{{0, 0, 3, 3}, {3, 0, 1, 1}, {3, 1, 1, 1}, {3, 2, 1, 1}, {0, 3, 1, 1}, {1, 3, 1, 1}, {2, 3, 1, 1}, {3, 3, 1, 1}}
	}
	n := int(math.Round(math.Sqrt(float64(l.Tiles()))))
	if n < 1 {
		n = 1
	}
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			cells = append(cells, cell{x, y, 1, 1})
		}
	}
	return n, n, cells
}

// gridLayout arranges the tiles of a layout with 16:9 cells, as large as fits, centred.
type gridLayout struct {
	cols, rows int
	cells      []cell
}

func newGridLayout(l app.WallLayout) *gridLayout {
	g := &gridLayout{}
	g.cols, g.rows, g.cells = layoutCells(l)
	return g
}

func (g *gridLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(320, 180) }

func (g *gridLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	want := float32(g.cols*16) / float32(g.rows*9)
	w, h := size.Width, size.Height
	if w/h > want {
		w = h * want
	} else {
		h = w / want
	}
	ox, oy := (size.Width-w)/2, (size.Height-h)/2
	cw, ch := w/float32(g.cols), h/float32(g.rows)
	for i, o := range objs {
		if i >= len(g.cells) {
			o.Hide()
			continue
		}
		c := g.cells[i]
		x0, y0 := ox+float32(c.X)*cw, oy+float32(c.Y)*ch
		x1, y1 := ox+float32(c.X+c.W)*cw, oy+float32(c.Y+c.H)*ch
		// Whole pixels, so that neighbouring tiles share their edges exactly.
		x0, y0, x1, y1 = float32(math.Round(float64(x0))), float32(math.Round(float64(y0))), float32(math.Round(float64(x1))), float32(math.Round(float64(y1)))
		o.Move(fyne.NewPos(x0+tileGap/2, y0+tileGap/2))
		o.Resize(fyne.NewSize(x1-x0-tileGap, y1-y0-tileGap))
	}
}
