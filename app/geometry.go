package app

import "math"

// Point is a position on the site plan in local metres: X grows east, Y grows north, the
// origin is the site's south-west corner. Sites surveyed in WGS-84 are projected to this
// frame on import.
type Point struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// Polygon is a closed ring of points (the last point is not repeated).
type Polygon []Point

// Polyline is an open line, e.g. the centre line of a road.
type Polyline []Point

// Rect is an axis-aligned bounding box.
type Rect struct{ Min, Max Point }

// Empty reports whether r encloses nothing.
func (r Rect) Empty() bool { return r.Max.X < r.Min.X || r.Max.Y < r.Min.Y }

// Extend grows r to include p.
func (r Rect) Extend(p Point) Rect {
	if r.Empty() {
		return Rect{p, p}
	}
	return Rect{
		Min: Point{math.Min(r.Min.X, p.X), math.Min(r.Min.Y, p.Y)},
		Max: Point{math.Max(r.Max.X, p.X), math.Max(r.Max.Y, p.Y)},
	}
}

// Union returns the box enclosing both.
func (r Rect) Union(o Rect) Rect {
	if o.Empty() {
		return r
	}
	return r.Extend(o.Min).Extend(o.Max)
}

// Contains reports whether p lies inside r (edges included).
func (r Rect) Contains(p Point) bool {
	return p.X >= r.Min.X && p.X <= r.Max.X && p.Y >= r.Min.Y && p.Y <= r.Max.Y
}

// EmptyRect is the identity for Extend and Union.
func EmptyRect() Rect { return Rect{Min: Point{1, 1}, Max: Point{0, 0}} }

// Bounds of a set of points.
func boundsOf(pts []Point) Rect {
	r := EmptyRect()
	for _, p := range pts {
		r = r.Extend(p)
	}
	return r
}

// Bounds returns the polygon's bounding box.
func (pg Polygon) Bounds() Rect { return boundsOf(pg) }

// Bounds returns the line's bounding box.
func (pl Polyline) Bounds() Rect { return boundsOf(pl) }

// Contains reports whether p lies inside the polygon (even-odd rule).
func (pg Polygon) Contains(p Point) bool {
	in := false
	for i, j := 0, len(pg)-1; i < len(pg); j, i = i, i+1 {
		a, b := pg[i], pg[j]
		if (a.Y > p.Y) != (b.Y > p.Y) && p.X < (b.X-a.X)*(p.Y-a.Y)/(b.Y-a.Y)+a.X {
			in = !in
		}
	}
	return in
}

// Area returns the polygon's area in square metres (absolute value of the shoelace sum).
func (pg Polygon) Area() float64 {
	s := 0.0
	for i, j := 0, len(pg)-1; i < len(pg); j, i = i, i+1 {
		s += pg[j].X*pg[i].Y - pg[i].X*pg[j].Y
	}
	return math.Abs(s) / 2
}

// Centroid returns the polygon's centre of area (the mean of its points when degenerate).
func (pg Polygon) Centroid() Point {
	var cx, cy, a float64
	for i, j := 0, len(pg)-1; i < len(pg); j, i = i, i+1 {
		f := pg[j].X*pg[i].Y - pg[i].X*pg[j].Y
		cx += (pg[j].X + pg[i].X) * f
		cy += (pg[j].Y + pg[i].Y) * f
		a += f
	}
	if math.Abs(a) < 1e-9 {
		var m Point
		for _, p := range pg {
			m.X += p.X
			m.Y += p.Y
		}
		if n := float64(len(pg)); n > 0 {
			m.X /= n
			m.Y /= n
		}
		return m
	}
	return Point{cx / (3 * a), cy / (3 * a)}
}

func finite(p Point) bool {
	return !math.IsNaN(p.X) && !math.IsNaN(p.Y) && !math.IsInf(p.X, 0) && !math.IsInf(p.Y, 0)
}

// validRing checks that a polygon has at least three finite points and a non-zero area.
func validRing(pg Polygon) bool {
	if len(pg) < 3 {
		return false
	}
	for _, p := range pg {
		if !finite(p) {
			return false
		}
	}
	return pg.Area() > 0
}
