package ui

import (
	"context"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

func panelIDs(c *Console) []string {
	var ids []string
	for _, p := range c.shell.panels {
		ids = append(ids, p.ID)
	}
	return ids
}

func TestDrillsPanelIsForTrainers(t *testing.T) {
	c := newTestConsole(t, enConfig())
	assert.NotContains(t, panelIDs(c), "drills", "the duty operator does not run drills")
	signInAs(t, c, "trainer")
	ids := panelIDs(c)
	i := slices.Index(ids, "drills")
	require.Positive(t, i)
	assert.Equal(t, "plans", ids[i-1], "after the plans")
}

// quickDrill is a scenario whose events all come at once: a note and a smoke alarm.
func quickDrill() app.DrillScenario {
	return app.DrillScenario{ID: "quick", Names: app.Names{Name: "快速演练", NameEn: "Quick drill"}, PlanID: "fire-residential",
		Injections: []app.DrillInject{
			{Note: "演练开始", NoteEn: "The drill starts: smoke on the 12th floor"},
			{Device: "smoke-b03-u2-12", Event: "alarm", Values: map[string]any{"smoke": true, "temperature": 60.0}},
		}}
}

// A trainer starts a drill in the window; everyone sees the banner on every panel and the
// drill's alarm marked DRILL; the trainer stops it and makes the debrief report.
func TestTrainerRunsADrillThroughTheWindow(t *testing.T) {
	c := newTestConsole(t, enConfig())
	trainer := signInAs(t, c, "trainer")
	_, err := c.core.Drills.Save(context.Background(), trainer, quickDrill())
	require.NoError(t, err)
	var opened []string
	var mu sync.Mutex
	c.x.OpenURL = func(u *url.URL) error { mu.Lock(); opened = append(opened, u.Path); mu.Unlock(); return nil }
	c.shell.show("drills")
	p, ok := c.shell.built["drills"].(*drillsPanel)
	require.True(t, ok)
	waitFor(t, "the new scenario is listed", func() bool { return len(p.scenarios) == 4 })
	waitTexts(t, "the scenarios are listed", func() string { return textOf(p.content) }, "High-rise fire drill, Building 3")
	waitTexts(t, "the new scenario is shown", func() string { p.list.Select(3); return textOf(p.scenario) }, "Quick drill")
	assert.False(t, c.shell.banner.content.Visible(), "no banner before the drill")

	tap(findButton(p.scenario, "Start drill"))
	confirmDialog(t, c, "Start drill")
	waitFor(t, "the drill runs", func() bool { return c.core.Drills.Running() })
	waitFor(t, "its alarm arrives", func() bool {
		for _, a := range c.core.Desk.Open() {
			if a.Drill && a.DeviceID == "smoke-b03-u2-12" {
				return true
			}
		}
		return false
	})
	waitFor(t, "the banner shows", func() bool { return c.shell.banner.content.Visible() })

	// Another panel: the banner is there, with the drill's name and its latest note.
	c.shell.show("alarms")
	waitTexts(t, "the banner names the drill and its latest note", func() string { return textOf(c.win.Content()) },
		"DRILL IN PROGRESS — Quick drill · ", "The drill starts: smoke on the 12th floor")
	desk := c.shell.built["alarms"].(*alarmPanel)
	waitFor(t, "the drill alarm is on the desk", func() bool { return len(desk.shown) == 1 })
	waitTexts(t, "the alarm's row is marked", func() string { return textOf(desk.list) }, "DRILL")

	// Everyone: the duty operator signing in sees it too.
	signOut(t, c)
	signInAs(t, c, "duty")
	assert.True(t, c.shell.banner.content.Visible(), "the banner is for everyone")
	assert.Contains(t, strings.Join(visibleTexts(c.win.Content()), "\n"), "DRILL IN PROGRESS")
	signInAs(t, c, "trainer")

	// The trainer follows it and stops it.
	c.shell.show("drills")
	p = c.shell.built["drills"].(*drillsPanel)
	p.list.Select(slices.IndexFunc(p.scenarios, func(sc app.DrillScenario) bool { return sc.ID == "quick" })) // its runs below
	p.tabs.Select(p.liveTab)
	p.live.refresh()
	waitFor(t, "the live view", func() bool { return p.live.has })
	waitTexts(t, "the live view's reactions", func() string { return textOf(p.live.content) }, "Acknowledge each drill alarm", "Fire alarm")
	tap(waitButton(t, "the live view offers to stop", func() fyne.CanvasObject { return p.live.content }, "Stop drill"))
	confirmDialog(t, c, "Stop drill")
	waitFor(t, "the drill ends", func() bool { return !c.core.Drills.Running() })
	waitFor(t, "the banner goes", func() bool { return !c.shell.banner.content.Visible() })
	// The debrief report, from the runs of the scenario: the panel reloads them on the
	// stop's entry (which clears their selection), with the run's final score.
	waitFor(t, "the runs tab shows the scored run", func() bool { return len(p.runs.runs) == 1 && p.runs.runs[0].Score != nil })
	p.runs.table.Select(widget.TableCellID{Row: 0, Col: 0})
	tap(p.runs.debrief)
	waitFor(t, "the report is written", func() bool { return p.lastReport != "" })
	b, err := os.ReadFile(p.lastReport)
	require.NoError(t, err)
	html := string(b)
	assert.Contains(t, html, "Drill debrief")
	assert.Contains(t, html, "Quick drill")
	assert.Contains(t, html, "Expected reactions")
	assert.Contains(t, html, "Runs of this scenario")
	assert.Contains(t, html, "Drill started")
	waitFor(t, "the report opens", func() bool { mu.Lock(); defer mu.Unlock(); return len(opened) == 1 })
}
