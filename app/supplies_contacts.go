package app

import (
	"context"
	"strings"
)

// ContactRoles are the roles of the site's contact network, in the order the console
// lists them (ContactRoleLabel names them).
var ContactRoles = []string{"property", "committee", "security", "police", "fire", "medical", "gas", "power", "water"}

// Contact references of a plan step that are not contacts of the site: the people of the
// incident's place, found when the incident runs.
const (
	ContactGridWorker = "grid_worker" // the worker of the incident's grid
	ContactFamily     = "family"      // the family of the resident whose device raised the alarm
)

// ContactStore keeps the site's contact network; the write journals its entry in the same transaction.
type ContactStore interface {
	SaveContacts(ctx context.Context, contacts []Contact, e Entry) (Entry, error)
}

// ContactBook edits the site's emergency contact network (administrators).
type ContactBook struct {
	inv   *Inventory
	store ContactStore
	rec   *Recorder
}

// NewContactBook builds the service.
func NewContactBook(inv *Inventory, store ContactStore, rec *Recorder) *ContactBook {
	return &ContactBook{inv: inv, store: store, rec: rec}
}

// Contacts returns the site's contacts.
func (b *ContactBook) Contacts() []Contact {
	if s := b.inv.Site(); s != nil {
		return append([]Contact(nil), s.Contacts...)
	}
	return nil
}

// CheckContacts validates a contact list: IDs unique and valid, names, phone numbers, known roles.
func CheckContacts(contacts []Contact) error {
	var p Problems
	seen := map[string]bool{}
	for _, c := range contacts {
		checkID(&p, "contacts.id", c.ID)
		if seen[c.ID] {
			p.Add("contacts.id", "The contact ID {{.ID}} is used twice", "ID", c.ID)
		}
		seen[c.ID] = true
		if strings.TrimSpace(c.Name) == "" {
			p.Add("contacts.name", "Contact {{.ID}} needs a name", "ID", c.ID)
		}
		if !validPhone(c.Phone) {
			p.Add("contacts.phone", "{{.Phone}} is not a phone number", "Phone", c.Phone)
		}
		known := false
		for _, r := range ContactRoles {
			known = known || r == c.Role
		}
		if !known {
			p.Add("contacts.role", "Contact {{.ID}} has unknown role {{.Role}}", "ID", c.ID, "Role", c.Role)
		}
	}
	return p.Err()
}

// Save replaces the contact network (administrators); journaled as contacts.updated.
func (b *ContactBook) Save(ctx context.Context, op *Operator, contacts []Contact) error {
	if err := Authorize(op, ActEditSite); err != nil {
		return err
	}
	editMu.Lock() // a site edit like the others: read, change and write in one step
	defer editMu.Unlock()
	s := b.inv.Site()
	if s == nil {
		return Errorf(CodeUnavailable, "No site is set up yet")
	}
	for i := range contacts {
		contacts[i].ID = strings.TrimSpace(contacts[i].ID)
		contacts[i].Name = strings.TrimSpace(contacts[i].Name)
		contacts[i].Phone = strings.TrimSpace(contacts[i].Phone)
	}
	if err := CheckContacts(contacts); err != nil {
		return err
	}
	if sameJSON(contacts, s.Contacts) {
		return ErrUnchanged()
	}
	e, err := b.store.SaveContacts(ctx, contacts, NewEntry(KindContactsUpdated, SubjectSite(s.ID), op.Username, contacts))
	if err != nil {
		return err
	}
	b.rec.Published(e) // the inventory's fold reads the site, its contacts too, back
	return nil
}

// ContactRef is a contact of a step resolved for an incident: whom to call, and how.
type ContactRef struct {
	Key   string // the reference as the plan wrote it, or the contact's ID
	Role  string // contact role (fire, police…), "grid_worker" or "family"
	Name  string
	Phone string
}

// ResolveContacts turns a step's contact references into people to call: a contact ID of
// the site, every contact of a role, the grid's worker, the resident's family.
func ResolveContacts(site *Site, in *Incident, refs []string, english bool) []ContactRef {
	var out []ContactRef
	seen := map[string]bool{}
	add := func(c ContactRef) {
		if !seen[c.Key] {
			seen[c.Key] = true
			out = append(out, c)
		}
	}
	if site == nil {
		return nil
	}
	for _, r := range refs {
		switch r {
		case ContactGridWorker:
			if g, ok := site.Grid(in.GridID); ok && g.Worker.Name != "" {
				add(ContactRef{Key: "grid_worker:" + g.ID, Role: ContactGridWorker, Name: g.Worker.Name + " (" + g.Display(english) + ")", Phone: g.Worker.Phone})
			}
			continue
		case ContactFamily:
			for _, id := range in.DeviceIDs {
				if d, ok := site.Device(id); ok && d.Person != nil && d.Person.ContactPhone != "" {
					p := d.Person
					add(ContactRef{Key: "family:" + d.ID, Role: ContactFamily, Name: p.Contact + " (" + p.Name + ")", Phone: p.ContactPhone})
				}
			}
			continue
		}
		matched := false
		for _, c := range site.Contacts {
			if c.ID == r {
				add(ContactRef{Key: c.ID, Role: c.Role, Name: c.Display(english), Phone: c.Phone})
				matched = true
			}
		}
		if matched {
			continue
		}
		for _, c := range site.Contacts {
			if c.Role == r {
				add(ContactRef{Key: c.ID, Role: c.Role, Name: c.Display(english), Phone: c.Phone})
			}
		}
	}
	return out
}

// KnownContactRef reports whether a step's contact reference makes sense for the site:
// a contact ID of the site, a contact role, the grid's worker or the family. Without a
// site (a plan checked before one is set up) any well-formed reference is accepted.
func KnownContactRef(site *Site, ref string) bool {
	if ref == ContactGridWorker || ref == ContactFamily || site == nil {
		return true
	}
	for _, r := range ContactRoles {
		if r == ref {
			return true
		}
	}
	if site != nil {
		for _, c := range site.Contacts {
			if c.ID == ref {
				return true
			}
		}
	}
	return false
}
