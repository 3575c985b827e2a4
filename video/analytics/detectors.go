package analytics

import (
	"fmt"
	"image"
	"time"

	"watchpost/app"
)

// detector is one configured detector of a camera, with what it remembers between frames.
type detector struct {
	cfg    app.DetectorConfig
	zone   *app.Zone      // nil: the whole picture
	line   *app.CrossLine // line crossing
	failed reason

	lastReport time.Time

	// crowd
	crowdSince time.Time
	crowdLow   time.Time
	crowdOn    bool
	// motion
	motionSince time.Time
	motionLast  time.Time
	motionSaid  time.Time
}

// Default waits of the detectors, in seconds.
const (
	DefaultLoiterSeconds = 30
	DefaultCrowdSeconds  = 5
	DefaultFallSeconds   = 3
	DefaultCrowdCount    = 5
	// groupWindow: people entering a zone together make one intrusion, not one each.
	groupWindow = 5 * time.Second
	// motionQuiet ends a motion episode; motionRepeat says again that it goes on.
	motionQuiet  = 5 * time.Second
	motionRepeat = time.Minute
)

// newDetector checks a detector's settings; one that cannot work is failed with the reason.
func newDetector(dc app.DetectorConfig, cfg *app.CameraAnalytics) *detector {
	d := &detector{cfg: dc}
	if dc.Zone != "" {
		z, ok := cfg.Zone(dc.Zone)
		switch {
		case !ok:
			d.failed = because("Zone {{.Zone}} does not exist", "Zone", dc.Zone)
		case len(z.Points) < 3:
			d.failed = because("Zone {{.Zone}} has fewer than three points", "Zone", z.Name)
		case !inPicture(z.Points...):
			d.failed = because("Zone {{.Zone}} leaves the picture", "Zone", z.Name)
		default:
			d.zone = z
		}
	}
	switch dc.Kind {
	case app.DetectLine:
		l, ok := cfg.Line(dc.Line)
		switch {
		case !ok:
			d.failed = because("Line {{.Line}} does not exist", "Line", dc.Line)
		case l.From == l.To:
			d.failed = because("Line {{.Line}} has only one point", "Line", l.Name)
		case l.Direction != "" && l.Direction != app.CrossAB && l.Direction != app.CrossBA:
			d.failed = because("Line {{.Line}} has an unknown direction {{.Dir}}", "Line", l.Name, "Dir", l.Direction)
		case !inPicture(l.From, l.To):
			d.failed = because("Line {{.Line}} leaves the picture", "Line", l.Name)
		default:
			d.line = l
		}
	case app.DetectCrowd:
		if dc.Count < 0 {
			d.failed = because("Crowd gathering needs a number of people")
		}
	case app.DetectMotion, app.DetectIntrusion, app.DetectLoitering, app.DetectFall, app.DetectFace:
	default:
		d.failed = because("Unknown detector {{.Kind}}", "Kind", dc.Kind)
	}
	if dc.Sensitivity < 0 || dc.Sensitivity > 1 || dc.MinSize < 0 || dc.MinSize > 1 || dc.Seconds < 0 {
		d.failed = because("Detector {{.Kind}} has a setting out of range", "Kind", dc.Kind)
	}
	return d
}

// reason is why something was switched off: an English template, which is also the
// translation key, and its values.
type reason struct {
	msg  string
	args map[string]any
}

func because(msg string, kv ...any) reason {
	r := reason{msg: msg}
	if len(kv) > 0 {
		r.args = map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			r.args[fmt.Sprint(kv[i])] = kv[i+1]
		}
	}
	return r
}

func (r reason) ok() bool { return r.msg == "" }

// String is the English text (logs, the command line).
func (r reason) String() string { return app.RenderTemplate(r.msg, r.args) }

func inPicture(pts ...app.NPoint) bool {
	for _, p := range pts {
		if p.X < 0 || p.X > 1 || p.Y < 0 || p.Y > 1 {
			return false
		}
	}
	return true
}

func (d *detector) seconds() float64 {
	if d.cfg.Seconds > 0 {
		return d.cfg.Seconds
	}
	switch d.cfg.Kind {
	case app.DetectLoitering:
		return DefaultLoiterSeconds
	case app.DetectCrowd:
		return DefaultCrowdSeconds
	case app.DetectFall:
		return DefaultFallSeconds
	}
	return 0
}

func (d *detector) wait() time.Duration { return time.Duration(d.seconds() * float64(time.Second)) }

func (d *detector) count() int {
	if d.cfg.Count > 0 {
		return d.cfg.Count
	}
	return DefaultCrowdCount
}

func (d *detector) active(at time.Time, ignoreSchedule bool) bool {
	return ignoreSchedule || d.cfg.Schedule.Active(at)
}

func (d *detector) zoneID() string {
	if d.zone == nil {
		return ""
	}
	return d.zone.ID
}

// inZone reports whether a track stands in the detector's zone now, and since when.
func (d *detector) inZone(t *track, at time.Time) (time.Time, bool) {
	if !t.present(at) {
		return time.Time{}, false
	}
	if d.zone == nil {
		return t.first, true
	}
	since, ok := t.zoneSince[d.zone.ID]
	if !ok || t.zoneLast[d.zone.ID] != at {
		return time.Time{}, false
	}
	return since, true
}

// bigEnough applies the detector's smallest object size.
func (d *detector) bigEnough(e *Engine, t *track) bool {
	ms := d.cfg.MinSize
	if ms == 0 {
		ms = DefaultMinSize
	}
	h := t.box.Dy()
	if t.person() {
		h = t.body().Dy()
	}
	return float64(h) >= ms*float64(e.size.Y)
}

// evaluate runs the detector on the current tracks.
func (d *detector) evaluate(e *Engine, at time.Time) []app.Detection {
	switch d.cfg.Kind {
	case app.DetectMotion:
		return d.motion(e, at)
	case app.DetectIntrusion:
		return d.intrusion(e, at)
	case app.DetectLoitering:
		return d.loitering(e, at)
	case app.DetectCrowd:
		return d.crowd(e, at)
	case app.DetectLine:
		return d.crossing(e, at)
	case app.DetectFall:
		return d.fall(e, at)
	case app.DetectFace:
		return d.face(e, at)
	}
	return nil
}

func (d *detector) people(e *Engine, at time.Time) []*track {
	var out []*track
	for _, t := range e.tr.tracks {
		if !t.person() || !d.bigEnough(e, t) {
			continue
		}
		if _, in := d.inZone(t, at); in {
			out = append(out, t)
		}
	}
	return out
}

// boxesOf returns the people's boxes: those the people detector found when it looked at
// the track a moment ago, else the track's.
func boxesOf(e *Engine, at time.Time, ts ...*track) []app.NRect {
	var out []app.NRect
	for _, t := range ts {
		e.lookNow(t, at)
		for _, b := range t.bodies() {
			out = append(out, e.normRect(b))
		}
	}
	return out
}

func (d *detector) intrusion(e *Engine, at time.Time) []app.Detection {
	var fresh []*track
	for _, t := range d.people(e, at) {
		key := "intrusion:" + d.zoneID()
		since, _ := d.inZone(t, at)
		// In the zone on two samples running (a foot that touches its edge once is not in).
		if t.done[key] || !at.After(since) {
			continue
		}
		t.done[key] = true
		fresh = append(fresh, t)
	}
	if len(fresh) == 0 || (!d.lastReport.IsZero() && at.Sub(d.lastReport) < groupWindow) {
		return nil
	}
	d.lastReport = at
	return []app.Detection{{Zone: d.zoneID(), Boxes: boxesOf(e, at, fresh...), Score: certainty(fresh), Count: len(fresh)}}
}

func (d *detector) loitering(e *Engine, at time.Time) []app.Detection {
	var out []app.Detection
	for _, t := range d.people(e, at) {
		key := "loitering:" + d.zoneID()
		since, _ := d.inZone(t, at)
		stayed := at.Sub(since)
		if t.done[key] || stayed < d.wait() {
			continue
		}
		t.done[key] = true
		out = append(out, app.Detection{Zone: d.zoneID(), Boxes: boxesOf(e, at, t), Score: certainty([]*track{t}),
			Detail: fmt.Sprintf("%.0f s", stayed.Seconds()), Seconds: stayed.Seconds()})
	}
	return out
}

// crowd: more than Count people in the zone for Seconds; said once, and again only after
// the zone held no more than Count for as long. People are counted one by one where the
// people detector told a group's members apart, each once (two parts of one person,
// tracked apart, find the same person).
func (d *detector) crowd(e *Engine, at time.Time) []app.Detection {
	ts := d.people(e, at)
	var bodies []image.Rectangle
	for _, t := range ts {
	next:
		for _, b := range t.bodies() {
			for _, o := range bodies {
				if iou(o, b) > 0.4 {
					continue next
				}
			}
			bodies = append(bodies, b)
		}
	}
	// Moving regions the people detector has not confirmed (yet) count when they are a
	// person's size where they stand: in a crowd, people hide parts of each other.
	for _, t := range e.tr.tracks {
		if t.person() || !t.moved || !t.last.Equal(at) || d.zone != nil && !d.zone.Contains(e.norm(t.foot())) {
			continue
		}
		if h := e.persp.height(t.box.Max.Y); h > 0 && t.box.Dy()*10 >= h*6 && t.box.Dy()*10 <= h*15 {
			bodies = append(bodies, t.box)
		}
	}
	n := len(bodies)
	// Counts flicker (people pass behind each other): a dip shorter than a second does
	// not restart the clock.
	if n <= d.count() {
		if d.crowdLow.IsZero() {
			d.crowdLow = at
		}
		if at.Sub(d.crowdLow) > time.Second {
			d.crowdSince = time.Time{}
		}
		if d.crowdOn && at.Sub(d.crowdLow) >= max(d.wait(), time.Second) {
			d.crowdOn = false
		}
		return nil
	}
	d.crowdLow = time.Time{}
	if d.crowdSince.IsZero() {
		d.crowdSince = at
	}
	if d.crowdOn || at.Sub(d.crowdSince) < d.wait() {
		return nil
	}
	d.crowdOn = true
	boxes := make([]app.NRect, len(bodies))
	for i, b := range bodies {
		boxes[i] = e.normRect(b)
	}
	return []app.Detection{{Zone: d.zoneID(), Boxes: boxes, Count: n, Score: certainty(ts), Detail: fmt.Sprintf("%d", n)}}
}

// crossing: a person's foot passing over the line between two samples; side A is on the
// left of From→To as seen on the picture (y down: a negative cross product).
func (d *detector) crossing(e *Engine, at time.Time) []app.Detection {
	a := image.Pt(int(d.line.From.X*float64(e.size.X)), int(d.line.From.Y*float64(e.size.Y)))
	b := image.Pt(int(d.line.To.X*float64(e.size.X)), int(d.line.To.Y*float64(e.size.Y)))
	var out []app.Detection
	for _, t := range e.tr.tracks {
		if t.missed > 0 || !t.person() || !d.bigEnough(e, t) || len(t.trail) < 2 {
			continue
		}
		p0, p1 := t.trail[len(t.trail)-2].p, t.trail[len(t.trail)-1].p
		s0, s1 := side(a, b, p0), side(a, b, p1)
		if s0 == 0 || s1 == 0 || (s0 > 0) == (s1 > 0) || !segmentsCross(a, b, p0, p1) {
			continue
		}
		dir := app.CrossAB
		if s1 < 0 {
			dir = app.CrossBA
		}
		if d.line.Direction != "" && d.line.Direction != dir {
			continue
		}
		key := "line:" + d.line.ID + ":" + dir
		if t.done[key] {
			continue
		}
		t.done[key] = true
		out = append(out, app.Detection{Line: d.line.ID, Boxes: boxesOf(e, at, t), Score: certainty([]*track{t}), Detail: dir})
	}
	return out
}

// side is the sign of p against the line a→b on the picture (y down): negative on its left.
func side(a, b, p image.Point) int {
	c := (b.X-a.X)*(p.Y-a.Y) - (b.Y-a.Y)*(p.X-a.X)
	switch {
	case c > 0:
		return 1
	case c < 0:
		return -1
	}
	return 0
}

func segmentsCross(a, b, p, q image.Point) bool {
	return side(a, b, p)*side(a, b, q) < 0 && side(p, q, a)*side(p, q, b) < 0
}

func (d *detector) fall(e *Engine, at time.Time) []app.Detection {
	var out []app.Detection
	for _, t := range d.people(e, at) {
		if t.downSince.IsZero() || at.Sub(t.downSince) < d.wait() || t.done["fall"] {
			continue
		}
		t.done["fall"] = true
		out = append(out, app.Detection{Zone: d.zoneID(), Boxes: []app.NRect{e.normRect(t.box)}, Score: certainty([]*track{t}),
			Detail: fmt.Sprintf("%.0f s", at.Sub(t.downSince).Seconds()), Seconds: at.Sub(t.downSince).Seconds()})
	}
	return out
}

// face: the faces found on a moving region, said once per region (the access log wants
// each visitor once, not once a second).
func (d *detector) face(e *Engine, at time.Time) []app.Detection {
	var out []app.Detection
	for _, t := range e.tr.tracks {
		if len(t.faces) == 0 || !t.faceAt.Equal(at) || t.done["face"] {
			continue
		}
		var boxes []app.NRect
		for _, f := range t.faces {
			if d.zone != nil && !d.zone.Contains(e.norm(center(f))) {
				continue
			}
			boxes = append(boxes, e.normRect(f))
		}
		if len(boxes) == 0 {
			continue
		}
		t.done["face"] = true
		out = append(out, app.Detection{Zone: d.zoneID(), Boxes: boxes, Count: len(boxes), Score: 1})
	}
	return out
}

// motion: something moving in the zone for half a second starts an episode, said once;
// five quiet seconds end it; a long one is said again every minute.
func (d *detector) motion(e *Engine, at time.Time) []app.Detection {
	var moving []*track
	for _, t := range e.tr.tracks {
		if t.missed > 0 || t.seen < 2 || !t.moved || !d.bigEnough(e, t) {
			continue
		}
		if d.zone != nil {
			c := e.norm(center(t.box))
			f := e.norm(t.foot())
			if !d.zone.Contains(c) && !d.zone.Contains(f) {
				continue
			}
		}
		moving = append(moving, t)
	}
	if len(moving) == 0 {
		if !d.motionLast.IsZero() && at.Sub(d.motionLast) >= motionQuiet {
			d.motionSince, d.motionSaid = time.Time{}, time.Time{}
		}
		return nil
	}
	d.motionLast = at
	if d.motionSince.IsZero() {
		d.motionSince = at
	}
	if at.Sub(d.motionSince) < 500*time.Millisecond || (!d.motionSaid.IsZero() && at.Sub(d.motionSaid) < motionRepeat) {
		return nil
	}
	d.motionSaid = at
	boxes := make([]app.NRect, len(moving))
	for i, t := range moving {
		boxes[i] = e.normRect(t.box)
	}
	return []app.Detection{{Zone: d.zoneID(), Boxes: boxes, Count: len(moving), Score: 1}}
}

// certainty is how sure the people detector was: the share of its looks that found a person.
func certainty(ts []*track) float64 {
	best := 0.0
	for _, t := range ts {
		if t.checks > 0 {
			best = max(best, float64(t.hits)/float64(t.checks))
		}
	}
	return best
}
