package app

import (
	"container/heap"
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// SeedOrderHistory plays the demo's past weeks of work orders (OrderHistory) through the
// core's own services, as the people concerned: residents report on the QR page, grid workers
// on their rounds, the duty operator logs calls and passes night orders on, the teams accept
// and finish them with proof, verifiers close or reopen them, the watch escalates the late
// ones (with their notices on the desk, which the duty operator handles), device faults
// become orders, residents rate. Each step runs at its own moment on a clock the script moves,
// so every journal entry carries the time it happened; the same script gives the same
// history relative to the first start (only residents' receipt numbers, random by design,
// differ).
//
// The services it plays on are its own (a bus, an alarm desk and work orders of the script's
// clock) over a journal kept in memory; once the whole history is played, its entries are
// written through the core's recorder in one transaction, with the sequence numbers they
// were given (alarms are named by them). So the first start pays one write, not one a step,
// and a history that fails halfway writes nothing. It runs before the core's services load
// and before anything else writes: nothing may take those numbers meanwhile. It returns how
// many orders it made.
func SeedOrderHistory(ctx context.Context, d HistoryDeps, h OrderHistory) (int, error) {
	base, err := d.Store.LastSeq(ctx)
	if err != nil {
		return 0, err
	}
	site := d.Inventory.Site()
	if site == nil {
		return 0, Errorf(CodeInvalid, "The demo's order history needs the site")
	}
	clock := &scriptClock{}
	mem := &memoryJournal{next: base + 1, clock: clock}
	rec := NewRecorder(mem, NewBus())
	desk := NewAlarmDesk(rec, d.Store, clock)
	orders := NewWorkOrders(d.Store, d.Store, rec, d.Inventory, desk, clock)
	if err := orders.Load(ctx); err != nil {
		return 0, err
	}
	r, err := newHistoryRun(ctx, d, &h, site, clock, orders, desk)
	if err != nil {
		return 0, err
	}
	if err := r.play(); err != nil {
		return 0, err
	}
	if len(mem.entries) == 0 {
		return 0, nil
	}
	if last, err := d.Store.LastSeq(ctx); err != nil {
		return 0, err
	} else if last != base {
		return 0, Errorf(CodeConflict, "The journal was written while the demo's order history was played: it is left out")
	}
	out, err := d.Recorder.Record(ctx, mem.entries...)
	if err != nil {
		return 0, err
	}
	for i := range out {
		if out[i].Seq != mem.entries[i].Seq {
			return r.made, Errorf(CodeCorrupt, "The demo's order history was written out of sequence at entry {{.Seq}}", "Seq", out[i].Seq)
		}
	}
	return r.made, nil
}

// HistoryDeps are what the history is played on and written to.
type HistoryDeps struct {
	Store     HistoryStore // the accounts, the set-up, where the journal stands
	Recorder  *Recorder    // the core's: the whole history is written through it at once
	Inventory *Inventory
	Photos    PhotoStore // the proof photos are stored here
	Setup     OrderSetup // the set-up in force (stored already)
	Now       time.Time  // the first start: the history ends here
}

// HistoryStore is what the history reads from the store.
type HistoryStore interface {
	Journal
	OrderStore
	OperatorStore
	AlarmStore
}

// scriptClock is the history's clock: it stands where the script put it.
type scriptClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *scriptClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *scriptClock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// memoryJournal keeps the history's entries until they are written: it numbers them from
// where the real journal stands, as the store would, and stamps them with the script's clock.
type memoryJournal struct {
	mu      sync.Mutex
	next    int64
	clock   Clock
	entries []Entry
}

func (j *memoryJournal) Append(_ context.Context, entries ...Entry) ([]Entry, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]Entry, len(entries))
	for i, e := range entries {
		e.Seq = j.next
		j.next++
		if e.Time.IsZero() {
			e.Time = j.clock.Now()
		}
		e.Time = e.Time.UTC()
		if e.Kind == KindAlarmRaised {
			e.Subject = SubjectAlarm(e.Seq) // as the store names an alarm by its entry
		}
		out[i] = e
	}
	j.entries = append(j.entries, out...)
	return out, nil
}

func (j *memoryJournal) Query(context.Context, JournalQuery) ([]Entry, error) {
	return nil, Errorf(CodeUnavailable, "The demo's order history is not written yet")
}

func (j *memoryJournal) LastSeq(context.Context) (int64, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.next - 1, nil
}

// step is one thing somebody does at a moment of the history.
type step struct {
	at  time.Time
	seq int // ties keep the order they were planned in
	do  func() error
}

type steps []*step

func (s steps) Len() int { return len(s) }
func (s steps) Less(i, j int) bool {
	if !s[i].at.Equal(s[j].at) {
		return s[i].at.Before(s[j].at)
	}
	return s[i].seq < s[j].seq
}
func (s steps) Swap(i, j int) { s[i], s[j] = s[j], s[i] }
func (s *steps) Push(x any)   { *s = append(*s, x.(*step)) }
func (s *steps) Pop() any {
	old := *s
	x := old[len(old)-1]
	*s = old[:len(old)-1]
	return x
}

// historyRun is one playing of the script.
type historyRun struct {
	ctx    context.Context
	h      *OrderHistory
	now    time.Time
	loc    *time.Location
	site   *Site
	setup  OrderSetup
	rng    *rand.Rand
	clock  *scriptClock
	orders *WorkOrders
	desk   *AlarmDesk

	ops    map[string]*Operator
	photos map[string]string // an item's photo → its stored name
	queue  steps
	seq    int
	made   int

	items, nightItems []*HistoryItem
	buildings         []*Building             // residential, where corridor reports come from
	roads             map[string][]*Device    // by grid: streetlights and manholes name the roads
	elders            []*Device               // bracelets of residents living alone
	faulty            map[string][]*Device    // streetlight, battery: the devices that can fail so
	gridWorker        map[string]string       // grid → its worker's user name
	noticed           map[int64]bool          // overdue notices the duty operator was given
	planned           map[string]*HistoryItem // fault work by Where
}

// historyOrder is what the script decided about one order.
type historyOrder struct {
	id       int64
	item     *HistoryItem
	via      string
	late     string // "", "accept" or "done": which limit it misses
	reopen   bool   // sent back once at verification
	cancel   bool
	rate     bool
	dup      *historyOrder // merged into this one, when still open
	reopened bool
	recent   *RecentOrder
}

func newHistoryRun(ctx context.Context, d HistoryDeps, h *OrderHistory, site *Site, clock *scriptClock, orders *WorkOrders, desk *AlarmDesk) (*historyRun, error) {
	r := &historyRun{ctx: ctx, h: h, now: d.Now, loc: site.Location(), site: site, setup: d.Setup, clock: clock, orders: orders, desk: desk,
		rng: rand.New(rand.NewPCG(h.Seed, 0x5eed)), ops: map[string]*Operator{}, photos: map[string]string{},
		roads: map[string][]*Device{}, faulty: map[string][]*Device{}, gridWorker: map[string]string{}, noticed: map[int64]bool{},
		planned: map[string]*HistoryItem{}}
	ops, err := d.Store.Operators(ctx)
	if err != nil {
		return nil, err
	}
	for i := range ops {
		r.ops[ops[i].Username] = &ops[i]
	}
	for _, name := range []string{"duty", "duty2"} {
		if _, ok := r.ops[name]; !ok {
			return nil, Errorf(CodeNotFound, "The demo's order history needs the account {{.U}}", "U", name)
		}
	}
	names := make([]string, 0, len(h.Photos))
	for name := range h.Photos {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		stored, err := d.Photos.SavePhoto(h.Photos[name])
		if err != nil {
			return nil, err
		}
		r.photos[name] = stored
	}
	for i := range h.Items {
		it := &h.Items[i]
		if _, ok := d.Setup.Category(it.Category); !ok {
			return nil, Errorf(CodeInvalid, "The demo's order history names an unknown category {{.C}}", "C", it.Category)
		}
		if it.Photo != "" && r.photos[it.Photo] == "" {
			return nil, Errorf(CodeInvalid, "The demo's order history names a photo {{.P}} it does not have", "P", it.Photo)
		}
		for w := max(it.Weight, 1); w > 0; w-- {
			r.items = append(r.items, it)
			if it.Night {
				r.nightItems = append(r.nightItems, it)
			}
		}
	}
	for i := range h.FaultWork {
		r.planned[h.FaultWork[i].Where] = &h.FaultWork[i]
	}
	for i := range site.Buildings {
		if b := &site.Buildings[i]; b.Units > 0 && b.GridID != "" {
			r.buildings = append(r.buildings, b)
		}
	}
	for i := range site.Devices {
		dv := &site.Devices[i]
		switch dv.Kind {
		case KindStreetlight:
			r.roads[dv.GridID] = append(r.roads[dv.GridID], dv)
			r.faulty["streetlight"] = append(r.faulty["streetlight"], dv)
		case KindManhole:
			r.roads[dv.GridID] = append(r.roads[dv.GridID], dv)
			r.faulty["battery"] = append(r.faulty["battery"], dv)
		case KindSmoke, KindCallButton:
			r.faulty["battery"] = append(r.faulty["battery"], dv)
		case KindBracelet:
			if dv.Person != nil && dv.BuildingID != "" {
				r.elders = append(r.elders, dv)
			}
			r.faulty["battery"] = append(r.faulty["battery"], dv)
		}
	}
	for _, g := range site.Grids {
		for _, op := range ops {
			if op.Role == RoleGridWorker && op.Name == g.Worker.Name && !op.Disabled {
				r.gridWorker[g.ID] = op.Username
			}
		}
	}
	if len(r.items) == 0 || len(r.buildings) == 0 {
		return nil, Errorf(CodeInvalid, "The demo's order history has nothing to report")
	}
	return r, nil
}

// at plans f at t, or at once when t has passed (a duplicate dealt with on its own after
// all), and nothing at or after the first start: the history ends there.
func (r *historyRun) at(t time.Time, f func() error) {
	if now := r.clock.Now(); t.Before(now) {
		t = now
	}
	if !t.Before(r.now) {
		return
	}
	r.seq++
	heap.Push(&r.queue, &step{at: t, seq: r.seq, do: f})
}

// play plans the weeks' reports, then runs every step in time order, the order watch's
// escalations at the moments they fall due in between.
func (r *historyRun) play() error {
	r.plan()
	for {
		due, escalate := r.nextEscalation()
		if len(r.queue) == 0 && !escalate {
			return nil
		}
		if escalate && !due.Before(r.now) {
			escalate = false
			if len(r.queue) == 0 {
				return nil
			}
		}
		if escalate && (len(r.queue) == 0 || !r.queue[0].at.Before(due)) {
			r.clock.set(due)
			if _, err := r.orders.Escalate(r.ctx); err != nil {
				return fmt.Errorf("demo history: escalation at %s: %w", due.Format(time.RFC3339), err)
			}
			r.noticeOverdue()
			continue
		}
		s := heap.Pop(&r.queue).(*step)
		r.clock.set(s.at)
		if err := s.do(); err != nil {
			return fmt.Errorf("demo history: at %s: %w", s.at.Format(time.RFC3339), err)
		}
	}
}

// nextEscalation is when the next escalation of an open order falls due.
func (r *historyRun) nextEscalation() (time.Time, bool) {
	var next time.Time
	found := false
	r.orders.mu.RLock()
	defer r.orders.mu.RUnlock()
	for _, o := range r.orders.orders {
		if !o.State.Open() {
			continue
		}
		for _, st := range []string{StageAccept, StageDone} {
			if due, _, ok := o.nextEscalation(&r.setup, st); ok && (!found || due.Before(next)) {
				next, found = due, true
			}
		}
	}
	return next, found
}

// plan plans the reports of every day of the history, the device faults, and the last hours'.
func (r *historyRun) plan() {
	lt := r.now.In(r.loc)
	today := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, r.loc)
	// Late orders only in the weeks before the last few days: the orders late at the first
	// start are the recent ones the script names (a couple), not an accident of its hour.
	lateUntil := r.now.Add(-5 * 24 * time.Hour)
	for k := r.h.Days; k >= 1; k-- {
		day := today.AddDate(0, 0, -k)
		lo, hi := r.h.PerDay[0], r.h.PerDay[1]
		n := lo + r.rng.IntN(max(hi-lo+1, 1))
		if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
			n = n * 7 / 10
		}
		for i := 0; i < n; i++ {
			night := r.rng.Float64() < 0.08
			item := r.items[r.rng.IntN(len(r.items))]
			if night && len(r.nightItems) > 0 {
				item = r.nightItems[r.rng.IntN(len(r.nightItems))]
			}
			t := day.Add(r.timeOfDay(night))
			if !t.Before(r.now.Add(-time.Hour)) {
				continue
			}
			ho := &historyOrder{item: item, via: item.Via[r.rng.IntN(len(item.Via))]}
			place := r.place(item)
			if r.rng.Float64() >= r.inTime(place) && t.Before(lateUntil) {
				ho.late = "done"
				if r.rng.Float64() < 0.3 {
					ho.late = "accept"
				}
			}
			ho.reopen = r.rng.Float64() < r.h.Reopen
			ho.cancel = !ho.reopen && (ho.via == "resident" || ho.via == "intake") && r.rng.Float64() < r.h.Cancel
			ho.rate = r.rng.Float64() < r.h.Rated
			if !ho.cancel && r.rng.Float64() < r.h.Merge {
				ho.dup = &historyOrder{item: item, via: "resident", rate: r.rng.Float64() < r.h.Rated}
				dupAt := t.Add(r.between(30*time.Minute, 3*time.Hour))
				r.at(dupAt, func() error { return r.report(ho.dup, place, ho) })
			}
			r.at(t, func() error { return r.report(ho, place, nil) })
		}
	}
	start := today.AddDate(0, 0, -r.h.Days)
	span := lateUntil.Sub(start)
	for i := 0; i < r.h.Faults && span > 0; i++ {
		kind := "streetlight"
		if i%2 == 1 {
			kind = "battery"
		}
		devs := r.faulty[kind]
		if len(devs) == 0 || r.planned[kind] == nil {
			continue
		}
		dv := devs[r.rng.IntN(len(devs))]
		t := start.Add(time.Duration(r.rng.Int64N(int64(span))))
		ho := &historyOrder{item: r.planned[kind]}
		r.at(t, func() error { return r.fault(ho, dv, kind) })
	}
	for i := range r.h.Recent {
		rc := &r.h.Recent[i]
		ho := &historyOrder{item: &rc.HistoryItem, via: rc.Via[r.rng.IntN(len(rc.Via))], recent: rc}
		place := r.place(&rc.HistoryItem)
		r.at(r.now.Add(-rc.Ago.D()), func() error { return r.report(ho, place, nil) })
	}
}

// inTime is the share of a place's orders done within their limits: its grid's, or the
// community's.
func (r *historyRun) inTime(pl OrderPlace) float64 {
	g := pl.GridID
	if b, ok := r.site.Building(pl.Building); ok && g == "" {
		g = b.GridID
	}
	if v, ok := r.h.InTimeByGrid[g]; ok {
		return v
	}
	return r.h.InTime
}

// hourWeights is when people report, by hour of the day (nights apart).
var hourWeights = [24]int{0, 0, 0, 0, 0, 0, 1, 3, 6, 9, 10, 8, 4, 5, 8, 9, 8, 7, 5, 5, 4, 3, 0, 0}

func (r *historyRun) timeOfDay(night bool) time.Duration {
	if night {
		h := []int{22, 23, 0, 1, 2, 5}[r.rng.IntN(6)]
		return time.Duration(h)*time.Hour + time.Duration(r.rng.IntN(3600))*time.Second
	}
	total := 0
	for _, w := range hourWeights {
		total += w
	}
	n := r.rng.IntN(total)
	h := 0
	for ; h < 23 && n >= hourWeights[h]; h++ {
		n -= hourWeights[h]
	}
	return time.Duration(h)*time.Hour + time.Duration(r.rng.IntN(3600))*time.Second
}

// between is a random duration in [lo, hi).
func (r *historyRun) between(lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(r.rng.Int64N(int64(hi-lo)))
}

func (r *historyRun) pick(list []string) string {
	if len(list) == 0 {
		return ""
	}
	return list[r.rng.IntN(len(list))]
}

// daytime moves t into the working day (08:00–20:00) of the site, for work that waits for
// the morning.
func (r *historyRun) daytime(t time.Time) time.Time {
	lt := t.In(r.loc)
	switch {
	case lt.Hour() >= 20:
		lt = time.Date(lt.Year(), lt.Month(), lt.Day()+1, 8, 0, 0, 0, r.loc).Add(r.between(0, 90*time.Minute))
	case lt.Hour() < 8:
		lt = time.Date(lt.Year(), lt.Month(), lt.Day(), 8, 0, 0, 0, r.loc).Add(r.between(0, 90*time.Minute))
	}
	return lt
}

// place is where an item's report is, in the community.
func (r *historyRun) place(it *HistoryItem) OrderPlace {
	b := r.buildings[r.rng.IntN(len(r.buildings))]
	floor := 1 + r.rng.IntN(max(b.Floors, 1))
	unit := 1 + r.rng.IntN(b.Units)
	switch it.Where {
	case "flat":
		return OrderPlace{Building: b.ID, Unit: unit, Flat: fmt.Sprintf("%d%02d", floor, 1+r.rng.IntN(2))}
	case "unit":
		note := ""
		if r.h.Words.Floor != "" {
			note = fmt.Sprintf(r.h.Words.Floor, floor)
		}
		return OrderPlace{Building: b.ID, Unit: unit, Note: note}
	case "road":
		grids := make([]string, 0, len(r.roads))
		for g := range r.roads {
			grids = append(grids, g)
		}
		sort.Strings(grids)
		if len(grids) > 0 {
			devs := r.roads[grids[r.rng.IntN(len(grids))]]
			dv := devs[r.rng.IntN(len(devs))]
			return OrderPlace{GridID: dv.GridID, Position: &Point{X: dv.Position.X, Y: dv.Position.Y}, Note: dv.Location}
		}
	case "elder":
		if len(r.elders) > 0 {
			dv := r.elders[r.rng.IntN(len(r.elders))]
			return OrderPlace{Building: dv.BuildingID, Unit: dv.Unit, Flat: flatOf(dv.Location)}
		}
	}
	return OrderPlace{Building: b.ID}
}

// flatOf reads the flat of a location such as 7号楼1单元502室 ("" when it names none).
func flatOf(location string) string {
	s := location
	if i := strings.LastIndex(s, "单元"); i >= 0 {
		s = s[i+len("单元"):]
	}
	s = strings.TrimSuffix(s, "室")
	if _, err := strconv.Atoi(s); err != nil || len(s) > 6 {
		return ""
	}
	return s
}

// resident makes up a resident's name and phone number.
func (r *historyRun) resident() (string, string) {
	sur := []rune(r.h.Words.Surnames)
	name := ""
	if len(sur) > 0 {
		name = string(sur[r.rng.IntN(len(sur))]) + r.pick(r.h.Words.Titles)
	}
	phone := fmt.Sprintf("1%d%09d", []int{3, 5, 7, 8, 9}[r.rng.IntN(5)], r.rng.IntN(1_000_000_000))
	return name, phone
}

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
	case o.Assignee != "" && !r.ops[o.Assignee].Role.Can(ActOrderWork):
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
			next, err := r.orders.Assign(r.ctx, r.ops[cur.Assignee], cur.ID, cur.Version, team.ID, "", r.pick(r.h.Words.Night))
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
	if who != r.duty(t).Username && who != "duty" && who != "duty2" {
		t = r.daytime(t)
	} else {
		who = r.duty(t).Username
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
