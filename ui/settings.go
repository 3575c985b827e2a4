package ui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// languageChoices are the options of the language selector, in this order.
var languageChoices = []struct{ Code, Label string }{
	{"", "Follow the system"},
	{"zh-CN", "中文（简体）"},
	{"en", "English"},
}

// languageSelect switches the console's language. Signed in, the choice is saved in the
// configuration (journaled); on the sign-in screen it applies to this session only.
func languageSelect(c *Console, onError func()) *widget.Select {
	labels := make([]string, len(languageChoices))
	cur := c.langChoice
	selected := ""
	for i, l := range languageChoices {
		labels[i] = l.Label // a language is named in itself
		if l.Code == "" {
			labels[i] = T(l.Label)
		}
		if l.Code == cur {
			selected = labels[i]
		}
	}
	sel := widget.NewSelect(labels, nil)
	sel.SetSelected(selected)
	back := func() { // the saved choice again, without saving it again
		f := sel.OnChanged
		sel.OnChanged = nil
		sel.SetSelected(selected)
		sel.OnChanged = f
	}
	sel.OnChanged = func(v string) {
		for i, l := range labels {
			if l != v {
				continue
			}
			code := languageChoices[i].Code
			apply := func() {
				SetLanguage(code)
				c.langChoice = code
				uiDo(c.Rebuild) // after this callback returns: the select is replaced
			}
			if c.Operator() == nil { // the sign-in screen: this session only
				apply()
				return
			}
			cfg := c.core.Settings.Get()
			cfg.Language = code
			c.write(write{
				run:            func(ctx context.Context, op *app.Operator) error { return c.core.Settings.Update(ctx, op, cfg) },
				lock:           []fyne.Disableable{sel},
				done:           apply,
				nothingChanged: apply,
				failed:         func(error) { back(); onError() },
			})
			return
		}
	}
	return sel
}

func newSettingsPanel(c *Console) panelView {
	op := c.Operator()
	cfg := c.core.Settings.Get()

	// Display
	themeSel := widget.NewSelect([]string{T("Dark"), T("Light")}, nil)
	if cfg.ThemeName() == "light" {
		themeSel.SetSelected(T("Light"))
	} else {
		themeSel.SetSelected(T("Dark"))
	}
	themeSel.OnChanged = func(v string) {
		next := c.core.Settings.Get()
		next.Theme = "dark"
		if v == T("Light") {
			next.Theme = "light"
		}
		apply := func() {
			c.app.Settings().SetTheme(newConsoleTheme(next.Theme))
			uiDo(c.Rebuild)
		}
		c.write(write{
			run:  func(ctx context.Context, op *app.Operator) error { return c.core.Settings.Update(ctx, op, next) },
			lock: []fyne.Disableable{themeSel}, done: apply, nothingChanged: apply,
		})
	}
	display := section(T("Display"), details([]kvRow{
		{"Language", languageSelect(c, func() {})},
		{"Theme", themeSel},
		{"When an alarm arrives", wallFollowCheck(c, op)},
	}))

	// Data
	dbInfo := "—"
	if st, ok := c.core.Health.Get("database"); ok {
		dbInfo = st.Detail
	}
	data := section(T("Data"), details([]kvRow{
		kv("Data directory", c.x.Paths.DataDir),
		kv("Database", dbInfo),
		kv("Log file", c.x.Paths.LogFile),
		kv("Configuration file", c.x.Paths.ConfigFile),
	}))

	broker := newBrokerSettings(c, op)
	sections := []fyne.CanvasObject{display, data, broker}
	if phone := newPhonePagesSettings(c, op); phone != nil { // settings_phone_pages.go
		sections = append(sections, phone.obj)
	}

	// Fonts
	fs := CJKFont()
	fontText := T("Checking…")
	if fs.Checked {
		if fs.Found {
			fontText = fmt.Sprintf("%s (%s)", fs.Family, fs.File)
		} else {
			fontText = T("No Chinese font found: Chinese text cannot be drawn. Install the fonts-noto-cjk package and restart.")
		}
	}
	fonts := section(T("Fonts"), details([]kvRow{kv("Chinese font", fontText)}))

	account := newAccountSettings(c, op)

	about := section(T("About"), details([]kvRow{
		kv("Version", c.x.Version),
		kv("Application ID", AppID),
	}))

	vision := newAnalyticsSettings(c, op) // settings_analytics.go
	recording := newRecordingSettings(c)  // settings_recording.go
	col := container.NewVBox(append(sections, vision.obj, recording.obj, fonts, account, about)...)
	return settingsPanel{obj: container.NewVScroll(container.NewPadded(col)), vision: vision, recording: recording}
}

// settingsPanel refreshes its live parts (the analytics and recording figures) every second.
type settingsPanel struct {
	obj       fyne.CanvasObject
	vision    *analyticsSettings
	recording *recordingSettings
}

func (p settingsPanel) Object() fyne.CanvasObject { return p.obj }
func (p settingsPanel) Tick()                     { p.vision.Tick(); p.recording.Tick() }

// newBrokerSettings edits where devices connect. Only administrators may change it; the
// core refuses anyone else too.
func newBrokerSettings(c *Console, op *app.Operator) fyne.CanvasObject {
	cfg := c.core.Settings.Get()
	b := cfg.Broker
	mode := widget.NewRadioGroup([]string{T("Embedded broker on this computer"), T("The site's broker (Mosquitto, EMQX…)")}, nil)
	mode.Horizontal = true
	listen := widget.NewEntry()
	listen.SetText(b.ListenAddr())
	url := widget.NewEntry()
	url.SetPlaceHolder("ssl://broker.example:8883")
	url.SetText(b.URL)
	user := widget.NewEntry()
	user.SetText(b.Username)
	pass := widget.NewPasswordEntry()
	pass.SetText(b.Password)
	ca := widget.NewEntry()
	ca.SetPlaceHolder("/etc/watchpost/ca.pem")
	ca.SetText(b.CAFile)
	client := widget.NewEntry()
	client.SetPlaceHolder(app.DefaultClientID)
	client.SetText(b.ClientID)
	msg := newWriteStatusInline()

	setMode := func(embedded bool) {
		if embedded {
			listen.Enable()
			url.Disable()
			ca.Disable()
		} else {
			listen.Disable()
			url.Enable()
			ca.Enable()
		}
	}
	mode.OnChanged = func(v string) { setMode(v == mode.Options[0]) }
	if b.IsEmbedded() {
		mode.SetSelected(mode.Options[0])
	} else {
		mode.SetSelected(mode.Options[1])
	}

	var save *widget.Button
	save = widget.NewButtonWithIcon(T("Save"), theme.DocumentSaveIcon(), func() {
		next := c.core.Settings.Get()
		embedded := mode.Selected == mode.Options[0]
		next.Broker = app.BrokerConfig{Embedded: &embedded, Listen: listen.Text, URL: url.Text,
			Username: user.Text, Password: pass.Text, CAFile: ca.Text, ClientID: client.Text}
		if next.Broker.Listen == app.DefaultBrokerListen {
			next.Broker.Listen = ""
		}
		if embedded && c.core.Settings.Get().Broker.Embedded == nil {
			next.Broker.Embedded = nil // keep the default implicit
		}
		c.write(write{
			run:    func(ctx context.Context, op *app.Operator) error { return c.core.Settings.Update(ctx, op, next) },
			status: msg, lock: []fyne.Disableable{save},
			saved: T("Saved. The broker settings take effect at the next start."),
		})
	})
	save.Importance = widget.HighImportance

	rows := []kvRow{
		{"Broker", mode},
		{"Listen address", listen},
		{"Broker address", url},
		{"User name", user},
		{"Password", pass},
		{"CA certificate file", ca},
		{"Client ID", client},
	}
	body := []fyne.CanvasObject{details(rows), container.NewHBox(save, msg.content)}
	if op == nil || !op.Role.Can(app.ActChangeSettings) {
		for _, w := range []fyne.Disableable{mode, listen, url, user, pass, ca, client, save} {
			w.Disable()
		}
		body = append(body, muted(T("Only administrators change these settings.")))
	}
	return section(T("Device broker"), body...)
}

// newAccountSettings shows who is signed in and changes their password.
func newAccountSettings(c *Console, op *app.Operator) fyne.CanvasObject {
	if op == nil {
		return container.NewVBox()
	}
	old := widget.NewPasswordEntry()
	nw := widget.NewPasswordEntry()
	again := widget.NewPasswordEntry()
	msg := newWriteStatusInline()
	var change *widget.Button
	change = widget.NewButtonWithIcon(T("Change password"), theme.ConfirmIcon(), func() {
		if nw.Text != again.Text {
			msg.failText(T("The new passwords differ"))
			return
		}
		oldPW, newPW := old.Text, nw.Text
		c.write(write{ // bcrypt twice: a moment, never on the UI thread
			run: func(ctx context.Context, op *app.Operator) error {
				return c.core.Accounts.ChangePassword(ctx, op, op.Username, oldPW, newPW)
			},
			status: msg, busy: T("Checking the passwords…"), lock: []fyne.Disableable{change},
			saved: T("Password changed"),
			done: func() {
				old.SetText("")
				nw.SetText("")
				again.SetText("")
			},
		})
	})
	return section(T("My account"), details([]kvRow{
		kv("Name", op.Name),
		kv("User name", op.Username),
		kv("Role", T(op.Role.Label())),
		{"Current password", old},
		{"New password", nw},
		{"Repeat new password", again},
	}), container.NewHBox(change, msg.content))
}

// wallFollowCheck is the operator's own choice to have the camera wall turn to the cameras
// of each new P1/P2 alarm (saved in the configuration under their user name, journaled).
func wallFollowCheck(c *Console, op *app.Operator) fyne.CanvasObject {
	check := widget.NewCheck(T("Turn the camera wall to the cameras of each new P1/P2 alarm"), nil)
	if op == nil {
		check.Disable()
		return check
	}
	check.SetChecked(c.core.Settings.Get().PrefsOf(op.Username).WallFollowsAlarms)
	var changed func(bool)
	changed = func(on bool) {
		cfg := c.core.Settings.Get()
		prefs := cfg.PrefsOf(op.Username)
		prefs.WallFollowsAlarms = on
		c.write(write{
			run: func(ctx context.Context, op *app.Operator) error {
				return c.core.Settings.Update(ctx, op, cfg.WithPrefs(op.Username, prefs))
			},
			lock: []fyne.Disableable{check},
			failed: func(error) {
				check.OnChanged = nil // put it back without saving again
				check.SetChecked(!on)
				check.OnChanged = changed
			},
		})
	}
	check.OnChanged = changed
	return check
}
