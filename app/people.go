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

// openAlarmOf returns the open alarm id of the device, if it is one.
func (p *People) openAlarmOf(deviceID string, id int64) bool {
	if p.desk == nil || id == 0 {
		return false
	}
	for _, a := range p.desk.Open() {
		if a.ID == id && a.DeviceID == deviceID {
			return true
		}
	}
	return false
}

// View returns the full record of the resident of deviceID for op, and journals it. An
// operator allowed ActViewPerson gives a reason; anyone who handles alarms (ActAckAlarm)
// sees the resident of an open alarm of that device with the alarm as the reason (alarm).
func (p *People) View(ctx context.Context, op *Operator, deviceID, reason string, alarm int64) (*Person, error) {
	reason = strings.TrimSpace(reason)
	byAlarm := alarm != 0 && p.openAlarmOf(deviceID, alarm) && Authorize(op, ActAckAlarm) == nil
	if !byAlarm {
		if err := Authorize(op, ActViewPerson); err != nil {
			return nil, err
		}
		if reason == "" {
			var pr Problems
			pr.Add("reason", "Say why you open this resident's full record")
			return nil, pr.Err()
		}
		alarm = 0
	}
	person, err := p.person(deviceID)
	if err != nil {
		return nil, err
	}
	if person.Erased {
		return person, nil // nothing is left to see: nothing to journal
	}
	if byAlarm {
		key := op.Username + "/" + SubjectAlarm(alarm)
		p.mu.Lock()
		done := p.seen[key]
		p.seen[key] = true
		p.mu.Unlock()
		if done {
			return person, nil // shown again (the pop-up, the desk): journaled once per alarm
		}
	}
	e := NewEntry(KindPersonViewed, SubjectPerson(deviceID), op.Username, PersonAccess{Person: deviceID, Reason: reason, Alarm: alarm})
	if _, err := p.rec.Record(ctx, e); err != nil {
		if byAlarm {
			p.mu.Lock()
			delete(p.seen, op.Username+"/"+SubjectAlarm(alarm))
			p.mu.Unlock()
		}
		return nil, err
	}
	return person, nil
}

// ForAlarm is the resident of an open alarm, shown in full to the operator handling it (the
// alarm is the reason, journaled once); nil when the alarm has no resident. Someone who may
// not handle alarms gets the masked record.
func (p *People) ForAlarm(ctx context.Context, op *Operator, a Alarm) (*Person, error) {
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
	if a.State == AlarmResolved || Authorize(op, ActAckAlarm) != nil {
		return person.Masked(), nil
	}
	return p.View(ctx, op, a.DeviceID, "", a.ID)
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
