package app

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image"
	_ "image/jpeg" // background rasters: JPEG photos
	_ "image/png"  // and PNG exports of CAD plans
	"math"
	"path"
	"strings"
)

// Background is a raster picture (a CAD export, an aerial photo) drawn under the site plan,
// aligned by two reference points: two pixels of the picture and where they are on the
// site. The file lives in the data directory (backgrounds/); the site keeps its name.
type Background struct {
	File    string     `json:"file"`
	Refs    [2]RefPair `json:"refs"`
	Opacity float64    `json:"opacity,omitempty"` // 0–1; 0 means the default (0.6)
	Width   int        `json:"width,omitempty"`   // the picture's size in pixels
	Height  int        `json:"height,omitempty"`
}

// RefPair ties a pixel of the picture (X right, Y down from the top-left corner) to a
// point of the site in metres.
type RefPair struct {
	Pixel Point `json:"pixel"`
	Site  Point `json:"site"`
}

// DefaultBackgroundOpacity is how strongly a background shows under the plan.
const DefaultBackgroundOpacity = 0.6

// Alpha returns the opacity with its default.
func (b *Background) Alpha() float64 {
	if b.Opacity <= 0 {
		return DefaultBackgroundOpacity
	}
	return math.Min(b.Opacity, 1)
}

// Similarity maps picture pixels to site metres: a scale, a rotation and a translation
// (and the flip from the picture's downward Y to the site's northward Y).
//
//	site.X = A·px + B·py + TX
//	site.Y = B·px − A·py + TY
type Similarity struct{ A, B, TX, TY float64 }

// Apply maps a pixel to the site.
func (t Similarity) Apply(px Point) Point {
	return Point{t.A*px.X + t.B*px.Y + t.TX, t.B*px.X - t.A*px.Y + t.TY}
}

// Invert maps a site point back to the picture.
func (t Similarity) Invert(p Point) Point {
	x, y := p.X-t.TX, p.Y-t.TY
	d := t.A*t.A + t.B*t.B
	return Point{(t.A*x + t.B*y) / d, (t.B*x - t.A*y) / d}
}

// Scale returns metres per pixel.
func (t Similarity) Scale() float64 { return math.Hypot(t.A, t.B) }

// Transform solves the similarity from the two reference pairs. With u = px − i·py and
// s = x + i·y as complex numbers, s = z·u + t: z = (s2 − s1)/(u2 − u1), t = s1 − z·u1.
func (b *Background) Transform() (Similarity, error) {
	p1, p2 := b.Refs[0], b.Refs[1]
	ux, uy := p2.Pixel.X-p1.Pixel.X, -(p2.Pixel.Y - p1.Pixel.Y)
	sx, sy := p2.Site.X-p1.Site.X, p2.Site.Y-p1.Site.Y
	du := ux*ux + uy*uy
	if du < 1 {
		return Similarity{}, Errorf(CodeInvalid, "The two reference pixels must be different points of the picture")
	}
	if sx*sx+sy*sy < 1e-6 {
		return Similarity{}, Errorf(CodeInvalid, "The two reference points must be different points of the site")
	}
	// z = s / u = s·conj(u) / |u|²
	zr := (sx*ux + sy*uy) / du
	zi := (sy*ux - sx*uy) / du
	// s1 = z·u1 + t, u1 = (px1, −py1)
	u1x, u1y := p1.Pixel.X, -p1.Pixel.Y
	tx := p1.Site.X - (zr*u1x - zi*u1y)
	ty := p1.Site.Y - (zr*u1y + zi*u1x)
	// site = z·(px − i·py) + t: X = zr·px + zi·py + tx, Y = zi·px − zr·py + ty.
	return Similarity{A: zr, B: zi, TX: tx, TY: ty}, nil
}

// Validate checks a background's settings (not its picture).
func (b *Background) Validate() error {
	var p Problems
	if b.File == "" || path.Base(b.File) != b.File || strings.HasPrefix(b.File, ".") {
		p.Add("file", "The background needs a picture file")
	}
	for _, r := range b.Refs {
		if !finite(r.Pixel) || !finite(r.Site) {
			p.Add("refs", "The reference points must be numbers")
		}
	}
	if b.Opacity < 0 || b.Opacity > 1 || math.IsNaN(b.Opacity) {
		p.Add("opacity", "The opacity must be between 0 and 1")
	}
	if err := p.Err(); err != nil {
		return err
	}
	_, err := b.Transform()
	return err
}

// MaxBackgroundPixels bounds a background picture (about a 12,000 × 12,000 CAD export).
const MaxBackgroundPixels = 150_000_000

// CheckBackgroundImage reads a picture's header: it must be a PNG or a JPEG of a sensible
// size. It returns the file name to keep it under (its content's hash, so two pictures
// never overwrite each other) and its size.
func CheckBackgroundImage(original string, data []byte) (name string, w, h int, err error) {
	cfg, format, derr := image.DecodeConfig(bytes.NewReader(data))
	if derr != nil || (format != "png" && format != "jpeg") {
		return "", 0, 0, Errorf(CodeInvalid, "The background must be a PNG or JPEG picture")
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > MaxBackgroundPixels {
		return "", 0, 0, Errorf(CodeInvalid, "The background picture is too large ({{.W}} × {{.H}} pixels)", "W", cfg.Width, "H", cfg.Height)
	}
	sum := sha256.Sum256(data)
	ext := ".png"
	if format == "jpeg" {
		ext = ".jpg"
	}
	base := strings.TrimSuffix(path.Base(strings.ReplaceAll(original, "\\", "/")), path.Ext(original))
	base = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, base)
	if len(base) > 40 {
		base = base[:40]
	}
	if base == "" || base[0] == '.' || base[0] == '_' {
		base = "background" + base
	}
	return base + "-" + hex.EncodeToString(sum[:6]) + ext, cfg.Width, cfg.Height, nil
}
