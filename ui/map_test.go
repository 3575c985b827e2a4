package ui

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"watchpost/app"
	"watchpost/assets"
	"watchpost/store"
)

// The site map on the real core and a real SQLite file with the demo community, through
// Fyne's test driver. The console's own live updates are stopped: the tests hand the
// journal's entries to the panels themselves (pump), so that nothing runs behind their back.

type mapEnv struct {
	c   *Console
	st  *store.Store
	sub *app.Subscription
	p   *mapPanel
}

func newMapEnv(t *testing.T, user string) *mapEnv {
	t.Helper()
	autoBlink = false
	t.Cleanup(func() { autoBlink = true })
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), store.FileName), store.Options{Log: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	bus := app.NewBus()
	rec := app.NewRecorder(st, bus)
	inv := app.NewInventory(st, rec)
	acc := app.NewAccounts(st, rec, app.SystemClock{})
	acc.Cost = bcrypt.MinCost
	site, err := assets.DemoSite()
	require.NoError(t, err)
	accounts, err := assets.DemoAccounts()
	require.NoError(t, err)
	require.NoError(t, app.SeedDemo(ctx, inv, acc, site, accounts))
	desk := app.NewAlarmDesk(rec, st, app.SystemClock{})
	require.NoError(t, desk.Load(ctx))
	health := app.NewHealth(rec, app.SystemClock{}, slog.New(slog.DiscardHandler))
	cfg := enConfig()
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1400, 860))
	c := NewConsole(a, w, Deps{
		Inventory: inv, Desk: desk, Accounts: acc, Settings: app.NewSettings(cfg, &memConfig{cfg}, rec),
		Health: health, Bus: bus,
		Devices: app.NewIngest(inv, desk, rec, app.NewRules(app.RulesConfig{}, time.Now()), app.NewDeviceMonitor(time.Now()),
			app.SystemClock{}, slog.New(slog.DiscardHandler)),
		DataDir: t.TempDir(), Version: "test", Log: slog.New(slog.DiscardHandler),
	})
	t.Cleanup(func() { c.Close(); SetLanguage("en") })
	c.Start()
	// No live updates behind the test's back: entries are handed over by pump.
	close(c.stop)
	c.wg.Wait()
	if user != "duty" {
		op, err := acc.SignIn(ctx, user, "sunshine-demo")
		require.NoError(t, err)
		c.signedIn(op)
	}
	e := &mapEnv{c: c, st: st, sub: bus.Subscribe(1024, nil)}
	t.Cleanup(e.sub.Close)
	c.shell.show("map")
	e.p = c.shell.built["map"].(*mapPanel)
	e.p.m.animate = false
	e.pump()
	return e
}

// pump hands the journal's new entries to the panels, as the console's live loop does.
func (e *mapEnv) pump() {
	for {
		select {
		case en := <-e.sub.C():
			e.c.shell.entry(en)
		default:
			return
		}
	}
}

// waitFor pumps entries until one of the kind arrives (edits run off the UI thread).
func (e *mapEnv) waitFor(t *testing.T, kind app.EntryKind) app.Entry {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		select {
		case en := <-e.sub.C():
			e.c.shell.entry(en)
			if en.Kind == kind {
				return en
			}
		case <-deadline:
			t.Fatalf("no %s entry", kind)
		}
	}
}

// screen returns where a site point is on the canvas (absolute, in Fyne units).
func (e *mapEnv) screen(p app.Point) fyne.Position {
	q := e.p.m.r.view.px(p)
	at := fyne.CurrentApp().Driver().AbsolutePositionForObject(e.p.m)
	d := float32(e.p.m.r.dpi)
	return at.Add(fyne.NewPos(q.X/d, q.Y/d))
}

// local is the same point relative to the map widget.
func (e *mapEnv) local(p app.Point) fyne.Position {
	q := e.p.m.r.view.px(p)
	d := float32(e.p.m.r.dpi)
	return fyne.NewPos(q.X/d, q.Y/d)
}

func (e *mapEnv) tap(p app.Point) {
	e.p.m.Tapped(&fyne.PointEvent{Position: e.local(p), AbsolutePosition: e.screen(p)})
}

func (e *mapEnv) look(key string) markerLook {
	r := e.p.m.r
	return r.scene.markers[r.scene.byKey[key]].look
}

func raiseFor(t *testing.T, c *Console, d *app.Device, kind string, prio app.Priority) app.Alarm {
	t.Helper()
	a, err := c.deps.Desk.Raise(context.Background(), nil, app.Alarm{Kind: kind, Priority: prio, Cause: "test", DeviceID: d.ID, GridID: d.GridID})
	require.NoError(t, err)
	return a
}

func TestMapShowsThePlanWithNamesThatDoNotPileUp(t *testing.T) {
	e := newMapEnv(t, "duty")
	p := e.p
	require.NotNil(t, p.m.r.out, "the map is drawn")
	assert.Equal(t, "map", e.c.shell.current)
	texts := visibleTexts(p.m)
	for _, g := range p.site.Grids {
		assert.Contains(t, texts, g.Display(true), "every grid is named")
	}
	assert.Contains(t, texts, "3", "buildings show their number at this zoom")
	assert.Contains(t, texts, "Garden Loop", "and the roads")
	assert.Contains(t, texts, "50 m", "a scale bar")

	// Zoomed out the labels do not overlap: those that would are left out, the grids'
	// names first to stay.
	f := 0.8 / (p.m.r.view.Scale / p.m.r.dpi)
	p.m.flyTo(p.m.r.view.zoomAt(f, float64(p.m.r.view.W)/2, float64(p.m.r.view.H)/2), false)
	placed := declutter(p.m.r.labelCandidates(true), p.m.measureText, p.m.r.out.Rect, 400)
	for i := range placed {
		for j := i + 1; j < len(placed); j++ {
			assert.False(t, placed[i].R.Overlaps(placed[j].R), "%s overlaps %s", placed[i].Text, placed[j].Text)
		}
	}
	grids := 0
	for _, l := range placed {
		if l.Prio == prioLabelGrid {
			grids++
		}
	}
	assert.Equal(t, len(p.site.Grids), grids, "grid names stay when zoomed out")
	assert.Less(t, len(placed), len(p.m.r.labelCandidates(true)), "some names make way")
}

func TestMapClickShowsWhatIsThere(t *testing.T) {
	e := newMapEnv(t, "duty")
	p := e.p
	d, _ := p.site.Device("smoke-b03-u2-12")
	e.tap(d.Position)
	assert.Equal(t, "device:"+d.ID, p.m.r.selected)
	texts := visibleTexts(p.detail)
	assert.Contains(t, texts, d.Display(true))
	assert.Contains(t, texts, "Smoke detector")

	// The device's history from the journal.
	test.Tap(findButton(p.detail, "History"))
	assert.Contains(t, visibleTexts(p.detail), "Nothing recorded yet")

	b, _ := p.site.Building("b09")
	e.tap(app.Point{X: b.Footprint[0].X + 2, Y: b.Footprint[0].Y + 2})
	assert.Equal(t, "building:b09", p.m.r.selected)
	assert.Contains(t, visibleTexts(p.detail), "Building 9")

	e.tap(app.Point{X: 270, Y: 60}) // open ground in grid 2
	assert.Equal(t, "grid:g2", p.m.r.selected)
	texts = visibleTexts(p.detail)
	assert.Contains(t, texts, "张建国", "the grid's worker")
	assert.Contains(t, texts, "13800138002")
}

func TestMapSearchFliesToABuilding(t *testing.T) {
	e := newMapEnv(t, "duty")
	p := e.p
	test.Type(p.search, "Building 11")
	require.NotEmpty(t, p.hits)
	assert.Equal(t, app.ItemBuilding, p.hits[0].Kind)
	p.search.OnSubmitted(p.search.Text)
	assert.Equal(t, "building:b11", p.m.r.selected)
	b, _ := p.site.Building("b11")
	assert.True(t, p.m.visible(b.Footprint.Centroid()))
	assert.Greater(t, p.m.r.view.Scale, fitView(p.m.r.scene.bounds, p.m.r.view.W, p.m.r.view.H, 24).Scale*1.5, "zoomed in on it")
	assert.Contains(t, visibleTexts(p.detail), "Building 11")
}

func TestMarkersAndGridsBlinkUntilAcknowledged(t *testing.T) {
	e := newMapEnv(t, "duty")
	p := e.p
	d, _ := p.site.Device("smoke-b03-u2-12")
	key := "device:" + d.ID
	assert.Equal(t, lookNormal, e.look(key))

	a := raiseFor(t, e.c, d, "smoke", app.P1)
	e.pump()
	assert.Equal(t, lookBlink, e.look(key), "a new alarm blinks")
	assert.Equal(t, gridMark{prio: app.P1, blink: true}, p.m.r.grids[d.GridID], "and so does its grid")

	// A blink draws again only the blinking marker and grid, not the whole map.
	before := sample(p.m.r.out, p.m.r.scene.markers[p.m.r.scene.byKey[key]].rect)
	p.blink()
	st := p.m.r.stats
	assert.Less(t, st.pixels, p.m.r.out.Rect.Dx()*p.m.r.out.Rect.Dy()/3)
	assert.Less(t, st.markers, len(p.m.r.scene.markers))
	after := sample(p.m.r.out, p.m.r.scene.markers[p.m.r.scene.byKey[key]].rect)
	assert.NotEqual(t, before, after, "the marker changes with the phase")

	_, err := e.c.deps.Desk.Acknowledge(context.Background(), e.c.Operator(), a.ID, "")
	require.NoError(t, err)
	e.pump()
	assert.Equal(t, lookAlarm, e.look(key), "acknowledged: a steady colour")
	assert.Equal(t, gridMark{prio: app.P1}, p.m.r.grids[d.GridID])
	assert.False(t, p.m.r.blinking())

	_, err = e.c.deps.Desk.Resolve(context.Background(), e.c.Operator(), a.ID, app.OutcomeFalse, "")
	require.NoError(t, err)
	e.pump()
	assert.Equal(t, lookNormal, e.look(key), "resolved: back to normal")
	assert.Empty(t, p.m.r.grids)
}

// sample is the colour at the middle of r.
func sample(img *image.RGBA, r image.Rectangle) color.RGBA {
	c := r.Min.Add(r.Size().Div(2))
	return img.RGBAAt(c.X, c.Y)
}

func TestDeviceOfflineIsGrey(t *testing.T) {
	e := newMapEnv(t, "duty")
	d, _ := e.p.site.Device("light-01")
	if d == nil {
		d = &e.p.site.Devices[10]
	}
	e.c.deps.Devices.Monitor().SetOnline(d.ID, false)
	e.p.Tick()
	assert.Equal(t, lookOffline, e.look("device:"+d.ID))
	g, _ := e.p.site.Grid(d.GridID)
	assert.Equal(t, 1, e.p.gridStats(g).offline, "the grid list counts it")
}

func TestMapAndDeskSelectTogether(t *testing.T) {
	e := newMapEnv(t, "duty")
	p := e.p
	d1, _ := p.site.Device("smoke-b03-u2-12")
	d2 := &p.site.Devices[len(p.site.Devices)-1]
	a1 := raiseFor(t, e.c, d1, "smoke", app.P1)
	a2 := raiseFor(t, e.c, d2, "sos", app.P2)
	e.pump()

	// A click on the alarmed marker selects its alarm on the desk.
	e.tap(d1.Position)
	desk, ok := e.c.shell.built["alarms"].(*alarmPanel)
	require.True(t, ok, "the desk is there")
	assert.Equal(t, a1.ID, desk.selected)
	assert.Contains(t, visibleTexts(p.detail), "Show on the alarm desk")

	// Selecting on the desk shows the alarm on the map.
	e.c.shell.show("alarms")
	for i, a := range desk.shown {
		if a.ID == a2.ID {
			desk.list.Select(i)
		}
	}
	assert.Equal(t, "device:"+d2.ID, p.m.r.selected)
	assert.True(t, p.m.visible(d2.Position))
}

func TestAcknowledgeFromTheMap(t *testing.T) {
	e := newMapEnv(t, "duty")
	p := e.p
	d, _ := p.site.Device("smoke-b03-u2-12")
	a := raiseFor(t, e.c, d, "smoke", app.P1)
	e.pump()
	e.tap(d.Position)
	ack := findButton(p.detail, "Acknowledge")
	require.NotNil(t, ack)
	test.Tap(ack)
	got := e.waitFor(t, app.KindAlarmAcknowledged)
	assert.Equal(t, "duty", got.Operator)
	assert.Equal(t, lookAlarm, e.look("device:"+d.ID))
	_ = a
}

func TestAdminReshapesAGridByDraggingACorner(t *testing.T) {
	e := newMapEnv(t, "admin")
	p := e.p
	require.NotNil(t, p.editBtn, "administrators may edit the site")
	test.Tap(p.editBtn)
	require.True(t, p.m.editing)
	g, _ := p.site.Grid("g1")
	e.tap(app.Point{X: 100, Y: 5}) // inside grid 1, off buildings and markers
	require.Equal(t, "grid:g1", p.m.r.selected)

	// Drag its corner (200, 100) 12 m north-east through the test driver: the event lands
	// where the drag ends; the map knows where it began from the distance dragged.
	corner := g.Area[2]
	require.Equal(t, app.Point{X: 200, Y: 100}, corner)
	s := p.m.r.view.Scale / p.m.r.dpi
	dx, dy := float32(12*s), float32(-12*s)
	end := e.screen(corner).Add(fyne.NewPos(dx, dy))
	test.Drag(e.c.win.Canvas(), end, dx, dy)

	en := e.waitFor(t, app.KindGridUpdated)
	assert.Equal(t, "admin", en.Operator)
	assert.Equal(t, "grid:g1", en.Subject)
	var journaled app.Grid
	require.NoError(t, en.Decode(&journaled))
	stored, err := e.st.LoadSite(context.Background())
	require.NoError(t, err)
	sg, _ := stored.Grid("g1")
	assert.Equal(t, journaled.Area, sg.Area, "the journal and the table agree")
	// The test driver finds the map a few units off where AbsolutePositionForObject says
	// it is (its own position arithmetic): within 2 m at this zoom.
	assert.InDelta(t, 212, sg.Area[2].X, 2)
	assert.InDelta(t, 112, sg.Area[2].Y, 2)
	assert.Len(t, sg.Area, len(g.Area))

	// Dragging the middle of an edge adds a corner there.
	a, b := sg.Area[0], sg.Area[1]
	mid := app.Point{X: (a.X + b.X) / 2, Y: (a.Y + b.Y) / 2}
	p.m.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: e.local(app.Point{X: mid.X, Y: mid.Y - 6})}, Dragged: fyne.Delta{DY: float32(6 * s)}})
	p.m.DragEnd()
	e.waitFor(t, app.KindGridUpdated)
	stored, _ = e.st.LoadSite(context.Background())
	sg, _ = stored.Grid("g1")
	assert.Len(t, sg.Area, len(g.Area)+1)
}

func TestAdminMovesADeviceAndAimsACamera(t *testing.T) {
	e := newMapEnv(t, "admin")
	p := e.p
	p.setEditing(true)
	d, _ := p.site.Device("smoke-b03-u2-12")
	s := p.m.r.view.Scale / p.m.r.dpi
	p.m.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: e.local(app.Point{X: d.Position.X + 10, Y: d.Position.Y})}, Dragged: fyne.Delta{DX: float32(10 * s)}})
	p.m.DragEnd()
	e.waitFor(t, app.KindDeviceMoved)
	stored, _ := e.st.LoadSite(context.Background())
	sd, _ := stored.Device(d.ID)
	assert.InDelta(t, d.Position.X+10, sd.Position.X, 0.6)

	cam, _ := p.site.Camera("cam-plaza")
	p.m.selectKey("camera:" + cam.ID)
	o, tip := p.m.r.aimHandle(cam)
	// Turn it to look east: drag the handle to the right of the camera.
	to := fyne.NewPos(o.X/float32(p.m.r.dpi)+60, o.Y/float32(p.m.r.dpi))
	from := fyne.NewPos(tip.X/float32(p.m.r.dpi), tip.Y/float32(p.m.r.dpi))
	p.m.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: to}, Dragged: fyne.Delta{DX: to.X - from.X, DY: to.Y - from.Y}})
	p.m.DragEnd()
	en := e.waitFor(t, app.KindCameraMoved)
	stored, _ = e.st.LoadSite(context.Background())
	sc, _ := stored.Camera(cam.ID)
	assert.InDelta(t, 90, sc.Direction, 1)
	assert.Equal(t, cam.MainURL, sc.MainURL)
	assert.Equal(t, "admin", en.Operator)
}

func TestOperatorCannotEditTheSite(t *testing.T) {
	e := newMapEnv(t, "duty")
	p := e.p
	assert.Nil(t, p.editBtn, "no edit button for a duty operator")
	p.setEditing(true)
	assert.False(t, p.m.editing)

	// Even with the map forced into edit mode, the core refuses and nothing changes.
	p.m.editing = true
	p.m.selectKey("grid:g1")
	g, _ := p.site.Grid("g1")
	s := p.m.r.view.Scale / p.m.r.dpi
	corner := g.Area[2]
	p.m.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: e.local(app.Point{X: corner.X + 10, Y: corner.Y})}, Dragged: fyne.Delta{DX: float32(10 * s)}})
	p.m.DragEnd()
	require.Eventually(t, func() bool { return e.c.win.Canvas().Overlays().Top() != nil }, 15*time.Second, 10*time.Millisecond, "an error is shown")
	assert.Contains(t, visibleTexts(e.c.win.Canvas().Overlays().Top()), "A Duty operator may not change the site")
	stored, _ := e.st.LoadSite(context.Background())
	sg, _ := stored.Grid("g1")
	assert.Equal(t, g.Area, sg.Area, "the stored grid is as it was")
	es, err := e.st.Query(context.Background(), app.JournalQuery{Kinds: []app.EntryKind{app.KindGridUpdated}})
	require.NoError(t, err)
	assert.Empty(t, es)
}

func TestAdminDrawsANewGrid(t *testing.T) {
	e := newMapEnv(t, "admin")
	p := e.p
	p.setEditing(true)
	p.startDrawing()
	for _, q := range []app.Point{{X: 300, Y: 250}, {X: 340, Y: 250}, {X: 340, Y: 280}, {X: 300, Y: 280}} {
		e.tap(q)
	}
	e.tap(app.Point{X: 300, Y: 250}) // closes it
	require.NotNil(t, e.c.win.Canvas().Overlays().Top(), "asks for its name and worker")
	form := e.c.win.Canvas().Overlays().Top()
	var entries []fyne.Focusable // the worker and the colour are picked from lists or typed
	walk(form, func(o fyne.CanvasObject) {
		switch en := o.(type) {
		case *widget.Entry:
			entries = append(entries, en)
		case *widget.SelectEntry:
			entries = append(entries, en)
		}
	})
	require.GreaterOrEqual(t, len(entries), 5)
	test.Type(entries[1], "第六网格")
	test.Type(entries[3], "周敏")
	test.Type(entries[4], "13800138006")
	test.Tap(findButton(form, "Save"))
	en := e.waitFor(t, app.KindGridAdded)
	var g app.Grid
	require.NoError(t, en.Decode(&g))
	assert.Equal(t, "g6", g.ID)
	assert.Len(t, g.Area, 4)
	assert.Equal(t, "周敏", g.Worker.Name)
	_, ok := p.site.Grid("g6")
	assert.True(t, ok, "the map shows it")
}

func TestMapRendersTheDemoSite(t *testing.T) {
	// The raster (not the Fyne labels on top) of the demo site, compared with a golden
	// picture; run with WATCHPOST_UPDATE_GOLDEN=1 to write it again after a deliberate change.
	site, err := assets.DemoSite()
	require.NoError(t, err)
	r := newMapRenderer(newMapScene(site), darkMapPalette(), 1)
	r.resize(640, 480)
	r.setView(fitView(r.scene.bounds, 640, 480, 16))
	i := r.scene.byKey["device:smoke-b03-u2-12"]
	r.setLook(i, lookAlarm, app.P1)
	r.grids["g1"] = gridMark{prio: app.P1}
	r.selected = "camera:cam-plaza"
	r.render()
	compareGolden(t, r.out, "testdata/map_demo.png")
}

func TestHitTestingFindsTheTopMarker(t *testing.T) {
	sc := newMapScene(syntheticSite(5000, 200))
	r := newMapRenderer(sc, darkMapPalette(), 1)
	r.resize(1600, 900)
	r.setView(fitView(sc.bounds, 1600, 900, 20).zoomAt(4, 800, 450))
	r.render()
	found := 0
	for i := range sc.markers {
		m := &sc.markers[i]
		if !m.shown {
			continue
		}
		c := r.view.px(m.Pos)
		got := r.hitMarker(float64(c.X), float64(c.Y))
		require.GreaterOrEqual(t, got, 0)
		// Another marker may lie on top of this one; then it is drawn later.
		if got != i {
			assert.Greater(t, r.rank[got], r.rank[i], "the marker on top wins")
		} else {
			found++
		}
	}
	assert.Greater(t, found, 100)
	// Far from every marker: nothing.
	r.setLook(7, lookBlink, app.P1)
	r.render()
	c := r.view.px(sc.markers[7].Pos)
	assert.Equal(t, 7, r.hitMarker(float64(c.X)+1, float64(c.Y)+1), "an alarmed marker is on top")
	assert.Equal(t, -1, newMapRenderer(newMapScene(&app.Site{}), darkMapPalette(), 1).hitMarker(10, 10))
}

func TestBackgroundPictureIsAlignedByTwoPoints(t *testing.T) {
	// A 200 × 150 picture whose left half is red and right half blue, its corners put on
	// the demo site's corners (0, 300) and (400, 0): 2 m a pixel.
	pic := image.NewRGBA(image.Rect(0, 0, 200, 150))
	for y := 0; y < 150; y++ {
		for x := 0; x < 200; x++ {
			c := color.RGBA{0xff, 0, 0, 0xff}
			if x >= 100 {
				c = color.RGBA{0, 0, 0xff, 0xff}
			}
			pic.SetRGBA(x, y, c)
		}
	}
	bg := app.Background{File: "plan.png", Refs: [2]app.RefPair{
		{Pixel: app.Point{X: 0, Y: 0}, Site: app.Point{X: 0, Y: 300}}, {Pixel: app.Point{X: 200, Y: 150}, Site: app.Point{X: 400, Y: 0}}}}
	tr, err := bg.Transform()
	require.NoError(t, err)
	r := newMapRenderer(newMapScene(&app.Site{Boundary: app.Polygon{{X: 0, Y: 0}, {X: 400, Y: 0}, {X: 400, Y: 300}, {X: 0, Y: 300}}}), darkMapPalette(), 1)
	r.bg = &mapBackground{img: pic, tr: tr, alpha: 1}
	r.resize(400, 300)
	r.setView(mapView{Scale: 1, OX: 0, OY: 300})
	r.render()
	west, east := r.out.RGBAAt(100, 150), r.out.RGBAAt(300, 150) // site (100, 150) and (300, 150)
	assert.Greater(t, int(west.R), int(west.B)+60, "the west half of the site shows the red half: %v", west)
	assert.Greater(t, int(east.B), int(east.R)+60, "the east half shows the blue half: %v", east)
}

func TestAdminPlacesABackgroundPicture(t *testing.T) {
	e := newMapEnv(t, "admin")
	p := e.p
	p.setEditing(true)
	p.backgroundDialog()
	top := e.c.win.Canvas().Overlays().Top()
	require.NotNil(t, top)
	assert.Contains(t, visibleTexts(top), "Two reference points: a pixel of the picture and where it is on the site.")
	top.Hide()
	e.c.win.Canvas().Overlays().Remove(top)

	pic := image.NewRGBA(image.Rect(0, 0, 80, 60))
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, pic))
	bg := app.Background{Refs: [2]app.RefPair{{Pixel: app.Point{X: 0, Y: 0}, Site: app.Point{X: 0, Y: 300}}, {Pixel: app.Point{X: 80, Y: 60}, Site: app.Point{X: 400, Y: 0}}}, Opacity: 0.4}
	p.saveBackground(bg, "/plans/site plan.png", buf.Bytes())
	en := e.waitFor(t, app.KindBackgroundSet)
	assert.Equal(t, "admin", en.Operator)
	require.NotNil(t, p.site.Background)
	kept := filepath.Join(filepath.Dir(e.st.Path()), store.BackgroundDir, p.site.Background.File)
	_, err := os.Stat(kept)
	require.NoError(t, err, "the picture is copied into the data directory")
	require.NotNil(t, p.m.r.bg, "and drawn under the plan")
	assert.InDelta(t, 0.4, p.m.r.bg.alpha, 1e-9)
	assert.False(t, p.bgCheck.Disabled())
}
