package mapdraw

import (
	"math"

	"watchpost/app"
)

// markerIndex finds markers near a point without looking at all of them: a uniform grid of
// buckets over the site (in metres), about two markers per bucket. A click among 5,000
// markers looks at a handful of buckets (bench_test.go: BenchmarkMapHitTest).
type markerIndex struct {
	minX, minY float64
	cell       float64
	nx, ny     int
	buckets    [][]int32
}

func newMarkerIndex(ms []Marker, b app.Rect) *markerIndex {
	ix := &markerIndex{cell: 10, nx: 1, ny: 1}
	if b.Empty() || len(ms) == 0 {
		ix.buckets = make([][]int32, 1)
		return ix
	}
	w, h := math.Max(b.Max.X-b.Min.X, 1), math.Max(b.Max.Y-b.Min.Y, 1)
	ix.cell = math.Max(math.Sqrt(w*h/float64(len(ms))*2), 1)
	ix.nx = min(int(w/ix.cell)+1, 1024)
	ix.ny = min(int(h/ix.cell)+1, 1024)
	ix.cell = math.Max(w/float64(ix.nx), h/float64(ix.ny)) + 1e-9
	ix.minX, ix.minY = b.Min.X, b.Min.Y
	ix.buckets = make([][]int32, ix.nx*ix.ny)
	for i := range ms {
		cx, cy := ix.cellOf(ms[i].Pos)
		k := cy*ix.nx + cx
		ix.buckets[k] = append(ix.buckets[k], int32(i))
	}
	return ix
}

func (ix *markerIndex) cellOf(p app.Point) (int, int) {
	cx := int(math.Floor((p.X - ix.minX) / ix.cell))
	cy := int(math.Floor((p.Y - ix.minY) / ix.cell))
	return min(max(cx, 0), ix.nx-1), min(max(cy, 0), ix.ny-1)
}

// near calls visit for every marker in the buckets within radius of p (a superset of the
// markers within radius: the caller measures).
func (ix *markerIndex) near(p app.Point, radius float64, visit func(i int)) {
	x0, y0 := ix.cellOf(app.Point{X: p.X - radius, Y: p.Y - radius})
	x1, y1 := ix.cellOf(app.Point{X: p.X + radius, Y: p.Y + radius})
	for cy := y0; cy <= y1; cy++ {
		for cx := x0; cx <= x1; cx++ {
			for _, i := range ix.buckets[cy*ix.nx+cx] {
				visit(int(i))
			}
		}
	}
}

// hitMarker returns the marker drawn at pixel (x, y) — the top-most when several overlap —
// or -1.
func (r *Renderer) hitMarker(x, y float64) int {
	if r.scene.index == nil || r.view.Scale <= 0 {
		return -1
	}
	if !r.markersOK && r.out != nil {
		r.layoutMarkers()
	}
	radPx := float64(r.markerD)/2 + 2*r.dpi
	p := r.view.Site(x, y)
	best, bestRank := -1, -1
	r.scene.index.near(p, radPx/r.view.Scale, func(i int) {
		m := &r.scene.markers[i]
		if !r.layers.shows(m) {
			return
		}
		c := r.view.Px(r.markerPos(m))
		if math.Hypot(float64(c.X)-x, float64(c.Y)-y) > radPx {
			return
		}
		if k := r.rank[i]; k > bestRank {
			best, bestRank = i, k
		}
	})
	return best
}

// MarkerAt returns the marker drawn at pixel (x, y) — the top-most when several overlap.
func (r *Renderer) MarkerAt(x, y float64) (Marker, bool) {
	if i := r.hitMarker(x, y); i >= 0 {
		return r.scene.markers[i], true
	}
	return Marker{}, false
}

// KeyAt names what is at pixel (x, y): a marker, else a building, else a grid (when the
// grids are shown); "" when nothing is.
func (r *Renderer) KeyAt(x, y float64) string {
	if i := r.hitMarker(x, y); i >= 0 {
		return r.scene.markers[i].Key
	}
	s := r.scene.site
	if s == nil {
		return ""
	}
	p := r.view.Site(x, y)
	for i := range s.Buildings {
		if s.Buildings[i].Footprint.Contains(p) {
			return "building:" + s.Buildings[i].ID
		}
	}
	if r.layers.Grids {
		for i := range s.Grids {
			if r.GridArea(&s.Grids[i]).Contains(p) {
				return "grid:" + s.Grids[i].ID
			}
		}
	}
	return ""
}

// VertexAt finds the corner of grid g (or, mid true, the midpoint of the edge after
// corner v) within HitSlop of pixel (x, y); -1 when there is none.
func (r *Renderer) VertexAt(g *app.Grid, x, y float64) (v int, mid bool) {
	slop := HitSlop * r.dpi
	pts := r.pts(r.GridArea(g))
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

// Near reports whether pixel (x, y) is within HitSlop of pixel q (a handle).
func (r *Renderer) Near(q Pt, x, y float64) bool {
	return math.Hypot(float64(q.X)-x, float64(q.Y)-y) <= HitSlop*r.dpi
}
