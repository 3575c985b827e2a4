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
	"watchpost/assets"
)

// signIn is the screen shown before anyone is signed in.
type signIn struct {
	c        *Console
	content  fyne.CanvasObject
	user     *widget.Entry
	password *widget.Entry
	button   *widget.Button
	message  *writeStatus // checking the password, or why signing in failed
	// counters show the open alarms while nobody is signed in: whoever walks up to the
	// console sees at once that something waits (the chime sounds too, alarm_watch.go).
	counters *alarmCounters
}

func newSignIn(c *Console) *signIn {
	s := &signIn{c: c}
	logo := canvas.NewImageFromResource(fyne.NewStaticResource("icon.png", assets.Icon))
	logo.FillMode = canvas.ImageFillContain
	logo.SetMinSize(fyne.NewSize(88, 88))
	title := canvas.NewText(T("Watchpost"), themeColor(theme.ColorNameForeground))
	title.TextSize = 30
	title.TextStyle.Bold = true
	title.Alignment = fyne.TextAlignCenter
	sub := canvas.NewText(T("Community safety command center"), themeColor(colorMuted))
	sub.Alignment = fyne.TextAlignCenter
	siteName := ""
	site := c.core.Inventory.Site()
	if site != nil {
		siteName = site.Display(english())
	}
	siteText := canvas.NewText(siteName, themeColor(theme.ColorNamePrimary))
	siteText.TextSize = 18
	siteText.Alignment = fyne.TextAlignCenter

	s.user = widget.NewEntry()
	s.user.SetPlaceHolder(T("User name"))
	s.password = widget.NewPasswordEntry()
	s.password.SetPlaceHolder(T("Password"))
	s.password.OnSubmitted = func(string) { s.submit() }
	s.user.OnSubmitted = func(string) { c.win.Canvas().Focus(s.password) }
	s.button = widget.NewButtonWithIcon(T("Sign in"), theme.LoginIcon(), s.submit)
	s.button.Importance = widget.HighImportance
	s.message = newWriteStatus()
	s.message.text.Alignment = fyne.TextAlignCenter

	langSel := languageSelect(c, func() {}) // switching here rebuilds the sign-in screen

	s.counters = newAlarmCounters(c, nil)
	alarms := container.NewCenter(container.NewHBox(muted(T("Open alarms")), s.counters.content))

	form := container.NewVBox(
		container.NewCenter(logo), title, sub, siteText, alarms, widget.NewSeparator(),
		s.user, s.password, s.button, s.message.content,
	)
	if site != nil && site.Demo {
		hint := widget.NewLabel(T("Demo accounts: duty, commander, trainer, admin — password sunshine-demo"))
		hint.Wrapping = fyne.TextWrapWord
		hint.Alignment = fyne.TextAlignCenter
		form.Add(hint)
	}
	if c.canSetUp() {
		setup := widget.NewButtonWithIcon(T("Set up your own community…"), theme.HomeIcon(), func() { c.showSetUp() })
		setup.Importance = widget.LowImportance
		form.Add(setup)
	}
	// The select spans the card: centred at its own minimum it cut its label short.
	form.Add(container.NewBorder(nil, nil, widget.NewIcon(theme.ComputerIcon()), nil, langSel))

	card := canvas.NewRectangle(themeColor(colorPanel))
	card.CornerRadius = 10
	box := container.NewStack(card, container.New(layout.NewCustomPaddedLayout(24, 24, 32, 32), form))
	sized := container.New(&fixedWidth{w: 440}, box)
	s.content = container.NewCenter(sized)
	return s
}

func (s *signIn) submit() {
	user, pw := s.user.Text, s.password.Text
	if user == "" {
		s.message.failText(T("Enter your user name"))
		return
	}
	// Password hashing takes tens of milliseconds: never on the UI thread.
	var op *app.Operator
	s.c.write(write{
		run: func(ctx context.Context, _ *app.Operator) (err error) {
			// The phone pages' people are refused here with where to go (console_access.go).
			op, err = s.c.core.Accounts.SignInConsole(ctx, user, pw, s.c.x.phonePagesURL())
			return err
		},
		status: s.message, busy: T("Checking the password…"), lock: []fyne.Disableable{s.button},
		done: func() {
			s.c.core.Log.Info("signed in", "user", op.Username, "role", op.Role)
			s.c.signedIn(op)
		},
		failed: func(error) { s.password.SetText("") },
	})
}

// fixedWidth lays its single child out at a fixed width (and its own height).
type fixedWidth struct{ w float32 }

func (f *fixedWidth) MinSize(objs []fyne.CanvasObject) fyne.Size {
	h := float32(0)
	for _, o := range objs {
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(f.w, h)
}

func (f *fixedWidth) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
}
