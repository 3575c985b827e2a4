package ui

import "watchpost/app"

// Panels send the operator to one another through these methods of the console, and only
// through them: a panel never reaches into another panel's fields. Each method finds the
// panel through the shell (building it the first time) and asks it, through a method of
// its own, to show what is wanted; the panel keeps its state to itself.

// panelOf returns the shell's panel of that ID when it is built; with build, a panel the
// operator may open but has not opened yet is built first (without showing it).
func panelOf[T panelView](c *Console, id string, build bool) (T, bool) {
	var zero T
	if c.shell == nil {
		return zero, false
	}
	view, ok := c.shell.built[id]
	if !ok && build {
		for _, d := range c.shell.panels {
			if d.ID == id {
				view = d.Build(c)
				c.shell.built[id] = view
			}
		}
	}
	p, ok := view.(T)
	return p, ok
}

// ShowPanel switches to a panel by ID (nothing happens when the operator may not open it).
func (c *Console) ShowPanel(id string) {
	if c.shell != nil {
		c.shell.show(id)
	}
}

// showPanel switches to a panel and returns it when it is of type T.
func showPanel[T panelView](c *Console, id string) (T, bool) {
	c.ShowPanel(id)
	return panelOf[T](c, id, false)
}

// ShowCameraOnWall switches to the camera wall, enlarged on the camera.
func (c *Console) ShowCameraOnWall(cameraID string) {
	if w, ok := showPanel[*wallPanel](c, "wall"); ok {
		w.enlargeCamera(cameraID)
	}
}

// FollowAlarmOnWall turns the camera wall to an alarm's cameras (when it is built; the
// operator asked for it in the settings), without switching to it.
func (c *Console) FollowAlarmOnWall(a app.Alarm) {
	if w, ok := panelOf[*wallPanel](c, "wall", false); ok {
		w.followAlarm(a)
	}
}

// SelectAlarm selects an alarm on the alarm desk (building the desk when it was not opened
// yet), without switching to it; filters hiding it are reset.
func (c *Console) SelectAlarm(id int64) {
	if desk, ok := panelOf[*alarmPanel](c, "alarms", true); ok {
		desk.selectAlarm(id)
	}
}

// ShowAlarm switches to the alarm desk with the alarm selected and its details shown.
func (c *Console) ShowAlarm(id int64) {
	if desk, ok := showPanel[*alarmPanel](c, "alarms"); ok {
		desk.focusAlarm(id)
	}
}

// ShowAlarmsOf switches to the alarm desk filtered to a priority (0: all).
func (c *Console) ShowAlarmsOf(pr app.Priority) {
	if desk, ok := showPanel[*alarmPanel](c, "alarms"); ok {
		desk.showPriority(pr)
	}
}

// ShowOnMap shows an alarm on the site map (its marker selected, the view on it) when the
// map is built, without switching to it: the desk tells it what the operator selected.
func (c *Console) ShowOnMap(alarmID int64) {
	if m, ok := panelOf[*mapPanel](c, "map", false); ok {
		m.alarmSelected(alarmID)
	}
}

// ShowIncident switches to the incident panel with the incident selected.
func (c *Console) ShowIncident(id int64) {
	if p, ok := showPanel[*incidentPanel](c, "incidents"); ok {
		p.focus(id)
	}
}

// ShowReplay switches to the replay panel on a drill run or an incident.
func (c *Console) ShowReplay(kind string, id int64) {
	if p, ok := showPanel[*replayPanel](c, "replay"); ok {
		p.open(kind, id)
	}
}

// ShowUrgentAlarms brings back the pop-up of the urgent alarms the operator put aside.
func (c *Console) ShowUrgentAlarms() {
	if c.shell != nil {
		c.shell.popup.bringBack()
	}
}

// ShowOrder switches to the work-order board with the order selected and its detail shown
// (the filters that hide it are cleared).
func (c *Console) ShowOrder(id int64) {
	if p, ok := showPanel[*ordersPanel](c, "orders"); ok {
		p.focusOrder(id)
	}
}

// ShowOverdueOrders switches to the work-order board filtered to the overdue orders.
func (c *Console) ShowOverdueOrders() {
	if p, ok := showPanel[*ordersPanel](c, "orders"); ok {
		p.showOverdue()
	}
}
