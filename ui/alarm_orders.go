package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// An alarm on the desk that is a job for somebody rather than an emergency (a streetlight
// out, a blocked exit a camera saw, a caller's complaint) is dispatched as a work order: the
// order names the alarm, the alarm is acknowledged and dispatched to the order (linked both
// ways, app.WorkOrders.FromAlarm), and the alarm's detail lists its orders.

// mayDispatchAsOrder reports whether the operator may dispatch the alarm as an order (the
// core checks again: it acknowledges and dispatches the alarm too).
func (p *alarmPanel) mayDispatchAsOrder(a app.Alarm) bool {
	return a.State.Open() && p.may(app.ActOrderDispatch) && p.may(app.ActAckAlarm) && p.may(app.ActDispatchAlarm)
}

// dispatchAsOrderButton opens the dialog for the alarm shown.
func (p *alarmPanel) dispatchAsOrderButton(a app.Alarm) *widget.Button {
	b := widget.NewButtonWithIcon(T("Dispatch as work order…"), theme.DocumentCreateIcon(), p.dispatchAsOrder)
	if !p.mayDispatchAsOrder(a) {
		b.Disable()
	}
	return b
}

// dispatchAsOrder asks for the order's category and a note, then makes the order.
func (p *alarmPanel) dispatchAsOrder() {
	a, ok := p.current()
	if !ok || !p.mayDispatchAsOrder(a) {
		return
	}
	var labels, ids []string
	for _, cat := range p.c.core.Orders.Setup().Categories {
		labels, ids = append(labels, cat.Display(english())), append(ids, cat.ID)
	}
	category := widget.NewSelect(labels, nil)
	category.PlaceHolder = T("Category")
	if i := indexOf(ids, orderCategoryFor(a)); i >= 0 {
		category.SetSelectedIndex(i)
	}
	note := widget.NewEntry()
	note.SetPlaceHolder(T("What is to be done (optional: the alarm's kind otherwise)"))
	d := newWriteForm(p.c, T("Dispatch as work order"), T("Make order"),
		[]*widget.FormItem{widget.NewFormItem(T("Category"), category), widget.NewFormItem(T("Note"), note)}, func() (write, error) {
			if category.SelectedIndex() < 0 {
				return write{}, app.Errorf(app.CodeInvalid, "Choose a category")
			}
			cat := ids[category.SelectedIndex()]
			return write{
				run: func(ctx context.Context, op *app.Operator) error {
					_, err := p.c.core.Orders.FromAlarm(ctx, op, a.ID, cat, note.Text)
					return err
				},
				done: func() { p.showDetail() },
			}, nil
		})
	note.OnSubmitted = func(string) { d.submit() }
	d.Show(fyne.NewSize(560, 0))
	p.focusLater(note)
}

// orderCategoryFor is the category an alarm's order most likely has (the operator may change it).
func orderCategoryFor(a app.Alarm) string {
	switch {
	case a.Fault:
		return app.CatDevice
	case a.Kind == app.AlarmFire:
		return app.CatFireHazard
	case a.Kind == app.AlarmFight || a.Kind == app.AlarmTheft || a.Kind == app.AlarmSuspicious || a.Kind == app.AlarmDoorForced,
		a.Kind == app.AlarmIntrusion || a.Kind == app.AlarmLoitering || a.Kind == app.AlarmCrowd || a.Kind == app.AlarmLine:
		return app.CatOrder
	case a.Kind == app.AlarmFall:
		return app.CatCare
	}
	return app.CatOther
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// ordersSection lists the alarm's work orders, each with a way to it on the board (nil when
// it has none or the operator does not see orders).
func (p *alarmPanel) ordersSection(a app.Alarm) fyne.CanvasObject {
	if !p.may(app.ActOrderView) {
		return nil
	}
	orders := p.c.core.Orders.ForAlarm(a.ID)
	if len(orders) == 0 {
		return nil
	}
	site := p.c.core.Inventory.Site()
	box := container.NewVBox(heading(T("Work orders")))
	for _, o := range orders {
		id := o.ID
		text := o.Number() + "  " + p.c.orderCategoryName(o.Category) + " · " + T(orderStateText(o.State)) + " · " + p.c.orderAssignee(&o)
		if pl := orderPlaceText(&o, site); pl != "" {
			text += " · " + pl
		}
		open := widget.NewButtonWithIcon(T("Show on the board"), theme.DocumentCreateIcon(), func() { p.c.ShowOrder(id) })
		open.Importance = widget.LowImportance
		box.Add(container.NewBorder(nil, nil, nil, open, wrapLabel(text)))
	}
	return box
}

// orderEntry shows the selected alarm again when an order linked to it changed.
func (p *alarmPanel) orderEntry(e app.Entry) {
	if p.selected == 0 || !e.Kind.IsOrder() {
		return
	}
	var o app.WorkOrder
	if e.Decode(&o) != nil {
		return
	}
	for _, id := range o.Alarms {
		if id == p.selected {
			p.showDetail()
			return
		}
	}
}

// dispatchedTo says whom an alarm was dispatched to: as typed, or the work order it became.
func dispatchedTo(to string) string {
	if n, ok := strings.CutPrefix(to, "order:"); ok {
		return T("work order #{{.N}}", map[string]any{"N": n})
	}
	return to
}
