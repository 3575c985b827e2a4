package ui

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
	"watchpost/report"
)

// The drill scenario editor (trainers and administrators): names and description, the
// plan expected and the reactions expected (limits, steps), and the timed injections
// (add, edit, remove), each a device message, a detection or a note. The core checks the
// whole scenario against the site and the plans on saving; the editor shows every reason
// it refuses.

type drillEditor struct {
	p     *drillsPanel
	sc    app.DrillScenario
	isNew bool
	d     dialog.Dialog

	id, name, nameEn, desc, descEn *widget.Entry
	plan                           *widget.Select
	planIDs                        []string
	ack, open, length              *widget.Entry
	steps                          *picker
	stepsBox                       *fyne.Container
	injections                     *fyne.Container
	save                           *widget.Button
	status                         *writeStatus // the save's progress, a refusal with its reasons
}

// edit opens the editor on a scenario (a new one when isNew).
func (p *drillsPanel) edit(sc app.DrillScenario, isNew bool) *drillEditor {
	e := &drillEditor{p: p, sc: sc, isNew: isNew}
	e.sc.Injections = append([]app.DrillInject(nil), sc.Injections...)
	e.build()
	return e
}

func (e *drillEditor) build() {
	en := english()
	sc := &e.sc
	multi := func(v, hint string) *widget.Entry {
		w := widget.NewMultiLineEntry()
		w.SetText(v)
		w.SetPlaceHolder(hint)
		w.Wrapping = fyne.TextWrapWord
		w.SetMinRowsVisible(3)
		return w
	}
	e.id = textEntry(sc.ID, T("e.g. fire-building"))
	if !e.isNew {
		e.id.Disable()
	}
	e.name = textEntry(sc.Name, T("Name in Chinese"))
	e.nameEn = textEntry(sc.NameEn, T("Name in English"))
	e.desc = multi(sc.Description, T("What happens and what the drill tests"))
	e.descEn = multi(sc.DescriptionEn, T("What happens and what the drill tests, in English"))

	var names []string
	sel := ""
	for _, pl := range e.p.c.core.Plans.List() {
		e.planIDs = append(e.planIDs, pl.ID)
		names = append(names, pl.Display(en))
		if pl.ID == sc.PlanID {
			sel = pl.Display(en)
		}
	}
	e.stepsBox = container.NewStack()
	e.plan = widget.NewSelect(names, func(string) { e.fillSteps() })
	e.plan.SetSelected(sel)

	dur := func(d app.Duration) string {
		if d <= 0 {
			return ""
		}
		return limitText(d.D())
	}
	e.ack = textEntry(dur(sc.Expect.Acknowledge), limitText(app.DefaultAckWithin))
	e.open = textEntry(dur(sc.Expect.OpenIncident), limitText(app.DefaultOpenWithin))
	e.length = textEntry(dur(sc.Expect.Duration), T("until the trainer stops it"))

	e.injections = container.NewVBox()
	e.fillInjections()
	add := widget.NewButtonWithIcon(T("Add injection…"), theme.ContentAddIcon(), func() { e.editInject(-1, app.DrillInject{}) })

	form := widget.NewForm(
		widget.NewFormItem(T("Identifier"), e.id),
		widget.NewFormItem(T("Name"), e.name),
		widget.NewFormItem(T("Name (English)"), e.nameEn),
		widget.NewFormItem(T("Scenario description"), e.desc),
		widget.NewFormItem(T("Scenario description (English)"), e.descEn),
		widget.NewFormItem(T("Expected plan"), e.plan),
		widget.NewFormItem(T("Acknowledge each alarm within"), e.ack),
		widget.NewFormItem(T("Open the incident within"), e.open),
		widget.NewFormItem(T("Length"), e.length),
	)
	body := container.NewVBox(form,
		heading(T("Expected steps")), wrapMuted(T("None ticked: every step of the plan with a time limit at its opening level.")), e.stepsBox,
		container.NewBorder(nil, nil, heading(T("Injections")), add), e.injections)
	e.save = widget.NewButtonWithIcon(T("Save"), theme.DocumentSaveIcon(), e.submit)
	e.save.Importance = widget.HighImportance
	cancel := widget.NewButton(T("Cancel"), func() { e.d.Hide() })
	title := T("New drill scenario")
	if !e.isNew {
		title = T("Edit drill scenario")
	}
	e.status = newWriteStatus()
	content := container.NewBorder(nil, container.NewVBox(e.status.content, container.NewHBox(cancel, e.save)), nil, nil, container.NewVScroll(body))
	e.d = dialog.NewCustomWithoutButtons(title, content, e.p.c.win)
	e.d.Resize(fyne.NewSize(980, 780))
	e.d.Show()
}

// selectedPlan returns the plan chosen in the editor.
func (e *drillEditor) selectedPlan() (app.Plan, bool) {
	if i := e.plan.SelectedIndex(); i >= 0 && i < len(e.planIDs) {
		return e.p.c.core.Plans.Get(e.planIDs[i])
	}
	return app.Plan{}, false
}

// fillSteps offers the steps of the chosen plan.
func (e *drillEditor) fillSteps() {
	pl, ok := e.selectedPlan()
	if !ok {
		e.stepsBox.Objects = nil
		e.stepsBox.Refresh()
		return
	}
	var labels, values []string
	for _, s := range pl.Steps {
		l := s.DisplayTitle(english())
		if s.Limit > 0 {
			l += " (" + formatDuration(s.Limit.D()) + ")"
		}
		labels = append(labels, l)
		values = append(values, s.ID)
	}
	keep := e.sc.Expect.Steps
	if e.steps != nil {
		keep = e.steps.Selected()
	}
	e.steps = newPicker(2, labels, values, keep)
	e.stepsBox.Objects = []fyne.CanvasObject{e.steps.content}
	e.stepsBox.Refresh()
}

// fillInjections lists the injections with their edit and remove buttons.
func (e *drillEditor) fillInjections() {
	site := e.p.c.core.Inventory.Site()
	var rows []fyne.CanvasObject
	for i, in := range e.sc.Injections {
		edit := widget.NewButtonWithIcon("", theme.DocumentCreateIcon(), func() { e.editInject(i, in) })
		del := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() {
			e.sc.Injections = append(e.sc.Injections[:i:i], e.sc.Injections[i+1:]...)
			e.fillInjections()
		})
		rows = append(rows, container.NewBorder(nil, nil, nil, container.NewHBox(edit, del),
			injectRow(in.At.D(), injectIcon(&in, site), report.Injection(tr(), &in, site), nil)))
	}
	if len(rows) == 0 {
		rows = append(rows, wrapMuted(T("No injection yet: add a device message, a detection or a note.")))
	}
	e.injections.Objects = rows
	e.injections.Refresh()
}

// The kinds of injection, as the editor offers them (English, translated when shown).
var injectKinds = []string{"Device message", "Detection", "Note"}

// editInject edits injection i (i < 0: a new one).
func (e *drillEditor) editInject(i int, in app.DrillInject) {
	en := english()
	site := e.p.c.core.Inventory.Site()
	at := textEntry("", "45s, 2m, 1m30s")
	if i >= 0 {
		at.SetText(limitText(in.At.D()))
	}

	var devIDs, devNames, camIDs, camNames []string
	if site != nil {
		for _, d := range site.Devices {
			devIDs, devNames = append(devIDs, d.ID), append(devNames, d.ID+" · "+d.Display(en))
		}
		for _, c := range site.Cameras {
			camIDs, camNames = append(camIDs, c.ID), append(camNames, c.ID+" · "+c.Display(en))
		}
	}
	pick := func(ids, names []string, id string) *widget.Select {
		s := widget.NewSelect(names, nil)
		for k := range ids {
			if ids[k] == id {
				s.SetSelectedIndex(k)
			}
		}
		return s
	}
	device := pick(devIDs, devNames, in.Device)
	event := textEntry(in.Event, T("the message's type: alarm, fall, sos, water…"))
	values := textEntry("", `{"smoke": true, "temperature": 58}`)
	if len(in.Values) > 0 {
		b, _ := json.Marshal(in.Values)
		values.SetText(string(b))
	}
	camera := pick(camIDs, camNames, in.Camera)
	var detNames []string
	detSel := -1
	for k, d := range app.DetectorKinds {
		detNames = append(detNames, T(d.Label()))
		if d == in.Detector {
			detSel = k
		}
	}
	detector := widget.NewSelect(detNames, nil)
	if detSel >= 0 {
		detector.SetSelectedIndex(detSel)
	}
	count := textEntry("", T("people (crowd)"))
	if in.Count > 0 {
		count.SetText(strconv.Itoa(in.Count))
	}
	detail := textEntry(in.Detail, T("what the camera saw, in a few words"))
	note := widget.NewMultiLineEntry()
	note.SetText(in.Note)
	note.SetPlaceHolder(T("What the operators are told, in Chinese"))
	noteEn := widget.NewMultiLineEntry()
	noteEn.SetText(in.NoteEn)
	noteEn.SetPlaceHolder(T("What the operators are told, in English"))

	devForm := widget.NewForm(widget.NewFormItem(T("Device"), device), widget.NewFormItem(T("Event type"), event),
		widget.NewFormItem(T("Fields (JSON)"), values))
	camForm := widget.NewForm(widget.NewFormItem(T("Camera"), camera), widget.NewFormItem(T("Detector"), detector),
		widget.NewFormItem(T("People"), count), widget.NewFormItem(T("Detail"), detail))
	noteForm := widget.NewForm(widget.NewFormItem(T("Note"), note), widget.NewFormItem(T("Note (English)"), noteEn))
	forms := []*widget.Form{devForm, camForm, noteForm}
	var labels []string
	for _, k := range injectKinds {
		labels = append(labels, T(k))
	}
	kind := widget.NewRadioGroup(labels, func(s string) {
		for k, f := range forms {
			f.Hidden = s != labels[k]
		}
		for _, f := range forms {
			f.Refresh()
		}
	})
	kind.Horizontal = true
	switch in.What() {
	case app.InjectDetection:
		kind.SetSelected(labels[1])
	case app.InjectNote:
		kind.SetSelected(labels[2])
	default:
		kind.SetSelected(labels[0])
	}
	body := container.NewVBox(widget.NewForm(widget.NewFormItem(T("At"), at)), kind, devForm, camForm, noteForm)
	// What is typed wrong is said in the dialog, which stays open to correct it; the
	// injection joins the scenario, saved with it.
	newWriteDialog(e.p.c, T("Injection"), T("OK"), body, func() (write, error) {
		out, err := readInject(in, at.Text, kind.Selected, labels, device.SelectedIndex(), devIDs, event.Text, values.Text,
			camera.SelectedIndex(), camIDs, detector.SelectedIndex(), count.Text, detail.Text, note.Text, noteEn.Text)
		if err != nil {
			return write{}, err
		}
		return write{done: func() {
			if i < 0 {
				e.sc.Injections = append(e.sc.Injections, out)
			} else {
				e.sc.Injections[i] = out
			}
			e.fillInjections()
		}}, nil
	}).Show(fyne.NewSize(720, 520))
}

// readInject reads the injection dialog's fields. What the dialog does not show of the
// injection it edits (a device message's type, a detection's zone) is kept.
func readInject(orig app.DrillInject, at, kind string, labels []string, dev int, devIDs []string, event, values string, cam int, camIDs []string,
	det int, count, detail, note, noteEn string) (app.DrillInject, error) {
	var out app.DrillInject
	d, err := parseLimit(at)
	if err != nil {
		return out, err
	}
	out.At = app.Duration(d)
	switch kind {
	case labels[0]:
		if dev < 0 {
			return out, app.Errorf(app.CodeInvalid, "Choose a device")
		}
		out.Device, out.Type, out.Event = devIDs[dev], app.MsgEvent, strings.TrimSpace(event)
		if orig.Device != "" && orig.Type != "" {
			out.Type = orig.Type
		}
		if v := strings.TrimSpace(values); v != "" {
			if err := json.Unmarshal([]byte(v), &out.Values); err != nil {
				return out, app.Errorf(app.CodeInvalid, "The fields are not a JSON object: {{.Why}}", "Why", err.Error())
			}
		}
	case labels[1]:
		if cam < 0 || det < 0 {
			return out, app.Errorf(app.CodeInvalid, "Choose a camera and a detector")
		}
		out.Camera, out.Detector, out.Detail = camIDs[cam], app.DetectorKinds[det], strings.TrimSpace(detail)
		if out.Camera == orig.Camera {
			out.Zone = orig.Zone // a zone of that camera
		}
		if c := strings.TrimSpace(count); c != "" {
			n, err := strconv.Atoi(app.PlainASCII(c))
			if err != nil || n < 0 {
				return out, app.Errorf(app.CodeInvalid, "{{.Value}} is not a number of people", "Value", c)
			}
			out.Count = n
		}
	default:
		out.Note, out.NoteEn = strings.TrimSpace(note), strings.TrimSpace(noteEn)
		if out.Note == "" && out.NoteEn == "" {
			return out, app.Errorf(app.CodeInvalid, "Write the note")
		}
	}
	return out, nil
}

// collect reads the editor into a scenario.
func (e *drillEditor) collect() (app.DrillScenario, error) {
	sc := e.sc
	sc.ID = strings.TrimSpace(e.id.Text)
	sc.Name, sc.NameEn = strings.TrimSpace(e.name.Text), strings.TrimSpace(e.nameEn.Text)
	sc.Description, sc.DescriptionEn = strings.TrimSpace(e.desc.Text), strings.TrimSpace(e.descEn.Text)
	sc.PlanID = ""
	if pl, ok := e.selectedPlan(); ok {
		sc.PlanID = pl.ID
	}
	for _, f := range []struct {
		w   *widget.Entry
		dst *app.Duration
	}{{e.ack, &sc.Expect.Acknowledge}, {e.open, &sc.Expect.OpenIncident}, {e.length, &sc.Expect.Duration}} {
		d, err := parseLimit(f.w.Text)
		if err != nil {
			return sc, err
		}
		*f.dst = app.Duration(d)
	}
	sc.Expect.Steps = nil
	if e.steps != nil {
		sc.Expect.Steps = e.steps.Selected()
	}
	return sc, nil
}

// submit saves the scenario; a refusal is shown with every reason and the editor stays
// open. The saved scenario is shown when its journal entry arrives.
func (e *drillEditor) submit() {
	sc, err := e.collect()
	if err != nil {
		e.status.fail(err)
		return
	}
	if !e.isNew {
		if _, exists := e.p.c.core.Drills.Scenario(sc.ID); !exists {
			e.status.fail(app.Errorf(app.CodeNotFound, "There is no drill scenario {{.ID}}", "ID", sc.ID))
			return
		}
	} else if _, exists := e.p.c.core.Drills.Scenario(sc.ID); exists {
		e.status.fail(app.Errorf(app.CodeConflict, "A drill scenario with the ID {{.ID}} exists already", "ID", sc.ID).On("id"))
		return
	}
	e.p.pending = sc.ID
	e.p.c.write(write{
		run: func(ctx context.Context, op *app.Operator) error {
			_, err := e.p.c.core.Drills.Save(ctx, op, sc)
			return err
		},
		status: e.status, lock: []fyne.Disableable{e.save},
		done:           e.d.Hide,
		nothingChanged: func() { e.d.Hide(); e.p.c.showNothingChanged() },
		notSaved: func(why string) string {
			return T("The drill scenario was not saved: {{.Why}}", map[string]any{"Why": why})
		},
	})
}
