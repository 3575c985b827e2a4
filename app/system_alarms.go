package app

import (
	"context"
	"time"
)

// System alarms of the device path: P1 faults of Watchpost itself that mean alarms can be
// lost. They have no device or camera; each is one open alarm at a time (repeats fold into
// it) and is resolved by the system when its cause goes away.
const (
	AlarmJournalFull = "journal_full" // the journal cannot be written (disk full): device messages are refused
	AlarmBrokerDown  = "broker_down"  // the embedded broker cannot listen: devices cannot reach the console
)

// RaiseSystemFault raises (or repeats) a P1 system fault alarm of kind; params are its facts.
func (d *AlarmDesk) RaiseSystemFault(ctx context.Context, kind string, at time.Time, params map[string]string) (Alarm, error) {
	return d.Raise(ctx, nil, Alarm{Kind: kind, Priority: P1, Fault: true, RaisedAt: at, Params: params})
}

// HasOpen reports whether a system fault of kind is open.
func (d *AlarmDesk) HasOpen(kind string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, a := range d.open {
		if a.Fault && a.Kind == kind && a.SourceID() == "" && !a.Drill {
			return true
		}
	}
	return false
}

// resolveBySystem resolves an alarm handed on elsewhere (a fault that became a work order):
// note says where (order:N).
func (d *AlarmDesk) resolveBySystem(ctx context.Context, id int64, note string) (Alarm, error) {
	return d.change(ctx, SystemActor, id, AlarmResolved, KindAlarmResolved, Mark{Note: note, To: note}, OutcomeFault)
}
