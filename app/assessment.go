package app

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"
)

// The assessment of the grids (网格考核): per grid and per person, over a period, how the work
// orders were received, taken and finished within their limits, reopened, how long they took,
// who found the hazards and how satisfied the reporters were. AssessOrders computes it from
// the orders alone (a pure function: the console's table, its workbook and the tests read the
// same figures); WorkOrders.Assess reads the period's orders and checks the role.
//
// Which orders count: those created in [From, To), each as it stands at its latest record (a
// reopened order is judged on its latest round; its reopening is counted in Reopened).
// Cancelled and merged orders are left out of every figure and only counted in LeftOut: a
// merged order is a duplicate of another that carries the same hazard (counting both would
// count the hazard twice and charge the grid twice for it), and a cancelled one was found not
// to be work at all (a false or mistaken report): nobody was asked to do it in time.

// AssessmentPeriod is the period assessed: orders created in [From, To). AsOf is when the
// figures are taken: a time limit that runs out after it is not judged yet.
type AssessmentPeriod struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	AsOf time.Time `json:"as_of"`
}

// Assessment is the figures of a period: a row per grid and a row per person.
type Assessment struct {
	Period AssessmentPeriod `json:"period"`
	// Grids: every grid of the site in its order (a grid without orders has a row of zeros),
	// then a grid the orders name that the site no longer has (Names.Name is its ID), then
	// the orders without a grid (ID "").
	Grids []AssessmentRow `json:"grids"`
	// People: every member of a team of the set-up (one without orders has a row of zeros),
	// every assignee and every account that reported an order, by user name.
	People []AssessmentRow `json:"people"`
}

// AssessmentRow is the figures of one grid or one person. Over the orders that count (see
// above) of the row — a grid's: the orders placed in the grid; a person's: the orders they
// are the assignee of (given to them, or taken by them from a team; an order a team has not
// taken yet is nobody's):
type AssessmentRow struct {
	ID    string `json:"id"`   // the grid's ID, or the person's user name
	Names Names  `json:"name"` // the grid's names; a person's name (Name only)

	// Received: the orders created in the period.
	Received int `json:"received"`
	// Accepted: those somebody accepted. AcceptJudged: those accepted, or whose time to
	// accept (AcceptDue) ran out by AsOf without acceptance: the orders the acceptance limit
	// can be judged on. AcceptedInTime: those accepted by AcceptDue (WorkOrder.AcceptedInTime).
	// The share is AcceptedInTime / AcceptJudged.
	Accepted       int `json:"accepted"`
	AcceptJudged   int `json:"accept_judged"`
	AcceptedInTime int `json:"accepted_in_time"`
	// Done: those marked done (with proof). DoneJudged: those done, or whose time limit
	// (DoneDue) ran out by AsOf without being done. DoneInTime: those done by DoneDue
	// (WorkOrder.DoneInTime). The share is DoneInTime / DoneJudged.
	Done       int `json:"done"`
	DoneJudged int `json:"done_judged"`
	DoneInTime int `json:"done_in_time"`
	// Reopened: the orders reopened at least once (the verifier sent them back).
	Reopened int `json:"reopened"`
	// Closed: the orders verified and closed.
	Closed int `json:"closed"`
	// MedianAccept: the median time from the order's (latest) assignment to its acceptance,
	// over the Accepted orders (from its creation when it has no assignment time). The median
	// of an even count is the mean of the two middle values. Zero when none was accepted.
	MedianAccept time.Duration `json:"median_accept"`
	// MedianClose: the median time from the report to the closure, over the Closed orders.
	MedianClose time.Duration `json:"median_close"`
	// Grid rows: FoundByOwn are the orders reported by the grid's own people — the members
	// of the teams whose grids include the grid, and the account of the grid's worker (the
	// account with the worker's phone, or with the worker's name when the site has no phone
	// for them); FoundByOthers are the rest (residents, other staff, alarms, devices).
	FoundByOwn    int `json:"found_by_own,omitempty"`
	FoundByOthers int `json:"found_by_others,omitempty"`
	// Person rows: Reported are the orders of the period the person reported, in any grid
	// and whoever they went to (the hazards they found).
	Reported int `json:"reported,omitempty"`
	// Ratings: how many of the orders the reporter rated; StarsSum: their stars together.
	// Satisfaction is the mean: StarsSum / Ratings.
	Ratings  int `json:"ratings"`
	StarsSum int `json:"stars_sum"`
	// LeftOut: the row's orders of the period that were cancelled or merged (counted in no
	// other figure).
	LeftOut int `json:"left_out"`
}

// AcceptedShare is AcceptedInTime / AcceptJudged; ok is false when nothing could be judged.
func (r AssessmentRow) AcceptedShare() (share float64, ok bool) {
	return ratio(r.AcceptedInTime, r.AcceptJudged)
}

// DoneShare is DoneInTime / DoneJudged; ok is false when nothing could be judged.
func (r AssessmentRow) DoneShare() (share float64, ok bool) { return ratio(r.DoneInTime, r.DoneJudged) }

// Satisfaction is the mean of the reporters' stars; ok is false when nobody rated.
func (r AssessmentRow) Satisfaction() (stars float64, ok bool) { return ratio(r.StarsSum, r.Ratings) }

func ratio(a, b int) (float64, bool) {
	if b == 0 {
		return 0, false
	}
	return float64(a) / float64(b), true
}

// AssessOrders computes the assessment of the orders created in the period (orders outside
// it are ignored) for the site's grids and the set-up's teams; accounts give the people's
// names and find the grids' workers.
func AssessOrders(orders []WorkOrder, site *Site, setup *OrderSetup, accounts []Operator, p AssessmentPeriod) Assessment {
	if setup == nil {
		setup = &OrderSetup{}
	}
	names := map[string]string{}
	for _, a := range accounts {
		names[a.Username] = a.Name
	}
	type acc struct {
		row            AssessmentRow
		accept, closed []time.Duration
	}
	grids := map[string]*acc{}
	var gridOrder []string
	gridRow := func(id string) *acc {
		if a, ok := grids[id]; ok {
			return a
		}
		a := &acc{row: AssessmentRow{ID: id, Names: Names{Name: id}}}
		if site != nil {
			if g, ok := site.Grid(id); ok {
				a.row.Names = g.Names
			}
		}
		grids[id] = a
		gridOrder = append(gridOrder, id)
		return a
	}
	if site != nil {
		for _, g := range site.Grids {
			gridRow(g.ID)
		}
	}
	known := len(gridOrder) // the site's grids; those after them come from the orders
	people := map[string]*acc{}
	personRow := func(user string) *acc {
		if a, ok := people[user]; ok {
			return a
		}
		n := names[user]
		if n == "" {
			n = user
		}
		a := &acc{row: AssessmentRow{ID: user, Names: Names{Name: n}}}
		people[user] = a
		return a
	}
	for _, t := range setup.Teams {
		for _, m := range t.Members {
			personRow(m)
		}
	}
	own := gridPeople(site, setup, accounts)

	// count adds one order to a row.
	count := func(a *acc, o *WorkOrder) {
		r := &a.row
		if !o.State.Open() && o.State != OrderClosed { // cancelled or merged
			r.LeftOut++
			return
		}
		r.Received++
		if !o.AcceptedAt.IsZero() {
			r.Accepted++
			r.AcceptJudged++
			if o.AcceptedInTime() {
				r.AcceptedInTime++
			}
			start := o.AssignedAt
			if start.IsZero() || start.After(o.AcceptedAt) {
				start = o.CreatedAt
			}
			a.accept = append(a.accept, o.AcceptedAt.Sub(start))
		} else if !o.AcceptDue.IsZero() && !p.AsOf.Before(o.AcceptDue) {
			r.AcceptJudged++
		}
		if !o.DoneAt.IsZero() {
			r.Done++
			r.DoneJudged++
			if o.DoneInTime() {
				r.DoneInTime++
			}
		} else if !o.DoneDue.IsZero() && !p.AsOf.Before(o.DoneDue) {
			r.DoneJudged++
		}
		if o.Reopened > 0 {
			r.Reopened++
		}
		if o.State == OrderClosed {
			r.Closed++
			a.closed = append(a.closed, o.ClosedAt.Sub(o.CreatedAt))
		}
		if o.Rating != nil {
			r.Ratings++
			r.StarsSum += o.Rating.Stars
		}
	}
	for i := range orders {
		o := &orders[i]
		if o.CreatedAt.Before(p.From) || !o.CreatedAt.Before(p.To) {
			continue
		}
		left := !o.State.Open() && o.State != OrderClosed
		g := gridRow(o.Place.GridID)
		count(g, o)
		if !left {
			if own[o.Place.GridID][o.Reporter.By] {
				g.row.FoundByOwn++
			} else {
				g.row.FoundByOthers++
			}
		}
		if o.Assignee != "" {
			count(personRow(o.Assignee), o)
		}
		if by := o.Reporter.By; !left && by != "" && o.Reporter.Via.personal() {
			personRow(by).row.Reported++
		}
	}

	out := Assessment{Period: p}
	// The site's grids first in their order; grids the site no longer has, and "no grid" last.
	extra := slices.Clone(gridOrder[known:])
	sort.Slice(extra, func(i, j int) bool { return extra[i] != "" && (extra[j] == "" || extra[i] < extra[j]) })
	for _, id := range append(gridOrder[:known:known], extra...) {
		a := grids[id]
		a.row.MedianAccept, a.row.MedianClose = median(a.accept), median(a.closed)
		out.Grids = append(out.Grids, a.row)
	}
	users := make([]string, 0, len(people))
	for u := range people {
		users = append(users, u)
	}
	sort.Strings(users)
	for _, u := range users {
		a := people[u]
		a.row.MedianAccept, a.row.MedianClose = median(a.accept), median(a.closed)
		out.People = append(out.People, a.row)
	}
	return out
}

// personal reports whether an order from this source was reported by a person with an
// account (Reporter.By is their user name).
func (s OrderSource) personal() bool {
	switch s {
	case FromConsole, FromPhone, FromIntake, FromInspection:
		return true
	}
	return false
}

// gridPeople returns, per grid ID, the user names of the grid's own people: the members of
// every team whose grids include it, and the account of its grid worker.
func gridPeople(site *Site, setup *OrderSetup, accounts []Operator) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	add := func(grid, user string) {
		if out[grid] == nil {
			out[grid] = map[string]bool{}
		}
		out[grid][user] = true
	}
	for _, t := range setup.Teams {
		for _, g := range t.Grids {
			for _, m := range t.Members {
				add(g, m)
			}
		}
	}
	if site == nil {
		return out
	}
	for _, g := range site.Grids {
		phone := phoneDigits(g.Worker.Phone)
		for _, a := range accounts {
			switch {
			case phone != "" && phoneDigits(a.Phone) == phone,
				phone == "" && g.Worker.Name != "" && strings.TrimSpace(a.Name) == strings.TrimSpace(g.Worker.Name):
				add(g.ID, a.Username)
			}
		}
	}
	return out
}

// phoneDigits is a phone number's digits alone (138 0000 1111 and 138-0000-1111 are the same).
func phoneDigits(p string) string {
	var b strings.Builder
	for _, r := range p {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// median is the middle value (the mean of the two middle ones of an even count); 0 for none.
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// KindAssessmentExported is an export of the assessment (a workbook). Data: AssessmentExport.
const KindAssessmentExported EntryKind = "orders.assessment_exported"

// AssessmentExport is what an export of the assessment journals: the file and the period.
type AssessmentExport struct {
	File   string    `json:"file"`
	Format string    `json:"format"` // xlsx
	From   time.Time `json:"from"`
	To     time.Time `json:"to"`
	Grids  int       `json:"grids"`
	People int       `json:"people"`
}

// Assess returns the assessment of the orders created in [from, to), as they stand now
// (whoever sees orders: the console's assessment panel).
func (w *WorkOrders) Assess(ctx context.Context, op *Operator, from, to time.Time) (Assessment, error) {
	if err := Authorize(op, ActOrderView); err != nil {
		return Assessment{}, err
	}
	if !from.Before(to) {
		return Assessment{}, Errorf(CodeInvalid, "The period ends before it begins").On("period")
	}
	orders, err := w.History(ctx, from, to)
	if err != nil {
		return Assessment{}, err
	}
	accounts, err := w.ops.Operators(ctx) // a leaver's name too: they are assessed on what they did
	if err != nil {
		return Assessment{}, err
	}
	setup := w.Setup()
	return AssessOrders(orders, w.inv.Site(), &setup, accounts, AssessmentPeriod{From: from, To: to, AsOf: w.clock.Now()}), nil
}

// AssessmentExported journals an export of the assessment, before the file is written.
func (w *WorkOrders) AssessmentExported(ctx context.Context, op *Operator, x AssessmentExport) error {
	if err := Authorize(op, ActOrderView); err != nil {
		return err
	}
	_, err := w.rec.Record(ctx, NewEntry(KindAssessmentExported, "orders:assessment", op.Username, x))
	return err
}

// AssessmentSheets writes an assessment as a workbook (XLSX, the sheets adapter beside
// SiteSheets): a sheet of the period and what each figure means, a sheet of grids and one of
// people, headers in lang ("zh-CN" or "en").
type AssessmentSheets interface {
	Assessment(a Assessment, lang string) ([]byte, error)
}
