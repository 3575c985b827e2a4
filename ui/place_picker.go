package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// A small map of the site inside a dialog: a click places the thing being added or edited
// (the point is marked), or, while an outline is drawn, adds a corner (a click on the first
// corner closes it). The fields beside it can be typed instead: keyboard users never need it.

// pickerSize is the small map's size in a dialog.
var pickerSize = fyne.NewSize(440, 300)

// newPlacePicker is a map on which a click calls onPick with the site point; at, when
// given, is marked.
func newPlacePicker(site *app.Site, at *app.Point, onPick func(app.Point)) *siteMap {
	m := newSiteMap(site)
	m.animate = false
	m.onPick = onPick
	if at != nil {
		m.r.SetDrawing([]app.Point{*at})
	}
	return m
}

// newOutlinePicker is a map showing an outline (none: drawing one at once); onDrawn gets a
// new outline once it is closed. redraw starts drawing a new one.
func newOutlinePicker(site *app.Site, outline app.Polygon, onDrawn func(app.Polygon)) (m *siteMap, redraw func()) {
	m = newSiteMap(site)
	m.animate = false
	m.onDrawn = func(pts []app.Point) {
		m.r.SetDrawing(append(append([]app.Point(nil), pts...), pts[0])) // shown closed
		m.redrawAll()
		onDrawn(app.Polygon(pts))
	}
	redraw = func() {
		m.drawing = true
		m.r.SetDrawing([]app.Point{})
		m.redrawAll()
	}
	if len(outline) >= 3 {
		m.r.SetDrawing(append(append([]app.Point(nil), outline...), outline[0]))
	} else {
		redraw()
	}
	return m, redraw
}

// pickAt marks a picked point and hands it over.
func (m *siteMap) pickAt(p app.Point) {
	m.r.SetDrawing([]app.Point{p})
	m.redrawAll()
	m.onPick(p)
}

// markPoint marks a point typed in the fields.
func (m *siteMap) markPoint(p app.Point) {
	m.r.SetDrawing([]app.Point{p})
	m.redrawAll()
}

// sizedMap gives the small map its size in a dialog's layout.
func sizedMap(m *siteMap) fyne.CanvasObject { return container.NewGridWrap(pickerSize, m) }

// markTypedPoint marks on the small map the place typed into the x and y fields, as it is
// typed (a click fills them the other way).
func markTypedPoint(m *siteMap, xe, ye *widget.Entry) {
	for _, en := range []*widget.Entry{xe, ye} {
		en.OnChanged = func(string) {
			x, ex := number(xe, "position", "Position (m)")
			y, ey := number(ye, "position", "Position (m)")
			if ex == nil && ey == nil {
				m.markPoint(app.Point{X: x, Y: y})
			}
		}
	}
}
