package ui

import (
	"context"
	"math"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// The building dialog: a building drawn on the map (its outline clicked corner by corner,
// like a grid) or edited, with its names, number, use, units and floors (administrators;
// the core checks the role again and journals the change). Its outline can be drawn again
// on the small map.

var buildingUses = []string{"residential", "service", "shop", "school"}

// buildingEdit is the dialog's state (kept for its tests).
type buildingEdit struct {
	c                        *Console
	d                        *writeDialog
	isNew                    bool
	saved                    *app.Building
	id, name, nameEn, number *widget.Entry
	use                      *widget.Select
	units, floors            *widget.Entry
	grid                     *choice
	outline                  app.Polygon
	corners                  *widget.Label
	errs                     *fieldErrors
	m                        *siteMap
	redraw                   func()
}

// showBuildingEdit opens the dialog on a building (nil: a new one, with the outline drawn
// on the map, or none yet: then it is drawn on the dialog's small map).
func (c *Console) showBuildingEdit(b *app.Building, outline app.Polygon) *buildingEdit {
	s := c.core.Inventory.Site()
	if s == nil {
		return nil
	}
	e := &buildingEdit{c: c, isNew: b == nil, errs: newFieldErrors()}
	cur := app.Building{Use: "residential", Footprint: outline}
	if b != nil {
		if saved, ok := s.Building(b.ID); ok {
			b = saved
		}
		cp := *b
		e.saved, cur = &cp, cp
	} else {
		cur.ID = nextID(func(id string) bool { _, ok := s.Building(id); return ok }, "b", len(s.Buildings)+1)
	}
	e.outline = cur.Footprint
	e.id, e.name, e.nameEn, e.number = newEntryWith(cur.ID), newEntryWith(cur.Name), newEntryWith(cur.NameEn), newEntryWith(cur.Number)
	if !e.isNew {
		e.id.Disable()
	}
	labels := make([]string, len(buildingUses))
	for i, u := range buildingUses {
		labels[i] = T(useLabel(u))
	}
	e.use = widget.NewSelect(labels, nil)
	e.use.SetSelected(T(useLabel(cur.Use)))
	e.units, e.floors = newEntryWith(numberText(float64(cur.Units), true)), newEntryWith(numberText(float64(cur.Floors), true))
	e.grid = gridChoice(s, cur.GridID)
	e.corners = widget.NewLabel("")
	e.showCorners()
	e.m, e.redraw = newOutlinePicker(s, e.outline, func(pg app.Polygon) {
		e.outline = pg
		e.showCorners()
	})
	redraw := widget.NewButtonWithIcon(T("Draw the outline again"), theme.ContentUndoIcon(), func() {
		e.outline = nil
		e.showCorners()
		e.redraw()
	})

	fe := e.errs
	form := widget.NewForm(
		widget.NewFormItem(T("Identifier"), fe.field(e.id, "id")),
		widget.NewFormItem(T("Name"), fe.field(e.name, "name")),
		widget.NewFormItem(T("Name (English)"), e.nameEn),
		widget.NewFormItem(T("Number"), e.number),
		widget.NewFormItem(T("Use"), e.use),
		widget.NewFormItem(T("Units"), fe.field(e.units, "units")),
		widget.NewFormItem(T("Floors"), fe.field(e.floors, "floors")),
		widget.NewFormItem(T("Grid"), fe.field(e.grid.sel, "grid")),
		widget.NewFormItem(T("Outline"), fe.field(container.NewBorder(nil, nil, nil, redraw, e.corners), "footprint")),
	)
	hint := muted(T("Click the corners of the outline; click the first corner to close it"))
	right := container.NewBorder(hint, nil, nil, nil, sizedMap(e.m))
	body := container.NewBorder(nil, nil, nil, right, container.NewVScroll(form))
	title := T("New building")
	if !e.isNew {
		title = T("Building {{.Name}}", map[string]any{"Name": e.saved.Display(english())})
	}
	e.d = newWriteDialog(c, title, T("Save"), body, e.submit)
	for _, en := range []*widget.Entry{e.id, e.name, e.nameEn, e.number, e.units, e.floors} {
		en.OnSubmitted = func(string) { e.d.submit() } // Enter saves
	}
	e.d.Show(fyne.NewSize(1000, 560))
	c.win.Canvas().Focus(e.name)
	return e
}

func (e *buildingEdit) showCorners() {
	if len(e.outline) < 3 {
		e.corners.SetText(T("Not drawn yet"))
		return
	}
	e.corners.SetText(T("{{.N}} corners, {{.Area}} m²", map[string]any{"N": len(e.outline), "Area": strconv.Itoa(int(math.Round(e.outline.Area())))}))
}

func (e *buildingEdit) building() (app.Building, error) {
	var p app.Problems
	units, errU := number(e.units, "units", "Units")
	floors, errF := number(e.floors, "floors", "Floors")
	for _, err := range []error{errU, errF} {
		if ae, ok := err.(*app.Error); ok {
			p = append(p, ae)
		}
	}
	if err := p.Err(); err != nil {
		return app.Building{}, err
	}
	b := app.Building{}
	if e.saved != nil {
		b = *e.saved
	}
	b.ID, b.Name, b.NameEn, b.Number = e.id.Text, e.name.Text, e.nameEn.Text, e.number.Text
	if i := e.use.SelectedIndex(); i >= 0 {
		b.Use = buildingUses[i]
	}
	b.Units, b.Floors = int(units), int(floors)
	b.GridID = e.grid.id()
	b.Footprint = e.outline
	return b, nil
}

func (e *buildingEdit) submit() (write, error) {
	b, err := e.building()
	if err != nil {
		e.errs.show(e.c, err)
		return write{}, err
	}
	e.errs.clear()
	return write{
		run: func(ctx context.Context, op *app.Operator) error {
			return e.c.core.Inventory.SaveBuilding(ctx, op, b)
		},
		failed: func(err error) { e.errs.show(e.c, err) },
	}, nil
}
