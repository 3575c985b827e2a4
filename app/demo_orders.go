package app

import (
	"context"
	"time"
)

// The demo's work orders: its set-up (a team for each grid with its grid worker, the
// property's repair crew and front desk, dispatch rules, the property manager) and the weeks
// of history before its first start, so that the board, the phone pages and the assessment
// of the grids have something to show. Both are seeded once, on the demo site, when it has
// no set-up yet (a first start, or a demo from before work orders).

// OrderHistory is the script of the demo's past orders (assets/demo/order_history.json): how
// many, how they went, and what people said, in their words. SeedOrderHistory plays it.
type OrderHistory struct {
	Seed   uint64  `json:"seed"`    // of its random choices: the same history on every first start
	Days   int     `json:"days"`    // how many days before the first start it begins
	PerDay [2]int  `json:"per_day"` // orders reported on a weekday, fewest and most (weekends: fewer)
	InTime float64 `json:"in_time"` // the share of orders accepted and done within their limits
	// InTimeByGrid is InTime for the grids that differ: some grids do better than others,
	// which is what their assessment shows.
	InTimeByGrid map[string]float64 `json:"in_time_by_grid,omitempty"`
	Reopen       float64            `json:"reopen"` // the share sent back to work at verification
	Cancel       float64            `json:"cancel"`
	Merge        float64            `json:"merge"` // the share reported again by somebody else, merged as a duplicate
	Rated        float64            `json:"rated"` // the share of residents who rate their closed report
	Faults       int                `json:"faults"`
	Items        []HistoryItem      `json:"items"`
	// FaultWork is the repair crew's work on device faults, by Where: streetlight, battery.
	FaultWork []HistoryItem `json:"fault_work"`
	// Recent are the last hours' orders, still open at the first start.
	Recent []RecentOrder `json:"recent"`
	Words  HistoryWords  `json:"words"`
	// Photos are the proof photos (JPEG) by the names the items give.
	Photos map[string][]byte `json:"-"`
}

// HistoryItem is one kind of report with how it is answered.
type HistoryItem struct {
	Category string   `json:"category"`
	Text     string   `json:"text"`
	Progress string   `json:"progress,omitempty"` // a note on the way (long jobs)
	Done     string   `json:"done"`               // the proof note
	Where    string   `json:"where"`              // flat, unit (a floor of it), entrance (of a unit), building, road, elder (a resident living alone)
	Via      []string `json:"via"`                // resident, patrol, phone, intake, console
	Photo    string   `json:"photo,omitempty"`    // the proof photo
	Weight   int      `json:"weight,omitempty"`   // how often, relative to the others (0: 1)
	Night    bool     `json:"night,omitempty"`    // reported at night too
}

// RecentOrder is an order of the last hours, as far as it got by the first start.
type RecentOrder struct {
	HistoryItem
	Ago      Duration `json:"ago"`                      // reported this long before the first start
	Accept   Duration `json:"accept_after,omitempty"`   // accepted this long after it was reported (0: not yet)
	Progress Duration `json:"progress_after,omitempty"` // a note of progress then (0: none)
	Done     Duration `json:"done_after,omitempty"`     // done then (0: not yet)
}

// HistoryWords are what people say along the way.
type HistoryWords struct {
	Reopen     []string            `json:"reopen"`
	Cancel     []string            `json:"cancel"`
	Merge      []string            `json:"merge"`
	Night      []string            `json:"night"`       // the duty operator passing a night order on
	Verify     []string            `json:"verify"`      // a verifier's note
	Notice     []string            `json:"notice"`      // the duty operator acknowledging an overdue order's notice
	NoticeDone []string            `json:"notice_done"` // … and resolving it once the order moved
	Comments   map[string][]string `json:"comments"`    // residents' comments by stars
	Surnames   string              `json:"surnames"`
	Titles     []string            `json:"titles"`
	Floor      string              `json:"floor"`    // a place's note from its floor: "%d层楼道"
	Entrance   string              `json:"entrance"` // a unit's entrance: "单元门口"
}

// seedDemoOrders sets up the demo's orders when the demo site has no order set-up: the demo
// accounts it names (a demo from before work orders lacks them), the set-up, and the history
// when no order was ever made. A history that cannot be played is logged and left out (it is
// written all at once or not at all): the demo starts all the same.
func (c *Core) seedDemoOrders(ctx context.Context, p Ports) error {
	site := c.Inventory.Site()
	if site == nil || !site.Demo || p.Seeds.DemoOrderSetup == nil {
		return nil
	}
	if _, ok, err := p.Store.OrderSetup(ctx); err != nil || ok {
		return err
	}
	if p.Seeds.DemoAccounts != nil {
		accounts, err := p.Seeds.DemoAccounts()
		if err != nil {
			return err
		}
		if n, err := seedDemoAccounts(ctx, c.Accounts, accounts); err != nil {
			return err
		} else if n > 0 {
			c.Log.Info("demo accounts added", "accounts", n)
		}
	}
	setup, err := p.Seeds.DemoOrderSetup()
	if err != nil {
		return err
	}
	if len(setup.Categories) == 0 {
		setup.Categories = DefaultOrderCategories()
	}
	ops, err := p.Store.Operators(ctx)
	if err != nil {
		return err
	}
	users := map[string]Role{}
	for _, o := range ops {
		if !o.Disabled {
			users[o.Username] = o.Role
		}
	}
	if err := setup.Validate(site, users); err != nil {
		return err
	}
	e, err := p.Store.SaveOrderSetup(ctx, setup, NewEntry(KindOrderSetupChanged, "orders:setup", SystemActor, setup.Redacted()))
	if err != nil {
		return err
	}
	c.Recorder.Published(e)
	c.Log.Info("demo order set-up", "teams", len(setup.Teams), "rules", len(setup.Rules))

	if p.Seeds.DemoOrderHistory == nil {
		return nil
	}
	if max, err := p.Store.MaxOrderID(ctx); err != nil || max > 0 {
		return err
	}
	if p.Files.Photos == nil {
		c.Log.Warn("the demo's order history is left out: no place for its photos")
		return nil
	}
	script, err := p.Seeds.DemoOrderHistory()
	if err != nil {
		return err
	}
	started := time.Now()
	n, err := SeedOrderHistory(ctx, HistoryDeps{Store: p.Store, Recorder: c.Recorder, Inventory: c.Inventory, Photos: p.Files.Photos,
		Setup: setup, Now: p.Clock.Now()}, script)
	if err != nil {
		c.Log.Error("the demo's order history could not be played: left out", "err", err)
		return nil
	}
	c.Log.Info("demo order history", "orders", n, "days", script.Days, "took", time.Since(started).Round(time.Millisecond))
	return nil
}
