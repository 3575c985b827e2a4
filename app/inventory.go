package app

import (
	"context"
	"sort"
	"strings"
	"sync"
)

// Inventory holds the site: its plan, grids, buildings, cameras and devices. The site is
// read from the store at start; changes are journaled (the store projects them).
type Inventory struct {
	store SiteStore
	rec   *Recorder

	mu      sync.RWMutex
	site    *Site
	devices map[string]*Device // index of site.Devices: the ingest path looks devices up per message
	users   []ImpactSource     // what names the site's things, for DeleteImpact (inventory_impact.go)
}

func (inv *Inventory) setSite(s *Site) {
	idx := make(map[string]*Device, len(s.Devices))
	for i := range s.Devices {
		idx[s.Devices[i].ID] = &s.Devices[i]
	}
	inv.mu.Lock()
	inv.site, inv.devices = s, idx
	inv.mu.Unlock()
}

// Device returns a device of the site by ID.
func (inv *Inventory) Device(id string) (*Device, bool) {
	inv.mu.RLock()
	defer inv.mu.RUnlock()
	d, ok := inv.devices[id]
	return d, ok
}

// NewInventory builds the service; call Load before use.
func NewInventory(store SiteStore, rec *Recorder) *Inventory {
	inv := &Inventory{store: store, rec: rec}
	rec.Bus.Fold(reloadOn("inventory", inv.Load, siteKinds...)) // inventory_things.go
	return inv
}

// Load reads the site. It returns an error with CodeNotFound when there is none yet.
func (inv *Inventory) Load(ctx context.Context) error {
	s, err := inv.store.LoadSite(ctx)
	if err != nil {
		return err
	}
	inv.setSite(s)
	return nil
}

// Site returns the current site, nil before one is loaded or seeded. Callers must not
// modify it: every change goes through the inventory so that it is journaled.
func (inv *Inventory) Site() *Site {
	inv.mu.RLock()
	defer inv.mu.RUnlock()
	return inv.site
}

// Seed sets up the site on a database that has none (the demo community on first start,
// or an installer's import). It is journaled as site.seeded by the system.
func (inv *Inventory) Seed(ctx context.Context, s *Site) error {
	if inv.Site() != nil {
		return Errorf(CodeConflict, "A site is already set up")
	}
	s.AssignGrids()
	if err := s.Validate(); err != nil {
		return err
	}
	// The journal gets the site with its cameras' passwords hidden; the store keeps them.
	e, err := inv.store.ReplaceSite(ctx, s, NewEntry(KindSiteSeeded, SubjectSite(s.ID), SystemActor, s.Redacted()))
	if err != nil {
		return err
	}
	inv.rec.Published(e) // the fold reads the site back before subscribers see the entry
	return nil
}

// ItemKind is the kind of a thing found in the inventory.
type ItemKind string

const (
	ItemGrid     ItemKind = "grid"
	ItemBuilding ItemKind = "building"
	ItemCamera   ItemKind = "camera"
	ItemDevice   ItemKind = "device"
)

// Hit is one search result.
type Hit struct {
	Kind ItemKind
	ID   string
	Name string // display name in the asked language
	Grid string // grid ID, if any
}

// Search finds grids, buildings, cameras and devices whose ID, name, location, worker or
// resident matches q (case-insensitive, any language). An empty q matches everything.
// Results come grouped by kind, then by ID.
func (inv *Inventory) Search(q string, english bool) []Hit {
	s := inv.Site()
	if s == nil {
		return nil
	}
	q = strings.ToLower(strings.TrimSpace(q))
	has := func(fields ...string) bool {
		if q == "" {
			return true
		}
		for _, f := range fields {
			if strings.Contains(strings.ToLower(f), q) {
				return true
			}
		}
		return false
	}
	var out []Hit
	for _, g := range s.Grids {
		if has(g.ID, g.Name, g.NameEn, g.Worker.Name, g.Worker.Phone) {
			out = append(out, Hit{ItemGrid, g.ID, g.Display(english), g.ID})
		}
	}
	for _, b := range s.Buildings {
		if has(b.ID, b.Name, b.NameEn, b.Number) {
			out = append(out, Hit{ItemBuilding, b.ID, b.Display(english), b.GridID})
		}
	}
	for _, c := range s.Cameras {
		if has(c.ID, c.Name, c.NameEn, string(c.Kind)) {
			out = append(out, Hit{ItemCamera, c.ID, c.Display(english), c.GridID})
		}
	}
	for _, d := range s.Devices {
		person := ""
		if d.Person != nil {
			person = d.Person.Name
		}
		if has(d.ID, d.Name, d.NameEn, d.Location, d.LocationEn, string(d.Kind), d.Kind.Label(), person) {
			out = append(out, Hit{ItemDevice, d.ID, d.Display(english), d.GridID})
		}
	}
	order := map[ItemKind]int{ItemGrid: 0, ItemBuilding: 1, ItemCamera: 2, ItemDevice: 3}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return order[out[i].Kind] < order[out[j].Kind]
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// KindDeviceAdded records a device added to the site (an unregistered device adopted).
const KindDeviceAdded EntryKind = "device.added" // Data: Device

// AddDevice adds a device to the site (administrators: it changes the inventory). Its grid
// is found from its position when not given.
func (inv *Inventory) AddDevice(ctx context.Context, op *Operator, d Device) error {
	if err := Authorize(op, ActEditSite); err != nil {
		return err
	}
	editMu.Lock()
	defer editMu.Unlock()
	s := inv.Site()
	if s == nil {
		return Errorf(CodeUnavailable, "No site is set up yet")
	}
	if _, exists := inv.Device(d.ID); exists {
		return Errorf(CodeConflict, "The device {{.ID}} is already registered", "ID", d.ID)
	}
	if d.GridID == "" {
		if g, ok := s.GridAt(d.Position); ok {
			d.GridID = g.ID
		}
	}
	d = tidyDevice(d)
	if err := checkDeviceInSite(s, &d); err != nil { // inventory_things.go
		return err
	}
	// The store projects the entry into its site tables; the fold reads the site back.
	_, err := inv.rec.Record(ctx, NewEntry(KindDeviceAdded, SubjectDevice(d.ID), op.Username, d))
	return err
}

// KindCameraUpdated records a camera's settings changed (its stream addresses, its name).
const KindCameraUpdated EntryKind = "camera.updated" // Data: Camera (addresses without passwords in the journal)

// UpdateCamera changes a camera's settings (administrators). The journal entry carries the
// addresses with their passwords hidden; the inventory keeps them whole. Settings that are
// as saved already write nothing (ErrUnchanged).
func (inv *Inventory) UpdateCamera(ctx context.Context, op *Operator, c Camera) error {
	return inv.editCamera(ctx, op, c.ID, func(*Camera) (Camera, error) { return c, nil })
}

// editCamera changes a camera of the current site: edit gets the camera as saved and returns
// it changed. The read and the write are one step (editMu): two administrators saving two
// cameras, or two settings of one camera, both keep their change.
func (inv *Inventory) editCamera(ctx context.Context, op *Operator, id string, edit func(cur *Camera) (Camera, error)) error {
	if err := Authorize(op, ActEditSite); err != nil {
		return err
	}
	return inv.editCameraAs(ctx, op.Username, id, edit)
}

// saveCamera changes a camera, journaled as actor's change (the system's, for the demo's
// cameras following their simulator).
func (inv *Inventory) saveCamera(ctx context.Context, actor string, c Camera) error {
	return inv.editCameraAs(ctx, actor, c.ID, func(*Camera) (Camera, error) { return c, nil })
}

// editCameraAs is editCamera once actor is allowed to make the change.
func (inv *Inventory) editCameraAs(ctx context.Context, actor, id string, edit func(cur *Camera) (Camera, error)) error {
	editMu.Lock()
	defer editMu.Unlock()
	s := inv.Site()
	if s == nil {
		return Errorf(CodeUnavailable, "No site is set up yet")
	}
	idx := -1
	for i := range s.Cameras {
		if s.Cameras[i].ID == id {
			idx = i
		}
	}
	if idx < 0 {
		return Errorf(CodeNotFound, "There is no camera {{.ID}}", "ID", id)
	}
	cur := s.Cameras[idx]
	c, err := edit(&cur)
	if err != nil {
		return err
	}
	if c.ID != id {
		return Errorf(CodeNotFound, "There is no camera {{.ID}}", "ID", c.ID)
	}
	c.Analytics = normalizeAnalytics(c.Analytics)
	if err := c.Validate(); err != nil {
		return err
	}
	saved := s.Cameras[idx]
	saved.Analytics = normalizeAnalytics(saved.Analytics)
	if sameJSON(c, saved) {
		return ErrUnchanged()
	}
	shown := c
	shown.MainURL, shown.SubURL = RedactURL(c.MainURL), RedactURL(c.SubURL)
	e, err := inv.store.UpdateCamera(ctx, c, NewEntry(KindCameraUpdated, SubjectCamera(c.ID), actor, shown))
	if err != nil {
		return err
	}
	inv.rec.Published(e) // the fold reads the site back: the camera feeds see the new address
	return nil
}
