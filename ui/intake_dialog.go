package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// The intake form (接警登记): a report phoned in or brought to the guard room, logged with the
// keyboard alone — what (its priority follows), how urgent, where (a building and unit from a
// list, or a click on the small map), who called and their number in one field ("王先生
// 13800138000"), what it becomes — an alarm that runs through the desk like any other
// (app/intake.go), a work order of a category (a hazard to fix, not an emergency), or both (the
// order names the alarm) — and what they said. Tab moves between the fields (the order's
// category only when an order is made), the arrow keys change a list, Enter in the caller's
// field or on a list goes on to what was said, and Shift+Enter there (or the button) logs it.
// F2 opens it anywhere.

type intakeForm struct {
	c        *Console
	site     *app.Site
	kind     *widget.Select
	priority *widget.Select
	*placeChooser
	caller   *widget.Entry
	said     *widget.Entry
	outcome  *enterSelect // alarm, work order, or both
	outcomes []intakeOutcome
	category *enterSelect // the order's
	catIDs   []string
	// prioritySet: the operator chose the priority; a later change of kind keeps it.
	prioritySet bool
	settingPrio bool
	wd          *writeDialog
	// raised is the alarm an earlier try raised before its order was refused: trying again
	// makes the order only, linked to it, not a second alarm.
	raised int64
}

// intakeOutcome is what a logged report becomes.
type intakeOutcome struct {
	Label        string // English
	alarm, order bool
}

// showIntake opens the form (for an operator whose role may raise alarms or report orders).
func (c *Console) showIntake() {
	op := c.Operator()
	if op == nil || !(op.Role.Can(app.ActRaiseAlarm) || op.Role.Can(app.ActOrderReport)) {
		return
	}
	f := newIntakeForm(c)
	f.wd.Show(fyne.NewSize(760, 0))
	c.win.Canvas().Focus(f.kind)
}

func newIntakeForm(c *Console) *intakeForm {
	f := &intakeForm{c: c, site: c.core.Inventory.Site()}
	en := english()

	kinds := make([]string, len(app.ReportKinds))
	for i, k := range app.ReportKinds {
		kinds[i] = T(app.AlarmKindLabel(k))
	}
	f.kind = widget.NewSelect(kinds, func(string) {
		if !f.prioritySet && f.makes().alarm {
			f.setPriority(app.ReportPriority(f.kindID()))
		}
	})
	f.kind.PlaceHolder = T("What was reported")
	prios := make([]string, len(app.Priorities))
	for i, p := range app.Priorities {
		prios[i] = p.String() + " · " + T(priorityMeaning(p))
	}
	f.priority = widget.NewSelect(prios, func(string) {
		if !f.settingPrio {
			f.prioritySet = true
		}
	})
	f.priority.PlaceHolder = T("Priority")

	f.placeChooser = newPlaceChooser(f.site, 240)

	f.caller = widget.NewEntry()
	f.caller.SetPlaceHolder(T("e.g. 王先生 13800138000"))
	f.said = widget.NewMultiLineEntry()
	f.said.SetPlaceHolder(T("What the caller said: what, where exactly, anyone hurt"))
	f.said.SetMinRowsVisible(3)
	f.said.Wrapping = fyne.TextWrapWord

	op := c.Operator()
	for _, o := range []intakeOutcome{{Label: "Alarm", alarm: true}, {Label: "Work order", order: true}, {Label: "Alarm and work order", alarm: true, order: true}} {
		if (!o.alarm || op.Role.Can(app.ActRaiseAlarm)) && (!o.order || op.Role.Can(app.ActOrderReport)) {
			f.outcomes = append(f.outcomes, o)
		}
	}
	var outcomeLabels []string
	for _, o := range f.outcomes {
		outcomeLabels = append(outcomeLabels, T(o.Label))
	}
	f.outcome = newEnterSelect(outcomeLabels, func(string) { f.outcomeChanged() })
	f.outcome.SetSelectedIndex(0)
	var catLabels []string
	for _, cat := range c.core.Orders.Setup().Categories {
		catLabels, f.catIDs = append(catLabels, cat.Display(en)), append(f.catIDs, cat.ID)
	}
	f.category = newEnterSelect(catLabels, func(string) {
		if !f.prioritySet && !f.makes().alarm {
			if cat, ok := c.core.Orders.Category(f.categoryID()); ok {
				f.setPriority(cat.Priority)
			}
		}
	})
	f.category.PlaceHolder = T("The order's category")

	items := []*widget.FormItem{
		widget.NewFormItem(T("What"), f.kind),
		widget.NewFormItem(T("Priority"), f.priority),
		widget.NewFormItem(T("Where"), f.placeChooser.content),
		widget.NewFormItem(T("Caller and phone"), f.caller),
		widget.NewFormItem(T("Log as"), f.outcome),
		widget.NewFormItem(T("Order category"), f.category),
		widget.NewFormItem(T("What was said"), f.said),
	}
	items[2].HintText = T("Choose the building, or click the place on the map")
	items[4].HintText = T("An alarm for the desk, a work order to fix something, or both")
	items[6].HintText = T("Shift+Enter logs the report")
	f.wd = newWriteForm(c, T("Log a report"), T("Log report"), items, f.submit)
	f.said.OnSubmitted = func(string) { f.wd.submit() }
	f.caller.OnSubmitted = func(string) { c.win.Canvas().Focus(f.said) }
	f.unit.OnSubmitted = func(string) { c.win.Canvas().Focus(f.caller) }
	f.outcome.onEnter = func() { c.win.Canvas().Focus(f.said) }
	f.category.onEnter = func() { c.win.Canvas().Focus(f.said) }
	f.outcomeChanged()
	return f
}

// makes is what the report becomes.
func (f *intakeForm) makes() intakeOutcome {
	if i := f.outcome.SelectedIndex(); i >= 0 {
		return f.outcomes[i]
	}
	return intakeOutcome{alarm: true}
}

// outcomeChanged offers the order's category only when an order is made.
func (f *intakeForm) outcomeChanged() {
	if f.category == nil {
		return
	}
	if f.makes().order {
		f.category.Enable()
	} else {
		f.category.Disable()
	}
	if f.wd != nil && f.wd.form != nil {
		f.wd.form.Refresh() // the category's label follows
	}
}

func (f *intakeForm) setPriority(p app.Priority) {
	f.settingPrio = true
	f.priority.SetSelectedIndex(int(p) - 1)
	f.settingPrio = false
}

func (f *intakeForm) categoryID() string {
	if i := f.category.SelectedIndex(); i >= 0 {
		return f.catIDs[i]
	}
	return ""
}

// priorityMeaning says what a priority is for, beside its code.
func priorityMeaning(p app.Priority) string {
	switch p {
	case app.P1:
		return "threat to life"
	case app.P2:
		return "urgent"
	case app.P3:
		return "needs attention"
	}
	return "notice"
}

func (f *intakeForm) kindID() string {
	if i := f.kind.SelectedIndex(); i >= 0 {
		return app.ReportKinds[i]
	}
	return ""
}

// report reads the fields.
func (f *intakeForm) report() (app.Report, error) {
	r := app.Report{Kind: f.kindID(), BuildingID: f.building.ID(), Position: f.point, Said: f.said.Text}
	if i := f.priority.SelectedIndex(); i >= 0 {
		r.Priority = app.Priorities[i]
	}
	n, err := f.unitNumber()
	if err != nil {
		return r, err
	}
	r.Unit = n
	r.Caller, r.Phone = app.SplitCaller(f.caller.Text)
	return r, nil
}

// orderRequest is the report as a work order. What the core would refuse is said here,
// before anything is written: an alarm logged with it is not logged twice.
func (f *intakeForm) orderRequest(r app.Report) (app.OrderRequest, error) {
	req := app.OrderRequest{Category: f.categoryID(), Text: r.Said, Via: app.FromIntake, ReporterName: r.Caller, ReporterPhone: r.Phone,
		Place: app.OrderPlace{Building: r.BuildingID, Unit: r.Unit}}
	if r.Position != nil {
		p := *r.Position
		req.Place.Position = &p
	}
	if f.prioritySet {
		req.Priority = r.Priority // else the category's
	}
	var p app.Problems
	if req.Category == "" {
		p.Add("category", "Choose the order's category")
	}
	if strings.TrimSpace(req.Text) == "" {
		p.Add("said", "Write down what was reported")
	}
	if req.Place.Building == "" && req.Place.Position == nil {
		p.Add("place", "Say where: a building, or a click on the map")
	}
	if len([]rune(strings.TrimSpace(req.ReporterName))) > 50 {
		p.Add("caller", "A name has at most 50 characters")
	}
	return req, p.Err()
}

func (f *intakeForm) submit() (write, error) {
	r, err := f.report()
	if err != nil {
		return write{}, err
	}
	makes := f.makes()
	var a app.Alarm
	if makes.alarm && f.raised == 0 {
		if a, err = r.Alarm(f.site); err != nil {
			return write{}, err // said in the form; nothing is written
		}
	}
	var req app.OrderRequest
	if makes.order {
		if req, err = f.orderRequest(r); err != nil {
			return write{}, err
		}
	}
	raised := app.Alarm{ID: f.raised}
	var made app.WorkOrder
	return write{
		run: func(ctx context.Context, op *app.Operator) (err error) {
			if makes.alarm && raised.ID == 0 {
				if raised, err = f.c.core.Desk.Raise(ctx, op, a); err != nil {
					return err
				}
			}
			if makes.order {
				if raised.ID != 0 {
					req.Alarms = []int64{raised.ID}
				}
				made, err = f.c.core.Orders.Report(ctx, op, req)
			}
			return err
		},
		busy: T("Logging the report…"),
		done: func() {
			if makes.alarm {
				f.c.ShowAlarm(raised.ID)
			} else {
				f.c.ShowOrder(made.ID)
			}
		},
		failed: func(error) { f.raised = raised.ID },
	}, nil
}

// fixedHeight lays its single child out at a fixed height (and its own width).
type fixedHeight struct{ h float32 }

func (f *fixedHeight) MinSize(objs []fyne.CanvasObject) fyne.Size {
	w := float32(0)
	for _, o := range objs {
		w = max(w, o.MinSize().Width)
	}
	return fyne.NewSize(w, f.h)
}

func (f *fixedHeight) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
}
