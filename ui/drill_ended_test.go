package ui

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// runQuickDrill starts the quick drill as the trainer, waits for its alarm and stops it
// through the live view; it returns the panel and the run.
func runQuickDrill(t *testing.T, c *Console) (*drillsPanel, app.DrillRun) {
	t.Helper()
	trainer := signInAs(t, c, "trainer")
	_, err := c.core.Drills.Save(context.Background(), trainer, quickDrill())
	require.NoError(t, err)
	c.shell.show("drills")
	p := c.shell.built["drills"].(*drillsPanel)
	run, err := c.core.Drills.Start(context.Background(), trainer, "quick")
	require.NoError(t, err)
	waitFor(t, "its alarm arrives", func() bool {
		for _, a := range c.core.Desk.Open() {
			if a.Drill {
				return true
			}
		}
		return false
	})
	p.tabs.Select(p.liveTab)
	p.live.refresh()
	waitFor(t, "the live view shows its alarm", func() bool { return p.live.has && len(p.live.last.Score.Alarms) == 1 })
	tap(waitButton(t, "the live view offers to stop", func() fyne.CanvasObject { return p.live.content }, "Stop drill"))
	confirmDialog(t, c, "Stop drill")
	waitFor(t, "the drill ends", func() bool { return !c.core.Drills.Running() })
	return p, run
}

// Stopped a moment after it started, nothing the drill expected had reached its limit:
// the breakdown stays on screen with the final score, and says they were not reached
// rather than missed.
func TestTheLiveBreakdownStaysAfterTheStopWithNotReached(t *testing.T) {
	c := newTestConsole(t, enConfig())
	p, run := runQuickDrill(t, c)
	waitFor(t, "the live view shows the ended run", func() bool { return p.live.ended == run.ID })
	// It says the drill is over, and the breakdown stays: reactions whose limit had not
	// passed were not reached.
	live := waitTexts(t, "the ended run's breakdown", func() string { return textOf(p.live.content) },
		"No drill is running", "Ended", "Acknowledge each drill alarm", "Fire alarm", "Plan steps", "Not reached",
		"Score 0%", "0 missed", "not reached")
	assert.NotContains(t, live, "Missed", "…not missed")
	runs, err := c.core.Drills.Runs(context.Background(), "quick")
	require.NoError(t, err)
	s := runs[0].Score
	require.NotNil(t, s)
	assert.Equal(t, s.Total, s.NotReached, "stopped at once: nothing was due")
	assert.Zero(t, s.Missed)
	assert.NotNil(t, findButton(p.live.content, "Debrief…"), "the debrief is one tap away")
	assert.Nil(t, findButton(p.live.content, "Stop drill"))
}

// Where no browser opens the debrief, the console shows it and says where the file is.
func TestTheDebriefIsShownInTheConsoleWhenNoBrowserOpensIt(t *testing.T) {
	c := newTestConsole(t, enConfig())
	c.x.OpenURL = func(*url.URL) error { return errors.New("xdg-open is not installed") }
	p, run := runQuickDrill(t, c)
	waitFor(t, "the ended run", func() bool { return p.live.ended == run.ID })
	tap(waitButton(t, "the debrief is offered", func() fyne.CanvasObject { return p.live.content }, "Debrief…"))
	waitFor(t, "the report is written", func() bool { return p.lastReport != "" })
	waitFor(t, "the report is shown in the console", func() bool {
		top := c.win.Canvas().Overlays().Top()
		return top != nil && strings.Contains(strings.Join(visibleTexts(top), "\n"), "Expected reactions")
	})
	texts := strings.Join(visibleTexts(topDialog(t, c)), "\n")
	assert.Contains(t, texts, "Drill debrief #")
	assert.Contains(t, texts, "xdg-open is not installed", "why the browser did not open it")
	assert.Contains(t, texts, p.lastReport, "where the file is")
	assert.Contains(t, texts, "Quick drill")
	assert.Contains(t, texts, "Not reached")
	assert.Contains(t, texts, "Timeline (from the journal)")
	assert.Contains(t, texts, "Drill started")

	// One fact, one line: each fact is its own text, in the order of the report (the
	// dialog may be scrolled, so the order of the texts is checked, not their positions).
	var order []string
	walk(topDialog(t, c), func(o fyne.CanvasObject) {
		if tx, ok := o.(*canvas.Text); ok {
			order = append(order, tx.Text)
		}
	})
	indexOf := func(prefix string) int {
		for i, tx := range order {
			if strings.HasPrefix(tx, prefix) {
				return i
			}
		}
		t.Fatalf("%q is not shown as a text of its own in %q", prefix, order)
		return -1
	}
	for _, fact := range []string{"Scenario:", "Expected plan:", "Incident:", "Started:"} {
		tx := order[indexOf(fact)]
		for _, other := range []string{"Scenario:", "Expected plan:", "Incident:", "Started:"} {
			if other != fact {
				assert.NotContains(t, tx, other, "each fact on its own line")
			}
		}
	}
	assert.Greater(t, indexOf("Expected plan:"), indexOf("Scenario:"))
	assert.Greater(t, indexOf("Started:"), indexOf("Incident:"))
}
