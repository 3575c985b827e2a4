package app

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Arming (布防/撤防): when a device's alarms reach the desk.
//
//   - An arming schedule per device, per zone (a management grid) or per device kind arms its
//     devices in its weekly windows only (door-forced alarms at night, for instance). The most
//     specific wins: the device's own, else its grid's, else its kind's, else always armed.
//     A schedule governs intrusion-like alarms only: device faults (offline, low battery,
//     tamper…) and life-safety alarms (fire, emergency calls, falls, heart rate) are always
//     raised, as a control panel's 24-hour zones are.
//   - Maintenance (维护) for a device, a grid or a kind, for some hours with a reason: none of
//     its alarms is raised, faults included (the installer unplugs it, sprays the smoke
//     detector). It ends by itself at its end time, or earlier by hand.
//   - Test mode (测试) for installers: alarms are raised but marked test; they are on the desk
//     and nowhere else (no pop-up, no chime, not counted as real alarms).
//
// A reading whose alarms are held back is journaled as always, with a device.alarm_suppressed
// entry beside it saying which alarms were held and why, so the device's journal shows them.
//
// Everything is kept in the journal itself (arming:* entries, folded here at Load and as they
// are published): a restart rebuilds it from the store, and no table is needed. Who may do
// what: arming schedules and the holiday calendar are the administrator's (ActEditArming);
// maintenance and test mode the administrator's and the commander's (ActMaintenance) — a
// duty operator on a night shift does not silence devices.

// Journal kinds of arming.
const (
	KindArmingScheduleSet     EntryKind = "arming.schedule_set"        // Data: ArmingSchedule
	KindArmingScheduleCleared EntryKind = "arming.schedule_cleared"    // Data: ArmTarget
	KindHolidayCalendarSet    EntryKind = "arming.calendar_set"        // Data: HolidayCalendar
	KindMaintenanceStarted    EntryKind = "arming.maintenance_started" // Data: Maintenance
	KindMaintenanceEnded      EntryKind = "arming.maintenance_ended"   // Data: MaintenanceEnd (ended by hand)
	KindAlarmSuppressed       EntryKind = "device.alarm_suppressed"    // Data: Suppressed; beside the reading
)

// ArmScope is what an arming schedule or a maintenance covers.
type ArmScope string

const (
	ScopeDevice ArmScope = "device" // one device, by ID
	ScopeZone   ArmScope = "zone"   // the devices of a management grid, by grid ID
	ScopeKind   ArmScope = "kind"   // every device of a kind
)

// ArmScopes in the order of precedence (the most specific first).
var ArmScopes = []ArmScope{ScopeDevice, ScopeZone, ScopeKind}

// Label is the English name of the scope (the translation key).
func (s ArmScope) Label() string {
	switch s {
	case ScopeDevice:
		return "Device"
	case ScopeZone:
		return "Grid"
	case ScopeKind:
		return "Device kind"
	}
	return string(s)
}

// ArmTarget names what a schedule or a maintenance covers.
type ArmTarget struct {
	Scope ArmScope `json:"scope"`
	ID    string   `json:"id"` // device ID, grid ID or device kind
}

// Key is "scope:id".
func (t ArmTarget) Key() string { return string(t.Scope) + ":" + t.ID }

// Covers reports whether the target covers the device.
func (t ArmTarget) Covers(d *Device) bool {
	switch t.Scope {
	case ScopeDevice:
		return d.ID == t.ID
	case ScopeZone:
		return d.GridID != "" && d.GridID == t.ID
	case ScopeKind:
		return string(d.Kind) == t.ID
	}
	return false
}

// targetsOf are the targets that may cover a device, the most specific first.
func targetsOf(d *Device) []ArmTarget {
	out := []ArmTarget{{ScopeDevice, d.ID}}
	if d.GridID != "" {
		out = append(out, ArmTarget{ScopeZone, d.GridID})
	}
	return append(out, ArmTarget{ScopeKind, string(d.Kind)})
}

func (t ArmTarget) check(p *Problems, site *Site) {
	switch t.Scope {
	case ScopeDevice:
		if _, ok := site.Device(t.ID); !ok {
			p.Add("target", "There is no device {{.ID}}", "ID", t.ID)
		}
	case ScopeZone:
		if _, ok := site.Grid(t.ID); !ok {
			p.Add("target", "There is no grid {{.ID}}", "ID", t.ID)
		}
	case ScopeKind:
		if !DeviceKind(t.ID).Known() {
			p.Add("target", "Unknown device kind {{.Kind}}", "Kind", t.ID)
		}
	default:
		p.Add("target", "Choose a device, a grid or a device kind")
	}
}

// ArmingSchedule arms the devices of its target in its windows only.
type ArmingSchedule struct {
	Target   ArmTarget      `json:"target"`
	Schedule WeeklySchedule `json:"schedule"`
}

// AlwaysArmed reports whether an alarm kind is raised whatever the arming schedule says:
// device faults and life-safety alarms.
func AlwaysArmed(a *Alarm) bool {
	if a.Fault {
		return true
	}
	switch a.Kind {
	case AlarmFire, AlarmMedical, AlarmFall, AlarmVitals, AlarmWelfare:
		return true
	}
	return false
}

// MaintenanceMode is what a maintenance does to the alarms.
type MaintenanceMode string

const (
	ModeMaintenance MaintenanceMode = "maintenance" // no alarms
	ModeTest        MaintenanceMode = "test"        // alarms raised, marked test
)

// Label is the English name of the mode (the translation key).
func (m MaintenanceMode) Label() string {
	switch m {
	case ModeMaintenance:
		return "Maintenance"
	case ModeTest:
		return "Test mode"
	}
	return string(m)
}

// MaxMaintenance is the longest a maintenance or test may last at once.
const MaxMaintenance = 72 * time.Hour

// MaxMaintenanceReason is the longest reason, in characters.
const MaxMaintenanceReason = 200

// Maintenance is a device, grid or kind in maintenance or test mode until Until.
type Maintenance struct {
	Target ArmTarget       `json:"target"`
	Mode   MaintenanceMode `json:"mode"`
	Reason string          `json:"reason"`
	From   time.Time       `json:"from"`
	Until  time.Time       `json:"until"`
	By     string          `json:"by"` // user name
	ByName string          `json:"by_name,omitempty"`
}

// ActiveAt reports whether it runs at t: it ends by itself at Until.
func (m *Maintenance) ActiveAt(t time.Time) bool { return !t.Before(m.From) && t.Before(m.Until) }

// MaintenanceRequest is what the maintenance dialog asks for.
type MaintenanceRequest struct {
	Target ArmTarget
	Mode   MaintenanceMode
	For    time.Duration
	Reason string
}

// MaintenanceEnd is a maintenance ended by hand before its time.
type MaintenanceEnd struct {
	Target ArmTarget       `json:"target"`
	Mode   MaintenanceMode `json:"mode"`
	At     time.Time       `json:"at"` // by the core's clock, as the start's From and Until are
}

// Suppressed is what a device.alarm_suppressed entry says: the alarms a reading would have
// raised, and why they were not.
type Suppressed struct {
	Device string    `json:"device"`
	Reason string    `json:"reason"` // SuppressedDisarmed or SuppressedMaintenance
	Target ArmTarget `json:"target"` // the schedule or maintenance that held them
	Alarms []Alarm   `json:"alarms"` // kind, priority and cause of each, as the rules made them
}

// Why alarms are held back.
const (
	SuppressedDisarmed    = "disarmed"
	SuppressedMaintenance = "maintenance"
)

// Arming keeps the arming schedules, the holiday calendar and the maintenances.
type Arming struct {
	rec   *Recorder
	inv   *Inventory
	clock Clock

	mu        sync.RWMutex
	schedules map[string]ArmingSchedule // by target key
	calendar  HolidayCalendar
	maint     map[string]Maintenance // by target key; ended ones stay until replaced (ActiveAt says)
}

// NewArming builds the service; call Load before use.
func NewArming(rec *Recorder, inv *Inventory, clock Clock) *Arming {
	a := &Arming{rec: rec, inv: inv, clock: clock, schedules: map[string]ArmingSchedule{}, maint: map[string]Maintenance{}}
	rec.Bus.Fold(func(e Entry) {
		a.mu.Lock()
		defer a.mu.Unlock()
		a.fold(&e)
	})
	return a
}

// fold applies one journal entry: the only place the state changes, at Load and for every
// entry published, whoever wrote it. Call with mu held.
func (a *Arming) fold(e *Entry) {
	switch e.Kind {
	case KindArmingScheduleSet:
		var s ArmingSchedule
		if e.Decode(&s) == nil {
			a.schedules[s.Target.Key()] = s
		}
	case KindArmingScheduleCleared:
		var t ArmTarget
		if e.Decode(&t) == nil {
			delete(a.schedules, t.Key())
		}
	case KindHolidayCalendarSet:
		var c HolidayCalendar
		if e.Decode(&c) == nil {
			a.calendar = c
		}
	case KindMaintenanceStarted:
		var m Maintenance
		if e.Decode(&m) == nil {
			a.maint[m.Target.Key()] = m
		}
	case KindMaintenanceEnded:
		var end MaintenanceEnd
		if e.Decode(&end) == nil {
			if end.At.IsZero() {
				end.At = e.Time
			}
			if m, ok := a.maint[end.Target.Key()]; ok && end.At.Before(m.Until) {
				m.Until = end.At // ended early: kept, so the panels can say when
				a.maint[end.Target.Key()] = m
			}
		}
	}
}

// Load folds what the journal holds.
func (a *Arming) Load(ctx context.Context) error {
	es, err := a.rec.Journal.Query(ctx, JournalQuery{Subject: "arming:"})
	if err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.schedules, a.maint, a.calendar = map[string]ArmingSchedule{}, map[string]Maintenance{}, HolidayCalendar{}
	for i := range es {
		a.fold(&es[i])
	}
	return nil
}

// Now is the arming's clock.
func (a *Arming) Now() time.Time { return a.clock.Now() }

// Schedules lists the arming schedules by scope (device, grid, kind), then target.
func (a *Arming) Schedules() []ArmingSchedule {
	a.mu.RLock()
	defer a.mu.RUnlock()
	out := make([]ArmingSchedule, 0, len(a.schedules))
	for _, s := range a.schedules {
		out = append(out, s)
	}
	rank := map[ArmScope]int{ScopeDevice: 0, ScopeZone: 1, ScopeKind: 2}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Target.Scope != out[j].Target.Scope {
			return rank[out[i].Target.Scope] < rank[out[j].Target.Scope]
		}
		return out[i].Target.ID < out[j].Target.ID
	})
	return out
}

// Calendar returns the holiday calendar.
func (a *Arming) Calendar() HolidayCalendar {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return HolidayCalendar{Days: append([]CalendarDay(nil), a.calendar.Days...)}
}

// Timetable reads a schedule in the site's time zone with the holiday calendar.
func (a *Arming) Timetable(s WeeklySchedule) Timetable {
	cal := a.Calendar()
	return Timetable{Schedule: s, Loc: a.inv.Site().Location(), Calendar: &cal}
}

// ScheduleFor returns the schedule that governs a device (the most specific), if any.
func (a *Arming) ScheduleFor(d *Device) (ArmingSchedule, bool) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	for _, t := range targetsOf(d) {
		if s, ok := a.schedules[t.Key()]; ok {
			return s, true
		}
	}
	return ArmingSchedule{}, false
}

// Armed reports whether the device is armed at t, and the schedule that says so (none:
// always armed).
func (a *Arming) Armed(d *Device, t time.Time) (bool, *ArmingSchedule) {
	s, ok := a.ScheduleFor(d)
	if !ok {
		return true, nil
	}
	return a.Timetable(s.Schedule).Active(t), &s
}

// MaintenanceOf returns the maintenance or test the device is in at t (the most specific
// one), if any.
func (a *Arming) MaintenanceOf(d *Device, t time.Time) (Maintenance, bool) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	for _, tg := range targetsOf(d) {
		if m, ok := a.maint[tg.Key()]; ok && m.ActiveAt(t) {
			return m, true
		}
	}
	return Maintenance{}, false
}

// Maintenances lists the maintenances and tests running at t, the soonest to end first.
func (a *Arming) Maintenances(t time.Time) []Maintenance {
	a.mu.RLock()
	defer a.mu.RUnlock()
	var out []Maintenance
	for _, m := range a.maint {
		if m.ActiveAt(t) {
			out = append(out, m)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Until.Equal(out[j].Until) {
			return out[i].Until.Before(out[j].Until)
		}
		return out[i].Target.Key() < out[j].Target.Key()
	})
	return out
}

func subjectArming(what string, t ArmTarget) string { return "arming:" + what + ":" + t.Key() }

// SetSchedule sets (or replaces) the arming schedule of a target.
func (a *Arming) SetSchedule(ctx context.Context, op *Operator, s ArmingSchedule) error {
	if err := Authorize(op, ActEditArming); err != nil {
		return err
	}
	site := a.inv.Site()
	if site == nil {
		return Errorf(CodeUnavailable, "No site is set up yet")
	}
	if err := s.Schedule.Validate(); err != nil {
		return err
	}
	var p Problems
	s.Target.check(&p, site)
	if len(s.Schedule.Windows) == 0 {
		p.Add("schedule", "An arming schedule needs at least one window (remove the schedule to arm always)")
	}
	if err := p.Err(); err != nil {
		return err
	}
	_, err := a.rec.Record(ctx, NewEntry(KindArmingScheduleSet, subjectArming("schedule", s.Target), op.Username, s))
	return err
}

// ClearSchedule removes a target's schedule: its devices are armed always (or by a less
// specific schedule).
func (a *Arming) ClearSchedule(ctx context.Context, op *Operator, t ArmTarget) error {
	if err := Authorize(op, ActEditArming); err != nil {
		return err
	}
	a.mu.RLock()
	_, ok := a.schedules[t.Key()]
	a.mu.RUnlock()
	if !ok {
		return Errorf(CodeNotFound, "{{.Target}} has no arming schedule", "Target", t.Key())
	}
	_, err := a.rec.Record(ctx, NewEntry(KindArmingScheduleCleared, subjectArming("schedule", t), op.Username, t))
	return err
}

// SetCalendar replaces the holiday calendar.
func (a *Arming) SetCalendar(ctx context.Context, op *Operator, c HolidayCalendar) error {
	if err := Authorize(op, ActEditArming); err != nil {
		return err
	}
	for i := range c.Days {
		c.Days[i].Name = strings.TrimSpace(c.Days[i].Name)
	}
	if err := c.Validate(); err != nil {
		return err
	}
	c.Days = c.Sorted()
	_, err := a.rec.Record(ctx, NewEntry(KindHolidayCalendarSet, "arming:calendar", op.Username, c))
	return err
}

// StartMaintenance puts a target in maintenance or test mode for a while, with a reason; a
// running one of the target is replaced.
func (a *Arming) StartMaintenance(ctx context.Context, op *Operator, req MaintenanceRequest) (Maintenance, error) {
	if err := Authorize(op, ActMaintenance); err != nil {
		return Maintenance{}, err
	}
	site := a.inv.Site()
	if site == nil {
		return Maintenance{}, Errorf(CodeUnavailable, "No site is set up yet")
	}
	var p Problems
	req.Target.check(&p, site)
	if req.Mode != ModeMaintenance && req.Mode != ModeTest {
		p.Add("mode", "Choose maintenance or test mode")
	}
	if req.For < 10*time.Minute || req.For > MaxMaintenance {
		p.Add("for", "Maintenance lasts from 10 minutes to {{.N}} hours", "N", int(MaxMaintenance.Hours()))
	}
	reason := strings.TrimSpace(req.Reason)
	if reason == "" {
		p.Add("reason", "Say why (what is being done, by whom)")
	} else if utf8.RuneCountInString(reason) > MaxMaintenanceReason {
		p.Add("reason", "The reason is too long (at most {{.N}} characters)", "N", MaxMaintenanceReason)
	}
	if err := p.Err(); err != nil {
		return Maintenance{}, err
	}
	now := a.clock.Now()
	m := Maintenance{Target: req.Target, Mode: req.Mode, Reason: reason, From: now, Until: now.Add(req.For),
		By: op.Username, ByName: op.Name}
	if _, err := a.rec.Record(ctx, NewEntry(KindMaintenanceStarted, subjectArming("maintenance", req.Target), op.Username, m)); err != nil {
		return Maintenance{}, err
	}
	return m, nil
}

// EndMaintenance ends a target's maintenance or test now, before its time.
func (a *Arming) EndMaintenance(ctx context.Context, op *Operator, t ArmTarget) error {
	if err := Authorize(op, ActMaintenance); err != nil {
		return err
	}
	a.mu.RLock()
	m, ok := a.maint[t.Key()]
	a.mu.RUnlock()
	if !ok || !m.ActiveAt(a.clock.Now()) {
		return Errorf(CodeNotFound, "{{.Target}} is not in maintenance", "Target", t.Key())
	}
	_, err := a.rec.Record(ctx, NewEntry(KindMaintenanceEnded, subjectArming("maintenance", t), op.Username, MaintenanceEnd{Target: t, Mode: m.Mode, At: a.clock.Now()}))
	return err
}

// Verdict is what the arming makes of the alarms a reading raises.
type Verdict struct {
	Raise []Alarm     // to raise (marked test in test mode)
	Held  *Suppressed // the alarms held back, and why; nil: none
}

// Judge decides which of a device's alarms are raised at t: all of them unless the device is
// in maintenance (none) or in test mode (all, marked test), or disarmed by its schedule
// (those the schedule governs are held).
func (a *Arming) Judge(d *Device, alarms []Alarm, t time.Time) Verdict {
	if len(alarms) == 0 {
		return Verdict{}
	}
	if m, ok := a.MaintenanceOf(d, t); ok {
		if m.Mode == ModeTest {
			out := append([]Alarm(nil), alarms...)
			for i := range out {
				out[i].Test = true
			}
			return Verdict{Raise: out}
		}
		return Verdict{Held: &Suppressed{Device: d.ID, Reason: SuppressedMaintenance, Target: m.Target, Alarms: brief(alarms)}}
	}
	armed, s := a.Armed(d, t)
	if armed {
		return Verdict{Raise: alarms}
	}
	var v Verdict
	var held []Alarm
	for _, al := range alarms {
		if AlwaysArmed(&al) {
			v.Raise = append(v.Raise, al)
		} else {
			held = append(held, al)
		}
	}
	if len(held) > 0 {
		v.Held = &Suppressed{Device: d.ID, Reason: SuppressedDisarmed, Target: s.Target, Alarms: brief(held)}
	}
	return v
}

// brief keeps what the journal needs to say of a held alarm: its kind, priority and cause.
func brief(alarms []Alarm) []Alarm {
	out := make([]Alarm, len(alarms))
	for i, a := range alarms {
		out[i] = Alarm{Kind: a.Kind, Priority: a.Priority, Fault: a.Fault, Params: a.Params, DeviceID: a.DeviceID, RaisedAt: a.RaisedAt}
	}
	return out
}
