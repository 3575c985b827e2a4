package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/color"
	"image/png"
	"math"
	"net/http"
	"strconv"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"

	"watchpost/app"
	"watchpost/mapdraw"
)

// The site plan on a phone (GET /plan.png): the site drawn by mapdraw as the console's map
// draws it (light colours, the grids tinted, buildings, roads, gates; no cameras and no
// devices), with the names of grids and buildings, as a PNG. The report form shows it as
// an image button (<input type="image">): a tap sends the form with the tap's position in
// the picture (name.x, name.y), which the server turns back into a point of the site with
// the same view the picture was drawn with (PlanView), then into the grid and building
// under it. No script is needed.
//
// A browser sends the tap in CSS pixels of the picture as it is laid out, so the picture
// is never scaled by the style sheet: it comes in a few fixed widths (PlanWidths), one
// image button each, and the style sheet shows the one that fits the phone's width; the
// button's name says which width was tapped. Each is drawn at PlanPixelRatio times its
// size so that it is sharp on a phone's screen.

// PlanWidths are the widths (CSS pixels) the plan is drawn at: a 320 px phone's column
// (320 − 2 × 16), a 390 px phone's (390 − 2 × 16), and the widest column of the pages.
var PlanWidths = []int{288, 358, 528}

// PlanPixelRatio is how many pixels the picture has per CSS pixel.
const PlanPixelRatio = 2

// planMargin is the room (CSS pixels) around the site in the picture.
const planMargin = 8

// planImage is one drawn plan.
type planImage struct {
	png  []byte
	etag string
	rgba *image.RGBA
	view mapdraw.View // in the picture's own pixels (CSS pixels × PlanPixelRatio)
	W, H int          // CSS pixels
}

type planKey struct {
	english bool
	width   int
}

// plans draws and keeps the plan pictures of the site as it stands (a changed plan is
// drawn again on the next request).
type plans struct {
	mu   sync.Mutex
	site *app.Site
	imgs map[planKey]*planImage
}

// planHeight is the height of the plan drawn w wide: the site's proportions, kept between
// a wide strip and a tall page.
func planHeight(site *app.Site, w int) int {
	b := site.Bounds()
	dx, dy := b.Max.X-b.Min.X, b.Max.Y-b.Min.Y
	ratio := 0.75
	if dx > 0 && dy > 0 {
		ratio = dy / dx
	}
	ratio = math.Min(math.Max(ratio, 0.55), 1.25)
	return int(math.Round(float64(w) * ratio))
}

// plan returns the plan w CSS pixels wide in a language (nil when the site has no plan).
func (s *Server) plan(english bool, w int) *planImage {
	site := s.core.Inventory.Site()
	if site == nil || len(site.Boundary) < 3 && len(site.Grids) == 0 && len(site.Buildings) == 0 {
		return nil
	}
	s.plans.mu.Lock()
	defer s.plans.mu.Unlock()
	if s.plans.site != site {
		s.plans.site, s.plans.imgs = site, map[planKey]*planImage{}
	}
	k := planKey{english, w}
	if p, ok := s.plans.imgs[k]; ok {
		return p
	}
	p := drawPlan(site, english, w)
	s.plans.imgs[k] = p
	return p
}

// drawPlan draws the site w CSS pixels wide.
func drawPlan(site *app.Site, english bool, w int) *planImage {
	h := planHeight(site, w)
	W, H := w*PlanPixelRatio, h*PlanPixelRatio
	r := mapdraw.New(site, mapdraw.Options{Palette: mapdraw.LightPalette(), DPI: PlanPixelRatio})
	layers := mapdraw.Layers{Grids: true, Labels: true, Hidden: map[app.DeviceKind]bool{}}
	for _, d := range site.Devices {
		layers.Hidden[d.Kind] = true
	}
	r.SetLayers(layers)
	r.Resize(W, H)
	r.SetView(mapdraw.Fit(site.Bounds(), W, H, planMargin*PlanPixelRatio))
	img := r.Render()
	out := image.NewRGBA(img.Rect)
	copy(out.Pix, img.Pix)
	f := planFonts()
	f.mu.Lock()
	defer f.mu.Unlock()
	measure := func(text string, size float32, bold bool) (int, int) {
		face := f.face(float64(size)*PlanPixelRatio, bold)
		m := face.Metrics()
		return font.MeasureString(face, text).Ceil(), (m.Ascent + m.Descent).Ceil()
	}
	for _, l := range r.PlaceLabels(english || !f.cjk, measure, 200) {
		st := r.Style(l)
		drawPlate(out, l.R, st)
		face := f.face(float64(l.Size)*PlanPixelRatio, l.Bold)
		m := face.Metrics()
		tw := font.MeasureString(face, l.Text)
		x := fixed.I(l.R.Min.X) + (fixed.I(l.R.Dx())-tw)/2
		y := fixed.I(l.R.Min.Y) + (fixed.I(l.R.Dy())-(m.Ascent+m.Descent))/2 + m.Ascent
		d := font.Drawer{Dst: out, Src: image.NewUniform(st.Text), Face: face, Dot: fixed.Point26_6{X: x, Y: y}}
		d.DrawString(l.Text)
	}
	p := &planImage{rgba: out, view: r.View(), W: w, H: h}
	p.png = encodePNG(out)
	sum := sha256.Sum256(p.png)
	p.etag = hex.EncodeToString(sum[:8])
	return p
}

// drawPlate draws a label's plate: a rounded rectangle, outlined for a grid's name.
func drawPlate(dst *image.RGBA, r image.Rectangle, st mapdraw.LabelStyle) {
	rad := 3 * PlanPixelRatio
	ow := int(math.Round(float64(st.OutlineWidth) * PlanPixelRatio))
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if !(image.Point{x, y}).In(dst.Rect) || !inRounded(r, rad, x, y) {
				continue
			}
			c := st.Plate
			if st.Outline.A > 0 && ow > 0 && !inRounded(r.Inset(ow), max(rad-ow, 0), x, y) {
				c = st.Outline
			}
			blend(dst, x, y, c)
		}
	}
}

// inRounded reports whether pixel (x, y) is inside r with corners of radius rad.
func inRounded(r image.Rectangle, rad, x, y int) bool {
	if !(image.Point{x, y}).In(r) {
		return false
	}
	cx, cy := x, y
	switch {
	case x < r.Min.X+rad:
		cx = r.Min.X + rad
	case x >= r.Max.X-rad:
		cx = r.Max.X - rad - 1
	}
	switch {
	case y < r.Min.Y+rad:
		cy = r.Min.Y + rad
	case y >= r.Max.Y-rad:
		cy = r.Max.Y - rad - 1
	}
	dx, dy := x-cx, y-cy
	return dx*dx+dy*dy <= rad*rad
}

func blend(dst *image.RGBA, x, y int, c color.NRGBA) {
	i := dst.PixOffset(x, y)
	a := uint32(c.A)
	for k, v := range []uint8{c.R, c.G, c.B} {
		dst.Pix[i+k] = uint8((uint32(v)*a + uint32(dst.Pix[i+k])*(255-a)) / 255)
	}
	dst.Pix[i+3] = 255
}

func encodePNG(img image.Image) []byte {
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	_ = enc.Encode(&b, img) // writing to memory does not fail
	return b.Bytes()
}

// planWidth reads the width a plan is asked for (the default: the 390 px phone's).
func planWidth(q string) int {
	w, err := strconv.Atoi(q)
	if err == nil {
		for _, x := range PlanWidths {
			if x == w {
				return w
			}
		}
	}
	return PlanWidths[1]
}

// planPage serves the plan picture: ?w= one of PlanWidths; ?x=&y= (site metres) marks a
// chosen point on it.
func (s *Server) planPage(w http.ResponseWriter, r *http.Request, c *Context) error {
	q := r.URL.Query()
	p := s.plan(c.T.English(), planWidth(q.Get("w")))
	if p == nil {
		return app.Errorf(app.CodeNotFound, "The site has no plan yet")
	}
	body, tag := p.png, p.etag
	if pt, ok := planPoint(q.Get("x"), q.Get("y")); ok {
		body, tag = markedPlan(p, pt), ""
	}
	h := w.Header()
	h.Set("Content-Type", "image/png")
	if tag != "" {
		h.Set("ETag", `"`+tag+`"`)
		h.Set("Cache-Control", "private, no-cache") // asked again each time; unchanged: 304
		if r.Header.Get("If-None-Match") == `"`+tag+`"` {
			w.WriteHeader(http.StatusNotModified)
			return nil
		}
	} else {
		h.Set("Cache-Control", "private, max-age=3600")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
	return nil
}

// planPoint reads a site point from the address (metres).
func planPoint(xs, ys string) (app.Point, bool) {
	x, err1 := strconv.ParseFloat(xs, 64)
	y, err2 := strconv.ParseFloat(ys, 64)
	if err1 != nil || err2 != nil || math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0) {
		return app.Point{}, false
	}
	return app.Point{X: x, Y: y}, true
}

// markedPlan is the plan with a pin at a site point.
func markedPlan(p *planImage, pt app.Point) []byte {
	img := image.NewRGBA(p.rgba.Rect)
	copy(img.Pix, p.rgba.Pix)
	c := p.view.Px(pt)
	cx, cy := float64(c.X), float64(c.Y)
	outer, inner := 9.0*PlanPixelRatio, 6.0*PlanPixelRatio
	b := image.Rect(int(cx-outer)-1, int(cy-outer)-1, int(cx+outer)+2, int(cy+outer)+2).Intersect(img.Rect)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			d := math.Hypot(float64(x)+0.5-cx, float64(y)+0.5-cy)
			switch {
			case d <= inner:
				blend(img, x, y, color.NRGBA{0xd1, 0x24, 0x2f, 0xff})
			case d <= outer:
				blend(img, x, y, color.NRGBA{0xff, 0xff, 0xff, 0xff})
			}
		}
	}
	return encodePNG(img)
}

// tapped turns a tap on the plan w CSS pixels wide, at (x, y) CSS pixels of the picture,
// into the site point under it (false when it is not on the picture).
func (s *Server) tapped(english bool, w int, x, y float64) (app.Point, bool) {
	p := s.plan(english, w)
	if p == nil || x < 0 || y < 0 || x > float64(p.W) || y > float64(p.H) {
		return app.Point{}, false
	}
	return p.view.Site(x*PlanPixelRatio, y*PlanPixelRatio), true
}

// placeAt is the grid and the building at a site point ("" for none).
func placeAt(site *app.Site, pt app.Point) (grid, building string) {
	if site == nil {
		return "", ""
	}
	if g, ok := site.GridAt(pt); ok {
		grid = g.ID
	}
	for i := range site.Buildings {
		if site.Buildings[i].Footprint.Contains(pt) {
			building = site.Buildings[i].ID
			if grid == "" {
				grid = site.Buildings[i].GridID
			}
			break
		}
	}
	return grid, building
}
