package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// The camera dialog: adding a camera or editing one (administrators; the core checks the
// role again and journals the change without the password). Its addresses are typed
// without credentials, the user and the password apart; the password is never shown back,
// and left blank on an edit it stays as saved. "Test connection" connects to the main
// stream as typed (the same check as `watchpost probe`). Its place is clicked on the small
// map or typed. Once saved, a new camera goes onto the wall (wall_inventory.go).

var cameraKinds = []app.CameraKind{app.CameraBullet, app.CameraDome, app.CameraPTZ, app.CameraPlate, app.CameraFace}

// cameraEdit is the dialog's state (kept for its tests).
type cameraEdit struct {
	c                                 *Console
	d                                 *writeDialog
	isNew                             bool
	saved                             *app.Camera // the camera as saved, on an edit
	id, name, nameEn, mainURL, subURL *widget.Entry
	user, password                    *widget.Entry
	kind                              *widget.Select
	grid                              *choice
	x, y, direction                   *widget.Entry
	probe                             *widget.Label
	testBtn                           *widget.Button
	errs                              *fieldErrors
	m                                 *siteMap
}

// showCameraEdit opens the dialog on a camera of the site (nil: a new camera, at the
// point given when it was placed on the map).
func (c *Console) showCameraEdit(cam *app.Camera, at *app.Point) *cameraEdit {
	s := c.core.Inventory.Site()
	if s == nil {
		return nil
	}
	e := &cameraEdit{c: c, isNew: cam == nil, errs: newFieldErrors()}
	var f app.CameraForm
	if cam != nil {
		cur := c.currentCamera(*cam)
		e.saved = &cur
		f = app.FormOf(cur)
	} else {
		f.Camera = app.Camera{ID: nextID(func(id string) bool { _, ok := s.Camera(id); return ok }, "cam-", len(s.Cameras)+1), Kind: app.CameraBullet}
		if at != nil {
			f.Camera.Position = *at
		}
	}
	cm := f.Camera
	e.id, e.name, e.nameEn = newEntryWith(cm.ID), newEntryWith(cm.Name), newEntryWith(cm.NameEn)
	if !e.isNew {
		e.id.Disable() // the ID is in the journal, the wall's views and the devices' cameras
	}
	e.mainURL, e.subURL = newEntryWith(cm.MainURL), newEntryWith(cm.SubURL)
	e.mainURL.SetPlaceHolder("rtsp://192.168.1.64:554/Streaming/Channels/101")
	e.subURL.SetPlaceHolder(T("(the main stream serves tiles too)"))
	e.user = newEntryWith(f.User)
	e.password = widget.NewPasswordEntry()
	if !e.isNew {
		e.password.SetPlaceHolder(T("(unchanged when left blank)"))
	}
	labels := make([]string, len(cameraKinds))
	for i, k := range cameraKinds {
		labels[i] = T(cameraKindLabel(k))
	}
	e.kind = widget.NewSelect(labels, nil)
	e.kind.SetSelected(T(cameraKindLabel(cm.Kind)))
	e.grid = gridChoice(s, cm.GridID)
	e.x, e.y = newEntryWith(numberText(cm.Position.X, false)), newEntryWith(numberText(cm.Position.Y, false))
	e.direction = newEntryWith(numberText(cm.Direction, false))
	e.x.SetPlaceHolder("x")
	e.y.SetPlaceHolder("y")
	var mark *app.Point
	if !e.isNew || at != nil {
		mark = &cm.Position
	}
	e.m = newPlacePicker(s, mark, func(p app.Point) {
		e.x.SetText(numberText(tenth(p.X), false))
		e.y.SetText(numberText(tenth(p.Y), false))
	})
	e.probe = widget.NewLabel("")
	e.probe.Wrapping = fyne.TextWrapWord
	e.testBtn = widget.NewButtonWithIcon(T("Test connection"), theme.MediaPlayIcon(), e.test)
	if c.x.Probe == nil {
		e.testBtn.Disable()
	}

	fe := e.errs
	form := widget.NewForm(
		widget.NewFormItem(T("Identifier"), fe.field(e.id, "id")),
		widget.NewFormItem(T("Name"), fe.field(e.name, "name")),
		widget.NewFormItem(T("Name (English)"), e.nameEn),
		widget.NewFormItem(T("Type"), e.kind),
		widget.NewFormItem(T("Main stream"), fe.field(e.mainURL, "main_url")),
		widget.NewFormItem(T("Sub stream"), fe.field(e.subURL, "sub_url")),
		widget.NewFormItem(T("User"), e.user),
		widget.NewFormItem(T("Password"), e.password),
		widget.NewFormItem("", container.NewBorder(nil, nil, e.testBtn, nil, e.probe)),
		widget.NewFormItem(T("Grid"), fe.field(e.grid.sel, "grid")),
		widget.NewFormItem(T("Position (m)"), fe.field(container.NewGridWithColumns(2, e.x, e.y), "position")),
		widget.NewFormItem(T("Looks towards (°)"), fe.field(e.direction, "direction")),
	)
	right := container.NewBorder(muted(T("Click on the map to place it")), nil, nil, nil, sizedMap(e.m))
	body := container.NewBorder(nil, nil, nil, right, container.NewVScroll(form))
	title := T("Add camera")
	if !e.isNew {
		title = T("Camera {{.Name}}", map[string]any{"Name": e.saved.Display(english())})
	}
	e.d = newWriteDialog(c, title, T("Save"), body, e.submit)
	for _, en := range []*widget.Entry{e.id, e.name, e.nameEn, e.mainURL, e.subURL, e.user, e.password, e.x, e.y, e.direction} {
		en.OnSubmitted = func(string) { e.d.submit() } // Enter saves
	}
	markTypedPoint(e.m, e.x, e.y)
	e.d.Show(fyne.NewSize(1040, 640))
	if e.isNew {
		c.win.Canvas().Focus(e.id)
	} else {
		c.win.Canvas().Focus(e.name)
	}
	return e
}

// form reads the fields into the core's form.
func (e *cameraEdit) form() (app.CameraForm, error) {
	var p app.Problems
	x, errX := number(e.x, "position", "Position (m)")
	y, errY := number(e.y, "position", "Position (m)")
	dir, errD := number(e.direction, "direction", "Looks towards (°)")
	for _, err := range []error{errX, errY, errD} {
		if ae, ok := err.(*app.Error); ok {
			p = append(p, ae)
		}
	}
	if err := p.Err(); err != nil {
		return app.CameraForm{}, err
	}
	cam := app.Camera{}
	if e.saved != nil {
		cam = *e.saved
	}
	cam.ID, cam.Name, cam.NameEn = e.id.Text, e.name.Text, e.nameEn.Text
	cam.Kind = cameraKinds[max(0, e.kind.SelectedIndex())]
	cam.MainURL, cam.SubURL = e.mainURL.Text, e.subURL.Text
	cam.GridID = e.grid.id()
	cam.Position, cam.Direction = app.Point{X: x, Y: y}, dir
	return app.CameraForm{Camera: cam, User: e.user.Text, Password: e.password.Text}, nil
}

func (e *cameraEdit) submit() (write, error) {
	f, err := e.form()
	if err != nil {
		e.errs.show(e.c, err)
		return write{}, err
	}
	e.errs.clear()
	isNew := e.isNew
	return write{
		run: func(ctx context.Context, op *app.Operator) error {
			return e.c.core.Inventory.SaveCameraForm(ctx, op, f, isNew)
		},
		failed: func(err error) { e.errs.show(e.c, err) },
	}, nil
}

// test connects to the main stream as typed (with the saved password when none is typed).
func (e *cameraEdit) test() {
	f, err := e.form()
	if err != nil {
		e.errs.show(e.c, err)
		return
	}
	url := f.Build(e.saved).MainURL
	e.probe.SetText(T("Testing the connection…"))
	e.testBtn.Disable()
	go func() {
		r := e.c.x.Probe(context.Background(), url)
		e.c.onUI(func() {
			e.probe.SetText(probeText(r))
			e.testBtn.Enable()
		})
	}()
}
