package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/testkit"
)

// The work-order board on the real core: orders reported through the core reach their
// column through the journal's bus, as another console's or a phone's would.

// orderClock is when the orders' tests start (a weekday morning in the site's time zone).
var orderClock = time.Date(2026, 12, 7, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))

// newOrderConsole is a test console whose core runs on a clock the test moves.
func newOrderConsole(t *testing.T) (*Console, *testkit.Clock) {
	t.Helper()
	clock := testkit.NewClock(orderClock)
	seeds := testkit.DemoSeeds()
	seeds.DemoOrderSetup = nil // no dispatch rules: a new order waits on the board for an operator
	env := testkit.New(t, testkit.Options{Config: enConfig(), Clock: clock, Seeds: &seeds})
	return consoleOn(t, env), clock
}

// The test's grid worker, who takes orders, in the team of grid 1.
const (
	testWorker     = "gridtester"
	testWorkerName = "张伟"
	testTeam       = "grid1team"
)

// setUpOrderTeam adds a grid worker's account and a team for grid 1 (no dispatch rule: new
// orders wait on the board for an operator).
func setUpOrderTeam(t *testing.T, c *Console) *app.Operator {
	t.Helper()
	ctx := context.Background()
	admin, err := c.core.Accounts.SignIn(ctx, "admin", "sunshine-demo")
	require.NoError(t, err)
	w, err := c.core.Accounts.Create(ctx, admin, app.Operator{Username: testWorker, Name: testWorkerName, Role: app.RoleGridWorker}, "Grid-worker-2026")
	require.NoError(t, err)
	require.NoError(t, c.core.Orders.SaveSetup(ctx, admin, app.OrderSetup{Categories: app.DefaultOrderCategories(),
		Teams: []app.Team{{ID: testTeam, Names: app.Names{Name: "第一网格组", NameEn: "Grid 1 team"}, Members: []string{testWorker}, Leader: testWorker, Grids: []string{"g1"}}}}))
	return &w
}

// reportOrder reports an order as the signed-in operator.
func reportOrder(t *testing.T, c *Console, cat, building, text string) app.WorkOrder {
	t.Helper()
	o, err := c.core.Orders.Report(context.Background(), c.Operator(), app.OrderRequest{Category: cat, Text: text, Place: app.OrderPlace{Building: building}})
	require.NoError(t, err)
	return o
}

func ordersPanelOf(t *testing.T, c *Console) *ordersPanel {
	t.Helper()
	serialUI(func() { c.shell.show("orders") })
	p, ok := c.shell.built["orders"].(*ordersPanel)
	require.True(t, ok)
	return p
}

// column returns the board's column of a state.
func (p *ordersPanel) column(s app.OrderState) *orderColumn {
	for _, col := range append(append([]*orderColumn(nil), p.cols...), p.closedC) {
		if containsState(col.states, s) {
			return col
		}
	}
	return nil
}

// ids lists the orders of a column, as the board shows them.
func (col *orderColumn) ids() []int64 {
	var out []int64
	for _, o := range col.orders {
		out = append(out, o.ID)
	}
	return out
}

func boardIDs(p *ordersPanel, s app.OrderState) []int64 {
	return uiGet(func() []int64 { return p.column(s).ids() })
}

func TestTheBoardListsAReportedOrderInItsColumn(t *testing.T) {
	c, _ := newOrderConsole(t)
	p := ordersPanelOf(t, c)
	o := reportOrder(t, c, app.CatClutter, "b03", "3号楼2单元楼道堆放纸箱")
	require.Equal(t, app.OrderNew, o.State, "no rule: it waits for an operator")

	waitFor(t, "the order reaches the New column", func() bool { return len(boardIDs(p, app.OrderNew)) == 1 })
	assert.Equal(t, []int64{o.ID}, boardIDs(p, app.OrderNew))
	assert.Empty(t, boardIDs(p, app.OrderAssigned))
	texts := uiGet(func() []string { return visibleTexts(p.column(app.OrderNew).view) })
	assert.Contains(t, texts, "New  1", "the column counts it")
	assert.Contains(t, texts, "#1")
	assert.Contains(t, texts, "Corridor or exit clutter")
	assert.Contains(t, texts, "Building 3 · Grid 1", "where it is")
	assert.Contains(t, texts, "Not assigned")
	assert.Contains(t, visibleTexts(c.win.Content()), "Late orders 0", "the header counts overdue orders")

	// Tapping its card shows it beside the board; the keyboard stays with the window (F2).
	var card *orderCard
	serialUI(func() {
		walk(p.column(app.OrderNew).view, func(x fyne.CanvasObject) {
			if oc, ok := x.(*orderCard); ok && card == nil {
				card = oc
			}
		})
	})
	require.NotNil(t, card)
	tap(card)
	assert.Equal(t, o.ID, p.selected)
	assert.Nil(t, c.win.Canvas().Focused(), "no list keeps the keyboard")

	detail := strings.Join(uiGet(func() []string { return visibleTexts(p.detail.content) }), "\n")
	assert.Contains(t, detail, "3号楼2单元楼道堆放纸箱")
	assert.Contains(t, detail, "reported")
}

func TestTheBoardFiltersByGridCategoryAssigneeOverdueAndText(t *testing.T) {
	c, clock := newOrderConsole(t)
	setUpOrderTeam(t, c)
	p := ordersPanelOf(t, c)
	a := reportOrder(t, c, app.CatClutter, "b03", "楼道堆物")        // grid 1
	b := reportOrder(t, c, app.CatFacility, "b05", "单元门坏了")      // grid 2
	late := reportOrder(t, c, app.CatFireHazard, "b01", "灭火器过期") // grid 1, 30 min to accept
	_, err := c.core.Orders.Assign(context.Background(), c.Operator(), a.ID, a.Version, testTeam, "", "")
	require.NoError(t, err)
	waitFor(t, "the board has all three", func() bool {
		return len(boardIDs(p, app.OrderNew)) == 2 && len(boardIDs(p, app.OrderAssigned)) == 1
	})

	shown := func() []int64 {
		return uiGet(func() []int64 {
			var out []int64
			for _, col := range p.columns() {
				out = append(out, col.ids()...)
			}
			return out
		})
	}
	serialUI(func() { p.grid.SetSelected("Grid 2") })
	assert.Equal(t, []int64{b.ID}, shown(), "grid 2's")
	serialUI(func() { p.grid.SetSelectedIndex(0); p.category.SetSelected("Fire hazard") })
	assert.Equal(t, []int64{late.ID}, shown(), "fire hazards")
	serialUI(func() { p.category.SetSelectedIndex(0); p.assignee.SetSelected("Team Grid 1 team") })
	assert.Equal(t, []int64{a.ID}, shown(), "the team's")
	serialUI(func() { p.assignee.SetSelected("Not assigned") })
	assert.ElementsMatch(t, []int64{b.ID, late.ID}, shown(), "nobody's yet")
	serialUI(func() { p.assignee.SetSelectedIndex(0) })
	typeIn(p.search, "单元门")
	assert.Equal(t, []int64{b.ID}, shown(), "found by its text")
	serialUI(func() { p.search.SetText("#" + itoa64(late.ID)) })
	assert.Equal(t, []int64{late.ID}, shown(), "found by its number")
	serialUI(func() { p.search.SetText("") })

	// 40 minutes on, the fire hazard is not accepted in time: overdue, red, first.
	serialUI(func() { p.overdue.SetChecked(true) })
	assert.Empty(t, shown(), "nothing is late yet")
	clock.Add(40 * time.Minute)
	waitFor(t, "the board paints the overdue mark within its repaint", func() bool {
		ids := shown()
		return len(ids) == 1 && ids[0] == late.ID
	})
	texts := uiGet(func() []string { return visibleTexts(p.column(app.OrderNew).view) })
	assert.Contains(t, texts, "10 min late")
}

func itoa64(n int64) string { return strings.TrimPrefix(app.SubjectOrder(n), "order:") }

// The header counts the overdue orders by the core's clock, red; a tap opens the board
// filtered to them.
func TestTheHeaderCountsOverdueOrders(t *testing.T) {
	c, clock := newOrderConsole(t)
	p := ordersPanelOf(t, c)
	o := reportOrder(t, c, app.CatOther, "b02", "路灯不亮") // two hours to accept
	header := func() string {
		return strings.Join(uiGet(func() []string { return visibleTexts(c.shell.header.content) }), "\n")
	}
	// The order's entry has reached the console (the board shows it): no entry comes when it
	// falls due, the header counts again by the clock.
	waitFor(t, "the board has the order", func() bool { return len(boardIDs(p, app.OrderNew)) == 1 })
	assert.Contains(t, header(), "Late orders 0")

	clock.Add(2*time.Hour + time.Minute)
	waitFor(t, "the header counts it once it is late", func() bool { return strings.Contains(header(), "Late orders 1") })
	assert.Equal(t, themeColor(colorP1), uiGet(func() any { return c.shell.header.orders.badge.b.bg.FillColor }), "red")

	serialUI(func() { c.ShowPanel("wall") })
	tap(c.shell.header.orders.badge)
	assert.Equal(t, "orders", c.shell.current)
	assert.True(t, p.overdue.Checked, "filtered to the overdue orders")
	assert.Equal(t, []int64{o.ID}, boardIDs(p, app.OrderNew))
}

// A role that does not see orders has neither the board nor the counter.
func TestATrainerSeesNoWorkOrders(t *testing.T) {
	c, _ := newOrderConsole(t)
	trainer, err := c.core.Accounts.SignIn(context.Background(), "trainer", "sunshine-demo")
	require.NoError(t, err)
	serialUI(func() { c.signedIn(trainer) })
	for _, p := range c.shell.panels {
		assert.NotEqual(t, "orders", p.ID)
	}
	assert.False(t, c.shell.header.orders.content.Visible())
}

// The site map shows the open orders as pins at their place; a tap on one opens it on the
// board.
func TestTheMapShowsOpenOrdersAndOpensOneOnTheBoard(t *testing.T) {
	c, clock := newOrderConsole(t)
	board := ordersPanelOf(t, c)
	o := reportOrder(t, c, app.CatFireHazard, "b03", "楼道里有电动车充电")
	// Its entry has reached the console's panels: no entry comes when it falls due.
	waitFor(t, "the board has the order", func() bool { return len(boardIDs(board, app.OrderNew)) == 1 })
	serialUI(func() { c.shell.show("map") })
	m := c.shell.built["map"].(*mapPanel)
	m.m.animate = false
	waitFor(t, "the pin is placed on the drawn map", func() bool {
		return uiGet(func() bool { return m.m.r.Image() != nil && len(m.m.pinRects) == 1 })
	})
	pin := uiGet(func() orderPin { return m.m.orderPins[0] })
	assert.Equal(t, o.ID, pin.id)
	b, _ := c.core.Inventory.Site().Building("b03")
	assert.Equal(t, b.Footprint.Centroid(), pin.at, "at its building's middle")
	assert.False(t, pin.overdue)

	clock.Add(time.Hour) // not accepted within 30 minutes
	waitFor(t, "the pin turns red", func() bool { return uiGet(func() bool { return m.m.orderPins[0].overdue }) })
	assert.Equal(t, themeColor(colorP1), uiGet(func() any { return m.m.pinPool[0].plate.FillColor }))

	// The layer can be switched off and on.
	serialUI(func() { m.ordersOn = false; m.refreshOrders() })
	assert.Empty(t, m.m.pinRects)
	serialUI(func() { m.ordersOn = true; m.refreshOrders() })

	at := uiGet(func() fyne.Position { return m.m.pinRects[0].pos.AddXY(pinSize/2, pinSize/2) })
	serialUI(func() { test.TapAt(m.m, at) })
	assert.Equal(t, "orders", c.shell.current)
	p := ordersPanelOf(t, c)
	assert.Equal(t, o.ID, p.selected)
	assert.Contains(t, uiGet(func() []string { return visibleTexts(p.detail.content) }), "楼道里有电动车充电")
}

// findSelectHint finds a list by its placeholder.
func findSelectHint(o fyne.CanvasObject, hint string) *widget.Select {
	var found *widget.Select
	walk(o, func(x fyne.CanvasObject) {
		if s, ok := x.(*widget.Select); ok && s.PlaceHolder == hint && found == nil {
			found = s
		}
	})
	return found
}
