package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
	"watchpost/mapdraw"
)

// The map editor's side of the site's things: a building drawn corner by corner like a
// grid, a camera or a device placed by a click, and a right click on one to edit or delete
// it. The dialogs are the inventory's (camera_edit.go, device_edit.go, building_edit.go).

// thingButtons are the edit bar's buttons for the site's things.
func (p *mapPanel) thingButtons() []fyne.CanvasObject {
	bld := widget.NewButtonWithIcon(T("Draw building"), theme.ContentAddIcon(), p.startBuilding)
	cam := widget.NewButtonWithIcon(T("Add camera"), theme.ContentAddIcon(), func() {
		p.startPlacing(T("Click where the camera is; Esc cancels."), func(at app.Point) { p.c.showCameraEdit(nil, &at) })
	})
	dev := widget.NewButtonWithIcon(T("Add device"), theme.ContentAddIcon(), func() {
		p.startPlacing(T("Click where the device is; Esc cancels."), func(at app.Point) { p.c.showDeviceEdit(nil, &at) })
	})
	return []fyne.CanvasObject{bld, cam, dev}
}

// startBuilding draws a building's outline on the map, then asks for the rest.
func (p *mapPanel) startBuilding() {
	p.cancelPlacing()
	p.m.selectKey("")
	p.m.drawing = true
	p.m.r.SetDraft(mapdraw.Draft{Drawing: []app.Point{}})
	p.m.onDrawn = func(pts []app.Point) {
		p.m.onDrawn = p.newGridDrawn
		p.editHint.SetText(T("Select a grid to reshape it; drag markers to move them."))
		p.c.showBuildingEdit(nil, app.Polygon(pts))
	}
	p.editHint.SetText(T("Click the corners of the new building; click the first corner (or press Enter) to close it; Esc cancels."))
}

// startPlacing waits for a click on the map, then hands its place over.
func (p *mapPanel) startPlacing(hint string, then func(at app.Point)) {
	p.m.drawing = false
	p.m.onDrawn = p.newGridDrawn
	p.m.selectKey("")
	p.m.onPick = func(at app.Point) {
		p.cancelPlacing()
		then(at)
	}
	p.editHint.SetText(hint)
}

// cancelPlacing stops waiting for a click; it reports whether it was waiting.
func (p *mapPanel) cancelPlacing() bool {
	if p.m == nil || p.m.onPick == nil {
		return false
	}
	p.m.onPick = nil
	p.m.r.SetDrawing(nil)
	p.m.redrawAll()
	p.editHint.SetText(T("Select a grid to reshape it; drag markers to move them."))
	return true
}

// thingMenu: Edit and Delete for a camera, a device or a building, in edit mode.
func (p *mapPanel) thingMenu(kind, id string) []*fyne.MenuItem {
	if !p.m.editing {
		return nil
	}
	var item app.ItemKind
	var name string
	var edit func()
	switch kind {
	case "camera":
		if c, ok := p.site.Camera(id); ok {
			item, name, edit = app.ItemCamera, c.Display(english()), func() { p.c.showCameraEdit(c, nil) }
		}
	case "device":
		if d, ok := p.site.Device(id); ok {
			item, name, edit = app.ItemDevice, d.Display(english()), func() { p.c.showDeviceEdit(d, nil) }
		}
	case "building":
		if b, ok := p.site.Building(id); ok {
			item, name, edit = app.ItemBuilding, b.Display(english()), func() { p.c.showBuildingEdit(b, nil) }
		}
	}
	if edit == nil {
		return nil
	}
	return []*fyne.MenuItem{
		fyne.NewMenuItem(T("Edit…"), edit),
		fyne.NewMenuItem(T("Delete…"), func() { p.c.confirmDelete(item, id, name, nil) }),
	}
}
