package app

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// SupplyKind is a kind of emergency supply (灭火器, 急救箱, 沙袋…). Plans name the kinds a
// step needs; supply points hold items of these kinds.
type SupplyKind string

// SupplyKinds lists the kinds the console knows, in the order the editor offers them.
var SupplyKinds = []SupplyKind{
	"extinguisher", "fire_hose", "fire_blanket", "smoke_hood", "first_aid", "aed", "stretcher", "wheelchair",
	"flashlight", "emergency_light", "megaphone", "radio", "blanket", "sandbag", "water_barrier", "water_pump",
	"raincoat", "barrier_tape", "traffic_cone", "gas_detector", "rope", "crowbar", "generator",
	"mask", "disinfectant", "thermometer", "protective_suit", "water", "food",
}

// Valid reports whether k is a known supply kind.
func (k SupplyKind) Valid() bool {
	for _, x := range SupplyKinds {
		if x == k {
			return true
		}
	}
	return false
}

// Label is the English name of a supply kind (the translation key).
func (k SupplyKind) Label() string {
	switch k {
	case "extinguisher":
		return "Fire extinguisher"
	case "fire_hose":
		return "Fire hose reel"
	case "fire_blanket":
		return "Fire blanket"
	case "smoke_hood":
		return "Escape smoke hood"
	case "first_aid":
		return "First-aid kit"
	case "aed":
		return "AED (defibrillator)"
	case "stretcher":
		return "Stretcher"
	case "wheelchair":
		return "Wheelchair"
	case "flashlight":
		return "Flashlight"
	case "emergency_light":
		return "Emergency light"
	case "megaphone":
		return "Megaphone"
	case "radio":
		return "Two-way radio"
	case "blanket":
		return "Emergency blanket"
	case "sandbag":
		return "Sandbags"
	case "water_barrier":
		return "Flood barrier"
	case "water_pump":
		return "Water pump"
	case "raincoat":
		return "Raincoat and boots"
	case "barrier_tape":
		return "Warning tape"
	case "traffic_cone":
		return "Traffic cones"
	case "gas_detector":
		return "Gas detector"
	case "rope":
		return "Rescue rope"
	case "crowbar":
		return "Crowbar and tools"
	case "generator":
		return "Generator"
	case "mask":
		return "Face masks"
	case "disinfectant":
		return "Disinfectant"
	case "thermometer":
		return "Infrared thermometer"
	case "protective_suit":
		return "Protective suits"
	case "water":
		return "Drinking water"
	case "food":
		return "Emergency food"
	}
	return string(k)
}

// SupplyItem is a stock of one kind of supply at a supply point.
type SupplyItem struct {
	ID       string     `json:"id"` // unique within its point; given from the kind when empty
	Kind     SupplyKind `json:"kind"`
	Name     string     `json:"name,omitempty"` // e.g. 4 kg dry powder, in the site's language
	Quantity int        `json:"quantity"`
	Minimum  int        `json:"minimum,omitempty"` // fewer is a "low" notice
	Expiry   string     `json:"expiry,omitempty"`  // YYYY-MM-DD; empty: does not expire
}

// ExpiresOn returns the expiry date (the item is good until the end of that day).
func (it *SupplyItem) ExpiresOn() (time.Time, bool) {
	if it.Expiry == "" {
		return time.Time{}, false
	}
	t, err := time.ParseInLocation(time.DateOnly, it.Expiry, time.Local)
	return t, err == nil
}

// Expired reports whether the item is past its expiry date at now.
func (it *SupplyItem) Expired(now time.Time) bool {
	t, ok := it.ExpiresOn()
	return ok && !now.Before(t.AddDate(0, 0, 1))
}

// Low reports whether fewer than the minimum are in stock.
func (it *SupplyItem) Low() bool { return it.Quantity < it.Minimum }

// Usable is how many can be taken: none when expired.
func (it *SupplyItem) Usable(now time.Time) int {
	if it.Expired(now) {
		return 0
	}
	return it.Quantity
}

// SupplyPoint is a place that keeps emergency supplies: a fire cabinet, a first-aid station,
// the property's emergency store.
type SupplyPoint struct {
	ID string `json:"id"`
	Names
	Location   string       `json:"location,omitempty"` // where exactly, in words
	LocationEn string       `json:"location_en,omitempty"`
	Position   Point        `json:"position"`
	GridID     string       `json:"grid,omitempty"`
	Building   string       `json:"building,omitempty"`
	Keeper     string       `json:"keeper,omitempty"` // who holds the key
	Phone      string       `json:"phone,omitempty"`
	Items      []SupplyItem `json:"items"`
	UpdatedBy  string       `json:"updated_by,omitempty"`
	UpdatedAt  time.Time    `json:"updated_at,omitzero"`
}

// Clone returns a copy that shares no items with the point (see Plan.Clone).
func (sp SupplyPoint) Clone() SupplyPoint {
	sp.Items = slices.Clone(sp.Items)
	return sp
}

// DisplayLocation returns the location in the asked language.
func (sp *SupplyPoint) DisplayLocation(english bool) string {
	if english && sp.LocationEn != "" {
		return sp.LocationEn
	}
	return sp.Location
}

// FillItemIDs gives items without an ID one made from their kind ("extinguisher", "extinguisher-2").
func (sp *SupplyPoint) FillItemIDs() {
	used := map[string]bool{}
	for _, it := range sp.Items {
		used[it.ID] = true
	}
	for i := range sp.Items {
		it := &sp.Items[i]
		if it.ID != "" {
			continue
		}
		id := string(it.Kind)
		for n := 2; used[id]; n++ {
			id = fmt.Sprintf("%s-%d", it.Kind, n)
		}
		it.ID = id
		used[id] = true
	}
}

// Validate checks a supply point.
func (sp *SupplyPoint) Validate() error {
	var p Problems
	checkID(&p, "id", sp.ID)
	if len(sp.ID) > 30 {
		p.Add("id", "A supply point's ID is at most 30 characters")
	}
	checkName(&p, "name", sp.Name)
	if !finite(sp.Position) {
		p.Add("position", "Supply point {{.ID}} needs a position", "ID", sp.ID)
	}
	if sp.Phone != "" && !validPhone(sp.Phone) {
		p.Add("phone", "{{.Phone}} is not a phone number", "Phone", sp.Phone)
	}
	ids := map[string]bool{}
	for _, it := range sp.Items {
		if !ValidID(it.ID) || len(it.ID) > 30 {
			p.Add("items.id", "{{.ID}} is not a valid ID: use letters, digits, '-', '_' or '.' (at most 30)", "ID", it.ID)
		}
		if ids[it.ID] {
			p.Add("items.id", "The item {{.ID}} appears twice at {{.Point}}", "ID", it.ID, "Point", sp.ID)
		}
		ids[it.ID] = true
		if !it.Kind.Valid() {
			p.Add("items.kind", "Unknown supply kind {{.Kind}}", "Kind", it.Kind)
		}
		if it.Quantity < 0 || it.Minimum < 0 {
			p.Add("items.quantity", "Quantities cannot be negative ({{.ID}})", "ID", it.ID)
		}
		if _, ok := it.ExpiresOn(); it.Expiry != "" && !ok {
			p.Add("items.expiry", "{{.Date}} is not a date: use YYYY-MM-DD", "Date", it.Expiry)
		}
	}
	return p.Err()
}

// Alarm kinds of the supply checks (maintenance notices, P4).
const (
	AlarmSupplyExpired = "supply_expired"
	AlarmSupplyLow     = "supply_low"
)

// SupplyNotice is an item that needs attention: expired, or below its minimum.
type SupplyNotice struct {
	Kind  string // AlarmSupplyExpired or AlarmSupplyLow
	Key   string // point.item: the alarm's cause key
	Point SupplyPoint
	Item  SupplyItem
}

// SupplyKey names an item of a point in alarms ("cab-b03.extinguisher").
func SupplyKey(pointID, itemID string) string { return pointID + "." + itemID }

// SupplyNotices finds the items that are expired or low at now, in point and item order.
func SupplyNotices(points []SupplyPoint, now time.Time) []SupplyNotice {
	var out []SupplyNotice
	for _, sp := range points {
		for _, it := range sp.Items {
			if it.Expired(now) {
				out = append(out, SupplyNotice{AlarmSupplyExpired, SupplyKey(sp.ID, it.ID), sp, it})
			}
			if it.Low() {
				out = append(out, SupplyNotice{AlarmSupplyLow, SupplyKey(sp.ID, it.ID), sp, it})
			}
		}
	}
	return out
}

// Alarm returns the maintenance notice for the desk.
func (n *SupplyNotice) Alarm() Alarm {
	// The kind's label says what is wrong; the parameters name the place and the item.
	pos := n.Point.Position
	a := Alarm{Kind: n.Kind, Priority: P4, Fault: true, DeviceID: n.Key,
		GridID: n.Point.GridID, Building: n.Point.Building, Position: &pos}
	a.SetParam(ParamPlace, n.Point.Name)
	a.SetParam(ParamPlaceEn, n.Point.NameEn)
	a.SetParam(ParamItem, n.Item.Name)
	a.SetParam(ParamItemKind, string(n.Item.Kind))
	switch n.Kind {
	case AlarmSupplyExpired:
		a.SetParam(ParamExpiry, n.Item.Expiry)
	default:
		a.SetParam(ParamQuantity, fmt.Sprint(n.Item.Quantity))
		a.SetParam(ParamMinimum, fmt.Sprint(n.Item.Minimum))
	}
	return a
}

// Journal kinds of supplies and the contact network.
const (
	KindSuppliesSeeded     EntryKind = "supplies.seeded"        // Data: []SupplyPoint
	KindSupplyPointSaved   EntryKind = "supplies.point_saved"   // Data: SupplyPoint
	KindSupplyPointDeleted EntryKind = "supplies.point_deleted" // Data: {"id"}
	KindContactsUpdated    EntryKind = "contacts.updated"       // Data: []Contact
)

// SubjectSupply is the journal subject of a supply point.
func SubjectSupply(id string) string { return "supply:" + id }

// SupplyStore keeps the supply points; each write journals its entry in the same transaction.
type SupplyStore interface {
	SupplyPoints(ctx context.Context) ([]SupplyPoint, error)
	SaveSupplyPoints(ctx context.Context, points []SupplyPoint, e Entry) (Entry, error) // insert or replace these
	DeleteSupplyPoint(ctx context.Context, id string, e Entry) (Entry, error)
}

// Supplies keeps the site's supply points and watches their stock: expired or low items
// raise maintenance notices on the alarm desk (P4 faults), once per item, and clear them
// when the point is restocked.
type Supplies struct {
	store SupplyStore
	rec   *Recorder
	desk  *AlarmDesk
	inv   *Inventory
	clock Clock

	mu     sync.RWMutex
	points []SupplyPoint
	check  sync.Mutex // one check at a time
}

// NewSupplies builds the service; call Load before use.
func NewSupplies(store SupplyStore, rec *Recorder, desk *AlarmDesk, inv *Inventory, clock Clock) *Supplies {
	return &Supplies{store: store, rec: rec, desk: desk, inv: inv, clock: clock}
}

// Load reads the supply points.
func (s *Supplies) Load(ctx context.Context) error {
	ps, err := s.store.SupplyPoints(ctx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.points = ps
	s.mu.Unlock()
	return nil
}

// Points returns the supply points in their order.
func (s *Supplies) Points() []SupplyPoint {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]SupplyPoint, len(s.points))
	for i := range s.points {
		out[i] = s.points[i].Clone()
	}
	return out
}

// Point returns one supply point.
func (s *Supplies) Point(id string) (SupplyPoint, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, p := range s.points {
		if p.ID == id {
			return p.Clone(), true
		}
	}
	return SupplyPoint{}, false
}

func (s *Supplies) check1(sp *SupplyPoint) error {
	sp.FillItemIDs()
	if sp.GridID == "" && s.inv != nil {
		if site := s.inv.Site(); site != nil {
			if g, ok := site.GridAt(sp.Position); ok {
				sp.GridID = g.ID
			}
		}
	}
	return sp.Validate()
}

// Seed stores the site's supply points when there are none yet (the demo's on first
// start), journaled as supplies.seeded by the system. It returns how many it added.
func (s *Supplies) Seed(ctx context.Context, points []SupplyPoint) (int, error) {
	if len(s.Points()) > 0 || len(points) == 0 {
		return 0, nil
	}
	now := s.clock.Now()
	for i := range points {
		points[i].UpdatedBy, points[i].UpdatedAt = SystemActor, now
		if err := s.check1(&points[i]); err != nil {
			return 0, err
		}
	}
	e, err := s.store.SaveSupplyPoints(ctx, points, NewEntry(KindSuppliesSeeded, "supply:", SystemActor, points))
	if err != nil {
		return 0, err
	}
	s.mu.Lock()
	s.points = append([]SupplyPoint(nil), points...)
	s.mu.Unlock()
	// Published once the service shows the change: a subscriber reading it back sees it.
	s.rec.Published(e)
	return len(points), nil
}

// Save adds or changes a supply point (administrators), then checks the stock again so a
// restocked item's notice clears at once.
func (s *Supplies) Save(ctx context.Context, op *Operator, sp SupplyPoint) (SupplyPoint, error) {
	if err := Authorize(op, ActEditSite); err != nil {
		return SupplyPoint{}, err
	}
	sp.UpdatedBy, sp.UpdatedAt = op.Username, s.clock.Now()
	if err := s.check1(&sp); err != nil {
		return SupplyPoint{}, err
	}
	if prev, ok := s.Point(sp.ID); ok {
		same := sp
		same.UpdatedBy, same.UpdatedAt = prev.UpdatedBy, prev.UpdatedAt
		if sameJSON(same, prev) {
			return prev, ErrUnchanged()
		}
	}
	e, err := s.store.SaveSupplyPoints(ctx, []SupplyPoint{sp}, NewEntry(KindSupplyPointSaved, SubjectSupply(sp.ID), op.Username, sp))
	if err != nil {
		return SupplyPoint{}, err
	}
	s.mu.Lock()
	found := false
	for i := range s.points {
		if s.points[i].ID == sp.ID {
			s.points[i], found = sp.Clone(), true // the caller's items stay the caller's
		}
	}
	if !found {
		s.points = append(s.points, sp.Clone())
	}
	s.mu.Unlock()
	s.rec.Published(e)
	return sp, s.Check(ctx)
}

// Delete removes a supply point (administrators); its notices clear.
func (s *Supplies) Delete(ctx context.Context, op *Operator, id string) error {
	if err := Authorize(op, ActEditSite); err != nil {
		return err
	}
	if _, ok := s.Point(id); !ok {
		return Errorf(CodeNotFound, "There is no supply point {{.ID}}", "ID", id)
	}
	e, err := s.store.DeleteSupplyPoint(ctx, id, NewEntry(KindSupplyPointDeleted, SubjectSupply(id), op.Username, map[string]string{"id": id}))
	if err != nil {
		return err
	}
	s.mu.Lock()
	for i := range s.points {
		if s.points[i].ID == id {
			s.points = append(s.points[:i:i], s.points[i+1:]...)
			break
		}
	}
	s.mu.Unlock()
	s.rec.Published(e)
	return s.Check(ctx)
}

// Notices returns the items that need attention now.
func (s *Supplies) Notices() []SupplyNotice { return SupplyNotices(s.Points(), s.clock.Now()) }

// Check raises a notice on the alarm desk for each expired or low item that has none yet,
// and clears (as the system) the open notices whose item is fixed. An item's notice is
// raised once: after an operator resolves it, it comes back only when the point has been
// changed since and the item is still wrong.
func (s *Supplies) Check(ctx context.Context) error {
	if s.desk == nil {
		return nil
	}
	s.check.Lock()
	defer s.check.Unlock()
	notices := s.Notices()
	want := map[string]SupplyNotice{}
	for _, n := range notices {
		want[n.Kind+"|"+n.Key] = n
	}
	open := map[string]bool{}
	var errs []error
	for _, a := range s.desk.Open() {
		if !a.Fault || (a.Kind != AlarmSupplyExpired && a.Kind != AlarmSupplyLow) {
			continue
		}
		k := a.Kind + "|" + a.DeviceID
		if _, ok := want[k]; ok {
			open[k] = true
			continue
		}
		if _, _, err := s.desk.ClearFault(ctx, a.Kind, a.DeviceID, "restocked or replaced"); err != nil {
			errs = append(errs, err)
		}
	}
	for _, n := range notices {
		k := n.Kind + "|" + n.Key
		if open[k] {
			continue
		}
		// Already raised (and resolved by someone) since the point last changed?
		since := n.Point.UpdatedAt
		prev, err := s.desk.Recent(ctx, since)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		raised := false
		for _, a := range prev {
			if a.Kind == n.Kind && a.DeviceID == n.Key && !a.RaisedAt.Before(since) {
				raised = true
				break
			}
		}
		if raised {
			continue
		}
		if _, err := s.desk.Raise(ctx, nil, n.Alarm()); err != nil {
			errs = append(errs, err)
		}
		open[k] = true
	}
	if len(errs) > 0 {
		return errs[0]
	}
	return nil
}

// SupplyCheckEvery is how often the stock is checked while the console runs (expiry dates
// pass).
const SupplyCheckEvery = 10 * time.Minute

// Run checks the stock now and then every SupplyCheckEvery until ctx ends. A failed check is
// logged and tried again at the next.
func (s *Supplies) Run(ctx context.Context) error {
	run := func() {
		if err := s.Check(ctx); err != nil && ctx.Err() == nil {
			slog.Warn("supply check failed", "err", err)
		}
	}
	run()
	t := time.NewTicker(SupplyCheckEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			run()
		}
	}
}

// SupplySource is where a needed supply can be taken: a point, its item, how far.
type SupplySource struct {
	Point    SupplyPoint
	Item     SupplyItem
	Distance float64 // metres from the incident's place; -1 when the place is unknown
}

// Nearest returns up to n points that hold usable items of the kind, nearest to from
// first (the largest stocks first when from is nil).
func (s *Supplies) Nearest(kind SupplyKind, from *Point, n int) []SupplySource {
	return NearestSupplies(s.Points(), kind, from, s.clock.Now(), n)
}

// NearestSupplies is Nearest over a given set of points.
func NearestSupplies(points []SupplyPoint, kind SupplyKind, from *Point, now time.Time, n int) []SupplySource {
	var out []SupplySource
	for _, sp := range points {
		best := -1
		for i, it := range sp.Items {
			if it.Kind == kind && it.Usable(now) > 0 && (best < 0 || it.Quantity > sp.Items[best].Quantity) {
				best = i
			}
		}
		if best < 0 {
			continue
		}
		d := -1.0
		if from != nil {
			d = math.Hypot(sp.Position.X-from.X, sp.Position.Y-from.Y)
		}
		out = append(out, SupplySource{sp, sp.Items[best], d})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Distance != out[j].Distance {
			return out[i].Distance < out[j].Distance
		}
		if out[i].Item.Quantity != out[j].Item.Quantity {
			return out[i].Item.Quantity > out[j].Item.Quantity
		}
		return strings.Compare(out[i].Point.ID, out[j].Point.ID) < 0
	})
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	return out
}
