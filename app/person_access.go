package app

// Residents' personal fields (a bracelet wearer's phone, family contact, health notes) are
// encrypted at rest by the store, each person under a key of their own, and shown masked
// everywhere (lists, exports, the read-only command line). The full record is shown only to
// the roles allowed to (ActViewPerson: administrators and commanders by default), who give a
// reason, and to the duty operator handling an open alarm of that person's device, for whom
// the alarm is the reason. Every full view and every export of full records is journaled:
// the audit trail administrators read.

import (
	"context"
	"strings"
)

const (
	// KindPersonErased: a person's key was deleted, their fields are unreadable everywhere.
	// Data: PersonAccess (Person: the device whose resident it was, Reason: why).
	KindPersonErased EntryKind = "person.erased"
	// KindPersonalSealed: the store sealed, once, the personal fields an older database held
	// in clear (its rows and journal entries). Data: SealedCount.
	KindPersonalSealed EntryKind = "personal.sealed"
)

// PersonAccess is what a view, an export or an erasure of a person's record journals: whose
// (the device the person belongs to; "*" for an export of the whole site), why, and the alarm
// that was the reason when the duty operator saw it while handling one.
type PersonAccess struct {
	Person string `json:"person"`
	Reason string `json:"reason,omitempty"`
	Alarm  int64  `json:"alarm,omitempty"`
}

// SealedCount is what the one-time sealing of an older database did.
type SealedCount struct {
	Rows    int `json:"rows"`
	Entries int `json:"entries"`
}

// SubjectPerson is the journal subject of a person's record: the device they belong to.
func SubjectPerson(deviceID string) string { return "person:" + deviceID }

// PersonKeyStore erases a person by deleting their key (store/personal.go).
type PersonKeyStore interface {
	ErasePerson(ctx context.Context, deviceID string, e Entry) (Entry, error)
}

// Masked returns the person with their personal fields masked (138****5611, 张*, ***): what
// lists and exports show. An erased person stays erased.
func (p *Person) Masked() *Person {
	if p == nil {
		return nil
	}
	m := *p
	m.Name, m.Contact = MaskName(p.Name), MaskName(p.Contact)
	m.Phone, m.ContactPhone = MaskPhone(p.Phone), MaskPhone(p.ContactPhone)
	if p.Note != "" {
		m.Note = "***"
	}
	if p.ID != "" {
		m.ID = MaskPhone(p.ID)
	}
	return &m
}

// MaskedSite returns a copy of the site with every resident's, vehicle owner's and grid
// worker's personal fields masked: what exports write unless a full export was allowed.
func MaskedSite(s *Site) *Site {
	if s == nil {
		return nil
	}
	c := *s
	c.Devices = append([]Device(nil), s.Devices...)
	for i := range c.Devices {
		c.Devices[i].Person = c.Devices[i].Person.Masked()
	}
	c.Vehicles = append([]Vehicle(nil), s.Vehicles...)
	for i := range c.Vehicles {
		c.Vehicles[i].Owner, c.Vehicles[i].Phone = MaskName(c.Vehicles[i].Owner), MaskPhone(c.Vehicles[i].Phone)
	}
	c.Grids = append([]Grid(nil), s.Grids...)
	for i := range c.Grids {
		c.Grids[i].Worker.Phone = MaskPhone(c.Grids[i].Worker.Phone)
	}
	return &c
}

// IsMasked reports whether a field was masked (an import keeps the site's own value then).
func IsMasked(v string) bool { return strings.Contains(v, "*") }

// restoreMasked gives an imported site, exported with its personal fields masked, the
// current site's values of the fields still masked: a masked export imports back whole. A
// masked field the current site (cur, maybe nil) has no value for is left empty, never stored
// as "139****5601", but a resident's masked name stays (a bracelet needs its wearer named).
func restoreMasked(next, cur *Site) {
	keep := func(v *string, old string) {
		if IsMasked(*v) {
			*v = old
		}
	}
	for i := range next.Devices {
		d := &next.Devices[i]
		if d.Person == nil {
			continue
		}
		p, o := *d.Person, Person{}
		if cur != nil {
			if old, ok := cur.Device(d.ID); ok && old.Person != nil {
				o = *old.Person
			}
		}
		if o.Name == "" {
			o.Name = p.Name
		}
		for _, f := range [][2]*string{{&p.ID, &o.ID}, {&p.Name, &o.Name}, {&p.Phone, &o.Phone}, {&p.Contact, &o.Contact},
			{&p.ContactPhone, &o.ContactPhone}, {&p.Note, &o.Note}} {
			keep(f[0], *f[1])
		}
		d.Person = &p
	}
	var vehicles []Vehicle
	var grids []Grid
	if cur != nil {
		vehicles, grids = cur.Vehicles, cur.Grids
	}
	for i := range next.Vehicles {
		v := &next.Vehicles[i]
		var o Vehicle
		for _, x := range vehicles {
			if x.Plate == v.Plate {
				o = x
			}
		}
		keep(&v.Owner, o.Owner)
		keep(&v.Phone, o.Phone)
	}
	for i := range next.Grids {
		g := &next.Grids[i]
		var o Grid
		for _, x := range grids {
			if x.ID == g.ID {
				o = x
			}
		}
		keep(&g.Worker.Phone, o.Worker.Phone)
	}
}
