package app

import (
	"context"
	"log/slog"
	"strconv"
	"time"
)

// The order watch escalates orders not accepted or not done in time, and turns device faults
// and supply shortfalls into orders of their own, once, instead of leaving them on the desk.
//
// An order not accepted by its acceptance limit escalates to its grid's leader (the leader of
// the team whose grids include the order's grid), and after as long again to the property
// manager; the same for the time limit to be done. Each escalation is journaled on the order
// (its time is the moment it fell due, so it is exact whenever the watch looks) and raises a
// P3 notice on the alarm desk, and the teams' group robots are told.

// AlarmOrderOverdue is the P3 notice of an overdue work order.
const AlarmOrderOverdue = "order_overdue"

// Parameters of an overdue order's notice.
const (
	ParamOrder      = "order"       // the order's number
	ParamOrderStage = "order_stage" // accept or done
	ParamOrderTo    = "order_to"    // whom it was escalated to
)

func orderOverdueDetails(p map[string]string) []Message {
	var out []Message
	switch p[ParamOrderStage] {
	case StageAccept:
		out = append(out, msg("Order #{{.N}} was not accepted in time", "N", p[ParamOrder]))
	default:
		out = append(out, msg("Order #{{.N}} was not done in time", "N", p[ParamOrder]))
	}
	if to := p[ParamOrderTo]; to != "" {
		out = append(out, msg("Escalated to {{.Who}}", "Who", to))
	}
	return out
}

// OrderWatchEvery is how often the watch looks for late orders.
const OrderWatchEvery = 30 * time.Second

// OfflineOrderAfter is how long a device stays offline before it becomes a work order.
const OfflineOrderAfter = 48 * time.Hour

// autoOrderKinds are the desk's alarms that become orders of their own (category) instead of
// waiting on the desk: faults that need a repair, not a response.
var autoOrderKinds = map[string]string{
	AlarmStreetlight:   CatDevice,
	AlarmLowBattery:    CatDevice,
	AlarmSupplyExpired: CatSupplies,
	AlarmSupplyLow:     CatSupplies,
}

// OrderWatch is the running part of the work orders.
type OrderWatch struct {
	w     *WorkOrders
	log   *slog.Logger
	every time.Duration
}

// Watch returns the running part.
func (w *WorkOrders) Watch(log *slog.Logger) *OrderWatch {
	if log == nil {
		log = slog.Default()
	}
	return &OrderWatch{w: w, log: log, every: OrderWatchEvery}
}

// Run looks for late orders every OrderWatchEvery and turns fault alarms into orders as they
// are raised, until ctx ends.
func (ow *OrderWatch) Run(ctx context.Context) error {
	sub := ow.w.rec.Bus.Subscribe(256, func(e *Entry) bool { return e.Kind == KindAlarmRaised && !e.Drill })
	defer sub.Close()
	t := time.NewTicker(ow.every)
	defer t.Stop()
	ow.check(ctx)
	for {
		select {
		case <-ctx.Done():
			return nil
		case e := <-sub.C():
			var a Alarm
			if e.Decode(&a) == nil {
				a.ID = e.Seq
				if _, _, err := ow.w.AutoOrder(ctx, a); err != nil && !IsCode(err, CodeUnchanged) {
					ow.log.Warn("an order for a fault alarm could not be made", "alarm", a.ID, "err", err)
				}
			}
		case <-t.C:
			ow.check(ctx)
		}
	}
}

func (ow *OrderWatch) check(ctx context.Context) {
	// Fault alarms raised while the watch was not running (before a restart) are caught here.
	for _, a := range ow.w.desk.Open() {
		if _, ok := autoOrderKinds[a.Kind]; ok {
			if _, _, err := ow.w.AutoOrder(ctx, a); err != nil {
				ow.log.Warn("an order for a fault alarm could not be made", "alarm", a.ID, "err", err)
			}
		}
	}
	if n, err := ow.w.Escalate(ctx); err != nil {
		ow.log.Warn("late work orders could not all be escalated", "escalated", n, "err", err)
	}
	if n, err := ow.w.OfflineOrders(ctx); err != nil {
		ow.log.Warn("orders for offline devices could not all be made", "made", n, "err", err)
	}
}

// Escalate escalates every order late at the clock's now; it returns how many escalations
// it journaled.
func (w *WorkOrders) Escalate(ctx context.Context) (int, error) {
	now := w.clock.Now()
	setup := w.Setup()
	n := 0
	for _, o := range w.Open() {
		for _, st := range []string{StageAccept, StageDone} {
			due, level, ok := o.nextEscalation(&setup, st)
			if !ok || now.Before(due) {
				continue
			}
			if err := w.escalate(ctx, &setup, o.ID, st, level, due); err != nil {
				return n, err
			}
			n++
			break // one step at a time: the next look sees the order as it now is
		}
	}
	return n, nil
}

// nextEscalation returns when the order's next escalation of stage falls due and its level.
func (o *WorkOrder) nextEscalation(setup *OrderSetup, stage string) (time.Time, int, bool) {
	c, ok := setup.Category(o.Category)
	if !ok {
		return time.Time{}, 0, false
	}
	var due time.Time
	var step time.Duration
	switch stage {
	case StageAccept:
		if o.State != OrderNew && o.State != OrderAssigned {
			return time.Time{}, 0, false
		}
		due, step = o.AcceptDue, c.AcceptWithin.D()
	case StageDone:
		if o.State == OrderDone || !o.State.Open() {
			return time.Time{}, 0, false
		}
		due, step = o.DoneDue, c.DoneWithin.D()
	}
	level := 0
	for _, e := range o.Escalations {
		if e.Stage == stage && e.Level > level {
			level = e.Level
		}
	}
	if level >= 2 || due.IsZero() {
		return time.Time{}, 0, false
	}
	return due.Add(time.Duration(level) * step), level + 1, true
}

// escalationTarget is whom level escalates to: the grid's leader, then the property manager.
func escalationTarget(setup *OrderSetup, o *WorkOrder, level int) string {
	var chain []string
	if t, ok := setup.GridTeam(o.Place.GridID); ok && t.Leader != "" {
		chain = append(chain, t.Leader)
	}
	if setup.PropertyManager != "" {
		chain = append(chain, setup.PropertyManager)
	}
	if len(chain) == 0 {
		return ""
	}
	if level > len(chain) {
		level = len(chain)
	}
	return chain[level-1]
}

func (w *WorkOrders) escalate(ctx context.Context, setup *OrderSetup, id int64, stage string, level int, due time.Time) error {
	cur, err := w.Get(ctx, id)
	if err != nil {
		return err
	}
	to := escalationTarget(setup, &cur, level)
	notice, err := w.desk.Raise(ctx, nil, Alarm{Kind: AlarmOrderOverdue, Priority: P3, GridID: cur.Place.GridID, Building: cur.Place.Building,
		Position: cur.Place.Position, RaisedAt: due, Params: map[string]string{
			ParamOrder: strconv.FormatInt(cur.ID, 10), ParamOrderStage: stage, ParamOrderTo: to}})
	if err != nil {
		return err
	}
	o, err := w.mutate(ctx, SystemActor, id, -1, KindOrderEscalated, OrderStep{To: to, Note: stage}, func(o *WorkOrder) error {
		if _, lvl, ok := o.nextEscalation(setup, stage); !ok || lvl != level {
			return ErrUnchanged() // changed meanwhile (accepted, done): nothing to escalate
		}
		o.Escalations = append(o.Escalations, Escalation{Stage: stage, Level: level, To: to, At: due, Alarm: notice.ID})
		return nil
	})
	if IsCode(err, CodeUnchanged) {
		return nil
	}
	if err != nil {
		return err
	}
	w.notify(setup, o, KindOrderEscalated, level, to)
	return nil
}

// AutoOrder makes the order of a fault alarm (a streetlight out, a battery low, supplies
// expired or short), once per cause while it is open, and resolves the alarm on the desk as
// handed to the order. made is false when the alarm's kind does not make orders or an order
// is already open for its cause.
func (w *WorkOrders) AutoOrder(ctx context.Context, a Alarm) (WorkOrder, bool, error) {
	cat, ok := autoOrderKinds[a.Kind]
	if !ok || a.Drill || a.Test {
		return WorkOrder{}, false, nil
	}
	return w.faultOrder(ctx, a, cat)
}

func (w *WorkOrders) faultOrder(ctx context.Context, a Alarm, cat string) (WorkOrder, bool, error) {
	key := a.Kind + ":" + a.DeviceID + a.Params[ParamPlace] + a.Params[ParamItem] + a.Params[ParamItemKind]
	pl := OrderPlace{Building: a.Building, GridID: a.GridID, Position: a.Position}
	via, by := FromDevice, SubjectDevice(a.DeviceID)
	if cat == CatSupplies {
		via, by = FromSupplies, SubjectAlarm(a.ID)
	}
	if a.DeviceID != "" {
		if d, ok := w.inv.Site().Device(a.DeviceID); ok {
			if pl.Building == "" {
				pl.Building, pl.Unit = d.BuildingID, d.Unit
			}
			if pl.Position == nil {
				pl.Position = &Point{X: d.Position.X, Y: d.Position.Y}
			}
		}
	}
	if pl.Empty() {
		pl.Note = a.Params[ParamPlace]
		if pl.Note == "" {
			pl.Note = a.DeviceID
		}
	}
	o, err := w.create(ctx, SystemActor, OrderRequest{Category: cat, Text: AlarmKindLabel(a.Kind), Place: pl, Alarms: []int64{a.ID}, AutoKey: key},
		Reporter{Via: via, By: by})
	made := err == nil
	if IsCode(err, CodeUnchanged) {
		err = nil // an order is open for the cause already: this alarm is handed to it too
	}
	if err != nil {
		return WorkOrder{}, false, err
	}
	if _, err := w.desk.resolveBySystem(ctx, a.ID, o.Subject()); err != nil && !IsCode(err, CodeConflict) && !IsCode(err, CodeNotFound) {
		return o, made, err
	}
	return o, made, nil
}

// OfflineOrders makes an order for every device offline longer than OfflineOrderAfter.
func (w *WorkOrders) OfflineOrders(ctx context.Context) (int, error) {
	now := w.clock.Now()
	n := 0
	for _, a := range w.desk.Open() {
		if a.Kind != AlarmOffline || a.Drill || a.Test || now.Sub(a.RaisedAt) < OfflineOrderAfter {
			continue
		}
		_, made, err := w.faultOrder(ctx, a, CatDevice)
		if err != nil {
			return n, err
		}
		if made {
			n++
		}
	}
	return n, nil
}
