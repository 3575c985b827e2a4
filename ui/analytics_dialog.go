package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// The video analytics dialog of a camera: its live picture, on which zones, masks and
// lines are drawn by tapping, and what it watches for: each detector on or off, where,
// how long, how many, how sensitive, at what hours. Administrators save it (journaled);
// the others see it. A detector that analytics had to switch off shows why.

// analyticsEditor is the dialog's state.
type analyticsEditor struct {
	c      *Console
	cam    app.Camera
	cfg    app.CameraAnalytics // working copy
	canvas *zoneCanvas
	msg    *widget.Label
	status *writeStatus // the save's progress and outcome
	save   *widget.Button
	zones  *fyne.Container
	lines  *fyne.Container
	dets   *fyne.Container
	draw   struct {
		finish, cancel *widget.Button
		help           *widget.Label
	}
	canEdit bool
	viewer  app.Viewer
	stop    chan struct{}
	d       dialog.Dialog
}

// showAnalytics opens the analytics dialog of a camera.
func (c *Console) showAnalytics(cam app.Camera) {
	cam = c.currentCamera(cam) // a panel may hold the camera as it was when it was drawn
	op := c.Operator()
	e := &analyticsEditor{c: c, cam: cam, canEdit: op != nil && op.Role.Can(app.ActEditSite), stop: make(chan struct{})}
	if cam.Analytics != nil {
		// A deep copy: the dialog edits slices the site must not see until saved.
		b, _ := json.Marshal(cam.Analytics)
		_ = json.Unmarshal(b, &e.cfg)
	}
	e.canvas = newZoneCanvas(&e.cfg)
	e.canvas.onPoint = func() {
		if e.canvas.mode == drawLine && len(e.canvas.points) == 2 {
			e.finishDrawing()
		}
		e.showDrawing()
	}
	e.msg = widget.NewLabel("")
	e.msg.Wrapping = fyne.TextWrapWord
	e.zones = container.NewVBox()
	e.lines = container.NewVBox()
	e.dets = container.NewVBox()

	newZone := widget.NewButtonWithIcon(T("Draw a zone"), theme.ContentAddIcon(), func() { e.startDrawing(drawZone) })
	newMask := widget.NewButtonWithIcon(T("Draw a mask"), theme.VisibilityOffIcon(), func() { e.startDrawing(drawMask) })
	newLine := widget.NewButtonWithIcon(T("Draw a line"), theme.ContentAddIcon(), func() { e.startDrawing(drawLine) })
	e.draw.finish = widget.NewButtonWithIcon(T("Finish"), theme.ConfirmIcon(), e.finishDrawing)
	e.draw.cancel = widget.NewButtonWithIcon(T("Cancel"), theme.CancelIcon(), func() {
		e.canvas.mode, e.canvas.points = drawNone, nil
		e.canvas.Refresh()
		e.showDrawing()
	})
	e.draw.help = widget.NewLabel("")
	e.draw.help.Wrapping = fyne.TextWrapWord
	if !e.canEdit {
		newZone.Disable()
		newMask.Disable()
		newLine.Disable()
	}

	fps := widget.NewEntry()
	fps.SetText(strconv.FormatFloat(orDefault(e.cfg.FPS, 5), 'f', -1, 64))
	fps.OnChanged = func(s string) {
		if v, err := strconv.ParseFloat(app.PlainASCII(s), 64); err == nil {
			e.cfg.FPS = v
		}
	}
	// Every control below is loaded with the saved value before it gets its callback: a
	// select's callback fires when it is loaded, and must not write into the settings then
	// (the first zone option once cleared every detector's zone before the saved one was
	// shown, and Save wrote that).
	prios := []string{T("Low priority"), T("Normal priority"), T("High priority")}
	prio := widget.NewSelect(prios, nil)
	prio.SetSelectedIndex(min(max(e.cfg.Priority, 0), 2))
	prio.OnChanged = func(string) { e.cfg.Priority = prio.SelectedIndex() }
	boxes := widget.NewCheck(T("Show boxes over the camera on the wall"), nil)
	boxes.SetChecked(e.cfg.ShowBoxes)
	boxes.OnChanged = func(b bool) { e.cfg.ShowBoxes = b }
	general := widget.NewForm(
		widget.NewFormItem(T("Frames analysed per second"), fps),
		widget.NewFormItem(T("Priority under the CPU budget"), prio),
	)
	if !e.canEdit {
		fps.Disable()
		prio.Disable()
		boxes.Disable()
	}

	e.rebuildShapes()
	e.rebuildDetectors()
	e.showDrawing()

	side := container.NewVBox(
		widget.NewLabelWithStyle(T("Zones and masks"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		e.zones, container.NewHBox(newZone, newMask),
		widget.NewLabelWithStyle(T("Lines"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		e.lines, newLine,
		widget.NewSeparator(),
		widget.NewLabelWithStyle(T("Detectors"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		e.dets,
		widget.NewSeparator(),
		general, boxes,
	)
	drawBar := container.NewBorder(nil, nil, nil, container.NewHBox(e.draw.finish, e.draw.cancel), e.draw.help)
	e.status = newWriteStatus()
	left := container.NewBorder(nil, container.NewVBox(drawBar, e.msg, e.status.content), nil, nil, e.canvas)
	split := container.NewHSplit(left, container.NewVScroll(container.NewPadded(side)))
	split.Offset = 0.58

	title := T("Video analytics") + " — " + cam.Display(english())
	closeBtn := widget.NewButtonWithIcon(T("Close"), theme.CancelIcon(), func() { e.d.Hide() })
	buttons := container.NewHBox(closeBtn)
	if e.canEdit {
		e.save = widget.NewButtonWithIcon(T("Save"), theme.DocumentSaveIcon(), e.saveConfig)
		e.save.Importance = widget.HighImportance
		buttons.Add(e.save)
	} else {
		e.msg.SetText(T("Only administrators change what a camera watches for."))
	}
	content := container.NewBorder(nil, container.NewCenter(buttons), nil, nil, split)
	e.d = dialog.NewCustomWithoutButtons(title, content, c.win)
	e.d.SetOnClosed(e.close)
	e.d.Resize(fyne.NewSize(1180, 720))
	e.d.Show()
	e.watch()
}

func orDefault(v, d float64) float64 {
	if v <= 0 {
		return d
	}
	return v
}

// watch plays the camera's sub stream in the picture, with what analytics tracks on it.
func (e *analyticsEditor) watch() {
	if e.c.x.Feeds == nil {
		return
	}
	v, err := e.c.x.Feeds.Watch(e.cam.ID, false, 640, 360)
	if err != nil {
		e.canvas.hint.Text = ErrText(err)
		return
	}
	e.viewer = v
	go func() {
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		var shown *app.Frame
		defer func() { shown.Release() }()
		for {
			select {
			case <-e.stop:
				return
			case f, ok := <-v.Frames():
				if !ok {
					return
				}
				fyne.DoAndWait(func() { serialUI(func() { e.canvas.setFrame(f) }) })
				shown.Release()
				shown = f
			case <-tick.C:
				if e.c.x.Analytics == nil {
					continue
				}
				objs := e.c.x.Analytics.Objects(e.cam.ID)
				e.c.onUI(func() { e.canvas.setObjects(objs) })
			}
		}
	}()
}

func (e *analyticsEditor) close() {
	select {
	case <-e.stop:
	default:
		close(e.stop)
	}
	if e.viewer != nil {
		e.viewer.Close()
	}
}

// saveConfig writes what the dialog shows; it closes once saved, and stays open with the
// reason when the core refuses it.
func (e *analyticsEditor) saveConfig() {
	cfg := e.copyConfig() // the dialog goes on editing its own copy meanwhile
	e.c.write(write{
		run: func(ctx context.Context, op *app.Operator) error {
			return e.c.core.Inventory.SetCameraAnalytics(ctx, op, e.cam.ID, cfg)
		},
		status:         e.status,
		lock:           []fyne.Disableable{e.save},
		done:           e.d.Hide,
		nothingChanged: func() { e.d.Hide(); e.c.showNothingChanged() },
	})
}

// copyConfig is a deep copy of the working copy.
func (e *analyticsEditor) copyConfig() app.CameraAnalytics {
	var out app.CameraAnalytics
	b, _ := json.Marshal(e.cfg)
	_ = json.Unmarshal(b, &out)
	return out
}

// errorText is a warning in the error colour, wrapped.
func errorText(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Importance = widget.DangerImportance
	l.Wrapping = fyne.TextWrapWord
	return l
}

// --- drawing ---------------------------------------------------------------------------

func (e *analyticsEditor) startDrawing(m drawMode) {
	e.canvas.mode, e.canvas.points = m, nil
	e.canvas.Refresh()
	e.showDrawing()
}

func (e *analyticsEditor) showDrawing() {
	z := e.canvas
	switch z.mode {
	case drawNone:
		e.draw.help.SetText(T("Draw zones, masks and lines on the picture with the buttons on the right."))
		e.draw.finish.Hide()
		e.draw.cancel.Hide()
		return
	case drawLine:
		e.draw.help.SetText(T("Tap where the line starts, then where it ends."))
		e.draw.finish.Hide()
	default:
		e.draw.help.SetText(T("Tap the corners of the area on the picture ({{.N}} so far), then Finish.", map[string]any{"N": len(z.points)}))
		e.draw.finish.Show()
		if len(z.points) < 3 {
			e.draw.finish.Disable()
		} else {
			e.draw.finish.Enable()
		}
	}
	e.draw.cancel.Show()
}

func (e *analyticsEditor) finishDrawing() {
	z := e.canvas
	switch z.mode {
	case drawZone, drawMask:
		if len(z.points) < 3 {
			return
		}
		n := len(e.cfg.Zones) + 1
		name := T("Zone {{.N}}", map[string]any{"N": n})
		if z.mode == drawMask {
			name = T("Mask {{.N}}", map[string]any{"N": n})
		}
		e.cfg.Zones = append(e.cfg.Zones, app.Zone{ID: e.freeID("zone"), Name: name, Points: z.points, Exclude: z.mode == drawMask})
	case drawLine:
		if len(z.points) != 2 {
			return
		}
		n := len(e.cfg.Lines) + 1
		e.cfg.Lines = append(e.cfg.Lines, app.CrossLine{ID: e.freeID("line"), Name: T("Line {{.N}}", map[string]any{"N": n}), From: z.points[0], To: z.points[1]})
	}
	z.mode, z.points = drawNone, nil
	z.Refresh()
	e.rebuildShapes()
	e.rebuildDetectors()
	e.showDrawing()
}

// freeID returns prefix-N not used by any zone or line.
func (e *analyticsEditor) freeID(prefix string) string {
	for n := 1; ; n++ {
		id := fmt.Sprintf("%s-%d", prefix, n)
		_, z := e.cfg.Zone(id)
		_, l := e.cfg.Line(id)
		if !z && !l {
			return id
		}
	}
}

// rebuildShapes lists the zones and lines, each with its name, kind and a delete button.
func (e *analyticsEditor) rebuildShapes() {
	e.zones.RemoveAll()
	for i := range e.cfg.Zones {
		zn := &e.cfg.Zones[i]
		name := widget.NewEntry()
		name.SetText(zn.Name)
		name.OnChanged = func(s string) { zn.Name = s; e.canvas.Refresh() }
		mask := widget.NewCheck(T("Mask"), nil)
		mask.SetChecked(zn.Exclude)
		mask.OnChanged = func(b bool) { zn.Exclude = b; e.canvas.Refresh() }
		id := zn.ID
		del := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() { e.removeZone(id) })
		if !e.canEdit {
			name.Disable()
			mask.Disable()
			del.Disable()
		}
		e.zones.Add(container.NewBorder(nil, nil, nil, container.NewHBox(mask, del), name))
	}
	if len(e.cfg.Zones) == 0 {
		e.zones.Add(muted(T("No zone: detectors watch the whole picture.")))
	}
	e.lines.RemoveAll()
	dirs := []string{T("Both ways"), T("From A to B"), T("From B to A")}
	codes := []string{"", app.CrossAB, app.CrossBA}
	for i := range e.cfg.Lines {
		l := &e.cfg.Lines[i]
		name := widget.NewEntry()
		name.SetText(l.Name)
		name.OnChanged = func(s string) { l.Name = s; e.canvas.Refresh() }
		dir := widget.NewSelect(dirs, nil)
		if k := slices.Index(codes, l.Direction); k >= 0 {
			dir.SetSelectedIndex(k)
		}
		dir.OnChanged = func(string) {
			if k := dir.SelectedIndex(); k >= 0 {
				l.Direction = codes[k]
			}
		}
		id := l.ID
		del := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() { e.removeLine(id) })
		if !e.canEdit {
			name.Disable()
			dir.Disable()
			del.Disable()
		}
		e.lines.Add(container.NewBorder(nil, nil, nil, container.NewHBox(dir, del), name))
	}
	e.canvas.Refresh()
}

func (e *analyticsEditor) removeZone(id string) {
	var keep []app.Zone
	for _, z := range e.cfg.Zones {
		if z.ID != id {
			keep = append(keep, z)
		}
	}
	e.cfg.Zones = keep
	for i := range e.cfg.Detectors {
		if e.cfg.Detectors[i].Zone == id {
			e.cfg.Detectors[i].Zone = "" // the whole picture
		}
	}
	e.rebuildShapes()
	e.rebuildDetectors()
}

func (e *analyticsEditor) removeLine(id string) {
	var keep []app.CrossLine
	for _, l := range e.cfg.Lines {
		if l.ID != id {
			keep = append(keep, l)
		}
	}
	e.cfg.Lines = keep
	e.rebuildShapes()
	e.rebuildDetectors()
}

// --- detectors --------------------------------------------------------------------------

// detector returns the working settings of a kind, added (off) when missing.
func (e *analyticsEditor) detector(k app.DetectorKind) *app.DetectorConfig {
	for i := range e.cfg.Detectors {
		if e.cfg.Detectors[i].Kind == k {
			return &e.cfg.Detectors[i]
		}
	}
	e.cfg.Detectors = append(e.cfg.Detectors, app.DetectorConfig{Kind: k})
	return &e.cfg.Detectors[len(e.cfg.Detectors)-1]
}

// failures returns why analytics switched a camera's detectors off, by kind.
func (e *analyticsEditor) failures() map[app.DetectorKind]string {
	out := map[app.DetectorKind]string{} // already translated
	if e.c.x.Analytics == nil {
		return out
	}
	for _, st := range e.c.x.Analytics.Statuses() {
		if st.CameraID != e.cam.ID {
			continue
		}
		for _, d := range st.Detectors {
			if d.Failed != "" {
				out[d.Kind] = T(d.Failed, d.FailedArgs)
			}
		}
	}
	return out
}

func (e *analyticsEditor) rebuildDetectors() {
	e.dets.RemoveAll()
	failed := e.failures()
	for _, k := range app.DetectorKinds {
		e.dets.Add(e.detectorCard(k, failed[k]))
	}
}

// detectorCard is one detector: on/off, where, its thresholds and hours.
func (e *analyticsEditor) detectorCard(k app.DetectorKind, failed string) fyne.CanvasObject {
	// Work on the index, not a pointer: detector() may grow the slice.
	_ = e.detector(k)
	get := func() *app.DetectorConfig { return e.detector(k) }
	d := get()
	on := widget.NewCheck(T(k.Label()), nil)
	on.SetChecked(d.Enabled)
	on.OnChanged = func(b bool) { get().Enabled = b }
	items := []*widget.FormItem{}
	var disable []fyne.Disableable

	if k == app.DetectLine {
		var names, ids []string
		for _, l := range e.cfg.Lines {
			names, ids = append(names, l.Name), append(ids, l.ID)
		}
		sel := widget.NewSelect(names, nil)
		if i := slices.Index(ids, d.Line); i >= 0 {
			sel.SetSelectedIndex(i)
		} else if d.Line != "" {
			sel.PlaceHolder = T("Line {{.ID}} does not exist", map[string]any{"ID": d.Line})
		}
		if len(names) == 0 {
			sel.PlaceHolder = T("Draw a line first")
		}
		sel.OnChanged = func(string) {
			if i := sel.SelectedIndex(); i >= 0 {
				get().Line = ids[i]
			}
		}
		items = append(items, widget.NewFormItem(T("Line"), sel))
		disable = append(disable, sel)
	} else {
		names, ids := []string{T("Whole picture")}, []string{""}
		for _, z := range e.cfg.Zones {
			if !z.Exclude {
				names, ids = append(names, z.Name), append(ids, z.ID)
			}
		}
		// Options are chosen by their place, not their text: two zones may share a name.
		sel := widget.NewSelect(names, nil)
		if i := slices.Index(ids, d.Zone); i >= 0 {
			sel.SetSelectedIndex(i)
		} else {
			// A zone that is gone (or is a mask): say so; the setting stays until chosen.
			sel.PlaceHolder = T("Zone {{.ID}} does not exist", map[string]any{"ID": d.Zone})
		}
		sel.OnChanged = func(string) {
			if i := sel.SelectedIndex(); i >= 0 {
				get().Zone = ids[i]
			}
		}
		items = append(items, widget.NewFormItem(T("Where"), sel))
		disable = append(disable, sel)
	}
	number := func(label string, v float64, def float64, set func(float64)) {
		en := widget.NewEntry()
		en.SetText(strconv.FormatFloat(orDefault(v, def), 'f', -1, 64))
		en.OnChanged = func(s string) {
			if f, err := strconv.ParseFloat(app.PlainASCII(s), 64); err == nil {
				set(f)
			}
		}
		items = append(items, widget.NewFormItem(T(label), en))
		disable = append(disable, en)
	}
	switch k {
	case app.DetectLoitering:
		number("Seconds in the zone", d.Seconds, 30, func(f float64) { get().Seconds = f })
	case app.DetectCrowd:
		number("More than this many people", float64(d.Count), 5, func(f float64) { get().Count = int(f) })
		number("For seconds", d.Seconds, 5, func(f float64) { get().Seconds = f })
	case app.DetectFall:
		number("Down for seconds", d.Seconds, 3, func(f float64) { get().Seconds = f })
	}
	sens := widget.NewSlider(0, 1)
	sens.Step = 0.05
	sens.SetValue(orDefault(d.Sensitivity, 0.5))
	sens.OnChanged = func(f float64) { get().Sensitivity = f }
	minSize := widget.NewSlider(1, 50)
	minSize.SetValue(orDefault(d.MinSize, 0.05) * 100)
	minSize.OnChanged = func(f float64) { get().MinSize = f / 100 }
	items = append(items,
		widget.NewFormItem(T("Sensitivity"), sens),
		widget.NewFormItem(T("Smallest object (% of the picture's height)"), minSize))
	disable = append(disable, sens, minSize)
	from, to := widget.NewEntry(), widget.NewEntry()
	from.SetPlaceHolder("22:00")
	to.SetPlaceHolder("06:00")
	from.SetText(d.Schedule.From)
	to.SetText(d.Schedule.To)
	// "22：00" as pinyin's Chinese mode types it is 22:00.
	from.OnChanged = func(s string) { get().Schedule.From = app.PlainASCII(s) }
	to.OnChanged = func(s string) { get().Schedule.To = app.PlainASCII(s) }
	items = append(items, widget.NewFormItem(T("Only between"), container.NewGridWithColumns(2, from, to)))
	disable = append(disable, from, to)
	if !e.canEdit {
		on.Disable()
		for _, w := range disable {
			w.Disable()
		}
	}
	body := []fyne.CanvasObject{on, widget.NewForm(items...)}
	if failed != "" {
		body = append(body, errorText(T("Switched off: {{.Reason}}", map[string]any{"Reason": failed})))
	}
	return widget.NewCard("", "", container.NewVBox(body...))
}
