package app

import (
	"context"
	"maps"
	"strings"
	"time"
	"unicode/utf8"
)

// The site's history of work orders from before Watchpost (a spreadsheet or another
// system's records) is imported by an administrator, so that the assessment of the grids
// covers the months before too. An imported order has ended (closed or cancelled): an open
// one would start escalating at once on times long past, so open orders are entered in the
// console, where they are dispatched and tracked. The import is all or nothing: every bad
// row is reported with its row number and nothing is stored while one is bad. Each order is
// journaled (order.imported) as the administrator's, with its historical times kept.

// KindOrderImported is an order of the site's history imported by an administrator. Data:
// WorkOrder.
const KindOrderImported EntryKind = "order.imported"

// MaxImportedOrders bounds one import (a community's few years of orders).
const MaxImportedOrders = 20000

// HistoricalOrder is one order of the site's history as a file gives it.
type HistoricalOrder struct {
	Row      int         `json:"-"`             // where it is in the file: the spreadsheet's row, or its place in a JSON array (1: the first)
	Ref      string      `json:"ref,omitempty"` // its number in the old records, kept in its timeline
	Category string      `json:"category"`
	Priority Priority    `json:"priority,omitempty"` // 0: the category's
	State    OrderState  `json:"state"`              // closed or cancelled
	Text     string      `json:"text"`
	Place    OrderPlace  `json:"place"`
	Via      OrderSource `json:"via,omitempty"` // "": phoned in (intake) when a caller is named, else console
	// ReportedBy is the account that reported it (a grid worker, a guard); ReporterName and
	// ReporterPhone a member of the public's (sealed by the store like a resident's).
	ReportedBy    string    `json:"reported_by,omitempty"`
	ReporterName  string    `json:"reporter_name,omitempty"`
	ReporterPhone string    `json:"reporter_phone,omitempty"`
	Team          string    `json:"team,omitempty"`
	Assignee      string    `json:"assignee,omitempty"` // the account that did it (a leaver's disabled account too)
	CreatedAt     time.Time `json:"created_at"`
	AssignedAt    time.Time `json:"assigned_at,omitzero"`
	AcceptedAt    time.Time `json:"accepted_at,omitzero"`
	DoneAt        time.Time `json:"done_at,omitzero"`   // closed: required
	ClosedAt      time.Time `json:"closed_at,omitzero"` // closed or cancelled: when; required
	// Note is what was done (closed) or why it was cancelled (required then).
	Note     string `json:"note,omitempty"`
	Reopened int    `json:"reopened,omitempty"`
	Stars    int    `json:"stars,omitempty"` // the reporter's rating of a closed order, 1–5; 0: none
	Comment  string `json:"comment,omitempty"`
}

// ImportHistory checks and stores historical orders (administrators: ActOrderSetup). Each
// gets the next order number; its time limits are its category's, counted from its times
// (to accept from its assignment, or its report; to finish from its report). It returns the
// orders stored, or every problem of every row, each as "Row N: …", and stores nothing.
func (w *WorkOrders) ImportHistory(ctx context.Context, actor *Operator, rows []HistoricalOrder) ([]WorkOrder, error) {
	if err := Authorize(actor, ActOrderSetup); err != nil {
		return nil, err
	}
	switch {
	case len(rows) == 0:
		return nil, Errorf(CodeInvalid, "The file holds no orders")
	case len(rows) > MaxImportedOrders:
		return nil, Errorf(CodeInvalid, "At most {{.N}} orders at a time", "N", MaxImportedOrders)
	}
	ops, err := w.ops.Operators(ctx)
	if err != nil {
		return nil, err
	}
	accounts := map[string]bool{}
	for _, o := range ops {
		accounts[o.Username] = true // a leaver's disabled account too: the history is theirs
	}
	site, setup, now := w.inv.Site(), w.Setup(), w.clock.Now()
	var all Problems
	for i := range rows {
		for _, e := range rows[i].check(site, &setup, accounts, now) {
			all = append(all, atRow(rows[i].Row, e))
		}
	}
	if err := all.Err(); err != nil {
		return nil, err
	}

	w.change.Lock()
	defer w.change.Unlock()
	w.mu.Lock()
	first := max(w.nextID, 1)
	w.nextID = first + int64(len(rows))
	w.mu.Unlock()
	out := make([]WorkOrder, len(rows))
	entries := make([]Entry, len(rows))
	for i := range rows {
		out[i] = rows[i].order(first+int64(i), site, &setup, actor.Username, now)
		entries[i] = NewEntry(KindOrderImported, out[i].Subject(), actor.Username, out[i])
	}
	if _, err := w.rec.Record(ctx, entries...); err != nil {
		w.mu.Lock()
		if w.nextID == first+int64(len(rows)) {
			w.nextID = first // nothing was stored: the numbers are free again
		}
		w.mu.Unlock()
		return nil, err
	}
	return out, nil
}

// atRow is a row's problem said with its row number.
func atRow(row int, e *Error) *Error {
	args := maps.Clone(e.Args)
	if args == nil {
		args = map[string]any{}
	}
	args["Row"] = row
	return &Error{Code: e.Code, Message: "Row {{.Row}}: " + e.Message, Args: args, Field: e.Field}
}

// via is the order's source: as given, or from who reported it.
func (h *HistoricalOrder) via() OrderSource {
	if h.Via != "" {
		return h.Via
	}
	if h.ReportedBy == "" && (h.ReporterName != "" || h.ReporterPhone != "") {
		return FromIntake
	}
	return FromConsole
}

// check lists the problems of one historical order.
func (h *HistoricalOrder) check(site *Site, setup *OrderSetup, accounts map[string]bool, now time.Time) Problems {
	var p Problems
	if _, ok := setup.Category(h.Category); !ok {
		p.Add("category", "There is no category {{.ID}}", "ID", h.Category)
	}
	if h.Priority != 0 && !h.Priority.Valid() {
		p.Add("priority", "Priority must be P1 to P4")
	}
	if h.State != OrderClosed && h.State != OrderCancelled {
		p.Add("state", "An imported order has ended: closed or cancelled (enter open orders in the console)")
	}
	checkOrderText(&p, "text", h.Text, true)
	checkPlace(&p, site, h.Place)
	switch h.via() {
	case FromConsole, FromPhone, FromResident, FromAlarm, FromIntake, FromInspection, FromDevice, FromSupplies:
	default:
		p.Add("via", "Unknown source {{.Via}}", "Via", h.Via)
	}
	account := func(field, u string) {
		if u != "" && !accounts[u] {
			p.Add(field, "There is no account {{.U}}", "U", u)
		}
	}
	account("reported_by", h.ReportedBy)
	account("assignee", h.Assignee)
	if h.Team != "" {
		if _, ok := setup.Team(h.Team); !ok {
			p.Add("team", "There is no team {{.ID}}", "ID", h.Team)
		}
	}
	if h.ReporterPhone != "" && !validPhone(strings.TrimSpace(h.ReporterPhone)) {
		p.Add("reporter_phone", "{{.Phone}} is not a phone number", "Phone", h.ReporterPhone)
	}
	if utf8.RuneCountInString(h.ReporterName) > 50 {
		p.Add("reporter_name", "A name has at most 50 characters")
	}
	if utf8.RuneCountInString(h.Ref) > 50 {
		p.Add("ref", "At most {{.N}} characters", "N", 50)
	}
	h.checkTimes(&p, now)
	checkOrderText(&p, "note", h.Note, h.State == OrderCancelled)
	if h.Reopened < 0 || h.Reopened > 100 {
		p.Add("reopened", "Reopened is a count from 0 to 100")
	}
	switch {
	case h.Stars < 0 || h.Stars > 5:
		p.Add("stars", "Choose one to five stars")
	case h.Stars > 0 && h.State != OrderClosed:
		p.Add("stars", "Only a closed order is rated")
	}
	checkOrderText(&p, "comment", h.Comment, false)
	return p
}

// checkTimes checks the order's times: each present, in the order of the lifecycle, none
// after now; a closed order was done and closed, a cancelled one cancelled at ClosedAt.
func (h *HistoricalOrder) checkTimes(p *Problems, now time.Time) {
	if h.CreatedAt.IsZero() {
		p.Add("created_at", "When it was reported is required")
		return
	}
	if h.ClosedAt.IsZero() {
		p.Add("closed_at", "When it was closed or cancelled is required")
	}
	if h.State == OrderClosed && h.DoneAt.IsZero() {
		p.Add("done_at", "A closed order needs the time it was done")
	}
	steps := []struct {
		field string
		at    time.Time
	}{{"created_at", h.CreatedAt}, {"assigned_at", h.AssignedAt}, {"accepted_at", h.AcceptedAt}, {"done_at", h.DoneAt}, {"closed_at", h.ClosedAt}}
	last := steps[0]
	for _, s := range steps[1:] {
		if s.at.IsZero() {
			continue
		}
		if s.at.Before(last.at) {
			p.Add(s.field, "The times are out of order: {{.Later}} is before {{.Earlier}}", "Later", s.field, "Earlier", last.field)
		}
		last = s
	}
	for _, s := range steps {
		if s.at.After(now) {
			p.Add(s.field, "{{.Field}} is in the future", "Field", s.field)
		}
	}
}

// order is the work order a checked historical order becomes, numbered id.
func (h *HistoricalOrder) order(id int64, site *Site, setup *OrderSetup, by string, now time.Time) WorkOrder {
	cat, _ := setup.Category(h.Category)
	o := WorkOrder{ID: id, Version: 1, Category: cat.ID, Priority: cat.Priority, State: h.State, Text: strings.TrimSpace(h.Text),
		Place: h.Place, Team: h.Team, Assignee: h.Assignee, Reopened: h.Reopened,
		Reporter:  Reporter{Via: h.via(), By: h.ReportedBy, Name: strings.TrimSpace(h.ReporterName), Phone: strings.TrimSpace(h.ReporterPhone)},
		CreatedAt: h.CreatedAt, AssignedAt: h.AssignedAt, AcceptedAt: h.AcceptedAt, DoneAt: h.DoneAt, ClosedAt: h.ClosedAt}
	if h.Priority != 0 {
		o.Priority = h.Priority
	}
	placeGrid(site, &o.Place)
	if o.Reporter.Name != "" || o.Reporter.Phone != "" {
		o.Reporter.Key = o.Subject() // sealed by the store, as a resident's
	}
	start := h.AssignedAt
	if start.IsZero() {
		start = h.CreatedAt
	}
	o.AcceptDue, o.DoneDue = start.Add(cat.AcceptWithin.D()), h.CreatedAt.Add(cat.DoneWithin.D())
	note := strings.TrimSpace(h.Note)
	if h.State == OrderClosed {
		o.ProofNote = note
		if h.Stars > 0 {
			o.Rating = &Rating{Stars: h.Stars, Comment: strings.TrimSpace(h.Comment), At: h.ClosedAt}
		}
	}
	// The timeline from the historical times: who reported it (or the administrator, for a
	// caller or an unknown reporter), who worked on it; then the import itself.
	reporter := h.ReportedBy
	if reporter == "" {
		reporter = by
	}
	worker := h.Assignee
	if worker == "" {
		worker = by
	}
	o.Steps = []OrderStep{{At: h.CreatedAt, By: reporter, Kind: KindOrderCreated, Note: o.Text, State: OrderNew}}
	if !h.AssignedAt.IsZero() && (h.Team != "" || h.Assignee != "") {
		o.Steps = append(o.Steps, OrderStep{At: h.AssignedAt, By: by, Kind: KindOrderAssigned, To: assignedTo(h.Team, h.Assignee), State: OrderAssigned})
	}
	if !h.AcceptedAt.IsZero() {
		o.Steps = append(o.Steps, OrderStep{At: h.AcceptedAt, By: worker, Kind: KindOrderAccepted, State: OrderAccepted})
	}
	if !h.DoneAt.IsZero() {
		o.Steps = append(o.Steps, OrderStep{At: h.DoneAt, By: worker, Kind: KindOrderDone, Note: o.ProofNote, State: OrderDone})
	}
	end := KindOrderClosed
	if h.State == OrderCancelled {
		end = KindOrderCancelled
	}
	endNote := ""
	if h.State == OrderCancelled {
		endNote = note
	}
	o.Steps = append(o.Steps, OrderStep{At: h.ClosedAt, By: by, Kind: end, Note: endNote, State: h.State})
	ref := ""
	if h.Ref != "" {
		ref = "ref:" + strings.TrimSpace(h.Ref)
	}
	o.Steps = append(o.Steps, OrderStep{At: now, By: by, Kind: KindOrderImported, Note: ref, State: h.State})
	return o
}
