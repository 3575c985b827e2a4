package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// passwordChange is shown after signing in with a password an administrator reset, before
// anything else: the operator chooses their own password (the core refuses every action
// until they have), or signs out. Nobody is signed in on the console meanwhile.
type passwordChange struct {
	c              *Console
	op             *app.Operator
	content        fyne.CanvasObject
	old, pw, again *widget.Entry
	button         *widget.Button
	message        *writeStatus
}

// showPasswordChange puts the forced change of op's password on the window.
func (c *Console) showPasswordChange(op *app.Operator) {
	c.setOperator(nil)
	if c.shell != nil {
		c.shell.close()
		c.shell = nil
	}
	c.signIn = nil
	p := newPasswordChange(c, op)
	c.passwordChange = p
	c.setContent(p.content)
	c.win.Canvas().Focus(p.old)
}

func newPasswordChange(c *Console, op *app.Operator) *passwordChange {
	p := &passwordChange{c: c, op: op, message: newWriteStatus()}
	title := canvas.NewText(T("Choose a new password"), themeColor(theme.ColorNameForeground))
	title.TextSize = 22
	title.TextStyle.Bold = true
	title.Alignment = fyne.TextAlignCenter
	why := widget.NewLabel(T("{{.Name}}, an administrator reset your password. Choose your own before you continue: at least {{.N}} characters, not your user name, not a well-known password.",
		map[string]any{"Name": op.Name, "N": app.MinPasswordLength}))
	why.Wrapping = fyne.TextWrapWord
	p.old = widget.NewPasswordEntry()
	p.old.SetPlaceHolder(T("The password you were given"))
	p.pw, p.again = passwordPair()
	p.again.SetPlaceHolder(T("Repeat new password"))
	p.old.OnSubmitted = func(string) { c.win.Canvas().Focus(p.pw) }
	p.pw.OnSubmitted = func(string) { c.win.Canvas().Focus(p.again) }
	p.again.OnSubmitted = func(string) { p.submit() }
	p.button = widget.NewButtonWithIcon(T("Change password"), theme.ConfirmIcon(), p.submit)
	p.button.Importance = widget.HighImportance
	out := widget.NewButtonWithIcon(T("Sign out"), theme.LogoutIcon(), c.showSignIn)
	form := container.NewVBox(title, why, widget.NewSeparator(), p.old, p.pw, p.again, p.button, p.message.content, out)
	card := canvas.NewRectangle(themeColor(colorPanel))
	card.CornerRadius = 10
	box := container.NewStack(card, container.New(layout.NewCustomPaddedLayout(24, 24, 32, 32), form))
	p.content = container.NewCenter(container.New(&fixedWidth{w: 460}, box))
	return p
}

func (p *passwordChange) submit() {
	if p.pw.Text != p.again.Text {
		p.message.failText(T("The new passwords differ"))
		return
	}
	op, old, nw := *p.op, p.old.Text, p.pw.Text
	p.c.write(write{ // bcrypt twice: never on the UI thread; the operator is not signed in yet
		run: func(ctx context.Context, _ *app.Operator) error {
			return p.c.core.Accounts.ChangePassword(ctx, &op, op.Username, old, nw)
		},
		status: p.message, busy: T("Checking the passwords…"), lock: []fyne.Disableable{p.button},
		done: func() {
			op.MustChange = false
			p.c.passwordChange = nil
			p.c.signedIn(&op)
		},
		failed: func(error) { p.pw.SetText(""); p.again.SetText("") },
	})
}
