package app

import (
	"slices"
	"sort"
)

// What deleting a thing of the site affects, said before it is deleted: its open alarms,
// the running incidents and the drills that name it, the devices that open a camera with
// their alarms, what stands in a building. The console asks the operator with this list;
// the core refuses the delete unless it was confirmed (DeleteCamera and the others).

// ImpactKind is one kind of thing a delete affects.
type ImpactKind string

const (
	ImpactOpenAlarms ImpactKind = "open_alarms" // its open alarms (Count)
	ImpactIncident   ImpactKind = "incident"    // running incidents that concern it (Items: their plans)
	ImpactDrill      ImpactKind = "drill"       // drill scenarios that inject it (Items: the scenarios)
	ImpactDevices    ImpactKind = "devices"     // devices that name the camera, or stand in the building (Items)
	ImpactCameras    ImpactKind = "cameras"     // cameras in the building (Items)
	ImpactSupplies   ImpactKind = "supplies"    // supply points kept in the building (Items)
	ImpactAnalytics  ImpactKind = "analytics"   // the camera's video analytics, deleted with it
)

// Impact is one thing a delete affects.
type Impact struct {
	Kind  ImpactKind `json:"kind"`
	Count int        `json:"count"`
	Items []Names    `json:"items,omitempty"` // what, by name (plans, drills, devices…), in both languages
}

// ImpactSource tells what of a service names a thing of the site (the alarm desk, the
// incidents, the drills, the supply points): registered with Inventory.UsedBy.
type ImpactSource func(kind ItemKind, id string) []Impact

// UsedBy registers the services whose state names things of the site, for DeleteImpact.
// The core registers them once all are built.
func (inv *Inventory) UsedBy(src ...ImpactSource) {
	inv.mu.Lock()
	inv.users = append(inv.users, src...)
	inv.mu.Unlock()
}

// DeleteImpact lists what deleting a thing (ItemCamera, ItemDevice or ItemBuilding) would
// affect; empty when nothing.
func (inv *Inventory) DeleteImpact(kind ItemKind, id string) []Impact {
	s := inv.Site()
	if s == nil {
		return nil
	}
	inv.mu.RLock()
	users := slices.Clone(inv.users)
	inv.mu.RUnlock()
	var out []Impact
	for _, u := range users {
		out = append(out, u(kind, id)...)
	}
	add := func(k ImpactKind, items []Names) {
		if len(items) > 0 {
			out = append(out, Impact{Kind: k, Count: len(items), Items: items})
		}
	}
	switch kind {
	case ItemCamera:
		var devs []Names
		for _, d := range s.Devices {
			if slices.Contains(d.CameraIDs, id) {
				devs = append(devs, d.Names)
			}
		}
		add(ImpactDevices, devs)
		if c, ok := s.Camera(id); ok && c.Analytics.Enabled() {
			out = append(out, Impact{Kind: ImpactAnalytics, Count: 1})
		}
	case ItemBuilding:
		var cams, devs []Names
		for _, c := range s.Cameras {
			if c.BuildingID == id {
				cams = append(cams, c.Names)
			}
		}
		for _, d := range s.Devices {
			if d.BuildingID == id {
				devs = append(devs, d.Names)
			}
		}
		add(ImpactCameras, cams)
		add(ImpactDevices, devs)
	}
	order := map[ImpactKind]int{ImpactOpenAlarms: 0, ImpactIncident: 1, ImpactDrill: 2, ImpactDevices: 3, ImpactCameras: 4, ImpactSupplies: 5, ImpactAnalytics: 6}
	sort.SliceStable(out, func(i, j int) bool { return order[out[i].Kind] < order[out[j].Kind] })
	return out
}

// usesOf: the open alarms of a device, a camera or a building.
func (d *AlarmDesk) usesOf(kind ItemKind, id string) []Impact {
	n := 0
	for _, a := range d.Open() {
		switch {
		case kind == ItemDevice && a.DeviceID == id, kind == ItemCamera && a.CameraID == id, kind == ItemBuilding && a.Building == id:
			n++
		}
	}
	if n == 0 {
		return nil
	}
	return []Impact{{Kind: ImpactOpenAlarms, Count: n}}
}

// usesOf: the running incidents about a device or a building, by their plans' names.
func (s *Incidents) usesOf(kind ItemKind, id string) []Impact {
	var items []Names
	for _, in := range s.Running() {
		if (kind == ItemDevice && slices.Contains(in.DeviceIDs, id)) || (kind == ItemBuilding && in.Building == id) {
			n := Names{Name: in.Title}
			if in.Plan != nil {
				n = in.Plan.Names
			}
			items = append(items, n)
		}
	}
	if len(items) == 0 {
		return nil
	}
	return []Impact{{Kind: ImpactIncident, Count: len(items), Items: items}}
}

// usesOf: the drill scenarios that inject a device's message or a camera's detection.
func (s *Drills) usesOf(kind ItemKind, id string) []Impact {
	var items []Names
	for _, sc := range s.Scenarios() {
		for _, in := range sc.Injections {
			if (kind == ItemDevice && in.Device == id) || (kind == ItemCamera && in.Camera == id) {
				items = append(items, sc.Names)
				break
			}
		}
	}
	if len(items) == 0 {
		return nil
	}
	return []Impact{{Kind: ImpactDrill, Count: len(items), Items: items}}
}

// usesOf: the supply points kept in a building.
func (s *Supplies) usesOf(kind ItemKind, id string) []Impact {
	if kind != ItemBuilding {
		return nil
	}
	var items []Names
	for _, p := range s.Points() {
		if p.Building == id {
			items = append(items, p.Names)
		}
	}
	if len(items) == 0 {
		return nil
	}
	return []Impact{{Kind: ImpactSupplies, Count: len(items), Items: items}}
}

// ImpactSources are the core's services that name things of the site, for Inventory.UsedBy.
func ImpactSources(desk *AlarmDesk, incidents *Incidents, drills *Drills, supplies *Supplies) []ImpactSource {
	var out []ImpactSource
	if desk != nil {
		out = append(out, desk.usesOf)
	}
	if incidents != nil {
		out = append(out, incidents.usesOf)
	}
	if drills != nil {
		out = append(out, drills.usesOf)
	}
	if supplies != nil {
		out = append(out, supplies.usesOf)
	}
	return out
}
