package ui

import (
	"context"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
	"watchpost/mapdraw"
)

// The intake form (接警登记): a report phoned in or brought to the guard room, logged with the
// keyboard alone in five fields — what (its priority follows), how urgent, where (a building
// and unit from a list, or a click on the small map), who called and their number in one
// field ("王先生 13800138000"), and what they said. Tab moves between the fields, the arrow
// keys change a list, Shift+Enter in the last field (or the button) logs it. It becomes an
// alarm that runs through the desk like any other (app/intake.go). F2 opens it anywhere.

type intakeForm struct {
	c        *Console
	site     *app.Site
	kind     *widget.Select
	priority *widget.Select
	building *buildingPicker
	unit     *widget.Entry
	caller   *widget.Entry
	said     *widget.Entry
	m        *siteMap
	point    *app.Point // the click on the map, if any
	where    *widget.Label
	// prioritySet: the operator chose the priority; a later change of kind keeps it.
	prioritySet bool
	settingPrio bool
	wd          *writeDialog
}

// showIntake opens the form (not for an operator whose role may not raise alarms).
func (c *Console) showIntake() {
	op := c.Operator()
	if op == nil || !op.Role.Can(app.ActRaiseAlarm) {
		return
	}
	f := newIntakeForm(c)
	f.wd.Show(fyne.NewSize(760, 0))
	c.win.Canvas().Focus(f.kind)
}

func newIntakeForm(c *Console) *intakeForm {
	f := &intakeForm{c: c, site: c.core.Inventory.Site()}
	en := english()

	kinds := make([]string, len(app.ReportKinds))
	for i, k := range app.ReportKinds {
		kinds[i] = T(app.AlarmKindLabel(k))
	}
	f.kind = widget.NewSelect(kinds, func(string) {
		if !f.prioritySet {
			f.settingPrio = true
			f.priority.SetSelectedIndex(int(app.ReportPriority(f.kindID())) - 1)
			f.settingPrio = false
		}
	})
	f.kind.PlaceHolder = T("What was reported")
	prios := make([]string, len(app.Priorities))
	for i, p := range app.Priorities {
		prios[i] = p.String() + " · " + T(priorityMeaning(p))
	}
	f.priority = widget.NewSelect(prios, func(string) {
		if !f.settingPrio {
			f.prioritySet = true
		}
	})
	f.priority.PlaceHolder = T("Priority")

	f.building = newBuildingPicker(f.site, "")
	f.building.Select.OnChanged = func(string) { f.point = nil; f.showPlace() }
	f.unit = widget.NewEntry()
	f.unit.SetPlaceHolder(T("Unit"))
	f.where = widget.NewLabel("")
	f.where.Truncation = fyne.TextTruncateEllipsis

	f.caller = widget.NewEntry()
	f.caller.SetPlaceHolder(T("e.g. 王先生 13800138000"))
	f.said = widget.NewMultiLineEntry()
	f.said.SetPlaceHolder(T("What the caller said: what, where exactly, anyone hurt"))
	f.said.SetMinRowsVisible(3)
	f.said.Wrapping = fyne.TextWrapWord

	place := container.NewBorder(nil, nil, nil, container.New(&fixedWidth{w: 110}, f.unit), f.building.Select)
	var mapBox fyne.CanvasObject = widget.NewLabel("")
	if f.site != nil {
		f.m = newSiteMap(f.site)
		f.m.english = en
		f.m.onPoint = f.pointTapped
		f.m.onSelect = f.keyTapped
		mapBox = container.New(&fixedHeight{h: 240}, f.m)
	}
	items := []*widget.FormItem{
		widget.NewFormItem(T("What"), f.kind),
		widget.NewFormItem(T("Priority"), f.priority),
		widget.NewFormItem(T("Where"), container.NewVBox(place, mapBox, f.where)),
		widget.NewFormItem(T("Caller and phone"), f.caller),
		widget.NewFormItem(T("What was said"), f.said),
	}
	items[2].HintText = T("Choose the building, or click the place on the map")
	items[4].HintText = T("Shift+Enter logs the report")
	f.wd = newWriteForm(c, T("Log a report"), T("Log report"), items, f.submit)
	f.said.OnSubmitted = func(string) { f.wd.submit() }
	f.caller.OnSubmitted = func(string) { c.win.Canvas().Focus(f.said) }
	f.unit.OnSubmitted = func(string) { c.win.Canvas().Focus(f.caller) }
	f.showPlace()
	return f
}

// priorityMeaning says what a priority is for, beside its code.
func priorityMeaning(p app.Priority) string {
	switch p {
	case app.P1:
		return "threat to life"
	case app.P2:
		return "urgent"
	case app.P3:
		return "needs attention"
	}
	return "notice"
}

func (f *intakeForm) kindID() string {
	if i := f.kind.SelectedIndex(); i >= 0 {
		return app.ReportKinds[i]
	}
	return ""
}

// pointTapped keeps the click on the map; the marker or building under it (keyTapped,
// called next) names the place.
func (f *intakeForm) pointTapped(at app.Point) {
	p := at
	f.point = &p
	f.m.r.SetDraft(mapdraw.Draft{Drawing: []app.Point{at}}) // a pin where the operator clicked
	f.m.redrawAll()
}

func (f *intakeForm) keyTapped(key string) {
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
func (f *intakeForm) buildingAt() *app.Building {
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
func (f *intakeForm) showPlace() {
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

// report reads the fields.
func (f *intakeForm) report() (app.Report, error) {
	r := app.Report{Kind: f.kindID(), BuildingID: f.building.ID(), Position: f.point, Said: f.said.Text}
	if i := f.priority.SelectedIndex(); i >= 0 {
		r.Priority = app.Priorities[i]
	}
	if u := strings.TrimSpace(f.unit.Text); u != "" {
		n, err := strconv.Atoi(u)
		if err != nil || n <= 0 {
			return r, app.Errorf(app.CodeInvalid, "The unit must be a number from 1 to {{.N}}", "N", app.MaxReportUnit).On("place")
		}
		r.Unit = n
	}
	r.Caller, r.Phone = app.SplitCaller(f.caller.Text)
	return r, nil
}

func (f *intakeForm) submit() (write, error) {
	r, err := f.report()
	if err != nil {
		return write{}, err
	}
	a, err := r.Alarm(f.site)
	if err != nil {
		return write{}, err // said in the form; nothing is written
	}
	var raised app.Alarm
	return write{
		run: func(ctx context.Context, op *app.Operator) (err error) {
			raised, err = f.c.core.Desk.Raise(ctx, op, a)
			return err
		},
		busy: T("Logging the report…"),
		done: func() { f.c.ShowAlarm(raised.ID) },
	}, nil
}

// fixedHeight lays its single child out at a fixed height (and its own width).
type fixedHeight struct{ h float32 }

func (f *fixedHeight) MinSize(objs []fyne.CanvasObject) fyne.Size {
	w := float32(0)
	for _, o := range objs {
		w = max(w, o.MinSize().Width)
	}
	return fyne.NewSize(w, f.h)
}

func (f *fixedHeight) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
}
