package mapdraw

import (
	"encoding/binary"
	"image"
	"image/color"
	"image/draw"
	"math"

	"golang.org/x/image/vector"
)

// The map draws itself into *image.RGBA layers: polygons are rasterised (anti-aliased) with
// golang.org/x/image/vector into an alpha mask covering only their box, and blended with a
// loop that skips what they do not cover; markers are small pre-drawn sprites copied in.
// A 1600×900 frame of a large site costs a few milliseconds (bench_test.go).

// painter fills shapes into dst, never outside clip. Shapes added between begin and fill
// are filled together with one colour (their union: overlapping shapes do not darken).
type painter struct {
	dst   *image.RGBA
	clip  image.Rectangle
	z     vector.Rasterizer
	mask  []uint8
	polys [][]Pt
	tmp   [2][]Pt
	clipA []Pt
	clipB []Pt
	boxes []image.Rectangle
	idx   []int
	cx    []uint32
	pool  [][]Pt // reused point slices
	used  int
	// covered counts the pixels blended, for the benchmarks' reports.
	covered int
}

func newPainter(dst *image.RGBA) *painter { return &painter{dst: dst, clip: dst.Bounds()} }

func (p *painter) setClip(r image.Rectangle) { p.clip = r.Intersect(p.dst.Bounds()) }

func (p *painter) begin() { p.polys = p.polys[:0]; p.used = 0 }

// slice returns a reusable slice for a polygon's points.
func (p *painter) slice(n int) []Pt {
	if p.used < len(p.pool) {
		s := p.pool[p.used][:0]
		p.used++
		if cap(s) >= n {
			return s
		}
		s = make([]Pt, 0, n)
		p.pool[p.used-1] = s
		return s
	}
	s := make([]Pt, 0, max(n, 8))
	p.pool = append(p.pool, s)
	p.used++
	return s
}

// poly adds a closed polygon (any orientation; it is normalised so that shapes of one fill
// add up instead of cancelling).
func (p *painter) poly(pts []Pt) {
	if len(pts) < 3 {
		return
	}
	var a float32
	for i, j := 0, len(pts)-1; i < len(pts); j, i = i, i+1 {
		a += pts[j].X*pts[i].Y - pts[i].X*pts[j].Y
	}
	s := p.slice(len(pts))
	if a < 0 {
		for i := len(pts) - 1; i >= 0; i-- {
			s = append(s, pts[i])
		}
	} else {
		s = append(s, pts...)
	}
	p.polys = append(p.polys, s)
}

// quad adds the rectangle of a segment of width w.
func (p *painter) segment(a, b Pt, w float32) {
	dx, dy := b.X-a.X, b.Y-a.Y
	l := float32(math.Hypot(float64(dx), float64(dy)))
	if l < 1e-3 {
		return
	}
	nx, ny := -dy/l*w/2, dx/l*w/2
	p.poly([]Pt{{a.X + nx, a.Y + ny}, {b.X + nx, b.Y + ny}, {b.X - nx, b.Y - ny}, {a.X - nx, a.Y - ny}})
}

// disc adds a circle.
func (p *painter) disc(c Pt, r float32) {
	n := 8
	if r > 3 {
		n = 16
	}
	if r > 12 {
		n = 32
	}
	pts := p.slice(n)
	for i := 0; i < n; i++ {
		a := 2 * math.Pi * float64(i) / float64(n)
		pts = append(pts, Pt{c.X + r*float32(math.Cos(a)), c.Y + r*float32(math.Sin(a))})
	}
	p.polys = append(p.polys, pts)
}

// stroke adds a line of width w through pts (round joins for thick lines).
func (p *painter) stroke(pts []Pt, w float32, closed bool) {
	n := len(pts)
	if n < 2 {
		return
	}
	for i := 0; i+1 < n; i++ {
		p.segment(pts[i], pts[i+1], w)
	}
	if closed && n > 2 {
		p.segment(pts[n-1], pts[0], w)
	}
	if w >= 2.5 {
		for i, q := range pts {
			if closed || (i > 0 && i < n-1) || w >= 4 {
				p.disc(q, w/2)
			}
		}
	}
}

// fillTile is the side of the square tiles a large fill is cut into: each tile rasterises
// only the shapes that reach it, and a tile that lies wholly inside a shape is painted
// without rasterising at all.
const fillTile = 128

func polyBox(pg []Pt) image.Rectangle {
	minX, minY := float32(math.MaxFloat32), float32(math.MaxFloat32)
	maxX, maxY := float32(-math.MaxFloat32), float32(-math.MaxFloat32)
	for _, q := range pg {
		minX, maxX = min(minX, q.X), max(maxX, q.X)
		minY, maxY = min(minY, q.Y), max(maxY, q.Y)
	}
	if minX > maxX {
		return image.Rectangle{}
	}
	return image.Rect(int(math.Floor(float64(minX))), int(math.Floor(float64(minY))), int(math.Ceil(float64(maxX)))+1, int(math.Ceil(float64(maxY)))+1)
}

func area(r image.Rectangle) int { return r.Dx() * r.Dy() }

// fill draws the shapes added since begin in c and starts anew. An opaque colour is
// filled shape by shape, each within its own box (c over c is c, so overlaps cannot show);
// a translucent one fills the union of the shapes, so that overlaps do not darken.
func (p *painter) fill(c color.NRGBA) {
	defer p.begin()
	if c.A == 0 || len(p.polys) == 0 {
		return
	}
	boxes := p.boxes[:0]
	var union image.Rectangle
	for _, pg := range p.polys {
		b := polyBox(pg).Intersect(p.clip)
		boxes = append(boxes, b)
		union = union.Union(b)
	}
	p.boxes = boxes
	if union.Empty() {
		return
	}
	if c.A == 255 {
		for i, b := range boxes {
			if b.Empty() {
				continue
			}
			if x0, y0, x1, y1, ok := axisRect(p.polys[i]); ok {
				p.covered += p.fillAxisRect(x0, y0, x1, y1, c)
				continue
			}
			p.fillSet([]int{i}, b, c)
		}
		return
	}
	all := make([]int, 0, len(boxes))
	for i, b := range boxes {
		if !b.Empty() {
			all = append(all, i)
		}
	}
	p.fillSet(all, union, c)
}

// fillSet fills the shapes set (whose boxes make up union): directly when small, else
// tile by tile.
func (p *painter) fillSet(set []int, union image.Rectangle, c color.NRGBA) {
	if area(union) <= 2*fillTile*fillTile {
		p.fillRegion(union, set, c)
		return
	}
	for ty := union.Min.Y - mod(union.Min.Y, fillTile); ty < union.Max.Y; ty += fillTile {
		for tx := union.Min.X - mod(union.Min.X, fillTile); tx < union.Max.X; tx += fillTile {
			tile := image.Rect(tx, ty, tx+fillTile, ty+fillTile).Intersect(union)
			if tile.Empty() {
				continue
			}
			var sub image.Rectangle
			idx := p.idx[:0]
			for _, i := range set {
				if b := p.boxes[i]; b.Overlaps(tile) {
					idx = append(idx, i)
					sub = sub.Union(b.Intersect(tile))
				}
			}
			p.idx = idx
			if len(idx) == 0 {
				continue
			}
			if inside, edges := p.tileInside(sub, idx); !edges {
				if inside {
					p.covered += area(sub)
					fillSolid(p.dst, sub, c)
				}
				continue
			}
			p.fillRegion(sub, idx, c)
		}
	}
}

func mod(a, b int) int { return ((a % b) + b) % b }

// axisRect recognises an axis-aligned rectangle (a straight road, a building on the plan's
// grid, a thin outline): it is filled without rasterising.
func axisRect(pg []Pt) (x0, y0, x1, y1 float32, ok bool) {
	if len(pg) != 4 {
		return
	}
	x0, y0, x1, y1 = pg[0].X, pg[0].Y, pg[0].X, pg[0].Y
	for _, q := range pg[1:] {
		x0, x1, y0, y1 = min(x0, q.X), max(x1, q.X), min(y0, q.Y), max(y1, q.Y)
	}
	for _, q := range pg {
		if (q.X != x0 && q.X != x1) || (q.Y != y0 && q.Y != y1) {
			return 0, 0, 0, 0, false
		}
	}
	for i := range pg {
		a, b := pg[i], pg[(i+1)%4]
		if a.X != b.X && a.Y != b.Y {
			return 0, 0, 0, 0, false
		}
	}
	return x0, y0, x1, y1, x1 > x0 && y1 > y0
}

// coverage of pixel i by the interval [lo, hi], 0–255.
func coverage(lo, hi float32, i int) uint32 {
	c := min(hi, float32(i+1)) - max(lo, float32(i))
	if c <= 0 {
		return 0
	}
	return uint32(255*c + 0.5)
}

// fillAxisRect paints the rectangle x0–x1, y0–y1 (in pixels, fractional) in the opaque
// colour c: whole pixels are written, edge pixels blended by how much of them is covered.
// It returns the pixels touched.
func (p *painter) fillAxisRect(x0, y0, x1, y1 float32, c color.NRGBA) int {
	dst := p.dst
	r := image.Rect(int(math.Floor(float64(x0))), int(math.Floor(float64(y0))), int(math.Ceil(float64(x1))), int(math.Ceil(float64(y1)))).Intersect(p.clip)
	if r.Empty() {
		return 0
	}
	srb, sga := lanes(uint32(c.R), uint32(c.G), uint32(c.B), 255)
	solid := uint32(c.R) | uint32(c.G)<<8 | uint32(c.B)<<16 | 0xff<<24
	w := r.Dx()
	if cap(p.cx) < w {
		p.cx = make([]uint32, w)
	}
	cx := p.cx[:w]
	lo, hi := w, 0 // the columns wholly covered: lo ≤ i < hi
	for i := range cx {
		cx[i] = coverage(x0, x1, r.Min.X+i)
		if cx[i] == 255 {
			lo, hi = min(lo, i), max(hi, i+1)
		}
	}
	blendAt := func(pix []uint8, i int, m uint32) {
		q := pix[4*i : 4*i+4 : 4*i+4]
		switch m {
		case 0:
		case 255:
			binary.LittleEndian.PutUint32(q, solid)
		default:
			binary.LittleEndian.PutUint32(q, over(binary.LittleEndian.Uint32(q), srb, sga, m, 255-m))
		}
	}
	var solidRow []uint8 // the first whole row painted; the next ones are copies of it
	for y := r.Min.Y; y < r.Max.Y; y++ {
		cy := coverage(y0, y1, y)
		o := dst.PixOffset(r.Min.X, y)
		pix := dst.Pix[o : o+4*w : o+4*w]
		if cy == 255 && hi > lo {
			if solidRow != nil {
				copy(pix[4*lo:4*hi], solidRow)
			} else {
				for i := lo; i < hi; i++ {
					binary.LittleEndian.PutUint32(pix[4*i:4*i+4:4*i+4], solid)
				}
				solidRow = pix[4*lo : 4*hi]
			}
			for i := 0; i < lo; i++ {
				blendAt(pix, i, cx[i])
			}
			for i := hi; i < w; i++ {
				blendAt(pix, i, cx[i])
			}
			continue
		}
		for i := 0; i < w; i++ {
			blendAt(pix, i, cx[i]*cy/255)
		}
	}
	return w * r.Dy()
}

// tileInside reports whether any edge of the shapes idx reaches r and, when none does,
// whether r lies inside one of them.
func (p *painter) tileInside(r image.Rectangle, idx []int) (inside, edges bool) {
	x0, y0, x1, y1 := float32(r.Min.X-1), float32(r.Min.Y-1), float32(r.Max.X+1), float32(r.Max.Y+1)
	for _, i := range idx {
		pg := p.polys[i]
		for k, j := 0, len(pg)-1; k < len(pg); j, k = k, k+1 {
			a, b := pg[j], pg[k]
			if max(a.X, b.X) < x0 || min(a.X, b.X) > x1 || max(a.Y, b.Y) < y0 || min(a.Y, b.Y) > y1 {
				continue
			}
			return false, true
		}
	}
	cx, cy := float32(r.Min.X+r.Max.X)/2, float32(r.Min.Y+r.Max.Y)/2
	for _, i := range idx {
		in := false
		pg := p.polys[i]
		for k, j := 0, len(pg)-1; k < len(pg); j, k = k, k+1 {
			a, b := pg[k], pg[j]
			if (a.Y > cy) != (b.Y > cy) && cx < (b.X-a.X)*(cy-a.Y)/(b.Y-a.Y)+a.X {
				in = !in
			}
		}
		if in {
			return true, false
		}
	}
	return false, false
}

// fillRegion rasterises the shapes idx within r and blends c through their coverage.
func (p *painter) fillRegion(r image.Rectangle, idx []int, c color.NRGBA) {
	if r.Empty() {
		return
	}
	w, h := r.Dx(), r.Dy()
	p.z.Reset(w, h)
	p.z.DrawOp = draw.Src
	ox, oy := float32(r.Min.X), float32(r.Min.Y)
	// Clip to a little more than the box: the rasteriser then never sees far-away points.
	lo, hi := Pt{-1, -1}, Pt{float32(w) + 1, float32(h) + 1}
	for _, k := range idx {
		pg := p.polys[k]
		pts := p.tmp[0][:0]
		inside := true
		for _, q := range pg {
			q := Pt{q.X - ox, q.Y - oy}
			pts = append(pts, q)
			if q.X < lo.X || q.Y < lo.Y || q.X > hi.X || q.Y > hi.Y {
				inside = false
			}
		}
		p.tmp[0] = pts
		if !inside {
			pts = p.clipPoly(pts, lo, hi)
		}
		if len(pts) < 3 {
			continue
		}
		p.z.MoveTo(pts[0].X, pts[0].Y)
		for _, q := range pts[1:] {
			p.z.LineTo(q.X, q.Y)
		}
		p.z.ClosePath()
	}
	if cap(p.mask) < w*h {
		p.mask = make([]uint8, w*h)
	}
	mask := &image.Alpha{Pix: p.mask[:w*h], Stride: w, Rect: image.Rect(0, 0, w, h)}
	p.z.Draw(mask, mask.Rect, image.Opaque, image.Point{})
	p.covered += blendMask(p.dst, r, mask.Pix, w, c)
}

// fillSolid paints c over r (blending when c is translucent).
func fillSolid(dst *image.RGBA, r image.Rectangle, c color.NRGBA) {
	if c.A == 255 {
		fillRect(dst, r, c)
		return
	}
	ca := uint32(c.A)
	srb, sga := lanes(uint32(c.R)*ca/255, uint32(c.G)*ca/255, uint32(c.B)*ca/255, ca)
	ia := 255 - ca
	w := r.Dx()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		o := dst.PixOffset(r.Min.X, y)
		pix := dst.Pix[o : o+4*w : o+4*w]
		for i := 0; i < len(pix); i += 4 {
			q := pix[i : i+4 : i+4]
			binary.LittleEndian.PutUint32(q, over(binary.LittleEndian.Uint32(q), srb, sga, 255, ia))
		}
	}
}

// clipPoly clips a polygon to the box lo–hi (Sutherland–Hodgman). The result is valid
// until the next call.
func (p *painter) clipPoly(pts []Pt, lo, hi Pt) []Pt {
	a := append(p.clipA[:0], pts...)
	b := p.clipB[:0]
	for edge := 0; edge < 4 && len(a) >= 3; edge++ {
		inside := func(q Pt) bool {
			switch edge {
			case 0:
				return q.X >= lo.X
			case 1:
				return q.X <= hi.X
			case 2:
				return q.Y >= lo.Y
			}
			return q.Y <= hi.Y
		}
		cut := func(u, v Pt) Pt {
			switch edge {
			case 0, 1:
				x := lo.X
				if edge == 1 {
					x = hi.X
				}
				t := (x - u.X) / (v.X - u.X)
				return Pt{x, u.Y + t*(v.Y-u.Y)}
			}
			y := lo.Y
			if edge == 3 {
				y = hi.Y
			}
			t := (y - u.Y) / (v.Y - u.Y)
			return Pt{u.X + t*(v.X-u.X), y}
		}
		b = b[:0]
		for i := range a {
			u, v := a[(i+len(a)-1)%len(a)], a[i]
			uin, vin := inside(u), inside(v)
			switch {
			case uin && vin:
				b = append(b, v)
			case uin && !vin:
				b = append(b, cut(u, v))
			case !uin && vin:
				b = append(b, cut(u, v), v)
			}
		}
		a, b = b, a
	}
	p.clipA, p.clipB = a, b
	return a
}

// Pixels are blended two channels at a time in a uint32 (SWAR): an RGBA pixel read as a
// little-endian uint32 is A<<24|B<<16|G<<8|R, so x&0x00ff00ff holds R and B in 16-bit lanes
// and (x>>8)&0x00ff00ff holds G and A; a lane's products stay below 65,536.

// lanes splits a premultiplied colour into its R/B and G/A lanes.
func lanes(r, g, b, a uint32) (rb, ga uint32) { return b<<16 | r, a<<16 | g }

// div255x2 divides both 16-bit lanes by 255 (rounded), leaving them in the low bytes.
func div255x2(x uint32) uint32 {
	return ((x + ((x >> 8) & 0x00ff00ff) + 0x00800080) >> 8) & 0x00ff00ff
}

// over blends a premultiplied source (lanes srb, sga) scaled by m/255 over d, whose
// weight is ia/255.
func over(d, srb, sga, m, ia uint32) uint32 {
	rb := (d&0x00ff00ff)*ia + srb*m
	ga := ((d>>8)&0x00ff00ff)*ia + sga*m
	return div255x2(rb) | div255x2(ga)<<8
}

// blendMask blends colour c through an 8-bit coverage mask into dst's rectangle r, skipping
// uncovered pixels. It returns how many pixels it touched.
func blendMask(dst *image.RGBA, r image.Rectangle, mask []uint8, stride int, c color.NRGBA) int {
	ca := uint32(c.A)
	srb, sga := lanes(uint32(c.R)*ca/255, uint32(c.G)*ca/255, uint32(c.B)*ca/255, ca)
	solid := uint32(c.R) | uint32(c.G)<<8 | uint32(c.B)<<16 | 0xff<<24
	w := r.Dx()
	n := 0
	for y := 0; y < r.Dy(); y++ {
		mrow := mask[y*stride : y*stride+w : y*stride+w]
		off := dst.PixOffset(r.Min.X, r.Min.Y+y)
		pix := dst.Pix[off : off+4*w : off+4*w]
		for x := 0; x < w; x++ {
			if x+8 <= w && binary.LittleEndian.Uint64(mrow[x:]) == 0 {
				x += 7
				continue
			}
			if ca == 255 && x+8 <= w && binary.LittleEndian.Uint64(mrow[x:]) == ^uint64(0) {
				q := pix[4*x : 4*x+32 : 4*x+32]
				for k := 0; k < 32; k += 4 {
					binary.LittleEndian.PutUint32(q[k:k+4:k+4], solid)
				}
				n += 8
				x += 7
				continue
			}
			m := uint32(mrow[x])
			if m == 0 {
				continue
			}
			n++
			q := pix[4*x : 4*x+4 : 4*x+4]
			if m == 255 && ca == 255 {
				binary.LittleEndian.PutUint32(q, solid)
				continue
			}
			ia := 255 - m*ca/255
			binary.LittleEndian.PutUint32(q, over(binary.LittleEndian.Uint32(q), srb, sga, m, ia))
		}
	}
	return n
}

// sprite is a small premultiplied picture (a marker) with, for each row, its runs of
// opaque and of translucent pixels, so that copying it in skips what is transparent and
// moves opaque runs with one copy.
type sprite struct {
	img  *image.RGBA
	rows [][]span
}

type span struct {
	x0, x1 int
	opaque bool
}

func newSprite(img *image.RGBA) *sprite {
	sp := &sprite{img: img, rows: make([][]span, img.Rect.Dy())}
	for y := 0; y < img.Rect.Dy(); y++ {
		var row []span
		for x := 0; x < img.Rect.Dx(); {
			a := img.Pix[img.PixOffset(img.Rect.Min.X+x, img.Rect.Min.Y+y)+3]
			if a == 0 {
				x++
				continue
			}
			op := a == 255
			x1 := x + 1
			for x1 < img.Rect.Dx() {
				b := img.Pix[img.PixOffset(img.Rect.Min.X+x1, img.Rect.Min.Y+y)+3]
				if b == 0 || (b == 255) != op {
					break
				}
				x1++
			}
			row = append(row, span{x, x1, op})
			x = x1
		}
		sp.rows[y] = row
	}
	return sp
}

// blit copies a sprite onto dst with its top-left corner at at, within clip (source-over).
// It returns the pixels written.
func blit(dst *image.RGBA, sp *sprite, at image.Point, clip image.Rectangle) int {
	img := sp.img
	r := img.Rect.Sub(img.Rect.Min).Add(at).Intersect(clip).Intersect(dst.Rect)
	if r.Empty() {
		return 0
	}
	n := 0
	cx0, cx1 := r.Min.X-at.X, r.Max.X-at.X // clip in sprite columns
	for y := r.Min.Y; y < r.Max.Y; y++ {
		sy := y - at.Y
		for _, s := range sp.rows[sy] {
			x0, x1 := max(s.x0, cx0), min(s.x1, cx1)
			if x0 >= x1 {
				continue
			}
			so := img.PixOffset(img.Rect.Min.X+x0, img.Rect.Min.Y+sy)
			do := dst.PixOffset(at.X+x0, y)
			l := 4 * (x1 - x0)
			n += x1 - x0
			if s.opaque {
				copy(dst.Pix[do:do+l], img.Pix[so:so+l])
				continue
			}
			src := img.Pix[so : so+l : so+l]
			d := dst.Pix[do : do+l : do+l]
			for i := 0; i < l; i += 4 {
				sv := binary.LittleEndian.Uint32(src[i : i+4 : i+4])
				q := d[i : i+4 : i+4]
				dv := binary.LittleEndian.Uint32(q)
				ia := 255 - sv>>24
				binary.LittleEndian.PutUint32(q, sv+(div255x2((dv&0x00ff00ff)*ia)|div255x2(((dv>>8)&0x00ff00ff)*ia)<<8))
			}
		}
	}
	return n
}

// fillRect paints a solid colour over a rectangle of dst.
func fillRect(dst *image.RGBA, r image.Rectangle, c color.NRGBA) {
	r = r.Intersect(dst.Rect)
	if r.Empty() {
		return
	}
	if c.A != 255 {
		draw.Draw(dst, r, image.NewUniform(c), image.Point{}, draw.Over)
		return
	}
	w := r.Dx()
	first := dst.PixOffset(r.Min.X, r.Min.Y)
	row := dst.Pix[first : first+4*w]
	for i := 0; i < len(row); i += 4 {
		row[i], row[i+1], row[i+2], row[i+3] = c.R, c.G, c.B, 255
	}
	for y := r.Min.Y + 1; y < r.Max.Y; y++ {
		o := dst.PixOffset(r.Min.X, y)
		copy(dst.Pix[o:o+4*w], row)
	}
}

// copyRect copies src's rectangle r into dst (same size images).
func copyRect(dst, src *image.RGBA, r image.Rectangle) {
	r = r.Intersect(dst.Rect)
	if r.Empty() {
		return
	}
	if r == dst.Rect && len(dst.Pix) == len(src.Pix) {
		copy(dst.Pix, src.Pix)
		return
	}
	w := 4 * r.Dx()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		o := dst.PixOffset(r.Min.X, y)
		copy(dst.Pix[o:o+w], src.Pix[o:o+w])
	}
}
