package ui

import (
	"fmt"
	"math"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// The site inventory: every grid, building, camera and device of the community, in a tree
// grouped by kind, searchable by name, ID, location, grid worker or resident, with the
// details of the selected one and links to what it belongs to.

const (
	branchGrids     = "grids"
	branchBuildings = "buildings"
	branchCameras   = "cameras"
	branchDevices   = "devices"
	kindPrefix      = "kind:"
)

type inventoryPanel struct {
	c        *Console
	content  fyne.CanvasObject
	site     *app.Site
	search   *widget.Entry
	found    *canvas.Text
	counts   *canvas.Text        // how many of each thing: follows imports and edits
	actions  []fyne.CanvasObject // the next detail's buttons
	tree     *widget.Tree
	detail   *fyne.Container
	children map[string][]string
	selected string
}

func newInventoryPanel(c *Console) panelView {
	p := &inventoryPanel{c: c, site: c.core.Inventory.Site()}
	if p.site == nil {
		p.content = container.NewCenter(widget.NewLabel(T("No site is set up yet")))
		return p
	}
	p.search = widget.NewEntry()
	p.search.SetPlaceHolder(T("Search grids, buildings, cameras, devices, people…"))
	p.search.ActionItem = widget.NewIcon(theme.SearchIcon())
	p.search.OnChanged = func(string) { p.filter() }
	p.found = muted("")

	p.tree = widget.NewTree(
		func(uid widget.TreeNodeID) []widget.TreeNodeID { return p.children[uid] },
		func(uid widget.TreeNodeID) bool { _, ok := p.children[uid]; return ok },
		func(branch bool) fyne.CanvasObject {
			return container.NewHBox(widget.NewIcon(theme.ListIcon()), widget.NewLabel("Template item name"), muted("template-id"))
		},
		p.updateNode,
	)
	p.tree.OnSelected = func(uid widget.TreeNodeID) {
		if _, branch := p.children[uid]; branch {
			p.tree.ToggleBranch(uid)
			p.tree.UnselectAll()
			return
		}
		p.showDetail(uid)
	}
	p.detail = container.NewStack()
	p.filter()
	p.tree.OpenBranch(branchGrids)
	p.showSummary()

	counts := p.site.Counts()
	p.counts = muted(T("{{.Grids}} grids · {{.Buildings}} buildings · {{.Cameras}} cameras · {{.Devices}} devices", counts))
	top := container.NewVBox(c.withSiteImport(heading(T("Site inventory"))), p.counts)
	if bar := p.addBar(); bar != nil { // inventory_things.go
		top.Add(bar)
	}
	top.Add(p.search)
	top.Add(p.found)
	left := container.NewBorder(top, nil, nil, nil, p.tree)
	split := container.NewHSplit(left, container.NewPadded(p.detail))
	split.Offset = 0.36
	p.content = split
	return p
}

// Object is the panel's content.
func (p *inventoryPanel) Object() fyne.CanvasObject { return p.content }

// OnEntry follows the site's edits: the tree and the details show the site as it is now
// (a camera's new address, a grid's new worker), and the buttons of a detail open their
// dialogs on it.
func (p *inventoryPanel) OnEntry(e app.Entry) {
	if !e.Kind.ChangesSite() {
		return
	}
	s := p.c.core.Inventory.Site()
	if p.tree == nil || s == nil || s == p.site {
		return
	}
	p.site = s
	p.counts.Text = T("{{.Grids}} grids · {{.Buildings}} buildings · {{.Cameras}} cameras · {{.Devices}} devices", s.Counts())
	p.counts.Refresh()
	p.filter()
	if p.followDeleted() {
		return
	}
	if p.selected != "" {
		p.showDetail(p.selected)
	} else {
		p.showSummary()
	}
}

// filter rebuilds the tree from the search text: only matching leaves, only non-empty
// branches, all opened while searching.
func (p *inventoryPanel) filter() {
	q := p.search.Text
	hits := p.c.core.Inventory.Search(q, english())
	ch := map[string][]string{"": nil}
	byKind := map[app.DeviceKind][]string{}
	for _, h := range hits {
		uid := string(h.Kind) + ":" + h.ID
		switch h.Kind {
		case app.ItemGrid:
			ch[branchGrids] = append(ch[branchGrids], uid)
		case app.ItemBuilding:
			ch[branchBuildings] = append(ch[branchBuildings], uid)
		case app.ItemCamera:
			ch[branchCameras] = append(ch[branchCameras], uid)
		case app.ItemDevice:
			if d, ok := p.site.Device(h.ID); ok {
				byKind[d.Kind] = append(byKind[d.Kind], uid)
			}
		}
	}
	for _, k := range app.DeviceKinds {
		if len(byKind[k]) > 0 {
			ch[branchDevices] = append(ch[branchDevices], kindPrefix+string(k))
			ch[kindPrefix+string(k)] = byKind[k]
		}
	}
	for _, b := range []string{branchGrids, branchBuildings, branchCameras, branchDevices} {
		if len(ch[b]) > 0 {
			ch[""] = append(ch[""], b)
		}
	}
	p.children = ch
	p.tree.Refresh()
	if strings.TrimSpace(q) != "" {
		p.tree.OpenAllBranches()
		p.found.Text = T("{{.N}} found", map[string]any{"N": len(hits)})
		if len(hits) == 0 {
			p.found.Text = T("Nothing matches “{{.Q}}”", map[string]any{"Q": q})
		}
	} else {
		p.found.Text = ""
	}
	p.found.Refresh()
}

func (p *inventoryPanel) updateNode(uid widget.TreeNodeID, branch bool, o fyne.CanvasObject) {
	box := o.(*fyne.Container)
	icon := box.Objects[0].(*widget.Icon)
	label := box.Objects[1].(*widget.Label)
	id := box.Objects[2].(*canvas.Text)
	id.Text = ""
	if branch {
		n := len(p.children[uid])
		switch {
		case uid == branchGrids:
			icon.SetResource(symbol("grid"))
			label.SetText(fmt.Sprintf("%s (%d)", T("Grids"), n))
		case uid == branchBuildings:
			icon.SetResource(symbol("building"))
			label.SetText(fmt.Sprintf("%s (%d)", T("Buildings"), n))
		case uid == branchCameras:
			icon.SetResource(symbol("camera"))
			label.SetText(fmt.Sprintf("%s (%d)", T("Cameras"), n))
		case uid == branchDevices:
			total := 0
			for _, k := range p.children[uid] {
				total += len(p.children[k])
			}
			icon.SetResource(theme.StorageIcon())
			label.SetText(fmt.Sprintf("%s (%d)", T("Devices"), total))
		case strings.HasPrefix(uid, kindPrefix):
			k := app.DeviceKind(strings.TrimPrefix(uid, kindPrefix))
			icon.SetResource(kindSymbol(k))
			label.SetText(fmt.Sprintf("%s (%d)", T(k.Label()), n))
		}
		id.Refresh()
		return
	}
	kind, key, _ := strings.Cut(uid, ":")
	id.Text = key
	switch app.ItemKind(kind) {
	case app.ItemGrid:
		g, _ := p.site.Grid(key)
		icon.SetResource(symbol("grid"))
		label.SetText(g.Display(english()) + " · " + g.Worker.Name)
	case app.ItemBuilding:
		b, _ := p.site.Building(key)
		icon.SetResource(symbol("building"))
		label.SetText(b.Display(english()))
	case app.ItemCamera:
		cam, _ := p.site.Camera(key)
		icon.SetResource(symbol("camera"))
		label.SetText(cam.Display(english()))
	case app.ItemDevice:
		d, _ := p.site.Device(key)
		icon.SetResource(kindSymbol(d.Kind))
		label.SetText(d.Display(english()))
	}
	id.Refresh()
}

// selectUID selects an item in the tree (opening its branches) and shows it.
func (p *inventoryPanel) selectUID(uid string) {
	if p.search.Text != "" {
		p.search.SetText("")
	}
	kind, key, _ := strings.Cut(uid, ":")
	switch app.ItemKind(kind) {
	case app.ItemGrid:
		p.tree.OpenBranch(branchGrids)
	case app.ItemBuilding:
		p.tree.OpenBranch(branchBuildings)
	case app.ItemCamera:
		p.tree.OpenBranch(branchCameras)
	case app.ItemDevice:
		if d, ok := p.site.Device(key); ok {
			p.tree.OpenBranch(branchDevices)
			p.tree.OpenBranch(kindPrefix + string(d.Kind))
		}
	}
	p.tree.Select(uid)
	p.tree.ScrollTo(uid)
}

// showSummary is the detail pane before anything is selected: the site itself.
func (p *inventoryPanel) showSummary() {
	s := p.site
	en := english()
	rows := []kvRow{
		kv("Name", s.Display(en)),
		kv("Identifier", s.ID),
		kv("Address", s.Address),
		kv("Area", fmt.Sprintf("%s m²", thousands(s.Boundary.Area()))),
	}
	c := s.Counts()
	rows = append(rows, kv("Inventory", T("{{.Grids}} grids · {{.Buildings}} buildings · {{.Cameras}} cameras · {{.Devices}} devices", c)))
	byKind := s.DevicesByKind()
	for _, k := range app.DeviceKinds {
		rows = append(rows, kvRow{k.Label(), labelWithIcon(kindSymbol(k), fmt.Sprintf("%d", len(byKind[k])))})
	}
	p.setDetail(T("The community"), symbol("grid"), rows, nil)
}

func (p *inventoryPanel) showDetail(uid string) {
	p.selected = uid
	kind, key, _ := strings.Cut(uid, ":")
	switch app.ItemKind(kind) {
	case app.ItemGrid:
		p.gridDetail(key)
	case app.ItemBuilding:
		p.buildingDetail(key)
	case app.ItemCamera:
		p.cameraDetail(key)
	case app.ItemDevice:
		p.deviceDetail(key)
	}
}

func (p *inventoryPanel) gridDetail(id string) {
	g, ok := p.site.Grid(id)
	if !ok {
		return
	}
	en := english()
	var links []fyne.CanvasObject
	cams, devs := 0, 0
	for _, b := range p.site.Buildings {
		if b.GridID == id {
			links = append(links, p.link(symbol("building"), b.Display(en), "building:"+b.ID))
		}
	}
	for _, c := range p.site.Cameras {
		if c.GridID == id {
			cams++
		}
	}
	for _, d := range p.site.Devices {
		if d.GridID == id {
			devs++
		}
	}
	rows := []kvRow{
		kv("Identifier", g.ID),
		kv("Grid worker", g.Worker.Name),
		kv("Phone", g.Worker.Phone),
		kv("Area", fmt.Sprintf("%s m²", thousands(g.Area.Area()))),
		kv("Buildings", fmt.Sprintf("%d", len(links))),
		kv("Cameras", fmt.Sprintf("%d", cams)),
		kv("Devices", fmt.Sprintf("%d", devs)),
	}
	p.setDetail(g.Display(en), symbol("grid"), rows, links)
}

func (p *inventoryPanel) buildingDetail(id string) {
	b, ok := p.site.Building(id)
	if !ok {
		return
	}
	en := english()
	bb := b.Footprint.Bounds()
	rows := []kvRow{
		kv("Identifier", b.ID),
		kv("Number", b.Number),
		kv("Use", T(useLabel(b.Use))),
		kv("Floors", fmt.Sprintf("%d", b.Floors)),
		kv("Units", fmt.Sprintf("%d", b.Units)),
		kv("Footprint", fmt.Sprintf("%.0f × %.0f m", bb.Max.X-bb.Min.X, bb.Max.Y-bb.Min.Y)),
	}
	var links []fyne.CanvasObject
	if g, ok := p.site.Grid(b.GridID); ok {
		links = append(links, p.link(symbol("grid"), g.Display(en), "grid:"+g.ID))
	}
	for _, c := range p.site.Cameras {
		if c.BuildingID == id {
			links = append(links, p.link(symbol("camera"), c.Display(en), "camera:"+c.ID))
		}
	}
	for _, d := range p.site.Devices {
		if d.BuildingID == id {
			links = append(links, p.link(kindSymbol(d.Kind), d.Display(en)+" · "+d.DisplayLocation(en), "device:"+d.ID))
		}
	}
	p.actions = p.editButtons(app.ItemBuilding, id, b.Display(en))
	p.setDetail(b.Display(en), symbol("building"), rows, links)
}

func (p *inventoryPanel) cameraDetail(id string) {
	c, ok := p.site.Camera(id)
	if !ok {
		return
	}
	en := english()
	sub := c.SubURL
	if sub == "" {
		sub = T("(the main stream serves tiles too)")
	}
	rows := []kvRow{
		kv("Identifier", c.ID),
		kv("Type", T(cameraKindLabel(c.Kind))),
		kv("Main stream", app.RedactURL(c.MainURL)),
		kv("Sub stream", app.RedactURL(sub)),
		kv("Position", fmt.Sprintf("x %.1f m, y %.1f m", c.Position.X, c.Position.Y)),
		kv("Looks towards", fmt.Sprintf("%.0f° (%s)", c.Direction, T(compass(c.Direction)))),
		kv("Field of view", fmt.Sprintf("%.0f°, %.0f m", c.FieldOfView(), c.ViewRange())),
		kv("Video analytics", analyticsSummary(c.Analytics)),
	}
	var links []fyne.CanvasObject
	if g, ok := p.site.Grid(c.GridID); ok {
		links = append(links, p.link(symbol("grid"), g.Display(en), "grid:"+g.ID))
	}
	if b, ok := p.site.Building(c.BuildingID); ok {
		links = append(links, p.link(symbol("building"), b.Display(en), "building:"+b.ID))
	}
	for _, d := range p.site.Devices {
		for _, cid := range d.CameraIDs {
			if cid == id {
				links = append(links, p.link(kindSymbol(d.Kind), d.Display(en), "device:"+d.ID))
			}
		}
	}
	settings := widget.NewButtonWithIcon(T("Camera settings…"), theme.SettingsIcon(), func() { p.c.showCameraSettings(*c) })
	analytics := widget.NewButtonWithIcon(T("Video analytics…"), theme.VisibilityIcon(), func() { p.c.showAnalytics(*c) })
	p.actions = append(p.editButtons(app.ItemCamera, id, c.Display(en)), settings, analytics)
	p.setDetail(c.Display(en), symbol("camera"), rows, links)
}

func (p *inventoryPanel) deviceDetail(id string) {
	d, ok := p.site.Device(id)
	if !ok {
		return
	}
	en := english()
	window := formatDuration(d.SupervisionWindow())
	if d.Supervision == 0 {
		window += " " + T("(default for the kind)")
	}
	rows := []kvRow{
		kv("Identifier", d.ID),
		kv("Type", T(d.Kind.Label())),
		kv("Location", d.DisplayLocation(en)),
		kv("Position", fmt.Sprintf("x %.1f m, y %.1f m", d.Position.X, d.Position.Y)),
		kv("Supervision window", window),
	}
	if d.Floor != 0 {
		rows = append(rows, kv("Floor", fmt.Sprintf("%d", d.Floor)))
	}
	if d.Unit != 0 {
		rows = append(rows, kv("Unit", fmt.Sprintf("%d", d.Unit)))
	}
	rows = append(rows, personRows(d.Person.Masked())...) // the full record: fullRecordButton (people_view.go)
	var links []fyne.CanvasObject
	if g, ok := p.site.Grid(d.GridID); ok {
		links = append(links, p.link(symbol("grid"), g.Display(en)+" · "+g.Worker.Name+" "+g.Worker.Phone, "grid:"+g.ID))
	}
	if b, ok := p.site.Building(d.BuildingID); ok {
		links = append(links, p.link(symbol("building"), b.Display(en), "building:"+b.ID))
	}
	for _, cid := range d.CameraIDs {
		if c, ok := p.site.Camera(cid); ok {
			links = append(links, p.link(symbol("camera"), c.Display(en), "camera:"+c.ID))
		}
	}
	p.actions = p.editButtons(app.ItemDevice, id, d.Display(en))
	for _, b := range []fyne.CanvasObject{p.c.fullRecordButton(d), p.c.eraseResidentButton(d)} {
		if b != nil {
			p.actions = append(p.actions, b)
		}
	}
	p.setDetail(d.Display(en), kindSymbol(d.Kind), rows, links)
}

// setDetail fills the detail pane: a title with its icon, the facts, and links to related items.
func (p *inventoryPanel) setDetail(title string, icon fyne.Resource, rows []kvRow, links []fyne.CanvasObject) {
	ic := widget.NewIcon(icon)
	head := container.NewBorder(nil, nil, container.NewGridWrap(fyne.NewSize(32, 32), ic), nil, heading(title))
	body := container.NewVBox(head, widget.NewSeparator(), details(rows))
	if len(p.actions) > 0 { // what can be done with it (inventory_things.go)
		body.Add(container.NewHBox(p.actions...))
		p.actions = nil
	}
	if len(links) > 0 {
		body.Add(widget.NewSeparator())
		body.Add(heading(T("Related")))
		for _, l := range links {
			body.Add(l)
		}
	}
	p.detail.Objects = []fyne.CanvasObject{container.NewVScroll(body)}
	p.detail.Refresh()
}

// link is a button that jumps to another item of the inventory.
func (p *inventoryPanel) link(icon fyne.Resource, text, uid string) fyne.CanvasObject {
	b := widget.NewButtonWithIcon(text, icon, func() { p.selectUID(uid) })
	b.Alignment = widget.ButtonAlignLeading
	b.Importance = widget.LowImportance
	return b
}

func labelWithIcon(icon fyne.Resource, text string) fyne.CanvasObject {
	return container.NewHBox(widget.NewIcon(icon), widget.NewLabel(text))
}

// compass names the direction of a bearing (English, translated when shown).
func compass(deg float64) string {
	names := []string{"north", "north-east", "east", "south-east", "south", "south-west", "west", "north-west"}
	i := int(math.Round(math.Mod(deg+360, 360)/45)) % 8
	return names[i]
}

func useLabel(use string) string {
	switch use {
	case "residential", "":
		return "Residential"
	case "service":
		return "Service"
	case "shop":
		return "Shops"
	case "school":
		return "School"
	}
	return use
}

func cameraKindLabel(k app.CameraKind) string {
	switch k {
	case app.CameraDome:
		return "Dome camera"
	case app.CameraPTZ:
		return "PTZ camera"
	case app.CameraPlate:
		return "Plate recognition camera"
	case app.CameraFace:
		return "Face recognition camera"
	}
	return "Bullet camera"
}

// thousands formats a number with thousands separators.
func thousands(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// analyticsSummary names the detectors a camera runs ("Off" when none).
func analyticsSummary(a *app.CameraAnalytics) string {
	var on []string
	if a != nil {
		for _, d := range a.Detectors {
			if d.Enabled {
				on = append(on, T(d.Kind.Label()))
			}
		}
	}
	if len(on) == 0 {
		return T("Off")
	}
	return strings.Join(on, T(", "))
}
