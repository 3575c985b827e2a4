package mapdraw

import (
	"image"

	"watchpost/app"
)

// Live state: what the open alarms and the devices' and cameras' states make of the map.
// A new alarm blinks on its marker and its grid until someone acknowledges it; an alarm
// being handled shows steady in its priority's colour; a device that stopped reporting
// and a camera whose stream failed are grey. A change draws again only what it touched.

// Looks is what the open alarms make of the map: the alarm each marker shows, the alarms
// of each grid, and each alarmed grid's mark.
type Looks struct {
	AlarmOf map[string]app.Alarm   // by marker key ("device:ID", "camera:ID")
	Grids   map[string][]app.Alarm // by grid ID, most urgent first
	Marks   map[string]GridMark
	// Muted are the markers in maintenance (LookMaintenance) or test mode (LookTest), by
	// key; an alarm (a test's) shows over it.
	Muted map[string]Look
}

// LooksOf works out the looks from the open alarms, most urgent first (the alarm desk's
// order): a new alarm shows over an acknowledged one, then the most urgent.
func LooksOf(site *app.Site, open []app.Alarm) Looks {
	lk := Looks{AlarmOf: map[string]app.Alarm{}, Grids: map[string][]app.Alarm{}, Marks: map[string]GridMark{}}
	worse := func(a, b app.Alarm) bool { // a shows over b
		if (a.State == app.AlarmNew) != (b.State == app.AlarmNew) {
			return a.State == app.AlarmNew
		}
		return a.Priority < b.Priority
	}
	for _, a := range open {
		for _, key := range []string{"device:" + a.DeviceID, "camera:" + a.CameraID} {
			if key == "device:" || key == "camera:" {
				continue
			}
			if cur, ok := lk.AlarmOf[key]; !ok || worse(a, cur) {
				lk.AlarmOf[key] = a
			}
		}
		gid := a.GridID
		if gid == "" && site != nil {
			if d, ok := site.Device(a.DeviceID); ok {
				gid = d.GridID
			}
		}
		if gid != "" {
			lk.Grids[gid] = append(lk.Grids[gid], a)
			mk := GridMark{Prio: a.Priority, Blink: a.State == app.AlarmNew}
			if cur, ok := lk.Marks[gid]; !ok || (mk.Blink && !cur.Blink) || (mk.Blink == cur.Blink && mk.Prio < cur.Prio) {
				lk.Marks[gid] = mk
			}
		}
	}
	return lk
}

// ShowLooks gives each marker and grid its look (offline says which markers are offline;
// nil: none) and returns the rectangles of the picture that changed, for Redraw. Nothing
// is drawn here.
func (r *Renderer) ShowLooks(lk Looks, offline func(key string) bool) []image.Rectangle {
	var rects []image.Rectangle
	for i := range r.scene.markers {
		mk := &r.scene.markers[i]
		look, prio := LookNormal, app.Priority(0)
		if l, ok := lk.Muted[mk.Key]; ok {
			look = l // in maintenance, whether it reports or not: that is why it may not
		} else if offline != nil && offline(mk.Key) {
			look = LookOffline
		}
		if a, ok := lk.AlarmOf[mk.Key]; ok {
			look, prio = LookAlarm, a.Priority
			if a.State == app.AlarmNew {
				look = LookBlink
			}
		}
		if rc, changed := r.setLook(i, look, prio); changed && !rc.Empty() {
			rects = append(rects, rc)
		}
	}
	return append(rects, r.SetGridMarks(lk.Marks)...)
}

// SetLook gives one marker a look and returns the rectangle to draw again (empty when
// nothing changed or it is not on screen); false when the look was already that one or
// there is no such marker.
func (r *Renderer) SetLook(key string, look Look, prio app.Priority) (image.Rectangle, bool) {
	i, ok := r.scene.byKey[key]
	if !ok {
		return image.Rectangle{}, false
	}
	return r.setLook(i, look, prio)
}

// SetGridMarks marks the alarmed grids (by ID) and returns the rectangles to draw again.
func (r *Renderer) SetGridMarks(marks map[string]GridMark) []image.Rectangle {
	var rects []image.Rectangle
	for id, mk := range marks {
		if old, ok := r.grids[id]; !ok || old != mk {
			rects = append(rects, r.gridRect(id))
		}
	}
	for id := range r.grids {
		if _, ok := marks[id]; !ok {
			rects = append(rects, r.gridRect(id))
		}
	}
	if marks == nil {
		marks = map[string]GridMark{}
	}
	r.grids = marks
	return rects
}

// GridMarks are the alarmed grids' marks, by grid ID (not to be changed: see SetGridMarks).
func (r *Renderer) GridMarks() map[string]GridMark { return r.grids }

// Marker returns a marker (a copy) by its key.
func (r *Renderer) Marker(key string) (Marker, bool) {
	i, ok := r.scene.byKey[key]
	if !ok {
		return Marker{}, false
	}
	return r.scene.markers[i], true
}

// BlinkOn reports the blinking phase: blinking markers and grids are bright when on.
func (r *Renderer) BlinkOn() bool { return r.blinkOn }

// SetBlinkOn sets the blinking phase without drawing anything (a replay holds the bright
// phase; a map where nothing blinks rests in the quiet one): the next Render, Redraw or
// ShowLooks draws in it.
func (r *Renderer) SetBlinkOn(on bool) { r.blinkOn = on }

// setLook changes marker i's look and returns the rectangle to draw again (empty when
// nothing changed or it is not on screen).
func (r *Renderer) setLook(i int, look Look, prio app.Priority) (image.Rectangle, bool) {
	m := &r.scene.markers[i]
	if m.Look == look && (m.Prio == prio || !m.alarmed()) {
		return image.Rectangle{}, false
	}
	reorder := m.alarmed() != (look == LookAlarm || look == LookBlink) || m.Prio != prio
	m.Look, m.Prio = look, prio
	if reorder {
		r.sortOrder()
	}
	if !m.Shown {
		return image.Rectangle{}, true
	}
	return m.Rect, true
}

// gridRect is a grid's rectangle on screen (with room for its outline).
func (r *Renderer) gridRect(id string) image.Rectangle {
	if r.scene.site == nil {
		return image.Rectangle{}
	}
	g, ok := r.scene.site.Grid(id)
	if !ok {
		return image.Rectangle{}
	}
	pad := int(3 * r.dpi)
	b := r.GridArea(g).Bounds()
	a, c := r.view.Px(b.Min), r.view.Px(b.Max)
	return image.Rect(int(a.X)-pad, int(c.Y)-pad, int(c.X)+pad+1, int(a.Y)+pad+1)
}

// Blink turns the blinking phase and draws again only what blinks (Stats says what it
// touched).
func (r *Renderer) Blink() {
	r.blinkOn = !r.blinkOn
	var rects []image.Rectangle
	for i := range r.scene.markers {
		m := &r.scene.markers[i]
		if m.Look == LookBlink && m.Shown {
			rects = append(rects, m.Rect)
		}
	}
	for id, mk := range r.grids {
		if mk.Blink {
			rects = append(rects, r.gridRect(id))
		}
	}
	if len(rects) == 0 {
		r.stats = Stats{}
		return
	}
	r.Redraw(rects)
}

// Blinking reports whether anything blinks.
func (r *Renderer) Blinking() bool {
	for _, mk := range r.grids {
		if mk.Blink {
			return true
		}
	}
	for i := range r.scene.markers {
		if r.scene.markers[i].Look == LookBlink {
			return true
		}
	}
	return false
}
