package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// The wall's side pane: the operator's saved views, and the site's cameras grouped by grid
// and building (cameras outside buildings directly under their grid), to drag onto a tile or
// to double-click into the selected tile.

const (
	nodeGrid     = "g:"
	nodeBuilding = "b:"
	nodeCamera   = "c:"
)

type cameraList struct {
	w        *wallPanel
	content  fyne.CanvasObject
	search   *widget.Entry
	tree     *widget.Tree
	children map[string][]string
	counts   map[string]int  // cameras under a branch
	offline  map[string]bool // cameras received without video (their streams failed)
}

func newCameraList(w *wallPanel) *cameraList {
	l := &cameraList{w: w}
	w.viewSelect = widget.NewSelect(nil, func(name string) { w.locked(func() { w.loadView(name) }) })
	w.viewSelect.PlaceHolder = T("Saved views")
	w.saveBtn = widget.NewButtonWithIcon(T("Save view…"), theme.DocumentSaveIcon(), func() { w.locked(w.askSaveView) })
	w.deleteBtn = widget.NewButtonWithIcon("", theme.DeleteIcon(), func() { w.locked(w.askDeleteView) })
	if w.c.core.Wall == nil {
		w.saveBtn.Disable()
		w.deleteBtn.Disable()
	}
	views := container.NewVBox(
		heading(T("Views")),
		w.viewSelect,
		container.NewBorder(nil, nil, nil, w.deleteBtn, w.saveBtn),
	)

	l.search = widget.NewEntry()
	l.search.SetPlaceHolder(T("Search cameras…"))
	l.search.ActionItem = widget.NewIcon(theme.SearchIcon())
	l.search.OnChanged = func(string) { w.locked(l.filter) }
	l.tree = widget.NewTree(
		func(uid widget.TreeNodeID) []widget.TreeNodeID { return l.children[uid] },
		func(uid widget.TreeNodeID) bool { _, ok := l.children[uid]; return ok },
		func(branch bool) fyne.CanvasObject {
			if branch {
				return container.NewHBox(widget.NewIcon(symbol("grid")), widget.NewLabel("Template grid name"))
			}
			return newCamItem(l)
		},
		l.updateNode,
	)
	l.tree.OnSelected = func(uid widget.TreeNodeID) {
		if _, branch := l.children[uid]; branch {
			l.tree.ToggleBranch(uid)
			l.tree.UnselectAll()
		}
	}
	l.filter()
	l.tree.OpenAllBranches()
	hint := muted(T("Double-click a camera, or drag it onto a tile"))
	cams := container.NewBorder(container.NewVBox(heading(T("Cameras")), l.search), hint, nil, nil, l.tree)
	l.content = container.NewBorder(container.NewPadded(views), nil, nil, nil, container.NewPadded(cams))
	return l
}

// updateViews lists the operator's saved views, the one shown selected.
func (l *cameraList) updateViews() {
	w := l.w
	var names []string
	known := false
	for _, v := range w.views {
		names = append(names, v.Name)
		known = known || v.Name == w.viewName
	}
	w.viewSelect.Options = names
	w.viewSelect.Selected = "" // set directly: SetSelected would call back
	if known {
		w.viewSelect.Selected = w.viewName
	}
	w.viewSelect.Refresh()
	if known && w.c.core.Wall != nil {
		w.deleteBtn.Enable()
	} else {
		w.deleteBtn.Disable()
	}
}

// filter builds the tree from the search text.
func (l *cameraList) filter() {
	q := strings.ToLower(strings.TrimSpace(l.search.Text))
	site := l.w.site
	ch := map[string][]string{"": nil}
	counts := map[string]int{}
	match := func(c *app.Camera) bool {
		return q == "" || c.Names.Matches(q) || strings.Contains(strings.ToLower(c.ID), q)
	}
	grids := map[string]bool{}
	for _, g := range site.Grids {
		grids[g.ID] = true
	}
	buildings := map[string]bool{}
	for _, b := range site.Buildings {
		buildings[b.ID] = true
	}
	// Cameras by grid, then by building within the grid.
	byGrid := map[string][]*app.Camera{}
	for i := range site.Cameras {
		c := &site.Cameras[i]
		if !match(c) {
			continue
		}
		g := c.GridID
		if !grids[g] {
			g = ""
		}
		byGrid[g] = append(byGrid[g], c)
	}
	gridOrder := make([]string, 0, len(site.Grids)+1)
	for _, g := range site.Grids {
		gridOrder = append(gridOrder, g.ID)
	}
	gridOrder = append(gridOrder, "")
	for _, g := range gridOrder {
		cams := byGrid[g]
		if len(cams) == 0 {
			continue
		}
		gid := nodeGrid + g
		ch[""] = append(ch[""], gid)
		counts[gid] = len(cams)
		var loose []string
		inBuilding := map[string][]string{}
		for _, c := range cams {
			if c.BuildingID != "" && buildings[c.BuildingID] {
				inBuilding[c.BuildingID] = append(inBuilding[c.BuildingID], nodeCamera+c.ID)
			} else {
				loose = append(loose, nodeCamera+c.ID)
			}
		}
		for _, b := range site.Buildings {
			if ids := inBuilding[b.ID]; len(ids) > 0 {
				bid := nodeBuilding + g + "/" + b.ID
				ch[gid] = append(ch[gid], bid)
				ch[bid] = ids
				counts[bid] = len(ids)
			}
		}
		ch[gid] = append(ch[gid], loose...)
	}
	l.children, l.counts = ch, counts
	l.tree.Refresh()
	if q != "" {
		l.tree.OpenAllBranches()
	}
}

func (l *cameraList) updateNode(uid widget.TreeNodeID, branch bool, o fyne.CanvasObject) {
	site := l.w.site
	if !branch {
		item, ok := o.(*camItem)
		if !ok {
			return
		}
		id := strings.TrimPrefix(uid, nodeCamera)
		name := id
		if c, ok := site.Camera(id); ok {
			name = c.Display(english())
		}
		item.set(id, name, l.offline[id])
		return
	}
	box := o.(*fyne.Container)
	icon := box.Objects[0].(*widget.Icon)
	label := box.Objects[1].(*widget.Label)
	n := l.counts[uid]
	switch {
	case strings.HasPrefix(uid, nodeGrid):
		icon.SetResource(symbol("grid"))
		name := T("Other cameras")
		if g, ok := site.Grid(strings.TrimPrefix(uid, nodeGrid)); ok {
			name = g.Display(english())
		}
		label.SetText(fmt.Sprintf("%s (%d)", name, n))
	case strings.HasPrefix(uid, nodeBuilding):
		icon.SetResource(symbol("building"))
		_, bid, _ := strings.Cut(strings.TrimPrefix(uid, nodeBuilding), "/")
		name := bid
		if b, ok := site.Building(bid); ok {
			name = b.Display(english())
		}
		label.SetText(fmt.Sprintf("%s (%d)", name, n))
	}
}

// camItem is a camera in the list: tap selects it, double-tap puts it in the wall's
// selected tile, and it can be dragged onto a tile.
type camItem struct {
	widget.BaseWidget
	l        *cameraList
	id       string
	icon     *widget.Icon
	label    *widget.Label
	dragAbs  fyne.Position
	dragging bool
}

func newCamItem(l *cameraList) *camItem {
	i := &camItem{l: l, icon: widget.NewIcon(symbol("camera")), label: widget.NewLabel("Template camera name")}
	i.label.Truncation = fyne.TextTruncateEllipsis
	i.ExtendBaseWidget(i)
	return i
}

func (i *camItem) set(id, name string, offline bool) {
	i.id = id
	if offline {
		name += " · " + T("No video")
	}
	if i.label.Text != name {
		i.label.SetText(name)
	}
	icon := symbol("camera")
	if offline {
		icon = theme.NewErrorThemedResource(icon)
	}
	if i.icon.Resource != icon {
		i.icon.SetResource(icon)
	}
}

// refreshOffline marks the cameras received without video (every stream of theirs in use
// has failed); the tree is redrawn only when that changed.
func (l *cameraList) refreshOffline() {
	if l.w.c.x.Feeds == nil {
		return
	}
	failed, playing := map[string]bool{}, map[string]bool{}
	for _, st := range l.w.c.x.Feeds.Statuses() {
		switch st.State {
		case app.StreamFailed:
			failed[st.CameraID] = true
		case app.StreamPlaying:
			playing[st.CameraID] = true
		}
	}
	now := map[string]bool{}
	for id := range failed {
		if !playing[id] {
			now[id] = true
		}
	}
	if len(now) == len(l.offline) {
		same := true
		for id := range now {
			same = same && l.offline[id]
		}
		if same {
			return
		}
	}
	l.offline = now
	l.tree.Refresh()
}

func (i *camItem) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewBorder(nil, nil, i.icon, nil, i.label))
}

// MinSize keeps a long name from widening the list: it is truncated instead.
func (i *camItem) MinSize() fyne.Size {
	m := i.BaseWidget.MinSize()
	return fyne.NewSize(min(m.Width, 160), m.Height)
}

// Tapped selects the camera in the list.
func (i *camItem) Tapped(*fyne.PointEvent) {
	if i.id != "" {
		i.l.tree.Select(nodeCamera + i.id)
	}
}

// DoubleTapped puts the camera in the wall's selected tile.
func (i *camItem) DoubleTapped(*fyne.PointEvent) {
	id := i.id
	if id == "" {
		return
	}
	i.l.tree.Select(nodeCamera + id)
	i.l.w.locked(func() { i.l.w.assignSelected(id) })
}

// Dragged follows the pointer over the wall.
func (i *camItem) Dragged(e *fyne.DragEvent) {
	id := i.id
	if id == "" {
		return
	}
	i.dragAbs = fyne.CurrentApp().Driver().AbsolutePositionForObject(i).Add(e.Position)
	i.dragging = true
	abs := i.dragAbs
	i.l.w.locked(func() { i.l.w.dragOver(id, abs) })
}

// DragEnd drops the camera on the tile under the pointer.
func (i *camItem) DragEnd() {
	if !i.dragging {
		return
	}
	i.dragging = false
	id, abs := i.id, i.dragAbs
	i.l.w.locked(func() { i.l.w.dropAt(id, abs) })
}
