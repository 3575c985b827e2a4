package app

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Work orders (工单) are the daily loop of community safety: 发现 → 上报 → 派单 → 处置 → 反馈 →
// 考核. Somebody notices a hazard (a grid worker, a guard, a resident, a sensor), it becomes an
// order, the dispatch rules give it to whoever must fix it, it is tracked to closure within
// its category's time limits with proof, and each grid is assessed on it.
//
// Every change of an order is one journal entry whose data is the whole order as it stands
// after the change (as alarms are journaled), so an order at any instant is its latest entry
// up to that instant: the board, replay and the assessment read the same record.

// OrderState is where a work order stands in its lifecycle.
type OrderState string

const (
	OrderNew        OrderState = "new"         // reported, nobody assigned yet (no rule matched)
	OrderAssigned   OrderState = "assigned"    // given to a team or a person, not yet accepted
	OrderAccepted   OrderState = "accepted"    // somebody took it
	OrderInProgress OrderState = "in_progress" // work reported on it
	OrderDone       OrderState = "done"        // the worker says it is fixed, with proof; awaiting verification
	OrderClosed     OrderState = "closed"      // verified and closed
	OrderCancelled  OrderState = "cancelled"   // not to be done, with a reason
	OrderMerged     OrderState = "merged"      // a duplicate of another order
)

// OrderStates lists the states in the order of the board's columns.
var OrderStates = []OrderState{OrderNew, OrderAssigned, OrderAccepted, OrderInProgress, OrderDone, OrderClosed, OrderCancelled, OrderMerged}

// Open reports whether the order still needs somebody.
func (s OrderState) Open() bool {
	return s != OrderClosed && s != OrderCancelled && s != OrderMerged
}

// Label is the English name of the state (the translation key).
func (s OrderState) Label() string {
	switch s {
	case OrderNew:
		return "Order: new" // not "New", which names a new alarm (新报警)
	case OrderAssigned:
		return "Assigned"
	case OrderAccepted:
		return "Accepted"
	case OrderInProgress:
		return "In progress"
	case OrderDone:
		return "Done, to verify"
	case OrderClosed:
		return "Closed"
	case OrderCancelled:
		return "Cancelled"
	case OrderMerged:
		return "Merged"
	}
	return string(s)
}

// OrderSource says how an order came in.
type OrderSource string

const (
	FromConsole    OrderSource = "console"    // an operator at the console
	FromPhone      OrderSource = "phone"      // a grid worker or staff member on the phone page
	FromResident   OrderSource = "resident"   // a resident's report (the QR page), no account
	FromAlarm      OrderSource = "alarm"      // an alarm on the desk dispatched as an order
	FromIntake     OrderSource = "intake"     // a phoned-in or walk-in report (接警登记)
	FromInspection OrderSource = "inspection" // a patrol or inspection
	FromDevice     OrderSource = "device"     // a device fault, automatically
	FromSupplies   OrderSource = "supplies"   // expired or short emergency supplies, automatically
)

// Label is the English name of the source (the translation key).
func (s OrderSource) Label() string {
	switch s {
	case FromConsole:
		return "Console"
	case FromPhone:
		return "Phone"
	case FromResident:
		return "Resident"
	case FromAlarm:
		return "Alarm"
	case FromIntake:
		return "Phoned-in report"
	case FromInspection:
		return "Inspection"
	case FromDevice:
		return "Device fault"
	case FromSupplies:
		return "Supplies"
	}
	return string(s)
}

// ResidentActor is the journal's "who" of what a resident does without an account (a report
// from the QR page, a rating).
const ResidentActor = "resident"

// Reporter is who reported an order. A member of the public's name and phone are personal:
// the store seals them under Key (reporter_key), and lists show them masked.
type Reporter struct {
	Via   OrderSource `json:"via"`
	By    string      `json:"by,omitempty"`           // the account that reported it, or alarm:N, device:ID
	Key   string      `json:"reporter_key,omitempty"` // order:<id>: the key a resident's name and phone are sealed under
	Name  string      `json:"name,omitempty"`
	Phone string      `json:"phone,omitempty"`
}

// OrderPlace is where the order is: a building (with unit and flat), a grid, a point on the
// site plan, or several of these.
type OrderPlace struct {
	Building string `json:"building,omitempty"`
	Unit     int    `json:"unit,omitempty"`
	Flat     string `json:"flat,omitempty"` // e.g. 1502
	GridID   string `json:"grid,omitempty"`
	Position *Point `json:"position,omitempty"`
	Note     string `json:"note,omitempty"` // e.g. "north stairwell, 3rd floor"
}

// Empty reports whether the place says nothing.
func (p OrderPlace) Empty() bool {
	return p.Building == "" && p.GridID == "" && p.Position == nil && strings.TrimSpace(p.Note) == ""
}

// OrderStep is one line of an order's timeline.
type OrderStep struct {
	At     time.Time  `json:"at"`
	By     string     `json:"by"`
	Kind   EntryKind  `json:"kind"`
	Note   string     `json:"note,omitempty"`
	Photos []string   `json:"photos,omitempty"`
	To     string     `json:"to,omitempty"` // assigned or escalated to: team:<id> or a user name
	State  OrderState `json:"state"`
}

// Escalation is one step up of an order that was not accepted or not done in time.
type Escalation struct {
	Stage string    `json:"stage"` // accept or done
	Level int       `json:"level"` // 1: the grid's leader, 2: the property manager
	To    string    `json:"to,omitempty"`
	At    time.Time `json:"at"`    // when it fell due
	Alarm int64     `json:"alarm"` // the P3 notice raised on the alarm desk
}

// Escalation stages.
const (
	StageAccept = "accept"
	StageDone   = "done"
)

// Rating is a reporter's verdict on how the order was handled (满意度), 1–5.
type Rating struct {
	Stars   int       `json:"stars"`
	Comment string    `json:"comment,omitempty"`
	At      time.Time `json:"at"`
}

// WorkOrder is one work order.
type WorkOrder struct {
	ID       int64      `json:"id"`
	Version  int        `json:"version"` // one more with every change: a change made on an older version is refused
	Category string     `json:"category"`
	Priority Priority   `json:"priority"`
	State    OrderState `json:"state"`
	Text     string     `json:"text"` // what was reported
	Photos   []string   `json:"photos,omitempty"`
	Place    OrderPlace `json:"place"`
	Reporter Reporter   `json:"reporter"`
	// Receipt is the number a resident follows the report with (no account): hard to guess.
	Receipt string `json:"receipt,omitempty"`
	// AutoKey marks an order made automatically for a cause (device:ID:kind, supply:point:item):
	// one open order per cause.
	AutoKey string `json:"auto_key,omitempty"`

	Team     string `json:"team,omitempty"`     // the team it is assigned to
	Assignee string `json:"assignee,omitempty"` // the person (user name): set when assigned to one, or when a team member accepts
	Rule     string `json:"rule,omitempty"`     // the dispatch rule that assigned it

	CreatedAt  time.Time `json:"created_at"`
	AssignedAt time.Time `json:"assigned_at,omitzero"`
	AcceptedAt time.Time `json:"accepted_at,omitzero"`
	DoneAt     time.Time `json:"done_at,omitzero"`
	ClosedAt   time.Time `json:"closed_at,omitzero"`
	AcceptDue  time.Time `json:"accept_due,omitzero"` // to be accepted by then
	DoneDue    time.Time `json:"done_due,omitzero"`   // to be done by then

	ProofNote   string       `json:"proof_note,omitempty"`
	ProofPhotos []string     `json:"proof_photos,omitempty"`
	Escalations []Escalation `json:"escalations,omitempty"`
	Alarms      []int64      `json:"alarms,omitempty"` // linked alarms
	MergedInto  int64        `json:"merged_into,omitempty"`
	Reopened    int          `json:"reopened,omitempty"`
	Rating      *Rating      `json:"rating,omitempty"`
	Steps       []OrderStep  `json:"steps"`
}

// Subject is the order's journal subject.
func (o *WorkOrder) Subject() string { return SubjectOrder(o.ID) }

// SubjectOrder is the journal subject of order id.
func SubjectOrder(id int64) string { return "order:" + strconv.FormatInt(id, 10) }

// Number is how people say the order: #42.
func (o *WorkOrder) Number() string { return "#" + strconv.FormatInt(o.ID, 10) }

// Overdue reports whether the order is late at now: not accepted by its acceptance limit, or
// not done by its time limit.
func (o *WorkOrder) Overdue(now time.Time) bool {
	if !o.State.Open() || o.State == OrderDone {
		return false
	}
	if o.AcceptedAt.IsZero() && !o.AcceptDue.IsZero() && !now.Before(o.AcceptDue) {
		return true
	}
	return !o.DoneDue.IsZero() && !now.Before(o.DoneDue)
}

// DoneInTime reports whether the order was done within its time limit (false while not done).
func (o *WorkOrder) DoneInTime() bool {
	return !o.DoneAt.IsZero() && (o.DoneDue.IsZero() || !o.DoneAt.After(o.DoneDue))
}

// AcceptedInTime reports whether the order was accepted within its acceptance limit.
func (o *WorkOrder) AcceptedInTime() bool {
	return !o.AcceptedAt.IsZero() && (o.AcceptDue.IsZero() || !o.AcceptedAt.After(o.AcceptDue))
}

// Limits on what an order holds: a phone's report cannot grow the journal without bound.
const (
	MaxOrderText   = 2000 // characters of a report, a note, a reason
	MaxOrderPhotos = 6    // photos with one report or one step
	MaxOrderSteps  = 500  // steps of one order's timeline
)

// checkOrderText checks a free text of an order: required or not, and its length.
func checkOrderText(p *Problems, field, text string, required bool) {
	switch {
	case required && strings.TrimSpace(text) == "":
		p.Add(field, "Say what it is about")
	case utf8.RuneCountInString(text) > MaxOrderText:
		p.Add(field, "At most {{.N}} characters", "N", MaxOrderText)
	}
}

func checkOrderPhotos(p *Problems, field string, photos []string) {
	if len(photos) > MaxOrderPhotos {
		p.Add(field, "At most {{.N}} photos at a time", "N", MaxOrderPhotos)
	}
	for _, ph := range photos {
		if !ValidPhotoName(ph) {
			p.Add(field, "{{.Name}} is not a stored photo", "Name", ph)
		}
	}
}

// ValidPhotoName reports whether name is a photo name the photo store gives: letters,
// digits, '-', '_' and one extension, no path.
func ValidPhotoName(name string) bool {
	if name == "" || len(name) > 100 || strings.Count(name, ".") > 1 || strings.HasPrefix(name, ".") {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// checkPlace checks a place against the site.
func checkPlace(p *Problems, site *Site, pl OrderPlace) {
	if pl.Empty() {
		p.Add("place", "Say where it is: a building, a grid or a point on the map")
		return
	}
	if site == nil {
		return
	}
	if pl.Building != "" {
		b, ok := site.Building(pl.Building)
		switch {
		case !ok:
			p.Add("place", "There is no building {{.ID}}", "ID", pl.Building)
		case pl.Unit < 0 || (b.Units > 0 && pl.Unit > b.Units):
			p.Add("place", "Building {{.B}} has no unit {{.U}}", "B", b.Name, "U", pl.Unit)
		}
	}
	if pl.GridID != "" {
		if _, ok := site.Grid(pl.GridID); !ok {
			p.Add("place", "There is no grid {{.ID}}", "ID", pl.GridID)
		}
	}
	if utf8.RuneCountInString(pl.Flat) > 20 {
		p.Add("place", "A flat number has at most 20 characters")
	}
	if utf8.RuneCountInString(pl.Note) > 200 {
		p.Add("place", "At most {{.N}} characters", "N", 200)
	}
}

// placeGrid fills the place's grid from its building or its point when it names none.
func placeGrid(site *Site, pl *OrderPlace) {
	if site == nil || pl.GridID != "" {
		return
	}
	if pl.Building != "" {
		if b, ok := site.Building(pl.Building); ok && b.GridID != "" {
			pl.GridID = b.GridID
			return
		}
	}
	if pl.Position != nil {
		if g, ok := site.GridAt(*pl.Position); ok {
			pl.GridID = g.ID
		}
	}
}
