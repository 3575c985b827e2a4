package app

import (
	"context"
	"crypto/rand"
	"slices"
	"strings"
	"time"
)

// OrderRequest is a new order as somebody reports it.
type OrderRequest struct {
	Category string     `json:"category"`
	Priority Priority   `json:"priority,omitempty"` // zero: the category's
	Text     string     `json:"text"`
	Photos   []string   `json:"photos,omitempty"`
	Place    OrderPlace `json:"place"`
	Via      OrderSource
	// The caller or resident who reported it (a phoned-in report, the resident page).
	ReporterName  string
	ReporterPhone string
	Alarms        []int64 // alarms it is made from
	AutoKey       string  // a cause that gets one open order (device faults, supplies)
	By            string  // what reported it when not a person: alarm:N, device:ID
}

// Report makes a new order from a person with an account: an operator at the console, a
// phoned-in report logged at the desk, a grid worker on the phone. The dispatch rules assign
// it at once when one matches.
func (w *WorkOrders) Report(ctx context.Context, actor *Operator, r OrderRequest) (WorkOrder, error) {
	if err := Authorize(actor, ActOrderReport); err != nil {
		return WorkOrder{}, err
	}
	switch r.Via {
	case "":
		r.Via = FromConsole
		if actor.Role.PhoneRole() {
			r.Via = FromPhone
		}
	case FromConsole, FromPhone, FromIntake, FromInspection:
	default:
		return WorkOrder{}, Errorf(CodeInvalid, "A person cannot report an order as coming from {{.Via}}", "Via", r.Via)
	}
	rep := Reporter{Via: r.Via, By: actor.Username}
	if r.Via == FromIntake { // the caller is a member of the public
		rep.Name, rep.Phone = strings.TrimSpace(r.ReporterName), strings.TrimSpace(r.ReporterPhone)
	}
	return w.create(ctx, actor.Username, r, rep)
}

// ReportAsResident makes an order from a resident's report on the QR page (no account). It
// gets a receipt number to follow it with.
func (w *WorkOrders) ReportAsResident(ctx context.Context, r OrderRequest) (WorkOrder, error) {
	r.Via = FromResident
	r.AutoKey, r.Alarms, r.By = "", nil, ""
	if r.ReporterPhone != "" && !validPhone(strings.TrimSpace(r.ReporterPhone)) {
		return WorkOrder{}, Errorf(CodeInvalid, "{{.Phone}} is not a phone number", "Phone", r.ReporterPhone).On("phone")
	}
	rep := Reporter{Via: FromResident, Name: strings.TrimSpace(r.ReporterName), Phone: strings.TrimSpace(r.ReporterPhone)}
	return w.create(ctx, ResidentActor, r, rep)
}

// FromAlarm dispatches an alarm on the desk as a work order: the order names the alarm, and
// the alarm is marked dispatched to the order (linked both ways).
func (w *WorkOrders) FromAlarm(ctx context.Context, actor *Operator, alarmID int64, category, note string) (WorkOrder, error) {
	// All that it does is checked first: nothing is written when one step would be refused.
	if err := Authorize(actor, ActOrderDispatch); err != nil {
		return WorkOrder{}, err
	}
	if err := Authorize(actor, ActAckAlarm); err != nil {
		return WorkOrder{}, err
	}
	if err := Authorize(actor, ActDispatchAlarm); err != nil {
		return WorkOrder{}, err
	}
	a, err := w.desk.Get(ctx, alarmID)
	if err != nil {
		return WorkOrder{}, err
	}
	pl := OrderPlace{Building: a.Building, GridID: a.GridID, Position: a.Position}
	if pl.Empty() && a.DeviceID != "" {
		if d, ok := w.inv.Site().Device(a.DeviceID); ok {
			pl.Building, pl.Unit, pl.GridID, pl.Position = d.BuildingID, d.Unit, d.GridID, &Point{X: d.Position.X, Y: d.Position.Y}
		}
	}
	text := strings.TrimSpace(note)
	if text == "" {
		text = AlarmKindLabel(a.Kind)
	}
	o, err := w.create(ctx, actor.Username, OrderRequest{Category: category, Text: text, Place: pl, Alarms: []int64{a.ID}},
		Reporter{Via: FromAlarm, By: SubjectAlarm(a.ID)})
	if err != nil {
		return WorkOrder{}, err
	}
	if a.State == AlarmNew {
		if _, err := w.desk.Acknowledge(ctx, actor, a.ID, ""); err != nil {
			return o, err
		}
		a.State = AlarmAcknowledged
	}
	if a.State == AlarmAcknowledged {
		if _, err := w.desk.Dispatch(ctx, actor, a.ID, o.Subject(), note); err != nil {
			return o, err
		}
	}
	return o, nil
}

// create checks and stores a new order, dispatched by the rules.
func (w *WorkOrders) create(ctx context.Context, by string, r OrderRequest, rep Reporter) (WorkOrder, error) {
	site := w.inv.Site()
	setup := w.Setup()
	cat, ok := setup.Category(r.Category)
	var p Problems
	if !ok {
		p.Add("category", "Choose a category")
	}
	if r.Priority != 0 && !r.Priority.Valid() {
		p.Add("priority", "Priority must be P1 to P4")
	}
	checkOrderText(&p, "text", r.Text, len(r.Photos) == 0)
	checkOrderPhotos(&p, "photos", r.Photos)
	checkPlace(&p, site, r.Place)
	if utf8Len(rep.Name) > 50 {
		p.Add("name", "A name has at most 50 characters")
	}
	if err := p.Err(); err != nil {
		return WorkOrder{}, err
	}
	w.change.Lock()
	defer w.change.Unlock()
	if r.AutoKey != "" {
		for _, o := range w.List() {
			if o.AutoKey == r.AutoKey && o.State.Open() {
				return o, Errorf(CodeUnchanged, "Order {{.N}} is open for this already", "N", o.Number())
			}
		}
	}
	now := w.clock.Now()
	w.mu.Lock()
	id := w.nextID
	if id == 0 {
		id = 1
	}
	w.nextID = id + 1
	w.mu.Unlock()

	o := WorkOrder{ID: id, Version: 1, Category: cat.ID, Priority: cat.Priority, State: OrderNew, Text: strings.TrimSpace(r.Text),
		Photos: r.Photos, Place: r.Place, Reporter: rep, AutoKey: r.AutoKey, Alarms: r.Alarms, CreatedAt: now,
		AcceptDue: now.Add(cat.AcceptWithin.D()), DoneDue: now.Add(cat.DoneWithin.D())}
	if r.Priority != 0 {
		o.Priority = r.Priority
	}
	if r.By != "" {
		o.Reporter.By = r.By
	}
	placeGrid(site, &o.Place)
	if rep.Name != "" || rep.Phone != "" {
		o.Reporter.Key = o.Subject() // the store seals the reporter's name and phone under it
	}
	if rep.Via == FromResident {
		o.Receipt = newReceipt(id)
	}
	o.Steps = []OrderStep{{At: now, By: by, Kind: KindOrderCreated, Note: o.Text, Photos: o.Photos, State: OrderNew}}
	var cal *HolidayCalendar
	if w.calendar != nil {
		cal = w.calendar()
	}
	if team, person, rule := setup.match(cat.ID, o.Place, now, site.Location(), cal); team != "" || person != "" {
		o.assign(now, SystemActor, team, person, rule)
	}
	if _, err := w.rec.Record(ctx, NewEntry(KindOrderCreated, o.Subject(), by, o)); err != nil {
		w.mu.Lock()
		if w.nextID == id+1 {
			w.nextID = id // nothing was stored: the number is free again
		}
		w.mu.Unlock()
		return WorkOrder{}, err
	}
	w.notify(&setup, o, KindOrderCreated, 0, "")
	return o, nil
}

// assign gives the order to a team or a person and starts its acceptance clock.
func (o *WorkOrder) assign(now time.Time, by, team, person, rule string) {
	o.Team, o.Assignee, o.Rule = team, person, rule
	o.State = OrderAssigned
	o.AssignedAt = now
	o.AcceptedAt = time.Time{}
	to := person
	if to == "" {
		to = "team:" + team
	}
	note := ""
	if rule != "" {
		note = "rule:" + rule
	}
	o.Steps = append(o.Steps, OrderStep{At: now, By: by, Kind: KindOrderAssigned, To: to, Note: note, State: OrderAssigned})
}

// Receipts are made of letters and digits that cannot be mistaken for each other.
const receiptAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// newReceipt returns a receipt number: the order's number and six random characters, so that
// nobody can follow another person's report by counting.
func newReceipt(id int64) string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		panic("app: no randomness: " + err.Error())
	}
	for i := range b {
		b[i] = receiptAlphabet[int(b[i])%len(receiptAlphabet)]
	}
	return strings.TrimPrefix(SubjectOrder(id), "order:") + "-" + string(b)
}

func utf8Len(s string) int { return len([]rune(s)) }

// mutate applies one change to an order: f changes a copy of the order as it stands, which
// must still be at version (a change made on what somebody saw before another change is
// refused, so nothing is lost); the result is journaled with a step of the timeline. version
// < 0: the system's own change, not checked.
func (w *WorkOrders) mutate(ctx context.Context, by string, id int64, version int, kind EntryKind, step OrderStep, f func(o *WorkOrder) error, more ...func(now time.Time) (Entry, error)) (WorkOrder, error) {
	w.change.Lock()
	defer w.change.Unlock()
	cur, err := w.Get(ctx, id)
	if err != nil {
		return WorkOrder{}, err
	}
	if version >= 0 && cur.Version != version {
		last := cur.Steps[len(cur.Steps)-1]
		return cur, Errorf(CodeConflict, "Order {{.N}} was changed meanwhile ({{.What}} by {{.Who}}): look at it again", "N", cur.Number(),
			"What", OrderStepLabel(last.Kind), "Who", last.By)
	}
	if len(cur.Steps) >= MaxOrderSteps {
		return cur, Errorf(CodeConflict, "Order {{.N}} has reached {{.Max}} steps: open a new order", "N", cur.Number(), "Max", MaxOrderSteps)
	}
	now := w.clock.Now()
	next := cur.clone()
	if err := f(&next); err != nil {
		return cur, err
	}
	next.Version++
	step.At, step.By, step.Kind, step.State = now, by, kind, next.State
	next.Steps = append(next.Steps, step)
	entries := []Entry{NewEntry(kind, next.Subject(), by, next)}
	for _, m := range more {
		e, err := m(now)
		if err != nil {
			return cur, err
		}
		entries = append(entries, e)
	}
	if _, err := w.rec.Record(ctx, entries...); err != nil {
		return cur, err
	}
	return next, nil
}

// OrderStepLabel is the English name of a step of an order's timeline (the translation key).
func OrderStepLabel(k EntryKind) string {
	switch k {
	case KindOrderCreated:
		return "reported"
	case KindOrderAssigned:
		return "assigned"
	case KindOrderAccepted:
		return "accepted"
	case KindOrderProgress:
		return "progress"
	case KindOrderDone:
		return "done"
	case KindOrderClosed:
		return "verified and closed"
	case KindOrderReopened:
		return "reopened"
	case KindOrderCancelled:
		return "cancelled"
	case KindOrderMerged:
		return "merged as a duplicate"
	case KindOrderEscalated:
		return "escalated"
	case KindOrderRated:
		return "rated"
	case KindOrderLinked:
		return "linked"
	case KindOrderImported:
		return "imported from the old records"
	}
	return string(k)
}

func wrongState(o *WorkOrder, what string) error {
	return Errorf(CodeConflict, "Order {{.N}} is {{.State}}: it cannot be {{.What}}", "N", o.Number(), "State", o.State.Label(), "What", what)
}

// Assign gives an order to a team or a person (dispatchers), or to another one.
func (w *WorkOrders) Assign(ctx context.Context, actor *Operator, id int64, version int, team, person, note string) (WorkOrder, error) {
	if err := Authorize(actor, ActOrderDispatch); err != nil {
		return WorkOrder{}, err
	}
	setup := w.Setup()
	if (team == "") == (person == "") {
		return WorkOrder{}, Errorf(CodeInvalid, "Give the order to one team or one person").On("to")
	}
	if team != "" {
		if _, ok := setup.Team(team); !ok {
			return WorkOrder{}, Errorf(CodeInvalid, "There is no team {{.ID}}", "ID", team).On("to")
		}
	} else {
		op, _, err := w.ops.Operator(ctx, person)
		if err != nil || op.Disabled || !op.Role.Can(ActOrderWork) {
			return WorkOrder{}, Errorf(CodeInvalid, "{{.U}} cannot take work orders", "U", person).On("to")
		}
	}
	o, err := w.mutate(ctx, actor.Username, id, version, KindOrderAssigned, OrderStep{Note: note, To: assignedTo(team, person)}, func(o *WorkOrder) error {
		if !o.State.Open() || o.State == OrderDone {
			return wrongState(o, "assigned")
		}
		cat, _ := setup.Category(o.Category)
		now := w.clock.Now()
		o.Team, o.Assignee, o.Rule = team, person, ""
		o.State, o.AssignedAt, o.AcceptedAt = OrderAssigned, now, time.Time{}
		if cat != nil {
			o.AcceptDue = now.Add(cat.AcceptWithin.D())
		}
		o.clearLevels()
		return nil
	})
	if err == nil {
		w.notify(&setup, o, KindOrderAssigned, 0, "")
	}
	return o, err
}

func assignedTo(team, person string) string {
	if person != "" {
		return person
	}
	return "team:" + team
}

// clearLevels forgets escalations of the stages a new assignment or a reopening restarts.
func (o *WorkOrder) clearLevels() {
	var kept []Escalation
	for _, e := range o.Escalations {
		if e.Stage == StageDone {
			kept = append(kept, e) // the time limit runs from the report: escalations of it stand
		}
	}
	o.Escalations = kept
}

// Accept takes an order given to oneself or one's team: the first member to accept takes it.
func (w *WorkOrders) Accept(ctx context.Context, actor *Operator, id int64, version int) (WorkOrder, error) {
	if err := Authorize(actor, ActOrderWork); err != nil {
		return WorkOrder{}, err
	}
	setup := w.Setup()
	return w.mutate(ctx, actor.Username, id, version, KindOrderAccepted, OrderStep{}, func(o *WorkOrder) error {
		if o.State != OrderAssigned {
			return wrongState(o, "accepted")
		}
		if !w.givenTo(&setup, o, actor.Username) {
			return Errorf(CodeForbidden, "Order {{.N}} is not given to you", "N", o.Number())
		}
		o.Assignee, o.State, o.AcceptedAt = actor.Username, OrderAccepted, w.clock.Now()
		return nil
	})
}

// Progress adds what was done so far, with photos.
func (w *WorkOrders) Progress(ctx context.Context, actor *Operator, id int64, version int, note string, photos []string) (WorkOrder, error) {
	if err := Authorize(actor, ActOrderWork); err != nil {
		return WorkOrder{}, err
	}
	var p Problems
	checkOrderText(&p, "note", note, len(photos) == 0)
	checkOrderPhotos(&p, "photos", photos)
	if err := p.Err(); err != nil {
		return WorkOrder{}, err
	}
	return w.mutate(ctx, actor.Username, id, version, KindOrderProgress, OrderStep{Note: strings.TrimSpace(note), Photos: photos}, func(o *WorkOrder) error {
		if o.State != OrderAccepted && o.State != OrderInProgress {
			return wrongState(o, "worked on")
		}
		if o.Assignee != actor.Username {
			return Errorf(CodeForbidden, "Order {{.N}} is not given to you", "N", o.Number())
		}
		o.State = OrderInProgress
		return nil
	})
}

// Done marks the order fixed with proof: a note, and photos when the category asks for them.
func (w *WorkOrders) Done(ctx context.Context, actor *Operator, id int64, version int, note string, photos []string) (WorkOrder, error) {
	if err := Authorize(actor, ActOrderWork); err != nil {
		return WorkOrder{}, err
	}
	var p Problems
	checkOrderText(&p, "note", note, true)
	checkOrderPhotos(&p, "photos", photos)
	if err := p.Err(); err != nil {
		return WorkOrder{}, err
	}
	setup := w.Setup()
	return w.mutate(ctx, actor.Username, id, version, KindOrderDone, OrderStep{Note: strings.TrimSpace(note), Photos: photos}, func(o *WorkOrder) error {
		switch o.State {
		case OrderAccepted, OrderInProgress:
			if o.Assignee != actor.Username {
				return Errorf(CodeForbidden, "Order {{.N}} is not given to you", "N", o.Number())
			}
		case OrderAssigned: // done at once: accepting is implied
			if !w.givenTo(&setup, o, actor.Username) {
				return Errorf(CodeForbidden, "Order {{.N}} is not given to you", "N", o.Number())
			}
			o.Assignee, o.AcceptedAt = actor.Username, w.clock.Now()
		default:
			return wrongState(o, "marked done")
		}
		if c, ok := setup.Category(o.Category); ok && c.PhotoRequired && len(photos) == 0 {
			return Errorf(CodeInvalid, "A {{.Cat}} order needs a photo of the result", "Cat", c.Name).On("photos")
		}
		o.State, o.DoneAt, o.ProofNote, o.ProofPhotos = OrderDone, w.clock.Now(), strings.TrimSpace(note), photos
		return nil
	})
}

// mayVerify checks that the actor (allowed to verify orders) verifies orders of this
// category: its verifying role (the guard room's roles for the duty operator's categories),
// or an administrator, and not the person who did the work.
func (w *WorkOrders) mayVerify(actor *Operator, o *WorkOrder) error {
	if actor.Role == RoleAdmin {
		return nil
	}
	c, ok := w.Category(o.Category)
	if !ok {
		return Errorf(CodeConflict, "Order {{.N}} has an unknown category", "N", o.Number())
	}
	role := actor.Role
	if role == RoleCommander {
		role = RoleOperator // the commander verifies what the guard room does
	}
	if role != c.VerifiedBy {
		return Errorf(CodeForbidden, "{{.Cat}} orders are verified by {{.Role}}", "Cat", c.Name, "Role", c.VerifiedBy.Label())
	}
	if o.Assignee == actor.Username {
		return Errorf(CodeForbidden, "Somebody else verifies your own work")
	}
	return nil
}

// Verify closes a done order.
func (w *WorkOrders) Verify(ctx context.Context, actor *Operator, id int64, version int, note string) (WorkOrder, error) {
	if err := Authorize(actor, ActOrderVerify); err != nil {
		return WorkOrder{}, err
	}
	return w.mutate(ctx, actor.Username, id, version, KindOrderClosed, OrderStep{Note: strings.TrimSpace(note)}, func(o *WorkOrder) error {
		if err := w.mayVerify(actor, o); err != nil {
			return err
		}
		if o.State != OrderDone {
			return wrongState(o, "verified")
		}
		o.State, o.ClosedAt = OrderClosed, w.clock.Now()
		return nil
	})
}

// Reopen sends a done or closed order back to work, with the reason.
func (w *WorkOrders) Reopen(ctx context.Context, actor *Operator, id int64, version int, reason string) (WorkOrder, error) {
	if err := Authorize(actor, ActOrderVerify); err != nil {
		return WorkOrder{}, err
	}
	var p Problems
	checkOrderText(&p, "reason", reason, true)
	if err := p.Err(); err != nil {
		return WorkOrder{}, err
	}
	return w.mutate(ctx, actor.Username, id, version, KindOrderReopened, OrderStep{Note: strings.TrimSpace(reason)}, func(o *WorkOrder) error {
		if err := w.mayVerify(actor, o); err != nil {
			return err
		}
		if o.State != OrderDone && o.State != OrderClosed {
			return wrongState(o, "reopened")
		}
		now := w.clock.Now()
		c, _ := w.Category(o.Category)
		o.State, o.Reopened = OrderAssigned, o.Reopened+1
		o.AssignedAt, o.DoneAt, o.ClosedAt = now, time.Time{}, time.Time{}
		o.AcceptDue, o.DoneDue = now.Add(c.AcceptWithin.D()), now.Add(c.DoneWithin.D())
		o.AcceptedAt = time.Time{}
		o.Escalations = nil
		return nil
	})
}

// Cancel ends an order that is not to be done, with the reason.
func (w *WorkOrders) Cancel(ctx context.Context, actor *Operator, id int64, version int, reason string) (WorkOrder, error) {
	if err := Authorize(actor, ActOrderDispatch); err != nil {
		return WorkOrder{}, err
	}
	var p Problems
	checkOrderText(&p, "reason", reason, true)
	if err := p.Err(); err != nil {
		return WorkOrder{}, err
	}
	return w.mutate(ctx, actor.Username, id, version, KindOrderCancelled, OrderStep{Note: strings.TrimSpace(reason)}, func(o *WorkOrder) error {
		if !o.State.Open() {
			return wrongState(o, "cancelled")
		}
		o.State, o.ClosedAt = OrderCancelled, w.clock.Now()
		return nil
	})
}

// Merge ends an order as a duplicate of another; the other gets its alarms and photos and a
// step in its timeline.
func (w *WorkOrders) Merge(ctx context.Context, actor *Operator, id int64, version int, into int64, reason string) (WorkOrder, error) {
	if err := Authorize(actor, ActOrderDispatch); err != nil {
		return WorkOrder{}, err
	}
	if into == id {
		return WorkOrder{}, Errorf(CodeInvalid, "An order cannot be a duplicate of itself").On("into")
	}
	target, err := w.Get(ctx, into)
	if err != nil {
		return WorkOrder{}, err
	}
	if !target.State.Open() {
		return WorkOrder{}, wrongState(&target, "merged into")
	}
	var merged WorkOrder
	return w.mutate(ctx, actor.Username, id, version, KindOrderMerged, OrderStep{Note: strings.TrimSpace(reason), To: target.Subject()}, func(o *WorkOrder) error {
		if !o.State.Open() {
			return wrongState(o, "merged")
		}
		o.State, o.MergedInto, o.ClosedAt = OrderMerged, into, w.clock.Now()
		merged = *o
		return nil
	}, func(now time.Time) (Entry, error) {
		t := target.clone()
		t.Version++
		for _, a := range merged.Alarms {
			if !slices.Contains(t.Alarms, a) {
				t.Alarms = append(t.Alarms, a)
			}
		}
		t.Steps = append(t.Steps, OrderStep{At: now, By: actor.Username, Kind: KindOrderLinked, To: merged.Subject(), Note: merged.Text,
			Photos: merged.Photos, State: t.State})
		return NewEntry(KindOrderLinked, t.Subject(), actor.Username, t), nil
	})
}

// Rate records the reporter's verdict on a closed order (满意度), from the receipt page.
func (w *WorkOrders) Rate(ctx context.Context, receipt string, stars int, comment string) (WorkOrder, error) {
	o, err := w.ByReceipt(ctx, receipt)
	if err != nil {
		return WorkOrder{}, err
	}
	var p Problems
	if stars < 1 || stars > 5 {
		p.Add("stars", "Choose one to five stars")
	}
	checkOrderText(&p, "comment", comment, false)
	if err := p.Err(); err != nil {
		return WorkOrder{}, err
	}
	return w.mutate(ctx, ResidentActor, o.ID, -1, KindOrderRated, OrderStep{Note: strings.TrimSpace(comment)}, func(o *WorkOrder) error {
		if o.State != OrderClosed {
			return Errorf(CodeConflict, "Your report can be rated once it is closed")
		}
		if o.Rating != nil {
			return Errorf(CodeConflict, "Your report is rated already: thank you")
		}
		o.Rating = &Rating{Stars: stars, Comment: strings.TrimSpace(comment), At: w.clock.Now()}
		return nil
	})
}

// notify hands a notice about o to the robots of the team it concerns.
func (w *WorkOrders) notify(setup *OrderSetup, o WorkOrder, ev EntryKind, level int, to string) {
	w.mu.RLock()
	f := w.notices
	w.mu.RUnlock()
	if f == nil {
		return
	}
	teams := []string{o.Team}
	if ev == KindOrderEscalated {
		if gt, ok := setup.GridTeam(o.Place.GridID); ok && gt.ID != o.Team {
			teams = append(teams, gt.ID)
		}
	}
	for _, id := range teams {
		t, ok := setup.Team(id)
		if !ok || t.Robot == nil {
			continue
		}
		f(OrderNotice{ID: o.Subject() + ":" + string(ev) + ":" + itoa(o.Version) + ":" + t.ID, Order: o, Team: *t, Event: ev,
			Level: level, To: to, Robots: []GroupRobot{*t.Robot}})
	}
}

func itoa(n int) string { return strings.TrimPrefix(SubjectOrder(int64(n)), "order:") }

// NoteDelivery journals the delivery state of a notice (the robots' poster reports it).
func (w *WorkOrders) NoteDelivery(ctx context.Context, d NoticeDelivery) error {
	if d.At.IsZero() {
		d.At = w.clock.Now()
	}
	_, err := w.rec.Record(ctx, NewEntry(KindNoticeDelivery, SubjectOrder(d.Order), SystemActor, d))
	return err
}
