package ui

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// --- the contact network ---

type contactsTab struct {
	c        *Console
	content  fyne.CanvasObject
	list     *widget.List
	contacts []app.Contact
	selected int
	add      *widget.Button
	edit     *widget.Button
	del      *widget.Button
}

func newContactsTab(c *Console) *contactsTab {
	t := &contactsTab{c: c, selected: -1}
	t.list = widget.NewList(
		func() int { return len(t.contacts) },
		func() fyne.CanvasObject {
			return container.NewBorder(nil, nil, newBadge("Residents' committee", themeColor(colorP4)), widget.NewLabel("021-66880001"),
				container.NewVBox(widget.NewLabelWithStyle("Contact name", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), muted("note")))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i >= len(t.contacts) {
				return
			}
			ct := t.contacts[i]
			box := o.(*fyne.Container)
			for _, x := range box.Objects {
				switch w := x.(type) {
				case *badge:
					w.Set(T(app.ContactRoleLabel(ct.Role)), themeColor(contactRoleColor(ct.Role)))
				case *widget.Label:
					w.SetText(ct.Phone)
				case *fyne.Container:
					w.Objects[0].(*widget.Label).SetText(ct.Display(english()))
					note := w.Objects[1].(*canvas.Text)
					note.Text = ct.Note
					note.Refresh()
				}
			}
		})
	t.list.OnSelected = func(i widget.ListItemID) { t.selected = i; t.updateButtons() }
	t.add = widget.NewButtonWithIcon(T("Add contact…"), theme.ContentAddIcon(), func() { t.editContact(-1) })
	t.edit = widget.NewButtonWithIcon(T("Edit…"), theme.DocumentCreateIcon(), func() { t.editContact(t.selected) })
	t.del = widget.NewButtonWithIcon(T("Delete"), theme.DeleteIcon(), t.deleteContact)
	note := wrapMuted(T("Whom the guard room calls in an emergency. Plan steps name these contacts by ID or by role; administrators keep the list current."))
	top := container.NewVBox(heading(T("Emergency contacts")), note, container.NewHBox(t.add, t.edit, t.del))
	t.content = container.NewBorder(top, nil, nil, nil, t.list)
	t.reload()
	return t
}

func contactRoleColor(role string) fyne.ThemeColorName {
	switch role {
	case "fire", "police", "medical":
		return colorP1
	case "gas", "power", "water":
		return colorP2
	}
	return colorP4
}

func (t *contactsTab) canEdit() bool {
	op := t.c.Operator()
	return op != nil && op.Role.Can(app.ActEditSite) && t.c.core.Contacts != nil
}

func (t *contactsTab) reload() {
	if site := t.c.core.Inventory.Site(); site != nil {
		t.contacts = append([]app.Contact(nil), site.Contacts...)
	}
	if t.selected >= len(t.contacts) {
		t.selected = -1
		t.list.UnselectAll()
	}
	t.list.Refresh()
	t.updateButtons()
}

func (t *contactsTab) updateButtons() {
	for _, b := range []*widget.Button{t.add, t.edit, t.del} {
		b.Enable()
	}
	if !t.canEdit() {
		t.add.Disable()
	}
	if !t.canEdit() || t.selected < 0 {
		t.edit.Disable()
		t.del.Disable()
	}
}

// save is the write of the whole list (the core checks it and journals contacts.updated).
func (t *contactsTab) save(list []app.Contact, done func()) write {
	return write{
		run:  func(ctx context.Context, op *app.Operator) error { return t.c.core.Contacts.Save(ctx, op, list) },
		done: done,
	}
}

func (t *contactsTab) editContact(i int) {
	var ct app.Contact
	if i >= 0 && i < len(t.contacts) {
		ct = t.contacts[i]
	}
	id := widget.NewEntry()
	id.SetText(ct.ID)
	id.SetPlaceHolder(T("e.g. hospital"))
	roleLabels := make([]string, len(app.ContactRoles))
	for k, r := range app.ContactRoles {
		roleLabels[k] = T(app.ContactRoleLabel(r))
	}
	role := widget.NewSelect(roleLabels, nil)
	role.SetSelectedIndex(0)
	for k, r := range app.ContactRoles {
		if r == ct.Role {
			role.SetSelectedIndex(k)
		}
	}
	name := widget.NewEntry()
	name.SetText(ct.Name)
	nameEn := widget.NewEntry()
	nameEn.SetText(ct.NameEn)
	phone := widget.NewEntry()
	phone.SetText(ct.Phone)
	note := widget.NewEntry()
	note.SetText(ct.Note)
	title := T("Add contact")
	if i >= 0 {
		title = T("Edit contact")
	}
	// The dialog stays open until the list is saved, and with the reason when the core
	// refuses it (a phone number it cannot read, an ID taken).
	newWriteForm(t.c, title, T("Save"), []*widget.FormItem{
		widget.NewFormItem(T("Contact ID"), id),
		widget.NewFormItem(T("Role"), role),
		widget.NewFormItem(T("Name"), name),
		widget.NewFormItem(T("Name in English"), nameEn),
		widget.NewFormItem(T("Phone"), phone),
		widget.NewFormItem(T("Note"), note),
	}, func() (write, error) {
		next := app.Contact{ID: id.Text, Role: app.ContactRoles[max(role.SelectedIndex(), 0)], Names: app.Names{Name: name.Text, NameEn: nameEn.Text},
			Phone: phone.Text, Note: note.Text}
		list := append([]app.Contact(nil), t.contacts...)
		if i >= 0 {
			list[i] = next
		} else {
			list = append(list, next)
		}
		return t.save(list, nil), nil
	}).Show(fyne.NewSize(560, 420))
}

func (t *contactsTab) deleteContact() {
	i := t.selected
	if i < 0 || i >= len(t.contacts) {
		return
	}
	ct := t.contacts[i]
	showConfirm(T("Delete contact"), T("Delete {{.Name}} from the contact network?", map[string]any{"Name": ct.Display(english())}), func(ok bool) {
		if !ok {
			return
		}
		list := append(append([]app.Contact(nil), t.contacts[:i]...), t.contacts[i+1:]...)
		t.c.write(t.save(list, func() { t.selected = -1; t.list.UnselectAll() }))
	}, t.c.win)
}

// --- the supply points ---

type suppliesTab struct {
	c        *Console
	content  fyne.CanvasObject
	list     *widget.List
	points   []app.SupplyPoint
	selected string
	detail   *fyne.Container
	add      *widget.Button
	summary  *canvas.Text
}

// expiringSoon: items expiring within this time are pointed out (no notice yet).
const expiringSoon = 30 * 24 * time.Hour

func newSuppliesTab(c *Console) *suppliesTab {
	t := &suppliesTab{c: c}
	if c.core.Supplies == nil {
		t.content = container.NewCenter(widget.NewLabel(T("Supplies are not available")))
		return t
	}
	t.list = widget.NewList(
		func() int { return len(t.points) },
		func() fyne.CanvasObject {
			return container.NewVBox(widget.NewLabelWithStyle("Supply point name", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), muted("location"), muted("status"))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i >= len(t.points) {
				return
			}
			sp := t.points[i]
			box := o.(*fyne.Container)
			box.Objects[0].(*widget.Label).SetText(sp.Display(english()))
			loc := box.Objects[1].(*canvas.Text)
			loc.Text = sp.DisplayLocation(english())
			loc.Refresh()
			st := box.Objects[2].(*canvas.Text)
			text, col := t.pointStatus(&sp)
			st.Text, st.Color = text, themeColor(col)
			st.Refresh()
		})
	t.list.OnSelected = func(i widget.ListItemID) {
		if i < len(t.points) {
			t.selected = t.points[i].ID
			t.showPoint()
		}
	}
	t.add = widget.NewButtonWithIcon(T("New supply point…"), theme.ContentAddIcon(), func() { t.editPoint(app.SupplyPoint{}, true) })
	if op := c.Operator(); op == nil || !op.Role.Can(app.ActEditSite) {
		t.add.Disable()
	}
	t.summary = muted("")
	t.detail = container.NewStack(container.NewCenter(widget.NewLabel(T("Select a supply point to see what it holds"))))
	top := container.NewVBox(heading(T("Supply points")), t.summary, t.add)
	split := container.NewHSplit(container.NewBorder(top, nil, nil, nil, t.list), container.NewPadded(t.detail))
	split.Offset = 0.3
	t.content = split
	t.reload()
	return t
}

// pointStatus says what needs attention at a point, coloured.
func (t *suppliesTab) pointStatus(sp *app.SupplyPoint) (string, fyne.ThemeColorName) {
	now := t.c.core.Clock.Now()
	expired, low, soon := 0, 0, 0
	for _, it := range sp.Items {
		if it.Expired(now) {
			expired++
		} else if e, ok := it.ExpiresOn(); ok && e.Sub(now) < expiringSoon {
			soon++
		}
		if it.Low() {
			low++
		}
	}
	var parts []string
	if expired > 0 {
		parts = append(parts, T("{{.N}} expired", map[string]any{"N": expired}))
	}
	if low > 0 {
		parts = append(parts, T("{{.N}} low", map[string]any{"N": low}))
	}
	if soon > 0 {
		parts = append(parts, T("{{.N}} expire soon", map[string]any{"N": soon}))
	}
	if len(parts) == 0 {
		return T("{{.N}} items, all in order", map[string]any{"N": len(sp.Items)}), colorOK
	}
	if expired+low > 0 {
		return strings.Join(parts, " · "), colorP2
	}
	return strings.Join(parts, " · "), colorP3
}

func (t *suppliesTab) reload() {
	if t.list == nil {
		return
	}
	t.points = t.c.core.Supplies.Points()
	n := len(t.c.core.Supplies.Notices())
	t.summary.Text = T("{{.Points}} supply points · {{.N}} notices", map[string]any{"Points": len(t.points), "N": n})
	t.summary.Refresh()
	t.list.Refresh()
	if t.selected != "" {
		t.showPoint()
	}
}

func (t *suppliesTab) showPoint() {
	sp, ok := t.c.core.Supplies.Point(t.selected)
	if !ok {
		t.detail.Objects = []fyne.CanvasObject{container.NewCenter(widget.NewLabel(T("Select a supply point to see what it holds")))}
		t.detail.Refresh()
		return
	}
	en := english()
	now := t.c.core.Clock.Now()
	site := t.c.core.Inventory.Site()
	op := t.c.Operator()
	edit := widget.NewButtonWithIcon(T("Edit…"), theme.DocumentCreateIcon(), func() { t.editPoint(sp, false) })
	del := widget.NewButtonWithIcon(T("Delete…"), theme.DeleteIcon(), func() {
		showConfirm(T("Delete supply point"), T("Delete {{.Name}}?", map[string]any{"Name": sp.Display(en)}), func(ok bool) {
			if ok {
				t.run(func(ctx context.Context, op *app.Operator) error { return t.c.core.Supplies.Delete(ctx, op, sp.ID) })
			}
		}, t.c.win)
	})
	if op == nil || !op.Role.Can(app.ActEditSite) {
		edit.Disable()
		del.Disable()
	}
	rows := []kvRow{kv("Location", sp.DisplayLocation(en))}
	if site != nil {
		if g, ok := site.Grid(sp.GridID); ok {
			rows = append(rows, kv("Grid", g.Display(en)))
		}
		if b, ok := site.Building(sp.Building); ok {
			rows = append(rows, kv("Building", b.Display(en)))
		}
	}
	if sp.Keeper != "" || sp.Phone != "" {
		rows = append(rows, kv("Key holder", strings.TrimSpace(sp.Keeper+"  "+sp.Phone)))
	}
	rows = append(rows, kv("Position", fmt.Sprintf("x %.0f m, y %.0f m", sp.Position.X, sp.Position.Y)))
	if !sp.UpdatedAt.IsZero() {
		rows = append(rows, kv("Checked", sp.UpdatedAt.Local().Format("2006-01-02 15:04")+" · "+operatorName(sp.UpdatedBy, t.c.operatorDisplay(sp.UpdatedBy))))
	}
	grid := []fyne.CanvasObject{boldLabel(T("Supply")), boldLabel(T("Quantity")), boldLabel(T("Expiry")), boldLabel(T("State"))}
	for _, it := range sp.Items {
		name := T(it.Kind.Label())
		if it.Name != "" && it.Name != name {
			name += " — " + it.Name
		}
		qty := strconv.Itoa(it.Quantity)
		if it.Minimum > 0 {
			qty += " / " + T("min. {{.N}}", map[string]any{"N": it.Minimum})
		}
		state, col := T("In order"), colorOK
		switch {
		case it.Expired(now):
			state, col = T("Expired"), colorP1
		case it.Low():
			state, col = T("Low stock"), colorP2
		default:
			if e, ok := it.ExpiresOn(); ok && e.Sub(now) < expiringSoon {
				state, col = T("Expires soon"), colorP3
			}
		}
		if it.Expired(now) && it.Low() {
			state += " · " + T("Low stock")
		}
		st := canvas.NewText(state, themeColor(col))
		st.TextStyle.Bold = true
		expiry := it.Expiry
		if expiry == "" {
			expiry = "—"
		}
		grid = append(grid, wrapLabel(name), widget.NewLabel(qty), widget.NewLabel(expiry), container.NewPadded(st))
	}
	body := container.NewVBox(heading(sp.Display(en)), container.NewHBox(edit, del), details(rows),
		container.New(layout.NewGridLayoutWithColumns(4), grid...))
	t.detail.Objects = []fyne.CanvasObject{container.NewVScroll(body)}
	t.detail.Refresh()
}

func boldLabel(s string) *widget.Label {
	return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

func (t *suppliesTab) run(action func(context.Context, *app.Operator) error) {
	t.c.write(write{run: action})
}

// editPoint edits a supply point and its items (administrators).
func (t *suppliesTab) editPoint(sp app.SupplyPoint, isNew bool) {
	id := textEntry(sp.ID, T("e.g. cab-b03"))
	if !isNew {
		id.Disable()
	}
	name := textEntry(sp.Name, T("Name in Chinese"))
	nameEn := textEntry(sp.NameEn, T("Name in English"))
	loc := textEntry(sp.Location, T("Where exactly"))
	locEn := textEntry(sp.LocationEn, T("Where exactly, in English"))
	x := textEntry(strconv.FormatFloat(sp.Position.X, 'f', -1, 64), "x")
	y := textEntry(strconv.FormatFloat(sp.Position.Y, 'f', -1, 64), "y")
	keeper := textEntry(sp.Keeper, T("Who holds the key"))
	phone := textEntry(sp.Phone, T("Phone"))
	site := t.c.core.Inventory.Site()
	building := newBuildingPicker(site, sp.Building)
	// A building chosen for a point without a position puts it there (its middle).
	building.Select.OnChanged = func(string) {
		if b, ok := building.Building(site); ok && app.PlainASCII(x.Text)+app.PlainASCII(y.Text) == "00" {
			c := b.Footprint.Centroid()
			x.SetText(strconv.FormatFloat(math.Round(c.X*10)/10, 'f', -1, 64))
			y.SetText(strconv.FormatFloat(math.Round(c.Y*10)/10, 'f', -1, 64))
		}
	}

	kindLabels := make([]string, len(app.SupplyKinds))
	for i, k := range app.SupplyKinds {
		kindLabels[i] = T(k.Label())
	}
	type itemRow struct {
		item                   app.SupplyItem
		kind                   *widget.Select
		name, qty, min, expiry *widget.Entry
	}
	var rows []*itemRow
	itemsBox := container.NewVBox()
	var fill func()
	fill = func() {
		objs := []fyne.CanvasObject{container.NewGridWithColumns(6, boldLabel(T("Supply")), boldLabel(T("Name")), boldLabel(T("Quantity")),
			boldLabel(T("Minimum")), boldLabel(T("Expiry (YYYY-MM-DD)")), widget.NewLabel(""))}
		for i, r := range rows {
			i := i
			del := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() {
				rows = append(rows[:i:i], rows[i+1:]...)
				fill()
			})
			objs = append(objs, container.NewGridWithColumns(6, r.kind, r.name, r.qty, r.min, r.expiry, container.NewHBox(del)))
		}
		itemsBox.Objects = objs
		itemsBox.Refresh()
	}
	newRow := func(it app.SupplyItem) *itemRow {
		r := &itemRow{item: it, kind: widget.NewSelect(kindLabels, nil)}
		for i, k := range app.SupplyKinds {
			if k == it.Kind {
				r.kind.SetSelectedIndex(i)
			}
		}
		r.name = textEntry(it.Name, T("optional"))
		r.qty = textEntry(strconv.Itoa(it.Quantity), "0")
		r.min = textEntry(strconv.Itoa(it.Minimum), "0")
		r.expiry = textEntry(it.Expiry, "2027-12-31")
		return r
	}
	for _, it := range sp.Items {
		rows = append(rows, newRow(it))
	}
	fill()
	addItem := widget.NewButtonWithIcon(T("Add item"), theme.ContentAddIcon(), func() {
		rows = append(rows, newRow(app.SupplyItem{Kind: app.SupplyKinds[0]}))
		fill()
	})
	form := widget.NewForm(
		widget.NewFormItem(T("Supply point ID"), id),
		widget.NewFormItem(T("Name"), container.NewGridWithColumns(2, name, nameEn)),
		widget.NewFormItem(T("Building"), building.Select),
		widget.NewFormItem(T("Location"), container.NewGridWithColumns(2, loc, locEn)),
		widget.NewFormItem(T("Position on the plan (m)"), container.NewGridWithColumns(2, x, y)),
		widget.NewFormItem(T("Key holder"), container.NewGridWithColumns(2, keeper, phone)),
	)
	save := func() (write, error) {
		next := sp
		next.ID = strings.TrimSpace(id.Text)
		next.Name, next.NameEn = strings.TrimSpace(name.Text), strings.TrimSpace(nameEn.Text)
		next.Location, next.LocationEn = strings.TrimSpace(loc.Text), strings.TrimSpace(locEn.Text)
		next.Keeper, next.Phone = strings.TrimSpace(keeper.Text), strings.TrimSpace(phone.Text)
		next.Building = building.ID()
		var bad []string
		num := func(e *widget.Entry, what string) float64 {
			v, err := strconv.ParseFloat(app.PlainASCII(e.Text), 64)
			if err != nil {
				bad = append(bad, T("{{.Value}} is not a number ({{.What}})", map[string]any{"Value": e.Text, "What": what}))
			}
			return v
		}
		next.Position = app.Point{X: num(x, "x"), Y: num(y, "y")}
		next.Items = nil
		for _, r := range rows {
			it := r.item
			if k := r.kind.SelectedIndex(); k >= 0 {
				if it.Kind != app.SupplyKinds[k] {
					it.ID = "" // another kind: a new item
				}
				it.Kind = app.SupplyKinds[k]
			}
			it.Name = strings.TrimSpace(r.name.Text)
			it.Quantity = int(num(r.qty, T("Quantity")))
			it.Minimum = int(num(r.min, T("Minimum")))
			it.Expiry = app.PlainASCII(r.expiry.Text) // 2027－12－31 as pinyin may type it
			next.Items = append(next.Items, it)
		}
		if len(bad) > 0 {
			return write{}, said(strings.Join(bad, "; "))
		}
		prev := t.selected
		t.selected = next.ID  // shown when its entry arrives
		var checkFailed error // saved, but the stock check failed
		return write{
			run: func(ctx context.Context, op *app.Operator) error {
				saved, err := t.c.core.Supplies.Save(ctx, op, next)
				if err != nil && saved.ID != "" {
					checkFailed, err = err, nil
				}
				return err
			},
			done: func() {
				if checkFailed != nil {
					t.c.showError(checkFailed)
				}
			},
			nothingChanged: func() { t.selected = prev; t.c.showNothingChanged() },
			failed:         func(error) { t.selected = prev },
			notSaved: func(why string) string {
				return T("The supply point was not saved: {{.Why}}", map[string]any{"Why": why})
			},
		}, nil
	}
	title := T("New supply point")
	if !isNew {
		title = T("Edit supply point")
	}
	body := container.NewVBox(form, section(T("Items"), itemsBox, container.NewHBox(addItem)))
	newWriteDialog(t.c, title, T("Save"), container.NewVScroll(body), save).Show(fyne.NewSize(1100, 720))
}
