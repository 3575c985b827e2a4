package ui

import (
	"image/color"
	"strconv"
	"strings"
	"time"

	"watchpost/app"
	"watchpost/assets/i18n"
)

// How work orders are said on the console: the board's cards, the order's detail, the alarm
// desk's linked orders and the map's pins say them the same way, in the operator's language
// (category and team names are data with a Chinese and an English name).

// orderCategoryName is a category's name in the operator's language (its ID when the set-up
// no longer has it).
func (c *Console) orderCategoryName(id string) string {
	if cat, ok := c.core.Orders.Category(id); ok {
		return cat.Display(english())
	}
	return id
}

// orderPlaceText says where an order is: its building (unit, flat), else its grid, and the
// note (“north stairwell”); "" when the place says nothing.
func orderPlaceText(o *app.WorkOrder, site *app.Site) string {
	var parts []string
	pl := o.Place
	if pl.Building != "" {
		b := pl.Building
		if site != nil {
			if x, ok := site.Building(pl.Building); ok {
				b = x.Display(english())
			}
		}
		if pl.Unit > 0 {
			b += " " + T("unit {{.N}}", map[string]any{"N": pl.Unit})
		}
		if pl.Flat != "" {
			b += " " + pl.Flat
		}
		parts = append(parts, b)
	} else if pl.GridID != "" {
		parts = append(parts, orderGridName(pl.GridID, site))
	} else if pl.Position != nil {
		parts = append(parts, T("a point on the map"))
	}
	if n := strings.TrimSpace(pl.Note); n != "" {
		parts = append(parts, n)
	}
	return strings.Join(parts, " · ")
}

func orderGridName(id string, site *app.Site) string {
	if site != nil {
		if g, ok := site.Grid(id); ok {
			return g.Display(english())
		}
	}
	return id
}

// orderPoint is where an order is on the site plan: its point, else its building's middle,
// else its grid's.
func orderPoint(o *app.WorkOrder, site *app.Site) (app.Point, bool) {
	if p := o.Place.Position; p != nil {
		return *p, true
	}
	if site == nil {
		return app.Point{}, false
	}
	if b, ok := site.Building(o.Place.Building); ok && len(b.Footprint) > 0 {
		return b.Footprint.Centroid(), true
	}
	if g, ok := site.Grid(o.Place.GridID); ok && len(g.Area) > 0 {
		return g.Area.Centroid(), true
	}
	return app.Point{}, false
}

// teamName is a team's name in the operator's language.
func (c *Console) teamName(id string) string {
	setup := c.core.Orders.Setup()
	if t, ok := setup.Team(id); ok {
		return t.Display(english())
	}
	return id
}

// personName is an account's name (its user name when it has none or is unknown).
func (c *Console) personName(username string) string {
	return operatorName(username, c.operatorDisplay(username))
}

// orderAssignee says who has the order: the person, else the team, else nobody yet.
func (c *Console) orderAssignee(o *app.WorkOrder) string {
	switch {
	case o.Assignee != "" && o.Team != "":
		return c.personName(o.Assignee) + " (" + c.teamName(o.Team) + ")"
	case o.Assignee != "":
		return c.personName(o.Assignee)
	case o.Team != "":
		return c.teamName(o.Team)
	}
	return T("Not assigned")
}

// orderWho says who took a step: a person's name, the system, a resident.
func (c *Console) orderWho(by string) string {
	switch {
	case by == app.SystemActor || by == "":
		return T("system")
	case by == app.ResidentActor:
		return T("a resident")
	case strings.HasPrefix(by, "alarm:"):
		return T("alarm {{.ID}}", map[string]any{"ID": strings.TrimPrefix(by, "alarm:")})
	case strings.HasPrefix(by, "device:"):
		return T("device {{.ID}}", map[string]any{"ID": strings.TrimPrefix(by, "device:")})
	}
	return c.personName(by)
}

// orderTarget says whom a step gave the order to (team:<id>, a user name) or which order it
// joined (order:<id>).
func (c *Console) orderTarget(to string) string {
	switch {
	case to == "":
		return ""
	case strings.HasPrefix(to, "team:"):
		return c.teamName(strings.TrimPrefix(to, "team:"))
	case strings.HasPrefix(to, "order:"):
		return "#" + strings.TrimPrefix(to, "order:")
	}
	return c.personName(to)
}

// orderStepNote is a step's note as the operator reads it: the rule that assigned it is the
// system's own words, translated here; a person's note is shown as written.
func orderStepNote(o *app.WorkOrder, st app.OrderStep) string {
	if r, ok := strings.CutPrefix(st.Note, "rule:"); ok && st.By == app.SystemActor {
		return T("by the dispatch rule {{.Rule}}", map[string]any{"Rule": r})
	}
	if st.Kind == app.KindOrderCreated && st.Note == o.Text {
		return orderText(o)
	}
	return st.Note
}

// orderLate says how late an overdue order is at now ("" when it is not): from the limit it
// missed first (accepting, else finishing).
func orderLate(o *app.WorkOrder, now time.Time) string {
	if d, late := orderLateBy(o, now); late {
		return T("Overdue by {{.D}}", map[string]any{"D": lateText(d)})
	}
	return ""
}

// orderLateShort is orderLate as a card says it, to the hour past an hour ("25 min late",
// "2 h late"): the detail says the minutes.
func orderLateShort(o *app.WorkOrder, now time.Time) string {
	if d, late := orderLateBy(o, now); late {
		if d >= time.Hour && d < 48*time.Hour {
			d = d.Truncate(time.Hour)
		}
		return T("{{.D}} late", map[string]any{"D": lateText(d)})
	}
	return ""
}

// orderLateBy is how late an overdue order is: since the limit it missed first.
func orderLateBy(o *app.WorkOrder, now time.Time) (time.Duration, bool) {
	if !o.Overdue(now) {
		return 0, false
	}
	due := o.DoneDue
	if o.AcceptedAt.IsZero() && !o.AcceptDue.IsZero() && !now.Before(o.AcceptDue) {
		due = o.AcceptDue
	}
	return now.Sub(due), true
}

// lateText says how late, to the minute: "25 min", "2 h 31 min", "3 days".
func lateText(d time.Duration) string {
	d = max(d, time.Minute).Truncate(time.Minute)
	switch {
	case d >= 48*time.Hour:
		return T("{{.N}} days", map[string]any{"N": int(d / (24 * time.Hour))})
	case d >= time.Hour && d%time.Hour == 0:
		return T("{{.N}} h", map[string]any{"N": int(d / time.Hour)})
	case d >= time.Hour:
		return T("{{.H}} h {{.M}} min", map[string]any{"H": int(d / time.Hour), "M": int(d % time.Hour / time.Minute)})
	}
	return T("{{.N}} min", map[string]any{"N": int(d / time.Minute)})
}

// orderAge says how long ago an order was reported.
func (c *Console) orderAge(o *app.WorkOrder) string { return c.ago(o.CreatedAt) }

// orderStateColor is the colour of an order's state badge.
func orderStateColor(s app.OrderState) color.Color {
	switch s {
	case app.OrderNew:
		return themeColor(colorP2)
	case app.OrderAssigned:
		return themeColor(colorP3)
	case app.OrderAccepted, app.OrderInProgress:
		return themeColor(colorP4)
	case app.OrderDone:
		return themeColor(colorDemo)
	case app.OrderClosed:
		return themeColor(colorOK)
	}
	return themeColor(colorOffline)
}

// formatStamp is a moment of an order's life in the header clock's format (without the
// weekday): 2026年12月07日 09:30:00, 07 Dec 2026 09:30:00.
func formatStamp(t time.Time) string {
	t = t.Local()
	if Language() == "zh-CN" {
		return t.Format("2006年01月02日 15:04:05")
	}
	return t.Format("02 Jan 2006 15:04:05")
}

// orderNumberOf reads an order's number as an operator types it: "#42", "42".
func orderNumberOf(s string) (int64, bool) {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "#"))
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n > 0
}

// orderStateText is the translation key of an order's state: "New" alone is an alarm's
// (新报警), so a new order's state has a key of its own (English "New" through en.json).
func orderStateText(s app.OrderState) string {
	if s == app.OrderNew {
		return "Order: new"
	}
	return s.Label()
}

// orderText is what an order is about as the operator reads it: an order the core made (a
// device's fault, expired supplies, an alarm dispatched without a note) says the alarm's
// kind in English, a translation key, translated here; a person's words are shown as written.
func orderText(o *app.WorkOrder) string {
	if len(o.Steps) > 0 && (o.Steps[0].By == app.SystemActor || o.Reporter.Via == app.FromAlarm) && i18n.Known(o.Text) {
		return T(o.Text)
	}
	return o.Text
}
