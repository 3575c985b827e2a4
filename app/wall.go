package app

import (
	"context"
	"fmt"
	"image"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
)

// WallLayout is an arrangement of tiles on the camera wall.
type WallLayout string

// The layouts: square grids, and focus layouts with one large tile and small ones around.
const (
	Layout1      WallLayout = "1"
	Layout4      WallLayout = "4"
	Layout9      WallLayout = "9"
	Layout16     WallLayout = "16"
	Layout25     WallLayout = "25"
	Layout36     WallLayout = "36"
	LayoutFocus6 WallLayout = "1+5"
	LayoutFocus8 WallLayout = "1+7"
	Layout64     WallLayout = "64" // a control room's overview of a large site: every camera at a glance
)

// WallLayouts in the order of the toolbar and of the digit keys 1–9 (64 came last: the
// keys of the others stay where operators learnt them).
var WallLayouts = []WallLayout{Layout1, Layout4, Layout9, Layout16, Layout25, Layout36, LayoutFocus6, LayoutFocus8, Layout64}

// MaxWallTiles is the most tiles a layout shows.
const MaxWallTiles = 64

// Tiles returns how many tiles the layout shows.
func (l WallLayout) Tiles() int {
	switch l {
	case Layout1:
		return 1
	case Layout4:
		return 4
	case Layout9:
		return 9
	case Layout16:
		return 16
	case Layout25:
		return 25
	case Layout36:
		return 36
	case LayoutFocus6:
		return 6
	case LayoutFocus8:
		return 8
	case Layout64:
		return 64
	}
	return 0
}

// Valid reports whether l is a known layout.
func (l WallLayout) Valid() bool { return l.Tiles() > 0 }

// WallView is a named arrangement of the camera wall that an operator saved: the layout,
// the cameras in tile order (page after page), and the tour.
type WallView struct {
	Name     string     `json:"name"`
	Operator string     `json:"operator"`
	Layout   WallLayout `json:"layout"`
	Cameras  []string   `json:"cameras"`        // camera IDs by tile, page after page; "" leaves a tile empty
	Tour     Duration   `json:"tour,omitempty"` // cycle the pages every Tour (0: no tour)
	SavedAt  time.Time  `json:"saved_at"`
}

// Validate checks a view.
func (v *WallView) Validate() error {
	var p Problems
	if strings.TrimSpace(v.Name) == "" {
		p.Add("name", "A view needs a name")
	}
	if len([]rune(v.Name)) > 60 {
		p.Add("name", "A view's name is at most 60 characters")
	}
	if !v.Layout.Valid() {
		p.Add("layout", "Unknown wall layout {{.L}}", "L", v.Layout)
	}
	if v.Tour != 0 && v.Tour.D() < 3*time.Second {
		p.Add("tour", "A tour shows each page at least 3 s")
	}
	for _, c := range v.Cameras {
		if c != "" && !ValidID(c) {
			p.Add("cameras", "{{.ID}} is not a valid camera ID", "ID", c)
		}
	}
	return p.Err()
}

// Pages returns how many pages the view's cameras fill.
func (v *WallView) Pages() int {
	n := v.Layout.Tiles()
	if n == 0 || len(v.Cameras) == 0 {
		return 1
	}
	return (len(v.Cameras) + n - 1) / n
}

// ViewStore keeps the operators' saved wall views.
type ViewStore interface {
	Views(ctx context.Context, operator string) ([]WallView, error)
	SaveView(ctx context.Context, v WallView, e Entry) (Entry, error)
	DeleteView(ctx context.Context, operator, name string, e Entry) (Entry, error)
}

// ImageSaver writes a snapshot picture and returns where it is.
type ImageSaver interface {
	SavePNG(name string, img image.Image) (string, error)
}

// Journal kinds of the camera wall.
const (
	KindViewSaved    EntryKind = "view.saved"
	KindViewDeleted  EntryKind = "view.deleted"
	KindSnapshot     EntryKind = "camera.snapshot"
	KindCameraStatus EntryKind = "camera.status" // Data: StreamStatus (state changes only)
)

// Wall is the camera wall's service: saved views per operator and snapshots, each checked
// against the role and journaled.
type Wall struct {
	views ViewStore
	saver ImageSaver
	rec   *Recorder
	clock Clock
}

// NewWall builds the service.
func NewWall(views ViewStore, saver ImageSaver, rec *Recorder, clock Clock) *Wall {
	return &Wall{views: views, saver: saver, rec: rec, clock: clock}
}

// Views returns the operator's saved views, by name.
func (w *Wall) Views(ctx context.Context, op *Operator) ([]WallView, error) {
	if err := Authorize(op, ActView); err != nil {
		return nil, err
	}
	vs, err := w.views.Views(ctx, op.Username)
	sort.Slice(vs, func(i, j int) bool { return vs[i].Name < vs[j].Name })
	return vs, err
}

// SaveView saves (or replaces) a named view of the operator's own.
func (w *Wall) SaveView(ctx context.Context, op *Operator, v WallView) error {
	if err := Authorize(op, ActView); err != nil {
		return err
	}
	v.Name = strings.TrimSpace(v.Name)
	v.Operator = op.Username
	v.SavedAt = w.clock.Now()
	// Trailing empty tiles are not worth keeping.
	for len(v.Cameras) > 0 && v.Cameras[len(v.Cameras)-1] == "" {
		v.Cameras = v.Cameras[:len(v.Cameras)-1]
	}
	if err := v.Validate(); err != nil {
		return err
	}
	e, err := w.views.SaveView(ctx, v, NewEntry(KindViewSaved, "view:"+op.Username+"/"+v.Name, op.Username, v))
	if err != nil {
		return err
	}
	w.rec.Published(e)
	return nil
}

// DeleteView removes one of the operator's views.
func (w *Wall) DeleteView(ctx context.Context, op *Operator, name string) error {
	if err := Authorize(op, ActView); err != nil {
		return err
	}
	e, err := w.views.DeleteView(ctx, op.Username, name, NewEntry(KindViewDeleted, "view:"+op.Username+"/"+name, op.Username, map[string]string{"name": name}))
	if err != nil {
		return err
	}
	w.rec.Published(e)
	return nil
}

// Snapshot saves a camera's picture as a PNG in the data directory, journals who took it,
// and returns the file's path.
func (w *Wall) Snapshot(ctx context.Context, op *Operator, cam *Camera, img image.Image) (string, error) {
	if err := Authorize(op, ActSnapshot); err != nil {
		return "", err
	}
	if img == nil {
		return "", Errorf(CodeUnavailable, "The camera has no picture to save")
	}
	now := w.clock.Now()
	name := fmt.Sprintf("%s-%s.png", cam.ID, now.Format("20060102-150405.000"))
	path, err := w.saver.SavePNG(name, img)
	if err != nil {
		return "", Errorf(CodeUnavailable, "The snapshot cannot be saved").Wrap(err)
	}
	_, err = w.rec.Record(ctx, NewEntry(KindSnapshot, SubjectCamera(cam.ID), op.Username, map[string]string{"file": path}))
	return path, err
}

// CamerasSeeing returns the cameras that see where an alarm happened: the camera it came
// from, the cameras listed on its device, and any camera whose field of view covers its
// position. The wall flashes their tiles.
func (s *Site) CamerasSeeing(a *Alarm) []string {
	if a.Kind == AlarmCameraOffline {
		return []string{a.CameraID} // the camera itself, not what sees its place
	}
	seen := map[string]bool{}
	var out []string
	add := func(id string) {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	add(a.CameraID)
	pos := a.Position
	if d, ok := s.Device(a.DeviceID); ok {
		for _, c := range d.CameraIDs {
			add(c)
		}
		if pos == nil {
			p := d.Position
			pos = &p
		}
	}
	if pos != nil {
		for i := range s.Cameras {
			if s.Cameras[i].Sees(*pos) {
				add(s.Cameras[i].ID)
			}
		}
	}
	return out
}

// OnWall reports whether the alarm marks the tiles of the cameras that see it. Faults of the
// system (a device offline, a low battery, a supply expired) are for the desk, not the
// wall: nothing happens in front of a camera. A camera's own video loss is shown on its tile.
func (a *Alarm) OnWall() bool { return !a.Fault || a.Kind == AlarmCameraOffline }

// LowPriorityFlash is how long the wall flashes the cameras of a new P3 or P4 alarm; P1 and
// P2 flash until acknowledged. A repeat of the cause never starts the flashing again.
const LowPriorityFlash = 30 * time.Second

// Flashing reports whether the wall flashes the alarm's tiles at now (otherwise a steady
// border in its priority's colour marks them while it is open).
func (a *Alarm) Flashing(now time.Time) bool {
	if a.State != AlarmNew {
		return false
	}
	if a.Priority <= P2 {
		return true
	}
	return now.Sub(a.RaisedAt) < LowPriorityFlash
}

// NearestCameras returns up to n cameras for an alarm: those that see it first, then the
// closest others within 120 m, so that an operator always has a picture near the place.
func (s *Site) NearestCameras(a *Alarm, n int) []string {
	out := s.CamerasSeeing(a)
	if len(out) >= n {
		return out[:n]
	}
	pos := a.Position
	if pos == nil {
		if d, ok := s.Device(a.DeviceID); ok {
			p := d.Position
			pos = &p
		}
	}
	if pos == nil {
		return out
	}
	type near struct {
		id   string
		dist float64
	}
	var cands []near
	for _, c := range s.Cameras {
		if d := math.Hypot(c.Position.X-pos.X, c.Position.Y-pos.Y); d <= 120 && !slices.Contains(out, c.ID) {
			cands = append(cands, near{c.ID, d})
		}
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].dist < cands[j].dist })
	for _, c := range cands {
		if len(out) == n {
			break
		}
		out = append(out, c.id)
	}
	return out
}

// Sees reports whether p lies within the camera's field of view and range.
func (c *Camera) Sees(p Point) bool {
	dx, dy := p.X-c.Position.X, p.Y-c.Position.Y
	dist := math.Hypot(dx, dy)
	if dist > c.ViewRange() {
		return false
	}
	if dist < 1 {
		return true
	}
	bearing := math.Mod(math.Atan2(dx, dy)*180/math.Pi+360, 360) // clockwise from north
	diff := math.Abs(math.Mod(bearing-c.Direction+540, 360) - 180)
	return diff <= c.FieldOfView()/2
}
