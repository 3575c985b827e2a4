package app

import (
	"context"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Journal kinds of work orders. Every order.* entry carries the whole order after the change
// (Data: WorkOrder); the store projects them into its table of orders.
const (
	KindOrderCreated   EntryKind = "order.created"
	KindOrderAssigned  EntryKind = "order.assigned"
	KindOrderAccepted  EntryKind = "order.accepted"
	KindOrderProgress  EntryKind = "order.progress"
	KindOrderDone      EntryKind = "order.done"
	KindOrderClosed    EntryKind = "order.closed"
	KindOrderReopened  EntryKind = "order.reopened"
	KindOrderCancelled EntryKind = "order.cancelled"
	KindOrderMerged    EntryKind = "order.merged"
	KindOrderEscalated EntryKind = "order.escalated"
	KindOrderRated     EntryKind = "order.rated"
	KindOrderLinked    EntryKind = "order.linked" // an alarm or a duplicate joined the order
	// KindNoticeDelivery is the delivery state of a message about an order posted to a team's
	// group robot. Data: NoticeDelivery.
	KindNoticeDelivery EntryKind = "notice.delivery"
)

// IsOrder reports whether entries of this kind carry a WorkOrder snapshot in Data.
func (k EntryKind) IsOrder() bool { return strings.HasPrefix(string(k), "order.") }

// OrderQuery selects orders from the store. Zero fields do not filter.
type OrderQuery struct {
	OpenOnly bool
	Since    time.Time // created at or after
	Until    time.Time // created before
	Grid     string
	Limit    int
}

// OrderStore keeps the orders (projected from their journal entries) and the set-up.
type OrderStore interface {
	WorkOrders(ctx context.Context, q OrderQuery) ([]WorkOrder, error)
	MaxOrderID(ctx context.Context) (int64, error)
	// OrderSetup returns the stored set-up; ok is false when none was ever saved.
	OrderSetup(ctx context.Context) (s OrderSetup, ok bool, err error)
	// SaveOrderSetup stores the set-up (robots' secrets sealed) and journals e in the same transaction.
	SaveOrderSetup(ctx context.Context, s OrderSetup, e Entry) (Entry, error)
}

// PhotoStore keeps the work orders' photos (JPEG, checked and resized by the phone pages).
type PhotoStore interface {
	SavePhoto(data []byte) (string, error)
	OpenPhoto(name string) ([]byte, error)
}

// OrderNotice is a message the core wants posted to a team's group robot: a new order, or an
// escalated one.
type OrderNotice struct {
	ID     string // unique: order:<id>:<seq of the entry that caused it>
	Order  WorkOrder
	Team   Team
	Event  EntryKind // order.created / order.assigned / order.escalated
	Level  int       // escalation level
	To     string    // whom it was escalated to
	Robots []GroupRobot
}

// NoticeDelivery is the delivery state of one notice on one robot (journaled).
type NoticeDelivery struct {
	Notice  string    `json:"notice"`
	Order   int64     `json:"order"`
	Team    string    `json:"team"`
	State   string    `json:"state"` // queued, sent, retrying, merged, failed
	Attempt int       `json:"attempt,omitempty"`
	Error   string    `json:"error,omitempty"`
	At      time.Time `json:"at"`
}

// RecentOrders is how long a closed order stays in memory (the board's closed column, the
// phone's recent list); older ones are read from the store.
const RecentOrders = 30 * 24 * time.Hour

// WorkOrders is the service of work orders: it dispatches, tracks and closes them.
type WorkOrders struct {
	rec      *Recorder
	store    OrderStore
	ops      OperatorStore
	inv      *Inventory
	desk     *AlarmDesk
	clock    Clock
	calendar func() *HolidayCalendar

	change sync.Mutex // one change at a time: each is computed from the order as it stands

	mu     sync.RWMutex
	orders map[int64]*WorkOrder
	setup  OrderSetup
	nextID int64
	// notices receives what is to be posted to robots (set by the composition root).
	notices func(OrderNotice)
}

// NewWorkOrders builds the service; it folds every journaled order back.
func NewWorkOrders(st OrderStore, ops OperatorStore, rec *Recorder, inv *Inventory, desk *AlarmDesk, clock Clock) *WorkOrders {
	w := &WorkOrders{rec: rec, store: st, ops: ops, inv: inv, desk: desk, clock: clock, orders: map[int64]*WorkOrder{}}
	rec.Bus.Fold(w.apply)
	rec.Bus.Fold(reloadOn("order set-up", w.loadSetup, KindOrderSetupChanged))
	return w
}

// UseCalendar reads dispatch rules' hours with the site's holiday calendar.
func (w *WorkOrders) UseCalendar(cal func() *HolidayCalendar) { w.calendar = cal }

// OnNotice sets where notices for group robots go.
func (w *WorkOrders) OnNotice(f func(OrderNotice)) {
	w.mu.Lock()
	w.notices = f
	w.mu.Unlock()
}

// Load reads the set-up and the open and recent orders.
func (w *WorkOrders) Load(ctx context.Context) error {
	if err := w.loadSetup(ctx); err != nil {
		return err
	}
	max, err := w.store.MaxOrderID(ctx)
	if err != nil {
		return err
	}
	open, err := w.store.WorkOrders(ctx, OrderQuery{OpenOnly: true})
	if err != nil {
		return err
	}
	recent, err := w.store.WorkOrders(ctx, OrderQuery{Since: w.clock.Now().Add(-RecentOrders)})
	if err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.orders = map[int64]*WorkOrder{}
	for _, list := range [][]WorkOrder{open, recent} {
		for i := range list {
			o := list[i]
			w.orders[o.ID] = &o
		}
	}
	if max >= w.nextID {
		w.nextID = max + 1
	}
	return nil
}

func (w *WorkOrders) loadSetup(ctx context.Context) error {
	s, ok, err := w.store.OrderSetup(ctx)
	if err != nil {
		return err
	}
	if !ok {
		s = OrderSetup{Categories: DefaultOrderCategories()}
	}
	w.mu.Lock()
	w.setup = s
	w.mu.Unlock()
	return nil
}

// apply folds an order entry into the service's state (this process's and others').
func (w *WorkOrders) apply(e Entry) {
	if !e.Kind.IsOrder() {
		return
	}
	var o WorkOrder
	if err := e.Decode(&o); err != nil {
		return // the store refused nothing it could not read back; a corrupt entry is reported where it is read
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.orders[o.ID] = &o
	if o.ID >= w.nextID {
		w.nextID = o.ID + 1
	}
	// Closed long ago (an import of history): not kept in memory.
	if !o.State.Open() && w.clock.Now().Sub(o.ClosedOrCreated()) > RecentOrders {
		delete(w.orders, o.ID)
	}
}

// ClosedOrCreated is when the order ended (closed, or its last step), or when it was made.
func (o *WorkOrder) ClosedOrCreated() time.Time {
	if !o.ClosedAt.IsZero() {
		return o.ClosedAt
	}
	if n := len(o.Steps); n > 0 && !o.State.Open() {
		return o.Steps[n-1].At
	}
	return o.CreatedAt
}

// Setup returns the set-up in force (robots' webhooks and secrets included: for the
// composition root and administrators; use Redacted to show it to others).
func (w *WorkOrders) Setup() OrderSetup {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return w.setup
}

// Category returns the category id of the set-up in force.
func (w *WorkOrders) Category(id string) (OrderCategory, bool) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	c, ok := w.setup.Category(id)
	if !ok {
		return OrderCategory{}, false
	}
	return *c, true
}

// Get returns an order: from memory, or from the store for an older one.
func (w *WorkOrders) Get(ctx context.Context, id int64) (WorkOrder, error) {
	w.mu.RLock()
	o, ok := w.orders[id]
	var c WorkOrder
	if ok {
		c = o.clone()
	}
	w.mu.RUnlock()
	if ok {
		return c, nil
	}
	list, err := w.store.WorkOrders(ctx, OrderQuery{})
	if err != nil {
		return WorkOrder{}, err
	}
	for _, x := range list {
		if x.ID == id {
			return x, nil
		}
	}
	return WorkOrder{}, Errorf(CodeNotFound, "There is no work order {{.ID}}", "ID", id)
}

// ByReceipt returns the order a resident's receipt number names.
func (w *WorkOrders) ByReceipt(ctx context.Context, receipt string) (WorkOrder, error) {
	receipt = strings.ToUpper(strings.TrimSpace(receipt))
	if receipt != "" {
		w.mu.RLock()
		for _, o := range w.orders {
			if o.Receipt == receipt {
				c := o.clone()
				w.mu.RUnlock()
				return c, nil
			}
		}
		w.mu.RUnlock()
		list, err := w.store.WorkOrders(ctx, OrderQuery{})
		if err != nil {
			return WorkOrder{}, err
		}
		for _, x := range list {
			if x.Receipt == receipt {
				return x, nil
			}
		}
	}
	return WorkOrder{}, Errorf(CodeNotFound, "No report has the receipt number {{.R}}", "R", receipt)
}

// List returns the orders in memory (open, and closed in the last RecentOrders), newest first.
func (w *WorkOrders) List() []WorkOrder {
	w.mu.RLock()
	out := make([]WorkOrder, 0, len(w.orders))
	for _, o := range w.orders {
		out = append(out, o.clone())
	}
	w.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	return out
}

// Open returns the open orders, newest first.
func (w *WorkOrders) Open() []WorkOrder {
	var out []WorkOrder
	for _, o := range w.List() {
		if o.State.Open() {
			out = append(out, o)
		}
	}
	return out
}

// History returns the orders created in [from, to) from the store (the assessment, exports).
func (w *WorkOrders) History(ctx context.Context, from, to time.Time) ([]WorkOrder, error) {
	return w.store.WorkOrders(ctx, OrderQuery{Since: from, Until: to})
}

// OverdueCount is how many open orders are late at the clock's now (the header's counter).
func (w *WorkOrders) OverdueCount() int {
	now := w.clock.Now()
	n := 0
	w.mu.RLock()
	for _, o := range w.orders {
		if o.Overdue(now) {
			n++
		}
	}
	w.mu.RUnlock()
	return n
}

// ForAlarm returns the orders linked to an alarm.
func (w *WorkOrders) ForAlarm(id int64) []WorkOrder {
	var out []WorkOrder
	for _, o := range w.List() {
		if slices.Contains(o.Alarms, id) {
			out = append(out, o)
		}
	}
	return out
}

// Tasks returns what a person on the phone has to do: the open orders given to them or to a
// team of theirs that nobody else has taken, and the done orders they reported (to see them
// closed), overdue first, then those not yet accepted, then the rest, newest first within each.
func (w *WorkOrders) Tasks(op *Operator) ([]WorkOrder, error) {
	if err := Authorize(op, ActOrderWork); err != nil {
		return nil, err
	}
	now := w.clock.Now()
	setup := w.Setup()
	var out []WorkOrder
	for _, o := range w.List() {
		if !o.State.Open() {
			continue
		}
		if w.givenTo(&setup, &o, op.Username) || (o.State == OrderDone && o.Reporter.By == op.Username) {
			out = append(out, o)
		}
	}
	rank := func(o *WorkOrder) int {
		switch {
		case o.Overdue(now):
			return 0
		case o.State == OrderAssigned || o.State == OrderNew:
			return 1
		}
		return 2
	}
	sort.SliceStable(out, func(i, j int) bool { return rank(&out[i]) < rank(&out[j]) })
	return out, nil
}

// givenTo reports whether the order is the person's to work on: assigned to them, or to a
// team of theirs and not taken by someone else.
func (w *WorkOrders) givenTo(setup *OrderSetup, o *WorkOrder, user string) bool {
	if o.Assignee != "" {
		return o.Assignee == user
	}
	if t, ok := setup.Team(o.Team); ok {
		return slices.Contains(t.Members, user)
	}
	return false
}

// View returns an order to whom may read it: staff who see orders; on the phone, the people
// it is given to, its reporter, and the verifiers of its category once it is done.
func (w *WorkOrders) View(ctx context.Context, op *Operator, id int64) (WorkOrder, error) {
	if err := Authorize(op, ActOrderView); err != nil {
		return WorkOrder{}, err
	}
	o, err := w.Get(ctx, id)
	if err != nil {
		return WorkOrder{}, err
	}
	if !w.mayView(op, &o) {
		return WorkOrder{}, Errorf(CodeForbidden, "Order {{.N}} is not one of yours", "N", o.Number())
	}
	return o, nil
}

func (w *WorkOrders) mayView(op *Operator, o *WorkOrder) bool {
	if !op.Role.PhoneRole() || op.Role.Can(ActOrderDispatch) {
		return true
	}
	setup := w.Setup()
	if w.givenTo(&setup, o, op.Username) || o.Reporter.By == op.Username || o.Assignee == op.Username {
		return true
	}
	// The team's members, and the grid's team, see the team's and the grid's orders.
	if t, ok := setup.Team(o.Team); ok && slices.Contains(t.Members, op.Username) {
		return true
	}
	if t, ok := setup.GridTeam(o.Place.GridID); ok && slices.Contains(t.Members, op.Username) {
		return true
	}
	for _, st := range o.Steps { // whoever worked on it before a reassignment
		if st.By == op.Username {
			return true
		}
	}
	c, ok := setup.Category(o.Category)
	return ok && c.VerifiedBy == op.Role && o.State == OrderDone
}

func (o *WorkOrder) clone() WorkOrder {
	c := *o
	c.Photos = slices.Clone(o.Photos)
	c.ProofPhotos = slices.Clone(o.ProofPhotos)
	c.Escalations = slices.Clone(o.Escalations)
	c.Alarms = slices.Clone(o.Alarms)
	c.Steps = slices.Clone(o.Steps)
	if o.Rating != nil {
		r := *o.Rating
		c.Rating = &r
	}
	if o.Place.Position != nil {
		p := *o.Place.Position
		c.Place.Position = &p
	}
	return c
}

// users returns the enabled accounts' roles by user name.
func (w *WorkOrders) users(ctx context.Context) (map[string]Role, error) {
	ops, err := w.ops.Operators(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]Role{}
	for _, o := range ops {
		if !o.Disabled {
			out[o.Username] = o.Role
		}
	}
	return out, nil
}

// SaveSetup replaces the categories, teams and rules (administrators). A rule that cannot
// match anything is refused with the reason; nothing is stored then.
func (w *WorkOrders) SaveSetup(ctx context.Context, actor *Operator, s OrderSetup) error {
	if err := Authorize(actor, ActOrderSetup); err != nil {
		return err
	}
	users, err := w.users(ctx)
	if err != nil {
		return err
	}
	if err := s.Validate(w.inv.Site(), users); err != nil {
		return err
	}
	w.change.Lock()
	defer w.change.Unlock()
	e, err := w.store.SaveOrderSetup(ctx, s, NewEntry(KindOrderSetupChanged, "orders:setup", actor.Username, s.Redacted()))
	if err != nil {
		return err
	}
	w.rec.Published(e)
	return nil
}
