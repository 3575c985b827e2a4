package ui

import (
	"context"
	"errors"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// The shift handover dialog (交接班): what is open now, the outgoing operator's password,
// the incoming operator's name and password, the duty log note (值班日志); beside it the
// duty log, the recent handovers. The core checks both passwords and journals it; a wrong
// password leaves the dialog open with everything typed but the passwords.

// canHandOver reports whether the signed-in operator may hand the shift over here.
func (c *Console) canHandOver() bool {
	op := c.Operator()
	return c.core.Shifts != nil && op != nil && op.Role.Can(app.ActHandOver)
}

// handoverButton is the header's way into the handover (nil when the operator's role
// does not keep the guard room).
func (c *Console) handoverButton() fyne.CanvasObject {
	if !c.canHandOver() {
		return nil
	}
	b := widget.NewButtonWithIcon(T("Hand over shift"), theme.AccountIcon(), c.showHandover)
	b.Importance = widget.LowImportance
	return b
}

// handoverDialog is the open dialog's state.
type handoverDialog struct {
	c      *Console
	d      dialog.Dialog
	outPW  *widget.Entry
	inUser *widget.Entry
	inPW   *widget.Entry
	note   *widget.Entry
	status *writeStatus // checking the passwords, or why the handover was refused
	submit *widget.Button
	log    *fyne.Container // the duty log, filled when read
}

// showHandover opens the handover dialog.
func (c *Console) showHandover() {
	op := c.Operator()
	if op == nil || c.core.Shifts == nil {
		return
	}
	h := &handoverDialog{c: c}
	h.outPW = widget.NewPasswordEntry()
	h.outPW.SetPlaceHolder(T("Your password"))
	h.inUser = widget.NewEntry()
	h.inUser.SetPlaceHolder(T("User name"))
	h.inPW = widget.NewPasswordEntry()
	h.inPW.SetPlaceHolder(T("Their password"))
	h.note = widget.NewMultiLineEntry()
	h.note.Wrapping = fyne.TextWrapWord
	h.note.SetMinRowsVisible(5)
	h.note.SetPlaceHolder(T("What happened on the shift, what is still open, what the next shift must watch"))
	h.outPW.OnSubmitted = func(string) { c.win.Canvas().Focus(h.inUser) }
	h.inUser.OnSubmitted = func(string) { c.win.Canvas().Focus(h.inPW) }
	h.inPW.OnSubmitted = func(string) { c.win.Canvas().Focus(h.note) }
	h.status = newWriteStatus()

	form := widget.NewForm(
		widget.NewFormItem(T("Handed over by"), widget.NewLabel(fmt.Sprintf("%s (%s)", op.Name, op.Username))),
		widget.NewFormItem(T("Password"), h.outPW),
		widget.NewFormItem(T("Taken over by"), h.inUser),
		widget.NewFormItem(T("Password"), h.inPW),
		widget.NewFormItem(T("Duty log"), h.note),
	)
	// What is open scrolls when it is long; the form and its message always show.
	left := container.NewBorder(nil, container.NewVBox(form, h.status.content), nil, nil,
		container.NewVScroll(section(T("Open now"), openView(c, c.core.Shifts.OpenNow()))))
	h.log = container.NewVBox(widget.NewLabel(T("Loading…")))
	right := container.NewBorder(heading(T("Duty log: recent handovers")), nil, nil, nil, container.NewVScroll(h.log))
	split := container.NewHSplit(container.NewPadded(left), container.NewPadded(right))
	split.Offset = 0.56

	cancel := widget.NewButtonWithIcon(T("Cancel"), theme.CancelIcon(), func() { h.d.Hide() })
	h.submit = widget.NewButtonWithIcon(T("Hand over"), theme.ConfirmIcon(), h.handOver)
	h.submit.Importance = widget.HighImportance
	content := container.NewBorder(nil, container.NewCenter(container.NewHBox(cancel, h.submit)), nil, nil, split)
	h.d = dialog.NewCustomWithoutButtons(T("Hand over shift"), content, c.win)
	h.d.Resize(fyne.NewSize(1160, 720))
	h.d.Show()
	c.win.Canvas().Focus(h.outPW)
	go h.loadLog()
}

// loadLog reads the recent handovers off the UI thread.
func (h *handoverDialog) loadLog() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	list, err := h.c.core.Shifts.Recent(ctx, 20)
	h.c.onUI(func() {
		if err != nil {
			h.log.Objects = []fyne.CanvasObject{errorText(ErrText(err))}
		} else {
			h.log.Objects = []fyne.CanvasObject{dutyLogView(h.c, list)}
		}
		h.log.Refresh()
	})
}

// handOver asks the core; bcrypt twice takes a moment, so never on the UI thread.
func (h *handoverDialog) handOver() {
	req := app.HandoverRequest{OutgoingPassword: h.outPW.Text, Incoming: h.inUser.Text, IncomingPassword: h.inPW.Text, Note: h.note.Text}
	var in *app.Operator
	var ho app.Handover
	h.c.write(write{
		run: func(ctx context.Context, op *app.Operator) (err error) {
			in, ho, err = h.c.core.Shifts.Handover(ctx, op, req)
			return err
		},
		status: h.status, busy: T("Checking the passwords…"), lock: []fyne.Disableable{h.submit},
		done: func() {
			h.c.core.Log.Info("shift handed over", "from", ho.Outgoing, "to", ho.Incoming, "shift", ho.ID,
				"open_alarms", len(ho.Open.Alarms), "incidents", len(ho.Open.Incidents), "overdue", len(ho.Open.Overdue))
			h.d.Hide()
			h.c.signedIn(in)
		},
		failed: h.refused,
	})
}

// refused (the reason is shown) clears the password it concerns and puts the cursor there.
func (h *handoverDialog) refused(err error) {
	switch fieldOf(err) {
	case "outgoing_password":
		h.outPW.SetText("")
		h.c.win.Canvas().Focus(h.outPW)
	case "incoming_password":
		h.inPW.SetText("")
		h.c.win.Canvas().Focus(h.inPW)
	case "incoming":
		h.c.win.Canvas().Focus(h.inUser)
	case "note":
		h.c.win.Canvas().Focus(h.note)
	}
}

// fieldOf names the input an error of the core is about ("" when none).
func fieldOf(err error) string {
	var e *app.Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}
