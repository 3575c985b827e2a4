package app

import (
	"context"
	"math"
	"regexp"
	"strings"
	"sync"
)

// Editing the site from the map: grids drawn and reshaped, devices and cameras placed and
// aimed, the background picture, and whole plans imported (GeoJSON). Administrators only;
// every change is written by the store together with its journal entry (one transaction),
// and the journal never carries a camera's password.

// Journal kinds of site edits.
const (
	KindGridAdded     EntryKind = "grid.added"              // Data: Grid
	KindGridUpdated   EntryKind = "grid.updated"            // Data: Grid
	KindDeviceMoved   EntryKind = "device.moved"            // Data: Device (its new position and grid)
	KindCameraMoved   EntryKind = "camera.moved"            // Data: Camera (addresses without passwords)
	KindBackgroundSet EntryKind = "site.background_changed" // Data: Background (nil: removed)
)

// SubjectGrid is the journal subject of a grid.
func SubjectGrid(id string) string { return "grid:" + id }

// SiteEditor is what site edits need from the store besides SiteStore; each write commits
// its journal entry in the same transaction. store.Store implements it.
type SiteEditor interface {
	// SaveGrid adds a grid (at the end) or replaces the one with its ID.
	SaveGrid(ctx context.Context, g Grid, e Entry) (Entry, error)
	// UpdateDevice replaces a device of the site.
	UpdateDevice(ctx context.Context, d Device, e Entry) (Entry, error)
	// SetBackground keeps the picture (when given) in the data directory under bg.File and
	// records the background in the site; bg nil removes it from the site.
	SetBackground(ctx context.Context, bg *Background, image []byte, e Entry) (Entry, error)
	// BackgroundImage reads a kept picture.
	BackgroundImage(ctx context.Context, file string) ([]byte, error)
}

// editMu serialises the read-modify-write of site edits: two administrators moving two
// devices at once both keep their change.
var editMu sync.Mutex

func (inv *Inventory) editor() (SiteEditor, error) {
	ed, ok := inv.store.(SiteEditor)
	if !ok {
		return nil, Errorf(CodeUnavailable, "This store cannot edit the site")
	}
	return ed, nil
}

// beginEdit checks the operator and returns the store and the current site.
func (inv *Inventory) beginEdit(op *Operator) (SiteEditor, *Site, error) {
	if err := Authorize(op, ActEditSite); err != nil {
		return nil, nil, err
	}
	s := inv.Site()
	if s == nil {
		return nil, nil, Errorf(CodeUnavailable, "No site is set up yet")
	}
	ed, err := inv.editor()
	return ed, s, err
}

var colorPattern = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// SaveGrid adds a new grid or changes one (its outline, name, worker, colour). The outline
// must not cross itself.
func (inv *Inventory) SaveGrid(ctx context.Context, op *Operator, g Grid) error {
	editMu.Lock()
	defer editMu.Unlock()
	ed, s, err := inv.beginEdit(op)
	if err != nil {
		return err
	}
	g.Name, g.NameEn = strings.TrimSpace(g.Name), strings.TrimSpace(g.NameEn)
	g.Worker.Name, g.Worker.Phone = strings.TrimSpace(g.Worker.Name), strings.TrimSpace(g.Worker.Phone)
	if a, b, bad := RingCrossing(g.Area); bad {
		return Errorf(CodeInvalid, "The outline of grid {{.ID}} crosses itself (edges {{.A}} and {{.B}})", "ID", g.ID, "A", a+1, "B", b+1).On("area")
	}
	if err := g.Validate(); err != nil {
		return err
	}
	if g.Color != "" && !colorPattern.MatchString(g.Color) {
		return Errorf(CodeInvalid, "{{.Color}} is not a colour like #6f8fb0", "Color", g.Color).On("color")
	}
	idx := -1
	for i := range s.Grids {
		if s.Grids[i].ID == g.ID {
			idx = i
		}
	}
	kind := KindGridUpdated
	if idx < 0 {
		kind = KindGridAdded
	} else if sameJSON(g, s.Grids[idx]) {
		return ErrUnchanged()
	}
	e, err := ed.SaveGrid(ctx, g, NewEntry(kind, SubjectGrid(g.ID), op.Username, g))
	if err != nil {
		return err
	}
	inv.rec.Published(e) // the fold reads the site back before subscribers see the entry
	return nil
}

// MoveDevice places a device elsewhere on the plan. Its grid follows its new place (it
// keeps its grid when it is put outside every grid).
func (inv *Inventory) MoveDevice(ctx context.Context, op *Operator, id string, to Point) error {
	editMu.Lock()
	defer editMu.Unlock()
	ed, s, err := inv.beginEdit(op)
	if err != nil {
		return err
	}
	if !finite(to) {
		return Errorf(CodeInvalid, "Device {{.ID}} needs a position", "ID", id)
	}
	idx := -1
	for i := range s.Devices {
		if s.Devices[i].ID == id {
			idx = i
		}
	}
	if idx < 0 {
		return Errorf(CodeNotFound, "There is no device {{.ID}}", "ID", id)
	}
	d := s.Devices[idx]
	d.Position = to
	if g, ok := s.GridAt(to); ok {
		d.GridID = g.ID
	}
	e, err := ed.UpdateDevice(ctx, d, NewEntry(KindDeviceMoved, SubjectDevice(d.ID), op.Username, d))
	if err != nil {
		return err
	}
	inv.rec.Published(e) // the fold reads the site back before subscribers see the entry
	return nil
}

// MoveCamera places a camera elsewhere and sets where it looks (degrees clockwise from
// north). Its addresses and their passwords stay as they are: the journal gets them hidden.
func (inv *Inventory) MoveCamera(ctx context.Context, op *Operator, id string, to Point, direction float64) error {
	editMu.Lock()
	defer editMu.Unlock()
	_, s, err := inv.beginEdit(op)
	if err != nil {
		return err
	}
	c, ok := s.Camera(id)
	if !ok {
		return Errorf(CodeNotFound, "There is no camera {{.ID}}", "ID", id)
	}
	moved := *c
	moved.Position = to
	moved.Direction = math.Mod(math.Mod(direction, 360)+360, 360)
	if moved.Direction >= 360 { // -1e-15 wraps to 360
		moved.Direction = 0
	}
	if g, ok := s.GridAt(to); ok {
		moved.GridID = g.ID
	}
	if err := moved.Validate(); err != nil {
		return err
	}
	shown := moved
	shown.MainURL, shown.SubURL = RedactURL(moved.MainURL), RedactURL(moved.SubURL)
	// The camera's update path of the store: the row keeps the whole camera, passwords too.
	e, err := inv.store.UpdateCamera(ctx, moved, NewEntry(KindCameraMoved, SubjectCamera(id), op.Username, shown))
	if err != nil {
		return err
	}
	inv.rec.Published(e) // the fold reads the site back before subscribers see the entry
	return nil
}

// ImportSite replaces the site's plan with an imported one (a GeoJSON plan, or the site a
// workbook's rows make, sheets/), for administrators (in the console or on the installer's
// command line, which names its operator): one journaled replacement. What the
// file does not carry is kept from the current site: its ID and names, the vehicle
// register, the contacts and the background picture; camera addresses exported without
// their passwords get them back from the current site.
func (inv *Inventory) ImportSite(ctx context.Context, actor *Operator, s *Site) error {
	editMu.Lock()
	defer editMu.Unlock()
	if err := Authorize(actor, ActEditSite); err != nil {
		return err
	}
	by := actor.Username
	if cur := inv.Site(); s.Demo && cur != nil && !cur.Demo {
		// Only the bundled demo is the demo: a file marked so would turn a real site into
		// it, with automatic sign-in and the demo's published password.
		return Errorf(CodeForbidden, "The file marks its site as the demo community (\"demo\": true); a real site cannot become the demo. Remove that line from the file and import it again").On("demo")
	}
	PrepareImport(s, inv.Site()) // site_diff.go: what the preview showed
	if err := s.Validate(); err != nil {
		return err
	}
	e, err := inv.store.ReplaceSite(ctx, s, NewEntry(KindSiteImported, SubjectSite(s.ID), by, s.Redacted()))
	if err != nil {
		return err
	}
	inv.rec.Published(e) // the fold reads the site back before subscribers see the entry
	return nil
}

// restorePasswords gives the cameras of an imported site, whose addresses were exported
// with their passwords hidden, the passwords the current site has for the same address.
func restorePasswords(next, cur *Site) {
	for i := range next.Cameras {
		c := &next.Cameras[i]
		old, ok := cur.Camera(c.ID)
		if !ok {
			continue
		}
		for _, pair := range [][2]*string{{&c.MainURL, &old.MainURL}, {&c.SubURL, &old.SubURL}} {
			if *pair[0] != "" && *pair[0] != *pair[1] && *pair[0] == RedactURL(*pair[1]) {
				*pair[0] = *pair[1]
			}
		}
	}
}

// SetBackground puts a picture under the plan (image: its file's content, name: its file
// name), or changes the reference points and opacity of the current one (image nil), or
// removes it (bg nil).
func (inv *Inventory) SetBackground(ctx context.Context, op *Operator, bg *Background, name string, image []byte) error {
	editMu.Lock()
	defer editMu.Unlock()
	ed, s, err := inv.beginEdit(op)
	if err != nil {
		return err
	}
	var set *Background
	if bg != nil {
		b := *bg
		if image != nil {
			file, w, h, err := CheckBackgroundImage(name, image)
			if err != nil {
				return err
			}
			b.File, b.Width, b.Height = file, w, h
		} else if s.Background == nil || b.File != s.Background.File {
			return Errorf(CodeInvalid, "Choose a picture for the background")
		}
		if err := b.Validate(); err != nil {
			return err
		}
		set = &b
	}
	if image == nil && sameJSON(set, s.Background) {
		return ErrUnchanged()
	}
	var data any
	if set != nil {
		data = set
	}
	e, err := ed.SetBackground(ctx, set, image, NewEntry(KindBackgroundSet, SubjectSite(s.ID), op.Username, data))
	if err != nil {
		return err
	}
	inv.rec.Published(e) // the fold reads the site back before subscribers see the entry
	return nil
}

// BackgroundImage returns the content of the site's background picture (nil when none).
func (inv *Inventory) BackgroundImage(ctx context.Context) ([]byte, error) {
	s := inv.Site()
	if s == nil || s.Background == nil {
		return nil, nil
	}
	ed, err := inv.editor()
	if err != nil {
		return nil, err
	}
	return ed.BackgroundImage(ctx, s.Background.File)
}
