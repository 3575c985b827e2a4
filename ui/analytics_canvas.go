package ui

import (
	"image/color"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// zoneCanvas is the camera's live picture with its analytics drawn over it: zones (masks
// hatched in grey), lines with their sides A and B, what is being tracked now, and the
// zone or line being drawn. Tapping the picture adds a point to the shape being drawn.

type drawMode int

const (
	drawNone drawMode = iota
	drawZone
	drawMask
	drawLine
)

type zoneCanvas struct {
	widget.BaseWidget
	cfg     *app.CameraAnalytics // the dialog's working copy
	img     *canvas.Image
	bg      *canvas.Rectangle
	hint    *canvas.Text
	mode    drawMode
	points  []app.NPoint // the shape being drawn
	objects []app.TrackedObject
	aspect  float32
	// onPoint is told when a point was added (the dialog finishes a line at two).
	onPoint func()
	overlay []fyne.CanvasObject
}

func newZoneCanvas(cfg *app.CameraAnalytics) *zoneCanvas {
	z := &zoneCanvas{cfg: cfg, aspect: 16.0 / 9}
	z.bg = canvas.NewRectangle(color.NRGBA{0, 0, 0, 0xff})
	z.img = &canvas.Image{ScaleMode: canvas.ImageScaleFastest, FillMode: canvas.ImageFillStretch}
	z.hint = canvas.NewText(T("Waiting for video…"), themeColor(colorMuted))
	z.hint.Alignment = fyne.TextAlignCenter
	z.ExtendBaseWidget(z)
	return z
}

// picture is where the picture lies inside the widget (its aspect kept).
func (z *zoneCanvas) picture() (fyne.Position, fyne.Size) {
	s := z.Size()
	w, h := s.Width, s.Height
	if w <= 0 || h <= 0 {
		return fyne.Position{}, s
	}
	if w/h > z.aspect {
		w = h * z.aspect
	} else {
		h = w / z.aspect
	}
	return fyne.NewPos((s.Width-w)/2, (s.Height-h)/2), fyne.NewSize(w, h)
}

func (z *zoneCanvas) toScreen(p app.NPoint) fyne.Position {
	o, s := z.picture()
	return fyne.NewPos(o.X+float32(p.X)*s.Width, o.Y+float32(p.Y)*s.Height)
}

// Tapped adds a point where the picture was tapped, while drawing.
func (z *zoneCanvas) Tapped(e *fyne.PointEvent) {
	if z.mode == drawNone {
		return
	}
	o, s := z.picture()
	if s.Width <= 0 || s.Height <= 0 {
		return
	}
	x := float64((e.Position.X - o.X) / s.Width)
	y := float64((e.Position.Y - o.Y) / s.Height)
	if x < 0 || x > 1 || y < 0 || y > 1 {
		return
	}
	z.points = append(z.points, app.NPoint{X: math.Round(x*1000) / 1000, Y: math.Round(y*1000) / 1000})
	z.Refresh()
	if z.onPoint != nil {
		z.onPoint()
	}
}

// setFrame shows a new picture.
func (z *zoneCanvas) setFrame(f *app.Frame) {
	z.img.Image = f.Image
	if b := f.Image.Bounds(); b.Dy() > 0 {
		if a := float32(b.Dx()) / float32(b.Dy()); math.Abs(float64(a-z.aspect)) > 0.01 {
			z.aspect = a
			z.Refresh()
			return
		}
	}
	z.hint.Hide()
	z.img.Refresh()
}

func (z *zoneCanvas) setObjects(o []app.TrackedObject) {
	if len(o) == 0 && len(z.objects) == 0 {
		return
	}
	z.objects = o
	z.Refresh()
}

func (z *zoneCanvas) CreateRenderer() fyne.WidgetRenderer { return &zoneRenderer{z: z} }

type zoneRenderer struct{ z *zoneCanvas }

func (r *zoneRenderer) Objects() []fyne.CanvasObject {
	z := r.z
	return append([]fyne.CanvasObject{z.bg, z.img, z.hint}, z.overlay...)
}

func (r *zoneRenderer) MinSize() fyne.Size { return fyne.NewSize(480, 270) }
func (r *zoneRenderer) Destroy()           {}

func (r *zoneRenderer) Layout(size fyne.Size) {
	z := r.z
	z.bg.Resize(size)
	o, s := z.picture()
	z.img.Move(o)
	z.img.Resize(s)
	z.hint.Move(fyne.NewPos(0, size.Height/2-10))
	z.hint.Resize(fyne.NewSize(size.Width, 20))
	r.build()
}

func (r *zoneRenderer) Refresh() {
	r.Layout(r.z.Size())
	for _, o := range r.Objects() {
		o.Refresh()
	}
}

var (
	zoneStroke   = color.NRGBA{0x3d, 0xd6, 0x8c, 0xff} // zones: green
	maskStroke   = color.NRGBA{0x9a, 0xa4, 0xae, 0xff} // masks: grey
	lineStroke   = color.NRGBA{0x4c, 0xb8, 0xff, 0xff} // lines: blue
	drawStroke   = color.NRGBA{0xff, 0xd4, 0x3b, 0xff} // being drawn: yellow
	personStroke = color.NRGBA{0xff, 0x4d, 0x4d, 0xff}
	movingStroke = color.NRGBA{0xff, 0xd4, 0x3b, 0xc0}
)

// build makes the overlay's shapes for the current settings.
func (r *zoneRenderer) build() {
	z := r.z
	var out []fyne.CanvasObject
	seg := func(a, b app.NPoint, c color.Color, w float32) {
		l := canvas.NewLine(c)
		l.StrokeWidth = w
		l.Position1, l.Position2 = z.toScreen(a), z.toScreen(b)
		out = append(out, l)
	}
	label := func(text string, at fyne.Position, c color.Color) {
		t := canvas.NewText(text, c)
		t.TextSize = theme.CaptionTextSize()
		t.TextStyle.Bold = true
		t.Move(at)
		// A dark band behind the name keeps it readable on grass and on sky.
		sz := t.MinSize()
		bg := canvas.NewRectangle(color.NRGBA{0, 0, 0, 0xa0})
		bg.Move(at.SubtractXY(2, 0))
		bg.Resize(fyne.NewSize(sz.Width+4, sz.Height))
		out = append(out, bg, t)
	}
	for _, zn := range z.cfg.Zones {
		c := zoneStroke
		if zn.Exclude {
			c = maskStroke
		}
		for i := range zn.Points {
			seg(zn.Points[i], zn.Points[(i+1)%len(zn.Points)], c, 2)
		}
		if len(zn.Points) > 0 {
			name := zn.Name
			if zn.Exclude {
				name = T("Mask") + ": " + name
			}
			label(name, z.toScreen(zn.Points[0]).AddXY(4, 2), c)
		}
	}
	for _, l := range z.cfg.Lines {
		seg(l.From, l.To, lineStroke, 3)
		// Sides: A on the left of From→To as seen on the picture, B on the right.
		a, b := z.toScreen(l.From), z.toScreen(l.To)
		mid := fyne.NewPos((a.X+b.X)/2, (a.Y+b.Y)/2)
		dx, dy := b.X-a.X, b.Y-a.Y
		n := float32(math.Hypot(float64(dx), float64(dy)))
		if n > 0 {
			// Left of the direction of travel on a y-down screen is (dy, -dx).
			lx, ly := dy/n*18, -dx/n*18
			label("A", mid.AddXY(lx-4, ly-8), lineStroke)
			label("B", mid.AddXY(-lx-4, -ly-8), lineStroke)
		}
		label(l.Name, a.AddXY(4, 2), lineStroke)
	}
	for i, p := range z.points {
		c := canvas.NewCircle(drawStroke)
		pos := z.toScreen(p)
		c.Move(pos.SubtractXY(4, 4))
		c.Resize(fyne.NewSize(8, 8))
		out = append(out, c)
		if i > 0 {
			seg(z.points[i-1], p, drawStroke, 2)
		}
	}
	if z.mode != drawLine && len(z.points) > 2 {
		// The closing edge, dashed in spirit: thinner.
		seg(z.points[len(z.points)-1], z.points[0], drawStroke, 1)
	}
	o, s := z.picture()
	for _, ob := range z.objects {
		rc := canvas.NewRectangle(color.Transparent)
		rc.StrokeWidth = 2
		rc.StrokeColor = movingStroke
		if ob.Person {
			rc.StrokeColor = personStroke
		}
		rc.Move(fyne.NewPos(o.X+float32(ob.Box.X)*s.Width, o.Y+float32(ob.Box.Y)*s.Height))
		rc.Resize(fyne.NewSize(float32(ob.Box.W)*s.Width, float32(ob.Box.H)*s.Height))
		out = append(out, rc)
	}
	z.overlay = out
}
