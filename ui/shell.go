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
		{ID: "wall", Title: "Camera wall", Icon: symbol("camera"), Build: newWallPanel, Need: app.ActView},
		{ID: "map", Title: "Site map", Icon: symbol("grid"), Build: newMapPanel, Need: app.ActView},
		{ID: "alarms", Title: "Alarm desk", Icon: theme.WarningIcon(), Build: newAlarmPanel, Need: app.ActView},
		{ID: "orders", Title: "Work orders", Icon: theme.DocumentCreateIcon(), Build: newOrdersPanel, Need: app.ActOrderView},
		{ID: "devices", Title: "Devices", Icon: theme.StorageIcon(), Build: newDevicePanel, Need: app.ActView},
		{ID: "incidents", Title: "Incidents", Icon: theme.ContentPasteIcon(), Build: newIncidentPanel, Need: app.ActView},
		{ID: "plans", Title: "Plans and resources", Icon: theme.DocumentIcon(), Build: newPlansPanel, Need: app.ActView},
		{ID: "drills", Title: "Drills", Icon: theme.MediaPlayIcon(), Build: newDrillsPanel, Need: app.ActRunDrill},
		{ID: "replay", Title: "Replay", Icon: theme.MediaReplayIcon(), Build: newReplayPanel, Need: app.ActReplay},
		{ID: "inventory", Title: "Site inventory", Icon: theme.ListIcon(), Build: newInventoryPanel, Need: app.ActView},
		{ID: "arming", Title: "Arming", Icon: theme.HistoryIcon(), Build: newArmingPanel, Need: app.ActEditArming},
		{ID: "settings", Title: "Settings", Icon: theme.SettingsIcon(), Build: newSettingsPanel, Need: app.ActView},
		{ID: "operators", Title: "Operators", Icon: theme.AccountIcon(), Build: newOperatorsPanel, Need: app.ActManageOperators},
		{ID: "audit", Title: "Audit trail", Icon: theme.VisibilityIcon(), Build: newAuditPanel, Need: app.ActViewAudit},
		{ID: "assessment", Title: "Grid assessment", Icon: theme.GridIcon(), Build: newAssessmentPanel, Need: app.ActOrderView},
		{ID: "order-setup", Title: "Order set-up", Icon: theme.SettingsIcon(), Build: newOrderSetupPanel, Need: app.ActOrderSetup},
	}
}

// panelView is a built panel. Panels that can show a given item (a device, a camera)
// also offer that to others, so that one panel can send the operator to another.
type panelView interface {
	Object() fyne.CanvasObject
}

// Optional interfaces of a panelView, called by the shell:
type (
	// keyHandler gets the keys typed while the panel is shown and no entry has the focus.
	keyHandler interface{ TypedKey(*fyne.KeyEvent) }
	// entryHandler gets every journal entry as it is committed (on the UI thread).
	entryHandler interface{ OnEntry(app.Entry) }
	// ticker is called every second (on the UI thread) while the panel exists.
	ticker interface{ Tick() }
	// shownHandler is told when the panel is shown or hidden (a hidden wall stops its streams).
	shownHandler interface{ Shown(bool) }
)

// shell is the signed-in window: header, navigation, the current panel, status bar.
type shell struct {
	c       *Console
	content fyne.CanvasObject
	header  *header
	banner  *drillBanner // shown while a drill runs
	silent  *soundBanner // names the urgent alarms while they cannot be heard
	popup   *alarmPopup  // the urgent alarms over every panel
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
	s.banner = newDrillBanner(c)
	s.silent = newSoundBanner(c)
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
	main := container.NewBorder(container.NewVBox(s.header.content, s.silent.content, s.banner.content), s.status.content, nil, nil, split)
	s.popup = newAlarmPopup(s)
	s.content = container.NewStack(main, s.popup.layer)
	if len(s.panels) > 0 {
		s.nav.Select(0)
	}
	c.win.Canvas().SetOnTypedKey(s.typedKey)
	return s
}

// typedKey hands a key to the panel on screen.
func (s *shell) typedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyF2 { // a report phoned in: the intake form, from any panel
		s.c.showIntake()
		return
	}
	if h, ok := s.built[s.current].(keyHandler); ok {
		h.TypedKey(ev)
	}
}

// entry hands a committed journal entry to every built panel that wants it.
func (s *shell) entry(e app.Entry) {
	if e.Kind.IsOrder() {
		s.header.orders.refresh()
	}
	if e.Kind.IsAlarm() {
		s.header.counters.refresh()
		s.silent.refresh()
		s.popup.refresh()
		s.followAlarm(e)
	}
	if e.Kind == app.KindDrillStarted || e.Kind == app.KindDrillInjected || e.Kind == app.KindDrillStopped {
		s.banner.refresh()
	}
	for _, v := range s.built {
		if h, ok := v.(entryHandler); ok {
			h.OnEntry(e)
		}
	}
}

// close tells the panels the shell goes away (sign-out, rebuild), so they stop streams.
func (s *shell) close() {
	s.popup.close()
	for _, v := range s.built {
		if h, ok := v.(shownHandler); ok {
			h.Shown(false)
		}
	}
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
		if prev, ok := s.built[s.current].(shownHandler); ok && s.current != id {
			prev.Shown(false)
		}
		s.current = id
		s.body.Objects = []fyne.CanvasObject{view.Object()}
		if h, ok := view.(shownHandler); ok {
			h.Shown(true)
		}
		s.body.Refresh()
		s.nav.Select(i)
		if s.popup != nil {
			s.popup.refresh() // it steps aside on the alarm desk
		}
		return
	}
}

// tick runs every second.
func (s *shell) tick() {
	s.header.tick()
	s.banner.refresh()
	s.silent.refresh()
	s.popup.refresh()
	s.status.refresh()
	for _, v := range s.built {
		if h, ok := v.(ticker); ok {
			h.Tick()
		}
	}
}

// followAlarm turns the camera wall to a new P1/P2 alarm's cameras when the operator asked
// for it (Settings, per operator).
func (s *shell) followAlarm(e app.Entry) {
	op := s.c.Operator()
	if e.Kind != app.KindAlarmRaised || op == nil || !s.c.core.Settings.Get().PrefsOf(op.Username).WallFollowsAlarms {
		return
	}
	var a app.Alarm
	if e.Decode(&a) != nil || a.Priority > app.P2 {
		return
	}
	s.c.FollowAlarmOnWall(a)
}
