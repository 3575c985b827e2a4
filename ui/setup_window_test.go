package ui

import (
	"context"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/testkit"
)

// fakeInit records what the set-up window asks the root to write, and answers like it:
// the core's checks (the password through a policy of at least 10 characters here).
type fakeInit struct {
	mu       sync.Mutex
	dir      string
	req      app.SiteInit
	password string
	opened   string
}

func (f *fakeInit) init(_ context.Context, dir string, r app.SiteInit, password string) error {
	if err := r.Check(); err != nil {
		return err
	}
	if len(password) < 10 {
		return app.Errorf(app.CodeInvalid, "A password needs at least {{.N}} characters", "N", 10).On(app.SiteInitPassword)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dir, f.req, f.password = dir, r, password
	return nil
}

func (f *fakeInit) written() (string, app.SiteInit, string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.dir, f.req, f.password
}

// newSetupConsole is the demo console whose root can set up a site (the fake).
func newSetupConsole(t *testing.T, cfg app.Config, f *fakeInit) *Console {
	t.Helper()
	env := testkit.New(t, testkit.Options{Config: cfg})
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1400, 860))
	c := NewConsole(a, w, env.Core, Extras{Feeds: newTestFeeds(t, env.Core.Inventory.Site()), Reports: env.Reports, Version: "test",
		InitSite: f.init, OpenDataDir: func(dir string) error { f.opened = dir; return nil }})
	t.Cleanup(func() { c.Close(); SetLanguage("en") })
	c.Start()
	return c
}

func fieldError(s *setupWindow, key string) string {
	f := s.fields[key]
	if !f.err.Visible() {
		return ""
	}
	return f.err.Text
}

// From the demo, a technician sets up the property company's own site with the keyboard:
// problems are shown under their fields and nothing is written; then the site is written
// through the root and the window offers to open it and says the command that opens it.
func TestTheSetUpWindowWritesANewSite(t *testing.T) {
	f := &fakeInit{}
	c := newSetupConsole(t, enConfig(), f)
	require.NotNil(t, c.Operator(), "the demo")
	b := findButton(c.win.Content(), "Set up your own community…")
	require.NotNil(t, b, "the demo's header offers the set-up")
	tap(b)
	s := c.setup
	require.NotNil(t, s)
	assert.True(t, c.win.Canvas().Focused() == s.name, "the first field has the keyboard")
	assert.Equal(t, app.DefaultTimeZone, s.zone.Text)
	assert.True(t, strings.HasSuffix(s.dir.Text, "/Watchpost/site"), s.dir.Text)

	// Problems on the fields; nothing written.
	typeIn(s.id, "cui hu")
	s.zone.SetText("Mars/Olympus")
	typeIn(s.admin, "lin")
	typeIn(s.password, "Gate-7-evening")
	typeIn(s.again, "Gate-7-evenin")
	s.again.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	assert.Equal(t, "A name is required", fieldError(s, app.SiteInitName))
	assert.Contains(t, fieldError(s, app.SiteInitID), "cui hu is not a valid ID")
	assert.Contains(t, fieldError(s, app.SiteInitTimeZone), "Mars/Olympus is not a time zone")
	assert.Equal(t, "A name is required", fieldError(s, app.SiteInitAdminName))
	assert.Equal(t, "The two passwords differ", fieldError(s, "again"))
	assert.Empty(t, fieldError(s, app.SiteInitAdminUser))
	assert.Equal(t, "The community was not set up: correct what is marked under the fields.", s.status.text.Text)
	assert.True(t, c.win.Canvas().Focused() == s.name, "the first field with a problem gets the keyboard")
	dir, _, _ := f.written()
	assert.Empty(t, dir)

	// Corrected; the core's password policy answers through the root, on its field.
	typeIn(s.name, "翠湖苑")
	s.id.SetText("")
	typeIn(s.id, "cuihu")
	assert.True(t, strings.HasSuffix(s.dir.Text, "/Watchpost/cuihu"), "the folder follows the site ID: %s", s.dir.Text)
	s.zone.SetText("Asia/Shanghai")
	typeIn(s.adminName, "林晓")
	s.password.SetText("short")
	s.again.SetText("short")
	s.submit()
	waitWrites(t, c)
	assert.Equal(t, "A password needs at least 10 characters", fieldError(s, app.SiteInitPassword))
	assert.Empty(t, fieldError(s, app.SiteInitName))

	s.password.SetText("Gate-7-evening")
	s.again.SetText("Gate-7-evening")
	s.dir.SetText("Watchpost/cuihu")
	s.submit()
	assert.Contains(t, fieldError(s, "data"), "Give the folder's whole path, e.g. ")
	dir, _, _ = f.written()
	assert.Empty(t, dir, "nothing written to a folder relative to nobody knows what")
	s.dir.SetText("/srv/watchpost/cuihu")
	s.lang.SetSelected("中文")
	s.again.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	waitWrites(t, c)
	dir, req, pw := f.written()
	assert.Equal(t, "/srv/watchpost/cuihu", dir)
	assert.Equal(t, app.SiteInit{Names: app.Names{Name: "翠湖苑"}, ID: "cuihu", TimeZone: "Asia/Shanghai", Language: "zh-CN",
		AdminUser: "lin", AdminName: "林晓"}, req)
	assert.Equal(t, "Gate-7-evening", pw)

	texts := strings.Join(visibleTexts(s.body), "\n")
	assert.Contains(t, texts, "翠湖苑 is set up in /srv/watchpost/cuihu. Sign in there as lin")
	assert.Contains(t, texts, "To open it later, start Watchpost with its folder:")
	open := findButton(s.body, "Open it now")
	require.NotNil(t, open)
	assert.True(t, c.win.Canvas().Focused() == open, "Space opens it")
	tap(open)
	assert.Equal(t, "/srv/watchpost/cuihu", f.opened, "the root restarts the console there")
}

// The sign-in screen offers it too (on a real site as on the demo), and a console whose
// root cannot set up a site offers nothing.
func TestTheSignInScreenOffersTheSetUp(t *testing.T) {
	off := false
	c := newSetupConsole(t, app.Config{Language: "en", DemoAutoSignIn: &off}, &fakeInit{})
	require.Nil(t, c.Operator())
	b := findButton(c.win.Content(), "Set up your own community…")
	require.NotNil(t, b)
	tap(b)
	require.NotNil(t, c.setup)

	plain := newTestConsole(t, enConfig())
	assert.Nil(t, findButton(plain.win.Content(), "Set up your own community…"))
}

// A problem under a field goes once the field is changed.
func TestASetUpProblemGoesWhenItsFieldChanges(t *testing.T) {
	c := newSetupConsole(t, enConfig(), &fakeInit{})
	s := c.showSetUp()
	s.submit()
	assert.Equal(t, "A name is required", fieldError(s, app.SiteInitName))
	assert.Equal(t, "A user name is required", fieldError(s, app.SiteInitAdminUser))
	typeIn(s.name, "翠")
	assert.Empty(t, fieldError(s, app.SiteInitName))
	assert.NotEmpty(t, fieldError(s, app.SiteInitAdminUser), "the others stay")
	s.zone.SetText("")
	s.submit()
	assert.NotEmpty(t, fieldError(s, app.SiteInitTimeZone))
	s.zoneSel.SetText("Asia/Shanghai")
	assert.Empty(t, fieldError(s, app.SiteInitTimeZone))
}
