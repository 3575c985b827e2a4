package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/storage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// fakeSheets stands in for the XLSX adapter (sheets/, tested on its own): its import
// returns the site or the bad rows a test sets.
type fakeSheets struct {
	mu     sync.Mutex
	next   func(cur *app.Site) *app.Site
	probs  []app.SheetProblem
	opts   []app.SheetImport
	langs  []string
	export []*app.Site
}

func (f *fakeSheets) Template(site *app.Site, lang string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.langs = append(f.langs, lang)
	return []byte("template"), nil
}

func (f *fakeSheets) Export(site *app.Site, lang string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.export = append(f.export, site)
	return []byte("export"), nil
}

func (f *fakeSheets) Import(data []byte, cur *app.Site, opt app.SheetImport) (*app.Site, []app.SheetProblem, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.opts = append(f.opts, opt)
	if string(data) != "filled.xlsx" {
		return nil, nil, app.Errorf(app.CodeInvalid, "This file is not an XLSX workbook")
	}
	if len(f.probs) > 0 {
		return nil, f.probs, nil
	}
	return f.next(cur), nil, nil
}

func copyOf(t *testing.T, s *app.Site) *app.Site {
	b, err := json.Marshal(s)
	require.NoError(t, err)
	var c app.Site
	require.NoError(t, json.Unmarshal(b, &c))
	return &c
}

func adminConsole(t *testing.T, sh app.SiteSheets) *Console {
	c := newTestConsole(t, enConfig())
	c.x.Sheets = sh
	admin, err := c.core.Accounts.SignIn(context.Background(), "admin", "sunshine-demo")
	require.NoError(t, err)
	c.signedIn(admin)
	return c
}

// waitImported waits for the import's journal entry (failing with what the dialog says).
func waitImported(t *testing.T, sub *app.Subscription, s *siteImport) {
	t.Helper()
	select {
	case <-sub.C():
	case <-time.After(15 * time.Second):
		t.Fatalf("not imported; the dialog says %q", s.wd.status.text.Text)
	}
}

func lineTexts(s *siteImport) []string {
	var out []string
	for _, l := range s.lines {
		out = append(out, l.text)
	}
	return out
}

// Only administrators find the dialog in the inventory.
func TestSiteImportIsForAdministrators(t *testing.T) {
	c := newTestConsole(t, enConfig()) // the duty operator
	inventoryOf(t, c)
	assert.Nil(t, findButton(c.win.Content(), "Import / export…"), "the duty operator has no import")

	c = adminConsole(t, &fakeSheets{})
	inventoryOf(t, c)
	b := findButton(c.win.Content(), "Import / export…")
	require.NotNil(t, b, "an administrator has it")
	tap(b)
	top := topDialog(t, c)
	assert.Contains(t, visibleTexts(top), "Import / export")
	assert.NotNil(t, findButton(top, "Write the template…"))
	assert.NotNil(t, findButton(top, "Import GeoJSON…"))
}

// A workbook's preview lists what it adds and changes; Apply stores it as one import, and
// the inventory shows it.
func TestSiteImportPreviewsAndAppliesAWorkbook(t *testing.T) {
	fake := &fakeSheets{next: func(cur *app.Site) *app.Site {
		n := copyOf(t, cur)
		n.Cameras = append(n.Cameras, app.Camera{ID: "cam-new", Names: app.Names{Name: "新门"}, MainURL: "rtsp://10.0.0.9/main", Position: app.Point{X: 20, Y: 20}})
		n.Devices[0].Name, n.Devices[0].NameEn = "改名的设备", "Renamed device"
		return n
	}}
	c := adminConsole(t, fake)
	p := inventoryOf(t, c)
	s := c.showSiteImport()
	require.True(t, s.wd.ok.Disabled(), "nothing to apply before a file is read")
	s.remove.SetChecked(true)
	s.readXLSX("things.xlsx", []byte("filled.xlsx"))
	waitFor(t, "the preview", func() bool { return s.read.Load() == 1 })
	assert.Equal(t, []app.SheetImport{{RemoveMissing: true}}, fake.opts, "the option reaches the import")
	assert.Equal(t, "Cameras: 1 added, 0 changed, 0 removed\nDevices: 0 added, 1 changed, 0 removed", s.summary.Text)
	dev := c.core.Inventory.Site().Devices[0]
	assert.Equal(t, []string{"Added · Camera cam-new · 新门", "Changed · Device " + dev.ID + " · Renamed device: Name, Name (English)"}, lineTexts(s))
	assert.False(t, s.wd.ok.Disabled(), "Apply is offered")

	sub := c.core.Bus.Subscribe(4, func(e *app.Entry) bool { return e.Kind == app.KindSiteImported })
	defer sub.Close()
	tap(s.wd.ok)
	waitImported(t, sub, s)
	waitWrites(t, c)
	_, ok := c.core.Inventory.Site().Camera("cam-new")
	assert.True(t, ok, "stored")
	waitFor(t, "the inventory shows the new camera", func() bool {
		_, ok := p.site.Camera("cam-new")
		return ok
	})
	n := len(c.core.Inventory.Site().Cameras)
	// The counts are set on the UI thread after the site: wait for them, not for the site alone.
	waitFor(t, "the counts follow the import", func() bool {
		return strings.Contains(uiGet(func() string { return p.counts.Text }), fmt.Sprintf("%d cameras", n))
	})
}

// Bad rows are listed with their row numbers and column, Apply stays off and nothing is
// stored.
func TestSiteImportShowsBadRows(t *testing.T) {
	fake := &fakeSheets{probs: []app.SheetProblem{
		{Sheet: "Devices", Row: 5, Column: "Kind", Err: app.Errorf(app.CodeInvalid, "Unknown device kind {{.Value}}", "Value", "smoke2")},
		{Sheet: "Cameras", Row: 3, Err: app.Errorf(app.CodeInvalid, "A value is required")},
	}}
	c := adminConsole(t, fake)
	before := c.core.Inventory.Site()
	s := c.showSiteImport()
	s.readXLSX("things.xlsx", []byte("filled.xlsx"))
	waitFor(t, "the bad rows", func() bool { return s.read.Load() == 1 })
	assert.Equal(t, []string{"Devices, row 5, “Kind”: Unknown device kind smoke2", "Cameras, row 3: A value is required"}, lineTexts(s))
	assert.Contains(t, s.summary.Text, "2 problems")
	assert.True(t, s.wd.ok.Disabled(), "no Apply while a row is bad")
	assert.Same(t, before, c.core.Inventory.Site(), "nothing stored")

	// In Chinese, the same rows read in Chinese.
	SetLanguage("zh-CN")
	s = c.showSiteImport()
	s.readXLSX("things.xlsx", []byte("filled.xlsx"))
	waitFor(t, "the bad rows", func() bool { return s.read.Load() == 1 })
	assert.Equal(t, "“Devices”表第 5 行“Kind”：未知的设备类型 smoke2", s.lines[0].text)

	// A file that is not a workbook says so.
	s.readXLSX("notes.txt", []byte("hello"))
	waitFor(t, "the refusal", func() bool { return s.read.Load() == 2 })
	assert.Contains(t, s.wd.status.text.Text, "XLSX")
	assert.True(t, s.wd.ok.Disabled())
}

// A GeoJSON plan from the console: its preview (here a camera the plan no longer has), then
// Apply replaces the plan (passwords kept: TestPrepareImportRestoresPasswordsForThePreview).
func TestSiteImportGeoJSONWithPreview(t *testing.T) {
	c := adminConsole(t, nil) // GeoJSON needs no spreadsheet adapter
	cur := c.core.Inventory.Site()
	plan := copyOf(t, cur)
	gone := plan.Cameras[len(plan.Cameras)-1]
	plan.Cameras = plan.Cameras[:len(plan.Cameras)-1]
	data, err := app.ExportGeoJSON(plan) // passwords hidden, as an export writes them
	require.NoError(t, err)

	s := c.showSiteImport()
	s.readGeoJSON("plan.geojson", data)
	waitFor(t, "the preview", func() bool { return s.read.Load() == 1 })
	assert.Equal(t, "Cameras: 0 added, 0 changed, 1 removed", s.summary.Text)
	assert.Equal(t, []string{"Removed · Camera " + gone.ID + " · " + gone.NameEn}, lineTexts(s))

	sub := c.core.Bus.Subscribe(4, func(e *app.Entry) bool { return e.Kind == app.KindSiteImported })
	defer sub.Close()
	tap(s.wd.ok)
	waitImported(t, sub, s)
	now := c.core.Inventory.Site()
	_, ok := now.Camera(gone.ID)
	assert.False(t, ok)
	assert.Equal(t, cur.Cameras[0].MainURL, now.Cameras[0].MainURL, "the other cameras are kept as they were")

	// A plan whose outline is broken is refused with the reason, nothing stored.
	s = c.showSiteImport()
	s.readGeoJSON("broken.geojson", []byte(`{"type":"FeatureCollection","features":[{"type":"Feature"`))
	waitFor(t, "the refusal", func() bool { return s.read.Load() == 1 })
	assert.NotEmpty(t, s.wd.status.text.Text)
	assert.Nil(t, s.next)
	assert.True(t, s.wd.ok.Disabled())
}

// An export is written for its owner only: it holds the residents' names and phones.
func TestSiteExportIsPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "site.xlsx")
	wc, err := storage.Writer(storage.NewFileURI(path))
	require.NoError(t, err)
	require.NoError(t, writePrivate(wc, []byte("export")))
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
}

// A preview made before someone else changed the site is not applied over their change.
func TestSiteImportRefusesAStalePreview(t *testing.T) {
	fake := &fakeSheets{next: func(cur *app.Site) *app.Site {
		n := copyOf(t, cur)
		n.Devices[0].Name = "改名的设备"
		return n
	}}
	c := adminConsole(t, fake)
	s := c.showSiteImport()
	s.readXLSX("things.xlsx", []byte("filled.xlsx"))
	waitFor(t, "the preview", func() bool { return s.read.Load() == 1 })
	d := c.core.Inventory.Site().Devices[1]
	require.NoError(t, c.core.Inventory.MoveDevice(context.Background(), c.Operator(), d.ID, app.Point{X: d.Position.X + 1, Y: d.Position.Y}))
	tap(s.wd.ok)
	assert.Equal(t, "The site changed since this preview: read the file again", s.wd.status.text.Text)
	moved, _ := c.core.Inventory.Site().Device(d.ID)
	assert.Equal(t, d.Position.X+1, moved.Position.X, "the other change stays")
	assert.NotEqual(t, "改名的设备", c.core.Inventory.Site().Devices[0].Name)
}
