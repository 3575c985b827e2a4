package ui

import (
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
	"watchpost/mapdraw"
)

// placeChooser is the "where" of a report or a new work order: a building from a list and
// its unit, or a click on a small map of the site (the building under the click is chosen
// with it), and a line that says in words what was chosen. The keyboard alone chooses the
// building and types the unit; the map is for a place that is not a building.

type placeChooser struct {
	site     *app.Site
	building *buildingPicker
	unit     *widget.Entry
	m        *siteMap
	point    *app.Point // the click on the map, if any
	where    *widget.Label
	content  fyne.CanvasObject
}

func newPlaceChooser(site *app.Site, mapHeight float32) *placeChooser {
	f := &placeChooser{site: site}
	f.building = newBuildingPicker(site, "")
	f.building.Select.OnChanged = func(string) { f.point = nil; f.showPlace() }
	f.unit = widget.NewEntry()
	f.unit.SetPlaceHolder(T("Unit"))
	f.where = widget.NewLabel("")
	f.where.Truncation = fyne.TextTruncateEllipsis

	place := container.NewBorder(nil, nil, nil, container.New(&fixedWidth{w: 110}, f.unit), f.building.Select)
	var mapBox fyne.CanvasObject = widget.NewLabel("")
	if site != nil {
		f.m = newSiteMap(site)
		f.m.english = english()
		f.m.onPoint = f.pointTapped
		f.m.onSelect = f.keyTapped
		mapBox = container.New(&fixedHeight{h: mapHeight}, f.m)
	}
	f.content = container.NewVBox(place, mapBox, f.where)
	f.showPlace()
	return f
}

// pointTapped keeps the click on the map; the marker or building under it (keyTapped,
// called next) names the place.
func (f *placeChooser) pointTapped(at app.Point) {
	p := at
	f.point = &p
	f.m.r.SetDraft(mapdraw.Draft{Drawing: []app.Point{at}}) // a pin where the operator clicked
	f.m.redrawAll()
}

func (f *placeChooser) keyTapped(key string) {
	kind, id := mapdraw.SplitKey(key)
	building := ""
	switch kind {
	case "building":
		building = id
	case "device":
		if d, ok := f.site.Device(id); ok {
			building = d.BuildingID
		}
	}
	if building == "" {
		if b := f.buildingAt(); b != nil {
			building = b.ID
		}
	}
	pt := f.point
	f.building.Select.OnChanged = nil // choosing it here keeps the click
	f.building.Select.SetSelectedIndex(0)
	for i, bid := range f.building.ids {
		if bid == building && building != "" {
			f.building.Select.SetSelectedIndex(i)
		}
	}
	f.building.Select.OnChanged = func(string) { f.point = nil; f.showPlace() }
	f.point = pt
	f.showPlace()
}

// buildingAt is the building whose footprint holds the click.
func (f *placeChooser) buildingAt() *app.Building {
	if f.point == nil || f.site == nil {
		return nil
	}
	for i := range f.site.Buildings {
		if f.site.Buildings[i].Footprint.Contains(*f.point) {
			return &f.site.Buildings[i]
		}
	}
	return nil
}

// showPlace says in words where the report will be placed.
func (f *placeChooser) showPlace() {
	var parts []string
	if b, ok := f.building.Building(f.site); ok {
		parts = append(parts, b.Display(english()))
	}
	if f.point != nil {
		if g, ok := f.site.GridAt(*f.point); ok {
			parts = append(parts, g.Display(english()))
		}
		parts = append(parts, T("the point clicked on the map"))
	} else if f.m != nil {
		f.m.r.SetDraft(mapdraw.Draft{})
		if b, ok := f.building.Building(f.site); ok {
			f.m.selectKey("building:" + b.ID)
		} else {
			f.m.selectKey("")
		}
		f.m.redrawAll()
	}
	if len(parts) == 0 {
		f.where.SetText(T("No place chosen yet"))
		return
	}
	f.where.SetText(strings.Join(parts, " · "))
}

// unitNumber reads the unit typed (0: none).
func (f *placeChooser) unitNumber() (int, error) {
	u := strings.TrimSpace(f.unit.Text)
	if u == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(u)
	if err != nil || n <= 0 || n > app.MaxReportUnit {
		return 0, app.Errorf(app.CodeInvalid, "The unit must be a number from 1 to {{.N}}", "N", app.MaxReportUnit).On("place")
	}
	return n, nil
}

// orderPlace is the chosen place as a work order's.
func (f *placeChooser) orderPlace() (app.OrderPlace, error) {
	n, err := f.unitNumber()
	if err != nil {
		return app.OrderPlace{}, err
	}
	pl := app.OrderPlace{Building: f.building.ID(), Unit: n}
	if f.point != nil {
		p := *f.point
		pl.Position = &p
	}
	if pl.Building == "" && pl.Position == nil {
		return pl, app.Errorf(app.CodeInvalid, "Say where: a building, or a click on the map").On("place")
	}
	if pl.Unit > 0 && pl.Building == "" {
		return pl, app.Errorf(app.CodeInvalid, "Say which building the unit is in").On("place")
	}
	return pl, nil
}
