package web

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"watchpost/app"
	"watchpost/assets/i18n"
)

// How an order's facts read on a phone, in the page's language: names of categories,
// places, teams and people (data, with a Chinese and an English name), times in the site's
// time zone, and spans of time ("1 h 20 min"). The core keeps ids and instants; the words
// are made here.

// namer turns an order's ids into names for one page. People's names are read from the
// accounts once per page (the order page; My tasks, which is polled, needs none).
type namer struct {
	tr    i18n.Translator
	site  *app.Site
	setup app.OrderSetup
	loc   *time.Location
	now   time.Time
	core  *app.Core
	ctx   context.Context
	names map[string]string
}

func newNamer(ctx context.Context, c *Context) *namer {
	n := &namer{tr: c.T, core: c.Core, ctx: ctx, setup: c.Core.Orders.Setup(), now: c.Core.Clock.Now(), loc: app.DefaultLocation()}
	if c.Core.Inventory != nil {
		n.site = c.Core.Inventory.Site()
	}
	if n.site != nil {
		n.loc = n.site.Location()
	}
	return n
}

func (n *namer) english() bool { return n.tr.English() }

// category is the name of a category of orders (its id when the set-up lost it).
func (n *namer) category(id string) string {
	if c, ok := n.setup.Category(id); ok {
		return c.Display(n.english())
	}
	return id
}

// team is a team's name.
func (n *namer) team(id string) string {
	if t, ok := n.setup.Team(id); ok {
		return t.Display(n.english())
	}
	return id
}

// person is the name of whoever did a step: an account's name, the system, a resident, an
// alarm or a device.
func (n *namer) person(who string) string {
	switch {
	case who == "":
		return ""
	case who == app.SystemActor:
		return n.tr.T("Watchpost (automatic)")
	case who == app.ResidentActor:
		return n.tr.T("A resident")
	case strings.HasPrefix(who, "alarm:"):
		return n.tr.T("Alarm {{.N}}", map[string]any{"N": strings.TrimPrefix(who, "alarm:")})
	case strings.HasPrefix(who, "device:"):
		return n.tr.T("Device {{.ID}}", map[string]any{"ID": strings.TrimPrefix(who, "device:")})
	}
	if name, ok := n.names[who]; ok {
		return name
	}
	name := who
	if n.core != nil && n.core.Accounts != nil {
		if op, err := n.core.Accounts.Get(n.ctx, who); err == nil && op.Name != "" {
			name = op.Name
		}
	}
	if n.names == nil {
		n.names = map[string]string{}
	}
	n.names[who] = name
	return name
}

// to is whom an order was given or escalated to: team:<id> or a user name.
func (n *namer) to(to string) string {
	if id, ok := strings.CutPrefix(to, "team:"); ok {
		return n.team(id)
	}
	if id, ok := strings.CutPrefix(to, "order:"); ok {
		return "#" + id
	}
	return n.person(to)
}

// assignee is whom the order is with now: the person, else the team; "" when nobody.
func (n *namer) assignee(o *app.WorkOrder) string {
	switch {
	case o.Assignee != "":
		return n.person(o.Assignee)
	case o.Team != "":
		return n.team(o.Team)
	}
	return ""
}

// place is where an order is, in one line: building, unit, flat, the note, and the grid.
func (n *namer) place(p app.OrderPlace) string {
	var parts []string
	if p.Building != "" {
		b := p.Building
		if n.site != nil {
			if x, ok := n.site.Building(p.Building); ok {
				b = x.Display(n.english())
			}
		}
		parts = append(parts, b)
	}
	if p.Unit > 0 {
		parts = append(parts, n.tr.T("unit {{.U}}", map[string]any{"U": p.Unit}))
	}
	if p.Flat != "" {
		parts = append(parts, n.tr.T("flat {{.F}}", map[string]any{"F": p.Flat}))
	}
	if p.Building == "" && p.Position != nil {
		parts = append(parts, n.tr.T("a point on the site plan"))
	}
	if note := strings.TrimSpace(p.Note); note != "" {
		parts = append(parts, note)
	}
	if p.GridID != "" {
		g := p.GridID
		if n.site != nil {
			if x, ok := n.site.Grid(p.GridID); ok {
				g = x.Display(n.english())
			}
		}
		parts = append(parts, g)
	}
	if len(parts) == 0 {
		return n.tr.T("No place given")
	}
	return strings.Join(parts, n.sep())
}

func (n *namer) sep() string {
	if n.english() {
		return ", "
	}
	return "，"
}

// when is an instant in the site's time zone: the time alone today, else with the date.
func (n *namer) when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t, now := t.In(n.loc), n.now.In(n.loc)
	if t.Year() == now.Year() && t.YearDay() == now.YearDay() {
		return t.Format("15:04")
	}
	if n.english() {
		if t.Year() != now.Year() {
			return t.Format("2 Jan 2006 15:04")
		}
		return t.Format("2 Jan 15:04")
	}
	if t.Year() != now.Year() {
		return t.Format("2006年1月2日 15:04")
	}
	return t.Format("1月2日 15:04")
}

// span is a length of time, rounded down to the minute: "1 h 20 min", "2 d 3 h".
func (n *namer) span(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	m := int(d / time.Minute)
	switch {
	case m < 1:
		return n.tr.T("less than a minute")
	case m < 60:
		return n.tr.T("{{.M}} min", map[string]any{"M": m})
	case m < 24*60:
		if m%60 == 0 {
			return n.tr.T("{{.H}} h", map[string]any{"H": m / 60})
		}
		return n.tr.T("{{.H}} h {{.M}} min", map[string]any{"H": m / 60, "M": m % 60})
	}
	h := m / 60
	if h%24 == 0 {
		return n.tr.T("{{.D}} d", map[string]any{"D": h / 24})
	}
	return n.tr.T("{{.D}} d {{.H}} h", map[string]any{"D": h / 24, "H": h % 24})
}

// due says what the order waits for and by when: to be accepted, or to be finished.
func (n *namer) due(o *app.WorkOrder) (what, by string) {
	switch {
	case !o.State.Open() || o.State == app.OrderDone:
		return "", ""
	case o.AcceptedAt.IsZero() && !o.AcceptDue.IsZero():
		return n.tr.T("Accept by"), n.when(o.AcceptDue)
	case !o.DoneDue.IsZero():
		return n.tr.T("Finish by"), n.when(o.DoneDue)
	}
	return "", ""
}

// late says how late an overdue order is ("" when it is not): late to be accepted, or
// late to be finished.
func (n *namer) late(o *app.WorkOrder) string {
	if !o.Overdue(n.now) {
		return ""
	}
	if o.AcceptedAt.IsZero() && !o.AcceptDue.IsZero() && !n.now.Before(o.AcceptDue) &&
		(o.DoneDue.IsZero() || n.now.Before(o.DoneDue)) {
		return n.tr.T("Not accepted: {{.D}} late", map[string]any{"D": n.span(n.now.Sub(o.AcceptDue))})
	}
	return n.tr.T("Not finished: {{.D}} late", map[string]any{"D": n.span(n.now.Sub(o.DoneDue))})
}

// state is the order's state in words. A new order's label ("New") is the alarms' too,
// whose Chinese says "new alarm": the pages say what a new order is.
func (n *namer) state(s app.OrderState) string {
	if s == app.OrderNew {
		return n.tr.T("New, not assigned")
	}
	return n.tr.T(s.Label())
}

// stepLabel is what a step of the timeline was, in words (capitalized in English: the
// core's labels are words inside sentences).
func (n *namer) stepLabel(k app.EntryKind) string {
	s := n.tr.T(app.OrderStepLabel(k))
	if n.english() && s != "" {
		r, size := utf8.DecodeRuneInString(s)
		s = string(unicode.ToUpper(r)) + s[size:]
	}
	return s
}

// number is "#42".
func number(id int64) string { return "#" + strconv.FormatInt(id, 10) }

// tkey marks a text that is translated where it is shown (a message chosen before it is
// passed on): the translation test finds the texts of its calls.
func tkey(english string) string { return english }
