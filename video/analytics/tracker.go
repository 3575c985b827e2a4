package analytics

import (
	"image"
	"math"
	"time"
)

// track follows one moving region (a person, a group walking together, or something else)
// from frame to frame.
type track struct {
	id     int
	box    image.Rectangle // analysis picture coordinates
	first  time.Time
	last   time.Time // last matched to a region
	seen   int       // frames matched
	missed int       // frames in a row without a region
	heldAt time.Time // last time the people detector found the person still in place (no region: standing still)
	origin image.Point
	moved  bool // went further than a third of its height (a "ghost" left where something was never does)

	// What the people detector said.
	checkedAt   time.Time
	checkedBox  image.Rectangle
	checks      int
	hits        int
	people      int               // people in the region at the last check
	personBoxes []image.Rectangle // found at the last check
	faceAt      time.Time         // last face search
	faces       []image.Rectangle // found then

	trail []footAt // recent positions of its foot point

	uprightAt time.Time // last seen standing (taller than wide)
	downSince time.Time // lying since (wider than tall after standing)

	zoneSince map[string]time.Time // zone ID → in it since
	zoneLast  map[string]time.Time // zone ID → last seen in it
	done      map[string]bool      // detections already reported for this track
}

type footAt struct {
	p image.Point
	t time.Time
}

// person reports whether the people detector confirmed the track: twice, or once for a
// track checked only once so far.
func (t *track) person() bool { return t.hits >= 2 || (t.hits == 1 && t.checks <= 2) }

// holdFor is how long a person the people detector found in place counts as present.
const holdFor = 2500 * time.Millisecond

// present reports whether the track is there at at: matched to a moving region in this
// frame, or found standing still by the people detector a moment ago.
func (t *track) present(at time.Time) bool {
	return t.last.Equal(at) || (!t.heldAt.IsZero() && at.Sub(t.heldAt) <= holdFor)
}

// seenAt is the last time the track was there.
func (t *track) seenAt() time.Time {
	if t.heldAt.After(t.last) {
		return t.heldAt
	}
	return t.last
}

func (t *track) freshBodies() bool {
	return len(t.personBoxes) > 0 && t.seenAt().Sub(t.checkedAt) <= 2*time.Second
}

// body is the box of the people in the track: what the people detector found at its last
// look (moved along with the track since), when that was less than two seconds before the
// track was last seen; else the moving region's box (which may be only a part of a body).
func (t *track) body() image.Rectangle {
	if !t.freshBodies() {
		return t.box
	}
	d := center(t.box).Sub(center(t.checkedBox))
	u := t.personBoxes[0]
	for _, b := range t.personBoxes[1:] {
		u = u.Union(b)
	}
	return u.Add(d)
}

// bodies are the people's boxes one by one (see body).
func (t *track) bodies() []image.Rectangle {
	if !t.freshBodies() {
		return []image.Rectangle{t.box}
	}
	d := center(t.box).Sub(center(t.checkedBox))
	out := make([]image.Rectangle, len(t.personBoxes))
	for i, b := range t.personBoxes {
		out[i] = b.Add(d)
	}
	return out
}

// foot is where the track stands: the bottom centre of its body.
func (t *track) foot() image.Point {
	b := t.body()
	return image.Pt((b.Min.X+b.Max.X)/2, b.Max.Y)
}

// tracker matches the regions of each frame to the tracks of the previous ones: by overlap,
// else by the nearest centre within a body's size. A region two tracks compete for (two
// people meeting) goes to the older track; the other waits, and is dropped after coast.
type tracker struct {
	tracks []*track
	nextID int
	coast  time.Duration // how long a track lives without a region
	trail  time.Duration
}

func newTracker() *tracker { return &tracker{coast: 1500 * time.Millisecond, trail: 10 * time.Second} }

func (tr *tracker) update(boxes []image.Rectangle, now time.Time) {
	used := make([]bool, len(boxes))
	// Older tracks choose first.
	for _, t := range tr.tracks {
		best, bestScore := -1, 0.0
		for i, b := range boxes {
			if used[i] {
				continue
			}
			score := iou(t.box, b)
			if score < 0.05 {
				// No overlap: near enough for the distance a person walks between samples?
				d := dist(center(t.box), center(b))
				reach := float64(max(t.box.Dy(), b.Dy()))
				if d > reach {
					continue
				}
				score = 0.05 * (1 - d/reach)
			}
			if score > bestScore {
				best, bestScore = i, score
			}
		}
		if best < 0 {
			t.missed++
			continue
		}
		used[best] = true
		t.box = boxes[best]
		t.last = now
		t.seen++
		t.missed = 0
		if dist(center(t.box), t.origin) > float64(t.box.Dy())/3 {
			t.moved = true
		}
		t.addFoot(now, tr.trail)
	}
	for i, b := range boxes {
		if used[i] {
			continue
		}
		tr.nextID++
		t := &track{id: tr.nextID, box: b, first: now, last: now, seen: 1, origin: center(b),
			zoneSince: map[string]time.Time{}, zoneLast: map[string]time.Time{}, done: map[string]bool{}}
		t.addFoot(now, tr.trail)
		tr.tracks = append(tr.tracks, t)
	}
	keep := tr.tracks[:0]
	for _, t := range tr.tracks {
		if now.Sub(t.seenAt()) <= tr.coast {
			keep = append(keep, t)
		}
	}
	clear(tr.tracks[len(keep):])
	tr.tracks = keep
}

func (t *track) addFoot(now time.Time, keep time.Duration) {
	t.trail = append(t.trail, footAt{t.foot(), now})
	cut := 0
	for cut < len(t.trail)-2 && now.Sub(t.trail[cut].t) > keep {
		cut++
	}
	t.trail = t.trail[cut:]
}

func center(r image.Rectangle) image.Point { return image.Pt((r.Min.X+r.Max.X)/2, (r.Min.Y+r.Max.Y)/2) }

func dist(a, b image.Point) float64 {
	dx, dy := float64(a.X-b.X), float64(a.Y-b.Y)
	return math.Sqrt(dx*dx + dy*dy)
}
