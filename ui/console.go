// Package ui is Watchpost's window: the shell (header, navigation, status bar), the
// sign-in screen and one file per panel. It receives the core (app.Core, whose services
// the panels read) and the camera feeds from main, and never touches the database, the
// devices or the cameras directly.
package ui

import (
	"context"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"errors"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/dialog"

	"watchpost/app"
	"watchpost/assets"
	"watchpost/ui/firstpaint"
)

// AppID is the application's identifier (FyneApp.toml uses the same).
const AppID = "org.watchpost.console"

// Extras are what the window works with beside the core (app.Core, whose services the
// panels read): the adapters' parts main builds next to it, how to open a browser, where the
// console's files are, and its version. A nil part is not running, and the panels say so.
type Extras struct {
	// Feeds opens viewers on the cameras (the wall, previews, the analytics dialog).
	Feeds app.CameraFeeds
	// Probe tests a camera address (connects, decodes a few seconds, measures).
	Probe func(ctx context.Context, url string) app.ProbeResult
	// Analytics is what video analytics sees and costs.
	Analytics app.AnalyticsService
	// Simulate plays a named scenario of the device simulator (the demo only).
	Simulate func(scenario string) (string, error)
	// ClipPlayer plays recorded clips inside the console (nil: it says so, and offers the
	// desktop's player).
	ClipPlayer app.ClipPlayer
	// Reports is where incident reports and drill debriefs are written.
	Reports app.ReportSaver
	// JournalAnchor is the journal chain's head, printed in every report's footer (nil: none).
	JournalAnchor func(context.Context) (app.JournalAnchor, error)
	// Sheets writes and reads the XLSX workbooks of the site's things (nil: the import
	// dialog offers GeoJSON only).
	Sheets app.SiteSheets
	// PhonePages says where phones reach the phone pages: the address they use, the
	// certificate's SHA-256 fingerprint ("AB:CD:…"), and whether the pages are served beyond
	// this computer (nil: this console serves none, and the settings leave them out).
	PhonePages func() (url, fingerprint string, remote bool)
	// QRLabels prints the residents' QR label sheet (PDF) of the site at the phone pages'
	// address: the file's bytes and how many labels it holds (nil: no printing here).
	QRLabels func(ctx context.Context, perUnit bool) (pdf []byte, labels int, err error)
	// OpenURL opens a report in the desktop's browser (default: the Fyne app's).
	OpenURL func(*url.URL) error
	Paths   Paths
	Version string
	// Started is when the process started: the log's "first screen painted" says how long
	// after it the window showed a screen the operator can use (zero: not said).
	Started time.Time
	// Painted is called once, on the UI thread, after the first screen (the sign-in or the
	// signed-in shell) was painted on the window: what waits for it may start (nil: none).
	Painted func()
	// InitSite sets up a new, real site in the data directory dir, as `watchpost init` does
	// (the root's; nil: the console offers no set-up window).
	InitSite func(ctx context.Context, dir string, req app.SiteInit, password string) error
	// OpenDataDir starts the console on another data directory (the root starts a new
	// process); the window then closes this one.
	OpenDataDir func(dir string) error
}

// phonePagesURL is the address of the phone pages, told to a grid worker, property staff or
// the repair crew who sign in at the console ("": not said).
func (x Extras) phonePagesURL() string {
	if x.PhonePages == nil {
		return ""
	}
	u, _, _ := x.PhonePages()
	return u
}

// Paths are where the console keeps its files (shown in the settings).
type Paths struct {
	DataDir    string
	LogFile    string
	ConfigFile string
}

// Console is the running window.
type Console struct {
	core *app.Core
	x    Extras
	app  fyne.App
	win  fyne.Window

	mu sync.Mutex
	op *app.Operator // signed in; nil on the sign-in screen

	shell  *shell
	signIn *signIn // the sign-in screen while shown
	// passwordChange is the forced change of a password an administrator reset, while shown.
	passwordChange *passwordChange
	setup          *setupWindow // the set-up window opened last (setup_window.go; tests follow it)
	// player is the clip player opened last (tests follow it).
	player atomic.Pointer[clipPlayer]
	// langChoice is the language picked ("" follows the system): from the configuration,
	// or picked on the sign-in screen for this session.
	langChoice string
	stop       chan struct{}
	wg         sync.WaitGroup
	gate       uiGate // what runs on the UI thread after work off it (ui_gate.go)
	writes     int    // the operator's writes under way (write.go; on the UI thread)

	// The alarms, whatever is shown (alarm_watch.go): the chime, the window's urgency hint
	// (attend sets it; tests replace it), and the alarms the operator put aside in the
	// pop-up (kept across a rebuild of the shell).
	sound     *alarmSound
	lastChime time.Time
	attention bool
	attend    func(on bool)
	dismissed map[int64]bool

	// residentsShown: "operator/alarm" whose resident this console showed in full, the view
	// journaled (people_view.go); touched on the UI thread only.
	residentsShown map[string]bool
	// probe wraps the first screen put on the window with the paint probe (Run; nil in
	// tests and once used: first_paint.go).
	probe func(fyne.CanvasObject) fyne.CanvasObject
}

// Run opens the console window and returns when it is closed or ctx ends.
func Run(ctx context.Context, core *app.Core, x Extras) error {
	a := fyneapp.NewWithID(AppID)
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	w := a.NewWindow("Watchpost")
	c := NewConsole(a, w, core, x)
	w.Resize(fyne.NewSize(1600, 900))
	w.SetMaster()
	w.CenterOnScreen()
	// The first screen carries the paint probe (first_paint.go).
	c.probe = func(o fyne.CanvasObject) fyne.CanvasObject { return firstpaint.Over(o, c.firstPainted) }
	c.Start()
	go func() {
		select {
		case <-ctx.Done():
			fyne.Do(a.Quit)
		case <-c.stop:
		}
	}()
	w.ShowAndRun()
	c.Close()
	return nil
}

// NewConsole builds the console in a window (tests pass Fyne's test app and window).
func NewConsole(a fyne.App, w fyne.Window, core *app.Core, x Extras) *Console {
	c := &Console{core: core, x: x, app: a, win: w, stop: make(chan struct{}), sound: newAlarmSound(), dismissed: map[int64]bool{}}
	c.attend = func(on bool) {
		if !windowAttention(c.win, on) && on {
			c.core.Log.Debug("the window cannot ask for attention here")
		}
	}
	cfg := core.Settings.Get()
	c.langChoice = cfg.Language
	SetLanguage(cfg.Language)
	a.Settings().SetTheme(newConsoleTheme(cfg.ThemeName()))
	c.updateTitle()
	return c
}

// Start shows the sign-in screen, or signs the duty operator in on the demo site, and
// starts the live updates.
func (c *Console) Start() {
	site := c.core.Inventory.Site()
	if site != nil && site.Demo && c.core.Settings.Get().AutoSignIn() {
		op, err := c.core.Accounts.SignInDemo(context.Background(), site, app.DemoDutyOperator)
		if err == nil {
			c.signedIn(op)
		} else {
			c.core.Log.Warn("demo auto sign-in failed", "err", err)
			c.showSignIn()
			c.signIn.message.fail(err) // why the duty operator is not signed in
		}
	} else {
		c.showSignIn()
	}
	c.wg.Add(1)
	// Subscribed before Start returns: nothing committed from now on is missed.
	sub := c.core.Bus.Subscribe(256, nil)
	go c.live(sub)
	go func() {
		// Scanning fonts takes a moment on the first start: do it off the UI thread.
		fs := CJKFont()
		if !fs.Found {
			c.core.Log.Warn("no Chinese (CJK) font found: Chinese text will not render; install fonts-noto-cjk")
		} else {
			c.core.Log.Info("Chinese font", "family", fs.Family, "file", fs.File)
		}
		c.onUI(func() {
			if c.shell != nil {
				c.shell.status.refresh()
			}
		})
	}()
}

// Close stops the live updates and the panels' streams.
func (c *Console) Close() {
	select {
	case <-c.stop:
	default:
		close(c.stop)
	}
	c.wg.Wait()
	if c.shell != nil {
		c.shell.close()
	}
	c.gate.close()
}

// showError tells the operator what went wrong, in their language, and logs it.
func (c *Console) showError(err error) {
	c.core.Log.Warn("action failed", "err", err)
	dialog.ShowError(errors.New(ErrText(err)), c.win)
}

// Operator returns who is signed in.
func (c *Console) Operator() *app.Operator {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.op
}

func (c *Console) setOperator(op *app.Operator) {
	c.mu.Lock()
	c.op = op
	c.mu.Unlock()
}

func (c *Console) signedIn(op *app.Operator) {
	if op != nil && op.MustChange { // a reset password is changed before anything else
		c.showPasswordChange(op)
		return
	}
	c.setOperator(op)
	c.signIn = nil
	if c.shell != nil {
		c.shell.close()
	}
	c.shell = newShell(c)
	c.setContent(c.shell.content)
}

func (c *Console) showSignIn() {
	c.setOperator(nil)
	if c.shell != nil {
		c.shell.close()
	}
	c.shell = nil
	c.win.Canvas().SetOnTypedKey(nil)
	c.signIn = newSignIn(c)
	c.setContent(c.signIn.content)
	// Focused once it is on the window (before, the canvas ignores it): the operator types
	// the user name straight away, through the input method too.
	c.win.Canvas().Focus(c.signIn.user)
}

// SignOut journals the sign-out (off the UI thread, as every write) and then returns to
// the sign-in screen, journaled or not: nobody is kept at a console they leave.
func (c *Console) SignOut() {
	if c.Operator() == nil {
		c.showSignIn()
		return
	}
	c.write(write{
		run:  func(ctx context.Context, op *app.Operator) error { return c.core.Accounts.SignOut(ctx, op) },
		done: c.showSignIn,
		failed: func(err error) {
			c.core.Log.Error("sign-out not journaled", "err", err)
			c.showSignIn()
		},
	})
}

// Rebuild recreates the window's content after a language or theme change, keeping the
// operator and the open panel.
func (c *Console) Rebuild() {
	c.updateTitle()
	if c.Operator() == nil {
		c.showSignIn()
		return
	}
	cur := ""
	if c.shell != nil {
		cur = c.shell.current
	}
	if c.shell != nil {
		c.shell.close()
	}
	c.shell = newShell(c)
	if cur != "" {
		c.shell.show(cur)
	}
	c.setContent(c.shell.content)
}

func (c *Console) updateTitle() {
	title := T("Watchpost")
	if s := c.core.Inventory.Site(); s != nil {
		title += " — " + s.Display(english())
	}
	c.win.SetTitle(title)
}

// live keeps the header and status bar current: journal entries as they are committed,
// a one-second tick for the clock and the connection states, and the blinking of the
// alarm counters.
func (c *Console) live(sub *app.Subscription) {
	defer c.wg.Done()
	defer sub.Close()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	blink := time.NewTicker(counterBlink)
	defer blink.Stop()
	for {
		select {
		case <-c.stop:
			return
		case e, ok := <-sub.C():
			if !ok {
				return
			}
			uiDo(func() {
				c.alarmEntry(e)
				if c.shell != nil {
					c.shell.entry(e)
				}
			})
		case <-tick.C:
			uiDo(func() {
				c.alarmTick()
				if c.shell != nil {
					c.shell.tick()
				}
			})
		case <-blink.C:
			uiDo(c.blink)
		}
	}
}

// blink turns the phase of the blinking alarm counters (header or sign-in screen).
func (c *Console) blink() {
	switch {
	case c.shell != nil:
		c.shell.header.counters.blink()
	case c.signIn != nil:
		c.signIn.counters.blink()
	}
}
