package ui

import (
	"context"
	"fmt"
	"image"
	"image/png"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/testkit"
)

// The camera wall is tested on generated camera feeds (testkit.Feeds): the demo site's first
// cameras play a moving test card, the others fail as a camera that is switched off.

// liveCameras: how many of the demo site's cameras (in site order) play.
const liveCameras = 3

// newTestFeeds serves the site's cameras, the first liveCameras of them playing.
func newTestFeeds(t testing.TB, site *app.Site) *testkit.Feeds {
	t.Helper()
	f := testkit.NewFeeds(site.Cameras, liveCameras)
	t.Cleanup(f.Close)
	return f
}

func wallOf(t *testing.T, c *Console) *wallPanel {
	t.Helper()
	require.NotNil(t, c.shell)
	c.shell.show("wall")
	p, ok := c.shell.built["wall"].(*wallPanel)
	require.True(t, ok, "the wall panel is built")
	return p
}

// get reads the wall's state under its lock.
func get[T any](w *wallPanel, f func() T) T {
	w.mu.Lock()
	defer w.mu.Unlock()
	return f()
}

func key(w *wallPanel, name fyne.KeyName) { w.TypedKey(&fyne.KeyEvent{Name: name}) }

// pageCameras lists the camera IDs of the page's tiles ("" for an empty one).
func pageCameras(w *wallPanel) []string {
	return get(w, func() []string {
		var out []string
		for _, t := range w.tiles[:w.layout.Tiles()] {
			id := ""
			if t.cam != nil {
				id = t.cam.ID
			}
			out = append(out, id)
		}
		return out
	})
}

func openViewers(w *wallPanel) int {
	return get(w, func() int {
		n := 0
		for _, t := range append(append([]*tile(nil), w.tiles...), w.big) {
			if t.viewer != nil {
				n++
			}
		}
		return n
	})
}

func siteCameraIDs(c *Console) []string {
	var ids []string
	for _, cam := range c.core.Inventory.Site().Cameras {
		ids = append(ids, cam.ID)
	}
	return ids
}

func waitPlaying(t *testing.T, w *wallPanel, tl *tile) {
	t.Helper()
	require.Eventually(t, func() bool {
		return get(w, func() bool { return tl.state == tilePlaying && tl.img.Image != nil && !tl.standIn })
	}, 20*time.Second, 20*time.Millisecond, "the tile shows live video")
}

func TestWallDefaultViewLayoutsAndDigitKeys(t *testing.T) {
	c := newTestConsole(t, enConfig())
	w := wallOf(t, c)
	ids := siteCameraIDs(c)
	require.Len(t, ids, 13)

	// No saved view: every camera in site order, in the smallest square layout that fits.
	assert.Equal(t, app.Layout16, get(w, func() app.WallLayout { return w.layout }))
	assert.Equal(t, append(append([]string(nil), ids...), "", "", ""), pageCameras(w))
	assert.Equal(t, 13, openViewers(w), "one viewer per camera on screen")
	assert.Equal(t, 13, w.Stats().Tiles)

	want := map[app.WallLayout]int{app.Layout1: 1, app.Layout4: 4, app.Layout9: 9, app.Layout16: 13,
		app.Layout25: 13, app.Layout36: 13, app.LayoutFocus6: 6, app.LayoutFocus8: 8, app.Layout64: 13}
	for i, l := range app.WallLayouts {
		key(w, fyne.KeyName(fmt.Sprint(i+1)))
		assert.Equal(t, l, get(w, func() app.WallLayout { return w.layout }), "key %d", i+1)
		assert.Len(t, get(w, func() []fyne.CanvasObject { return w.grid.Objects }), l.Tiles(), "%s shows its tiles", l)
		assert.Equal(t, want[l], openViewers(w), "%s: viewers only for the cameras on screen", l)
		assert.Equal(t, ids[:want[l]], pageCameras(w)[:want[l]])
		assert.Equal(t, widget.HighImportance, get(w, func() widget.Importance { return w.layoutButtons[l].Importance }), "the layout's button is marked")
	}

	// 64: an 8×8 grid of 16:9 tiles, all on the window.
	key(w, "9")
	g := get(w, func() *gridLayout { return w.grid.Layout.(*gridLayout) })
	assert.Equal(t, [2]int{8, 8}, [2]int{g.cols, g.rows})
	first, last := w.tiles[0], w.tiles[63]
	require.Greater(t, first.Size().Width, float32(0))
	assert.InDelta(t, 16.0/9, (first.Size().Width+tileGap)/(first.Size().Height+tileGap), 0.1, "16:9 cells")
	assert.InDelta(t, 7*(first.Size().Width+tileGap), last.Position().X-first.Position().X, 8, "eight across (whole pixels: one each at most)")
	assert.InDelta(t, 7*(first.Size().Height+tileGap), last.Position().Y-first.Position().Y, 8, "eight down")

	// Focus layouts: the large tile is two (1+5) or three (1+7) small tiles wide.
	key(w, "7")
	big, small := w.tiles[0].Size(), w.tiles[1].Size()
	require.Greater(t, small.Width, float32(0))
	assert.InDelta(t, 2, (big.Width+tileGap)/(small.Width+tileGap), 0.05, "1+5: %v vs %v", big, small)
	assert.InDelta(t, big.Width/big.Height, small.Width/small.Height, 0.1, "16:9 cells")
	key(w, "8")
	big, small = w.tiles[0].Size(), w.tiles[1].Size()
	assert.InDelta(t, 3, (big.Width+tileGap)/(small.Width+tileGap), 0.05, "1+7: %v vs %v", big, small)

	// Arrow keys move the selection by the tiles' places, focus layouts included.
	key(w, "7") // 1+5: 0 large; 1, 2 down the right; 3, 4, 5 along the bottom
	sel := func() int { return get(w, func() int { return w.selected }) }
	require.Equal(t, 0, sel())
	key(w, fyne.KeyRight)
	assert.Equal(t, 1, sel())
	key(w, fyne.KeyDown)
	assert.Equal(t, 2, sel())
	key(w, fyne.KeyDown)
	assert.Equal(t, 5, sel())
	key(w, fyne.KeyLeft)
	assert.Equal(t, 4, sel())
	key(w, fyne.KeyUp)
	assert.Equal(t, 0, sel())
	key(w, "4") // 4×4
	key(w, fyne.KeyDown)
	key(w, fyne.KeyRight)
	assert.Equal(t, 5, sel())
	assert.True(t, get(w, func() bool { return w.tiles[5].selected && !w.tiles[0].selected }))
}

func TestWallTilePlaysLiveVideoAndShowsWhyACameraIsOffline(t *testing.T) {
	c := newTestConsole(t, enConfig())
	w := wallOf(t, c)
	live, dead := w.tiles[0], w.tiles[liveCameras] // the first simulated camera; one nobody serves

	waitPlaying(t, w, live)
	size, px := get(w, func() fyne.Size { return live.img.Size() }), get(w, func() [2]int { return [2]int{live.px.X, live.px.Y} })
	// A frame converted before the tile was laid out may still be on screen: the next ones
	// come at the tile's size.
	waitFor(t, "frames come at the tile's own size", func() bool {
		return get(w, func() bool { r := live.shown.Image.Bounds(); return [2]int{r.Dx(), r.Dy()} == px })
	})
	assert.Equal(t, pixelSize(size.Width, size.Height, 1).X, px[0])
	assert.False(t, get(w, func() bool { return live.cardBG.Visible() }), "no card over live video")
	assert.Contains(t, visibleTexts(live), c.core.Inventory.Site().Cameras[0].Display(true), "the name on the tile")

	require.Eventually(t, func() bool { return get(w, func() bool { return dead.state == tileFailed }) },
		15*time.Second, 50*time.Millisecond, "the card says the camera is offline")
	texts := get(w, func() []string { return visibleTexts(dead) })
	assert.Contains(t, texts, "Offline")
	assert.Contains(t, texts, T(app.ReasonUnreachable))
	assert.False(t, get(w, func() bool { return dead.img.Visible() }), "no picture, never a frozen frame")

	// The pump measures what it hands to the canvas: a sample per frame, and a frame is
	// sent before it is decoded and decoded before it is handed over, however busy the machine.
	require.Eventually(t, func() bool { return measured(w) >= 30 }, 15*time.Second, 100*time.Millisecond,
		"the frames handed over are measured")
	st := w.Stats()
	assert.Equal(t, 13, st.Tiles)
	assert.Positive(t, st.HandedFPS)
	assert.Positive(t, st.DecodedToHandedP50)
	assert.GreaterOrEqual(t, st.DecodedToHandedP95, st.DecodedToHandedP50)
	assert.GreaterOrEqual(t, st.CapturedToHandedP50, st.DecodedToHandedP50, "the simulator stamps its send times, before decoding")
	assert.GreaterOrEqual(t, st.CapturedToHandedP95, st.CapturedToHandedP50)

	// A tile whose viewer is resized gets frames of its new size.
	w.tiles[0].Resize(fyne.NewSize(200, 113))
	require.Eventually(t, func() bool {
		return get(w, func() bool { r := live.shown.Image.Bounds(); return r.Dx() == live.px.X && live.px.X == 200 })
	}, 10*time.Second, 20*time.Millisecond)
}

// measured counts the frames the wall's stats hold (one sample per frame put on screen).
func measured(w *wallPanel) int {
	w.stats.mu.Lock()
	defer w.stats.mu.Unlock()
	if w.stats.full {
		return len(w.stats.ring)
	}
	return w.stats.next
}

func camItemFor(t *testing.T, c *Console, id string) *camItem {
	t.Helper()
	w := c.shell.built["wall"].(*wallPanel)
	w.list.tree.ScrollTo(nodeCamera + id) // only the rows in view are drawn
	var found *camItem
	walk(c.win.Content(), func(o fyne.CanvasObject) {
		if it, ok := o.(*camItem); ok && it.id == id && found == nil {
			found = it
		}
	})
	require.NotNil(t, found, "camera %s in the list", id)
	return found
}

func TestWallAssignByDoubleClickAndDragAndDrop(t *testing.T) {
	c := newTestConsole(t, enConfig())
	w := wallOf(t, c)
	ids := siteCameraIDs(c)

	tap(w.tiles[14]) // an empty tile
	assert.Equal(t, 14, get(w, func() int { return w.selected }))

	// Double-click in the list: into the selected tile.
	doubleTap(camItemFor(t, c, ids[2]))
	assert.Equal(t, ids[2], pageCameras(w)[14])
	assert.NotNil(t, get(w, func() app.Viewer { return w.tiles[14].viewer }), "it plays at once")
	waitPlaying(t, w, w.tiles[14])

	// Drag a list item onto a tile: it lands where it is dropped.
	item := camItemFor(t, c, ids[1])
	drv := fyne.CurrentApp().Driver()
	target := drv.AbsolutePositionForObject(w.tiles[5]).Add(fyne.NewPos(20, 20))
	item.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: target.Subtract(drv.AbsolutePositionForObject(item))}})
	assert.True(t, get(w, func() bool { return w.tiles[5].dropping && w.ghost.Visible() }), "the tile under the pointer is outlined")
	item.DragEnd()
	assert.Equal(t, ids[1], pageCameras(w)[5])
	assert.Equal(t, 5, get(w, func() int { return w.selected }))
	assert.False(t, get(w, func() bool { return w.tiles[5].dropping || w.ghost.Visible() }))

	// The drop path itself: outside every tile nothing changes.
	before := pageCameras(w)
	assert.False(t, get(w, func() bool { return w.dropAt(ids[0], fyne.NewPos(-50, -50)) }))
	assert.Equal(t, before, pageCameras(w))
	at := drv.AbsolutePositionForObject(w.tiles[15]).Add(fyne.NewPos(3, 3))
	assert.True(t, get(w, func() bool { return w.dropAt(ids[0], at) }))
	assert.Equal(t, ids[0], pageCameras(w)[15])

	// Delete empties the selected tile.
	key(w, fyne.KeyDelete)
	assert.Equal(t, "", pageCameras(w)[15])
	assert.Nil(t, get(w, func() app.Viewer { return w.tiles[15].viewer }))
}

func TestWallEnlargePlaysTheMainStream(t *testing.T) {
	c := newTestConsole(t, enConfig())
	w := wallOf(t, c)
	waitPlaying(t, w, w.tiles[0])

	key(w, fyne.KeyReturn)
	require.True(t, get(w, func() bool { return w.enlarged }))
	assert.Nil(t, get(w, func() app.Viewer { return w.tiles[0].viewer }), "the wall's tiles stop watching")
	assert.Equal(t, 1, openViewers(w))
	v := get(w, func() app.Viewer { return w.big.viewer })
	require.NotNil(t, v)
	require.Eventually(t, func() bool { st := v.Status(); return st.State == app.StreamPlaying && st.Width == testkit.Main.X },
		20*time.Second, 20*time.Millisecond, "the enlarged view plays the main stream")
	assert.True(t, v.Status().Main)
	waitPlaying(t, w, w.big)
	b := get(w, func() [2]int { r := w.big.shown.Image.Bounds(); return [2]int{r.Dx(), r.Dy()} })
	assert.Equal(t, get(w, func() [2]int { return [2]int{w.big.px.X, w.big.px.Y} }), b, "frames at the enlarged tile's size")
	assert.Greater(t, b[0], w.tiles[0].px.X)

	key(w, fyne.KeyEscape)
	assert.False(t, get(w, func() bool { return w.enlarged }))
	assert.Nil(t, get(w, func() app.Viewer { return w.big.viewer }))
	assert.Equal(t, 13, openViewers(w))

	// Double-click enlarges a tile and returns.
	doubleTap(w.tiles[1])
	assert.True(t, get(w, func() bool { return w.enlarged && w.selected == 1 }))
	assert.Equal(t, w.tiles[1].cam, get(w, func() *app.Camera { return w.big.cam }))
	doubleTap(w.big)
	assert.False(t, get(w, func() bool { return w.enlarged }))

	// An empty tile does not enlarge.
	tap(w.tiles[15])
	key(w, fyne.KeyReturn)
	assert.False(t, get(w, func() bool { return w.enlarged }))
}

func TestWallPagesAndTour(t *testing.T) {
	c := newTestConsole(t, enConfig())
	w := wallOf(t, c)
	ids := siteCameraIDs(c)

	key(w, "2") // 2×2: 13 cameras on 4 pages
	assert.Equal(t, 4, get(w, w.pages))
	assert.Equal(t, "Page 1 / 4", w.pageLabel.Text)
	key(w, fyne.KeyPageDown)
	assert.Equal(t, ids[4:8], pageCameras(w))
	assert.Equal(t, "Page 2 / 4", w.pageLabel.Text)
	assert.Equal(t, 4, openViewers(w), "the first page's viewers are closed")
	key(w, fyne.KeyPageUp)
	key(w, fyne.KeyPageUp)
	assert.Equal(t, []string{ids[12], "", "", ""}, pageCameras(w), "round to the last page")
	tap(w.nextBtn)
	assert.Equal(t, ids[0:4], pageCameras(w))

	// The tour turns the pages at its interval.
	w.tourSelect.SetSelected("Tour every 5 s")
	assert.Equal(t, 5*time.Second, get(w, func() time.Duration { return w.tour }))
	start := get(w, func() time.Time { return w.tourNext })
	get(w, func() bool { w.tourTick(start.Add(-time.Second)); return true })
	assert.Equal(t, ids[0:4], pageCameras(w), "not yet")
	get(w, func() bool { w.tourTick(start); return true })
	assert.Equal(t, ids[4:8], pageCameras(w))
	get(w, func() bool { w.tourTick(start.Add(5 * time.Second)); return true })
	assert.Equal(t, ids[8:12], pageCameras(w))

	// An enlarged camera holds the tour.
	key(w, fyne.KeyReturn)
	get(w, func() bool { w.tourTick(start.Add(time.Hour)); return true })
	assert.True(t, get(w, func() bool { return w.enlarged }))
	key(w, fyne.KeyEscape)

	w.tourSelect.SetSelected("No tour")
	get(w, func() bool { w.tourTick(start.Add(2 * time.Hour)); return true })
	assert.Equal(t, ids[8:12], pageCameras(w))
}

func TestWallAlarmBorders(t *testing.T) {
	c := newTestConsole(t, enConfig())
	w := wallOf(t, c)
	ctx := context.Background()
	gate := w.tiles[0]
	require.Equal(t, "cam-gate-s", gate.cam.ID)

	a, err := c.core.Desk.Raise(ctx, nil, app.Alarm{Kind: "sos", Priority: app.P1, Cause: "SOS button pressed", DeviceID: "sos-gate-s"})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return get(w, gate.flashing) }, 15*time.Second, 10*time.Millisecond,
		"a new alarm flashes the tiles of the cameras that see it")
	assert.Equal(t, priorityColor(app.P1), get(w, func() any { return gate.alarmBorder.StrokeColor }))
	assert.Equal(t, "P1", get(w, func() string { return gate.badge.text.Text }))
	assert.Nil(t, get(w, func() *alarmMark { return w.tiles[liveCameras+1].alarm }), "not the tiles of other cameras")
	// It flashes: the border comes and goes.
	seen := map[bool]bool{}
	require.Eventually(t, func() bool {
		seen[get(w, func() bool { return gate.alarmBorder.Visible() })] = true
		return seen[true] && seen[false]
	}, 15*time.Second, 20*time.Millisecond)

	_, err = c.core.Desk.Acknowledge(ctx, c.Operator(), a.ID, "")
	require.NoError(t, err)
	require.Eventually(t, func() bool { return get(w, func() bool { return gate.alarm != nil && !gate.flashing() }) },
		15*time.Second, 10*time.Millisecond, "acknowledged: steady")
	// The pump's flash ticks, driven here: a steady border stays through both phases.
	for i := 0; i < 4; i++ {
		w.apply(nil, true)
		assert.True(t, get(w, func() bool { return gate.alarmBorder.Visible() }), "phase %v", get(w, func() bool { return w.flashOn }))
	}

	_, err = c.core.Desk.Resolve(ctx, c.Operator(), a.ID, app.OutcomeTest, "")
	require.NoError(t, err)
	require.Eventually(t, func() bool { return get(w, func() bool { return gate.alarm == nil && !gate.alarmBorder.Visible() }) },
		15*time.Second, 10*time.Millisecond, "resolved: no border")
}

func TestWallNamedViewsPersistPerOperator(t *testing.T) {
	c := newTestConsole(t, enConfig())
	w := wallOf(t, c)
	ids := siteCameraIDs(c)

	key(w, "2")
	get(w, func() bool { w.assign(3, ids[10]); return true })
	w.tourSelect.SetSelected("Tour every 10 s")
	get(w, func() bool { w.c.write(w.saveView("Gates")); return true })
	require.Eventually(t, func() bool { return get(w, func() bool { return w.viewName == "Gates" && len(w.views) == 1 }) },
		15*time.Second, 10*time.Millisecond)
	assert.Equal(t, "Gates", w.viewSelect.Selected)
	assert.False(t, w.deleteBtn.Disabled())
	saved := get(w, func() []string { return append([]string(nil), w.cameras...) })

	// Another wall for the same operator (after a restart) comes up with it.
	w2 := newWallPanel(c).(*wallPanel)
	assert.Equal(t, app.Layout4, get(w2, func() app.WallLayout { return w2.layout }))
	assert.Equal(t, saved, get(w2, func() []string { return w2.cameras }))
	assert.Equal(t, 10*time.Second, get(w2, func() time.Duration { return w2.tour }))
	assert.Equal(t, "Gates", get(w2, func() string { return w2.viewName }))
	assert.Equal(t, 0, openViewers(w2), "a wall not on screen watches nothing")

	// Picking it in the list brings it back.
	key(w, "3")
	w.viewSelect.SetSelected("Gates")
	assert.Equal(t, app.Layout4, get(w, func() app.WallLayout { return w.layout }))

	// A different operator does not see it.
	admin, err := c.core.Accounts.SignIn(context.Background(), "admin", "sunshine-demo")
	require.NoError(t, err)
	c.signedIn(admin)
	w3 := wallOf(t, c)
	assert.Empty(t, get(w3, func() []app.WallView { return w3.views }))
	assert.Equal(t, app.Layout16, get(w3, func() app.WallLayout { return w3.layout }))

	get(w, func() bool { w.c.write(w.deleteView("Gates")); return true })
	require.Eventually(t, func() bool { return get(w, func() bool { return len(w.views) == 0 && w.viewName == "" }) },
		15*time.Second, 10*time.Millisecond)
}

func TestWallSnapshotWritesAPNG(t *testing.T) {
	c := newTestConsole(t, enConfig())
	w := wallOf(t, c)

	tap(w.tiles[15]) // empty
	get(w, func() bool { w.snapshot(); return true })
	assert.Equal(t, "Select a tile with a camera first", w.notice.Text)

	tap(w.tiles[0])
	waitPlaying(t, w, w.tiles[0])
	tap(w.snapBtn)
	require.Eventually(t, func() bool { return get(w, func() string { return w.lastSnap }) != "" }, 10*time.Second, 20*time.Millisecond)
	path := get(w, func() string { return w.lastSnap })
	assert.Contains(t, w.notice.Text, path)
	assert.True(t, strings.HasPrefix(filepathBase(path), "cam-gate-s-"), path)
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	require.NoError(t, err)
	assert.Equal(t, testkit.Sub.X, cfg.Width, "the stream's full resolution, not the tile's")
	assert.Equal(t, testkit.Sub.Y, cfg.Height)
}

func filepathBase(p string) string { return p[strings.LastIndex(p, string(os.PathSeparator))+1:] }

func TestWallHiddenWatchesNothing(t *testing.T) {
	c := newTestConsole(t, enConfig())
	w := wallOf(t, c)
	require.Equal(t, 13, openViewers(w))
	c.shell.show("inventory")
	assert.Equal(t, 0, openViewers(w))
	assert.Equal(t, 0, w.Stats().Tiles)
	c.shell.show("wall")
	assert.Equal(t, 13, openViewers(w))
	signOut(t, c)
	assert.Equal(t, 0, openViewers(w), "signing out closes the streams")
}

// logCapture keeps the records of a logger.
type logCapture struct {
	mu   sync.Mutex
	recs []slog.Record
}

func (l *logCapture) Enabled(context.Context, slog.Level) bool { return true }
func (l *logCapture) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.recs = append(l.recs, r.Clone())
	return nil
}
func (l *logCapture) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logCapture) WithGroup(string) slog.Handler      { return l }

// all returns the attributes of every record logged with msg.
func (l *logCapture) all(msg string) []map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for _, r := range l.recs {
		if r.Message == msg {
			attrs := map[string]any{}
			r.Attrs(func(a slog.Attr) bool { attrs[a.Key] = a.Value.Any(); return true })
			out = append(out, attrs)
		}
	}
	return out
}

func (l *logCapture) find(msg string) (map[string]any, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range l.recs {
		if r.Message != msg {
			continue
		}
		attrs := map[string]any{}
		r.Attrs(func(a slog.Attr) bool { attrs[a.Key] = a.Value.Any(); return true })
		if n, _ := attrs["tiles"].(int64); n > 0 {
			if fps, _ := attrs["handed_fps"].(float64); fps > 0 {
				return attrs, true
			}
		}
	}
	return nil, false
}

func TestWallLogsItsStatsWhenAsked(t *testing.T) {
	t.Setenv(statsEnv, "300ms")
	c := newTestConsole(t, enConfig())
	capture := &logCapture{}
	c.core.Log = slog.New(capture)
	w := newWallPanel(c).(*wallPanel)
	w.Shown(true)
	t.Cleanup(func() { w.Shown(false) })
	var attrs map[string]any
	require.Eventually(t, func() bool { var ok bool; attrs, ok = capture.find("wall stats"); return ok }, 15*time.Second, 50*time.Millisecond)
	for _, k := range []string{"tiles", "tile_w", "tile_h", "painted_fps", "min_tile_fps", "decoded_to_screen_p50_ms", "decoded_to_screen_p95_ms",
		"captured_to_screen_p50_ms", "captured_to_screen_p95_ms", "handed_fps", "captured_to_handed_p95_ms", "ui_lag_p95_ms"} {
		assert.Contains(t, attrs, k)
	}
	assert.EqualValues(t, 13, attrs["tiles"])
}

func TestWallGeometry(t *testing.T) {
	assert.Equal(t, [2]int{64, 36}, pt(pixelSize(10, 5, 1)))
	assert.Equal(t, [2]int{400, 226}, pt(pixelSize(200, 112.6, 2)))
	assert.Equal(t, [2]int{286, 160}, pt(pixelSize(285.3, 160.4, 1)))
	for _, l := range app.WallLayouts {
		cols, rows, cells := layoutCells(l)
		assert.Len(t, cells, l.Tiles(), l)
		covered := map[[2]int]bool{}
		for _, c := range cells {
			for x := c.X; x < c.X+c.W; x++ {
				for y := c.Y; y < c.Y+c.H; y++ {
					assert.False(t, covered[[2]int{x, y}], "%s: tiles overlap", l)
					covered[[2]int{x, y}] = true
				}
			}
		}
		assert.Len(t, covered, cols*rows, "%s fills its grid", l)
	}
	assert.Equal(t, "Camera wall", fitText("Camera wall", 1000, 13, fyne.TextStyle{}))
	short := fitText("A very long camera name indeed", 60, 13, fyne.TextStyle{})
	assert.True(t, strings.HasSuffix(short, "…"), short)
}

func pt(p interface{ String() string }) [2]int {
	var a, b int
	fmt.Sscanf(p.String(), "(%d,%d)", &a, &b)
	return [2]int{a, b}
}

func TestWallTileNeverShowsAFrozenFrame(t *testing.T) {
	c := newTestConsole(t, enConfig())
	w := wallOf(t, c)
	live := w.tiles[0]
	waitPlaying(t, w, live)
	w.locked(func() {
		w.stopPump() // hold the frames back, as a camera that stops sending
		live.shown.Decoded = time.Now().Add(-stallAfter - time.Second)
		live.showStatus(app.StreamStatus{State: app.StreamPlaying})
		assert.Equal(t, tileStalled, live.state)
		assert.False(t, live.img.Visible(), "the last frame is taken off")
		assert.Contains(t, visibleTexts(live), "Waiting for video…")

		live.showStatus(app.StreamStatus{State: app.StreamFailed, Reason: app.ReasonTimeout, Since: time.Now()})
		assert.Equal(t, tileFailed, live.state)
		assert.Contains(t, visibleTexts(live), T(app.ReasonTimeout))
		w.startPump()
	})
	// A frame decoded before the failure does not bring the picture back; a new one does.
	require.Eventually(t, func() bool { return get(w, func() bool { return live.state == tilePlaying }) }, 10*time.Second, 20*time.Millisecond)
}

// The camera tree marks a camera that is received without video (its stream failed), and
// unmarks it when it plays.
func TestTheCameraTreeMarksCamerasWithoutVideo(t *testing.T) {
	c := newTestConsole(t, enConfig())
	w := wallOf(t, c)
	site := c.core.Inventory.Site()
	dead := site.Cameras[liveCameras].ID // nothing answers at its address
	v, err := c.x.Feeds.Watch(dead, false, 64, 36)
	require.NoError(t, err)
	defer v.Close()
	require.Eventually(t, func() bool {
		var text string
		fyne.DoAndWait(func() {
			w.Tick()
			text = camItemFor(t, c, dead).label.Text
		})
		return strings.HasSuffix(text, "No video")
	}, 30*time.Second, 100*time.Millisecond, "the camera is marked")
	var live string
	fyne.DoAndWait(func() { live = camItemFor(t, c, site.Cameras[0].ID).label.Text })
	assert.NotContains(t, live, "No video", "a camera that plays is not")
}

// A frame counts as shown when it is painted into the window, not when it is handed to the
// canvas: two frames handed over between two paints are one frame on screen, and a paint
// without a new frame shows none.
func TestWallCountsTheFramesPaintedNotThoseHandedOver(t *testing.T) {
	c := newTestConsole(t, enConfig())
	w := wallOf(t, c)
	live := w.tiles[0]
	waitPlaying(t, w, live)
	w.locked(w.stopPump) // only this test hands frames over from here on
	t.Cleanup(func() { w.locked(w.startPump) })
	frame := func() *app.Frame {
		f := app.NewFrame(image.NewRGBA(image.Rect(0, 0, live.px.X, live.px.Y)), nil)
		f.Decoded, f.Captured = time.Now(), time.Now().Add(-time.Millisecond)
		return f
	}
	v := get(w, func() app.Viewer { return live.viewer })
	handOver := func() {
		seq := get(w, func() uint64 { return live.shownSeq })
		w.apply([]frameUpdate{{live, v, frame()}}, false)
		require.Equal(t, seq+1, get(w, func() uint64 { return live.shownSeq }), "the frame is taken")
	}
	paint := func() { fyne.DoAndWait(func() { c.win.Canvas().Capture() }) }
	// The frames handed over before the pump stopped are painted first.
	paint()
	before := paintedOn(w, live)

	handOver()
	handOver()
	paint()
	require.Eventually(t, func() bool { return paintedOn(w, live) == before+1 }, 15*time.Second, 20*time.Millisecond,
		"two frames handed over between paints are one frame painted")
	paint()
	handOver()
	paint()
	paint()
	require.Eventually(t, func() bool { return paintedOn(w, live) == before+2 }, 15*time.Second, 20*time.Millisecond,
		"a paint without a new frame shows none")
	assert.Equal(t, before+2, paintedOn(w, live), "a paint without a new frame shows none")

	st := w.Stats()
	assert.Positive(t, st.PaintedFPS)
	assert.GreaterOrEqual(t, st.CapturedToScreenP95, st.DecodedToScreenP95, "sent before it was decoded, decoded before it was painted")
	assert.Zero(t, st.MinTileFPS, "the other tiles painted nothing since the pump stopped (and the dead camera never)")
}

// paintedOn counts the frames painted on a tile that the wall's stats hold.
func paintedOn(w *wallPanel, tl *tile) int {
	w.painted.mu.Lock()
	defer w.painted.mu.Unlock()
	n := 0
	for _, s := range w.painted.ring {
		if s.tile == tl {
			n++
		}
	}
	return n
}
