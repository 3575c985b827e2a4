package ui

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
	"watchpost/mapdraw"
)

// The site map: the community's plan with its grids, buildings, cameras (and where they
// look) and devices by kind, coloured by state; open alarms blink on their marker and
// their grid until someone acknowledges them. A click shows what is there, with what can
// be done (acknowledge, history, the camera live, the wall); the alarm desk and the map
// select together. The grid list says who is responsible for each grid and what is wrong
// in it. Administrators edit the plan here (map_edit.go).

// blinkEvery is the half-period of a new alarm's blink.
const blinkEvery = 500 * time.Millisecond

// autoBlink runs the blink on a timer (tests turn it off and blink by hand).
var autoBlink = true

type mapPanel struct {
	c       *Console
	site    *app.Site
	m       *siteMap
	content fyne.CanvasObject

	search *widget.Entry
	hits   []app.Hit

	tabs     *container.AppTabs
	detail   *fyne.Container
	selected string // what the details show
	gridBox  *fyne.Container
	gridSig  string

	editBtn  *widget.Button
	editBar  *fyne.Container
	editHint *widget.Label
	opacity  *widget.Slider
	bgCheck  *widget.Check
	bgFile   string // the background picture loaded
	layers   mapdraw.Layers

	previews  []*livePreview
	shown     bool
	blinkStop chan struct{}

	offline   map[string]bool      // marker keys of devices offline and cameras whose stream failed
	faulted   map[string]bool      // devices with an open "offline" alarm (also offline)
	alarmOf   map[string]app.Alarm // marker key → its most urgent open alarm
	gridAlarm map[string][]app.Alarm
	alarmSel  int64 // the alarm selected on the desk
	history   string
	ordersOn  bool      // the open work orders' layer (map_orders.go)
	ordersAt  time.Time // the core's clock when their pins were last placed
}

func newMapPanel(c *Console) panelView {
	p := &mapPanel{c: c, site: c.core.Inventory.Site(), offline: map[string]bool{}, alarmOf: map[string]app.Alarm{}, gridAlarm: map[string][]app.Alarm{}}
	if p.site == nil {
		p.content = container.NewCenter(widget.NewLabel(T("No site is set up yet")))
		return p
	}
	p.m = newSiteMap(p.site)
	p.m.onSelect = p.selectedOnMap
	p.m.onGridEdit = p.commitGrid
	p.m.onMove = p.commitMove
	p.m.onDrawn = p.newGridDrawn
	p.m.onMenu = p.mapMenu
	p.m.onOrder = c.ShowOrder
	p.ordersOn = p.mayShowOrders()

	p.search = widget.NewEntry()
	p.search.SetPlaceHolder(T("Find a building, camera, device, grid or person…"))
	p.search.ActionItem = widget.NewIcon(theme.SearchIcon())
	p.search.OnChanged = p.searchChanged
	p.search.OnSubmitted = func(string) {
		if len(p.hits) > 0 {
			p.goTo(p.hits[0])
		}
	}
	zoomIn := widget.NewButtonWithIcon("", theme.ZoomInIcon(), func() { p.m.zoomStep(1) })
	zoomOut := widget.NewButtonWithIcon("", theme.ZoomOutIcon(), func() { p.m.zoomStep(-1) })
	fit := widget.NewButtonWithIcon(T("Fit site"), theme.ViewFullScreenIcon(), func() { p.m.fit() })
	tools := container.NewHBox(zoomOut, zoomIn, fit)
	op := c.Operator()
	if op != nil && op.Role.Can(app.ActEditSite) {
		p.editBtn = widget.NewButtonWithIcon(T("Edit site"), theme.DocumentCreateIcon(), func() { p.setEditing(!p.m.editing) })
		tools.Add(widget.NewSeparator())
		tools.Add(p.editBtn)
	}
	top := container.NewBorder(nil, nil, heading(T("Site map")), tools, p.search)
	p.editBar = p.buildEditBar()
	p.editBar.Hide()

	p.detail = container.NewStack()
	p.gridBox = container.NewVBox()
	p.tabs = container.NewAppTabs(
		container.NewTabItem(T("Details"), container.NewPadded(p.detail)),
		container.NewTabItem(T("Grids"), container.NewVScroll(p.gridBox)),
		container.NewTabItem(T("Layers"), container.NewVScroll(p.buildLayers())),
	)
	p.showSummary()
	mapArea := container.NewBorder(p.editBar, nil, nil, nil, p.m)
	split := container.NewHSplit(mapArea, p.tabs)
	split.Offset = 0.72
	p.content = container.NewBorder(container.NewPadded(top), nil, nil, nil, split)

	p.loadBackground()
	p.updateLooks()
	p.refreshGrids()
	p.refreshOrders()
	return p
}

func (p *mapPanel) Object() fyne.CanvasObject { return p.content }

func (p *mapPanel) hitSymbol(h app.Hit) fyne.Resource {
	switch h.Kind {
	case app.ItemGrid:
		return symbol("grid")
	case app.ItemBuilding:
		return symbol("building")
	case app.ItemCamera:
		return symbol("camera")
	}
	if d, ok := p.site.Device(h.ID); ok {
		return kindSymbol(d.Kind)
	}
	return theme.QuestionIcon()
}

// --- layers ----------------------------------------------------------------------------

func (p *mapPanel) buildLayers() fyne.CanvasObject {
	p.layers = p.m.r.Layers()
	l := &p.layers
	check := func(text string, on bool, set func(bool)) *widget.Check {
		c := widget.NewCheck(text, func(v bool) {
			set(v)
			p.m.r.SetLayers(p.layers)
			p.m.redrawAll()
		})
		c.SetChecked(on)
		return c
	}
	box := container.NewVBox(
		check(T("Grids"), l.Grids, func(v bool) { l.Grids = v }),
		check(T("Labels"), l.Labels, func(v bool) { l.Labels = v }),
		check(T("Cameras"), l.Cameras, func(v bool) { l.Cameras = v }),
	)
	if p.mayShowOrders() {
		orders := widget.NewCheck(T("Open work orders"), func(v bool) {
			p.ordersOn = v
			p.refreshOrders()
		})
		orders.SetChecked(p.ordersOn)
		box.Add(container.NewHBox(widget.NewIcon(theme.DocumentIcon()), orders))
	}
	box.Add(widget.NewSeparator())
	for _, k := range app.DeviceKinds {
		k := k
		row := container.NewHBox(widget.NewIcon(kindSymbol(k)), check(T(k.Label()), true, func(v bool) { l.Hidden[k] = !v }))
		box.Add(row)
	}
	box.Add(widget.NewSeparator())
	p.bgCheck = check(T("Background picture"), l.Background, func(v bool) { l.Background = v })
	box.Add(p.bgCheck)
	p.opacity = widget.NewSlider(0.1, 1)
	p.opacity.Step = 0.05
	p.opacity.SetValue(app.DefaultBackgroundOpacity)
	if p.site.Background != nil {
		p.opacity.SetValue(p.site.Background.Alpha())
	}
	p.opacity.OnChangeEnded = func(v float64) {
		if bg := p.m.r.Background(); bg != nil {
			next := *bg
			next.Alpha = v
			p.m.r.SetBackground(&next)
			p.m.redrawAll()
		}
	}
	box.Add(container.NewBorder(nil, nil, widget.NewLabel(T("Opacity")), nil, p.opacity))
	return box
}

// --- details ---------------------------------------------------------------------------

func (p *mapPanel) setDetail(objs ...fyne.CanvasObject) {
	p.closePreviews()
	p.detail.Objects = []fyne.CanvasObject{container.NewVScroll(container.NewVBox(objs...))}
	p.detail.Refresh()
}

func (p *mapPanel) closePreviews() {
	for _, pv := range p.previews {
		pv.Close()
	}
	p.previews = nil
}

// showSummary is shown when nothing is selected.
func (p *mapPanel) showSummary() {
	en := english()
	c := p.site.Counts()
	rows := []kvRow{
		kv("Grids", fmt.Sprint(c.Grids)), kv("Buildings", fmt.Sprint(c.Buildings)),
		kv("Cameras", fmt.Sprint(c.Cameras)), kv("Devices", fmt.Sprint(c.Devices)),
		kv("Open alarms", fmt.Sprint(len(p.c.core.Desk.Open()))),
	}
	hint := hintLabel(T("Click a marker, a building or a grid to see it here. Drag to pan, scroll to zoom."))
	p.setDetail(heading(p.site.Display(en)), details(rows), hint)
}

// selectedOnMap: the operator clicked something on the map.
func (p *mapPanel) selectedOnMap(key string) {
	p.c.win.Canvas().Unfocus() // the map's keys (+, −, arrows) go to the panel again
	p.showDetail(key)
	if a, ok := p.alarmOf[key]; ok {
		p.alarmSel = a.ID
		p.c.SelectAlarm(a.ID)
	}
}

// showDetail shows what a key names, with its actions.
func (p *mapPanel) showDetail(key string) {
	p.selected = key
	p.history = ""
	kind, id := mapdraw.SplitKey(key)
	s := p.site
	switch kind {
	case "device":
		if d, ok := s.Device(id); ok {
			p.deviceDetail(d)
			return
		}
	case "camera":
		if c, ok := s.Camera(id); ok {
			p.cameraDetail(c)
			return
		}
	case "building":
		if b, ok := s.Building(id); ok {
			p.buildingDetail(b)
			return
		}
	case "grid":
		if g, ok := s.Grid(id); ok {
			p.gridDetail(g)
			return
		}
	}
	p.selected = ""
	p.showSummary()
}

func (p *mapPanel) refreshDetail() {
	if p.selected != "" && p.shown {
		keep := p.history
		p.showDetail(p.selected)
		if keep != "" {
			p.showHistory(keep)
		}
	}
}

func (p *mapPanel) monitor() *app.DeviceMonitor {
	if p.c.core.Ingest == nil {
		return nil
	}
	return p.c.core.Ingest.Monitor()
}

// alarmBox shows a thing's open alarm with what can be done about it.
func (p *mapPanel) alarmBox(a app.Alarm) fyne.CanvasObject {
	op := p.c.Operator()
	title := container.NewHBox(newBadge(a.Priority.String(), priorityColor(a.Priority)), widget.NewLabel(T(app.AlarmKindLabel(a.Kind))),
		newBadge(T(stateText(a.State)), stateBadgeColor(a.State)))
	if a.Drill {
		title.Add(newBadge(T("DRILL"), themeColor(colorDemo)))
	}
	ack := widget.NewButtonWithIcon(T("Acknowledge"), theme.ConfirmIcon(), func() { p.acknowledge(a.ID) })
	ack.Importance = widget.HighImportance
	if a.State != app.AlarmNew || op == nil || !op.Role.Can(app.ActAckAlarm) {
		ack.Disable()
	}
	desk := widget.NewButtonWithIcon(T("Show on the alarm desk"), theme.NavigateNextIcon(), func() {
		p.c.SelectAlarm(a.ID)
		p.c.ShowPanel("alarms")
	})
	when := muted(a.RaisedAt.Local().Format("15:04:05") + " · " + p.c.ago(a.RaisedAt))
	bg := canvas.NewRectangle(withAlpha(priorityColor(a.Priority), 0x30))
	bg.CornerRadius = 4
	return container.NewStack(bg, container.NewPadded(container.NewVBox(title, when, container.NewHBox(ack, desk))))
}

// acknowledge acknowledges an alarm as the operator signed in (checked by the desk).
func (p *mapPanel) acknowledge(id int64) {
	p.c.write(write{run: func(ctx context.Context, op *app.Operator) error {
		_, err := p.c.core.Desk.Acknowledge(ctx, op, id, "")
		return err
	}})
}

func (p *mapPanel) deviceDetail(d *app.Device) {
	en := english()
	rows := []kvRow{kv("Type", T(d.Kind.Label())), kv("Identifier", d.ID)}
	if loc := d.DisplayLocation(en); loc != "" {
		rows = append(rows, kv("Location", loc))
	}
	if g, ok := p.site.Grid(d.GridID); ok {
		rows = append(rows, kv("Grid", g.Display(en)), kv("Grid worker", g.Worker.Name+"  "+g.Worker.Phone))
	}
	if pr := d.Person.Masked(); pr != nil { // the full record: the device panel (people_view.go)
		if pr.Erased {
			rows = append(rows, kv("Resident", T("erased")))
		} else {
			rows = append(rows, kv("Resident", pr.Name))
			if pr.Contact != "" {
				rows = append(rows, kv("Family contact", pr.Contact+"  "+pr.ContactPhone))
			}
		}
	}
	state := T("Never heard")
	if mon := p.monitor(); mon != nil {
		if st, ok := mon.State(d.ID); ok {
			if st.Online {
				state = T("Online") + " · " + p.c.ago(st.LastSeen)
			} else {
				state = T("Offline") + " · " + p.c.ago(st.LastSeen)
			}
			if st.Battery != nil {
				state += fmt.Sprintf(" · %.0f%%", *st.Battery)
			}
		}
	}
	if p.faulted["device:"+d.ID] && !p.offline["device:"+d.ID] {
		state = T("Offline")
	}
	rows = append(rows, kv("State", state))
	objs := []fyne.CanvasObject{container.NewHBox(widget.NewIcon(kindSymbol(d.Kind)), heading(d.Display(en)))}
	if a, ok := p.alarmOf["device:"+d.ID]; ok {
		objs = append(objs, p.alarmBox(a))
	}
	objs = append(objs, details(rows))
	hist := widget.NewButtonWithIcon(T("History"), theme.HistoryIcon(), func() { p.showHistory(d.ID) })
	objs = append(objs, container.NewHBox(hist))
	if p.m.editing {
		objs = append(objs, hintLabel(T("Drag the marker to move the device.")))
	}
	p.setDetail(objs...)
}

// showHistory adds a device's latest journal entries to its details.
func (p *mapPanel) showHistory(deviceID string) {
	hist, err := p.c.core.Desk.DeviceHistory(context.Background(), deviceID, 20)
	if err != nil {
		p.c.showError(err)
		return
	}
	p.history = deviceID
	box := container.NewVBox(heading(T("History")))
	if len(hist) == 0 {
		box.Add(muted(T("Nothing recorded yet")))
	}
	for i := len(hist) - 1; i >= 0; i-- {
		l := widget.NewLabel(deviceHistoryLine(hist[i]))
		l.Wrapping = fyne.TextWrapWord
		box.Add(l)
	}
	scroll, ok := p.detail.Objects[0].(*container.Scroll)
	if !ok {
		return
	}
	body := scroll.Content.(*fyne.Container)
	body.Add(box)
	body.Refresh()
}

// deviceHistoryLine renders one entry of a device's history.
func deviceHistoryLine(e app.Entry) string {
	when := e.Time.Local().Format("01-02 15:04:05")
	switch e.Kind {
	case app.KindDeviceReading:
		var r app.Reading
		if e.Decode(&r) == nil {
			line := when + "  " + T("Message") + ": " + readingSummary(&r) // reading_values.go
			if note := readingClockNote(&r); note != "" {
				line += " · " + note
			}
			return line
		}
	case app.KindDeviceGap:
		if gap, ok := gapText(&e); ok {
			return when + "  " + gap
		}
	case app.KindDeviceOffline:
		return when + "  " + T("Went offline")
	case app.KindDeviceOnline:
		return when + "  " + T("Back online")
	case app.KindDeviceMoved:
		return when + "  " + T("Moved on the map by {{.Who}}", map[string]any{"Who": e.Operator})
	case app.KindDeviceAdded:
		return when + "  " + T("Registered by {{.Who}}", map[string]any{"Who": e.Operator})
	case app.KindDeviceUpdated:
		return when + "  " + T("Changed by {{.Who}}", map[string]any{"Who": e.Operator})
	}
	return when + "  " + string(e.Kind)
}

func (p *mapPanel) cameraDetail(c *app.Camera) {
	en := english()
	rows := []kvRow{kv("Type", T(cameraKindLabel(c.Kind))), kv("Identifier", c.ID),
		kv("Looks", fmt.Sprintf("%.0f° %s · %.0f° · %.0f m", c.Direction, T(compass(c.Direction)), c.FieldOfView(), c.ViewRange()))}
	if g, ok := p.site.Grid(c.GridID); ok {
		rows = append(rows, kv("Grid", g.Display(en)))
	}
	objs := []fyne.CanvasObject{container.NewHBox(widget.NewIcon(symbol("camera")), heading(c.Display(en)))}
	if a, ok := p.alarmOf["camera:"+c.ID]; ok {
		objs = append(objs, p.alarmBox(a))
	}
	p.closePreviews()
	var pv *livePreview
	if p.shown {
		pv = newLivePreview(p.c.x.Feeds, c)
		objs = append(objs, pv.content)
	}
	wall := widget.NewButtonWithIcon(T("Open on the wall"), theme.ViewFullScreenIcon(), func() { p.c.ShowCameraOnWall(c.ID) })
	wall.Importance = widget.HighImportance
	settings := widget.NewButtonWithIcon(T("Camera settings…"), theme.SettingsIcon(), func() { p.c.showCameraSettings(*c) })
	objs = append(objs, container.NewHBox(wall, settings), details(rows))
	if p.m.editing {
		objs = append(objs, hintLabel(T("Drag the marker to move the camera, the round handle to aim it.")))
	}
	p.setDetail(objs...) // closes the previews shown before
	if pv != nil {
		p.previews = append(p.previews, pv)
	}
}

func (p *mapPanel) buildingDetail(b *app.Building) {
	en := english()
	rows := []kvRow{kv("Identifier", b.ID)}
	if b.Number != "" {
		rows = append(rows, kv("Number", b.Number))
	}
	if b.Floors > 0 {
		rows = append(rows, kv("Floors", fmt.Sprint(b.Floors)))
	}
	if b.Units > 0 {
		rows = append(rows, kv("Stairwells", fmt.Sprint(b.Units)))
	}
	if g, ok := p.site.Grid(b.GridID); ok {
		rows = append(rows, kv("Grid", g.Display(en)), kv("Grid worker", g.Worker.Name+"  "+g.Worker.Phone))
	}
	devs, offline := 0, 0
	var alarms []app.Alarm
	for i := range p.site.Devices {
		d := &p.site.Devices[i]
		if d.BuildingID == b.ID {
			devs++
			if p.isOffline("device:" + d.ID) {
				offline++
			}
			if a, ok := p.alarmOf["device:"+d.ID]; ok {
				alarms = append(alarms, a)
			}
		}
	}
	rows = append(rows, kv("Devices", T("{{.N}} ({{.Off}} offline)", map[string]any{"N": devs, "Off": offline})))
	objs := []fyne.CanvasObject{container.NewHBox(widget.NewIcon(symbol("building")), heading(b.Display(en)))}
	for _, a := range alarms {
		objs = append(objs, p.alarmBox(a))
	}
	objs = append(objs, details(rows))
	p.setDetail(objs...)
}

func (p *mapPanel) gridDetail(g *app.Grid) {
	en := english()
	st := p.gridStats(g)
	rows := []kvRow{kv("Grid worker", g.Worker.Name), kv("Phone", g.Worker.Phone),
		kv("Buildings", strings.Join(st.buildings, ", ")),
		kv("Open alarms", fmt.Sprint(len(st.alarms))), kv("Devices offline", fmt.Sprint(st.offline))}
	objs := []fyne.CanvasObject{container.NewHBox(swatch(canvas.NewRectangle(mapdraw.GridColor(g))), heading(g.Display(en)))}
	for _, a := range st.alarms {
		objs = append(objs, p.alarmBox(a))
	}
	objs = append(objs, details(rows))
	if p.m.editing {
		edit := widget.NewButtonWithIcon(T("Name and grid worker…"), theme.DocumentCreateIcon(), func() { p.editGridDialog(*g, false) })
		objs = append(objs, edit, hintLabel(T("Drag a corner to reshape the grid; drag the dot in the middle of an edge to add a corner; right-click a corner to remove it.")))
	}
	p.setDetail(objs...)
}

// hintLabel is a muted explanation that wraps (it never widens the column).
func hintLabel(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	l.Importance = widget.LowImportance
	l.SizeName = theme.SizeNameCaptionText
	return l
}

func swatch(c fyne.CanvasObject) fyne.CanvasObject {
	return container.NewGridWrap(fyne.NewSize(14, 14), c)
}

// --- grids -----------------------------------------------------------------------------

type gridStats struct {
	buildings []string
	alarms    []app.Alarm
	offline   int
}

// gridStats: the buildings a grid covers (where they stand), its open alarms and the
// devices in it that are offline.
func (p *mapPanel) gridStats(g *app.Grid) gridStats {
	en := english()
	var st gridStats
	for i := range p.site.Buildings {
		b := &p.site.Buildings[i]
		if g.Area.Contains(b.Footprint.Centroid()) {
			name := b.Number
			if name == "" {
				name = b.Display(en)
			}
			st.buildings = append(st.buildings, name)
		}
	}
	st.alarms = p.gridAlarm[g.ID]
	for i := range p.site.Devices {
		d := &p.site.Devices[i]
		if d.GridID == g.ID && p.isOffline("device:"+d.ID) {
			st.offline++
		}
	}
	return st
}

// refreshGrids rebuilds the grid list when something in it changed.
func (p *mapPanel) refreshGrids() {
	en := english()
	type row struct {
		g  *app.Grid
		st gridStats
	}
	var rows []row
	var sig strings.Builder
	for i := range p.site.Grids {
		g := &p.site.Grids[i]
		st := p.gridStats(g)
		rows = append(rows, row{g, st})
		fmt.Fprintf(&sig, "%s|%s|%s|%s|%d|%d|%v;", g.ID, g.Display(en), g.Worker.Name, g.Worker.Phone, len(st.alarms), st.offline, st.buildings)
	}
	if sig.String() == p.gridSig {
		return
	}
	p.gridSig = sig.String()
	p.gridBox.Objects = nil
	for _, r := range rows {
		g := r.g
		id := g.ID
		name := widget.NewButton(g.Display(en), func() { p.goToKey("grid:" + id) })
		name.Alignment = widget.ButtonAlignLeading
		name.Importance = widget.LowImportance
		head := container.NewBorder(nil, nil, container.NewCenter(swatch(canvas.NewRectangle(mapdraw.GridColor(g)))), nil, name)
		worker := widget.NewLabel(g.Worker.Name + "  " + g.Worker.Phone)
		worker.Selectable = true
		line := container.NewHBox()
		if n := len(r.st.alarms); n > 0 {
			worst := r.st.alarms[0]
			line.Add(newBadge(T("{{.N}} open alarms", map[string]any{"N": n}), priorityColor(worst.Priority)))
		} else {
			line.Add(newBadge(T("No open alarms"), themeColor(colorOK)))
		}
		if r.st.offline > 0 {
			line.Add(newBadge(T("{{.N}} devices offline", map[string]any{"N": r.st.offline}), themeColor(colorOffline)))
		}
		blds := muted(T("Buildings: {{.List}}", map[string]any{"List": strings.Join(r.st.buildings, ", ")}))
		if len(r.st.buildings) == 0 {
			blds = muted(T("No buildings"))
		}
		bg := canvas.NewRectangle(themeColor(colorPanel))
		bg.CornerRadius = 6
		card := container.NewStack(bg, container.NewPadded(container.NewVBox(head, worker, blds, line)))
		p.gridBox.Add(card)
	}
	p.gridBox.Refresh()
}

// --- live state --------------------------------------------------------------------------

// updateLooks brings markers and grids in line with the open alarms and the devices' and
// cameras' states, and draws again only what changed.
func (p *mapPanel) updateLooks() {
	open := p.c.core.Desk.Open() // most urgent first
	faulted := map[string]bool{}
	for _, a := range open {
		if a.Kind == app.AlarmOffline && a.DeviceID != "" {
			faulted["device:"+a.DeviceID] = true
		}
	}
	lk := mapdraw.LooksOf(p.site, open)
	lk.Muted = mutedLooks(p.c.core, p.site)
	p.alarmOf, p.gridAlarm, p.faulted = lk.AlarmOf, lk.Grids, faulted
	p.m.showLooks(lk, func(key string) bool { return p.offline[key] })
	p.ensureBlinking()
}

// showLooks gives each marker and grid its look (offline says which markers are offline)
// and draws again only what changed.
func (m *siteMap) showLooks(lk mapdraw.Looks, offline func(key string) bool) {
	rects := m.r.ShowLooks(lk, offline)
	if len(rects) > 0 && m.r.Image() != nil {
		if !m.r.Ready() {
			m.redrawAll()
		} else {
			m.redrawRects(rects)
			m.placeLabels() // alarmed markers get their name shown
		}
	}
}

// isOffline: the monitor says so, or an open alarm says it went silent (the monitor does
// not know devices it never heard from since the start).
func (p *mapPanel) isOffline(key string) bool { return p.offline[key] || p.faulted[key] }

// readStates reads which devices are offline (the monitor) and which cameras' streams
// failed.
func (p *mapPanel) readStates() {
	off := map[string]bool{}
	if mon := p.monitor(); mon != nil {
		for i := range p.site.Devices {
			if st, ok := mon.State(p.site.Devices[i].ID); ok && !st.Online {
				off["device:"+p.site.Devices[i].ID] = true
			}
		}
	}
	if p.c.x.Feeds != nil {
		for _, st := range p.c.x.Feeds.Statuses() {
			if st.State == app.StreamFailed {
				off["camera:"+st.CameraID] = true
			} else if st.State == app.StreamPlaying {
				delete(off, "camera:"+st.CameraID)
			}
		}
	}
	p.offline = off
}

// OnEntry follows the journal: alarms, devices going offline and back, edits of the plan.
func (p *mapPanel) OnEntry(e app.Entry) {
	if p.m == nil {
		return
	}
	switch {
	case e.Kind.IsAlarm():
		p.updateLooks()
		p.refreshGrids()
		if p.selected != "" && p.shown {
			p.refreshDetail()
		}
	case e.Kind == app.KindDeviceOffline || e.Kind == app.KindDeviceOnline:
		p.readStates()
		p.updateLooks()
		p.refreshGrids()
	case e.Kind.ChangesSite():
		p.reloadSite()
	case e.Kind.IsOrder():
		p.refreshOrders()
	}
}

// reloadSite takes the inventory's current site (after an edit).
func (p *mapPanel) reloadSite() {
	s := p.c.core.Inventory.Site()
	if s == nil || s == p.site {
		return
	}
	p.site = s
	p.m.setSite(s)
	p.loadBackground()
	p.updateLooks()
	p.refreshGrids()
	if p.selected != "" {
		p.showDetail(p.selected)
	}
}

// Tick catches up once a second: device and camera states, and the open alarms (the bus
// drops entries for a subscriber that falls behind; a marker must not stay wrong).
func (p *mapPanel) Tick() {
	if p.m == nil {
		return
	}
	if p.shown { // hidden, the map follows the journal's entries only
		p.readStates()
	}
	p.updateLooks()
	if p.shown {
		p.refreshGrids()
	}
	// An order falls due without an entry: its pin turns red within boardRepaint.
	if now := p.c.core.Clock.Now(); now.Sub(p.ordersAt) >= boardRepaint || now.Before(p.ordersAt) {
		p.refreshOrders()
	}
}

// Shown starts the blinking and the previews while the map is on screen.
func (p *mapPanel) Shown(on bool) {
	if p.m == nil || on == p.shown {
		return
	}
	p.shown = on
	if on {
		p.readStates()
		p.updateLooks()
		p.refreshGrids()
		if p.selected != "" {
			p.showDetail(p.selected)
		}
		p.ensureBlinking()
	} else {
		p.closePreviews()
		p.stopBlinking()
	}
}

// ensureBlinking runs the blink while something blinks and the map is shown.
func (p *mapPanel) ensureBlinking() {
	if !p.shown || !p.m.r.Blinking() || !autoBlink {
		p.stopBlinking()
		return
	}
	if p.blinkStop != nil {
		return
	}
	stop := make(chan struct{})
	p.blinkStop = stop
	go func() {
		t := time.NewTicker(blinkEvery)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				p.c.onUI(func() {
					select {
					case <-stop:
					default:
						p.blink()
					}
				})
			}
		}
	}()
}

func (p *mapPanel) stopBlinking() {
	if p.blinkStop != nil {
		close(p.blinkStop)
		p.blinkStop = nil
	}
	if p.m != nil {
		p.m.r.SetBlinkOn(false) // a steady phase while nothing blinks
	}
}

// blink turns the blinking phase: only the blinking markers and grids are drawn again.
func (p *mapPanel) blink() {
	if !p.m.r.Ready() {
		p.m.r.SetBlinkOn(!p.m.r.BlinkOn())
		p.m.redrawAll()
		return
	}
	p.m.r.Blink()
	p.m.img.Refresh()
}

// TypedKey: + and − zoom, 0 fits the site, arrows pan, Escape clears the selection or
// stops drawing a grid.
func (p *mapPanel) TypedKey(ev *fyne.KeyEvent) {
	if p.m == nil || p.c.win.Canvas().Overlays().Top() != nil {
		return
	}
	step := float64(p.m.r.View().W) / 8
	switch ev.Name {
	case fyne.KeyPlus, fyne.KeyEqual:
		p.m.zoomStep(1)
	case fyne.KeyMinus:
		p.m.zoomStep(-1)
	case fyne.Key0, fyne.KeyHome:
		p.m.fit()
	case fyne.KeyLeft:
		p.m.pan(step, 0)
	case fyne.KeyRight:
		p.m.pan(-step, 0)
	case fyne.KeyUp:
		p.m.pan(0, step)
	case fyne.KeyDown:
		p.m.pan(0, -step)
	case fyne.KeyReturn, fyne.KeyEnter:
		if p.m.drawing {
			p.m.finishDrawing()
		}
	case fyne.KeyEscape:
		if p.cancelPlacing() { // map_things.go
			return
		}
		if p.m.drawing {
			p.m.drawing = false
			p.m.r.SetDrawing(nil)
			p.m.redrawAll()
			p.editHint.SetText(T("Drawing cancelled"))
			return
		}
		p.m.selectKey("")
		p.showDetail("")
	}
}

// --- search ------------------------------------------------------------------------------

// searchChanged lists what matches in the details column (Enter flies to the first).
func (p *mapPanel) searchChanged(q string) {
	if strings.TrimSpace(q) == "" {
		p.hits = nil
		p.showDetail(p.selected)
		return
	}
	p.hits = p.c.core.Inventory.Search(q, english())
	if len(p.hits) > 30 {
		p.hits = p.hits[:30]
	}
	p.tabs.SelectIndex(0)
	objs := []fyne.CanvasObject{heading(T("Search"))}
	if len(p.hits) == 0 {
		objs = append(objs, muted(T("Nothing matches “{{.Q}}”", map[string]any{"Q": q})))
	}
	for _, h := range p.hits {
		h := h
		b := widget.NewButtonWithIcon(h.Name, p.hitSymbol(h), func() { p.goTo(h) })
		b.Alignment = widget.ButtonAlignLeading
		b.Importance = widget.LowImportance
		objs = append(objs, b)
	}
	p.setDetail(objs...)
}

// goTo flies to a search hit and selects it.
func (p *mapPanel) goTo(h app.Hit) {
	p.goToKey(string(h.Kind) + ":" + h.ID)
}

// goToKey flies the map to a grid, building, camera or device and selects it.
func (p *mapPanel) goToKey(key string) {
	kind, id := mapdraw.SplitKey(key)
	s := p.site
	var r app.Rect
	minSpan := 60.0
	switch kind {
	case "grid":
		if g, ok := s.Grid(id); ok {
			r = g.Area.Bounds()
		}
	case "building":
		if b, ok := s.Building(id); ok {
			r = b.Footprint.Bounds()
			minSpan = 90
		}
	case "camera":
		if c, ok := s.Camera(id); ok {
			r = app.Rect{Min: c.Position, Max: c.Position}
		}
	case "device":
		if d, ok := s.Device(id); ok {
			r = app.Rect{Min: d.Position, Max: d.Position}
		}
	}
	if r.Empty() {
		return
	}
	p.m.flyTo(p.m.fitRect(r, minSpan), true)
	p.m.selectKey(key)
	p.tabs.SelectIndex(0)
	p.selectedOnMap(key)
}

// --- the alarm desk ------------------------------------------------------------------------

// alarmSelected: the desk selected an alarm; the map shows its marker (and brings it into
// view when it is off screen).
func (p *mapPanel) alarmSelected(id int64) {
	if p.m == nil || id == p.alarmSel {
		return
	}
	p.alarmSel = id
	a, err := p.c.core.Desk.Get(context.Background(), id)
	if err != nil {
		return
	}
	key, pos, ok := "", app.Point{}, false
	if d, found := p.site.Device(a.DeviceID); found {
		key, pos, ok = "device:"+d.ID, d.Position, true
	} else if c, found := p.site.Camera(a.CameraID); found {
		key, pos, ok = "camera:"+c.ID, c.Position, true
	} else if a.Position != nil {
		pos, ok = *a.Position, true
	}
	if !ok {
		return
	}
	if key != "" {
		p.m.selectKey(key)
		p.showDetail(key)
	}
	if !p.m.visible(pos) && p.m.r.Image() != nil {
		p.m.flyTo(p.m.r.View().Centred(pos), true)
	}
}

// --- background picture ------------------------------------------------------------------

// loadBackground decodes the site's background picture (once per file).
func (p *mapPanel) loadBackground() {
	bg := p.site.Background
	if p.bgCheck != nil { // the picture's layer and opacity only mean something with one
		if bg == nil {
			p.bgCheck.Disable()
			p.opacity.Disable()
		} else {
			p.bgCheck.Enable()
			p.opacity.Enable()
		}
	}
	if bg == nil {
		p.bgFile = ""
		if p.m.r.Background() != nil {
			p.m.r.SetBackground(nil)
		}
		return
	}
	tr, err := bg.Transform()
	if err != nil {
		return
	}
	if cur := p.m.r.Background(); bg.File == p.bgFile && cur != nil {
		next := *cur
		next.Transform = tr
		p.m.r.SetBackground(&next)
		return
	}
	data, err := p.c.core.Inventory.BackgroundImage(context.Background())
	if err != nil {
		p.c.core.Log.Warn("background picture not shown", "err", err)
		return
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		p.c.core.Log.Warn("background picture cannot be read", "file", bg.File, "err", err)
		return
	}
	p.bgFile = bg.File
	alpha := bg.Alpha()
	if p.opacity != nil {
		p.opacity.SetValue(alpha)
	}
	p.m.r.SetBackground(&mapdraw.Background{Image: img, Transform: tr, Alpha: alpha})
}
