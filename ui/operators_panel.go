package ui

import (
	"context"
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// operatorsPanel is where administrators manage the operators' accounts: the list (name,
// user name, role, phone masked, state) and, for the account selected, edit, change role,
// disable or enable, reset the password (to be changed at the next sign-in); beside it, the
// permission table (permissions_panel.go). The core checks each change and journals it as
// the administrator's; the list follows the journal, so a change made elsewhere (the command
// line, another console) shows here too.
type operatorsPanel struct {
	c        *Console
	obj      fyne.CanvasObject
	list     *widget.List
	ops      []app.Operator
	selected int // index in ops, -1: none
	loaded   int // how many times the list was read (tests wait for it)

	add, edit, role, toggle, reset *widget.Button
	status                         *writeStatus
	perms                          *permissionsView
}

func newOperatorsPanel(c *Console) panelView {
	p := &operatorsPanel{c: c, selected: -1, status: newWriteStatusInline()}
	p.list = widget.NewList(
		func() int { return len(p.ops) },
		func() fyne.CanvasObject { return newOperatorRow() },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i < len(p.ops) {
				o.(*operatorRow).set(&p.ops[i])
			}
		})
	p.list.OnSelected = func(i widget.ListItemID) { p.selected = i; p.updateButtons() }
	p.list.OnUnselected = func(widget.ListItemID) { p.selected = -1; p.updateButtons() }

	p.add = widget.NewButtonWithIcon(T("Add operator…"), theme.ContentAddIcon(), p.showAdd)
	p.add.Importance = widget.HighImportance
	p.edit = widget.NewButtonWithIcon(T("Edit…"), theme.DocumentCreateIcon(), p.showEdit)
	p.role = widget.NewButtonWithIcon(T("Change role…"), theme.AccountIcon(), p.showRole)
	p.toggle = widget.NewButtonWithIcon(T("Disable"), theme.CancelIcon(), p.toggleDisabled)
	p.reset = widget.NewButtonWithIcon(T("Reset password…"), theme.ViewRefreshIcon(), p.showReset)
	p.updateButtons()

	header := newOperatorHeader()
	bar := container.NewBorder(nil, nil, container.NewHBox(p.add, widget.NewSeparator(), p.edit, p.role, p.toggle, p.reset), nil, p.status.content)
	listView := container.NewBorder(container.NewVBox(bar, header, widget.NewSeparator()), nil, nil, nil, p.list)

	p.perms = newPermissionsView(c)
	tabs := container.NewAppTabs(
		container.NewTabItemWithIcon(T("Operators"), theme.AccountIcon(), container.NewPadded(listView)),
		container.NewTabItemWithIcon(T("Permissions"), theme.SettingsIcon(), p.perms.obj),
	)
	p.obj = tabs
	p.reload()
	return p
}

func (p *operatorsPanel) Object() fyne.CanvasObject { return p.obj }

// OnEntry reads the accounts again when one changed, wherever it was changed.
func (p *operatorsPanel) OnEntry(e app.Entry) {
	switch e.Kind {
	case app.KindOperatorCreated, app.KindOperatorUpdated, app.KindPasswordChanged:
		p.reload()
	case app.KindPermissionsChanged:
		p.perms.refresh()
	}
}

// reload reads the accounts off the UI thread and shows them, keeping the selection.
func (p *operatorsPanel) reload() {
	op := p.c.Operator()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
		ops, err := p.c.core.Accounts.List(ctx, op)
		cancel()
		p.c.onUI(func() {
			if err != nil {
				p.status.fail(err)
				return
			}
			keep := ""
			if p.selected >= 0 && p.selected < len(p.ops) {
				keep = p.ops[p.selected].Username
			}
			p.ops, p.selected = ops, -1
			p.list.UnselectAll()
			p.list.Refresh()
			for i := range ops {
				if ops[i].Username == keep {
					p.list.Select(i)
				}
			}
			p.loaded++
			p.updateButtons()
		})
	}()
}

// current is the selected account, or nil.
func (p *operatorsPanel) current() *app.Operator {
	if p.selected < 0 || p.selected >= len(p.ops) {
		return nil
	}
	return &p.ops[p.selected]
}

func (p *operatorsPanel) updateButtons() {
	cur := p.current()
	for _, b := range []*widget.Button{p.edit, p.role, p.toggle, p.reset} {
		if cur == nil {
			b.Disable()
		} else {
			b.Enable()
		}
	}
	p.toggle.SetText(T("Disable"))
	p.toggle.SetIcon(theme.CancelIcon())
	if cur != nil && cur.Disabled {
		p.toggle.SetText(T("Enable"))
		p.toggle.SetIcon(theme.ConfirmIcon())
	}
	if me := p.c.Operator(); cur != nil && me != nil && cur.Username == me.Username {
		p.toggle.Disable() // nobody disables themself (the core refuses it too)
		p.reset.Disable()  // their own password is changed in Settings, with the current one
	}
}

// roleSelect offers the roles by their translated names.
func roleSelect(current app.Role) (*widget.Select, func() app.Role) {
	labels := make([]string, len(app.Roles))
	for i, r := range app.Roles {
		labels[i] = T(r.Label())
	}
	s := widget.NewSelect(labels, nil)
	for i, r := range app.Roles {
		if r == current {
			s.SetSelectedIndex(i)
		}
	}
	return s, func() app.Role {
		if i := s.SelectedIndex(); i >= 0 {
			return app.Roles[i]
		}
		return ""
	}
}

// passwordPair is a new password typed twice. The second says at once when it differs (a
// form dialog keeps its confirm button disabled meanwhile), so nothing typed is lost to a
// dialog that closes on a slip.
func passwordPair() (pw, again *widget.Entry) {
	pw, again = widget.NewPasswordEntry(), widget.NewPasswordEntry()
	pw.SetPlaceHolder(T("At least {{.N}} characters", map[string]any{"N": app.MinPasswordLength}))
	again.Validator = func(s string) error {
		if s != pw.Text {
			return errors.New(T("The new passwords differ"))
		}
		return nil
	}
	pw.OnChanged = func(string) { _ = again.Validate() }
	return pw, again
}

func (p *operatorsPanel) showAdd() {
	name, user, phone := widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
	phone.SetPlaceHolder("13800001234")
	role, roleOf := roleSelect(app.RoleOperator)
	pw, again := passwordPair()
	items := []*widget.FormItem{
		widget.NewFormItem(T("Full name"), name), widget.NewFormItem(T("User name"), user),
		widget.NewFormItem(T("Role"), role), widget.NewFormItem(T("Phone"), phone),
		widget.NewFormItem(T("Password"), pw), widget.NewFormItem(T("Repeat password"), again),
	}
	d := dialog.NewForm(T("Add operator"), T("Add"), T("Cancel"), items, func(ok bool) {
		if !ok {
			return
		}
		if pw.Text != again.Text {
			p.status.failText(T("The new passwords differ"))
			return
		}
		o := app.Operator{Name: strings.TrimSpace(name.Text), Username: strings.TrimSpace(user.Text), Role: roleOf(),
			Phone: strings.TrimSpace(phone.Text)}
		password := pw.Text
		p.c.write(write{
			run: func(ctx context.Context, op *app.Operator) error {
				_, err := p.c.core.Accounts.Create(ctx, op, o, password)
				return err
			},
			status: p.status, saved: T("{{.Name}} added", map[string]any{"Name": o.Name}),
		})
	}, p.c.win)
	d.Resize(fyne.NewSize(460, d.MinSize().Height))
	d.Show()
	p.c.win.Canvas().Focus(name)
}

func (p *operatorsPanel) showEdit() {
	cur := p.current()
	if cur == nil {
		return
	}
	u := cur.Username
	name, phone := textEntry(cur.Name, ""), textEntry(cur.Phone, "13800001234")
	d := dialog.NewForm(T("Edit {{.U}}", map[string]any{"U": u}), T("Save"), T("Cancel"),
		[]*widget.FormItem{widget.NewFormItem(T("Full name"), name), widget.NewFormItem(T("Phone"), phone)}, func(ok bool) {
			if !ok {
				return
			}
			ed := app.OperatorEdit{Name: name.Text, Phone: phone.Text}
			p.c.write(write{
				run:    func(ctx context.Context, op *app.Operator) error { return p.c.core.Accounts.Edit(ctx, op, u, ed) },
				status: p.status, saved: T("Saved"),
			})
		}, p.c.win)
	d.Resize(fyne.NewSize(420, d.MinSize().Height))
	d.Show()
}

func (p *operatorsPanel) showRole() {
	cur := p.current()
	if cur == nil {
		return
	}
	u := cur.Username
	role, roleOf := roleSelect(cur.Role)
	dialog.ShowForm(T("Role of {{.Name}}", map[string]any{"Name": cur.Name}), T("Save"), T("Cancel"),
		[]*widget.FormItem{widget.NewFormItem(T("Role"), role)}, func(ok bool) {
			if !ok {
				return
			}
			r := roleOf()
			p.c.write(write{
				run:    func(ctx context.Context, op *app.Operator) error { return p.c.core.Accounts.SetRole(ctx, op, u, r) },
				status: p.status, saved: T("Saved"),
			})
		}, p.c.win)
}

func (p *operatorsPanel) toggleDisabled() {
	cur := p.current()
	if cur == nil {
		return
	}
	u, name, disabled := cur.Username, cur.Name, cur.Disabled
	if disabled {
		p.c.write(write{
			run:    func(ctx context.Context, op *app.Operator) error { return p.c.core.Accounts.Enable(ctx, op, u) },
			status: p.status, saved: T("{{.Name}} can sign in again", map[string]any{"Name": name}),
		})
		return
	}
	dialog.ShowConfirm(T("Disable {{.Name}}?", map[string]any{"Name": name}),
		T("{{.Name}} can no longer sign in. What they did stays in the journal under their name.", map[string]any{"Name": name}),
		func(ok bool) {
			if !ok {
				return
			}
			p.c.write(write{
				run:    func(ctx context.Context, op *app.Operator) error { return p.c.core.Accounts.Disable(ctx, op, u) },
				status: p.status, saved: T("{{.Name}} is disabled", map[string]any{"Name": name}),
			})
		}, p.c.win)
}

func (p *operatorsPanel) showReset() {
	cur := p.current()
	if cur == nil {
		return
	}
	u, name := cur.Username, cur.Name
	pw, again := passwordPair()
	items := []*widget.FormItem{widget.NewFormItem(T("New password"), pw), widget.NewFormItem(T("Repeat password"), again)}
	d := dialog.NewForm(T("Reset the password of {{.Name}}", map[string]any{"Name": name}), T("Reset"), T("Cancel"), items, func(ok bool) {
		if !ok {
			return
		}
		if pw.Text != again.Text {
			p.status.failText(T("The new passwords differ"))
			return
		}
		password := pw.Text
		p.c.write(write{
			run: func(ctx context.Context, op *app.Operator) error {
				return p.c.core.Accounts.ResetPassword(ctx, op, u, password)
			},
			status: p.status, saved: T("Password reset: {{.Name}} chooses a new one at the next sign-in", map[string]any{"Name": name}),
		})
	}, p.c.win)
	d.Resize(fyne.NewSize(460, d.MinSize().Height))
	d.Show()
}

// operatorColumns are the list's columns: name, user name, role, phone, state.
const operatorColumns = 5

func newOperatorHeader() fyne.CanvasObject {
	objs := make([]fyne.CanvasObject, 0, operatorColumns)
	for _, h := range []string{"Full name", "User name", "Role", "Phone", "State"} {
		objs = append(objs, muted(T(h)))
	}
	return container.NewPadded(container.NewGridWithColumns(operatorColumns, objs...))
}

// operatorRow is one account in the list.
type operatorRow struct {
	widget.BaseWidget
	name, user, role, phone, state *widget.Label
}

func newOperatorRow() *operatorRow {
	r := &operatorRow{name: widget.NewLabel(""), user: widget.NewLabel(""), role: widget.NewLabel(""),
		phone: widget.NewLabel(""), state: widget.NewLabel("")}
	r.name.TextStyle.Bold = true
	for _, l := range []*widget.Label{r.name, r.user, r.role, r.phone, r.state} {
		l.Truncation = fyne.TextTruncateEllipsis
	}
	r.ExtendBaseWidget(r)
	return r
}

func (r *operatorRow) set(o *app.Operator) {
	r.name.SetText(o.Name)
	r.user.SetText(o.Username)
	r.role.SetText(T(o.Role.Label()))
	phone := ""
	if o.Phone != "" {
		phone = app.MaskPhone(o.Phone) // the list is seen over the shoulder: the number is in Edit
	}
	r.phone.SetText(phone)
	switch {
	case o.Disabled:
		r.state.SetText(T("Disabled"))
		r.state.Importance = widget.DangerImportance
	case o.MustChange:
		r.state.SetText(T("Password to change"))
		r.state.Importance = widget.WarningImportance
	default:
		r.state.SetText(T("Enabled"))
		r.state.Importance = widget.SuccessImportance
	}
	r.state.Refresh()
}

func (r *operatorRow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewGridWithColumns(operatorColumns, r.name, r.user, r.role, r.phone, r.state))
}
