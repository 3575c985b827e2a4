package app

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The demo history's script: who is who, what is reported where and when (the random choices,
// from the script's seed), and how the weeks are laid out.

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
		if len(it.Via) == 0 {
			return nil, Errorf(CodeInvalid, "The demo's order history has no reporter for {{.T}}", "T", it.Text)
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
	for i := range h.Recent {
		if _, ok := d.Setup.Category(h.Recent[i].Category); !ok || len(h.Recent[i].Via) == 0 {
			return nil, Errorf(CodeInvalid, "The demo's order history names an unknown category {{.C}}", "C", h.Recent[i].Category)
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
	case "entrance":
		return OrderPlace{Building: b.ID, Unit: unit, Note: r.h.Words.Entrance}
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
