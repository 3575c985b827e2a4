package app

import (
	"context"
	"log/slog"
	"strings"
	"time"
)

// Journal kinds of the device path.
const (
	KindDeviceReading      EntryKind = "device.reading"      // Data: Reading
	KindDeviceOffline      EntryKind = "device.offline"      // Data: {"device", "reason"}
	KindDeviceOnline       EntryKind = "device.online"       // Data: {"device"}
	KindDeviceUnregistered EntryKind = "device.unregistered" // the first message of an unknown device
)

// Ingest is the device path's way into the core: every decoded message is journaled
// (durable before Handle returns: the caller acknowledges the message to the broker only
// then), goes through the rules, and raises alarms in the same transaction as the reading.
type Ingest struct {
	inv   *Inventory
	desk  *AlarmDesk
	rec   *Recorder
	rules *Rules
	mon   *DeviceMonitor
	seq   *SeqTracker
	clock Clock
	log   *slog.Logger
}

// NewIngest wires the device path.
func NewIngest(inv *Inventory, desk *AlarmDesk, rec *Recorder, rules *Rules, mon *DeviceMonitor, clock Clock, log *slog.Logger) *Ingest {
	desk.SetFloodWindow(rules.Config().FloodWindow.D())
	in := &Ingest{inv: inv, desk: desk, rec: rec, rules: rules, mon: mon, seq: NewSeqTracker(rec.Journal), clock: clock, log: log}
	rec.Bus.Fold(in.fold)
	return in
}

// fold keeps the live device states and the rules' memory (doors passed, vehicles in) as the
// device entries say, whoever journaled them (this process's ingest, or another's read by the
// Tail): a registered device's reading, online, offline. A drill's injected reading is not the
// device speaking: its live state stays as it was (its doors and plates count for the rules,
// as they did when the rules took them in while evaluating).
func (in *Ingest) fold(e Entry) {
	id, ok := strings.CutPrefix(e.Subject, "device:")
	if !ok || id == "" {
		return
	}
	switch e.Kind {
	case KindDeviceReading:
		d, registered := in.inv.Device(id)
		if !registered {
			return // counted apart (NoteUnregistered), not a device of the site
		}
		var r Reading
		if e.Decode(&r) != nil {
			return
		}
		in.rules.Observe(d, &r) // a drill's doors and plates count, as the rules evaluated them
		if !e.Drill {
			in.mon.Seen(&r)
			if r.Seq > 0 {
				in.seq.journaled(&r, e.Time)
			}
		}
	case KindDeviceGap:
		var g SeqGap
		if e.Decode(&g) == nil {
			in.mon.NoteGap(id, int64(g.Missing), e.Time)
		}
	case KindDeviceOffline:
		in.mon.SetOnline(id, false)
	case KindDeviceOnline:
		in.mon.SetOnline(id, true)
	}
}

// Monitor returns the live device states.
func (in *Ingest) Monitor() *DeviceMonitor { return in.mon }

// Handle journals one reading and acts on it.
func (in *Ingest) Handle(ctx context.Context, r Reading, topic string) error {
	_, err := in.handle(ctx, r, topic, false)
	return err
}

// handle journals a reading and acts on it; drill marks an injected drill message (see
// Inject). It returns the alarms raised.
func (in *Ingest) handle(ctx context.Context, r Reading, topic string, drill bool) ([]Alarm, error) {
	if r.Received.IsZero() {
		r.Received = in.clock.Now()
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	site := in.inv.Site()
	if site == nil {
		return nil, Errorf(CodeUnavailable, "No site is set up yet")
	}
	d, registered := in.inv.Device(r.DeviceID)
	if registered {
		r.Kind = d.Kind
	}
	e := NewEntry(KindDeviceReading, SubjectDevice(r.DeviceID), SystemActor, r)
	e.Time = r.Received
	e.Drill = drill
	if !registered {
		if !in.mon.AdmitUnregistered(r.DeviceID, r.Received) {
			return nil, nil // beyond the unknown devices kept: counted (monitor.go), acknowledged, dropped
		}
		entries := []Entry{e}
		if in.mon.NoteUnregistered(&r, topic) {
			in.log.Warn("message from an unregistered device", "device", r.DeviceID, "topic", topic)
			entries = append(entries, NewEntry(KindDeviceUnregistered, SubjectDevice(r.DeviceID), SystemActor,
				map[string]string{"device": r.DeviceID, "topic": topic}))
		}
		_, err := in.rec.Record(ctx, entries...)
		return nil, err
	}

	// A numbered message already journaled is a redelivery: acknowledged, not journaled
	// again. Numbers that did not arrive in time are journaled as a gap with this reading.
	var gaps []Entry
	if r.Seq > 0 && !drill {
		chk, err := in.seq.begin(ctx, &r, r.Received)
		if err != nil {
			return nil, err
		}
		if chk.dup {
			in.log.Info("device message delivered again: journaled once already", "device", r.DeviceID, "seq", r.Seq, "topic", topic)
			return nil, nil
		}
		defer chk.done()
		for _, g := range chk.gaps {
			gaps = append(gaps, in.gapEntry(g, r.Received))
		}
	}

	alarms := in.rules.Evaluate(site, d, &r)
	lastWill := false
	if r.Type == MsgStatus {
		if s, _ := r.String("status"); s == "offline" {
			lastWill = true
			alarms = append(alarms, in.offlineAlarm(d, r.Received, OfflineLastWill, 0))
		}
	}
	// The arming decides what is raised; a drill's injected reading rehearses the alarm
	// whatever the device's arming (a trainer's night scenario runs in the afternoon too).
	verdict := Verdict{Raise: alarms}
	if !drill {
		verdict = in.rules.Decide(d, alarms, r.Received)
	}
	alarms = verdict.Raise
	for i := range alarms {
		alarms[i].Drill = drill
	}
	with := append([]Entry{e}, gaps...)
	if verdict.Held != nil { // journaled beside the reading: the device's journal says what was held and why
		held := NewEntry(KindAlarmSuppressed, SubjectDevice(d.ID), SystemActor, verdict.Held)
		held.Time, held.Drill = r.Received, drill
		with = append(with, held)
	}
	// Whether it comes back: as the device's state stood before this reading (the fold below
	// takes the reading in once it is journaled).
	prev, known := in.mon.State(d.ID)
	wasOffline := known && !prev.Online
	var raised []Alarm
	if len(alarms) == 0 {
		if _, err := in.rec.Record(ctx, with...); err != nil {
			return nil, err
		}
	} else {
		for i := range alarms {
			a, err := in.desk.Raise(ctx, nil, alarms[i], with...)
			if err != nil {
				return raised, err
			}
			raised = append(raised, a)
			with = nil // the reading is journaled with the first alarm
		}
	}
	if drill {
		return raised, nil // the device did not speak: its state stays as it was
	}
	if lastWill {
		in.journal(ctx, NewEntry(KindDeviceOffline, SubjectDevice(d.ID), SystemActor, map[string]string{"device": d.ID, "reason": "last_will"}))
		return raised, nil
	}
	if wasOffline {
		in.journal(ctx, NewEntry(KindDeviceOnline, SubjectDevice(d.ID), SystemActor, map[string]string{"device": d.ID}))
		if _, _, err := in.desk.ClearFault(ctx, AlarmOffline, d.ID, "back online"); err != nil {
			return raised, err
		}
	}
	if b, ok := r.Number("battery"); ok && b >= in.rules.Config().LowBattery+5 {
		if _, _, err := in.desk.ClearFault(ctx, AlarmLowBattery, d.ID, "battery replaced"); err != nil {
			return raised, err
		}
	}
	return raised, nil
}

// NoteMalformed records a message that could not be decoded: logged with its topic and
// the reason, counted for the diagnostics view, and nothing else.
func (in *Ingest) NoteMalformed(topic, reason string, size int) {
	in.log.Warn("malformed device message", "topic", topic, "reason", reason, "bytes", size)
	in.mon.NoteMalformed(Malformed{Time: in.clock.Now(), Topic: topic, Reason: reason, Size: size})
}

func (in *Ingest) offlineAlarm(d *Device, at time.Time, reason string, window time.Duration) Alarm {
	a := deviceAlarm(AlarmOffline, P3, true, d, at)
	a.CameraID = "" // a silent device is not something its cameras show
	a.SetParam(ParamReason, reason)
	if window > 0 {
		a.SetParam(ParamWindow, num(window.Seconds()))
	}
	return a
}

// gapEntry journals messages of a device that never arrived.
func (in *Ingest) gapEntry(g SeqGap, at time.Time) Entry {
	in.log.Warn("device messages lost: numbers missing", "device", g.Device, "boot", g.Boot, "from", g.From, "to", g.To, "missing", g.Missing)
	e := NewEntry(KindDeviceGap, SubjectDevice(g.Device), SystemActor, g)
	e.Time = at
	return e
}

func (in *Ingest) journal(ctx context.Context, e Entry) {
	if _, err := in.rec.Record(ctx, e); err != nil {
		in.log.Error("not journaled", "kind", e.Kind, "err", err)
	}
}

// Run checks every second for devices silent past their supervision window (and every
// minute the rules that depend on time passing), until ctx ends.
func (in *Ingest) Run(ctx context.Context) error {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	lastCheck := time.Time{}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		in.SuperviseOnce(ctx, lastCheck.IsZero() || in.clock.Now().Sub(lastCheck) >= time.Minute)
		if in.clock.Now().Sub(lastCheck) >= time.Minute {
			lastCheck = in.clock.Now()
		}
	}
}

// SuperviseOnce runs one round of supervision (and of the periodic rules when asked).
func (in *Ingest) SuperviseOnce(ctx context.Context, periodic bool) {
	site := in.inv.Site()
	if site == nil {
		return
	}
	now := in.clock.Now()
	window := in.rules.Config().SupervisionWindow
	for _, d := range in.mon.Overdue(site, now, window) {
		// Offline once journaled (the fold): an offline alarm that cannot be journaled is
		// tried again at the next round.
		e := NewEntry(KindDeviceOffline, SubjectDevice(d.ID), SystemActor, map[string]string{"device": d.ID, "reason": "silent"})
		v := in.rules.Decide(d, []Alarm{in.offlineAlarm(d, now, OfflineSilent, window(d))}, now)
		if v.Held != nil { // in maintenance: offline all the same, without an alarm
			if _, err := in.rec.Record(ctx, e, NewEntry(KindAlarmSuppressed, SubjectDevice(d.ID), SystemActor, v.Held)); err != nil {
				in.log.Error("offline not journaled", "device", d.ID, "err", err)
			}
			continue
		}
		for _, a := range v.Raise {
			if _, err := in.desk.Raise(ctx, nil, a, e); err != nil {
				in.log.Error("offline alarm not raised", "device", d.ID, "err", err)
			}
		}
	}
	for _, g := range in.seq.Due(now) {
		in.journal(ctx, in.gapEntry(g, now))
	}
	if periodic {
		for _, a := range in.rules.Check(site, now) {
			if _, err := in.desk.Raise(ctx, nil, a); err != nil {
				in.log.Error("alarm not raised", "kind", a.Kind, "err", err)
			}
		}
	}
}
