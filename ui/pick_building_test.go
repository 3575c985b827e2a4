package ui

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// chooseBuilding finds the building pick list in a dialog and chooses a building.
func chooseBuilding(t *testing.T, o fyne.CanvasObject, site *app.Site, id string) {
	t.Helper()
	var sel *widget.Select
	walk(o, func(x fyne.CanvasObject) {
		if s, ok := x.(*widget.Select); ok && len(s.Options) > 0 && s.Options[0] == "No building" && sel == nil {
			sel = s
		}
	})
	require.NotNil(t, sel, "a building pick list")
	b, ok := site.Building(id)
	require.True(t, ok)
	i := slices.Index(sel.Options, b.Display(true))
	require.GreaterOrEqual(t, i, 0)
	sel.SetSelectedIndex(i)
}

// A supply point's building, and an adopted device's, are chosen from the site's
// buildings, not typed; a device adopted without a position is put in its building.
func TestBuildingsArePickedFromAList(t *testing.T) {
	c := newTestConsole(t, enConfig())
	signInAs(t, c, "admin")
	site := c.core.Inventory.Site()
	plans := plansPanelOf(t, c)
	sp := c.core.Supplies.Points()[0]
	plans.supplies.editPoint(sp, false)
	chooseBuilding(t, topDialog(t, c), site, "b07")
	tap(findButton(topDialog(t, c), "Save"))
	waitFor(t, "the point is in building 7", func() bool { p, _ := c.core.Supplies.Point(sp.ID); return p.Building == "b07" })
	waitWrites(t, c) // its dialog has closed: hiding it later would take the next dialog with it (Fyne removes the overlays above)

	c.shell.show("devices")
	p := c.shell.built["devices"].(*devicePanel)
	p.adopt(app.Unregistered{DeviceID: "mystery-2"})
	top := topDialog(t, c)
	walk(top, func(x fyne.CanvasObject) {
		if s, ok := x.(*widget.Select); ok && slices.Contains(s.Options, "Smoke detector") {
			s.SetSelected("Smoke detector")
		}
	})
	chooseBuilding(t, top, site, "b09")
	tap(findButton(top, "Adopt"))
	waitFor(t, "adopted", func() bool { _, ok := c.core.Inventory.Device("mystery-2"); return ok })
	d, _ := c.core.Inventory.Device("mystery-2")
	b9, _ := site.Building("b09")
	assert.Equal(t, "b09", d.BuildingID)
	assert.Equal(t, b9.Footprint.Centroid(), d.Position, "in the middle of its building")
	assert.Equal(t, b9.GridID, d.GridID, "in its building's grid")
}

// A grid's worker is chosen from the site's grid workers, with their phone.
func TestGridWorkerIsPickedFromTheWorkers(t *testing.T) {
	c := newTestConsole(t, enConfig())
	signInAs(t, c, "admin")
	c.shell.show("map")
	mp := c.shell.built["map"].(*mapPanel)
	site := c.core.Inventory.Site()
	g1, g2 := site.Grids[0], site.Grids[1]
	mp.editGridDialog(g1, false)
	top := topDialog(t, c)
	var worker *widget.SelectEntry
	walk(top, func(x fyne.CanvasObject) {
		if s, ok := x.(*widget.SelectEntry); ok && s.Text == g1.Worker.Name {
			worker = s
		}
	})
	require.NotNil(t, worker)
	worker.SetText(g2.Worker.Name) // as choosing it from the list does
	tap(findButton(top, "Save"))
	waitFor(t, "saved", func() bool {
		g, _ := c.core.Inventory.Site().Grid(g1.ID)
		return g.Worker == g2.Worker
	})
}
