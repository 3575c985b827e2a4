package ui

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/mapdraw"
	"watchpost/testkit"
)

// The site map on the real core and a real SQLite file with the demo community, through
// Fyne's test driver. The console's own live updates are stopped: the tests hand the
// journal's entries to the panels themselves (pump), so that nothing runs behind their back.

type mapEnv struct {
	c   *Console
	env *testkit.Env
	sub *app.Subscription
	p   *mapPanel
}

func newMapEnv(t *testing.T, user string) *mapEnv {
	t.Helper()
	autoBlink = false
	t.Cleanup(func() { autoBlink = true })
	ctx := context.Background()
	env := testkit.New(t, testkit.Options{Config: enConfig()})
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1400, 860))
	c := NewConsole(a, w, env.Core, Extras{Paths: Paths{DataDir: env.Dir}, Version: "test"})
	t.Cleanup(func() { c.Close(); SetLanguage("en") })
	c.Start()
	// No live updates behind the test's back: entries are handed over by pump.
	close(c.stop)
	c.wg.Wait()
	if user != "duty" {
		op, err := env.Core.Accounts.SignIn(ctx, user, "sunshine-demo")
		require.NoError(t, err)
		c.signedIn(op)
	}
	e := &mapEnv{c: c, env: env, sub: env.Core.Bus.Subscribe(1024, nil)}
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
	at := fyne.CurrentApp().Driver().AbsolutePositionForObject(e.p.m)
	return at.Add(e.local(p))
}

// local is the same point relative to the map widget.
func (e *mapEnv) local(p app.Point) fyne.Position {
	q := e.p.m.r.View().Px(p)
	d := float32(e.p.m.r.DPI())
	return fyne.NewPos(q.X/d, q.Y/d)
}

func (e *mapEnv) tap(p app.Point) {
	e.p.m.Tapped(&fyne.PointEvent{Position: e.local(p), AbsolutePosition: e.screen(p)})
}

func (e *mapEnv) look(key string) mapdraw.Look {
	m, _ := e.p.m.r.Marker(key)
	return m.Look
}

func raiseFor(t *testing.T, c *Console, d *app.Device, kind string, prio app.Priority) app.Alarm {
	t.Helper()
	a, err := c.core.Desk.Raise(context.Background(), nil, app.Alarm{Kind: kind, Priority: prio, Cause: "test", DeviceID: d.ID, GridID: d.GridID})
	require.NoError(t, err)
	return a
}

func TestMapShowsThePlanWithNamesThatDoNotPileUp(t *testing.T) {
	e := newMapEnv(t, "duty")
	p := e.p
	require.NotNil(t, p.m.r.Image(), "the map is drawn")
	assert.Equal(t, "map", e.c.shell.current)
	texts := visibleTexts(p.m)
	for _, g := range p.site.Grids {
		assert.Contains(t, texts, g.Display(true), "every grid is named")
	}
	assert.Contains(t, texts, "3", "buildings show their number at this zoom")
	assert.Contains(t, texts, "Garden Loop", "and the roads")
	assert.Contains(t, texts, "50 m", "a scale bar")

	// Zoomed out the labels do not overlap (in the console's own font): those that would
	// are left out, the grids' names first to stay.
	v := p.m.r.View()
	f := 0.8 / (v.Scale / p.m.r.DPI())
	p.m.flyTo(v.ZoomAt(f, float64(v.W)/2, float64(v.H)/2), false)
	placed := p.m.r.PlaceLabels(true, p.m.measureText, 400)
	for i := range placed {
		for j := i + 1; j < len(placed); j++ {
			assert.False(t, placed[i].R.Overlaps(placed[j].R), "%s overlaps %s", placed[i].Text, placed[j].Text)
		}
	}
	grids := 0
	for _, l := range placed {
		if l.Prio == mapdraw.LabelGrid {
			grids++
		}
	}
	assert.Equal(t, len(p.site.Grids), grids, "grid names stay when zoomed out")
	assert.Less(t, len(placed), len(p.m.r.Labels(true)), "some names make way")
	shownLabels := 0
	for _, o := range p.m.pool {
		if o.text.Visible() {
			shownLabels++
		}
	}
	assert.Equal(t, len(placed), shownLabels, "the names placed are the names shown")
}

func TestMapClickShowsWhatIsThere(t *testing.T) {
	e := newMapEnv(t, "duty")
	p := e.p
	d, _ := p.site.Device("smoke-b03-u2-12")
	e.tap(d.Position)
	assert.Equal(t, "device:"+d.ID, p.m.r.Selected())
	texts := visibleTexts(p.detail)
	assert.Contains(t, texts, d.Display(true))
	assert.Contains(t, texts, "Smoke detector")

	// The device's history from the journal.
	tap(findButton(p.detail, "History"))
	assert.Contains(t, visibleTexts(p.detail), "Nothing recorded yet")

	b, _ := p.site.Building("b09")
	e.tap(app.Point{X: b.Footprint[0].X + 2, Y: b.Footprint[0].Y + 2})
	assert.Equal(t, "building:b09", p.m.r.Selected())
	assert.Contains(t, visibleTexts(p.detail), "Building 9")

	e.tap(app.Point{X: 270, Y: 60}) // open ground in grid 2
	assert.Equal(t, "grid:g2", p.m.r.Selected())
	texts = visibleTexts(p.detail)
	assert.Contains(t, texts, "张建国", "the grid's worker")
	assert.Contains(t, texts, "13800138002")
}

func TestMapSearchFliesToABuilding(t *testing.T) {
	e := newMapEnv(t, "duty")
	p := e.p
	typeIn(p.search, "Building 11")
	require.NotEmpty(t, p.hits)
	assert.Equal(t, app.ItemBuilding, p.hits[0].Kind)
	p.search.OnSubmitted(p.search.Text)
	assert.Equal(t, "building:b11", p.m.r.Selected())
	b, _ := p.site.Building("b11")
	assert.True(t, p.m.visible(b.Footprint.Centroid()))
	v := p.m.r.View()
	assert.Greater(t, v.Scale, mapdraw.Fit(p.m.r.Bounds(), v.W, v.H, 24).Scale*1.5, "zoomed in on it")
	assert.Contains(t, visibleTexts(p.detail), "Building 11")
}

func TestMarkersAndGridsBlinkUntilAcknowledged(t *testing.T) {
	e := newMapEnv(t, "duty")
	p := e.p
	d, _ := p.site.Device("smoke-b03-u2-12")
	key := "device:" + d.ID
	assert.Equal(t, mapdraw.LookNormal, e.look(key))

	a := raiseFor(t, e.c, d, "smoke", app.P1)
	e.pump()
	assert.Equal(t, mapdraw.LookBlink, e.look(key), "a new alarm blinks")
	assert.Equal(t, mapdraw.GridMark{Prio: app.P1, Blink: true}, p.m.r.GridMarks()[d.GridID], "and so does its grid")

	// A blink draws again only the blinking marker and grid, not the whole map.
	mk, _ := p.m.r.Marker(key)
	img := p.m.r.Image()
	before := sample(img, mk.Rect)
	p.blink()
	st := p.m.r.Stats()
	assert.Less(t, st.Pixels, img.Rect.Dx()*img.Rect.Dy()/3)
	assert.Less(t, st.Markers, len(p.site.Devices)+len(p.site.Cameras))
	after := sample(img, mk.Rect)
	assert.NotEqual(t, before, after, "the marker changes with the phase")
	assert.Same(t, img, p.m.img.Image, "on screen")

	_, err := e.c.core.Desk.Acknowledge(context.Background(), e.c.Operator(), a.ID, "")
	require.NoError(t, err)
	e.pump()
	assert.Equal(t, mapdraw.LookAlarm, e.look(key), "acknowledged: a steady colour")
	assert.Equal(t, mapdraw.GridMark{Prio: app.P1}, p.m.r.GridMarks()[d.GridID])
	assert.False(t, p.m.r.Blinking())

	_, err = e.c.core.Desk.Resolve(context.Background(), e.c.Operator(), a.ID, app.OutcomeFalse, "")
	require.NoError(t, err)
	e.pump()
	assert.Equal(t, mapdraw.LookNormal, e.look(key), "resolved: back to normal")
	assert.Empty(t, p.m.r.GridMarks())
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
	e.c.core.Ingest.Monitor().SetOnline(d.ID, false)
	e.p.Tick()
	assert.Equal(t, mapdraw.LookOffline, e.look("device:"+d.ID))
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
	assert.Equal(t, "device:"+d2.ID, p.m.r.Selected())
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
	tap(ack)
	got := e.waitFor(t, app.KindAlarmAcknowledged)
	assert.Equal(t, "duty", got.Operator)
	assert.Equal(t, mapdraw.LookAlarm, e.look("device:"+d.ID))
	_ = a
}

func TestAdminReshapesAGridByDraggingACorner(t *testing.T) {
	e := newMapEnv(t, "admin")
	p := e.p
	require.NotNil(t, p.editBtn, "administrators may edit the site")
	tap(p.editBtn)
	require.True(t, p.m.editing)
	g, _ := p.site.Grid("g1")
	e.tap(app.Point{X: 100, Y: 5}) // inside grid 1, off buildings and markers
	require.Equal(t, "grid:g1", p.m.r.Selected())

	// Drag its corner (200, 100) 12 m north-east through the test driver: the event lands
	// where the drag ends; the map knows where it began from the distance dragged.
	corner := g.Area[2]
	require.Equal(t, app.Point{X: 200, Y: 100}, corner)
	s := p.m.r.View().Scale / p.m.r.DPI()
	dx, dy := float32(12*s), float32(-12*s)
	end := e.screen(corner).Add(fyne.NewPos(dx, dy))
	test.Drag(e.c.win.Canvas(), end, dx, dy)

	en := e.waitFor(t, app.KindGridUpdated)
	assert.Equal(t, "admin", en.Operator)
	assert.Equal(t, "grid:g1", en.Subject)
	var journaled app.Grid
	require.NoError(t, en.Decode(&journaled))
	stored, err := e.env.Store.LoadSite(context.Background())
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
	stored, _ = e.env.Store.LoadSite(context.Background())
	sg, _ = stored.Grid("g1")
	assert.Len(t, sg.Area, len(g.Area)+1)
}

func TestAdminMovesADeviceAndAimsACamera(t *testing.T) {
	e := newMapEnv(t, "admin")
	p := e.p
	p.setEditing(true)
	d, _ := p.site.Device("smoke-b03-u2-12")
	s := p.m.r.View().Scale / p.m.r.DPI()
	p.m.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: e.local(app.Point{X: d.Position.X + 10, Y: d.Position.Y})}, Dragged: fyne.Delta{DX: float32(10 * s)}})
	p.m.DragEnd()
	e.waitFor(t, app.KindDeviceMoved)
	stored, _ := e.env.Store.LoadSite(context.Background())
	sd, _ := stored.Device(d.ID)
	assert.InDelta(t, d.Position.X+10, sd.Position.X, 0.6)

	cam, _ := p.site.Camera("cam-plaza")
	p.m.selectKey("camera:" + cam.ID)
	o, tip := p.m.r.AimHandle(cam)
	// Turn it to look east: drag the handle to the right of the camera.
	d32 := float32(p.m.r.DPI())
	to := fyne.NewPos(o.X/d32+60, o.Y/d32)
	from := fyne.NewPos(tip.X/d32, tip.Y/d32)
	p.m.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: to}, Dragged: fyne.Delta{DX: to.X - from.X, DY: to.Y - from.Y}})
	p.m.DragEnd()
	en := e.waitFor(t, app.KindCameraMoved)
	stored, _ = e.env.Store.LoadSite(context.Background())
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
	s := p.m.r.View().Scale / p.m.r.DPI()
	corner := g.Area[2]
	p.m.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: e.local(app.Point{X: corner.X + 10, Y: corner.Y})}, Dragged: fyne.Delta{DX: float32(10 * s)}})
	p.m.DragEnd()
	require.Eventually(t, func() bool { return e.c.win.Canvas().Overlays().Top() != nil }, 15*time.Second, 10*time.Millisecond, "an error is shown")
	assert.Contains(t, visibleTexts(e.c.win.Canvas().Overlays().Top()), "A Duty operator may not change the site")
	stored, _ := e.env.Store.LoadSite(context.Background())
	sg, _ := stored.Grid("g1")
	assert.Equal(t, g.Area, sg.Area, "the stored grid is as it was")
	es, err := e.env.Store.Query(context.Background(), app.JournalQuery{Kinds: []app.EntryKind{app.KindGridUpdated}})
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
	typeIn(entries[1], "第六网格")
	typeIn(entries[3], "周敏")
	typeIn(entries[4], "13800138006")
	tap(findButton(form, "Save"))
	en := e.waitFor(t, app.KindGridAdded)
	var g app.Grid
	require.NoError(t, en.Decode(&g))
	assert.Equal(t, "g6", g.ID)
	assert.Len(t, g.Area, 4)
	assert.Equal(t, "周敏", g.Worker.Name)
	_, ok := p.site.Grid("g6")
	assert.True(t, ok, "the map shows it")
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
	kept := e.env.BackgroundFile(p.site.Background.File)
	_, err := os.Stat(kept)
	require.NoError(t, err, "the picture is copied into the data directory")
	require.NotNil(t, p.m.r.Background(), "and drawn under the plan")
	assert.InDelta(t, 0.4, p.m.r.Background().Alpha, 1e-9)
	assert.False(t, p.bgCheck.Disabled())
}
