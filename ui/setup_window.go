package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// The "Set up your own community" window: a property company's technician, having looked
// at the demo (or at the sign-in screen of a fresh install), sets up its real site in a data
// directory of its choosing — the same as `watchpost init` (the root's Extras.InitSite) —
// then opens it (Extras.OpenDataDir restarts the console there). Every field and button is
// reached with Tab, Enter in a field sets up; each problem the core finds is shown under its
// field.

// setupTimeout bounds setting a site up (writeTimeout is for one journal entry).
const setupTimeout = 2 * time.Minute

// setupTimeZones are offered in the time zone field (any IANA name may be typed).
var setupTimeZones = []string{app.DefaultTimeZone, "Asia/Hong_Kong", "Asia/Macau", "Asia/Taipei", "Asia/Urumqi", "Asia/Singapore", "UTC"}

// setupField is one field of the window with the place its problem is shown.
type setupField struct {
	obj  fyne.CanvasObject // what is focused / typed into
	err  *widget.Label     // the core's problem with it (red), hidden when none
	item *widget.FormItem
}

type setupWindow struct {
	c      *Console
	d      dialog.Dialog
	status *writeStatus
	ok     *widget.Button
	body   *fyne.Container

	name, nameEn, id, zone, admin, adminName *widget.Entry
	password, again, dir                     *widget.Entry
	zoneSel                                  *widget.SelectEntry
	lang                                     *widget.Select
	// dirTouched: the folder was chosen or typed, so it no longer follows the site ID.
	dirTouched bool
	settingDir bool
	fields     map[string]*setupField
	// written is the data directory once the site is set up there.
	written string
}

// canSetUp reports whether the root gave the console a way to set up a site.
func (c *Console) canSetUp() bool { return c.x.InitSite != nil }

// showSetUp opens the set-up window.
func (c *Console) showSetUp() *setupWindow {
	s := &setupWindow{c: c, status: newWriteStatus(), fields: map[string]*setupField{}}
	entry := func(placeholder string) *widget.Entry {
		e := widget.NewEntry()
		e.SetPlaceHolder(placeholder)
		e.OnSubmitted = func(string) { s.submit() }
		return e
	}
	s.name = entry(T("e.g. 翠湖苑"))
	s.nameEn = entry(T("optional, e.g. Cuihu Garden"))
	s.id = entry(T("letters, digits, - _ . e.g. cuihu"))
	s.zoneSel = widget.NewSelectEntry(setupTimeZones)
	s.zoneSel.SetText(app.DefaultTimeZone)
	s.zoneSel.OnSubmitted = func(string) { s.submit() }
	s.zone = &s.zoneSel.Entry
	s.lang = widget.NewSelect([]string{"中文", "English"}, nil)
	if Language() == "en" {
		s.lang.SetSelected("English")
	} else {
		s.lang.SetSelected("中文")
	}
	s.adminName = entry(T("e.g. 林晓"))
	s.admin = entry(T("e.g. lin"))
	s.password = widget.NewPasswordEntry()
	s.password.OnSubmitted = func(string) { s.submit() }
	s.again = widget.NewPasswordEntry()
	s.again.OnSubmitted = func(string) { s.submit() }
	s.dir = entry("")
	s.id.OnChanged = func(string) { s.followID() }
	s.dir.OnChanged = func(string) {
		if !s.settingDir {
			s.dirTouched = true
		}
	}
	s.followID()
	choose := widget.NewButtonWithIcon(T("Choose…"), theme.FolderOpenIcon(), s.chooseDir)

	add := func(key, label string, obj, shown fyne.CanvasObject, hint string) {
		f := &setupField{obj: obj, err: widget.NewLabel("")}
		f.err.Importance = widget.DangerImportance
		f.err.Wrapping = fyne.TextWrapWord
		f.err.Hide()
		f.item = widget.NewFormItem(T(label), container.NewVBox(shown, f.err))
		f.item.HintText = hint
		s.fields[key] = f
		// A problem goes once the field is changed: what stays red is what is still to do.
		var e *widget.Entry
		switch x := obj.(type) {
		case *widget.Entry:
			e = x
		case *widget.SelectEntry:
			e = &x.Entry
		}
		if e != nil {
			then := e.OnChanged
			e.OnChanged = func(text string) {
				f.err.Hide()
				if then != nil {
					then(text)
				}
			}
		}
	}
	add(app.SiteInitName, "Community name", s.name, s.name, "")
	add(app.SiteInitNameEn, "English name", s.nameEn, s.nameEn, "")
	add(app.SiteInitID, "Site ID", s.id, s.id, T("Devices use it in their topics: watchpost/<site ID>/…"))
	add(app.SiteInitTimeZone, "Time zone", s.zoneSel, s.zoneSel, "")
	add(app.SiteInitLanguage, "Language", s.lang, s.lang, "")
	add(app.SiteInitAdminName, "Administrator's name", s.adminName, s.adminName, "")
	add(app.SiteInitAdminUser, "Administrator's user name", s.admin, s.admin, "")
	add(app.SiteInitPassword, "Password", s.password, s.password, T("At least 10 characters, not the user name"))
	add("again", "Password again", s.again, s.again, "")
	add("data", "Data folder", s.dir, container.NewBorder(nil, nil, nil, choose, s.dir), T("A new folder: the site's database, configuration and recordings"))
	var items []*widget.FormItem
	for _, k := range []string{app.SiteInitName, app.SiteInitNameEn, app.SiteInitID, app.SiteInitTimeZone, app.SiteInitLanguage,
		app.SiteInitAdminName, app.SiteInitAdminUser, app.SiteInitPassword, "again", "data"} {
		items = append(items, s.fields[k].item)
	}
	form := widget.NewForm(items...)
	intro := widget.NewLabel(T("A real site starts empty: no demo accounts, cameras or devices. You add them after signing in as its administrator. The demo stays as it is."))
	intro.Wrapping = fyne.TextWrapWord

	cancel := widget.NewButtonWithIcon(T("Cancel"), theme.CancelIcon(), func() { s.d.Hide() })
	s.ok = widget.NewButtonWithIcon(T("Set up"), theme.ConfirmIcon(), s.submit)
	s.ok.Importance = widget.HighImportance
	bottom := container.NewVBox(s.status.content, container.NewHBox(layout.NewSpacer(), cancel, s.ok))
	s.body = container.NewStack(container.NewBorder(intro, bottom, nil, nil, container.NewVScroll(form)))
	s.d = dialog.NewCustomWithoutButtons(T("Set up your own community"), s.body, c.win)
	s.d.Resize(fyne.NewSize(720, 760))
	s.d.Show()
	c.win.Canvas().Focus(s.name)
	c.setup = s
	return s
}

// followID proposes ~/Watchpost/<site ID> as the folder until the technician picks another.
func (s *setupWindow) followID() {
	if s.dirTouched {
		return
	}
	id := strings.TrimSpace(s.id.Text)
	if id == "" || !app.ValidID(id) {
		id = "site"
	}
	dir := filepath.Join(homeDir(), "Watchpost", id)
	s.settingDir = true
	s.dir.SetText(dir)
	s.settingDir = false
}

// chooseDir picks the folder the new site's folder is made in.
func (s *setupWindow) chooseDir() {
	d := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
		if err != nil || u == nil {
			return
		}
		id := strings.TrimSpace(s.id.Text)
		if !app.ValidID(id) {
			id = "site"
		}
		s.dir.SetText(filepath.Join(u.Path(), id))
		s.dirTouched = true
	}, s.c.win)
	if home, err := os.UserHomeDir(); err == nil {
		if l, err := storage.ListerForURI(storage.NewFileURI(home)); err == nil {
			d.SetLocation(l)
		}
	}
	d.Resize(fyne.NewSize(700, 500))
	d.Show()
}

// request reads the fields.
func (s *setupWindow) request() app.SiteInit {
	lang := "zh-CN"
	if s.lang.Selected == "English" {
		lang = "en"
	}
	r := app.SiteInit{Names: app.Names{Name: s.name.Text, NameEn: s.nameEn.Text}, ID: s.id.Text, TimeZone: s.zone.Text,
		Language: lang, AdminUser: s.admin.Text, AdminName: s.adminName.Text}
	r.Normalize()
	return r
}

// showProblems puts each problem under its field (the first such field gets the keyboard)
// and returns those that belong to no field.
func (s *setupWindow) showProblems(ps app.Problems) (rest app.Problems) {
	for _, f := range s.fields {
		f.err.SetText("")
		f.err.Hide()
	}
	var first fyne.Focusable
	for _, p := range ps {
		f, ok := s.fields[p.Field]
		if !ok {
			rest = append(rest, p)
			continue
		}
		text := ErrText(p)
		if f.err.Text != "" {
			text = f.err.Text + "\n" + text
		}
		f.err.SetText(text)
		f.err.Show()
		if foc, ok := f.obj.(fyne.Focusable); ok && first == nil {
			first = foc
		}
	}
	if first != nil {
		s.c.win.Canvas().Focus(first)
	}
	return rest
}

// check finds what is wrong with the fields before anything is written.
func (s *setupWindow) check(r app.SiteInit) app.Problems {
	ps := app.ProblemsOf(r.Check())
	if s.password.Text == "" {
		ps = append(ps, app.Errorf(app.CodeInvalid, "Choose the administrator's password").On(app.SiteInitPassword))
	} else if s.again.Text != s.password.Text {
		ps = append(ps, app.Errorf(app.CodeInvalid, "The two passwords differ").On("again"))
	}
	if dir := strings.TrimSpace(s.dir.Text); dir == "" {
		ps = append(ps, app.Errorf(app.CodeInvalid, "Choose the folder the new site is kept in").On("data"))
	} else if !filepath.IsAbs(dir) {
		// Relative to what? A window has no working directory its user knows of.
		ps = append(ps, app.Errorf(app.CodeInvalid, "Give the folder's whole path, e.g. {{.Example}}", "Example", filepath.Join(homeDir(), "Watchpost", "cuihu")).On("data"))
	}
	return ps
}

// submit checks the fields and sets the site up (off the UI thread).
func (s *setupWindow) submit() {
	if s.written != "" || s.status.running() {
		return
	}
	r := s.request()
	if ps := s.check(r); len(ps) > 0 {
		s.showProblems(ps)
		s.status.failText(T("The community was not set up: correct what is marked under the fields."))
		return
	}
	s.showProblems(nil)
	dir, password := strings.TrimSpace(s.dir.Text), s.password.Text
	s.c.write(write{
		run: func(ctx context.Context, _ *app.Operator) error {
			// Longer than a journal entry may take: a new database, its plans and drills,
			// fsynced, on a busy machine. Half a site is never left: InitSite undoes it.
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), setupTimeout)
			defer cancel()
			return s.c.x.InitSite(ctx, dir, r, password)
		},
		status: s.status, busy: T("Setting up the community…"), lock: []fyne.Disableable{s.ok},
		done: func() { s.setUp(dir, r) },
		failed: func(err error) {
			ps := app.ProblemsOf(err)
			if len(ps) > 0 && len(s.showProblems(ps)) == 0 {
				s.status.failText(T("The community was not set up: correct what is marked under the fields."))
			}
		},
	})
}

// setUp shows that the site is written, how to open it later, and offers to open it now.
func (s *setupWindow) setUp(dir string, r app.SiteInit) {
	s.written = dir
	s.password.SetText("")
	s.again.SetText("")
	msg := widget.NewLabel(T("{{.Name}} is set up in {{.Dir}}. Sign in there as {{.User}} with the password you chose.",
		map[string]any{"Name": r.Name, "Dir": dir, "User": r.AdminUser}))
	msg.Wrapping = fyne.TextWrapWord
	cmd := widget.NewEntry()
	cmd.SetText("watchpost --data " + shellQuote(dir))
	later := widget.NewLabel(T("To open it later, start Watchpost with its folder:"))
	later.Wrapping = fyne.TextWrapWord
	openStatus := newWriteStatus()
	open := widget.NewButtonWithIcon(T("Open it now"), theme.NavigateNextIcon(), func() {
		if s.c.x.OpenDataDir == nil {
			openStatus.failText(T("This console cannot restart itself: start it with the command above."))
			return
		}
		if err := s.c.x.OpenDataDir(dir); err != nil {
			openStatus.fail(err)
			return
		}
		s.d.Hide()
		s.c.app.Quit() // the new console has started on the new site
	})
	open.Importance = widget.HighImportance
	closeBtn := widget.NewButtonWithIcon(T("Close"), theme.CancelIcon(), func() { s.d.Hide() })
	done := container.NewVBox(heading(T("The community is set up")), msg, later, cmd, openStatus.content,
		container.NewHBox(layout.NewSpacer(), closeBtn, open))
	s.body.Objects = []fyne.CanvasObject{container.NewPadded(done)}
	s.body.Refresh()
	s.d.Resize(fyne.NewSize(720, 0)) // as tall as what it says now (the form was taller)
	s.c.win.Canvas().Focus(open)
}

// homeDir is the user's home folder ("/" when the system knows none).
func homeDir() string {
	if home, err := os.UserHomeDir(); err == nil {
		return home
	}
	return string(filepath.Separator)
}

// shellQuote quotes a path for a shell command line when it needs it.
func shellQuote(p string) string {
	if strings.ContainsAny(p, " '\"$`\\!*?&;|<>()[]{}") {
		return "'" + strings.ReplaceAll(p, "'", `'\''`) + "'"
	}
	return p
}
