package notify

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"watchpost/app"
	"watchpost/assets/i18n"
)

// Orders posts the work orders' notices (a new order, one reassigned, one escalated) to the
// group robots of the teams concerned, and journals every delivery's state through the core.
// The teams' robots follow the order set-up: changed robots are replaced (their queues kept),
// removed ones removed.
type Orders struct {
	core   *app.Core
	poster *Poster
	base   func() string // the phone pages' address, for the links
	lang   string
	log    *slog.Logger

	// deliveries carries the Poster's reports to the journal: the Poster reports under its
	// lock and must not wait for a disk.
	deliveries chan Delivery
	dropped    atomic.Int64
}

// DeliveryQueue is how many delivery reports may wait to be journaled.
const DeliveryQueue = 1024

// robotPrefix names a team's robot channel.
const robotPrefix = "team:"

// OrdersOptions are what the work orders' notices are posted with.
type OrdersOptions struct {
	Lang   string        // the site's language ("" : zh-CN)
	Base   func() string // the phone pages' address, for the links
	Log    *slog.Logger
	Client *http.Client // default: the Poster's
}

// NewOrders builds the poster of the work orders' notices.
func NewOrders(core *app.Core, oo OrdersOptions) *Orders {
	if oo.Log == nil {
		oo.Log = slog.Default()
	}
	if oo.Lang == "" {
		oo.Lang = "zh-CN"
	}
	if oo.Base == nil {
		oo.Base = func() string { return "" }
	}
	tr := i18n.For(oo.Lang)
	o := &Orders{core: core, base: oo.Base, lang: oo.Lang, log: oo.Log, deliveries: make(chan Delivery, DeliveryQueue)}
	o.poster = NewPoster(Options{Clock: core.Clock, Log: oo.Log, Translate: tr.Translate, Report: o.report, Client: oo.Client})
	return o
}

// Poster is the poster the notices go through (its Run is one of the parts).
func (o *Orders) Poster() *Poster { return o.poster }

func (o *Orders) report(d Delivery) {
	select {
	case o.deliveries <- d:
	default:
		o.dropped.Add(1) // counted and logged by Run: the message itself still goes
	}
}

// Notice posts one of the core's notices (app.WorkOrders.OnNotice).
func (o *Orders) Notice(n app.OrderNotice) {
	m := o.message(n)
	if err := o.poster.Post(robotPrefix+n.Team.ID, m); err != nil {
		o.log.Warn("a work order's notice could not be queued", "order", n.Order.ID, "team", n.Team.ID, "err", err)
	}
}

// message writes the notice in the site's language.
func (o *Orders) message(n app.OrderNotice) Message {
	tr := i18n.For(o.lang)
	en := tr.English()
	ord := n.Order
	cat := ord.Category
	if c, ok := o.core.Orders.Category(ord.Category); ok {
		cat = c.Display(en)
	}
	m := Message{ID: n.ID, Group: "{{.Count}} new work orders"}
	switch n.Event {
	case app.KindOrderEscalated:
		m.Title = tr.T("Order {{.N}} is late: {{.Cat}}", map[string]any{"N": ord.Number(), "Cat": cat})
	default:
		m.Title = tr.T("New work order {{.N}}: {{.Cat}}", map[string]any{"N": ord.Number(), "Cat": cat})
	}
	var lines []string
	if place := o.place(ord.Place, en); place != "" {
		lines = append(lines, tr.T("Where: {{.Place}}", map[string]any{"Place": place}))
	}
	if t := strings.TrimSpace(ord.Text); t != "" {
		lines = append(lines, tr.T("What: {{.Text}}", map[string]any{"Text": t}))
	}
	loc := o.core.Inventory.Site().Location()
	if n.Event == app.KindOrderEscalated {
		if n.To != "" {
			lines = append(lines, tr.T("Escalated to {{.Who}}", map[string]any{"Who": o.name(n.To)}))
		}
	} else if !ord.AcceptedAt.IsZero() || !ord.AcceptDue.IsZero() {
		lines = append(lines, tr.T("Accept by {{.Time}}, finish by {{.Done}}", map[string]any{
			"Time": ord.AcceptDue.In(loc).Format("01-02 15:04"), "Done": ord.DoneDue.In(loc).Format("01-02 15:04")}))
	}
	m.Text = strings.Join(lines, "\n\n")
	if b := strings.TrimRight(o.base(), "/"); b != "" {
		m.Link = b + "/orders/" + strconv.FormatInt(ord.ID, 10)
	}
	return m
}

func (o *Orders) place(p app.OrderPlace, en bool) string {
	site := o.core.Inventory.Site()
	var parts []string
	if b, ok := site.Building(p.Building); ok {
		parts = append(parts, b.Display(en))
	}
	if p.Unit > 0 {
		parts = append(parts, i18n.For(o.lang).T("Unit {{.N}}", map[string]any{"N": p.Unit}))
	}
	if p.Flat != "" {
		parts = append(parts, p.Flat)
	}
	if len(parts) == 0 {
		if g, ok := site.Grid(p.GridID); ok {
			parts = append(parts, g.Display(en))
		}
	}
	if p.Note != "" {
		parts = append(parts, p.Note)
	}
	return strings.Join(parts, " ")
}

// name is a user's full name (their user name when unknown).
func (o *Orders) name(user string) string {
	if op, err := o.core.Accounts.Get(context.Background(), user); err == nil && op.Name != "" {
		return op.Name
	}
	return user
}

// SyncRobots makes the poster's robots those of the order set-up's teams.
func (o *Orders) SyncRobots() {
	want := map[string]bool{}
	for _, t := range o.core.Orders.Setup().Teams {
		if t.Robot == nil {
			continue
		}
		name := robotPrefix + t.ID
		want[name] = true
		if err := o.poster.AddRobot(Robot{Name: name, Kind: Kind(t.Robot.Kind), Webhook: t.Robot.Webhook, Secret: t.Robot.Secret}); err != nil {
			o.log.Warn("a team's group robot cannot be used", "team", t.ID, "err", err)
		}
	}
	for _, name := range o.poster.channelNames() {
		if strings.HasPrefix(name, robotPrefix) && !want[name] {
			o.poster.RemoveChannel(name)
		}
	}
}

// Run keeps the robots in step with the set-up and journals the deliveries, until ctx ends.
func (o *Orders) Run(ctx context.Context) error {
	sub := o.core.Bus.Subscribe(16, func(e *app.Entry) bool { return e.Kind == app.KindOrderSetupChanged })
	defer sub.Close()
	o.SyncRobots()
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-sub.C():
			o.SyncRobots()
		case d := <-o.deliveries:
			o.journal(ctx, d)
		case <-tick.C:
			if n := o.dropped.Swap(0); n > 0 {
				o.log.Warn("delivery reports of work orders' notices were not journaled (too many at once)", "dropped", n)
			}
		}
	}
}

func (o *Orders) journal(ctx context.Context, d Delivery) {
	order, team := noticeOrder(d.MessageID)
	nd := app.NoticeDelivery{Notice: d.MessageID, Order: order, Team: team, State: string(d.State), Attempt: d.Attempt, At: d.At}
	if d.Error != "" {
		nd.Error = i18n.For(o.lang).Translate(d.Error, d.ErrorArgs) // already masked: never a key or a secret
	}
	if err := o.core.Orders.NoteDelivery(ctx, nd); err != nil {
		o.log.Warn("a notice's delivery could not be journaled", "notice", d.MessageID, "state", d.State, "err", err)
	}
}

// noticeOrder reads the order and the team from a notice's ID (order:<id>:<event>:<version>:<team>,
// "+merged" after a merged message's first).
func noticeOrder(id string) (int64, string) {
	id = strings.TrimSuffix(id, "+merged")
	parts := strings.Split(id, ":")
	if len(parts) < 5 || parts[0] != "order" {
		return 0, ""
	}
	n, _ := strconv.ParseInt(parts[1], 10, 64)
	return n, parts[len(parts)-1]
}

// String is for logs.
func (o *Orders) String() string {
	return fmt.Sprintf("notify.Orders(%d robots)", len(o.poster.channelNames()))
}
