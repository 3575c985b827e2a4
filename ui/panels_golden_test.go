package ui

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/testkit"
)

// The main panels are kept as Fyne markup goldens (testdata/panels/<panel>-<language>.xml):
// the whole window (header, navigation, the panel, status bar) as the administrator sees
// it, in Chinese and English, so that a change of a panel's layout or texts shows in review
// as a change of its golden. The window is made the same on every run: the core's clock
// stands still (goldenAt, China's time zone), the data are the demo community with one
// alarm, one incident and two work orders opened at that time, two cameras play a generated
// picture and the others are off, and the console's live updates are stopped; each golden
// waits for the state it shows, never for time.
//
// After a change on purpose, look at testdata/failed/panels/… and run
// WATCHPOST_UPDATE_GOLDEN=1 go test -run TestPanelGoldens ./ui/ to keep it.

// goldenLive: how many of the demo's cameras play in the goldens.
const goldenLive = 2

var goldenAt = time.Date(2026, 12, 7, 9, 30, 0, 0, time.FixedZone("CST", 8*3600))

// goldenConsole is the console the goldens are drawn from.
func goldenConsole(t *testing.T, lang string) *Console {
	t.Helper()
	local := time.Local
	time.Local = goldenAt.Location() // the times shown are the site's, wherever the test runs
	t.Cleanup(func() { time.Local = local })
	autoBlink = false
	t.Cleanup(func() { autoBlink = true })
	CJKFont() // the font scan is over before the settings say which font is used

	clock := testkit.NewClock(goldenAt)
	env := testkit.New(t, testkit.Options{Config: app.Config{Language: lang}, Clock: clock})
	env.Core.Health.Set(app.ComponentStatus{Name: "database", Label: "Database", State: app.StateOK, Detail: "/var/lib/watchpost/watchpost.db"})
	ctx := context.Background()
	admin, err := env.Core.Accounts.SignIn(ctx, "admin", "sunshine-demo")
	require.NoError(t, err)
	a, err := env.Core.Desk.Raise(ctx, nil, app.Alarm{Kind: app.AlarmManholeWater, Priority: app.P3, Cause: "water rising",
		DeviceID: "manhole-01", GridID: deviceGrid(t, env.Core, "manhole-01")})
	require.NoError(t, err)
	suggested, others := env.Core.Plans.Suggest(a.Kind)
	plan := append(suggested, others...)[0]
	clock.Add(2 * time.Minute)
	in, err := env.Core.Incidents.Open(ctx, admin, app.OpenRequest{Title: "井盖积水 · manhole-01", PlanID: plan.ID, AlarmID: a.ID, Level: plan.StartLevel()})
	require.NoError(t, err)
	// Two hazards reported at the desk: the board's first column, the map's pins.
	order, err := env.Core.Orders.Report(ctx, admin, app.OrderRequest{Category: app.CatFireHazard, Text: "1号楼1单元消防栓箱门损坏",
		Place: app.OrderPlace{Building: "b01", Unit: 1}})
	require.NoError(t, err)
	_, err = env.Core.Orders.Report(ctx, admin, app.OrderRequest{Category: app.CatClutter, Text: "3号楼楼道堆放纸箱",
		Place: app.OrderPlace{Building: "b03"}})
	require.NoError(t, err)
	clock.Add(3 * time.Minute)

	// The first two cameras play (a picture is drawn as such in the markup, whatever it
	// shows), the others are off.
	feeds := testkit.NewFeeds(env.Core.Inventory.Site().Cameras, goldenLive)
	t.Cleanup(feeds.Close)
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1600, 900))
	c := NewConsole(test.NewTempApp(t), w, env.Core, Extras{Feeds: feeds, Reports: env.Reports, Version: "golden",
		Paths: Paths{DataDir: "/var/lib/watchpost", LogFile: "/var/lib/watchpost/logs/watchpost.log", ConfigFile: "/var/lib/watchpost/config.json"}})
	t.Cleanup(func() { c.Close(); SetLanguage("en") })
	c.Start()
	close(c.stop) // no live updates: nothing changes behind the golden's back
	c.wg.Wait()
	c.signedIn(admin)
	c.ShowAlarm(a.ID)
	c.ShowIncident(in.ID)
	c.ShowOrder(order.ID)
	return c
}

func deviceGrid(t *testing.T, core *app.Core, id string) string {
	d, ok := core.Inventory.Site().Device(id)
	require.True(t, ok, id)
	return d.GridID
}

// settled waits for what a panel draws off the UI thread (the map's picture, the wall's
// cards, the drills' progress) to be on screen.
var settled = map[string]func(c *Console) bool{
	"wall": func(c *Console) bool {
		w := c.shell.built["wall"].(*wallPanel)
		return get(w, func() bool {
			for i, t := range w.tiles[:w.layout.Tiles()] {
				want := tileFailed
				if i < goldenLive {
					want = tilePlaying
				}
				if t.cam != nil && t.state != want {
					return false
				}
			}
			return true
		})
	},
	"map": func(c *Console) bool {
		p := c.shell.built["map"].(*mapPanel)
		return p.m.r.Image() != nil
	},
	"drills": func(c *Console) bool {
		l := c.shell.built["drills"].(*drillsPanel).live
		l.mu.Lock()
		defer l.mu.Unlock()
		return !l.busy
	},
}

var goldenPanels = []string{"wall", "alarms", "orders", "map", "incidents", "drills", "settings"}

func TestPanelGoldens(t *testing.T) {
	for _, lang := range []string{"zh-CN", "en"} {
		t.Run(lang, func(t *testing.T) {
			c := goldenConsole(t, lang)
			for _, id := range goldenPanels {
				c.ShowPanel(id)
				require.Equal(t, id, c.shell.current)
				if id == "map" {
					c.shell.built["map"].(*mapPanel).m.animate = false
				}
				if ok := settled[id]; ok != nil {
					waitFor(t, id+" is drawn", func() bool { return ok(c) })
				}
				waitWrites(t, c)
				assertGolden(t, filepath.Join("panels", id+"-"+lang+".xml"), c.win.Canvas())
			}
		})
	}
}

// assertGolden compares the canvas with its golden markup (testdata/name); with
// WATCHPOST_UPDATE_GOLDEN=1 it writes the golden instead.
func assertGolden(t *testing.T, name string, cv fyne.Canvas) {
	t.Helper()
	if os.Getenv("WATCHPOST_UPDATE_GOLDEN") != "" {
		path := filepath.Join("testdata", name)
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(test.RenderToMarkup(cv)), 0o644))
		t.Logf("wrote %s", path)
		return
	}
	test.AssertRendersToMarkup(t, name, cv)
}
