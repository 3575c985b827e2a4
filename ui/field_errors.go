package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// fieldErrors shows what the core refused under the field it is about (app.Error.Field),
// in the operator's language, and puts the cursor in the first such field; the dialog's
// status line says it too.
type fieldErrors struct {
	labels map[string]*widget.Label
	inputs map[string]fyne.CanvasObject
	order  []string
}

func newFieldErrors() *fieldErrors {
	return &fieldErrors{labels: map[string]*widget.Label{}, inputs: map[string]fyne.CanvasObject{}}
}

// field wraps an input with the line its errors show on; names are the core's field
// names the input answers for (the first is the field's own).
func (f *fieldErrors) field(input fyne.CanvasObject, names ...string) fyne.CanvasObject {
	l := widget.NewLabel("")
	l.Importance = widget.DangerImportance
	l.Wrapping = fyne.TextWrapWord
	l.Hide()
	for _, n := range names {
		f.labels[n] = l
		f.inputs[n] = input
		f.order = append(f.order, n)
	}
	return container.NewVBox(input, l)
}

// clear hides every error.
func (f *fieldErrors) clear() {
	for _, l := range f.labels {
		l.SetText("")
		l.Hide()
	}
}

// show puts each problem of err under its field and focuses the first of them; it
// reports whether any was placed.
func (f *fieldErrors) show(c *Console, err error) bool {
	f.clear()
	texts := map[*widget.Label]string{}
	var first fyne.CanvasObject
	for _, p := range app.ProblemsOf(err) {
		l, ok := f.labels[p.Field]
		if !ok {
			continue
		}
		if texts[l] == "" {
			texts[l] = ErrText(p)
		}
		if first == nil {
			first = f.inputs[p.Field]
		}
	}
	for l, t := range texts {
		l.SetText(t)
		l.Show()
	}
	if fo, ok := first.(fyne.Focusable); ok && c != nil {
		c.win.Canvas().Focus(fo)
	}
	return len(texts) > 0
}

// errorOf returns the error shown under a field ("" when none).
func (f *fieldErrors) errorOf(name string) string {
	if l, ok := f.labels[name]; ok && l.Visible() {
		return l.Text
	}
	return ""
}
