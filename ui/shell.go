package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// panelDef is an entry of the navigation. Panels arrive with their issues; the navigation
// only offers those that exist.
type panelDef struct {
	ID    string
	Title string // English, translated when shown
	Icon  fyne.Resource
	Build func(c *Console) panelView
	Need  app.Action // hidden when the operator's role lacks it (the core checks again)
}

func panelDefs() []panelDef {
	return []panelDef{
		{ID: "inventory", Title: "Site inventory", Icon: theme.ListIcon(), Build: newInventoryPanel, Need: app.ActView},
		{ID: "settings", Title: "Settings", Icon: theme.SettingsIcon(), Build: newSettingsPanel, Need: app.ActView},
	}
}

// panelView is a built panel. Panels that can show a given item (a device, a camera)
// also offer that to others, so that one panel can send the operator to another.
type panelView interface {
	Object() fyne.CanvasObject
}

// staticPanel is a panel that is only its content.
type staticPanel struct{ obj fyne.CanvasObject }

func (s staticPanel) Object() fyne.CanvasObject { return s.obj }

// shell is the signed-in window: header, navigation, the current panel, status bar.
type shell struct {
	c       *Console
	content fyne.CanvasObject
	header  *header
	status  *statusBar
	nav     *widget.List
	body    *fyne.Container
	panels  []panelDef
	built   map[string]panelView
	current string
}

func newShell(c *Console) *shell {
	s := &shell{c: c, built: map[string]panelView{}}
	op := c.Operator()
	for _, p := range panelDefs() {
		if op != nil && op.Role.Can(p.Need) {
			s.panels = append(s.panels, p)
		}
	}
	s.header = newHeader(c)
	s.status = newStatusBar(c)
	s.body = container.NewStack()
	s.nav = widget.NewList(
		func() int { return len(s.panels) },
		func() fyne.CanvasObject {
			return container.NewHBox(widget.NewIcon(theme.ListIcon()), widget.NewLabel("Site inventory panel"))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			box := o.(*fyne.Container)
			box.Objects[0].(*widget.Icon).SetResource(s.panels[i].Icon)
			box.Objects[1].(*widget.Label).SetText(T(s.panels[i].Title))
		})
	s.nav.OnSelected = func(i widget.ListItemID) { s.show(s.panels[i].ID) }

	navBG := canvas.NewRectangle(themeColor(colorPanel))
	nav := container.NewStack(navBG, s.nav)
	split := container.NewBorder(nil, nil, nav, nil, s.body)
	s.content = container.NewBorder(s.header.content, s.status.content, nil, nil, split)
	if len(s.panels) > 0 {
		s.nav.Select(0)
	}
	return s
}

// show switches to a panel by ID (building it the first time).
func (s *shell) show(id string) {
	for i, p := range s.panels {
		if p.ID != id {
			continue
		}
		view, ok := s.built[id]
		if !ok {
			view = p.Build(s.c)
			s.built[id] = view
		}
		s.current = id
		s.body.Objects = []fyne.CanvasObject{view.Object()}
		s.body.Refresh()
		s.nav.Select(i)
		return
	}
}

// tick runs every second.
func (s *shell) tick() {
	s.header.tick()
	s.status.refresh()
}
