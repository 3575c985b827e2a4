package app

import (
	"context"
	"strings"
	"sync"
)

// ActViewPerson: see (and export) a resident's full record: their phone, family contact and
// health notes unmasked. Administrators and commanders by default; the duty operator sees
// the resident of an open alarm they handle without it (the alarm is the reason).
const ActViewPerson Action = "person.view"

// People shows and erases residents' records: every full view and export is checked here
// and journaled (person.viewed, person.exported with who, whose and why), the audit trail
// administrators read. Lists and exports show MaskedSite / Person.Masked otherwise.
type People struct {
	inv  *Inventory
	desk *AlarmDesk
	rec  *Recorder
	keys PersonKeyStore // nil: this store cannot erase (a test fake)

	mu   sync.Mutex
	seen map[string]bool // "operator/alarm" already journaled: a pop-up shown again is not a new view
}

// NewPeople builds the service; keys may be nil.
func NewPeople(inv *Inventory, desk *AlarmDesk, rec *Recorder, keys PersonKeyStore) *People {
	return &People{inv: inv, desk: desk, rec: rec, keys: keys, seen: map[string]bool{}}
}

// person returns the resident of a device.
func (p *People) person(deviceID string) (*Person, error) {
	site := p.inv.Site()
	if site == nil {
		return nil, Errorf(CodeNotFound, "No site is set up yet")
	}
	d, ok := site.Device(deviceID)
	if !ok {
		return nil, Errorf(CodeNotFound, "There is no device {{.ID}}", "ID", deviceID)
	}
	if d.Person == nil {
		return nil, Errorf(CodeNotFound, "Device {{.ID}} has no resident recorded", "ID", deviceID)
	}
	c := *d.Person
	return &c, nil
}

// View returns the full record of the resident of deviceID for someone allowed
// ActViewPerson, who gives a reason; journaled (person.viewed: who, whose, why).
func (p *People) View(ctx context.Context, op *Operator, deviceID, reason string) (*Person, error) {
	if err := Authorize(op, ActViewPerson); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		var pr Problems
		pr.Add("reason", "Say why you open this resident's full record")
		return nil, pr.Err()
	}
	person, err := p.person(deviceID)
	if err != nil {
		return nil, err
	}
	if person.Erased {
		return person, nil // nothing is left to see: nothing to journal
	}
	e := NewEntry(KindPersonViewed, SubjectPerson(deviceID), op.Username, PersonAccess{Person: deviceID, Reason: reason})
	if _, err := p.rec.Record(ctx, e); err != nil {
		return nil, err
	}
	return person, nil
}

// ForAlarm is the resident of an alarm for the operator handling it (ActAckAlarm): while the
// alarm is open, in full without being asked why (the alarm is the reason, journaled once
// per operator and alarm); once it is resolved, masked. Nil: the alarm has no resident.
func (p *People) ForAlarm(ctx context.Context, op *Operator, alarmID int64) (*Person, error) {
	if err := Authorize(op, ActAckAlarm); err != nil {
		return nil, err
	}
	var a Alarm
	found := false
	for _, o := range p.desk.Open() {
		if o.ID == alarmID {
			a, found = o, true
		}
	}
	if !found {
		got, err := p.desk.Get(ctx, alarmID)
		if err != nil {
			return nil, err
		}
		a = got
	}
	if a.DeviceID == "" {
		return nil, nil
	}
	person, err := p.person(a.DeviceID)
	if IsCode(err, CodeNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !found || person.Erased {
		return person.Masked(), nil
	}
	key := op.Username + "/" + SubjectAlarm(a.ID)
	p.mu.Lock()
	done := p.seen[key]
	p.seen[key] = true
	p.mu.Unlock()
	if done {
		return person, nil // shown again (the pop-up, the desk): journaled once per alarm
	}
	e := NewEntry(KindPersonViewed, SubjectPerson(a.DeviceID), op.Username, PersonAccess{Person: a.DeviceID, Alarm: a.ID})
	if _, err := p.rec.Record(ctx, e); err != nil {
		p.mu.Lock()
		delete(p.seen, key)
		p.mu.Unlock()
		return nil, err
	}
	return person, nil
}

// Export returns the site with its residents' records whole, for an export by someone
// allowed ActViewPerson who gave a reason; journaled (person.exported). Others export
// MaskedSite.
func (p *People) Export(ctx context.Context, op *Operator, reason string) (*Site, error) {
	if err := Authorize(op, ActViewPerson); err != nil {
		return nil, err
	}
	if strings.TrimSpace(reason) == "" {
		var pr Problems
		pr.Add("reason", "Say why you export the residents' full records")
		return nil, pr.Err()
	}
	site := p.inv.Site()
	if site == nil {
		return nil, Errorf(CodeNotFound, "No site is set up yet")
	}
	e := NewEntry(KindPersonExported, SubjectPerson("*"), op.Username, PersonAccess{Person: "*", Reason: strings.TrimSpace(reason)})
	if _, err := p.rec.Record(ctx, e); err != nil {
		return nil, err
	}
	return site, nil
}

// Erase deletes the key of the resident of deviceID (a resident who moved out): their
// fields become unreadable everywhere, the journal included, which stays intact.
// Administrators (ActManageOperators and ActViewPerson) do it, with a reason.
func (p *People) Erase(ctx context.Context, op *Operator, deviceID, reason string) error {
	if err := Authorize(op, ActManageOperators); err != nil {
		return err
	}
	if err := Authorize(op, ActViewPerson); err != nil {
		return err
	}
	if strings.TrimSpace(reason) == "" {
		var pr Problems
		pr.Add("reason", "Say why this resident's record is erased")
		return pr.Err()
	}
	if p.keys == nil {
		return Errorf(CodeUnavailable, "This store cannot erase a person")
	}
	if _, err := p.person(deviceID); err != nil {
		return err
	}
	e := NewEntry(KindPersonErased, SubjectPerson(deviceID), op.Username, PersonAccess{Person: deviceID, Reason: strings.TrimSpace(reason)})
	e, err := p.keys.ErasePerson(ctx, deviceID, e)
	if err != nil {
		return err
	}
	// The site is read back: the resident is erased in the console too.
	p.rec.Published(e)
	return nil
}
