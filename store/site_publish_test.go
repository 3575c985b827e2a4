package store_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// A site edit's entry is published only once the inventory shows the edit: the camera
// feeds (and every panel) read the site back when the entry arrives, and must get the new
// address, not the one before it. The bus filter runs while the entry is being published,
// so it sees exactly what a subscriber woken by it could see.
func TestASiteEditIsShownBeforeItsEntryIsPublished(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	bus := app.NewBus()
	rec := app.NewRecorder(s, bus)
	inv := app.NewInventory(s, rec)
	require.NoError(t, inv.Seed(ctx, demoSite(t)))
	contacts := app.NewContactBook(inv, s, rec)

	var mu sync.Mutex
	seen := map[app.EntryKind]*app.Site{}
	sub := bus.Subscribe(16, func(e *app.Entry) bool {
		mu.Lock()
		seen[e.Kind] = inv.Site()
		mu.Unlock()
		return false
	})
	defer sub.Close()
	check := func(kind app.EntryKind, edit func() error) {
		t.Helper()
		require.NoError(t, edit())
		mu.Lock()
		defer mu.Unlock()
		require.Contains(t, seen, kind)
		assert.True(t, inv.Site() == seen[kind], "%s: the inventory shows the edit when its entry is published", kind)
	}
	site := inv.Site()
	cam := site.Cameras[1]
	cam.SubURL = "rtsp://10.0.0.99:554/sub"
	check(app.KindCameraUpdated, func() error { return inv.UpdateCamera(ctx, admin, cam) })
	check(app.KindCameraUpdated, func() error {
		return inv.SetCameraAnalytics(ctx, admin, cam.ID, app.CameraAnalytics{Detectors: []app.DetectorConfig{{Kind: app.DetectMotion, Enabled: true}}})
	})
	g := site.Grids[0]
	g.Worker.Name = "王芳"
	check(app.KindGridUpdated, func() error { return inv.SaveGrid(ctx, admin, g) })
	check(app.KindDeviceMoved, func() error { return inv.MoveDevice(ctx, admin, site.Devices[0].ID, app.Point{X: 40, Y: 60}) })
	check(app.KindCameraMoved, func() error { return inv.MoveCamera(ctx, admin, cam.ID, app.Point{X: 41, Y: 61}, 90) })
	b := site.Bounds()
	check(app.KindBackgroundSet, func() error {
		return inv.SetBackground(ctx, admin, &app.Background{Refs: [2]app.RefPair{{Site: app.Point{X: b.Min.X, Y: b.Max.Y}},
			{Pixel: app.Point{X: 40, Y: 30}, Site: app.Point{X: b.Max.X, Y: b.Min.Y}}}}, "plan.png", pngOf(t, 40, 30))
	})
	dev := site.Devices[0]
	dev.ID = "smoke-new-1"
	check(app.KindDeviceAdded, func() error { return inv.AddDevice(ctx, admin, dev) })
	check(app.KindContactsUpdated, func() error { return contacts.Save(ctx, admin, site.Contacts[1:]) })
	next := *inv.Site()
	next.Names.Name = "阳光花园社区（新）"
	check(app.KindSiteImported, func() error { return inv.ImportSite(ctx, admin, &next) })
}
