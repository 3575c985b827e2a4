package mapdraw

import (
	"image"
	"image/color"
	"sort"
	"strings"

	"watchpost/app"
)

// Labels: names on the map that stay readable. Each candidate has a priority — alarms and
// the selection first, then grids, buildings, gates and roads, cameras, devices — and is
// placed only if it does not overlap one placed before it, so zooming out drops the least
// important names instead of piling them up.

// A label's priority (Label.Prio), the most important first.
const (
	LabelAlarm = iota // an alarmed or selected marker's name: always shown
	LabelGrid
	LabelBuilding
	LabelPlace // gates, roads
	LabelCamera
	LabelDevice
)

// Label is a candidate label; X, Y are its anchor in pixels.
type Label struct {
	Key   string
	Text  string
	X, Y  float32
	Prio  int
	Order float64 // within a priority, smaller first (e.g. larger areas first)
	Size  float32 // text size in units
	Bold  bool
	Right float32 // >0: placed this many pixels right of the anchor (markers); else centred
	Alarm app.Priority
	Alts  []Pt // other anchors to try when the first is taken (above, below…)
}

// PlacedLabel is a label that found room: R is its box in pixels.
type PlacedLabel struct {
	Label
	R image.Rectangle
}

// Measure gives a text's size in pixels at a size in units, bold or not (the caller's
// font decides it).
type Measure func(text string, size float32, bold bool) (w, h int)

// PlaceLabels places the names of the current view (in English or Chinese): the most
// important first, none overlapping another or a marker, none over keepClear (what the
// caller draws over the map: a scale bar), at most limit of them.
func (r *Renderer) PlaceLabels(english bool, measure Measure, limit int, keepClear ...image.Rectangle) []PlacedLabel {
	if r.out == nil {
		return nil
	}
	cands := r.Labels(english)
	return Declutter(cands, measure, r.out.Rect, limit, append(r.markerDiscs(), keepClear...)...)
}

// LabelStyle is how a placed name looks: its text on a rounded plate, a grid's name
// outlined in the grid's colour.
type LabelStyle struct {
	Plate, Text  color.NRGBA
	Outline      color.NRGBA // A = 0: none
	OutlineWidth float32     // in units
}

// Style is how the label looks in the palette's colours: an alarm's name on its
// priority's colour, a grid's outlined in the grid's.
func (r *Renderer) Style(l PlacedLabel) LabelStyle {
	st := LabelStyle{Plate: r.pal.LabelPlate, Text: r.pal.LabelText}
	if l.Prio == LabelGrid && r.scene.site != nil {
		if g, ok := r.scene.site.Grid(strings.TrimPrefix(l.Key, "grid:")); ok {
			st.Outline, st.OutlineWidth = GridColor(g), 1.5
		}
	}
	if l.Alarm != 0 {
		c := r.pal.Priority(l.Alarm)
		st.Plate, st.Text = c, TextOn(c)
	}
	return st
}

// Labels lists what could be named in the current view, unplaced (see PlaceLabels).
func (r *Renderer) Labels(english bool) []Label {
	s := r.scene.site
	if s == nil || r.out == nil {
		return nil
	}
	if !r.markersOK {
		r.layoutMarkers()
	}
	var out []Label
	zoom := r.view.Scale / r.dpi // units per metre
	view := r.out.Rect
	in := func(p Pt) bool { return image.Pt(int(p.X), int(p.Y)).In(view) }
	if r.layers.Labels && r.layers.Grids {
		for i := range s.Grids {
			g := &s.Grids[i]
			a := r.GridArea(g)
			q, ok := visibleLabelPoint(r, a)
			if !ok {
				continue // not in view
			}
			d := float32(26 * r.dpi)
			out = append(out, Label{Key: "grid:" + g.ID, Text: g.Display(english), X: q.X, Y: q.Y,
				Prio: LabelGrid, Order: -a.Area(), Size: 15, Bold: true,
				Alts: []Pt{{X: q.X, Y: q.Y - d}, {X: q.X, Y: q.Y + d}, {X: q.X - 3*d, Y: q.Y}, {X: q.X + 3*d, Y: q.Y}}})
		}
	}
	if r.layers.Labels {
		for i := range s.Buildings {
			b := &s.Buildings[i]
			text := b.Display(english)
			if zoom < 2.2 {
				if b.Number == "" || zoom < 0.7 {
					continue
				}
				text = b.Number
			}
			c := r.view.Px(b.Footprint.Centroid())
			bb := b.Footprint.Bounds()
			top, bottom := r.view.Px(app.Point{Y: bb.Max.Y}).Y, r.view.Px(app.Point{Y: bb.Min.Y}).Y
			gap := float32(9 * r.dpi)
			out = append(out, Label{Key: "building:" + b.ID, Text: text, X: c.X, Y: c.Y, Prio: LabelBuilding, Order: -b.Footprint.Area(), Size: 12,
				Alts: []Pt{{X: c.X, Y: top - gap}, {X: c.X, Y: bottom + gap}}})
		}
		if zoom >= 1.5 {
			for i := range s.Features {
				f := &s.Features[i]
				var at app.Point
				var alts []app.Point
				switch {
				case f.Kind == app.FeatureGate && f.At != nil:
					at = *f.At
					d := 16 * r.dpi / r.view.Scale // metres for 16 units
					alts = []app.Point{{X: at.X, Y: at.Y + d}, {X: at.X, Y: at.Y - d}, {X: at.X - 3*d, Y: at.Y}, {X: at.X + 3*d, Y: at.Y}}
				case f.Kind == app.FeatureRoad && len(f.Line) > 1:
					a, b := longestSegment(f.Line)
					at = app.Point{X: (a.X + b.X) / 2, Y: (a.Y + b.Y) / 2}
					for _, t := range []float64{0.3, 0.7, 0.15, 0.85} {
						alts = append(alts, app.Point{X: a.X + t*(b.X-a.X), Y: a.Y + t*(b.Y-a.Y)})
					}
				case f.Kind == app.FeatureGreen || f.Kind == app.FeaturePlaza || f.Kind == app.FeatureWater || f.Kind == app.FeatureCarPark:
					if zoom < 3 {
						continue
					}
					at = labelPoint(f.Area)
				default:
					continue
				}
				if f.Display(english) == "" {
					continue
				}
				c := r.view.Px(at)
				l := Label{Key: "feature:" + f.ID, Text: f.Display(english), X: c.X, Y: c.Y, Prio: LabelPlace, Size: 11}
				for _, a := range alts {
					l.Alts = append(l.Alts, r.view.Px(a))
				}
				out = append(out, l)
			}
		}
	}
	right := float32(r.markerD)/2 + float32(4*r.dpi)
	for i := range r.scene.markers {
		m := &r.scene.markers[i]
		if !m.Shown {
			continue
		}
		c := r.view.Px(r.markerPos(m))
		if !in(c) {
			continue
		}
		if r.edit && m.Key == r.selected {
			continue // its handles are there; its name is in the details
		}
		var name string
		if m.Camera != nil {
			name = m.Camera.Display(english)
		} else {
			name = m.Device.Display(english)
		}
		l := Label{Key: m.Key, Text: name, X: c.X, Y: c.Y, Size: 11, Right: right, Order: float64(i)}
		switch {
		case m.alarmed() || m.Key == r.selected:
			l.Prio, l.Bold, l.Alarm = LabelAlarm, true, m.Prio
			if !m.alarmed() {
				l.Alarm = 0
			}
		case !r.layers.Labels:
			continue
		case m.Camera != nil && zoom >= 3:
			l.Prio = LabelCamera
		case m.Device != nil && zoom >= 5:
			l.Prio = LabelDevice
		default:
			continue
		}
		out = append(out, l)
	}
	return out
}

// visibleLabelPoint is where an area's name goes on screen: the label point of the part of
// it that is in view (false when none is).
func visibleLabelPoint(r *Renderer, a app.Polygon) (Pt, bool) {
	var p painter
	pts := r.pts(a)
	w, h := float32(r.view.W), float32(r.view.H)
	inside := true
	for _, q := range pts {
		if q.X < 0 || q.Y < 0 || q.X > w || q.Y > h {
			inside = false
			break
		}
	}
	if !inside {
		pts = p.clipPoly(pts, Pt{0, 0}, Pt{w, h})
		if len(pts) < 3 {
			return Pt{}, false
		}
	}
	// Back to site metres for labelPoint (it works in any frame where Y flips consistently).
	pg := make(app.Polygon, len(pts))
	for i, q := range pts {
		pg[i] = app.Point{X: float64(q.X), Y: float64(q.Y)}
	}
	if pg.Area() < 400*r.dpi*r.dpi {
		return Pt{}, false // a sliver at the edge
	}
	c := labelPoint(pg)
	return Pt{float32(c.X), float32(c.Y)}, true
}

// labelPoint is where an area's name goes: its centroid when that lies inside, else the
// middle of its box's widest horizontal run through the centre.
func labelPoint(pg app.Polygon) app.Point {
	c := pg.Centroid()
	if pg.Contains(c) || len(pg) < 3 {
		return c
	}
	var best app.Point
	bestLen := -1.0
	for i, j := 0, len(pg)-1; i < len(pg); j, i = i, i+1 {
		a, b := pg[j], pg[i]
		if (a.Y > c.Y) == (b.Y > c.Y) {
			continue
		}
		x := a.X + (c.Y-a.Y)*(b.X-a.X)/(b.Y-a.Y)
		for _, x2 := range crossings(pg, c.Y) {
			mid := app.Point{X: (x + x2) / 2, Y: c.Y}
			if l := abs(x2 - x); l > bestLen && pg.Contains(mid) {
				best, bestLen = mid, l
			}
		}
	}
	if bestLen < 0 {
		return pg[0]
	}
	return best
}

func crossings(pg app.Polygon, y float64) []float64 {
	var out []float64
	for i, j := 0, len(pg)-1; i < len(pg); j, i = i, i+1 {
		a, b := pg[j], pg[i]
		if (a.Y > y) != (b.Y > y) {
			out = append(out, a.X+(y-a.Y)*(b.X-a.X)/(b.Y-a.Y))
		}
	}
	return out
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

// longestSegment is a line's longest segment (where a road's name fits).
func longestSegment(pl app.Polyline) (app.Point, app.Point) {
	a, b, bl := pl[0], pl[1], -1.0
	for i := 0; i+1 < len(pl); i++ {
		dx, dy := pl[i+1].X-pl[i].X, pl[i+1].Y-pl[i].Y
		if l := dx*dx + dy*dy; l > bl {
			bl, a, b = l, pl[i], pl[i+1]
		}
	}
	return a, b
}

// Declutter places the candidates by priority, dropping any that would overlap a label
// already placed or leave the view; a label also keeps off the markers (obstacles), trying
// its other places first, except an alarm's (which must show) and a grid's (which stays at
// its centre when every other place is taken). measure gives a text's size in pixels.
func Declutter(cands []Label, measure Measure, view image.Rectangle, limit int, obstacles ...image.Rectangle) []PlacedLabel {
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].Prio != cands[j].Prio {
			return cands[i].Prio < cands[j].Prio
		}
		return cands[i].Order < cands[j].Order
	})
	const cell = 64
	buckets := map[[2]int][]int{} // indices of placed labels (≥ 0) and of obstacles (-1 - i)
	add := func(r image.Rectangle, k int) {
		for by := r.Min.Y / cell; by <= r.Max.Y/cell; by++ {
			for bx := r.Min.X / cell; bx <= r.Max.X/cell; bx++ {
				buckets[[2]int{bx, by}] = append(buckets[[2]int{bx, by}], k)
			}
		}
	}
	for i, o := range obstacles {
		if o.Overlaps(view) {
			add(o, -1-i)
		}
	}
	var placed []PlacedLabel
	// free reports whether r overlaps no placed label (and, avoid, no obstacle).
	free := func(r image.Rectangle, avoid bool) bool {
		for by := r.Min.Y / cell; by <= r.Max.Y/cell; by++ {
			for bx := r.Min.X / cell; bx <= r.Max.X/cell; bx++ {
				for _, k := range buckets[[2]int{bx, by}] {
					if k >= 0 && placed[k].R.Overlaps(r) || k < 0 && avoid && obstacles[-1-k].Overlaps(r) {
						return false
					}
				}
			}
		}
		return true
	}
	for _, c := range cands {
		if len(placed) >= limit {
			break
		}
		w, h := measure(c.Text, c.Size, c.Bold)
		pad := 3
		box := func(x, y float32) image.Rectangle {
			if c.Right > 0 {
				x := int(x + c.Right)
				return image.Rect(x, int(y)-h/2-pad/2, x+w+2*pad, int(y)+h/2+pad/2+1)
			}
			return image.Rect(int(x)-w/2-pad, int(y)-h/2-pad/2, int(x)+w/2+pad+1, int(y)+h/2+pad/2+1)
		}
		keep := c.Prio == LabelGrid || c.Prio == LabelAlarm
		var tries []image.Rectangle
		for _, a := range append([]Pt{{X: c.X, Y: c.Y}}, c.Alts...) {
			r := box(a.X, a.Y)
			if !r.In(view) {
				if !keep {
					continue
				}
				// Big areas and alarms keep their name: moved inside the view's edge.
				r = r.Add(image.Pt(max(0, view.Min.X-r.Min.X)-max(0, r.Max.X-view.Max.X), max(0, view.Min.Y-r.Min.Y)-max(0, r.Max.Y-view.Max.Y)))
				if !r.In(view) {
					continue
				}
			}
			tries = append(tries, r)
		}
		if c.Right > 0 && len(tries) == 1 { // a marker's name may also go on its left
			l := tries[0].Sub(image.Pt(tries[0].Dx()+2*int(c.Right), 0))
			if l.In(view) {
				tries = append(tries, l)
			}
		}
		at := -1
		for i, r := range tries {
			if free(r, c.Prio != LabelAlarm) {
				at = i
				break
			}
		}
		if at < 0 && c.Prio == LabelGrid && len(tries) > 0 && free(tries[0], false) {
			at = 0
		}
		if at < 0 {
			continue
		}
		k := len(placed)
		placed = append(placed, PlacedLabel{c, tries[at]})
		add(tries[at], k)
	}
	return placed
}
