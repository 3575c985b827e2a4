package analytics

import (
	"fmt"
	"image"
	"math"
	"sort"
	"time"

	"watchpost/app"
)

// Options of an engine.
type Options struct {
	FaceModel      string // Haar cascade; DefaultFaceModel when empty
	IgnoreSchedule bool   // a recorded clip (analyze) has no time of day
}

// Engine runs a camera's detectors over its pictures, one at a time, on one goroutine.
type Engine struct {
	camera string
	cfg    app.CameraAnalytics
	opts   Options

	size   image.Point
	gm     grayMat
	motion *motionStage
	people *peopleStage
	faces  *faceStage
	persp  *perspective
	tr     *tracker
	dets   []*detector

	needPeople bool
	needFaces  bool
	hitThres   float64
	varThres   float64
	minH       float64 // smallest object, fraction of the picture's height
	maxSecs    float64 // the longest a detector waits (loitering): the background must not absorb a person sooner
	fps        float64
	failed     reason // the shared stages failed: every detector is off

	frames   int
	lastCost time.Duration
}

// NewEngine prepares a camera's detectors. Detectors whose settings cannot work (a zone
// that does not exist, a line of one point) are switched off with the reason; the others run.
func NewEngine(cameraID string, cfg app.CameraAnalytics, opts Options) *Engine {
	e := &Engine{camera: cameraID, cfg: cfg, opts: opts, tr: newTracker(), fps: cfg.FPS}
	if e.fps <= 0 {
		e.fps = DefaultFPS
	}
	sens := -1.0
	e.minH = 1
	for _, dc := range cfg.Detectors {
		if !dc.Enabled {
			continue
		}
		d := newDetector(dc, &cfg)
		e.dets = append(e.dets, d)
		if !d.failed.ok() {
			continue
		}
		s := dc.Sensitivity
		if s == 0 {
			s = 0.5
		}
		sens = math.Max(sens, s)
		ms := dc.MinSize
		if ms == 0 {
			ms = DefaultMinSize
		}
		e.minH = math.Min(e.minH, ms)
		e.maxSecs = math.Max(e.maxSecs, d.seconds())
		switch dc.Kind {
		case app.DetectMotion:
		case app.DetectFace:
			e.needFaces = true
		default:
			e.needPeople = true
		}
	}
	if sens < 0 {
		sens = 0.5
	}
	// Sensitivity 0.5 is OpenCV's defaults (MOG2 16, HOG 0); 1 halves MOG2's threshold and
	// lets weaker HOG matches through; 0 doubles it and asks for stronger ones.
	e.varThres = 16 * math.Pow(2, (0.5-sens)*2)
	e.hitThres = 0.6 * (0.5 - sens)
	if e.needPeople {
		p, err := newPeopleStage(e.hitThres)
		if err != nil {
			e.failKinds(func(k app.DetectorKind) bool { return k != app.DetectMotion && k != app.DetectFace },
				because("The people detector could not start: {{.Err}}", "Err", err.Error()))
			e.needPeople = false
		} else {
			e.people = p
		}
	}
	if e.needFaces {
		f, err := newFaceStage(opts.FaceModel)
		if err != nil {
			e.failKinds(func(k app.DetectorKind) bool { return k == app.DetectFace }, faceFailure(err))
			e.needFaces = false
		} else {
			e.faces = f
		}
	}
	return e
}

// Defaults of a camera's analytics.
const (
	DefaultFPS     = 5.0
	DefaultMinSize = 0.05 // a person 18 pixels tall at 360
)

func (e *Engine) failKinds(match func(app.DetectorKind) bool, why reason) {
	for _, d := range e.dets {
		if d.failed.ok() && match(d.cfg.Kind) {
			d.failed = why
		}
	}
}

// Result is what one picture gave.
type Result struct {
	Detections []app.Detection
	Objects    []app.TrackedObject
	People     []app.NRect // the people seen now (a group's members when the detector told them apart)
	Cost       time.Duration
}

// Process analyses one luma picture taken at at.
func (e *Engine) Process(img *image.Gray, at time.Time) (res Result) {
	start := time.Now()
	defer func() { e.lastCost = time.Since(start); res.Cost = e.lastCost }()
	if !e.failed.ok() || !e.anyRunning() {
		return res
	}
	size := img.Rect.Size()
	if size.X < 64 || size.Y < 64 {
		e.fail(because("The picture is too small to analyse ({{.W}}×{{.H}})", "W", size.X, "H", size.Y))
		return res
	}
	if size != e.size {
		e.resize(size)
	}
	var blobs []motionBlob
	if err := guard(func() {
		m := e.gm.load(img)
		blobs = e.motion.apply(m)
	}); err != nil {
		e.fail(because("OpenCV failed in background subtraction: {{.Err}}", "Err", err.Error()))
		return res
	}
	e.frames++
	boxes := make([]image.Rectangle, len(blobs))
	for i, b := range blobs {
		boxes[i] = b.box
	}
	e.tr.update(boxes, at)
	if e.people != nil {
		if err := guard(func() { e.checkPeople(at) }); err != nil {
			e.failKinds(func(k app.DetectorKind) bool { return k != app.DetectMotion && k != app.DetectFace },
				because("OpenCV failed in the people detector: {{.Err}}", "Err", err.Error()))
			e.people.closeAll()
			e.people = nil
		}
	}
	e.updatePosture(at)
	if e.faces != nil && e.kindActive(app.DetectFace, at) {
		if err := guard(func() { e.findFaces(at) }); err != nil {
			e.failKinds(func(k app.DetectorKind) bool { return k == app.DetectFace },
				because("OpenCV failed in the face detector: {{.Err}}", "Err", err.Error()))
			e.faces.closeAll()
			e.faces = nil
		}
	}
	e.updateZones(at)
	for _, d := range e.dets {
		if !d.failed.ok() || !d.active(at, e.opts.IgnoreSchedule) {
			continue
		}
		var out []app.Detection
		if err := guard(func() { out = d.evaluate(e, at) }); err != nil {
			d.failed = because("The detector failed: {{.Err}}", "Err", err.Error())
			continue
		}
		for i := range out {
			out[i].CameraID = e.camera
			out[i].Detector = d.cfg.Kind
			out[i].Time = at
		}
		res.Detections = append(res.Detections, out...)
	}
	res.Objects = e.Objects(at)
	for _, t := range e.tr.tracks {
		if t.person() && t.present(at) {
			res.People = append(res.People, boxesOf(e, at, t)...)
		}
	}
	return res
}

// guard runs f, turning a panic (a gocv call on a bad matrix) into an error so that one
// detector fails rather than the console.
func guard(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	f()
	return nil
}

func (e *Engine) fail(why reason) {
	e.failed = why
	for _, d := range e.dets {
		if d.failed.ok() {
			d.failed = why
		}
	}
}

func (e *Engine) anyRunning() bool {
	for _, d := range e.dets {
		if d.failed.ok() {
			return true
		}
	}
	return false
}

// resize (re)starts the stages for pictures of a new size.
func (e *Engine) resize(size image.Point) {
	if e.motion != nil {
		e.motion.closeAll()
	}
	e.size = size
	// A person who stops stays foreground for about a tenth of MOG2's history: keep it well
	// past the longest wait a detector has (loitering), at least 40 s.
	keep := math.Max(40, 2*e.maxSecs)
	history := int(keep / 0.105 * e.fps)
	history = min(max(history, 50), 20000)
	minH := int(e.minH * float64(size.Y))
	e.motion = newMotionStage(size, history, e.varThres, minH)
	e.motion.setMasks(e.cfg.Zones)
	e.tr = newTracker()
	e.persp = newPerspective(size.Y)
}

// checkPeople runs the people detector on the tracks that need it: new ones until they are
// confirmed (or given up on), confirmed ones every two seconds or when their region changed
// shape (people meeting or parting). At most a few a frame, the newest first.
func (e *Engine) checkPeople(at time.Time) {
	type cand struct {
		t    *track
		prio int
	}
	var cands []cand
	for _, t := range e.tr.tracks {
		moving := t.last.Equal(at)
		since := at.Sub(t.checkedAt)
		switch {
		case moving && t.seen >= 2 && t.checks == 0:
			cands = append(cands, cand{t, 0})
		case moving && t.seen >= 2 && !t.person() && t.checks < 12 && since >= 300*time.Millisecond:
			cands = append(cands, cand{t, 1})
		case !moving && t.person() && since >= time.Second && e.stoodStill(t, at):
			cands = append(cands, cand{t, 1}) // standing still: is the person still there?
		case moving && t.person() && (since >= 2*time.Second || changedShape(t.checkedBox, t.box)):
			cands = append(cands, cand{t, 2})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].prio < cands[j].prio })
	const perFrame = 6
	for i, c := range cands {
		if i >= perFrame {
			break
		}
		t := c.t
		if !t.last.Equal(at) {
			e.holdStill(t, at)
			continue
		}
		region, personH := e.searchRegion(t.box)
		found := e.people.find(e.gm.m, region, personH)
		t.checkedAt, t.checkedBox = at, t.box
		t.checks++
		if len(found) > 0 {
			t.hits++
		}
		for _, f := range found {
			e.persp.add(f.Max.Y, f.Dy())
		}
		t.people = len(found)
		t.personBoxes = append(t.personBoxes[:0], found...)
	}
}

// stoodStill reports whether a person track that lost its moving region had stopped: its
// feet moved less than a third of its height over its last second, and no other track
// stands on it now (the person walked on under another track).
func (e *Engine) stoodStill(t *track, at time.Time) bool {
	if len(t.trail) == 0 {
		return false
	}
	last := t.trail[len(t.trail)-1]
	h := float64(t.body().Dy())
	for i := len(t.trail) - 2; i >= 0 && last.t.Sub(t.trail[i].t) <= time.Second; i-- {
		if dist(last.p, t.trail[i].p) > h/3 {
			return false
		}
	}
	body := t.body()
	for _, o := range e.tr.tracks {
		if o != t && o.present(at) && iou(o.body(), body) > 0.3 {
			return false
		}
	}
	return true
}

// lookNow runs the people detector on a moving track at this very frame, so that what a
// detection reports (and the snapshot shows) is where the people are now, not where the
// detector last saw them (a region's shape changes as people walk in or part).
func (e *Engine) lookNow(t *track, at time.Time) {
	if e.people == nil || t.checkedAt.Equal(at) || !t.last.Equal(at) {
		return
	}
	region, personH := e.searchRegion(t.box)
	found := e.people.find(e.gm.m, region, personH)
	if len(found) == 0 {
		return // keep the last look
	}
	t.checkedAt, t.checkedBox = at, t.box
	t.personBoxes = append(t.personBoxes[:0], found...)
}

// holdStill looks again where a person stood when the moving region went away: someone
// who stops (a loiterer, a crowd) soon stops being a moving region, but is still there.
// The person must be found where they stood; if not, the track ends (holding on to a
// person who left would raise loitering for nobody).
func (e *Engine) holdStill(t *track, at time.Time) {
	body := t.body()
	found := e.people.find(e.gm.m, body, body.Dy())
	t.checkedAt = at
	var kept []image.Rectangle
	for _, f := range found {
		if iou(f, body) > 0.45 {
			kept = append(kept, f)
		}
	}
	// Someone standing still stays apart from the background for a while (MOG2's history
	// is set for it); a post or a bin the people detector takes for a person never was.
	if len(kept) == 0 || e.motion.foregroundShare(body) < 0.1 {
		t.heldAt = time.Time{}
		t.last = time.Time{} // gone: dropped now
		return
	}
	u := kept[0]
	for _, k := range kept[1:] {
		u = u.Union(k)
	}
	t.heldAt = at
	t.box, t.checkedBox = u, u
	t.personBoxes = append(t.personBoxes[:0], kept...)
	t.people = max(t.people, len(kept))
}

// searchRegion is where to look for the people of a moving region, and how tall they
// should be: the region itself when it is about a person's size (or the perspective is not
// learnt yet), else a window of a whole person around it (it is a part of one).
func (e *Engine) searchRegion(box image.Rectangle) (image.Rectangle, int) {
	h := e.persp.height(box.Max.Y)
	if h == 0 || box.Dy() >= h*4/5 {
		return box, box.Dy()
	}
	c := center(box)
	w := max(box.Dx(), h*3/5)
	return image.Rect(min(box.Min.X, c.X-w/2), min(box.Min.Y, c.Y-h), max(box.Max.X, c.X+w/2), max(box.Max.Y, c.Y+h)), h
}

func changedShape(a, b image.Rectangle) bool {
	ra := float64(a.Dx()*a.Dy()) + 1
	rb := float64(b.Dx()*b.Dy()) + 1
	return rb/ra > 1.6 || ra/rb > 1.6
}

// updatePosture notes who stands and who lies: a person's region is taller than wide when
// standing, wider than tall when lying.
func (e *Engine) updatePosture(at time.Time) {
	for _, t := range e.tr.tracks {
		if !t.person() || t.missed > 0 || t.people > 1 {
			continue
		}
		w, h := float64(t.box.Dx()), float64(t.box.Dy())
		switch {
		case h >= 1.4*w:
			t.uprightAt = at
			t.downSince = time.Time{}
		case w >= 1.1*h && t.downSince.IsZero() && !t.uprightAt.IsZero() && at.Sub(t.uprightAt) <= 3*time.Second:
			t.downSince = at
		case w < 0.9*h:
			t.downSince = time.Time{} // got up, or was never down
		}
	}
}

// findFaces looks for faces on the moving regions, each once a second.
func (e *Engine) findFaces(at time.Time) {
	for _, t := range e.tr.tracks {
		if !t.last.Equal(at) || at.Sub(t.faceAt) < time.Second || t.box.Dy() < 32 {
			continue
		}
		t.faceAt = at
		t.faces = e.faces.find(e.gm.m, t.box, 32)
	}
}

// updateZones notes since when each track stands in each zone (a gap of two seconds, a
// person hidden behind another, does not restart the clock).
func (e *Engine) updateZones(at time.Time) {
	for _, t := range e.tr.tracks {
		if !t.present(at) {
			continue
		}
		foot := e.norm(t.foot())
		for i := range e.cfg.Zones {
			z := &e.cfg.Zones[i]
			if !z.Contains(app.NPoint{X: foot.X, Y: foot.Y}) {
				continue
			}
			if last, ok := t.zoneLast[z.ID]; !ok || at.Sub(last) > 2*time.Second {
				t.zoneSince[z.ID] = at
			}
			t.zoneLast[z.ID] = at
		}
	}
}

// norm converts a point of the analysis picture to 0–1.
func (e *Engine) norm(p image.Point) app.NPoint {
	return app.NPoint{X: float64(p.X) / float64(e.size.X), Y: float64(p.Y) / float64(e.size.Y)}
}

func (e *Engine) normRect(r image.Rectangle) app.NRect {
	return app.NRect{X: float64(r.Min.X) / float64(e.size.X), Y: float64(r.Min.Y) / float64(e.size.Y),
		W: float64(r.Dx()) / float64(e.size.X), H: float64(r.Dy()) / float64(e.size.Y)}
}

// Objects returns what is tracked at at, for boxes over the tile: people, and things that
// move.
func (e *Engine) Objects(at time.Time) []app.TrackedObject {
	var out []app.TrackedObject
	for _, t := range e.tr.tracks {
		if !t.present(at) || t.seen < 2 || (!t.person() && !t.moved) {
			continue
		}
		// The moving region is where the thing is now; a person's box from the people
		// detector is better only when the region is a part of them.
		box := t.box
		if t.person() && !t.last.Equal(at) {
			box = t.body()
		} else if t.person() {
			if h := e.persp.height(t.box.Max.Y); h > 0 && t.box.Dy()*10 < h*6 {
				box = t.body()
			}
		}
		out = append(out, app.TrackedObject{ID: t.id, Box: e.normRect(box), Person: t.person(), People: t.people})
	}
	return out
}

// Statuses returns each configured detector's state.
func (e *Engine) Statuses(at time.Time) []app.DetectorStatus {
	out := make([]app.DetectorStatus, 0, len(e.dets))
	for _, d := range e.dets {
		out = append(out, app.DetectorStatus{Kind: d.cfg.Kind, Zone: d.cfg.Zone,
			Active: d.failed.ok() && d.active(at, e.opts.IgnoreSchedule), Failed: d.failed.msg, FailedArgs: d.failed.args})
	}
	return out
}

// Failed returns why every detector of the camera is off (a template and its values; msg
// "" while any runs).
func (e *Engine) Failed() (msg string, args map[string]any) {
	if !e.failed.ok() {
		return e.failed.msg, e.failed.args
	}
	if len(e.dets) > 0 && !e.anyRunning() {
		return e.dets[0].failed.msg, e.dets[0].failed.args
	}
	return "", nil
}

// Frames returns how many pictures were analysed.
func (e *Engine) Frames() int { return e.frames }

// Close frees the OpenCV resources.
func (e *Engine) Close() {
	if e.motion != nil {
		e.motion.closeAll()
	}
	if e.people != nil {
		e.people.closeAll()
	}
	if e.faces != nil {
		e.faces.closeAll()
	}
	e.gm.close()
}

// kindActive reports whether a detector of kind k is running now.
func (e *Engine) kindActive(k app.DetectorKind, at time.Time) bool {
	for _, d := range e.dets {
		if d.cfg.Kind == k && d.failed.ok() && d.active(at, e.opts.IgnoreSchedule) {
			return true
		}
	}
	return false
}
