package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// The inventory's buttons for the site's things (administrators only; the core checks the
// role again): add a camera, a device or a building, and edit or delete the one selected.

// canEditSite: the signed-in operator may change the site.
func (p *inventoryPanel) canEditSite() bool {
	op := p.c.Operator()
	return op != nil && op.Role.Can(app.ActEditSite)
}

// addBar is the row of add buttons (nil for those who cannot edit the site).
func (p *inventoryPanel) addBar() fyne.CanvasObject {
	if !p.canEditSite() {
		return nil
	}
	cam := widget.NewButtonWithIcon(T("Add camera"), theme.ContentAddIcon(), func() { p.c.showCameraEdit(nil, nil) })
	dev := widget.NewButtonWithIcon(T("Add device"), theme.ContentAddIcon(), func() { p.c.showDeviceEdit(nil, nil) })
	bld := widget.NewButtonWithIcon(T("Add building"), theme.ContentAddIcon(), func() { p.c.showBuildingEdit(nil, nil) })
	return container.NewGridWithColumns(3, cam, dev, bld)
}

// editButtons are the Edit and Delete buttons of a selected thing (none for those who
// cannot edit the site).
func (p *inventoryPanel) editButtons(kind app.ItemKind, id, name string) []fyne.CanvasObject {
	if !p.canEditSite() {
		return nil
	}
	edit := widget.NewButtonWithIcon(T("Edit…"), theme.DocumentCreateIcon(), func() {
		s := p.c.core.Inventory.Site()
		switch kind {
		case app.ItemCamera:
			if c, ok := s.Camera(id); ok {
				p.c.showCameraEdit(c, nil)
			}
		case app.ItemDevice:
			if d, ok := s.Device(id); ok {
				p.c.showDeviceEdit(d, nil)
			}
		case app.ItemBuilding:
			if b, ok := s.Building(id); ok {
				p.c.showBuildingEdit(b, nil)
			}
		}
	})
	del := widget.NewButtonWithIcon(T("Delete…"), theme.DeleteIcon(), func() {
		p.c.confirmDelete(kind, id, name, nil)
	})
	del.Importance = widget.DangerImportance
	return []fyne.CanvasObject{edit, del}
}

// followDeleted: the selected thing is gone (deleted here or elsewhere): show the site.
func (p *inventoryPanel) followDeleted() bool {
	if p.selected == "" {
		return false
	}
	kind, key, _ := strings.Cut(p.selected, ":")
	ok := true
	switch app.ItemKind(kind) {
	case app.ItemGrid:
		_, ok = p.site.Grid(key)
	case app.ItemBuilding:
		_, ok = p.site.Building(key)
	case app.ItemCamera:
		_, ok = p.site.Camera(key)
	case app.ItemDevice:
		_, ok = p.site.Device(key)
	}
	if ok {
		return false
	}
	p.selected = ""
	p.tree.UnselectAll()
	p.showSummary()
	return true
}
