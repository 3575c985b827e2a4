package app

import "math"

// GeoOrigin anchors a site's local frame on the Earth: the WGS-84 longitude and latitude of
// the local origin (0, 0), the site's south-west corner. Sites drawn in local metres have
// none; sites imported from WGS-84 keep theirs so that an export gives back WGS-84.
type GeoOrigin struct {
	Lon float64 `json:"lon"`
	Lat float64 `json:"lat"`
}

// WGS-84 ellipsoid.
const (
	wgs84A  = 6378137.0
	wgs84F  = 1 / 298.257223563
	wgs84E2 = wgs84F * (2 - wgs84F)
)

// Projection maps WGS-84 longitude/latitude to local metres and back: a local tangent plane
// (equirectangular) about the origin, with the ellipsoid's radii of curvature at the
// origin's latitude. Over a community (a few hundred metres) it is exact to millimetres
// against the ellipsoid and the round trip is exact to floating point.
type Projection struct {
	Origin GeoOrigin
	mLon   float64 // metres per degree of longitude at the origin
	mLat   float64 // metres per degree of latitude at the origin
}

// NewProjection builds the projection about an origin.
func NewProjection(o GeoOrigin) Projection {
	phi := o.Lat * math.Pi / 180
	s := math.Sin(phi)
	w := math.Sqrt(1 - wgs84E2*s*s)
	n := wgs84A / w                           // prime vertical radius of curvature
	m := wgs84A * (1 - wgs84E2) / (w * w * w) // meridional radius of curvature
	return Projection{Origin: o, mLon: n * math.Cos(phi) * math.Pi / 180, mLat: m * math.Pi / 180}
}

// ToLocal projects a longitude/latitude to local metres (X east, Y north).
func (p Projection) ToLocal(lon, lat float64) Point {
	return Point{X: (lon - p.Origin.Lon) * p.mLon, Y: (lat - p.Origin.Lat) * p.mLat}
}

// ToWGS84 is the inverse of ToLocal.
func (p Projection) ToWGS84(pt Point) (lon, lat float64) {
	return p.Origin.Lon + pt.X/p.mLon, p.Origin.Lat + pt.Y/p.mLat
}

// RingCrossing finds where a closed ring crosses or touches itself: two edges that are not
// neighbours meet, or neighbours fold back over each other. It returns the indices of the
// two edges (edge i runs from point i to point i+1, the last one back to point 0) and
// whether there is such a pair. O(n²): fine for the outlines of a community.
func RingCrossing(pg Polygon) (int, int, bool) {
	n := len(pg)
	if n < 3 {
		return 0, 0, false
	}
	edge := func(i int) (Point, Point) { return pg[i], pg[(i+1)%n] }
	for i := 0; i < n; i++ {
		a, b := edge(i)
		for j := i + 1; j < n; j++ {
			c, d := edge(j)
			adjacent := j == i+1 || (i == 0 && j == n-1)
			if adjacent {
				// Neighbours share a point; they are wrong only when they run back over
				// each other (a spike) or one has no length.
				shared, other1, other2 := b, a, d
				if i == 0 && j == n-1 {
					shared, other1, other2 = a, b, c
				}
				if foldsBack(shared, other1, other2) {
					return i, j, true
				}
				continue
			}
			if segmentsMeet(a, b, c, d) {
				return i, j, true
			}
		}
	}
	return 0, 0, false
}

// foldsBack reports whether the edges s→p and s→q overlap (point the same way along one line).
func foldsBack(s, p, q Point) bool {
	ux, uy := p.X-s.X, p.Y-s.Y
	vx, vy := q.X-s.X, q.Y-s.Y
	if (ux == 0 && uy == 0) || (vx == 0 && vy == 0) {
		return true // a repeated point
	}
	cross := ux*vy - uy*vx
	scale := math.Hypot(ux, uy) * math.Hypot(vx, vy)
	return math.Abs(cross) <= 1e-12*scale && ux*vx+uy*vy > 0
}

func orient(a, b, c Point) float64 { return (b.X-a.X)*(c.Y-a.Y) - (b.Y-a.Y)*(c.X-a.X) }

func sign(v, eps float64) int {
	switch {
	case v > eps:
		return 1
	case v < -eps:
		return -1
	}
	return 0
}

// segmentsMeet reports whether segments ab and cd share at least one point.
func segmentsMeet(a, b, c, d Point) bool {
	scale := math.Max(math.Max(math.Abs(a.X), math.Abs(a.Y)), math.Max(math.Abs(c.X), math.Abs(c.Y))) + 1
	eps := 1e-12 * scale * scale
	o1, o2 := sign(orient(a, b, c), eps), sign(orient(a, b, d), eps)
	o3, o4 := sign(orient(c, d, a), eps), sign(orient(c, d, b), eps)
	if o1*o2 < 0 && o3*o4 < 0 {
		return true // a proper crossing
	}
	on := func(p, q, r Point) bool { // r on segment pq, given collinear
		return math.Min(p.X, q.X) <= r.X && r.X <= math.Max(p.X, q.X) && math.Min(p.Y, q.Y) <= r.Y && r.Y <= math.Max(p.Y, q.Y)
	}
	return (o1 == 0 && on(a, b, c)) || (o2 == 0 && on(a, b, d)) || (o3 == 0 && on(c, d, a)) || (o4 == 0 && on(c, d, b))
}
