package ui

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"io"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
	"watchpost/mapdraw"
)

// Editing the plan on the map (administrators; the core checks the role again and journals
// every change): grids drawn and reshaped, devices and cameras moved, cameras aimed, the
// background picture placed, the plan exported as GeoJSON.

// gridColors are offered for new grids.
var gridColors = []string{"#6f8fb0", "#7fa36b", "#c2a15e", "#a87a92", "#6fa39b", "#b07a6f", "#8a86c2", "#9aa35e"}

func (p *mapPanel) buildEditBar() *fyne.Container {
	newGrid := widget.NewButtonWithIcon(T("New grid"), theme.ContentAddIcon(), p.startDrawing)
	bg := widget.NewButtonWithIcon(T("Background picture…"), theme.FileImageIcon(), p.backgroundDialog)
	export := widget.NewButtonWithIcon(T("Export GeoJSON…"), theme.DocumentSaveIcon(), p.exportDialog)
	p.editHint = widget.NewLabel(T("Select a grid to reshape it; drag markers to move them."))
	p.editHint.Truncation = fyne.TextTruncateEllipsis
	p.editHint.Importance = widget.LowImportance
	bar := canvas.NewRectangle(withAlpha(themeColor(theme.ColorNamePrimary), 0x30))
	buttons := container.NewHBox(append([]fyne.CanvasObject{newGrid}, p.thingButtons()...)...) // map_things.go
	buttons.Add(bg)
	buttons.Add(export)
	return container.NewStack(bar, container.NewPadded(container.NewBorder(nil, nil, buttons, nil, p.editHint)))
}

// setEditing turns edit mode on or off (administrators only; the button exists only for them).
func (p *mapPanel) setEditing(on bool) {
	op := p.c.Operator()
	if on && (op == nil || !op.Role.Can(app.ActEditSite)) {
		return
	}
	p.cancelPlacing()
	p.m.editing = on
	p.m.r.SetEditing(on) // and drops any draft
	p.m.drawing = false
	if on {
		p.editBar.Show()
		p.editBtn.Importance = widget.HighImportance
		p.editBtn.SetText(T("Done editing"))
	} else {
		p.editBar.Hide()
		p.editBtn.Importance = widget.MediumImportance
		p.editBtn.SetText(T("Edit site"))
	}
	p.m.redrawAll()
	if p.selected != "" {
		p.showDetail(p.selected)
	}
}

// runEdit performs an edit through the console's write (off the UI thread: it waits for
// the journal) and, when it fails, says why and puts the plan back as it was.
func (p *mapPanel) runEdit(edit func(context.Context, *app.Operator) error) {
	p.c.write(p.edit(edit))
}

// edit is the write of an edit of the plan (a dialog's, run when the operator confirms
// it): a failure puts the plan back as it was.
func (p *mapPanel) edit(edit func(context.Context, *app.Operator) error) write {
	putBack := func() {
		p.m.r.SetDraft(mapdraw.Draft{})
		p.m.redrawAll()
	}
	return write{
		run:            edit,
		nothingChanged: func() { putBack(); p.c.showNothingChanged() },
		failed:         func(error) { putBack() },
	}
}

// commitGrid saves a reshaped grid.
func (p *mapPanel) commitGrid(id string, area app.Polygon) {
	g, ok := p.site.Grid(id)
	if !ok {
		return
	}
	next := *g
	next.Area = area
	p.runEdit(func(ctx context.Context, op *app.Operator) error {
		return p.c.core.Inventory.SaveGrid(ctx, op, next)
	})
}

// commitMove saves a marker's new place (and a camera's direction).
func (p *mapPanel) commitMove(key string, to app.Point, dir float64) {
	kind, id := mapdraw.SplitKey(key)
	p.runEdit(func(ctx context.Context, op *app.Operator) error {
		if kind == "camera" {
			return p.c.core.Inventory.MoveCamera(ctx, op, id, to, dir)
		}
		return p.c.core.Inventory.MoveDevice(ctx, op, id, to)
	})
}

func (p *mapPanel) startDrawing() {
	p.cancelPlacing()
	p.m.onDrawn = p.newGridDrawn // not a building's outline (map_things.go)
	p.m.selectKey("")
	p.m.drawing = true
	p.m.r.SetDraft(mapdraw.Draft{Drawing: []app.Point{}})
	p.editHint.SetText(T("Click the corners of the new grid; click the first corner (or press Enter) to close it; Esc cancels."))
}

// newGridDrawn asks for the new grid's name and worker.
func (p *mapPanel) newGridDrawn(pts []app.Point) {
	p.editHint.SetText(T("Select a grid to reshape it; drag markers to move them."))
	n := len(p.site.Grids) + 1
	id := fmt.Sprintf("g%d", n)
	for _, ok := p.site.Grid(id); ok; _, ok = p.site.Grid(id) {
		n++
		id = fmt.Sprintf("g%d", n)
	}
	g := app.Grid{ID: id, Area: app.Polygon(pts), Color: gridColors[(n-1)%len(gridColors)]}
	p.m.r.SetDraft(mapdraw.Draft{GridID: id, Area: g.Area})
	p.editGridDialog(g, true)
}

// editGridDialog edits a grid's name, worker and colour (and, new, its ID).
func (p *mapPanel) editGridDialog(g app.Grid, isNew bool) {
	id := widget.NewEntry()
	id.SetText(g.ID)
	name := widget.NewEntry()
	name.SetText(g.Name)
	nameEn := widget.NewEntry()
	nameEn.SetText(g.NameEn)
	// The site's grid workers are offered (one may cover two grids); a new one is typed.
	phones := map[string]string{}
	var workers []string
	for _, o := range p.site.Grids {
		if o.Worker.Name != "" && phones[o.Worker.Name] == "" {
			workers = append(workers, o.Worker.Name)
			phones[o.Worker.Name] = o.Worker.Phone
		}
	}
	worker := widget.NewSelectEntry(workers)
	worker.SetText(g.Worker.Name)
	phone := widget.NewEntry()
	phone.SetText(g.Worker.Phone)
	worker.OnChanged = func(name string) {
		if ph, ok := phones[name]; ok {
			phone.SetText(ph) // a worker chosen from the list comes with their phone
		}
	}
	color := widget.NewSelectEntry(gridColors)
	color.SetText(g.Color)
	items := []*widget.FormItem{}
	if isNew {
		items = append(items, widget.NewFormItem(T("Identifier"), id))
	}
	items = append(items, widget.NewFormItem(T("Name"), name), widget.NewFormItem(T("Name (English)"), nameEn),
		widget.NewFormItem(T("Grid worker"), worker), widget.NewFormItem(T("Phone"), phone), widget.NewFormItem(T("Colour"), color))
	title := T("Grid {{.Name}}", map[string]any{"Name": g.Display(english())})
	if isNew {
		title = T("New grid")
	}
	// The dialog stays open until the grid is saved, and with the reason when the core
	// refuses it (a new grid's drawing stays drawn meanwhile).
	d := newWriteForm(p.c, title, T("Save"), items, func() (write, error) {
		next := g
		next.ID = strings.TrimSpace(id.Text)
		next.Name, next.NameEn = name.Text, nameEn.Text
		next.Worker = app.GridWorker{Name: worker.Text, Phone: phone.Text}
		next.Color = strings.TrimSpace(color.Text)
		w := p.edit(func(ctx context.Context, op *app.Operator) error {
			return p.c.core.Inventory.SaveGrid(ctx, op, next)
		})
		if isNew {
			w.failed = nil // the drawing stays until the dialog is cancelled
		}
		w.nothingChanged = nil // the dialog closes and says so
		return w, nil
	})
	if isNew {
		d.onCancel = func() {
			p.m.r.SetDraft(mapdraw.Draft{})
			p.m.redrawAll()
		}
	}
	d.Show(fyne.NewSize(460, 0))
}

// mapMenu: a right click on the map.
func (p *mapPanel) mapMenu(key string, at fyne.Position, vertex int) {
	var items []*fyne.MenuItem
	kind, id := mapdraw.SplitKey(key)
	if vertex >= 0 && kind == "grid" {
		if g, ok := p.site.Grid(id); ok {
			area := p.m.r.GridArea(g)
			rm := fyne.NewMenuItem(T("Remove this corner"), func() {
				next := append(append(app.Polygon(nil), area[:vertex]...), area[vertex+1:]...)
				p.m.r.SetDraft(mapdraw.Draft{GridID: id, Area: next})
				p.m.redrawAll()
				p.commitGrid(id, next)
			})
			rm.Disabled = len(area) <= 3
			items = append(items, rm)
		}
	}
	if kind == "camera" {
		items = append(items, fyne.NewMenuItem(T("Open on the wall"), func() { p.c.ShowCameraOnWall(id) }))
	}
	items = append(items, p.thingMenu(kind, id)...) // map_things.go
	if a, ok := p.alarmOf[key]; ok && a.State == app.AlarmNew {
		items = append(items, fyne.NewMenuItem(T("Acknowledge"), func() { p.acknowledge(a.ID) }))
	}
	if key != "" {
		items = append(items, fyne.NewMenuItem(T("Details"), func() {
			p.m.selectKey(key)
			p.selectedOnMap(key)
		}))
	}
	if len(items) > 0 {
		widget.ShowPopUpMenuAtPosition(fyne.NewMenu("", items...), p.c.win.Canvas(), at)
	}
}

// --- background picture ----------------------------------------------------------------

// backgroundDialog places a picture under the plan: the file, two reference points (a
// pixel of the picture and where it is on the site, in metres) and the opacity.
func (p *mapPanel) backgroundDialog() {
	cur := p.site.Background
	var data []byte
	fileName := ""
	file := widget.NewLabel(T("No picture chosen"))
	if cur != nil {
		file.SetText(cur.File)
	}
	num := func(v float64) *widget.Entry {
		e := widget.NewEntry()
		e.SetText(strconv.FormatFloat(v, 'f', -1, 64))
		return e
	}
	b := p.site.Bounds()
	refs := [2]app.RefPair{{Pixel: app.Point{}, Site: app.Point{X: b.Min.X, Y: b.Max.Y}}, {Pixel: app.Point{X: 1000, Y: 1000}, Site: app.Point{X: b.Max.X, Y: b.Min.Y}}}
	if cur != nil {
		refs = cur.Refs
	}
	var fields [2][4]*widget.Entry
	for i, r := range refs {
		fields[i] = [4]*widget.Entry{num(r.Pixel.X), num(r.Pixel.Y), num(r.Site.X), num(r.Site.Y)}
	}
	opacity := widget.NewSlider(0.1, 1)
	opacity.Step = 0.05
	opacity.SetValue(app.DefaultBackgroundOpacity)
	if cur != nil {
		opacity.SetValue(cur.Alpha())
	}
	// The slider shows the saved opacity on its steps (and the default when none is saved):
	// only a move of the slider changes what is saved.
	opacityMoved := false
	opacity.OnChanged = func(float64) { opacityMoved = true }
	choose := widget.NewButtonWithIcon(T("Choose picture…"), theme.FolderOpenIcon(), func() {
		fd := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
			if err != nil || rc == nil {
				return
			}
			defer rc.Close()
			b, err := io.ReadAll(rc)
			if err != nil {
				p.c.showError(err)
				return
			}
			cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
			if err != nil {
				p.c.showError(app.Errorf(app.CodeInvalid, "The background must be a PNG or JPEG picture"))
				return
			}
			data, fileName = b, rc.URI().Name()
			file.SetText(fmt.Sprintf("%s (%d × %d)", fileName, cfg.Width, cfg.Height))
			if cur == nil { // the picture's corners on the site's corners, to start from
				fields[1][0].SetText(strconv.Itoa(cfg.Width))
				fields[1][1].SetText(strconv.Itoa(cfg.Height))
			}
		}, p.c.win)
		fd.SetFilter(storage.NewExtensionFileFilter([]string{".png", ".jpg", ".jpeg", ".PNG", ".JPG", ".JPEG"}))
		fd.Resize(fyne.NewSize(900, 600))
		fd.Show()
	})
	row := func(i int) fyne.CanvasObject {
		f := fields[i]
		return container.NewGridWithColumns(4, f[0], f[1], f[2], f[3])
	}
	head := container.NewGridWithColumns(4, muted(T("pixel x")), muted(T("pixel y")), muted(T("site x (m)")), muted(T("site y (m)")))
	form := container.NewVBox(
		container.NewBorder(nil, nil, nil, choose, file),
		widget.NewLabel(T("Two reference points: a pixel of the picture and where it is on the site.")),
		head, row(0), row(1),
		container.NewBorder(nil, nil, widget.NewLabel(T("Opacity")), nil, opacity),
	)
	save := func() (write, error) {
		var bg app.Background
		if cur != nil {
			bg = *cur
		}
		for i := range fields {
			var v [4]float64
			for k, e := range fields[i] {
				x, err := strconv.ParseFloat(app.PlainASCII(e.Text), 64)
				if err != nil {
					return write{}, app.Errorf(app.CodeInvalid, "The reference points must be numbers")
				}
				v[k] = x
			}
			bg.Refs[i] = app.RefPair{Pixel: app.Point{X: v[0], Y: v[1]}, Site: app.Point{X: v[2], Y: v[3]}}
		}
		if opacityMoved || cur == nil {
			bg.Opacity = opacity.Value
		}
		w := p.backgroundWrite(bg, fileName, data)
		w.nothingChanged = nil // the dialog closes and says so
		return w, nil
	}
	buttons := container.NewHBox()
	content := container.NewBorder(nil, buttons, nil, nil, form)
	// The dialog stays open until the picture is saved, and with the reason when the core
	// refuses it.
	d := newWriteDialog(p.c, T("Background picture"), T("Save"), content, save)
	if cur != nil {
		remove := widget.NewButtonWithIcon(T("Remove the picture"), theme.DeleteIcon(), nil)
		remove.OnTapped = func() {
			d.run(write{run: func(ctx context.Context, op *app.Operator) error {
				return p.c.core.Inventory.SetBackground(ctx, op, nil, "", nil)
			}, lock: []fyne.Disableable{remove}})
		}
		buttons.Add(remove)
	}
	d.Show(fyne.NewSize(620, 0))
}

// saveBackground puts a picture under the plan (img nil: the current picture, new
// reference points or opacity). The picture is copied into the data directory.
func (p *mapPanel) saveBackground(bg app.Background, name string, img []byte) {
	p.c.write(p.backgroundWrite(bg, name, img))
}

func (p *mapPanel) backgroundWrite(bg app.Background, name string, img []byte) write {
	return p.edit(func(ctx context.Context, op *app.Operator) error {
		return p.c.core.Inventory.SetBackground(ctx, op, &bg, name, img)
	})
}

// --- export ------------------------------------------------------------------------------

// exportDialog writes the plan as GeoJSON (camera passwords hidden, residents' personal
// fields masked: an import of it keeps the site's own values), readable by its owner only.
func (p *mapPanel) exportDialog() {
	data, err := app.ExportGeoJSON(app.MaskedSite(p.site))
	if err != nil {
		p.c.showError(err)
		return
	}
	fd := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil || wc == nil {
			return
		}
		if werr := writePrivate(wc, data); werr != nil {
			p.c.showError(werr)
			return
		}
		p.editHint.SetText(T("Exported: {{.Path}}", map[string]any{"Path": wc.URI().Path()}))
	}, p.c.win)
	fd.SetFileName(p.site.ID + ".geojson")
	fd.Resize(fyne.NewSize(900, 600))
	fd.Show()
}
