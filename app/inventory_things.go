package app

import (
	"context"
	"net/url"
	"slices"
	"strings"
)

// The site's things added, changed and deleted in the console (administrators): cameras,
// devices with the person a bracelet or a button belongs to, and buildings. Each change is
// written by the store together with its journal entry (one transaction); the inventory
// reads the site back through its fold (reloadOn), like every other site edit. The journal
// never carries a camera's password.

// Journal kinds of the things' edits.
const (
	KindCameraAdded     EntryKind = "camera.added"     // Data: Camera (addresses without passwords)
	KindCameraDeleted   EntryKind = "camera.deleted"   // Data: Deletion
	KindDeviceUpdated   EntryKind = "device.updated"   // Data: Device
	KindDeviceDeleted   EntryKind = "device.deleted"   // Data: Deletion
	KindBuildingAdded   EntryKind = "building.added"   // Data: Building
	KindBuildingUpdated EntryKind = "building.updated" // Data: Building
	KindBuildingDeleted EntryKind = "building.deleted" // Data: Deletion
)

// SubjectBuilding is the journal subject of a building.
func SubjectBuilding(id string) string { return "building:" + id }

// siteKinds are the journal kinds after which the site is read back (the inventory's fold).
var siteKinds = []EntryKind{KindSiteSeeded, KindSiteImported, KindDeviceAdded, KindDeviceMoved, KindDeviceUpdated,
	KindDeviceDeleted, KindCameraUpdated, KindCameraMoved, KindCameraAdded, KindCameraDeleted, KindGridAdded,
	KindGridUpdated, KindBuildingAdded, KindBuildingUpdated, KindBuildingDeleted, KindBackgroundSet, KindContactsUpdated, KindPersonErased}

// ChangesSite reports whether an entry of this kind changes the site's plan or inventory:
// panels that draw the site take it again.
func (k EntryKind) ChangesSite() bool { return slices.Contains(siteKinds, k) }

// ChangesCameras reports whether an entry of this kind may change the list of cameras or
// their addresses: what plays cameras (the feeds, the wall, recording, analytics) follows.
func (k EntryKind) ChangesCameras() bool {
	switch k {
	case KindCameraUpdated, KindCameraAdded, KindCameraDeleted, KindSiteImported, KindSiteSeeded, KindBuildingDeleted:
		return true
	}
	return false
}

// ThingStore is what adding and deleting things needs from the store besides SiteStore and
// SiteEditor; each write commits its journal entry in the same transaction. store.Store
// implements it.
type ThingStore interface {
	// AddCamera adds a camera (its addresses with their passwords) after the others.
	AddCamera(ctx context.Context, c Camera, e Entry) (Entry, error)
	// DeleteCamera removes a camera; devices are those that named it, without it now.
	DeleteCamera(ctx context.Context, id string, devices []Device, e Entry) (Entry, error)
	// DeleteDevice removes a device (and what the store knows of its state).
	DeleteDevice(ctx context.Context, id string, e Entry) (Entry, error)
	// SaveBuilding adds a building (after the others) or replaces the one with its ID.
	SaveBuilding(ctx context.Context, b Building, e Entry) (Entry, error)
	// DeleteBuilding removes a building; cameras and devices are those that stood in it,
	// without it now.
	DeleteBuilding(ctx context.Context, id string, cameras []Camera, devices []Device, e Entry) (Entry, error)
}

// Deletion is the journal's record of a thing deleted: what it was (a camera without its
// passwords) and what the operator was told it affected when confirming.
type Deletion struct {
	Kind ItemKind `json:"kind"`
	ID   string   `json:"id"`
	Names
	Impact   []Impact  `json:"impact,omitempty"`
	Camera   *Camera   `json:"camera,omitempty"`
	Device   *Device   `json:"device,omitempty"`
	Building *Building `json:"building,omitempty"`
}

func (inv *Inventory) things() (ThingStore, error) {
	ts, ok := inv.store.(ThingStore)
	if !ok {
		return nil, Errorf(CodeUnavailable, "This store cannot edit the site")
	}
	return ts, nil
}

// beginThingEdit starts an edit of the site's things: the operator may change the site,
// edits run one at a time (the caller calls unlock), and it hands over the store's port and
// the site as it stands.
func (inv *Inventory) beginThingEdit(op *Operator) (ts ThingStore, s *Site, unlock func(), err error) {
	if err := Authorize(op, ActEditSite); err != nil {
		return nil, nil, nil, err
	}
	editMu.Lock()
	if ts, err = inv.things(); err != nil {
		editMu.Unlock()
		return nil, nil, nil, err
	}
	if s = inv.Site(); s == nil {
		editMu.Unlock()
		return nil, nil, nil, Errorf(CodeUnavailable, "No site is set up yet")
	}
	return ts, s, editMu.Unlock, nil
}

// --- cameras -----------------------------------------------------------------------------

// AddCamera adds a camera to the site. Its addresses may carry a user and password
// (rtsp://user:password@host/…): the store keeps them, the journal gets them hidden. Its
// grid is found from its place when not given.
func (inv *Inventory) AddCamera(ctx context.Context, op *Operator, c Camera) error {
	if err := Authorize(op, ActEditSite); err != nil {
		return err
	}
	editMu.Lock()
	defer editMu.Unlock()
	return inv.addCamera(ctx, op.Username, c)
}

func (inv *Inventory) addCamera(ctx context.Context, actor string, c Camera) error {
	ts, err := inv.things()
	if err != nil {
		return err
	}
	s := inv.Site()
	if s == nil {
		return Errorf(CodeUnavailable, "No site is set up yet")
	}
	c.ID = strings.TrimSpace(c.ID)
	c.Name, c.NameEn = strings.TrimSpace(c.Name), strings.TrimSpace(c.NameEn)
	c.MainURL, c.SubURL = PlainASCII(c.MainURL), PlainASCII(c.SubURL)
	if _, exists := s.Camera(c.ID); exists {
		return Errorf(CodeConflict, "The camera {{.ID}} is already registered", "ID", c.ID).On("id")
	}
	if c.GridID == "" {
		if g, ok := s.GridAt(c.Position); ok {
			c.GridID = g.ID
		}
	}
	c.Analytics = normalizeAnalytics(c.Analytics)
	if err := checkCameraInSite(s, &c); err != nil {
		return err
	}
	e, err := ts.AddCamera(ctx, c, NewEntry(KindCameraAdded, SubjectCamera(c.ID), actor, redactedCamera(c)))
	if err != nil {
		return err
	}
	inv.rec.Published(e) // the fold reads the site back: the feeds and the wall see the camera
	return nil
}

// checkCameraInSite validates a camera and the grid and building it names.
func checkCameraInSite(s *Site, c *Camera) error {
	var p Problems
	c.check(&p)
	if c.GridID != "" {
		if _, ok := s.Grid(c.GridID); !ok {
			p.Add("grid", "Camera {{.ID}} refers to unknown grid {{.Grid}}", "ID", c.ID, "Grid", c.GridID)
		}
	}
	if c.BuildingID != "" {
		if _, ok := s.Building(c.BuildingID); !ok {
			p.Add("building", "Camera {{.ID}} refers to unknown building {{.Building}}", "ID", c.ID, "Building", c.BuildingID)
		}
	}
	return p.Err()
}

func redactedCamera(c Camera) Camera {
	c.MainURL, c.SubURL = RedactURL(c.MainURL), RedactURL(c.SubURL)
	return c
}

// CameraForm is a camera as its dialog edits it: the addresses without credentials, the
// user and the password apart. The password is never handed back to a dialog: FormOf
// leaves it empty, and an empty password on an edit keeps the saved one.
type CameraForm struct {
	Camera   Camera // MainURL and SubURL without user and password
	User     string
	Password string // "" on an edit: keep the saved password
}

// FormOf is the form of a saved camera: its addresses without credentials, its user, no
// password.
func FormOf(c Camera) CameraForm {
	f := CameraForm{Camera: c}
	f.User = urlUser(c.MainURL)
	f.Camera.MainURL, f.Camera.SubURL = stripCredentials(c.MainURL), stripCredentials(c.SubURL)
	return f
}

// Build returns the camera a form describes, its addresses with the user and password;
// cur is the saved camera on an edit (nil for a new one), whose password an empty one
// keeps. The dialog's "test connection" tests what Build gives.
func (f CameraForm) Build(cur *Camera) Camera {
	c := f.Camera
	user, pw := strings.TrimSpace(f.User), f.Password
	c.MainURL, c.SubURL = PlainASCII(c.MainURL), PlainASCII(c.SubURL)
	for _, u := range []struct {
		dst   *string
		saved string
	}{{&c.MainURL, savedURL(cur, true)}, {&c.SubURL, savedURL(cur, false)}} {
		if *u.dst == "" || user == "" {
			continue // no address, or a camera without a sign-in (an address typed with its credentials stays so)
		}
		p := pw
		if p == "" {
			p = urlPassword(u.saved)
			if p == "" {
				p = urlPassword(savedURL(cur, true)) // a sub stream added later signs in as the main one
			}
		}
		*u.dst = withCredentials(*u.dst, user, p)
	}
	return c
}

func savedURL(cur *Camera, main bool) string {
	if cur == nil {
		return ""
	}
	if main {
		return cur.MainURL
	}
	return cur.SubURL
}

func urlUser(u string) string {
	pu, err := url.Parse(u)
	if err != nil || pu.User == nil {
		return ""
	}
	return pu.User.Username()
}

func urlPassword(u string) string {
	pu, err := url.Parse(u)
	if err != nil || pu.User == nil {
		return ""
	}
	p, _ := pu.User.Password()
	return p
}

// stripCredentials removes the user and password from an address.
func stripCredentials(u string) string {
	pu, err := url.Parse(u)
	if err != nil || pu.User == nil {
		return u
	}
	pu.User = nil
	return pu.String()
}

// withCredentials puts a user and password into an address that has none of its own.
func withCredentials(u, user, password string) string {
	pu, err := url.Parse(u)
	if err != nil || pu.User != nil || pu.Host == "" {
		return u // unreadable (validation says why), or typed with its own credentials
	}
	if password == "" {
		pu.User = url.User(user)
	} else {
		pu.User = url.UserPassword(user, password)
	}
	return pu.String()
}

// SaveCameraForm adds a camera (isNew) or changes one from its dialog's form. An edit keeps
// what the form does not carry as it is saved now (its analytics, its field of view and
// range, its building, its video-loss settings).
func (inv *Inventory) SaveCameraForm(ctx context.Context, op *Operator, f CameraForm, isNew bool) error {
	if err := Authorize(op, ActEditSite); err != nil {
		return err
	}
	if isNew {
		editMu.Lock()
		defer editMu.Unlock()
		return inv.addCamera(ctx, op.Username, f.Build(nil))
	}
	return inv.editCameraAs(ctx, op.Username, f.Camera.ID, func(cur *Camera) (Camera, error) {
		next := f.Build(cur)
		c := *cur
		c.Names = Names{Name: strings.TrimSpace(next.Name), NameEn: strings.TrimSpace(next.NameEn)}
		c.Kind, c.MainURL, c.SubURL = next.Kind, next.MainURL, next.SubURL
		c.Position, c.Direction = next.Position, next.Direction
		c.GridID = next.GridID
		if c.GridID == "" {
			if g, ok := inv.Site().GridAt(c.Position); ok {
				c.GridID = g.ID
			}
		}
		if err := checkCameraInSite(inv.Site(), &c); err != nil {
			return c, err
		}
		return c, nil
	})
}

// DeleteCamera removes a camera from the site. What it affects (DeleteImpact) must be
// confirmed: without confirmed, a camera with open alarms, used by a drill or named by a
// device is not deleted and the error says why (CodeConflict). Devices that named it open
// their alarms without it from then on; its open alarms stay on the desk to be resolved.
func (inv *Inventory) DeleteCamera(ctx context.Context, op *Operator, id string, confirmed bool) error {
	ts, s, unlock, err := inv.beginThingEdit(op)
	if err != nil {
		return err
	}
	defer unlock()
	c, ok := s.Camera(id)
	if !ok {
		return Errorf(CodeNotFound, "There is no camera {{.ID}}", "ID", id)
	}
	impact := inv.DeleteImpact(ItemCamera, id)
	if err := needsConfirming(impact, confirmed, c.Names); err != nil {
		return err
	}
	var devices []Device
	for _, d := range s.Devices {
		if slices.Contains(d.CameraIDs, id) {
			d.CameraIDs = slices.DeleteFunc(slices.Clone(d.CameraIDs), func(x string) bool { return x == id })
			devices = append(devices, d)
		}
	}
	was := redactedCamera(*c)
	data := Deletion{Kind: ItemCamera, ID: id, Names: c.Names, Impact: impact, Camera: &was}
	e, err := ts.DeleteCamera(ctx, id, devices, NewEntry(KindCameraDeleted, SubjectCamera(id), op.Username, data))
	if err != nil {
		return err
	}
	inv.rec.Published(e)
	return nil
}

// needsConfirming refuses a delete that affects something the operator has not confirmed.
func needsConfirming(impact []Impact, confirmed bool, n Names) error {
	if len(impact) == 0 || confirmed {
		return nil
	}
	return Errorf(CodeConflict, "{{.Name}} is still in use; confirm to delete it", "Name", n.Name).On("confirm")
}

// --- devices -----------------------------------------------------------------------------

// UpdateDevice changes a device of the site: every field but its ID (its kind, names,
// place, building, unit and floor, supervision window, cameras, and the person it belongs
// to). Its grid is found from its place when not given. A device as saved writes nothing
// (ErrUnchanged).
func (inv *Inventory) UpdateDevice(ctx context.Context, op *Operator, d Device) error {
	editMu.Lock()
	defer editMu.Unlock()
	ed, s, err := inv.beginEdit(op)
	if err != nil {
		return err
	}
	cur, ok := s.Device(d.ID)
	if !ok {
		return Errorf(CodeNotFound, "There is no device {{.ID}}", "ID", d.ID)
	}
	d = tidyDevice(d)
	if d.GridID == "" {
		if g, ok := s.GridAt(d.Position); ok {
			d.GridID = g.ID
		}
	}
	if err := checkDeviceInSite(s, &d); err != nil {
		return err
	}
	if sameJSON(d, *cur) {
		return ErrUnchanged()
	}
	e, err := ed.UpdateDevice(ctx, d, NewEntry(KindDeviceUpdated, SubjectDevice(d.ID), op.Username, d))
	if err != nil {
		return err
	}
	inv.rec.Published(e)
	return nil
}

// tidyDevice trims what was typed; a person without a name is no person.
func tidyDevice(d Device) Device {
	d.ID = strings.TrimSpace(d.ID)
	d.Name, d.NameEn = strings.TrimSpace(d.Name), strings.TrimSpace(d.NameEn)
	d.Location, d.LocationEn = strings.TrimSpace(d.Location), strings.TrimSpace(d.LocationEn)
	if d.Person != nil {
		p := *d.Person
		p.Name, p.Phone, p.Note = strings.TrimSpace(p.Name), PlainASCII(p.Phone), strings.TrimSpace(p.Note)
		p.Contact, p.ContactPhone = strings.TrimSpace(p.Contact), PlainASCII(p.ContactPhone)
		d.Person = &p
		if p == (Person{}) { // nothing typed: no person
			d.Person = nil
		}
	}
	if len(d.CameraIDs) == 0 {
		d.CameraIDs = nil
	}
	return d
}

// checkDeviceInSite validates a device and what it names in the site.
func checkDeviceInSite(s *Site, d *Device) error {
	var p Problems
	d.check(&p)
	if d.Unit < 0 {
		p.Add("unit", "A unit is numbered from 1")
	}
	if d.Person != nil {
		if d.Person.Phone != "" && !validPhone(d.Person.Phone) {
			p.Add("person.phone", "{{.Phone}} is not a phone number", "Phone", d.Person.Phone)
		}
		if d.Person.ContactPhone != "" && !validPhone(d.Person.ContactPhone) {
			p.Add("person.contact_phone", "{{.Phone}} is not a phone number", "Phone", d.Person.ContactPhone)
		}
		if d.Person.Name == "" && d.Kind != KindBracelet {
			p.Add("person.name", "The person needs a name")
		}
	}
	if d.GridID != "" {
		if _, ok := s.Grid(d.GridID); !ok {
			p.Add("grid", "Device {{.ID}} refers to unknown grid {{.Grid}}", "ID", d.ID, "Grid", d.GridID)
		}
	}
	if d.BuildingID != "" {
		b, ok := s.Building(d.BuildingID)
		if !ok {
			p.Add("building", "Device {{.ID}} refers to unknown building {{.Building}}", "ID", d.ID, "Building", d.BuildingID)
		} else {
			if b.Floors > 0 && d.Floor > b.Floors {
				p.Add("floor", "{{.Building}} has {{.N}} floors", "Building", b.Name, "N", b.Floors)
			}
			if b.Units > 0 && d.Unit > b.Units {
				p.Add("unit", "{{.Building}} has {{.N}} units", "Building", b.Name, "N", b.Units)
			}
		}
	}
	for _, id := range d.CameraIDs {
		if _, ok := s.Camera(id); !ok {
			p.Add("cameras", "There is no camera {{.ID}}", "ID", id)
		}
	}
	return p.Err()
}

// DeleteDevice removes a device from the site. What it affects (open alarms, a drill that
// injects it, a running incident) must be confirmed (see DeleteCamera). Its open alarms
// stay on the desk; a message from it later is an unregistered device's.
func (inv *Inventory) DeleteDevice(ctx context.Context, op *Operator, id string, confirmed bool) error {
	ts, s, unlock, err := inv.beginThingEdit(op)
	if err != nil {
		return err
	}
	defer unlock()
	d, ok := s.Device(id)
	if !ok {
		return Errorf(CodeNotFound, "There is no device {{.ID}}", "ID", id)
	}
	impact := inv.DeleteImpact(ItemDevice, id)
	if err := needsConfirming(impact, confirmed, d.Names); err != nil {
		return err
	}
	was := *d
	data := Deletion{Kind: ItemDevice, ID: id, Names: d.Names, Impact: impact, Device: &was}
	e, err := ts.DeleteDevice(ctx, id, NewEntry(KindDeviceDeleted, SubjectDevice(id), op.Username, data))
	if err != nil {
		return err
	}
	inv.rec.Published(e)
	return nil
}

// --- buildings ---------------------------------------------------------------------------

// SaveBuilding adds a building or changes one: its outline (which must not cross itself),
// names, number, use, units and floors, grid (found from the outline's centre when not
// given). A building as saved writes nothing (ErrUnchanged).
func (inv *Inventory) SaveBuilding(ctx context.Context, op *Operator, b Building) error {
	ts, s, unlock, err := inv.beginThingEdit(op)
	if err != nil {
		return err
	}
	defer unlock()
	b.ID, b.Name, b.NameEn = strings.TrimSpace(b.ID), strings.TrimSpace(b.Name), strings.TrimSpace(b.NameEn)
	b.Number, b.Use = strings.TrimSpace(b.Number), strings.TrimSpace(b.Use)
	var p Problems
	if a, c, bad := RingCrossing(b.Footprint); bad {
		p.Add("footprint", "The outline of building {{.ID}} crosses itself (edges {{.A}} and {{.B}})", "ID", b.ID, "A", a+1, "B", c+1)
	}
	b.check(&p)
	if b.Units < 0 || b.Units > 100 {
		p.Add("units", "Building {{.ID}} has an impossible number of units", "ID", b.ID)
	}
	if b.GridID == "" && validRing(b.Footprint) {
		if g, ok := s.GridAt(b.Footprint.Centroid()); ok {
			b.GridID = g.ID
		}
	}
	if b.GridID != "" {
		if _, ok := s.Grid(b.GridID); !ok {
			p.Add("grid", "Building {{.ID}} refers to unknown grid {{.Grid}}", "ID", b.ID, "Grid", b.GridID)
		}
	}
	if err := p.Err(); err != nil {
		return err
	}
	kind := KindBuildingAdded
	if cur, ok := s.Building(b.ID); ok {
		if sameJSON(b, *cur) {
			return ErrUnchanged()
		}
		kind = KindBuildingUpdated
	}
	e, err := ts.SaveBuilding(ctx, b, NewEntry(kind, SubjectBuilding(b.ID), op.Username, b))
	if err != nil {
		return err
	}
	inv.rec.Published(e)
	return nil
}

// DeleteBuilding removes a building. What it affects (open alarms in it, cameras and
// devices in it, supply points kept in it, a running incident there) must be confirmed
// (see DeleteCamera). Its cameras and devices stay where they are, in no building.
func (inv *Inventory) DeleteBuilding(ctx context.Context, op *Operator, id string, confirmed bool) error {
	ts, s, unlock, err := inv.beginThingEdit(op)
	if err != nil {
		return err
	}
	defer unlock()
	b, ok := s.Building(id)
	if !ok {
		return Errorf(CodeNotFound, "There is no building {{.ID}}", "ID", id)
	}
	impact := inv.DeleteImpact(ItemBuilding, id)
	if err := needsConfirming(impact, confirmed, b.Names); err != nil {
		return err
	}
	var cams []Camera
	for _, c := range s.Cameras {
		if c.BuildingID == id {
			c.BuildingID = ""
			cams = append(cams, c)
		}
	}
	var devs []Device
	for _, d := range s.Devices {
		if d.BuildingID == id {
			d.BuildingID = ""
			devs = append(devs, d)
		}
	}
	was := *b
	data := Deletion{Kind: ItemBuilding, ID: id, Names: b.Names, Impact: impact, Building: &was}
	e, err := ts.DeleteBuilding(ctx, id, cams, devs, NewEntry(KindBuildingDeleted, SubjectBuilding(id), op.Username, data))
	if err != nil {
		return err
	}
	inv.rec.Published(e)
	return nil
}
