package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/store"
	"watchpost/testkit"
)

// The site's things added, changed and deleted in the console: each journaled as the
// administrator's, with the cameras' passwords in the store only; what was added is there
// after a restart (a new core on the same database).

// reopened is a new inventory on the same database file, as after a restart (read-only:
// the test's own store still holds the file).
func reopened(t *testing.T, path string) *app.Inventory {
	t.Helper()
	s, err := store.Open(context.Background(), path, store.Options{ReadOnly: true})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	inv := app.NewInventory(s, app.NewRecorder(s, app.NewBus()))
	require.NoError(t, inv.Load(context.Background()))
	return inv
}

// journalText is the whole journal's data, to look for a password in.
func journalText(t *testing.T, s *store.Store) string {
	t.Helper()
	es, err := s.Query(context.Background(), app.JournalQuery{})
	require.NoError(t, err)
	var all string
	for _, e := range es {
		all += string(e.Data) + "\n"
	}
	return all
}

func TestCameraAddedEditedAndDeletedKeepsPasswordsOutOfTheJournal(t *testing.T) {
	ctx := context.Background()
	s, inv, path := seeded(t)
	form := app.CameraForm{Camera: app.Camera{ID: "cam-new-1", Names: app.Names{Name: "新北门", NameEn: "New north gate"}, Kind: app.CameraDome,
		MainURL: "rtsp://10.0.0.99:554/main", SubURL: "rtsp://10.0.0.99:554/sub", Position: app.Point{X: 40, Y: 60}, Direction: 90},
		User: "admin", Password: "first-Secret1"}
	assert.True(t, app.IsCode(inv.SaveCameraForm(ctx, duty, form, true), app.CodeForbidden), "duty operators do not add cameras")
	require.NoError(t, inv.SaveCameraForm(ctx, admin, form, true))
	assert.True(t, app.IsCode(inv.SaveCameraForm(ctx, admin, form, true), app.CodeConflict), "an ID is registered once")

	c, ok := inv.Site().Camera("cam-new-1")
	require.True(t, ok, "the inventory has the camera at once")
	assert.Equal(t, "rtsp://admin:first-Secret1@10.0.0.99:554/main", c.MainURL)
	assert.Equal(t, "rtsp://admin:first-Secret1@10.0.0.99:554/sub", c.SubURL)
	assert.NotEmpty(t, c.GridID, "its grid is found from its place")
	added := entriesOf(t, s, app.KindCameraAdded)
	require.Len(t, added, 1)
	assert.Equal(t, "admin", added[0].Operator)
	assert.Equal(t, "camera:cam-new-1", added[0].Subject)

	// The dialog gets the camera back without its password; saved blank, it is kept.
	back := app.FormOf(*c)
	assert.Equal(t, "admin", back.User)
	assert.Empty(t, back.Password)
	assert.Equal(t, "rtsp://10.0.0.99:554/main", back.Camera.MainURL)
	back.Camera.Name = "北门新装"
	require.NoError(t, inv.SaveCameraForm(ctx, admin, back, false))
	c, _ = inv.Site().Camera("cam-new-1")
	assert.Equal(t, "北门新装", c.Name)
	assert.Equal(t, "rtsp://admin:first-Secret1@10.0.0.99:554/main", c.MainURL, "a blank password keeps the saved one")
	back.Password = "second-Secret2"
	require.NoError(t, inv.SaveCameraForm(ctx, admin, back, false))
	c, _ = inv.Site().Camera("cam-new-1")
	assert.Equal(t, "rtsp://admin:second-Secret2@10.0.0.99:554/sub", c.SubURL)

	// A restart keeps it, passwords and all.
	again, ok := reopened(t, path).Site().Camera("cam-new-1")
	require.True(t, ok, "the added camera survives a restart")
	assert.Equal(t, *c, *again)

	// Deleting it takes it out of the devices that open it with their alarms.
	d := inv.Site().Devices[0]
	d.CameraIDs = append(d.CameraIDs, "cam-new-1")
	require.NoError(t, inv.UpdateDevice(ctx, admin, d))
	impact := inv.DeleteImpact(app.ItemCamera, "cam-new-1")
	require.Len(t, impact, 1)
	assert.Equal(t, app.ImpactDevices, impact[0].Kind)
	assert.True(t, app.IsCode(inv.DeleteCamera(ctx, admin, "cam-new-1", false), app.CodeConflict), "a camera in use is deleted only when confirmed")
	_, still := inv.Site().Camera("cam-new-1")
	assert.True(t, still)
	require.NoError(t, inv.DeleteCamera(ctx, admin, "cam-new-1", true))
	_, still = inv.Site().Camera("cam-new-1")
	assert.False(t, still)
	dd, _ := inv.Site().Device(d.ID)
	assert.NotContains(t, dd.CameraIDs, "cam-new-1")
	_, still = reopened(t, path).Site().Camera("cam-new-1")
	assert.False(t, still, "the delete survives a restart")
	deleted := entriesOf(t, s, app.KindCameraDeleted)
	require.Len(t, deleted, 1)
	var del app.Deletion
	require.NoError(t, deleted[0].Decode(&del))
	assert.Equal(t, "cam-new-1", del.ID)
	assert.Equal(t, app.ImpactDevices, del.Impact[0].Kind, "the journal says what the administrator confirmed")

	all := journalText(t, s)
	for _, pw := range []string{"first-Secret1", "second-Secret2", "s3cret"} {
		assert.NotContains(t, all, pw, "no password in the journal")
	}
}

func TestDeviceEditedWithItsPersonAndDeleted(t *testing.T) {
	ctx := context.Background()
	s, inv, path := seeded(t)
	site := inv.Site()
	b := site.Buildings[0]
	d := app.Device{ID: "btn-new-1", Kind: app.KindCallButton, Names: app.Names{Name: "一键报警 张奶奶家"}, Position: b.Footprint.Centroid()}
	require.NoError(t, inv.AddDevice(ctx, admin, d))

	d.BuildingID, d.Floor, d.Supervision = b.ID, 3, app.Duration(0)
	d.Location = "1单元 301"
	d.Person = &app.Person{Name: "张秀英", Phone: "13800001111", Note: "独居，使用轮椅"}
	assert.True(t, app.IsCode(inv.UpdateDevice(ctx, duty, d), app.CodeForbidden))
	require.NoError(t, inv.UpdateDevice(ctx, admin, d))
	assert.True(t, app.IsCode(inv.UpdateDevice(ctx, admin, d), app.CodeUnchanged), "a device as saved writes nothing")
	bad := d
	bad.Person = &app.Person{Name: "张秀英", Phone: "call me"}
	err := inv.UpdateDevice(ctx, admin, bad)
	require.Error(t, err)
	assert.Equal(t, []string{"person.phone"}, app.ProblemsOf(err).Fields(), "the error names its field")
	bad = d
	bad.Floor = b.Floors + 1
	assert.True(t, app.IsCode(inv.UpdateDevice(ctx, admin, bad), app.CodeInvalid), "no floor above the roof")

	got, ok := reopened(t, path).Site().Device("btn-new-1")
	require.True(t, ok)
	require.NotNil(t, got.Person)
	assert.Equal(t, "独居，使用轮椅", got.Person.Note)
	assert.Equal(t, b.ID, got.BuildingID)
	assert.Equal(t, 3, got.Floor)
	es := entriesOf(t, s, app.KindDeviceUpdated)
	require.Len(t, es, 1)
	assert.Equal(t, "admin", es[0].Operator)

	require.NoError(t, inv.DeleteDevice(ctx, admin, "btn-new-1", false), "nothing uses it: no confirmation needed")
	_, ok = inv.Site().Device("btn-new-1")
	assert.False(t, ok)
	_, ok = reopened(t, path).Site().Device("btn-new-1")
	assert.False(t, ok)
	require.Len(t, entriesOf(t, s, app.KindDeviceDeleted), 1)
	assert.True(t, app.IsCode(inv.DeleteDevice(ctx, admin, "btn-new-1", true), app.CodeNotFound))
}

func TestBuildingDrawnEditedAndDeleted(t *testing.T) {
	ctx := context.Background()
	s, inv, path := seeded(t)
	g := inv.Site().Grids[0]
	c := g.Area.Centroid()
	b := app.Building{ID: "b-new", Names: app.Names{Name: "16号楼"}, Number: "16", Use: "residential", Floors: 18, Units: 2,
		Footprint: app.Polygon{{X: c.X - 5, Y: c.Y - 5}, {X: c.X + 5, Y: c.Y - 5}, {X: c.X + 5, Y: c.Y + 5}, {X: c.X - 5, Y: c.Y + 5}}}
	crossed := b
	crossed.Footprint = app.Polygon{b.Footprint[0], b.Footprint[2], b.Footprint[1], b.Footprint[3]}
	err := inv.SaveBuilding(ctx, admin, crossed)
	require.Error(t, err)
	assert.Contains(t, app.ProblemsOf(err).Fields(), "footprint", "an outline that crosses itself is refused: %v", err)
	assert.True(t, app.IsCode(inv.SaveBuilding(ctx, duty, b), app.CodeForbidden))
	require.NoError(t, inv.SaveBuilding(ctx, admin, b))
	got, ok := inv.Site().Building("b-new")
	require.True(t, ok)
	assert.Equal(t, g.ID, got.GridID, "its grid is found from its outline")

	next := *got
	next.Floors, next.NameEn = 20, "Building 16"
	require.NoError(t, inv.SaveBuilding(ctx, admin, next))
	assert.True(t, app.IsCode(inv.SaveBuilding(ctx, admin, next), app.CodeUnchanged))
	require.Len(t, entriesOf(t, s, app.KindBuildingAdded), 1)
	require.Len(t, entriesOf(t, s, app.KindBuildingUpdated), 1)
	again, ok := reopened(t, path).Site().Building("b-new")
	require.True(t, ok, "the drawn building survives a restart")
	assert.Equal(t, next, *again)

	// A device in it: deleting the building asks, then leaves the device in no building.
	d := app.Device{ID: "smoke-new", Kind: app.KindSmoke, Names: app.Names{Name: "16号楼烟感"}, Position: c, BuildingID: "b-new"}
	require.NoError(t, inv.AddDevice(ctx, admin, d))
	impact := inv.DeleteImpact(app.ItemBuilding, "b-new")
	require.Len(t, impact, 1)
	assert.Equal(t, app.Impact{Kind: app.ImpactDevices, Count: 1, Items: []app.Names{{Name: "16号楼烟感"}}}, impact[0])
	assert.True(t, app.IsCode(inv.DeleteBuilding(ctx, admin, "b-new", false), app.CodeConflict))
	require.NoError(t, inv.DeleteBuilding(ctx, admin, "b-new", true))
	_, ok = inv.Site().Building("b-new")
	assert.False(t, ok)
	dd, ok := reopened(t, path).Site().Device("smoke-new")
	require.True(t, ok)
	assert.Empty(t, dd.BuildingID)
}

// What a delete affects, from the whole core: open alarms, drills, running incidents; the
// core refuses to delete a device with open alarms unless confirmed.
func TestDeleteImpactNamesOpenAlarmsDrillsAndIncidents(t *testing.T) {
	ctx := context.Background()
	env := testkit.New(t, testkit.Options{})
	core := env.Core
	adm, err := core.Accounts.SignIn(ctx, "admin", "sunshine-demo")
	require.NoError(t, err)

	// A device a drill injects.
	var drilled string
	var drill app.DrillScenario
	for _, sc := range core.Drills.Scenarios() {
		for _, in := range sc.Injections {
			if in.Device != "" && drilled == "" {
				drilled, drill = in.Device, sc
			}
		}
	}
	require.NotEmpty(t, drilled, "a default drill injects a device")
	dev, ok := core.Inventory.Device(drilled)
	require.True(t, ok)
	a, err := core.Desk.Raise(ctx, nil, app.Alarm{Kind: app.AlarmFire, Priority: app.P1, DeviceID: dev.ID, Building: dev.BuildingID, GridID: dev.GridID, Cause: "smoke"})
	require.NoError(t, err)

	impact := core.Inventory.DeleteImpact(app.ItemDevice, dev.ID)
	kinds := map[app.ImpactKind]app.Impact{}
	for _, i := range impact {
		kinds[i.Kind] = i
	}
	assert.Equal(t, 1, kinds[app.ImpactOpenAlarms].Count, "its open alarm")
	assert.Contains(t, kinds[app.ImpactDrill].Items, drill.Names, "the drill that injects it")
	assert.Equal(t, app.ImpactOpenAlarms, impact[0].Kind, "open alarms come first")

	err = core.Inventory.DeleteDevice(ctx, adm, dev.ID, false)
	assert.True(t, app.IsCode(err, app.CodeConflict), "not deleted with an open alarm unless confirmed: %v", err)
	_, ok = core.Inventory.Device(dev.ID)
	assert.True(t, ok)

	if dev.BuildingID != "" {
		bi := core.Inventory.DeleteImpact(app.ItemBuilding, dev.BuildingID)
		require.NotEmpty(t, bi)
		assert.Equal(t, app.ImpactOpenAlarms, bi[0].Kind, "the building's open alarms")
	}

	require.NoError(t, core.Inventory.DeleteDevice(ctx, adm, dev.ID, true))
	_, ok = core.Inventory.Device(dev.ID)
	assert.False(t, ok)
	still, err := core.Desk.Get(ctx, a.ID)
	require.NoError(t, err)
	assert.NotEqual(t, app.AlarmResolved, still.State, "its open alarm stays on the desk to be resolved")
}
