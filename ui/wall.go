package ui

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// The camera wall: the site's cameras in tiles (1, 4, 9, 16, 25, 36, or one large tile with
// 5 or 7 small ones), page after page, with an optional tour; a camera list to drag from;
// an enlarged view of one camera playing its main stream; the operator's named views;
// snapshots; and the borders of tiles whose camera sees an open alarm.
//
// Only the tiles on screen watch their cameras (the sub stream, at the tile's own size);
// a hidden wall watches nothing. One pump puts the frames on screen (wall_pump.go).

// tourChoices are the tour intervals offered (0: no tour).
var tourChoices = []time.Duration{0, 5 * time.Second, 10 * time.Second, 20 * time.Second, 30 * time.Second, time.Minute}

// noticeFor is how long a notice (a saved snapshot, a saved view) stays.
const noticeFor = 20 * time.Second

type wallPanel struct {
	c       *Console
	op      *app.Operator // the wall belongs to the shell of the operator signed in
	site    *app.Site
	cams    map[string]*app.Camera
	content fyne.CanvasObject

	// mu serialises the wall's state. Every entry point takes it: the shell's calls, taps,
	// keys, drags, the pump's batches and the results of background work. On the desktop
	// they all run on the UI thread and it is never contended; Fyne's test driver runs
	// fyne.Do on the calling goroutine, and the lock keeps that orderly too. Code under
	// the lock never calls a widget method that calls back into the wall synchronously.
	mu       sync.Mutex
	layout   app.WallLayout
	cameras  []string // camera IDs by tile, page after page ("" an empty tile)
	page     int
	tour     time.Duration
	tourNext time.Time
	viewName string // the view loaded or saved last ("" not saved)
	views    []app.WallView
	selected int // tile on the page
	enlarged bool
	shown    bool
	alarms   map[string]alarmMark // by camera
	flashOn  bool
	noticeAt time.Time
	lastSnap string // path of the last snapshot

	tiles []*tile // the pool: the first layout.Tiles() are on the page
	big   *tile   // the enlarged view
	grid  *fyne.Container
	stage *fyne.Container // the grid, or the enlarged view
	list  *cameraList
	ghost *badge         // follows the pointer while a camera is dragged
	probe *canvas.Raster // notes the paints that put frames on screen (wall_paint.go)

	layoutButtons map[app.WallLayout]*widget.Button
	prevBtn       *widget.Button
	nextBtn       *widget.Button
	pageLabel     *widget.Label
	tourSelect    *widget.Select
	viewSelect    *widget.Select
	saveBtn       *widget.Button
	deleteBtn     *widget.Button
	enlargeBtn    *widget.Button
	snapBtn       *widget.Button
	notice        *canvas.Text

	// The pump's side (wall_pump.go).
	feedMu     sync.Mutex
	feeds      []feedRef
	anyFlash   atomic.Bool
	applying   atomic.Bool
	pumpStop   chan struct{}
	stats      latencyWindow // frames handed to the canvas
	painted    latencyWindow // frames painted into the window (wall_paint.go)
	paints     paintMeter
	paintsW    latencyWindow // the window's paints that put new frames on screen
	enlargedAt time.Time     // when the view was last enlarged, until its main stream's first frame is painted
	// The enlarged view, until its main stream's first frame is on screen: the pump hands
	// that frame over as soon as it comes (woken by pumpWake), not at its next tick.
	firstWanted atomic.Pointer[tile]
	pumpWake    chan struct{}
	uiLag       latencyWindow // how long batches waited for the UI thread
	statsEvery  time.Duration
	static      *staticFeeds // still pictures in place of the cameras (wall_static.go)
}

func newWallPanel(c *Console) panelView {
	w := &wallPanel{c: c, op: c.Operator(), site: c.core.Inventory.Site(), cams: map[string]*app.Camera{}, alarms: map[string]alarmMark{}}
	if w.site == nil {
		w.content = container.NewCenter(widget.NewLabel(T("No site is set up yet")))
		return w
	}
	for i := range w.site.Cameras {
		w.cams[w.site.Cameras[i].ID] = &w.site.Cameras[i]
	}
	w.statsEvery = statsInterval(c.core.Log.Warn)
	w.paints.into, w.paints.paints, w.paints.log = &w.painted, &w.paintsW, c.core.Log.Info
	w.pumpWake = make(chan struct{}, 1)
	if fps := staticRate(c.core.Log.Warn); fps > 0 {
		w.static = &staticFeeds{fps: fps}
	}
	for i := 0; i < app.MaxWallTiles; i++ {
		w.tiles = append(w.tiles, newTile(w, i))
	}
	w.big = newTile(w, -1)
	w.grid = container.New(newGridLayout(app.Layout4))
	w.stage = container.NewStack(w.grid)
	w.ghost = newBadge("", themeColor(theme.ColorNamePrimary))
	w.ghost.Hide()
	w.list = newCameraList(w)

	toolbar := w.buildToolbar()
	w.notice = muted("")
	hint := muted(T("Double-click or Enter: enlarge · Esc: back · 1–9: layout · PgUp/PgDn: page"))
	bottom := container.NewBorder(nil, nil, w.notice, hint)
	stageBG := canvas.NewRectangle(themeColor(colorHeader))
	stage := container.NewStack(stageBG, container.NewPadded(w.stage))
	main := container.NewBorder(toolbar, container.NewPadded(bottom), nil, nil, stage)
	split := container.NewHSplit(w.list.content, main)
	split.Offset = 0.18
	w.probe = newPaintProbe(w)
	w.content = container.NewStack(split, container.NewWithoutLayout(w.ghost, w.probe))

	w.locked(func() {
		w.loadInitialView()
		w.refreshAlarms()
	})
	return w
}

// source opens the tiles' viewers: the cameras' feeds, or still pictures for the benchmark's
// painting floor (nil: video is not available).
func (w *wallPanel) source() app.CameraFeeds {
	if w.static != nil {
		return w.static
	}
	return w.c.x.Feeds
}

// Object is the panel's content.
func (w *wallPanel) Object() fyne.CanvasObject { return w.content }

// locked runs f with the wall's lock held.
func (w *wallPanel) locked(f func()) {
	w.mu.Lock()
	defer w.mu.Unlock()
	f()
}

func (w *wallPanel) buildToolbar() fyne.CanvasObject {
	layouts := container.NewHBox()
	w.layoutButtons = map[app.WallLayout]*widget.Button{}
	for _, l := range app.WallLayouts {
		b := widget.NewButton(string(l), func() { w.locked(func() { w.setLayout(l) }) })
		w.layoutButtons[l] = b
		layouts.Add(b)
	}
	w.prevBtn = widget.NewButtonWithIcon("", theme.NavigateBackIcon(), func() { w.locked(func() { w.turnPage(-1) }) })
	w.nextBtn = widget.NewButtonWithIcon("", theme.NavigateNextIcon(), func() { w.locked(func() { w.turnPage(1) }) })
	w.pageLabel = widget.NewLabel("")
	w.tourSelect = widget.NewSelect(nil, func(s string) { w.locked(func() { w.setTourLabel(s) }) })
	w.enlargeBtn = widget.NewButtonWithIcon("", theme.ViewFullScreenIcon(), func() { w.locked(func() { w.setEnlarged(!w.enlarged) }) })
	w.snapBtn = widget.NewButtonWithIcon(T("Snapshot"), symbol("camera"), func() { w.locked(w.snapshot) })
	if op := w.op; op == nil || !op.Role.Can(app.ActSnapshot) || w.c.core.Wall == nil {
		w.snapBtn.Disable()
	}
	left := container.NewHBox(layouts, widget.NewSeparator(), w.prevBtn, w.pageLabel, w.nextBtn, widget.NewSeparator(), w.tourSelect)
	right := container.NewHBox(w.enlargeBtn, w.snapBtn)
	return container.NewPadded(container.NewBorder(nil, nil, left, right))
}

// updateToolbar shows the layout, page, tour, view and what can be done now.
func (w *wallPanel) updateToolbar() {
	for l, b := range w.layoutButtons {
		imp := widget.LowImportance
		if l == w.layout {
			imp = widget.HighImportance
		}
		if b.Importance != imp {
			b.Importance = imp
			b.Refresh()
		}
	}
	pages := w.pages()
	w.pageLabel.SetText(T("Page {{.Page}} / {{.Pages}}", map[string]any{"Page": w.page + 1, "Pages": pages}))
	if pages > 1 {
		w.prevBtn.Enable()
		w.nextBtn.Enable()
	} else {
		w.prevBtn.Disable()
		w.nextBtn.Disable()
	}
	var opts []string
	found := false
	for _, d := range tourChoices {
		opts = append(opts, tourLabel(d))
		found = found || d == w.tour
	}
	if !found {
		opts = append(opts, tourLabel(w.tour))
	}
	w.tourSelect.Options = opts
	w.tourSelect.Selected = tourLabel(w.tour) // set directly: SetSelected would call back
	w.tourSelect.Refresh()
	if w.enlarged {
		w.enlargeBtn.SetIcon(theme.ViewRestoreIcon())
	} else {
		w.enlargeBtn.SetIcon(theme.ViewFullScreenIcon())
	}
	if w.current() != nil && w.current().cam != nil {
		w.enlargeBtn.Enable()
	} else {
		w.enlargeBtn.Disable()
	}
	w.list.updateViews()
}

func tourLabel(d time.Duration) string {
	if d <= 0 {
		return T("No tour")
	}
	return T("Tour every {{.Interval}}", map[string]any{"Interval": formatDuration(d)})
}

func (w *wallPanel) setTourLabel(s string) {
	for _, d := range append(append([]time.Duration(nil), tourChoices...), w.tour) {
		if tourLabel(d) == s {
			w.setTour(d)
			return
		}
	}
}

func (w *wallPanel) setTour(d time.Duration) {
	w.tour = d
	w.tourNext = w.c.core.Clock.Now().Add(d)
	w.updateToolbar()
}

// tourTick turns the page when the tour's interval has passed (from Tick).
func (w *wallPanel) tourTick(now time.Time) {
	if !w.shown || w.tour <= 0 || w.enlarged || w.pages() <= 1 {
		return
	}
	if w.tourNext.IsZero() {
		w.tourNext = now.Add(w.tour)
		return
	}
	if !now.Before(w.tourNext) {
		w.turnPage(1)
		w.tourNext = now.Add(w.tour)
	}
}

// --- views ---------------------------------------------------------------------------

// defaultView is every camera of the site in site order, in the smallest square layout
// that shows them all (at most 64 tiles a page).
func (w *wallPanel) defaultView() app.WallView {
	v := app.WallView{Layout: app.Layout64}
	for _, c := range w.site.Cameras {
		v.Cameras = append(v.Cameras, c.ID)
	}
	for _, l := range []app.WallLayout{app.Layout1, app.Layout4, app.Layout9, app.Layout16, app.Layout25, app.Layout36, app.Layout64} {
		if len(v.Cameras) <= l.Tiles() {
			v.Layout = l
			break
		}
	}
	return v
}

func (w *wallPanel) prefKey() string {
	if op := w.op; op != nil {
		return "wall.view." + op.Username
	}
	return "wall.view"
}

// loadInitialView shows the view the operator used last, else their latest saved view,
// else every camera.
func (w *wallPanel) loadInitialView() {
	w.views = w.readViews()
	last := w.c.app.Preferences().String(w.prefKey())
	var pick *app.WallView
	for i := range w.views {
		if w.views[i].Name == last {
			pick = &w.views[i]
			break
		}
	}
	if pick == nil {
		for i := range w.views {
			if pick == nil || w.views[i].SavedAt.After(pick.SavedAt) {
				pick = &w.views[i]
			}
		}
	}
	if pick != nil {
		w.applyView(*pick)
	} else {
		w.applyView(w.defaultView())
	}
}

func (w *wallPanel) readViews() []app.WallView {
	op := w.op
	if w.c.core.Wall == nil || op == nil {
		return nil
	}
	vs, err := w.c.core.Wall.Views(context.Background(), op)
	if err != nil {
		w.c.core.Log.Warn("saved views not read", "err", err)
		return nil
	}
	return vs
}

// applyView shows a view from its first page.
func (w *wallPanel) applyView(v app.WallView) {
	if !v.Layout.Valid() {
		v.Layout = w.defaultView().Layout
	}
	w.layout = v.Layout
	w.cameras = append([]string(nil), v.Cameras...)
	w.tour = v.Tour.D()
	w.tourNext = time.Time{}
	w.viewName = v.Name
	w.page, w.selected, w.enlarged = 0, 0, false
	w.stage.Objects = []fyne.CanvasObject{w.grid}
	w.rebuildGrid()
	w.sync()
	w.stage.Refresh()
	w.updateToolbar()
}

// loadView shows one of the operator's saved views by name.
func (w *wallPanel) loadView(name string) {
	for _, v := range w.views {
		if v.Name == name {
			w.applyView(v)
			w.c.app.Preferences().SetString(w.prefKey(), name)
			return
		}
	}
}

// currentView is the wall as it is now, to save.
func (w *wallPanel) currentView(name string) app.WallView {
	return app.WallView{Name: name, Layout: w.layout, Cameras: append([]string(nil), w.cameras...), Tour: app.Duration(w.tour)}
}

// askSaveView asks for a name and saves the view under it.
func (w *wallPanel) askSaveView() {
	name := widget.NewEntry()
	name.SetText(w.viewName)
	name.SetPlaceHolder(T("e.g. Gates at night"))
	items := []*widget.FormItem{widget.NewFormItem(T("Name"), name)}
	// The dialog stays open until the view is saved, and with the reason when the core
	// refuses it.
	d := newWriteForm(w.c, T("Save view"), T("Save"), items, func() (write, error) {
		var v write
		w.locked(func() { v = w.saveView(name.Text) })
		return v, nil
	})
	name.OnSubmitted = func(string) { d.submit() }
	d.Show(fyne.NewSize(420, 0))
	w.c.win.Canvas().Focus(name)
}

// saveView is the write that saves the wall as a named view of the operator's (journaled
// by the core).
func (w *wallPanel) saveView(name string) write {
	v := w.currentView(name)
	return w.changeViews(func(ctx context.Context, wall *app.Wall) error { return wall.SaveView(ctx, w.op, v) }, func() {
		w.viewName = strings.TrimSpace(name)
		w.c.app.Preferences().SetString(w.prefKey(), w.viewName)
		w.setNotice(T("View “{{.Name}}” saved", map[string]any{"Name": w.viewName}))
	})
}

// askDeleteView asks before deleting the view shown.
func (w *wallPanel) askDeleteView() {
	name := w.viewName
	if name == "" {
		return
	}
	showConfirm(T("Delete view"), T("Delete the view “{{.Name}}”?", map[string]any{"Name": name}), func(ok bool) {
		if ok {
			w.locked(func() { w.c.write(w.deleteView(name)) })
		}
	}, w.c.win)
}

func (w *wallPanel) deleteView(name string) write {
	return w.changeViews(func(ctx context.Context, wall *app.Wall) error { return wall.DeleteView(ctx, w.op, name) }, func() {
		if w.viewName == name {
			w.viewName = ""
		}
		w.setNotice(T("View “{{.Name}}” deleted", map[string]any{"Name": name}))
	})
}

// changeViews is the write of a change of the saved views (off the UI thread: it waits for
// the journal); it reloads the list, and then, on the UI thread, runs done.
func (w *wallPanel) changeViews(change func(context.Context, *app.Wall) error, done func()) write {
	wall, op := w.c.core.Wall, w.op
	var views []app.WallView
	return write{
		run: func(ctx context.Context, _ *app.Operator) error {
			if err := change(ctx, wall); err != nil {
				return err
			}
			views, _ = wall.Views(ctx, op)
			return nil
		},
		done: func() {
			w.locked(func() {
				w.views = views
				done()
				w.updateToolbar()
			})
		},
	}
}

// --- tiles, pages, layouts -----------------------------------------------------------

// rebuildGrid puts the layout's tiles in the grid.
func (w *wallPanel) rebuildGrid() {
	g := newGridLayout(w.layout)
	n := w.layout.Tiles()
	objs := make([]fyne.CanvasObject, n)
	for i := 0; i < n; i++ {
		w.tiles[i].cell = g.cells[i]
		w.tiles[i].Show()
		objs[i] = w.tiles[i]
	}
	if w.selected >= n {
		w.selected = 0
	}
	for i, t := range w.tiles {
		t.setSelected(i == w.selected && i < n)
	}
	w.grid.Layout = g
	w.grid.Objects = objs
	w.grid.Refresh()
}

// visibleTiles are the tiles on screen.
func (w *wallPanel) visibleTiles() []*tile {
	if !w.shown {
		return nil
	}
	if w.enlarged {
		return []*tile{w.big}
	}
	return w.tiles[:w.layout.Tiles()]
}

// current is the tile the operator works with: the enlarged one, or the selected one.
func (w *wallPanel) current() *tile {
	if w.enlarged {
		return w.big
	}
	if w.selected < len(w.tiles) {
		return w.tiles[w.selected]
	}
	return nil
}

func (w *wallPanel) pages() int {
	n := w.layout.Tiles()
	if n == 0 || len(w.cameras) == 0 {
		return 1
	}
	return (len(w.cameras) + n - 1) / n
}

func (w *wallPanel) cameraAt(i int) *app.Camera {
	if i < 0 || i >= len(w.cameras) {
		return nil
	}
	return w.cams[w.cameras[i]]
}

// sync points every tile at its camera and opens viewers only for what is on screen: the
// page's tiles (sub streams), or the enlarged tile (main stream). Everything else is closed.
func (w *wallPanel) sync() {
	n := w.layout.Tiles()
	for i, t := range w.tiles {
		if i >= n {
			t.attach(nil, false, false)
			continue
		}
		t.attach(w.cameraAt(w.page*n+i), false, w.shown && !w.enlarged)
	}
	var bigCam *app.Camera
	if w.enlarged && w.selected < n {
		bigCam = w.tiles[w.selected].cam
	}
	w.big.attach(bigCam, true, w.shown && w.enlarged && bigCam != nil)
	w.publishFeeds()
}

// setLayout switches the layout, keeping the first camera of the page on screen.
func (w *wallPanel) setLayout(l app.WallLayout) {
	if !l.Valid() || (l == w.layout && !w.enlarged) {
		return
	}
	first := w.page * w.layout.Tiles()
	w.layout = l
	w.page = first / l.Tiles()
	if w.page >= w.pages() {
		w.page = w.pages() - 1
	}
	w.enlarged = false
	w.stage.Objects = []fyne.CanvasObject{w.grid}
	w.rebuildGrid()
	w.sync()
	w.stage.Refresh()
	w.updateToolbar()
}

// turnPage moves d pages on, round the end.
func (w *wallPanel) turnPage(d int) {
	pages := w.pages()
	if pages <= 1 {
		return
	}
	w.page = ((w.page+d)%pages + pages) % pages
	w.tourNext = w.c.core.Clock.Now().Add(w.tour)
	if w.enlarged {
		w.enlarged = false
		w.stage.Objects = []fyne.CanvasObject{w.grid}
		w.stage.Refresh()
	}
	w.sync()
	w.updateToolbar()
}

func (w *wallPanel) selectTile(i int) {
	if i < 0 || i >= w.layout.Tiles() {
		return
	}
	w.selected = i
	for j, t := range w.tiles[:w.layout.Tiles()] {
		t.setSelected(j == i)
	}
	w.updateToolbar()
}

// moveSelection moves the selection to the nearest tile in a direction (arrow keys); it
// works for focus layouts too, where tiles differ in size.
func (w *wallPanel) moveSelection(dx, dy int) {
	if w.enlarged {
		return
	}
	cur := w.tiles[w.selected].cell
	best, bestScore := -1, 0.0
	for i, t := range w.tiles[:w.layout.Tiles()] {
		if i == w.selected {
			continue
		}
		c := t.cell
		var gap, off float64
		switch {
		case dx > 0 && c.X >= cur.X+cur.W:
			gap, off = float64(c.X-cur.X-cur.W), centreOffset(c.Y, c.H, cur.Y, cur.H)
		case dx < 0 && c.X+c.W <= cur.X:
			gap, off = float64(cur.X-c.X-c.W), centreOffset(c.Y, c.H, cur.Y, cur.H)
		case dy > 0 && c.Y >= cur.Y+cur.H:
			gap, off = float64(c.Y-cur.Y-cur.H), centreOffset(c.X, c.W, cur.X, cur.W)
		case dy < 0 && c.Y+c.H <= cur.Y:
			gap, off = float64(cur.Y-c.Y-c.H), centreOffset(c.X, c.W, cur.X, cur.W)
		default:
			continue
		}
		if score := gap*10 + off; best < 0 || score < bestScore {
			best, bestScore = i, score
		}
	}
	if best >= 0 {
		w.selectTile(best)
	}
}

func centreOffset(a, aw, b, bw int) float64 {
	d := float64(2*a+aw-2*b-bw) / 2
	if d < 0 {
		return -d
	}
	return d
}

// setEnlarged shows the current tile's camera alone, playing its main stream, or returns.
func (w *wallPanel) setEnlarged(on bool) {
	if on && w.tiles[w.selected].cam == nil {
		return
	}
	if on == w.enlarged {
		return
	}
	w.enlarged = on
	var standIn *app.Frame
	if on {
		w.stage.Objects = []fyne.CanvasObject{w.big}
		// The tile's picture stays on the enlarged view until the main stream's first
		// frame replaces it: the camera is on screen at once, whatever its main stream takes.
		standIn = w.tiles[w.selected].takeFrame()
		w.enlargedAt = time.Now()
	} else {
		w.stage.Objects = []fyne.CanvasObject{w.grid}
	}
	w.stage.Refresh() // lay out first: the viewers open at their tile's size
	w.sync()
	w.big.showStandIn(standIn)
	if on {
		w.firstWanted.Store(w.big)
	} else {
		w.firstWanted.Store(nil)
	}
	select {
	case w.pumpWake <- struct{}{}:
	default:
	}
	w.updateToolbar()
}

// assign puts a camera in tile i of the page (and selects it).
func (w *wallPanel) assign(i int, camID string) {
	n := w.layout.Tiles()
	if i < 0 || i >= n || w.cams[camID] == nil {
		return
	}
	idx := w.page*n + i
	for len(w.cameras) <= idx {
		w.cameras = append(w.cameras, "")
	}
	w.cameras[idx] = camID
	w.selected = i
	for j, t := range w.tiles[:n] {
		t.setSelected(j == i)
	}
	w.sync()
	w.updateToolbar()
}

// assignSelected puts a camera in the selected tile (double-click in the camera list).
func (w *wallPanel) assignSelected(camID string) { w.assign(w.selected, camID) }

// clearTile takes the camera out of tile i of the page.
func (w *wallPanel) clearTile(i int) {
	idx := w.page*w.layout.Tiles() + i
	if idx < 0 || idx >= len(w.cameras) {
		return
	}
	w.cameras[idx] = ""
	if w.enlarged && i == w.selected {
		w.setEnlarged(false)
	}
	w.sync()
	w.updateToolbar()
}

// tileAt returns the page's tile at an absolute canvas position (or -1).
func (w *wallPanel) tileAt(abs fyne.Position) int {
	if !w.shown {
		return -1
	}
	if w.enlarged {
		if w.big.containsAbs(abs) {
			return w.selected
		}
		return -1
	}
	for i, t := range w.tiles[:w.layout.Tiles()] {
		if t.containsAbs(abs) {
			return i
		}
	}
	return -1
}

// dragOver follows a camera dragged from the list: the badge follows the pointer and the
// tile under it is outlined.
func (w *wallPanel) dragOver(camID string, abs fyne.Position) {
	cam := w.cams[camID]
	if cam == nil {
		return
	}
	if !w.ghost.Visible() || w.ghost.text.Text != cam.Display(english()) {
		w.ghost.Set(cam.Display(english()), themeColor(theme.ColorNamePrimary))
		w.ghost.Resize(w.ghost.MinSize())
		w.ghost.Show()
	}
	origin := fyne.CurrentApp().Driver().AbsolutePositionForObject(w.content)
	w.ghost.Move(abs.Subtract(origin).Add(fyne.NewPos(14, 10)))
	w.ghost.Refresh()
	over := w.tileAt(abs)
	for i, t := range w.tiles[:w.layout.Tiles()] {
		t.setDropping(!w.enlarged && i == over)
	}
	w.big.setDropping(w.enlarged && over >= 0)
}

// dropAt ends a drag: the camera goes into the tile under abs, if any. It reports whether
// it was placed.
func (w *wallPanel) dropAt(camID string, abs fyne.Position) bool {
	w.ghost.Hide()
	for _, t := range w.tiles {
		t.setDropping(false)
	}
	w.big.setDropping(false)
	i := w.tileAt(abs)
	if i < 0 {
		return false
	}
	w.assign(i, camID)
	return true
}

// --- the shell's calls ---------------------------------------------------------------

// Shown opens the viewers of the tiles on screen, or closes them all when the wall is
// hidden (Feeds stops unwatched streams after a grace period).
func (w *wallPanel) Shown(on bool) {
	if w.site == nil {
		return
	}
	w.locked(func() {
		if on == w.shown {
			return
		}
		w.shown = on
		w.sync()
		if on {
			w.refreshAlarms()
			w.tourNext = time.Time{}
			w.startPump()
		} else {
			w.stopPump()
		}
	})
}

// Tick polls the streams' states once a second (a tile is redrawn only when its state
// changed), turns the tour's pages, and catches up with the open alarms (the bus drops
// entries for a subscriber that falls behind; a border must not stay wrong).
func (w *wallPanel) Tick() {
	if w.site == nil {
		return
	}
	w.locked(func() {
		if !w.shown {
			return
		}
		for _, t := range w.visibleTiles() {
			if t.viewer != nil {
				t.showStatus(t.viewer.Status())
			}
		}
		w.refreshAlarms()
		if w.list != nil {
			w.list.refreshOffline()
		}
		now := w.c.core.Clock.Now()
		w.tourTick(now)
		if !w.noticeAt.IsZero() && now.Sub(w.noticeAt) > noticeFor {
			w.setNotice("")
		}
	})
}

// OnEntry follows the alarms (the tiles of cameras that see an open alarm get its border)
// and the cameras' settings (a camera's analytics boxes go on or off at its next frame).
func (w *wallPanel) OnEntry(e app.Entry) {
	if w.site == nil {
		return
	}
	if e.Kind.ChangesSite() { // a camera added, changed or deleted (wall_inventory.go)
		w.locked(func() { w.followSite(e) })
		return
	}
	if !e.Kind.IsAlarm() {
		return
	}
	w.locked(w.refreshAlarms)
}

// TypedKey: arrows select, 1–9 pick the layout, Enter enlarges, Escape returns, Page Up
// and Page Down turn pages, Delete empties the selected tile.
func (w *wallPanel) TypedKey(e *fyne.KeyEvent) {
	if w.site == nil {
		return
	}
	w.locked(func() { w.key(e) })
}

func (w *wallPanel) key(e *fyne.KeyEvent) {
	if w.c.win.Canvas().Overlays().Top() != nil {
		return // a dialog or a menu is open: the keys are its
	}
	switch e.Name {
	case fyne.KeyLeft:
		w.moveSelection(-1, 0)
	case fyne.KeyRight:
		w.moveSelection(1, 0)
	case fyne.KeyUp:
		w.moveSelection(0, -1)
	case fyne.KeyDown:
		w.moveSelection(0, 1)
	case fyne.KeyReturn, fyne.KeyEnter:
		w.setEnlarged(!w.enlarged)
	case fyne.KeyEscape:
		w.setEnlarged(false)
	case fyne.KeyPageUp:
		w.turnPage(-1)
	case fyne.KeyPageDown:
		w.turnPage(1)
	case fyne.KeyDelete:
		w.clearTile(w.selected)
	default:
		if len(e.Name) == 1 && e.Name[0] >= '1' && int(e.Name[0]-'1') < len(app.WallLayouts) {
			w.setLayout(app.WallLayouts[e.Name[0]-'1'])
		}
	}
}

func (w *wallPanel) tileTapped(t *tile) {
	w.c.win.Canvas().Unfocus() // the wall's keys go to the wall again
	if t.index >= 0 {
		w.selectTile(t.index)
	}
}

func (w *wallPanel) tileDoubleTapped(t *tile) {
	w.c.win.Canvas().Unfocus()
	if t.index < 0 {
		w.setEnlarged(false)
		return
	}
	w.selectTile(t.index)
	w.setEnlarged(true)
}

// tileMenu offers what can be done with a tile (right click).
func (w *wallPanel) tileMenu(t *tile, at fyne.Position) {
	if t.index >= 0 {
		w.selectTile(t.index)
	}
	if t.cam == nil {
		return
	}
	var items []*fyne.MenuItem
	if w.enlarged {
		items = append(items, fyne.NewMenuItem(T("Back to the wall"), func() { w.locked(func() { w.setEnlarged(false) }) }))
	} else {
		items = append(items, fyne.NewMenuItem(T("Enlarge"), func() { w.locked(func() { w.setEnlarged(true) }) }))
	}
	if !w.snapBtn.Disabled() {
		items = append(items, fyne.NewMenuItem(T("Snapshot"), func() { w.locked(w.snapshot) }))
	}
	cam := *t.cam
	items = append(items, fyne.NewMenuItem(T("Video analytics…"), func() { w.c.showAnalytics(cam) }))
	sel := w.selected
	items = append(items, fyne.NewMenuItem(T("Remove from the wall"), func() { w.locked(func() { w.clearTile(sel) }) }))
	widget.ShowPopUpMenuAtPosition(fyne.NewMenu("", items...), w.c.win.Canvas(), at)
}

// --- alarms --------------------------------------------------------------------------

// refreshAlarms marks the cameras that see an open alarm: a real alarm outranks a drill's,
// a new alarm (flashing) the ones being handled (steady), then the more urgent priority wins.
func (w *wallPanel) refreshAlarms() {
	marks := map[string]alarmMark{}
	if w.c.core.Desk != nil {
		now := w.c.core.Clock.Now()
		for _, a := range w.c.core.Desk.Open() {
			if !a.OnWall() {
				continue
			}
			isNew := a.Flashing(now)
			for _, id := range w.site.CamerasSeeing(&a) {
				m, ok := marks[id]
				if !ok || (m.Drill && !a.Drill) || (m.Drill == a.Drill && ((isNew && !m.Flash) || (isNew == m.Flash && a.Priority < m.Priority))) {
					marks[id] = alarmMark{Priority: a.Priority, Flash: isNew, Drill: a.Drill}
				}
			}
		}
	}
	w.alarms = marks
	for _, t := range append(w.tiles[:w.layout.Tiles():w.layout.Tiles()], w.big) {
		t.flashOn = w.flashOn // a border that starts flashing joins the others' phase
		t.setAlarm(w.alarmFor(t.cam))
	}
	w.publishFeeds()
}

func (w *wallPanel) alarmFor(cam *app.Camera) *alarmMark {
	if cam == nil {
		return nil
	}
	if m, ok := w.alarms[cam.ID]; ok {
		return &m
	}
	return nil
}

// --- snapshots and notices -----------------------------------------------------------

// snapshot saves the current tile's picture, at its stream's full resolution, as a PNG in
// the data directory and tells the operator where.
func (w *wallPanel) snapshot() {
	t := w.current()
	if t == nil || t.cam == nil || t.viewer == nil {
		w.setNotice(T("Select a tile with a camera first"))
		return
	}
	op, wall, v, cam := w.op, w.c.core.Wall, t.viewer, t.cam
	w.setNotice(T("Taking a snapshot…"))
	var path string
	w.c.write(write{
		run: func(ctx context.Context, _ *app.Operator) error {
			img, err := v.Snapshot()
			if err != nil {
				return app.Errorf(app.CodeUnavailable, "The camera has no picture to save").Wrap(err)
			}
			path, err = wall.Snapshot(ctx, op, cam, img)
			return err
		},
		done: func() {
			w.locked(func() {
				w.lastSnap = path
				w.setNotice(T("Snapshot saved: {{.Path}}", map[string]any{"Path": path}))
			})
		},
		failed: func(error) { w.locked(func() { w.setNotice("") }) },
	})
}

func (w *wallPanel) setNotice(s string) {
	w.notice.Text = s
	w.noticeAt = time.Time{}
	if s != "" {
		w.noticeAt = w.c.core.Clock.Now()
	}
	w.notice.Refresh()
}

// scale is the canvas's scale: a tile of 100 units is 100×scale pixels.
func (w *wallPanel) scale() float32 {
	if w.c.win == nil || w.c.win.Canvas() == nil {
		return 1
	}
	if s := w.c.win.Canvas().Scale(); s > 0 {
		return s
	}
	return 1
}
