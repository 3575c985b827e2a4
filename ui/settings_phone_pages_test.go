package ui

import (
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/testkit"
)

const (
	testPhoneURL = "https://192.168.1.10:8443/"
	testFP       = "0A:1B:2C:3D:4E:5F:60:71:82:93:A4:B5:C6:D7:E8:F9:0A:1B:2C:3D:4E:5F:60:71:82:93:A4:B5:C6:D7:E8:F9"
)

// phonePagesEnv is what a settings test gave the console: what it printed and opened.
type phonePagesEnv struct {
	mu      sync.Mutex
	printed []bool // perUnit of each print
	opened  []string
	openErr error
	reports string // the reports folder
}

// phonePagesConsole is the demo's console serving phone pages at address, its labels
// printed by a stand-in (the real sheet is report's to test) and opened by a stand-in viewer.
func phonePagesConsole(t *testing.T, lang, address string) (*Console, *phonePagesEnv) {
	t.Helper()
	env := testkit.New(t, testkit.Options{Config: app.Config{Language: lang}})
	e := &phonePagesEnv{reports: filepath.Join(env.Dir, "reports")}
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1400, 860))
	c := NewConsole(a, w, env.Core, Extras{Feeds: newTestFeeds(t, env.Core.Inventory.Site()), Reports: env.Reports, Version: "test",
		Paths:      Paths{ConfigFile: "/var/lib/watchpost/config.json"},
		PhonePages: func() (string, string, bool) { return address, testFP, !strings.Contains(address, "127.0.0.1") },
		QRLabels: func(ctx context.Context, perUnit bool) ([]byte, int, error) {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.printed = append(e.printed, perUnit)
			return []byte("%PDF-1.4 labels"), 41, nil
		},
		OpenURL: func(u *url.URL) error {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.opened = append(e.opened, u.Path)
			return e.openErr
		},
	})
	t.Cleanup(func() { c.Close(); SetLanguage("en") })
	c.Start()
	return c, e
}

func (e *phonePagesEnv) seen() (printed []bool, opened []string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]bool(nil), e.printed...), append([]string(nil), e.opened...)
}

func settingsObject(c *Console) fyne.CanvasObject {
	c.shell.show("settings")
	return c.shell.built["settings"].Object()
}

func TestPhonePagesSettingsShowTheAddressAndTheFingerprint(t *testing.T) {
	for lang, want := range map[string][]string{
		"en":    {"Phone pages", "Certificate fingerprint", "On the site's network: phones on it open the pages.", "web.allow_remote", "web.base_url"},
		"zh-CN": {"手机页面", "证书指纹", "小区网络：连入该网络的手机可以打开这些页面。", "web.allow_remote", "web.base_url"},
	} {
		t.Run(lang, func(t *testing.T) {
			c, _ := phonePagesConsole(t, lang, testPhoneURL)
			texts := visibleTexts(settingsObject(c))
			assert.Contains(t, texts, testPhoneURL)
			assert.Contains(t, texts, "0A:1B:2C:3D:4E:5F:60:71:82:93:A4:B5:C6:D7:E8:F9\n0A:1B:2C:3D:4E:5F:60:71:82:93:A4:B5:C6:D7:E8:F9",
				"the fingerprint, a half a line")
			for _, s := range want {
				assert.Contains(t, texts, s)
			}
			var fp *widget.Label
			walk(settingsObject(c), func(o fyne.CanvasObject) {
				if l, ok := o.(*widget.Label); ok && strings.HasPrefix(l.Text, "0A:1B") {
					fp = l
				}
			})
			require.NotNil(t, fp)
			assert.True(t, fp.Selectable, "to copy")
			assert.True(t, fp.TextStyle.Monospace)
		})
	}
}

func TestPhonePagesSettingsSayWhenOnlyThisComputerReachesThem(t *testing.T) {
	c, _ := phonePagesConsole(t, "en", "https://127.0.0.1:8443/")
	signInAs(t, c, "admin")
	obj := settingsObject(c)
	assert.Contains(t, visibleTexts(obj), "On this computer only: phones cannot open the pages yet.")

	tap(findButton(obj, "Print QR labels for residents…"))
	top := c.win.Canvas().Overlays().Top()
	require.NotNil(t, top, "the dialog asks first")
	assert.Contains(t, visibleTexts(top), "Phones cannot reach this address: it is this computer's own. Set web.base_url (or web.listen with web.allow_remote) in the configuration and restart before printing labels to post.")
}

func TestPrintingQRLabelsSavesThePDFPrivatelyAndOpensIt(t *testing.T) {
	c, e := phonePagesConsole(t, "en", testPhoneURL)
	signInAs(t, c, "admin")
	print := findButton(settingsObject(c), "Print QR labels for residents…")
	require.NotNil(t, print)
	require.False(t, print.Disabled())
	tap(print)

	top := c.win.Canvas().Overlays().Top()
	require.NotNil(t, top)
	texts := visibleTexts(top)
	assert.Contains(t, texts, testPhoneURL, "the address the labels carry")
	assert.NotContains(t, strings.Join(texts, "\n"), "Phones cannot reach this address")
	var choice *widget.RadioGroup
	walk(top, func(o fyne.CanvasObject) {
		if r, ok := o.(*widget.RadioGroup); ok {
			choice = r
		}
	})
	require.NotNil(t, choice)
	assert.Equal(t, []string{"One label per building (16 labels)", "One label per stairwell (41 labels)"}, choice.Options)
	serialUI(func() { choice.SetSelected(choice.Options[1]) })
	tap(findButton(top, "Print"))
	waitWrites(t, c)

	printed, _ := e.seen()
	assert.Equal(t, []bool{true}, printed, "per stairwell, once")
	files, err := filepath.Glob(filepath.Join(e.reports, "qr-labels-units-*.pdf"))
	require.NoError(t, err)
	require.Len(t, files, 1, "saved with the reports")
	b, err := os.ReadFile(files[0])
	require.NoError(t, err)
	assert.Equal(t, "%PDF-1.4 labels", string(b))
	fi, err := os.Stat(files[0])
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	waitFor(t, "the PDF is opened", func() bool { _, opened := e.seen(); return len(opened) > 0 })
	_, opened := e.seen()
	assert.Equal(t, []string{filepath.ToSlash(files[0])}, opened)
	assert.Contains(t, visibleTexts(settingsObject(c)), "41 labels saved: "+filepath.Base(files[0]))
}

func TestPrintedLabelsThatNoViewerOpensSayWhereTheyAre(t *testing.T) {
	c, e := phonePagesConsole(t, "en", testPhoneURL)
	e.openErr = errors.New("no PDF viewer")
	signInAs(t, c, "admin")
	tap(findButton(settingsObject(c), "Print QR labels for residents…"))
	tap(findButton(c.win.Canvas().Overlays().Top(), "Print"))
	waitWrites(t, c)
	waitFor(t, "the dialog says where the file is", func() bool {
		top := uiGet(func() fyne.CanvasObject { return c.win.Canvas().Overlays().Top() })
		return top != nil && strings.Contains(strings.Join(visibleTexts(top), "\n"), filepath.Join(e.reports, "qr-labels-"))
	})
	assert.Contains(t, strings.Join(visibleTexts(c.win.Canvas().Overlays().Top()), "\n"), "No program on this computer opens PDF files. The labels are saved as:")
}

func TestOnlyWhoSetsUpTheWorkOrdersPrintsTheLabels(t *testing.T) {
	c, e := phonePagesConsole(t, "en", testPhoneURL) // the demo's duty operator
	obj := settingsObject(c)
	print := findButton(obj, "Print QR labels for residents…")
	require.NotNil(t, print)
	assert.True(t, print.Disabled())
	assert.Contains(t, visibleTexts(obj), "Only those who set up the work orders print the labels (administrators).")
	assert.Contains(t, visibleTexts(obj), testPhoneURL, "the address and fingerprint are everyone's")

	// The core's check holds where the button is not the guard (a role changed meanwhile).
	s := newPhonePagesSettings(c, c.Operator())
	serialUI(func() { s.printLabels(false) })
	waitWrites(t, c)
	printed, _ := e.seen()
	assert.Empty(t, printed, "nothing printed for a duty operator")
}
