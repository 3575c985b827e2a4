package app

import (
	"encoding/json"
	"sort"
)

// The preview of an import: what a new version of the site adds, changes and removes,
// thing by thing, with the fields that change. The console shows it before anything is
// stored, for a spreadsheet and for a GeoJSON plan alike.

// ItemFeature is a piece of the plan that is not a building (a road, a gate, a lawn).
const ItemFeature ItemKind = "feature"

// ChangeOp says what an import does to one thing.
type ChangeOp string

const (
	ChangeAdded   ChangeOp = "added"
	ChangeChanged ChangeOp = "changed"
	ChangeRemoved ChangeOp = "removed"
)

// SiteChange is one thing an import adds, changes or removes.
type SiteChange struct {
	Kind ItemKind
	ID   string
	Names
	Op ChangeOp
	// Fields names what changes (the JSON field names: "name", "position", "main_url"…),
	// for ChangeChanged only.
	Fields []string
}

// SiteDiff is every change from one version of the site to the next.
type SiteDiff struct {
	Changes  []SiteChange
	Boundary bool // the site's outline changes
}

// Empty reports whether the new version changes nothing the diff looks at.
func (d SiteDiff) Empty() bool { return len(d.Changes) == 0 && !d.Boundary }

// Count is how many things of a kind the import adds, changes or removes.
func (d SiteDiff) Count(kind ItemKind, op ChangeOp) int {
	n := 0
	for _, c := range d.Changes {
		if c.Kind == kind && c.Op == op {
			n++
		}
	}
	return n
}

// DiffKinds are the kinds DiffSites compares, in the order it lists them.
var DiffKinds = []ItemKind{ItemGrid, ItemBuilding, ItemCamera, ItemDevice, ItemFeature}

// DiffSites compares the grids, buildings, cameras, devices and plan features of cur and
// next by ID. cur may be nil (everything is added).
func DiffSites(cur, next *Site) SiteDiff {
	if cur == nil {
		cur = &Site{}
	}
	var d SiteDiff
	d.Boundary = !sameJSON(cur.Boundary, next.Boundary)
	type thing struct {
		id    string
		names Names
		v     any
	}
	list := func(s *Site, k ItemKind) []thing {
		var out []thing
		switch k {
		case ItemGrid:
			for _, x := range s.Grids {
				out = append(out, thing{x.ID, x.Names, x})
			}
		case ItemBuilding:
			for _, x := range s.Buildings {
				out = append(out, thing{x.ID, x.Names, x})
			}
		case ItemCamera:
			for _, x := range s.Cameras {
				out = append(out, thing{x.ID, x.Names, x})
			}
		case ItemDevice:
			for _, x := range s.Devices {
				out = append(out, thing{x.ID, x.Names, x})
			}
		case ItemFeature:
			for _, x := range s.Features {
				out = append(out, thing{x.ID, x.Names, x})
			}
		}
		return out
	}
	for _, k := range DiffKinds {
		before := map[string]thing{}
		for _, t := range list(cur, k) {
			before[t.id] = t
		}
		seen := map[string]bool{}
		for _, t := range list(next, k) {
			seen[t.id] = true
			old, ok := before[t.id]
			if !ok {
				d.Changes = append(d.Changes, SiteChange{Kind: k, ID: t.id, Names: t.names, Op: ChangeAdded})
				continue
			}
			if f := changedFields(old.v, t.v); len(f) > 0 {
				d.Changes = append(d.Changes, SiteChange{Kind: k, ID: t.id, Names: t.names, Op: ChangeChanged, Fields: f})
			}
		}
		for _, t := range list(cur, k) {
			if !seen[t.id] {
				d.Changes = append(d.Changes, SiteChange{Kind: k, ID: t.id, Names: t.names, Op: ChangeRemoved})
			}
		}
	}
	return d
}

// changedFields lists the JSON fields whose values differ between a and b, sorted.
func changedFields(a, b any) []string {
	fa, fb := jsonFields(a), jsonFields(b)
	var out []string
	for k, va := range fa {
		if vb, ok := fb[k]; !ok || string(va) != string(vb) {
			out = append(out, k)
		}
	}
	for k := range fb {
		if _, ok := fa[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func jsonFields(v any) map[string]json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil {
		return nil
	}
	return m
}

// PrepareImport completes an imported site from the current one as Inventory.ImportSite
// stores it, so that a preview shows what will be stored: what the file does not carry is
// kept (the site's ID and names, address, vehicle register, contacts, background picture),
// camera addresses exported without their passwords get them back, and things without a
// grid get the grid they stand in.
func PrepareImport(next, cur *Site) {
	if cur != nil {
		if next.ID == "" {
			next.ID = cur.ID
		}
		if next.Name == "" {
			next.Names = cur.Names
		}
		if next.Address == "" {
			next.Address = cur.Address
		}
		if next.TimeZone == "" {
			next.TimeZone = cur.TimeZone
		}
		if next.Vehicles == nil {
			next.Vehicles = cur.Vehicles
		}
		if next.Contacts == nil {
			next.Contacts = cur.Contacts
		}
		if next.Background == nil {
			next.Background = cur.Background
		}
		// Whether the site is the demo is not the file's to say: the demo stays the demo
		// (ImportSite refuses a file that would make a real site the demo).
		next.Demo = next.Demo || cur.Demo
		restorePasswords(next, cur)
	}
	restoreMasked(next, cur) // person_access.go
	if next.ID == "" {
		next.ID = "site"
	}
	next.AssignGrids()
}
