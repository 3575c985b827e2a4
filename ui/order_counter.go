package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"watchpost/app"
)

// orderCounter is the header's count of overdue work orders, beside the open alarms: red
// while an order is late, grey at zero; a tap opens the board filtered to the overdue ones.
// Only for roles that see orders. It counts again on every order.* entry and every second
// (an order falls due without an entry: the core's clock decides).
type orderCounter struct {
	c       *Console
	content *fyne.Container
	badge   *tapBadge
	n       int
}

func newOrderCounter(c *Console) *orderCounter {
	o := &orderCounter{c: c, n: -1}
	o.badge = newTapBadge(c.ShowOverdueOrders)
	o.content = container.NewHBox(o.badge)
	if op := c.Operator(); op == nil || !op.Role.Can(app.ActOrderView) {
		o.content.Hide()
		return o
	}
	o.refresh()
	return o
}

// refresh counts the overdue orders again.
func (o *orderCounter) refresh() {
	if !o.content.Visible() {
		return
	}
	n := o.c.core.Orders.OverdueCount()
	if n == o.n {
		return
	}
	o.n = n
	bg := themeColor(colorOffline)
	if n > 0 {
		bg = themeColor(colorP1)
	}
	o.badge.set(T("Overdue orders {{.N}}", map[string]any{"N": n}), bg)
}
