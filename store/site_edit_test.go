package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/store"
)

var (
	admin = &app.Operator{Username: "admin", Name: "赵磊", Role: app.RoleAdmin}
	duty  = &app.Operator{Username: "duty", Name: "李明", Role: app.RoleOperator}
)

// seeded opens a store with the demo site, one of whose cameras has a password.
func seeded(t *testing.T) (*store.Store, *app.Inventory, string) {
	t.Helper()
	s, path := openTemp(t)
	inv := app.NewInventory(s, app.NewRecorder(s, app.NewBus()))
	site := demoSite(t)
	site.Cameras[0].MainURL = "rtsp://admin:s3cret@10.0.0.21:554/Streaming/Channels/101"
	require.NoError(t, inv.Seed(context.Background(), site))
	return s, inv, path
}

func entriesOf(t *testing.T, s *store.Store, kind app.EntryKind) []app.Entry {
	t.Helper()
	es, err := s.Query(context.Background(), app.JournalQuery{Kinds: []app.EntryKind{kind}})
	require.NoError(t, err)
	return es
}

func TestGeoJSONRoundTripThroughAFreshStore(t *testing.T) {
	ctx := context.Background()
	a, inv, _ := seeded(t)
	want, err := a.LoadSite(ctx)
	require.NoError(t, err)
	out, err := app.ExportGeoJSON(inv.Site())
	require.NoError(t, err)
	assert.NotContains(t, string(out), "s3cret", "exports hide camera passwords")

	b, _ := openTemp(t)
	fresh := app.NewInventory(b, app.NewRecorder(b, app.NewBus()))
	imported, err := app.ImportGeoJSON(out)
	require.NoError(t, err)
	assert.True(t, app.IsCode(fresh.ImportSite(ctx, nil, imported), app.CodeUnauthenticated), "nobody imports as the system")
	require.NoError(t, fresh.ImportSite(ctx, admin, imported))

	got, err := b.LoadSite(ctx)
	require.NoError(t, err)
	assert.Equal(t, want.Redacted(), got, "geometry and properties survive export and import")
	es := entriesOf(t, b, app.KindSiteImported)
	require.Len(t, es, 1)
	assert.Equal(t, "admin", es[0].Operator)
	assert.Equal(t, "site:demo", es[0].Subject)
}

func TestImportKeepsCameraPasswords(t *testing.T) {
	ctx := context.Background()
	s, inv, _ := seeded(t)
	out, err := app.ExportGeoJSON(inv.Site())
	require.NoError(t, err)
	next, err := app.ImportGeoJSON(out)
	require.NoError(t, err)
	next.Grids[0].Worker.Name = "王芳"
	assert.True(t, app.IsCode(inv.ImportSite(ctx, duty, next), app.CodeForbidden), "only administrators import")
	require.NoError(t, inv.ImportSite(ctx, admin, next))

	got, err := s.LoadSite(ctx)
	require.NoError(t, err)
	assert.Equal(t, "王芳", got.Grids[0].Worker.Name)
	assert.Equal(t, "rtsp://admin:s3cret@10.0.0.21:554/Streaming/Channels/101", got.Cameras[0].MainURL,
		"an address exported without its password gets it back")
	es := entriesOf(t, s, app.KindSiteImported)
	require.Len(t, es, 1)
	assert.Equal(t, "admin", es[0].Operator)
	assert.NotContains(t, string(es[0].Data), "s3cret", "the journal never sees the password")
}

func TestBadGeoJSONLeavesTheSiteUntouched(t *testing.T) {
	ctx := context.Background()
	s, inv, _ := seeded(t)
	before, err := s.LoadSite(ctx)
	require.NoError(t, err)
	out, err := app.ExportGeoJSON(inv.Site())
	require.NoError(t, err)

	// The first grid's outline made into a bow tie.
	var doc map[string]any
	require.NoError(t, json.Unmarshal(out, &doc))
	for _, f := range doc["features"].([]any) {
		if f.(map[string]any)["id"] == "g1" {
			ring := f.(map[string]any)["geometry"].(map[string]any)["coordinates"].([]any)[0].([]any)
			ring[1], ring[2] = ring[2], ring[1]
		}
	}
	b, err := json.MarshalIndent(doc, "", " ")
	require.NoError(t, err)
	bad := string(b)
	_, err = app.ImportGeoJSON([]byte(bad))
	require.Error(t, err)
	msg := err.(*app.Error).Text()
	assert.Contains(t, msg, "crosses itself")
	assert.Contains(t, msg, "g1")

	for _, file := range []string{"{\"type\": \"FeatureCollection\", \"features\": [}", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"watchpost:type":"ufo"},"geometry":{"type":"Point","coordinates":[1,2]}}]}`} {
		_, err := app.ImportGeoJSON([]byte(file))
		require.Error(t, err)
	}
	after, err := s.LoadSite(ctx)
	require.NoError(t, err)
	assert.Equal(t, before, after)
	assert.Empty(t, entriesOf(t, s, app.KindSiteImported))
}

func TestGridEditsAreJournaledWithTheTable(t *testing.T) {
	ctx := context.Background()
	s, inv, path := seeded(t)
	g := inv.Site().Grids[0]
	g.Area = append(app.Polygon(nil), g.Area...)
	g.Area[1] = app.Point{X: 210, Y: -5}

	assert.True(t, app.IsCode(inv.SaveGrid(ctx, duty, g), app.CodeForbidden), "a duty operator cannot edit grids")
	require.NoError(t, inv.SaveGrid(ctx, admin, g))
	es := entriesOf(t, s, app.KindGridUpdated)
	require.Len(t, es, 1)
	assert.Equal(t, "grid:g1", es[0].Subject)
	assert.Equal(t, "admin", es[0].Operator)

	crossed := g
	crossed.Area = app.Polygon{{X: 0, Y: 0}, {X: 100, Y: 100}, {X: 100, Y: 0}, {X: 0, Y: 60}}
	err := inv.SaveGrid(ctx, admin, crossed)
	assert.True(t, app.IsCode(err, app.CodeInvalid))
	assert.Contains(t, err.(*app.Error).Text(), "crosses itself")

	ng := app.Grid{ID: "g6", Names: app.Names{Name: "第六网格"}, Area: app.Polygon{{X: 300, Y: 200}, {X: 340, Y: 200}, {X: 340, Y: 240}},
		Worker: app.GridWorker{Name: "周敏", Phone: "13800138006"}, Color: "#aa7744"}
	require.NoError(t, inv.SaveGrid(ctx, admin, ng))
	assert.Len(t, entriesOf(t, s, app.KindGridAdded), 1)

	require.NoError(t, s.Close())
	s2, err := openAt(path)
	require.NoError(t, err)
	defer s2.Close()
	got, err := s2.LoadSite(ctx)
	require.NoError(t, err)
	assert.Equal(t, app.Point{X: 210, Y: -5}, got.Grids[0].Area[1], "the stored outline")
	require.Len(t, got.Grids, 6)
	assert.Equal(t, ng, got.Grids[5], "a new grid comes after the others")
}

func TestMovingDevicesAndCameras(t *testing.T) {
	ctx := context.Background()
	s, inv, _ := seeded(t)
	d := inv.Site().Devices[0]
	to := app.Point{X: 300, Y: 250} // in another grid
	require.NoError(t, inv.MoveDevice(ctx, admin, d.ID, to))
	assert.True(t, app.IsCode(inv.MoveDevice(ctx, duty, d.ID, app.Point{}), app.CodeForbidden))
	got, err := s.LoadSite(ctx)
	require.NoError(t, err)
	moved, _ := got.Device(d.ID)
	assert.Equal(t, to, moved.Position)
	g, _ := got.GridAt(to)
	assert.Equal(t, g.ID, moved.GridID, "its grid follows its place")
	require.Len(t, entriesOf(t, s, app.KindDeviceMoved), 1)

	cam := inv.Site().Cameras[0]
	require.NoError(t, inv.MoveCamera(ctx, admin, cam.ID, app.Point{X: 215, Y: 20}, -90))
	got, err = s.LoadSite(ctx)
	require.NoError(t, err)
	c, _ := got.Camera(cam.ID)
	assert.Equal(t, app.Point{X: 215, Y: 20}, c.Position)
	assert.Equal(t, 270.0, c.Direction)
	assert.Equal(t, cam.MainURL, c.MainURL, "the address keeps its password")
	es := entriesOf(t, s, app.KindCameraMoved)
	require.Len(t, es, 1)
	assert.NotContains(t, string(es[0].Data), "s3cret")
	assert.Contains(t, string(es[0].Data), "xxxxx")
}

func pngOf(t *testing.T, w, h int) []byte {
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, image.NewGray(image.Rect(0, 0, w, h))))
	return buf.Bytes()
}

func TestBackgroundPictureIsKeptInTheDataDirectory(t *testing.T) {
	ctx := context.Background()
	s, inv, path := seeded(t)
	bg := &app.Background{Refs: [2]app.RefPair{{Pixel: app.Point{X: 0, Y: 0}, Site: app.Point{X: 0, Y: 300}}, {Pixel: app.Point{X: 800, Y: 600}, Site: app.Point{X: 400, Y: 0}}}, Opacity: 0.5}
	assert.Error(t, inv.SetBackground(ctx, admin, bg, "plan.txt", []byte("not a picture")))
	assert.True(t, app.IsCode(inv.SetBackground(ctx, duty, bg, "plan.png", pngOf(t, 800, 600)), app.CodeForbidden))
	require.NoError(t, inv.SetBackground(ctx, admin, bg, "/home/me/CAD plan.png", pngOf(t, 800, 600)))

	set := inv.Site().Background
	require.NotNil(t, set)
	assert.Regexp(t, `^CAD_plan-[0-9a-f]{12}\.png$`, set.File)
	assert.Equal(t, 800, set.Width)
	stored, err := os.ReadFile(filepath.Join(filepath.Dir(path), store.BackgroundDir, set.File))
	require.NoError(t, err, "the picture is copied into the data directory")
	assert.Equal(t, pngOf(t, 800, 600), stored)
	img, err := inv.BackgroundImage(ctx)
	require.NoError(t, err)
	assert.Equal(t, stored, img)

	got, err := s.LoadSite(ctx)
	require.NoError(t, err)
	assert.Equal(t, set, got.Background, "the site's record keeps it")
	assert.Len(t, got.Grids, 5, "the rest of the site is as it was")

	// Opacity alone: no new picture.
	more := *set
	more.Opacity = 0.9
	require.NoError(t, inv.SetBackground(ctx, admin, &more, "", nil))
	got, _ = s.LoadSite(ctx)
	assert.Equal(t, 0.9, got.Background.Opacity)

	require.NoError(t, inv.SetBackground(ctx, admin, nil, "", nil))
	got, _ = s.LoadSite(ctx)
	assert.Nil(t, got.Background)
	assert.Len(t, entriesOf(t, s, app.KindBackgroundSet), 3)
}
