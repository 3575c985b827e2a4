package ui

import (
	"context"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// permissionsView is the permission table: which role may do which action, as check boxes,
// saved through the core (which checks the administrator and journals each role's change).
// The administrator's column is all ticked and cannot be changed: an administrator may do
// everything. A change made elsewhere is shown when its journal entry arrives.
type permissionsView struct {
	c      *Console
	obj    fyne.CanvasObject
	checks map[app.Role]map[app.Action]*widget.Check
	save   *widget.Button
	status *writeStatus
}

func newPermissionsView(c *Console) *permissionsView {
	v := &permissionsView{c: c, checks: map[app.Role]map[app.Action]*widget.Check{}, status: newWriteStatusInline()}
	cols := len(app.Roles) + 1
	cells := []fyne.CanvasObject{muted(T("Action"))}
	for _, r := range app.Roles {
		l := widget.NewLabel(T(r.Label()))
		l.TextStyle.Bold = true
		cells = append(cells, l)
		v.checks[r] = map[app.Action]*widget.Check{}
	}
	for _, a := range app.Actions {
		cells = append(cells, widget.NewLabel(actionLabel(a)))
		for _, r := range app.Roles {
			ch := widget.NewCheck("", nil)
			if r == app.RoleAdmin {
				ch.Disable()
			}
			v.checks[r][a] = ch
			cells = append(cells, ch)
		}
	}
	v.save = widget.NewButtonWithIcon(T("Save"), theme.DocumentSaveIcon(), v.submit)
	v.save.Importance = widget.HighImportance
	reset := widget.NewButtonWithIcon(T("Undo changes"), theme.ContentUndoIcon(), v.refresh)
	note := widget.NewLabel(T("An administrator may do everything. Every change is journaled and applies at once, on every console."))
	note.Wrapping = fyne.TextWrapWord
	grid := container.New(&permissionGrid{cols: cols}, cells...)
	v.obj = container.NewBorder(note, container.NewHBox(v.save, reset, v.status.content), nil, nil,
		container.NewVScroll(container.NewPadded(grid)))
	v.refresh()
	if op := c.Operator(); op == nil || !op.Role.Can(app.ActManageOperators) {
		v.save.Disable()
	}
	return v
}

// actionLabel is an action's label as a table row: translated, its first letter upper case.
func actionLabel(a app.Action) string {
	s := T(a.Label())
	r, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[size:]
}

// refresh shows the table in force.
func (v *permissionsView) refresh() {
	for r, row := range v.checks {
		for a, ch := range row {
			ch.SetChecked(r.Can(a))
		}
	}
}

func (v *permissionsView) submit() {
	want := map[app.Role][]app.Action{}
	for _, r := range app.Roles {
		if r == app.RoleAdmin {
			continue
		}
		for _, a := range app.Actions {
			if v.checks[r][a].Checked {
				want[r] = append(want[r], a)
			}
		}
	}
	v.c.write(write{
		run: func(ctx context.Context, op *app.Operator) error {
			changed := false
			for _, r := range app.Roles {
				if r == app.RoleAdmin {
					continue
				}
				err := v.c.core.Permissions.Set(ctx, op, r, want[r])
				if app.IsCode(err, app.CodeUnchanged) {
					continue
				}
				if err != nil {
					return err
				}
				changed = true
			}
			if !changed {
				return app.ErrUnchanged()
			}
			return nil
		},
		status: v.status, lock: []fyne.Disableable{v.save}, saved: T("Saved"),
		failed: func(error) { v.refresh() },
	})
}

// permissionGrid lays the table out: the first column as wide as its widest label, the role
// columns equal.
type permissionGrid struct{ cols int }

func (g *permissionGrid) widths(objs []fyne.CanvasObject) (first, other float32) {
	for i, o := range objs {
		w := o.MinSize().Width
		if i%g.cols == 0 {
			first = max(first, w)
		} else {
			other = max(other, w)
		}
	}
	return first, max(other, 110)
}

func (g *permissionGrid) MinSize(objs []fyne.CanvasObject) fyne.Size {
	first, other := g.widths(objs)
	rows := (len(objs) + g.cols - 1) / g.cols
	h := float32(0)
	for i := 0; i < len(objs); i += g.cols {
		h += objs[i].MinSize().Height
	}
	return fyne.NewSize(first+float32(g.cols-1)*other, h+float32(rows-1)*theme.Padding())
}

func (g *permissionGrid) Layout(objs []fyne.CanvasObject, _ fyne.Size) {
	first, other := g.widths(objs)
	y := float32(0)
	for i := 0; i < len(objs); i += g.cols {
		h := float32(0)
		for j := i; j < i+g.cols && j < len(objs); j++ {
			h = max(h, objs[j].MinSize().Height)
		}
		x := float32(0)
		for j := i; j < i+g.cols && j < len(objs); j++ {
			w := other
			if j == i {
				w = first
			}
			objs[j].Move(fyne.NewPos(x, y))
			objs[j].Resize(fyne.NewSize(w, h))
			x += w
		}
		y += h + theme.Padding()
	}
}
