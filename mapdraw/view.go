package mapdraw

import (
	"math"

	"watchpost/app"
)

// Pt is a point in pixels.
type Pt struct{ X, Y float32 }

// View maps site metres to pixels: Scale pixels per metre, (OX, OY) the site point at
// the top-left pixel (Y grows north on the site, down on screen), W × H pixels.
type View struct {
	Scale  float64
	OX, OY float64
	W, H   int
}

// Px is where a site point is in the picture.
func (v View) Px(p app.Point) Pt {
	return Pt{float32((p.X - v.OX) * v.Scale), float32((v.OY - p.Y) * v.Scale)}
}

// Site is the site point at pixel (x, y).
func (v View) Site(x, y float64) app.Point {
	return app.Point{X: v.OX + x/v.Scale, Y: v.OY - y/v.Scale}
}

// Fit returns the w × h view showing r whole and centred, with a margin in pixels.
func Fit(r app.Rect, w, h int, margin float64) View {
	v := View{W: w, H: h, Scale: 1}
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

// ZoomAt scales the view by f keeping the site point under pixel (x, y) where it is.
func (v View) ZoomAt(f, x, y float64) View {
	p := v.Site(x, y)
	v.Scale *= f
	v.OX = p.X - x/v.Scale
	v.OY = p.Y + y/v.Scale
	return v
}

// Centred returns the view moved so that the site point c is at its centre.
func (v View) Centred(c app.Point) View {
	v.OX, v.OY = c.X-float64(v.W)/2/v.Scale, c.Y+float64(v.H)/2/v.Scale
	return v
}

// Centre is the site point at the middle of the view.
func (v View) Centre() app.Point { return v.Site(float64(v.W)/2, float64(v.H)/2) }
