package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// writeDialog is a dialog whose confirm button writes (Console.write): it stays open while
// the write runs, its progress under the fields; it closes once the write succeeded, and
// when the write fails (or what was typed is refused) it stays open with the reason, so
// that nothing typed is lost and the operator corrects it in place.
type writeDialog struct {
	c      *Console
	d      dialog.Dialog
	ok     *widget.Button
	cancel *widget.Button
	status *writeStatus
	// onCancel runs when the operator cancels (to put back a draft drawn ahead).
	onCancel func()
	// form is the dialog's form (newWriteForm): refreshed when a field is enabled or disabled,
	// so that its label follows.
	form *widget.Form
	size fyne.Size // as shown
	box  *fyne.Container
}

// newWriteDialog builds the dialog around body. submit runs when the operator confirms: it
// reads the fields and returns the write to run, or an error that says what is wrong with
// them (shown in place; nothing is written). A write without run only closes the dialog
// and runs its done (an edit kept in memory until a larger Save).
func newWriteDialog(c *Console, title, confirm string, body fyne.CanvasObject, submit func() (write, error)) *writeDialog {
	wd := &writeDialog{c: c, status: newWriteStatus()}
	wd.cancel = widget.NewButtonWithIcon(T("Cancel"), theme.CancelIcon(), func() {
		wd.d.Hide()
		if wd.onCancel != nil {
			wd.onCancel()
		}
	})
	wd.ok = widget.NewButtonWithIcon(confirm, theme.ConfirmIcon(), func() {
		w, err := submit()
		if err != nil {
			wd.status.fail(err)
			return
		}
		wd.run(w)
	})
	wd.ok.Importance = widget.HighImportance
	bottom := container.NewVBox(wd.status.content, container.NewHBox(layout.NewSpacer(), wd.cancel, wd.ok))
	wd.box = container.NewBorder(nil, bottom, nil, nil, body)
	wd.d = dialog.NewCustomWithoutButtons(title, wd.box, c.win)
	wd.status.shown = wd.fit
	return wd
}

// fit lays the dialog out again, as tall as it must be, once its status appeared or grew.
func (wd *writeDialog) fit() {
	min := wd.d.MinSize()
	wd.d.Resize(fyne.NewSize(max(wd.size.Width, min.Width), max(wd.size.Height, min.Height)))
	wd.box.Refresh() // lays the fields and the status out again in the size it has
}

// newWriteForm is a writeDialog of form fields. Fields with a validator keep the confirm
// button disabled while they are not valid, as Fyne's form dialog does.
func newWriteForm(c *Console, title, confirm string, items []*widget.FormItem, submit func() (write, error)) *writeDialog {
	form := widget.NewForm(items...)
	wd := newWriteDialog(c, title, confirm, form, submit)
	wd.form = form
	valid := func(err error) {
		if err != nil {
			wd.ok.Disable()
		} else if !wd.status.running() {
			wd.ok.Enable()
		}
	}
	valid(form.Validate())
	form.SetOnValidationChanged(valid)
	return wd
}

// submit confirms, as the button does (Enter in a field); not while a write runs.
func (wd *writeDialog) submit() {
	if !wd.ok.Disabled() {
		wd.ok.OnTapped()
	}
}

// run runs a write from the dialog; it closes when the write succeeded or changed nothing.
func (wd *writeDialog) run(w write) {
	done := w.done
	closeDone := func() {
		wd.d.Hide()
		if done != nil {
			done()
		}
	}
	if w.run == nil {
		wd.status.clear()
		closeDone()
		return
	}
	w.status = wd.status
	w.lock = append(w.lock, wd.ok)
	w.done = closeDone
	if changedNot := w.nothingChanged; changedNot == nil {
		w.nothingChanged = func() {
			closeDone()
			wd.c.showNothingChanged()
		}
	} else {
		w.nothingChanged = func() {
			wd.d.Hide()
			changedNot()
		}
	}
	wd.c.write(w)
}

// Show opens the dialog at its size (a zero height: as tall as its content).
func (wd *writeDialog) Show(size fyne.Size) {
	wd.size = size
	wd.d.Resize(size)
	wd.d.Show()
}
