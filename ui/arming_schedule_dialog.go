package ui

import (
	"context"
	"sort"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// The arming schedule dialog: what it covers (a device, a grid or a device kind) and its
// weekly windows, each with its days and its times (an end before the start runs past
// midnight). Two presets fill the usual ones.

// windowRow is one window being edited.
type windowRow struct {
	days       []*widget.Check // in weekOrder
	start, end *widget.Entry
	box        fyne.CanvasObject
}

func newWindowRow(w app.Window, remove func(*windowRow)) *windowRow {
	r := &windowRow{start: widget.NewEntry(), end: widget.NewEntry()}
	on := map[time.Weekday]bool{}
	for _, d := range w.Days {
		on[d] = true
	}
	checks := container.NewHBox()
	for _, d := range weekOrder {
		c := widget.NewCheck(dayShort(d), nil)
		c.SetChecked(on[d])
		r.days = append(r.days, c)
		checks.Add(c)
	}
	r.start.SetText(w.Start.String())
	r.end.SetText(w.End.String())
	times := container.NewHBox(widget.NewLabel(T("from")), sized(r.start, 80), widget.NewLabel(T("to")), sized(r.end, 80))
	del := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() { remove(r) })
	r.box = container.NewBorder(nil, nil, nil, del, container.NewVBox(checks, times))
	return r
}

// sized keeps an entry at a width (a time needs no more).
func sized(o fyne.CanvasObject, w float32) fyne.CanvasObject {
	return container.NewGridWrap(fyne.NewSize(w, o.MinSize().Height), o)
}

// window reads the row back; a time that is not one is an error.
func (r *windowRow) window() (app.Window, error) {
	var w app.Window
	for i, c := range r.days {
		if c.Checked {
			w.Days = append(w.Days, weekOrder[i])
		}
	}
	sort.Slice(w.Days, func(i, j int) bool { return w.Days[i] < w.Days[j] })
	var err error
	if w.Start, err = app.ParseTimeOfDay(app.PlainASCII(r.start.Text)); err != nil {
		return w, err
	}
	if w.End, err = app.ParseTimeOfDay(app.PlainASCII(r.end.Text)); err != nil {
		return w, err
	}
	return w, nil
}

// editSchedule edits a schedule (nil: a new one).
func (p *armingPanel) editSchedule(cur *app.ArmingSchedule) {
	site := p.c.core.Inventory.Site()
	en := english()
	// What it covers: the scope, then the device, grid or kind.
	type choice struct {
		label  string
		target app.ArmTarget
	}
	choices := map[app.ArmScope][]choice{}
	for _, d := range site.Devices {
		choices[app.ScopeDevice] = append(choices[app.ScopeDevice], choice{d.Display(en) + " (" + d.ID + ")", app.ArmTarget{Scope: app.ScopeDevice, ID: d.ID}})
	}
	for _, g := range site.Grids {
		choices[app.ScopeZone] = append(choices[app.ScopeZone], choice{g.Display(en), app.ArmTarget{Scope: app.ScopeZone, ID: g.ID}})
	}
	for _, k := range app.DeviceKinds {
		choices[app.ScopeKind] = append(choices[app.ScopeKind], choice{T(k.Label()), app.ArmTarget{Scope: app.ScopeKind, ID: string(k)}})
	}
	scopeLabels := make([]string, len(app.ArmScopes))
	for i, s := range app.ArmScopes {
		scopeLabels[i] = T(s.Label())
	}
	which := widget.NewSelect(nil, nil)
	which.PlaceHolder = T("Choose…")
	scope := widget.NewSelect(scopeLabels, nil)
	scopeOf := func() app.ArmScope { return app.ArmScopes[max(scope.SelectedIndex(), 0)] }
	scope.OnChanged = func(string) {
		var ls []string
		for _, c := range choices[scopeOf()] {
			ls = append(ls, c.label)
		}
		which.Options = ls
		which.ClearSelected()
		which.Refresh()
	}
	scope.SetSelectedIndex(2) // a kind: the usual start (all doors at night)
	if cur != nil {
		for i, s := range app.ArmScopes {
			if s == cur.Target.Scope {
				scope.SetSelectedIndex(i)
			}
		}
		for i, c := range choices[cur.Target.Scope] {
			if c.target == cur.Target {
				which.SetSelectedIndex(i)
			}
		}
		scope.Disable() // editing keeps what it covers; a new one covers something else
		which.Disable()
	}

	var rows []*windowRow
	list := container.NewVBox()
	var remove func(*windowRow)
	add := func(w app.Window) {
		r := newWindowRow(w, remove)
		rows = append(rows, r)
		list.Add(r.box)
	}
	remove = func(r *windowRow) {
		for i := range rows {
			if rows[i] == r {
				rows = append(rows[:i], rows[i+1:]...)
				list.Remove(r.box)
				return
			}
		}
	}
	all := []time.Weekday{0, 1, 2, 3, 4, 5, 6}
	work := []time.Weekday{1, 2, 3, 4, 5}
	tod := func(s string) app.TimeOfDay { t, _ := app.ParseTimeOfDay(s); return t }
	if cur != nil {
		for _, w := range cur.Schedule.Windows {
			add(w)
		}
	} else {
		add(app.Window{Days: all, Start: tod("22:00"), End: tod("06:00")})
	}
	preset := func(ws ...app.Window) func() {
		return func() {
			for len(rows) > 0 {
				remove(rows[0])
			}
			for _, w := range ws {
				add(w)
			}
		}
	}
	presets := container.NewHBox(
		widget.NewButton(T("Nights 22:00–06:00"), preset(app.Window{Days: all, Start: tod("22:00"), End: tod("06:00")})),
		widget.NewButton(T("Outside working hours"), preset(app.Window{Days: work, Start: tod("18:00"), End: tod("08:00")},
			app.Window{Days: []time.Weekday{time.Saturday, time.Sunday}, Start: 0, End: 0})),
		widget.NewButtonWithIcon(T("Add a window"), theme.ContentAddIcon(), func() { add(app.Window{Days: work, Start: tod("08:00"), End: tod("18:00")}) }),
	)
	help := wrapMuted(T("Armed in these windows, in the site's time zone. An end before the start runs past midnight and belongs to the day it starts; 00:00 to 00:00 is the whole day."))
	form := widget.NewForm(widget.NewFormItem(T("Covers"), scope), widget.NewFormItem("", which))
	body := container.NewBorder(container.NewVBox(form, widget.NewSeparator(), heading(T("Armed windows")), help, presets), nil, nil, nil,
		container.NewVScroll(list))
	title := T("New arming schedule")
	if cur != nil {
		title = T("Arming schedule")
	}
	wd := newWriteDialog(p.c, title, T("Save"), body, func() (write, error) {
		s := app.ArmingSchedule{}
		if cur != nil {
			s.Target = cur.Target
		} else {
			i := which.SelectedIndex()
			if i < 0 {
				return write{}, said(T("Choose the device, grid or kind it covers"))
			}
			s.Target = choices[scopeOf()][i].target
		}
		for _, r := range rows {
			w, err := r.window()
			if err != nil {
				return write{}, err
			}
			s.Schedule.Windows = append(s.Schedule.Windows, w)
		}
		return write{run: func(ctx context.Context, op *app.Operator) error { return p.c.core.Arming.SetSchedule(ctx, op, s) }, done: p.reload}, nil
	})
	wd.d.Resize(fyne.NewSize(760, 620))
	wd.d.Show()
}
