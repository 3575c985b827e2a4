package app

import "context"

// Inject runs a drill's device message through the device path: journaled and judged by
// the rules like any message, but marked drill, and so are the alarms it raises. It says
// nothing about the device itself (no online, no cleared fault): the device did not
// speak. A real message arriving meanwhile stays real. It returns the alarms raised.
func (in *Ingest) Inject(ctx context.Context, r Reading) ([]Alarm, error) {
	if _, ok := in.inv.Device(r.DeviceID); !ok {
		return nil, Errorf(CodeNotFound, "There is no device {{.ID}}", "ID", r.DeviceID)
	}
	return in.handle(ctx, r, "", true)
}

// endDrill resolves, as the system, the drill alarms of a run still open when it ends
// (raised after its start entry): the drill is over, they need no one. Their journal
// keeps what the team did with them.
func (d *AlarmDesk) endDrill(ctx context.Context, afterSeq int64, note string) error {
	d.mu.Lock()
	var ids []int64
	for id, a := range d.open {
		if a.Drill && id > afterSeq {
			ids = append(ids, id)
		}
	}
	d.mu.Unlock()
	for _, id := range ids {
		if _, err := d.change(ctx, SystemActor, id, AlarmResolved, KindAlarmResolved, Mark{Note: note}, OutcomeTest); err != nil && !IsCode(err, CodeConflict) {
			return err
		}
	}
	return nil
}
