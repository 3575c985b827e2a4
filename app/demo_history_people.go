package app

import (
	"strconv"
	"time"
)

// The people of the demo history: each step of an order done by whom it falls to, with the
// command they would use, and what it leads to next.

// duty is the duty operator on shift at t: 李明 by day, 刘洋 by night.
func (r *historyRun) duty(t time.Time) *Operator {
	if h := t.In(r.loc).Hour(); h >= 8 && h < 20 {
		return r.ops["duty"]
	}
	return r.ops["duty2"]
}

func (r *historyRun) op(name string) (*Operator, error) {
	if op, ok := r.ops[name]; ok {
		return op, nil
	}
	return nil, Errorf(CodeNotFound, "The demo's order history needs the account {{.U}}", "U", name)
}

// report makes the order as whoever reports it; a duplicate (of, still open) is merged into it.
func (r *historyRun) report(ho *historyOrder, place OrderPlace, of *historyOrder) error {
	it := ho.item
	req := OrderRequest{Category: it.Category, Text: it.Text, Place: place}
	var o WorkOrder
	var err error
	t := r.clock.Now()
	switch ho.via {
	case "resident":
		req.ReporterName, req.ReporterPhone = r.resident()
		o, err = r.orders.ReportAsResident(r.ctx, req)
	case "patrol", "phone":
		grid := place.GridID
		if grid == "" {
			if b, ok := r.site.Building(place.Building); ok {
				grid = b.GridID
			}
		}
		worker, err2 := r.op(r.gridWorker[grid])
		if err2 != nil {
			return err2
		}
		req.Via = FromInspection
		if ho.via == "phone" {
			req.Via = FromPhone
		}
		o, err = r.orders.Report(r.ctx, worker, req)
	case "intake":
		req.Via = FromIntake
		req.ReporterName, req.ReporterPhone = r.resident()
		o, err = r.orders.Report(r.ctx, r.duty(t), req)
	default: // console: seen on the cameras
		req.Via = FromConsole
		o, err = r.orders.Report(r.ctx, r.duty(t), req)
	}
	if err != nil {
		return err
	}
	ho.id = o.ID
	r.made++
	if of != nil {
		r.at(t.Add(r.between(10*time.Minute, 40*time.Minute)), func() error { return r.merge(ho, of) })
		return nil
	}
	return r.created(ho, o)
}

// fault raises a device's fault on the desk as the rules would; the order watch makes it an order.
func (r *historyRun) fault(ho *historyOrder, dv *Device, kind string) error {
	t := r.clock.Now()
	var a Alarm
	if kind == "streetlight" {
		a = deviceAlarm(AlarmStreetlight, P3, true, dv, t)
		a.SetParam(ParamFault, "lamp_failure")
	} else {
		a = deviceAlarm(AlarmLowBattery, P4, true, dv, t)
		a.SetParam(ParamBattery, strconv.Itoa(8+r.rng.IntN(11)))
	}
	raised, err := r.desk.Raise(r.ctx, nil, a)
	if err != nil {
		return err
	}
	o, made, err := r.orders.AutoOrder(r.ctx, raised)
	if err != nil || !made {
		return err
	}
	ho.id = o.ID
	r.made++
	return r.created(ho, o)
}

// current is the order as it stands now (each person acts on what they see).
func (r *historyRun) current(ho *historyOrder) (WorkOrder, error) { return r.orders.Get(r.ctx, ho.id) }

func (r *historyRun) category(o *WorkOrder) OrderCategory {
	c, _ := r.setup.Category(o.Category)
	return *c
}

// created goes on from a new order: cancelled, passed on from the night's duty operator, or
// accepted by whom it was given to.
func (r *historyRun) created(ho *historyOrder, o WorkOrder) error {
	t := r.clock.Now()
	switch {
	case ho.cancel:
		r.at(t.Add(r.between(10*time.Minute, 40*time.Minute)), func() error {
			cur, err := r.current(ho)
			if err != nil {
				return err
			}
			if _, err = r.orders.Cancel(r.ctx, r.duty(r.clock.Now()), cur.ID, cur.Version, r.pick(r.h.Words.Cancel)); err != nil {
				return err
			}
			r.handled(ho)
			return nil
		})
	case o.Assignee != "" && r.ops[o.Assignee] != nil && !r.ops[o.Assignee].Role.Can(ActOrderWork):
		// The night rule gives fire hazards and public order to the duty operator, who sends
		// the patrolling guard and passes the order on to the grid's team.
		r.at(t.Add(r.between(3*time.Minute, 12*time.Minute)), func() error {
			cur, err := r.current(ho)
			if err != nil {
				return err
			}
			team, ok := r.setup.GridTeam(cur.Place.GridID)
			if !ok {
				return Errorf(CodeNotFound, "Grid {{.G}} has no team", "G", cur.Place.GridID)
			}
			next, err := r.orders.Assign(r.ctx, r.duty(r.clock.Now()), cur.ID, cur.Version, team.ID, "", r.pick(r.h.Words.Night))
			if err != nil {
				return err
			}
			r.handled(ho)
			return r.assigned(ho, next)
		})
	case o.State == OrderAssigned:
		return r.assigned(ho, o)
	}
	return nil
}

// taker is who accepts an order given to a team: its one member, or one of the crew.
func (r *historyRun) taker(o *WorkOrder) string {
	if o.Assignee != "" {
		return o.Assignee
	}
	t, ok := r.setup.Team(o.Team)
	if !ok || len(t.Members) == 0 {
		return ""
	}
	return t.Members[r.rng.IntN(len(t.Members))]
}

// assigned plans the acceptance: within the limit, or after it for an order late to accept.
func (r *historyRun) assigned(ho *historyOrder, o WorkOrder) error {
	c := r.category(&o)
	var t time.Time
	switch {
	case ho.recent != nil:
		if ho.recent.Accept == 0 {
			return nil
		}
		t = o.CreatedAt.Add(ho.recent.Accept.D())
	case ho.late == "accept" && !ho.reopened:
		t = o.AcceptDue.Add(time.Duration(float64(c.AcceptWithin.D()) * (0.2 + 1.3*r.rng.Float64())))
	default:
		t = o.AssignedAt.Add(time.Duration(float64(c.AcceptWithin.D()) * (0.1 + 0.65*r.rng.Float64())))
	}
	who := r.taker(&o)
	r.at(t, func() error {
		worker, err := r.op(who)
		if err != nil {
			return err
		}
		cur, err := r.current(ho)
		if err != nil {
			return err
		}
		next, err := r.orders.Accept(r.ctx, worker, cur.ID, cur.Version)
		if err != nil {
			return err
		}
		r.handled(ho)
		return r.accepted(ho, next)
	})
	return nil
}

// accepted plans the work: a note on the way for long jobs, and the proof when done.
func (r *historyRun) accepted(ho *historyOrder, o WorkOrder) error {
	c := r.category(&o)
	now := r.clock.Now()
	var done time.Time
	switch {
	case ho.recent != nil:
		if ho.recent.Progress > 0 {
			r.at(o.CreatedAt.Add(ho.recent.Progress.D()), func() error { return r.progress(ho, ho.item.Progress) })
		}
		if ho.recent.Done == 0 {
			return nil
		}
		done = o.CreatedAt.Add(ho.recent.Done.D())
	case ho.late == "done" && !ho.reopened:
		done = o.DoneDue.Add(time.Duration(float64(c.DoneWithin.D()) * (0.1 + 0.6*r.rng.Float64())))
		if c.DoneWithin.D() >= 24*time.Hour {
			done = r.daytime(done)
		}
	default:
		start := o.DoneDue.Add(-c.DoneWithin.D()) // reported, or reopened
		done = start.Add(time.Duration(float64(c.DoneWithin.D()) * (0.15 + 0.55*r.rng.Float64())))
		if c.DoneWithin.D() >= 24*time.Hour {
			done = r.daytime(done)
		}
		if !done.Before(o.DoneDue) {
			done = o.DoneDue.Add(-r.between(10*time.Minute, time.Hour))
		}
	}
	if min := now.Add(r.between(8*time.Minute, 25*time.Minute)); done.Before(min) {
		done = min
	}
	if ho.recent == nil && ho.item.Progress != "" && !ho.reopened {
		r.at(now.Add(done.Sub(now)/3), func() error { return r.progress(ho, ho.item.Progress) })
	}
	r.at(done, func() error {
		cur, err := r.current(ho)
		if err != nil {
			return err
		}
		worker, err := r.op(cur.Assignee)
		if err != nil {
			return err
		}
		var photos []string
		if p := r.photos[ho.item.Photo]; p != "" {
			photos = []string{p}
		}
		next, err := r.orders.Done(r.ctx, worker, cur.ID, cur.Version, ho.item.Done, photos)
		if err != nil {
			return err
		}
		r.handled(ho)
		return r.done(ho, next)
	})
	return nil
}

func (r *historyRun) progress(ho *historyOrder, note string) error {
	cur, err := r.current(ho)
	if err != nil {
		return err
	}
	worker, err := r.op(cur.Assignee)
	if err != nil {
		return err
	}
	_, err = r.orders.Progress(r.ctx, worker, cur.ID, cur.Version, note, nil)
	return err
}

// verifier is who verifies a done order of the category: the duty operator on shift; a
// grid worker of the neighbouring grid (a grid worker does not verify their own work); the
// property manager or the front desk.
func (r *historyRun) verifier(o *WorkOrder, t time.Time) string {
	switch r.category(o).VerifiedBy {
	case RoleGridWorker:
		return r.gridWorker[neighbourGrid[o.Place.GridID]]
	case RoleProperty:
		if o.Assignee != "sunli" && r.rng.IntN(3) == 0 {
			return "sunli"
		}
		return r.setup.PropertyManager
	}
	return r.duty(t).Username
}

// neighbourGrid is the grid whose worker checks a grid's corridors (交叉检查).
var neighbourGrid = map[string]string{"g1": "g2", "g2": "g1", "g3": "g4", "g4": "g3", "g5": "g4"}

// done plans the verification (or the reopening, once, for an order sent back).
func (r *historyRun) done(ho *historyOrder, o WorkOrder) error {
	if ho.recent != nil {
		return nil // waits for the duty operator at the first start
	}
	t := r.clock.Now().Add(r.between(10*time.Minute, 3*time.Hour))
	who := r.verifier(&o, t)
	if op, ok := r.ops[who]; ok && op.Role != RoleOperator {
		t = r.daytime(t) // the guard room verifies at any hour, the others in the morning
	}
	r.at(t, func() error {
		verifier, err := r.op(who)
		if err != nil {
			return err
		}
		cur, err := r.current(ho)
		if err != nil {
			return err
		}
		if ho.reopen && !ho.reopened {
			ho.reopened = true
			next, err := r.orders.Reopen(r.ctx, verifier, cur.ID, cur.Version, r.pick(r.h.Words.Reopen))
			if err != nil {
				return err
			}
			return r.assigned(ho, next)
		}
		next, err := r.orders.Verify(r.ctx, verifier, cur.ID, cur.Version, r.pick(r.h.Words.Verify))
		if err != nil {
			return err
		}
		return r.closed(ho, next)
	})
	return nil
}

// closed plans the resident's rating: mostly four or five stars, fewer for a late or
// reopened order.
func (r *historyRun) closed(ho *historyOrder, o WorkOrder) error {
	if o.Receipt == "" || !ho.rate {
		return nil
	}
	good := o.DoneInTime() && !ho.reopened && ho.late == ""
	var stars int
	x := r.rng.Float64()
	switch {
	case good && x < 0.65:
		stars = 5
	case good && x < 0.93:
		stars = 4
	case good:
		stars = 3
	case x < 0.1:
		stars = 1
	case x < 0.3:
		stars = 2
	case x < 0.6:
		stars = 3
	case x < 0.9:
		stars = 4
	default:
		stars = 5
	}
	comment := ""
	if r.rng.Float64() < 0.6 {
		comment = r.pick(r.h.Words.Comments[strconv.Itoa(stars)])
	}
	receipt := o.Receipt
	r.at(r.daytime(r.clock.Now().Add(r.between(time.Hour, 30*time.Hour))), func() error {
		_, err := r.orders.Rate(r.ctx, receipt, stars, comment)
		return err
	})
	return nil
}

// merge ends a duplicate as part of the order it repeats, if that is still open; otherwise
// the duplicate is dealt with on its own.
func (r *historyRun) merge(dup, of *historyOrder) error {
	cur, err := r.current(dup)
	if err != nil {
		return err
	}
	target, err := r.current(of)
	if err != nil || !target.State.Open() || of.id == 0 {
		return r.created(dup, cur)
	}
	if _, err = r.orders.Merge(r.ctx, r.duty(r.clock.Now()), cur.ID, cur.Version, target.ID, r.pick(r.h.Words.Merge)); err != nil {
		return err
	}
	r.handled(dup)
	return nil
}

// noticeOverdue has the duty operator acknowledge the overdue orders' new notices.
func (r *historyRun) noticeOverdue() {
	for _, a := range r.desk.Open() {
		if a.Kind != AlarmOrderOverdue || a.State != AlarmNew || r.noticed[a.ID] {
			continue
		}
		r.noticed[a.ID] = true
		id := a.ID
		r.at(r.clock.Now().Add(r.between(3*time.Minute, 10*time.Minute)), func() error {
			for _, a := range r.desk.Open() {
				if a.ID == id && a.State == AlarmNew { // not handled meanwhile
					_, err := r.desk.Acknowledge(r.ctx, r.duty(r.clock.Now()), id, r.pick(r.h.Words.Notice))
					return err
				}
			}
			return nil
		})
	}
}

// handled has the duty operator resolve, a few minutes later, the notices of an order that
// moved on (accepted, done).
func (r *historyRun) handled(ho *historyOrder) {
	num := strconv.FormatInt(ho.id, 10)
	r.at(r.clock.Now().Add(r.between(2*time.Minute, 8*time.Minute)), func() error {
		op := r.duty(r.clock.Now())
		for _, a := range r.desk.Open() {
			if a.Kind != AlarmOrderOverdue || a.Params[ParamOrder] != num {
				continue
			}
			if a.State == AlarmNew {
				if _, err := r.desk.Acknowledge(r.ctx, op, a.ID, r.pick(r.h.Words.Notice)); err != nil {
					return err
				}
			}
			if _, err := r.desk.Resolve(r.ctx, op, a.ID, OutcomeGenuine, r.pick(r.h.Words.NoticeDone)); err != nil {
				return err
			}
		}
		return nil
	})
}
