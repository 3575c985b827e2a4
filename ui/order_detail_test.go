package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/mapdraw"
)

func orderNow(t *testing.T, c *Console, id int64) app.WorkOrder {
	t.Helper()
	o, err := c.core.Orders.Get(context.Background(), id)
	require.NoError(t, err)
	return o
}

func waitOrder(t *testing.T, c *Console, id int64, what string, ok func(o app.WorkOrder) bool) {
	t.Helper()
	waitFor(t, what, func() bool { return ok(orderNow(t, c, id)) })
}

func detailText(p *ordersPanel) string {
	return strings.Join(uiGet(func() []string { return visibleTexts(p.detail.content) }), "\n")
}

// tapDetail taps a button of the order's detail.
func tapDetail(t *testing.T, p *ordersPanel, label string) {
	t.Helper()
	b := uiGet(func() *widget.Button { return findButton(p.detail.content, label) })
	require.NotNil(t, b, "the detail offers %q", label)
	tap(findButton(p.detail.content, label))
}

// From the detail the duty operator assigns a new order to the grid's team; the worker does
// it on the phone; the operator verifies it, then reopens it.
func TestAnOrderIsAssignedVerifiedAndReopenedFromItsDetail(t *testing.T) {
	c, _ := newOrderConsole(t)
	worker := setUpOrderTeam(t, c)
	o := reportOrder(t, c, app.CatOther, "b03", "消防通道被车堵住")
	serialUI(func() { c.ShowOrder(o.ID) })
	p := ordersPanelOf(t, c)
	require.Equal(t, o.ID, p.selected)
	assert.Nil(t, uiGet(func() *widget.Button { return findButton(p.detail.content, "Verify…") }), "nothing to verify yet")

	tapDetail(t, p, "Assign…")
	top := topDialog(t, c)
	to := findSelectHint(top, "A team or a person")
	require.NotNil(t, to)
	assert.Contains(t, to.Options, "Team Grid 1 team")
	assert.Contains(t, to.Options, testWorkerName+" · Grid worker", "a person who takes orders")
	serialUI(func() { to.SetSelected("Team Grid 1 team") })
	confirmDialog(t, c, "Assign")
	waitOrder(t, c, o.ID, "assigned to the team", func(o app.WorkOrder) bool { return o.State == app.OrderAssigned && o.Team == testTeam })
	waitFor(t, "the board moves it", func() bool { return len(boardIDs(p, app.OrderAssigned)) == 1 })
	waitFor(t, "the detail says whom to", func() bool { return strings.Contains(detailText(p), "Grid 1 team") })
	assert.NotNil(t, uiGet(func() *widget.Button { return findButton(p.detail.content, "Reassign…") }), "assigned: it can be reassigned")

	// The worker takes it and reports it done (their phone).
	ctx := context.Background()
	cur := orderNow(t, c, o.ID)
	cur, err := c.core.Orders.Accept(ctx, worker, cur.ID, cur.Version)
	require.NoError(t, err)
	_, err = c.core.Orders.Done(ctx, worker, cur.ID, cur.Version, "车已挪走", nil)
	require.NoError(t, err)
	waitFor(t, "the detail offers to verify it", func() bool { return uiGet(func() bool { return findButton(p.detail.content, "Verify…") != nil }) })
	assert.Contains(t, detailText(p), "车已挪走")

	tapDetail(t, p, "Verify…")
	typeIn(focusedOf[*widget.Entry](t, c), "现场已确认")
	confirmDialog(t, c, "Verify and close")
	waitOrder(t, c, o.ID, "closed", func(o app.WorkOrder) bool { return o.State == app.OrderClosed })
	waitFor(t, "the detail shows it closed", func() bool { return strings.Contains(detailText(p), "verified and closed") })
	assert.Equal(t, "duty", orderNow(t, c, o.ID).Steps[len(orderNow(t, c, o.ID).Steps)-1].By)

	tapDetail(t, p, "Reopen…")
	typeIn(focusedOf[*widget.Entry](t, c), "车又停回来了")
	confirmDialog(t, c, "Reopen")
	waitOrder(t, c, o.ID, "back to work", func(o app.WorkOrder) bool { return o.State == app.OrderAssigned && o.Reopened == 1 })
	waitFor(t, "the timeline says it", func() bool {
		d := detailText(p)
		return strings.Contains(d, "reopened") && strings.Contains(d, "车又停回来了")
	})
	d := detailText(p)
	for _, step := range []string{"reported", "assigned → Grid 1 team", "accepted", "done", "verified and closed"} {
		assert.Contains(t, d, step)
	}
	assert.Contains(t, d, testWorkerName, "the worker by name")
}

// An action on what the operator saw before somebody else changed the order is refused: the
// dialog closes, the detail says why and shows the order as it now stands; nothing else
// changed.
func TestAnActionOnAStaleOrderShowsTheConflictAndReloads(t *testing.T) {
	c, _ := newOrderConsole(t)
	setUpOrderTeam(t, c)
	o := reportOrder(t, c, app.CatOther, "b03", "井盖松动")
	serialUI(func() { c.ShowOrder(o.ID) })
	p := ordersPanelOf(t, c)

	tapDetail(t, p, "Cancel order…")
	typeIn(focusedOf[*widget.Entry](t, c), "重复上报")
	// Meanwhile the commander, at another console, gives it to the team.
	commander, err := c.core.Accounts.SignIn(context.Background(), "commander", "sunshine-demo")
	require.NoError(t, err)
	_, err = c.core.Orders.Assign(context.Background(), commander, o.ID, o.Version, testTeam, "", "")
	require.NoError(t, err)

	confirmDialog(t, c, "Cancel order")
	waitFor(t, "the detail says it changed meanwhile", func() bool {
		return strings.Contains(detailText(p), "Order #1 was changed meanwhile (assigned by commander): look at it again")
	})
	assert.Nil(t, c.win.Canvas().Overlays().Top(), "the dialog closed")
	assert.Equal(t, 2, uiGet(func() int { return p.detail.order.Version }), "the order as it now stands")
	assert.Contains(t, detailText(p), "Grid 1 team")
	now := orderNow(t, c, o.ID)
	assert.Equal(t, app.OrderAssigned, now.State, "not cancelled")

	// Acting again on what is shown now works, and the notice goes.
	tapDetail(t, p, "Cancel order…")
	typeIn(focusedOf[*widget.Entry](t, c), "重复上报")
	confirmDialog(t, c, "Cancel order")
	waitOrder(t, c, o.ID, "cancelled", func(o app.WorkOrder) bool { return o.State == app.OrderCancelled })
	waitFor(t, "the notice is gone", func() bool { return !strings.Contains(detailText(p), "changed meanwhile") })
}

// The core's refusal is shown in the dialog, which stays open with what was typed.
func TestARefusedOrderActionSaysWhyInTheDialog(t *testing.T) {
	c, _ := newOrderConsole(t)
	o := reportOrder(t, c, app.CatOther, "b03", "垃圾没清")
	serialUI(func() { c.ShowOrder(o.ID) })
	p := ordersPanelOf(t, c)
	tapDetail(t, p, "Merge into…")
	into := focusedOf[*widget.Entry](t, c)
	typeIn(into, "#1")
	confirmDialog(t, c, "Merge")
	waitWrites(t, c)
	top := topDialog(t, c)
	assert.Contains(t, strings.Join(uiGet(func() []string { return visibleTexts(top) }), "\n"), "An order cannot be a duplicate of itself")
	assert.Equal(t, "#1", into.Text)
	assert.Equal(t, app.OrderNew, orderNow(t, c, o.ID).State)
}

// The wheel over the detail's small map scrolls the detail (the map under the pointer does
// not zoom away).
func TestTheWheelOverTheDetailsMapScrollsTheDetail(t *testing.T) {
	c, _ := newOrderConsole(t)
	o := reportOrder(t, c, app.CatOther, "b03", "路灯不亮")
	serialUI(func() { c.ShowOrder(o.ID) })
	p := ordersPanelOf(t, c)
	scroll := uiGet(func() *container.Scroll { return p.detail.content.Objects[0].(*container.Scroll) })
	view := uiGet(func() mapdraw.View { return p.detail.m.r.View() })
	serialUI(func() { p.detail.pass.Scrolled(&fyne.ScrollEvent{Scrolled: fyne.NewDelta(0, -300)}) })
	assert.Positive(t, uiGet(func() float32 { return scroll.Offset.Y }), "the detail scrolled")
	assert.Equal(t, view, uiGet(func() mapdraw.View { return p.detail.m.r.View() }), "the map did not zoom")
}
