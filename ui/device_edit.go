package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// The device dialog: adding a device of any kind or editing one (administrators; the core
// checks the role again and journals the change). Its place is clicked on the small map or
// typed; its building, unit and floor; its supervision window (blank: the kind's default);
// for a bracelet or an emergency call button, the person it belongs to — their name, phone
// and a note for responders (lives alone, uses a wheelchair). That person is the device's
// own record (app.Person), which the residents' register will take over.

// deviceEdit is the dialog's state (kept for its tests).
type deviceEdit struct {
	c                                   *Console
	d                                   *writeDialog
	isNew                               bool
	saved                               *app.Device
	id, name, nameEn, location          *widget.Entry
	kind                                *widget.Select
	building                            *choice
	grid                                *choice
	unit, floor, supervision            *widget.Entry
	x, y                                *widget.Entry
	personName, personPhone, personNote *widget.Entry
	person                              *fyne.Container
	errs                                *fieldErrors
	m                                   *siteMap
	credentials                         *credentialsDialog // a new device's, shown once saved
}

// hasPerson: the kinds a person wears or presses.
func hasPerson(k app.DeviceKind) bool { return k == app.KindBracelet || k == app.KindCallButton }

// showDeviceEdit opens the dialog on a device of the site (nil: a new one, at the point
// given when it was placed on the map).
func (c *Console) showDeviceEdit(dev *app.Device, at *app.Point) *deviceEdit {
	s := c.core.Inventory.Site()
	if s == nil {
		return nil
	}
	e := &deviceEdit{c: c, isNew: dev == nil, errs: newFieldErrors()}
	d := app.Device{Kind: app.KindSmoke}
	if dev != nil {
		if cur, ok := s.Device(dev.ID); ok {
			dev = cur
		}
		cp := *dev
		e.saved, d = &cp, cp
	} else {
		d.ID = nextID(func(id string) bool { _, ok := s.Device(id); return ok }, "dev-", len(s.Devices)+1)
		if at != nil {
			d.Position = *at
		}
	}
	e.id, e.name, e.nameEn = newEntryWith(d.ID), newEntryWith(d.Name), newEntryWith(d.NameEn)
	if !e.isNew {
		e.id.Disable() // devices report under their ID (MQTT topics, broker credentials)
	}
	e.location = newEntryWith(d.Location)
	e.location.SetPlaceHolder(T("e.g. Building 3, unit 2, floor 5, east flat"))
	labels := make([]string, len(app.DeviceKinds))
	for i, k := range app.DeviceKinds {
		labels[i] = T(k.Label())
	}
	e.kind = widget.NewSelect(labels, nil)
	e.building = buildingChoice(s, d.BuildingID)
	e.grid = gridChoice(s, d.GridID)
	e.unit, e.floor = newEntryWith(numberText(float64(d.Unit), true)), newEntryWith(numberText(float64(d.Floor), true))
	e.supervision = newEntryWith("")
	if d.Supervision > 0 {
		e.supervision.SetText(numberText(d.Supervision.D().Minutes(), false))
	}
	e.x, e.y = newEntryWith(numberText(d.Position.X, false)), newEntryWith(numberText(d.Position.Y, false))
	e.unit.SetPlaceHolder(T("Unit"))
	e.floor.SetPlaceHolder(T("Floor"))
	e.x.SetPlaceHolder("x")
	e.y.SetPlaceHolder("y")
	// The resident is shown masked here as in every list (their full record is opened, with
	// a reason and journaled, from the inventory's "Full record…"): a field left as shown keeps
	// the saved value (personFromDialog), one typed over replaces it.
	var pr app.Person
	if d.Person != nil {
		pr = *d.Person.Masked()
	}
	e.personName, e.personPhone, e.personNote = newEntryWith(pr.Name), newEntryWith(pr.Phone), widget.NewMultiLineEntry()
	e.personNote.SetText(pr.Note)
	e.personNote.SetMinRowsVisible(2)
	e.personNote.SetPlaceHolder(T("What responders need to know: lives alone, uses a wheelchair…"))
	var mark *app.Point
	if !e.isNew || at != nil {
		mark = &d.Position
	}
	e.m = newPlacePicker(s, mark, func(p app.Point) {
		e.x.SetText(numberText(tenth(p.X), false))
		e.y.SetText(numberText(tenth(p.Y), false))
		if b, ok := buildingAt(s, p); ok && e.building.id() == "" {
			e.building.set(b) // clicked inside a building: it is in that building
		}
	})

	fe := e.errs
	supHint := widget.NewLabel("")
	supHint.Importance = widget.LowImportance
	e.kind.OnChanged = func(string) {
		e.kindChanged()
		supHint.SetText(T("Blank: {{.D}} for this kind", map[string]any{"D": formatDuration(e.selectedKind().DefaultSupervision())}))
	}
	personForm := widget.NewForm(
		widget.NewFormItem(T("Person"), fe.field(e.personName, "person.name", "person")),
		widget.NewFormItem(T("Phone"), fe.field(e.personPhone, "person.phone")),
		widget.NewFormItem(T("Notes"), e.personNote),
	)
	e.person = container.NewVBox(widget.NewSeparator(), heading(T("The person it belongs to")), personForm)
	form := widget.NewForm(
		widget.NewFormItem(T("Identifier"), fe.field(e.id, "id")),
		widget.NewFormItem(T("Type"), fe.field(e.kind, "kind")),
		widget.NewFormItem(T("Name"), fe.field(e.name, "name")),
		widget.NewFormItem(T("Name (English)"), e.nameEn),
		widget.NewFormItem(T("Location"), e.location),
		widget.NewFormItem(T("Building"), fe.field(e.building.sel, "building")),
		widget.NewFormItem(T("Unit / floor"), fe.field(container.NewGridWithColumns(2, e.unit, e.floor), "unit", "floor")),
		widget.NewFormItem(T("Grid"), fe.field(e.grid.sel, "grid")),
		widget.NewFormItem(T("Position (m)"), fe.field(container.NewGridWithColumns(2, e.x, e.y), "position")),
		widget.NewFormItem(T("Supervision window (min)"), fe.field(container.NewVBox(e.supervision, supHint), "supervision")),
	)
	if e.isNew {
		form.Append(T("Broker credentials"), muted(T("Made when it is saved, and shown this once")))
	} else {
		form.Append(T("Broker credentials"), c.credentialsRow(d.ID))
	}
	e.kind.SetSelected(T(d.Kind.Label()))
	right := container.NewBorder(muted(T("Click on the map to place it")), nil, nil, nil, sizedMap(e.m))
	body := container.NewBorder(nil, nil, nil, right, container.NewVScroll(container.NewVBox(form, e.person)))
	title := T("Add device")
	if !e.isNew {
		title = T("Device {{.Name}}", map[string]any{"Name": e.saved.Display(english())})
	}
	e.d = newWriteDialog(c, title, T("Save"), body, e.submit)
	for _, en := range []*widget.Entry{e.id, e.name, e.nameEn, e.location, e.unit, e.floor, e.supervision, e.x, e.y, e.personName, e.personPhone} {
		en.OnSubmitted = func(string) { e.d.submit() } // Enter saves
	}
	markTypedPoint(e.m, e.x, e.y)
	e.d.Show(fyne.NewSize(1040, 680))
	if e.isNew {
		c.win.Canvas().Focus(e.id)
	} else {
		c.win.Canvas().Focus(e.name)
	}
	return e
}

func (e *deviceEdit) selectedKind() app.DeviceKind {
	if i := e.kind.SelectedIndex(); i >= 0 {
		return app.DeviceKinds[i]
	}
	return app.KindSmoke
}

// kindChanged shows the person's fields for the kinds that belong to someone.
func (e *deviceEdit) kindChanged() {
	if e.person == nil {
		return
	}
	if hasPerson(e.selectedKind()) {
		e.person.Show()
	} else {
		e.person.Hide()
	}
}

// device reads the fields.
func (e *deviceEdit) device() (app.Device, error) {
	var p app.Problems
	num := func(en *widget.Entry, field, what string) float64 {
		v, err := number(en, field, what)
		if ae, ok := err.(*app.Error); ok {
			p = append(p, ae)
		}
		return v
	}
	x, y := num(e.x, "position", "Position (m)"), num(e.y, "position", "Position (m)")
	unit, floor := num(e.unit, "unit", "Unit / floor"), num(e.floor, "floor", "Unit / floor")
	sup := num(e.supervision, "supervision", "Supervision window (min)")
	if err := p.Err(); err != nil {
		return app.Device{}, err
	}
	d := app.Device{}
	if e.saved != nil {
		d = *e.saved
	}
	d.ID, d.Kind = e.id.Text, e.selectedKind()
	d.Name, d.NameEn, d.Location = e.name.Text, e.nameEn.Text, e.location.Text
	d.BuildingID, d.GridID = e.building.id(), e.grid.id()
	d.Unit, d.Floor = int(unit), int(floor)
	d.Position = app.Point{X: x, Y: y}
	d.Supervision = app.Duration(time.Duration(sup * float64(time.Minute)))
	if hasPerson(d.Kind) {
		pr := app.Person{}
		if d.Person != nil {
			pr = *d.Person // what the dialog does not show (age, family contact) stays
		}
		pr = personFromDialog(pr, e.personName.Text, e.personPhone.Text, e.personNote.Text)
		d.Person = &pr
	} else {
		d.Person = nil
	}
	return d, nil
}

func (e *deviceEdit) submit() (write, error) {
	d, err := e.device()
	if err != nil {
		e.errs.show(e.c, err)
		return write{}, err
	}
	e.errs.clear()
	isNew := e.isNew
	var secret app.DeviceSecret
	return write{
		run: func(ctx context.Context, op *app.Operator) (err error) {
			if isNew {
				// Added with its own broker credentials, shown once below.
				secret, err = e.c.core.Credentials.AddDevice(ctx, op, d, false)
				return err
			}
			return e.c.core.Inventory.UpdateDevice(ctx, op, d)
		},
		done: func() {
			if isNew && secret.Password != "" {
				e.credentials = e.c.showDeviceCredentials([]app.DeviceSecret{secret})
			}
		},
		failed: func(err error) { e.errs.show(e.c, err) },
	}, nil
}

// buildingAt returns the building whose outline holds a point.
func buildingAt(s *app.Site, p app.Point) (string, bool) {
	for _, b := range s.Buildings {
		if b.Footprint.Contains(p) {
			return b.ID, true
		}
	}
	return "", false
}

// personFromDialog is the resident as saved from the dialog: a field still showing the saved
// value masked keeps the saved value; anything typed replaces it.
func personFromDialog(saved app.Person, name, phone, note string) app.Person {
	shown := saved.Masked()
	out := saved
	if shown == nil {
		shown = &app.Person{}
	}
	keep := func(typed, masked, cur string) string {
		if typed == masked && app.IsMasked(masked) {
			return cur
		}
		return typed
	}
	out.Name = keep(name, shown.Name, saved.Name)
	out.Phone = keep(phone, shown.Phone, saved.Phone)
	out.Note = keep(note, shown.Note, saved.Note)
	return out
}
