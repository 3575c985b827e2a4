package ui

import (
	"context"
	"sort"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// What an operator does with a work order from its detail: assign or reassign it, cancel it,
// merge it into another, verify it, reopen it. The buttons are those the operator's role may
// use on the order as it stands; the core checks again and its refusal is shown in the
// dialog. Every action carries the version of the order the operator was looking at when
// they opened the dialog: when it changed meanwhile the core refuses ("changed meanwhile"),
// the dialog closes and the detail shows the order as it now stands, with why.

// actions are the buttons for the order shown.
func (d *orderDetail) actions() []fyne.CanvasObject {
	op := d.c.Operator()
	if op == nil {
		return nil
	}
	o := d.order
	var out []fyne.CanvasObject
	add := func(text string, icon fyne.Resource, f func()) *widget.Button {
		b := widget.NewButtonWithIcon(text, icon, f)
		out = append(out, b)
		return b
	}
	if op.Role.Can(app.ActOrderDispatch) && o.State.Open() && o.State != app.OrderDone {
		text := T("Assign…")
		if o.Team != "" || o.Assignee != "" {
			text = T("Reassign…")
		}
		b := add(text, theme.AccountIcon(), d.assign)
		if o.State == app.OrderNew {
			b.Importance = widget.HighImportance
		}
	}
	verifies := d.c.verifies(op, &o)
	if verifies && o.State == app.OrderDone {
		add(T("Verify…"), theme.ConfirmIcon(), d.verify).Importance = widget.HighImportance
	}
	if verifies && (o.State == app.OrderDone || o.State == app.OrderClosed) {
		add(T("Reopen…"), theme.MediaReplayIcon(), d.reopen)
	}
	if op.Role.Can(app.ActOrderDispatch) && o.State.Open() {
		add(T("Merge into…"), theme.ContentCopyIcon(), d.merge)
		add(T("Cancel order…"), theme.CancelIcon(), d.cancel)
	}
	return out
}

// verifies reports whether the operator verifies (and reopens) orders of this category, as
// the core decides it (app.WorkOrders.Verify, which checks again): administrators always;
// otherwise the category's verifying role (the commander verifies what the guard room does),
// and never one's own work.
func (c *Console) verifies(op *app.Operator, o *app.WorkOrder) bool {
	if !op.Role.Can(app.ActOrderVerify) {
		return false
	}
	if op.Role == app.RoleAdmin {
		return true
	}
	cat, ok := c.core.Orders.Category(o.Category)
	role := op.Role
	if role == app.RoleCommander {
		role = app.RoleOperator
	}
	return ok && cat.VerifiedBy == role && o.Assignee != op.Username
}

// act opens an action's dialog on the order as the operator sees it now; run does it with
// that order's number and version.
func (d *orderDetail) act(title, confirm string, items []*widget.FormItem, check func() error,
	run func(ctx context.Context, op *app.Operator, id int64, version int) error) *writeDialog {
	seen := d.order // the version the operator decided on
	var wd *writeDialog
	wd = newWriteForm(d.c, title, confirm, items, func() (write, error) {
		if check != nil {
			if err := check(); err != nil {
				return write{}, err
			}
		}
		return write{
			run:  func(ctx context.Context, op *app.Operator) error { return run(ctx, op, seen.ID, seen.Version) },
			done: func() { d.reload(seen.ID, "") },
			failed: func(err error) {
				// Changed meanwhile (or no longer in a state for it): what the operator decided
				// on is gone; they look at the order as it is now, told why.
				if app.IsCode(err, app.CodeConflict) {
					wd.d.Hide()
					d.reload(seen.ID, ErrText(err))
				}
			},
		}, nil
	})
	return wd
}

// noteEntry is a one-line entry whose Enter confirms the dialog.
func noteEntry(hint string) *widget.Entry {
	e := widget.NewEntry()
	e.SetPlaceHolder(hint)
	return e
}

func (d *orderDetail) assign() {
	labels, keys := d.c.orderTakers()
	to := widget.NewSelect(labels, nil)
	to.PlaceHolder = T("A team or a person")
	note := noteEntry(T("Note (optional)"))
	toItem := widget.NewFormItem(T("To"), to)
	if len(labels) == 0 {
		toItem.HintText = T("Nobody takes orders yet: an administrator sets up the teams and their people")
	}
	wd := d.act(T("Assign order {{.N}}", map[string]any{"N": d.order.Number()}), T("Assign"),
		[]*widget.FormItem{toItem, widget.NewFormItem(T("Note"), note)},
		func() error {
			if to.SelectedIndex() < 0 {
				return app.Errorf(app.CodeInvalid, "Choose a team or a person")
			}
			return nil
		},
		func(ctx context.Context, op *app.Operator, id int64, version int) error {
			team, person := splitTaker(keys[to.SelectedIndex()])
			_, err := d.c.core.Orders.Assign(ctx, op, id, version, team, person, note.Text)
			return err
		})
	note.OnSubmitted = func(string) { wd.submit() }
	wd.Show(fyne.NewSize(520, 0))
	d.c.win.Canvas().Focus(to)
}

func (d *orderDetail) cancel() {
	reason := noteEntry(T("Why it is not to be done"))
	wd := d.act(T("Cancel order {{.N}}", map[string]any{"N": d.order.Number()}), T("Cancel order"),
		[]*widget.FormItem{widget.NewFormItem(T("Reason"), reason)}, nil,
		func(ctx context.Context, op *app.Operator, id int64, version int) error {
			_, err := d.c.core.Orders.Cancel(ctx, op, id, version, reason.Text)
			return err
		})
	reason.OnSubmitted = func(string) { wd.submit() }
	wd.Show(fyne.NewSize(520, 0))
	d.c.win.Canvas().Focus(reason)
}

func (d *orderDetail) merge() {
	into := noteEntry(T("e.g. #12"))
	reason := noteEntry(T("Why it is the same (optional)"))
	var target int64
	wd := d.act(T("Merge order {{.N}} into another", map[string]any{"N": d.order.Number()}), T("Merge"),
		[]*widget.FormItem{widget.NewFormItem(T("Into order"), into), widget.NewFormItem(T("Reason"), reason)},
		func() error {
			n, ok := orderNumberOf(into.Text)
			if !ok {
				return app.Errorf(app.CodeInvalid, "Type the number of the order it duplicates, e.g. #12")
			}
			target = n
			return nil
		},
		func(ctx context.Context, op *app.Operator, id int64, version int) error {
			_, err := d.c.core.Orders.Merge(ctx, op, id, version, target, reason.Text)
			return err
		})
	into.OnSubmitted = func(string) { d.c.win.Canvas().Focus(reason) }
	reason.OnSubmitted = func(string) { wd.submit() }
	wd.Show(fyne.NewSize(520, 0))
	d.c.win.Canvas().Focus(into)
}

func (d *orderDetail) verify() {
	note := noteEntry(T("What you checked (optional)"))
	wd := d.act(T("Verify order {{.N}}", map[string]any{"N": d.order.Number()}), T("Verify and close"),
		[]*widget.FormItem{widget.NewFormItem(T("Note"), note)}, nil,
		func(ctx context.Context, op *app.Operator, id int64, version int) error {
			_, err := d.c.core.Orders.Verify(ctx, op, id, version, note.Text)
			return err
		})
	note.OnSubmitted = func(string) { wd.submit() }
	wd.Show(fyne.NewSize(520, 0))
	d.c.win.Canvas().Focus(note)
}

func (d *orderDetail) reopen() {
	reason := noteEntry(T("What is still wrong"))
	wd := d.act(T("Reopen order {{.N}}", map[string]any{"N": d.order.Number()}), T("Reopen"),
		[]*widget.FormItem{widget.NewFormItem(T("Reason"), reason)}, nil,
		func(ctx context.Context, op *app.Operator, id int64, version int) error {
			_, err := d.c.core.Orders.Reopen(ctx, op, id, version, reason.Text)
			return err
		})
	reason.OnSubmitted = func(string) { wd.submit() }
	wd.Show(fyne.NewSize(520, 0))
	d.c.win.Canvas().Focus(reason)
}

// orderTakers are whom an order can be given to: the set-up's teams, and the people who may
// take orders (the teams' members and leaders, the rules' people, and — for administrators,
// who may list every account — every account whose role takes orders).
func (c *Console) orderTakers() (labels, keys []string) {
	setup := c.core.Orders.Setup()
	en := english()
	for _, t := range setup.Teams {
		labels = append(labels, T("Team {{.Name}}", map[string]any{"Name": t.Display(en)}))
		keys = append(keys, "team:"+t.ID)
	}
	names := map[string]bool{}
	for _, t := range setup.Teams {
		for _, m := range append(append([]string(nil), t.Members...), t.Leader) {
			names[m] = true
		}
	}
	for _, r := range setup.Rules {
		names[r.Person] = true
	}
	names[setup.FallbackPerson], names[setup.PropertyManager] = true, true
	ctx := context.Background()
	if ops, err := c.core.Accounts.List(ctx, c.Operator()); err == nil {
		for _, op := range ops {
			names[op.Username] = true
		}
	}
	type person struct{ label, user string }
	var people []person
	for u := range names {
		if u == "" {
			continue
		}
		op, err := c.core.Accounts.Get(ctx, u)
		if err != nil || op.Disabled || !op.Role.Can(app.ActOrderWork) {
			continue
		}
		people = append(people, person{operatorName(u, op.Name) + " · " + T(op.Role.Label()), u})
	}
	sort.Slice(people, func(i, j int) bool { return people[i].label < people[j].label })
	for _, p := range people {
		labels, keys = append(labels, p.label), append(keys, p.user)
	}
	return labels, keys
}

// splitTaker reads a key of orderTakers: a team or a person.
func splitTaker(key string) (team, person string) {
	if len(key) > 5 && key[:5] == "team:" {
		return key[5:], ""
	}
	return "", key
}
