package ui

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/mapdraw"
)

// replayedDrill runs the quick drill on the test console: its smoke alarm is raised,
// acknowledged a moment later by the duty operator, the commander opens the drill's
// incident from it and ticks a step, and the trainer stops the run.
func replayedDrill(t *testing.T, c *Console) (trainer *app.Operator, run app.DrillRun, alarm app.Alarm, incident int64) {
	t.Helper()
	ctx := context.Background()
	trainer = signInAs(t, c, "trainer")
	_, err := c.core.Drills.Save(ctx, trainer, quickDrill())
	require.NoError(t, err)
	run, err = c.core.Drills.Start(ctx, trainer, "quick")
	require.NoError(t, err)
	waitFor(t, "the drill's alarm", func() bool {
		for _, a := range c.core.Desk.Open() {
			if a.Drill && a.DeviceID == "smoke-b03-u2-12" {
				alarm = a
				return true
			}
		}
		return false
	})
	// Distinct instants, so that the playhead can stand between them.
	moveOn(t)
	duty, err := c.core.Accounts.SignIn(ctx, "duty", "sunshine-demo")
	require.NoError(t, err)
	_, err = c.core.Desk.Acknowledge(ctx, duty, alarm.ID, "on my way")
	require.NoError(t, err)
	moveOn(t)
	commander, err := c.core.Accounts.SignIn(ctx, "commander", "sunshine-demo")
	require.NoError(t, err)
	in, err := c.core.Incidents.Open(ctx, commander, app.OpenRequest{PlanID: "fire-residential", AlarmID: alarm.ID, Drill: true})
	require.NoError(t, err)
	moveOn(t)
	_, err = c.core.Incidents.Tick(ctx, commander, in.ID, "verify", "")
	require.NoError(t, err)
	moveOn(t)
	_, err = c.core.Drills.Stop(ctx, trainer, run.ID)
	require.NoError(t, err)
	return trainer, run, alarm, in.ID
}

// moveOn waits until the clock has moved on by more than the millisecond the replay tests
// step back from an event (what was just journaled is at or before now), so that the next
// action's instant is another one.
func moveOn(t *testing.T) {
	t.Helper()
	from := time.Now()
	waitFor(t, "the clock moves on", func() bool { return time.Since(from) > 5*time.Millisecond })
}

// replayOf returns the replay panel once it shows a session.
func replayOf(t *testing.T, c *Console) *replayPanel {
	t.Helper()
	require.Equal(t, "replay", c.shell.current, "the replay panel is shown")
	p, ok := c.shell.built["replay"].(*replayPanel)
	require.True(t, ok)
	waitFor(t, "the replay opens", func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.sess != nil
	})
	return p
}

// replayAt moves the playhead and waits for the frame of that instant.
func replayAt(t *testing.T, p *replayPanel, at time.Time) app.ReplayFrame {
	t.Helper()
	p.seek(at)
	var f app.ReplayFrame
	waitFor(t, "the frame at "+at.Format(time.RFC3339Nano), func() bool {
		var ok bool
		f, ok = p.shown()
		return ok && f.At.Equal(at)
	})
	return f
}

func playhead(p *replayPanel) time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.at
}

func eventOf(t *testing.T, p *replayPanel, kind app.EntryKind) app.ReplayEvent {
	t.Helper()
	for _, ev := range p.sess.Events {
		if ev.Kind == kind {
			return ev
		}
	}
	t.Fatalf("no %s event on the timeline", kind)
	return app.ReplayEvent{}
}

func markerLookOf(p *replayPanel, key string) mapdraw.Look {
	p.mu.Lock()
	defer p.mu.Unlock()
	m, _ := p.siteMap.r.Marker(key)
	return m.Look
}

func TestReplayIsForTrainers(t *testing.T) {
	c := newTestConsole(t, enConfig())
	assert.NotContains(t, panelIDs(c), "replay", "the duty operator does not replay")
	signInAs(t, c, "trainer")
	ids := panelIDs(c)
	i := slices.Index(ids, "replay")
	require.Positive(t, i)
	assert.Equal(t, "drills", ids[i-1], "beside the drills")
}

// A trainer replays a drill run from its runs: the alarm desk, the checklist and the map
// show each instant as it was, the playhead steps from event to event and plays, and
// nothing in the replay acts on the live console.
func TestTrainerReplaysADrillRun(t *testing.T) {
	c := newTestConsole(t, enConfig())
	_, run, alarm, _ := replayedDrill(t, c)
	before, err := c.core.Desk.Get(context.Background(), alarm.ID)
	require.NoError(t, err)

	// From the drill's past runs.
	c.shell.show("drills")
	dp := c.shell.built["drills"].(*drillsPanel)
	dp.runs.load("quick")
	require.Len(t, dp.runs.runs, 1)
	require.NotNil(t, dp.runs.replay, "the runs offer a replay")
	assert.True(t, dp.runs.replay.Disabled(), "until a run is selected")
	dp.runs.table.Select(widget.TableCellID{Row: 0, Col: 0})
	require.False(t, dp.runs.replay.Disabled())
	tap(dp.runs.replay)

	p := replayOf(t, c)
	assert.Equal(t, app.ReplayOfDrill, p.sess.Target.Kind)
	assert.Equal(t, run.ID, p.sess.Target.ID)
	waitFor(t, "the drill run is listed", func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		return len(p.targets) == 1
	})
	waitTexts(t, "the run is named in the list", func() string { return textOf(p.list) }, "Quick drill")

	raised := eventOf(t, p, app.KindAlarmRaised)
	ack := eventOf(t, p, app.KindAlarmAcknowledged)
	done := eventOf(t, p, app.KindIncidentStepDone)
	require.True(t, raised.At.Before(ack.At) && ack.At.Before(done.At))

	// Before the acknowledgment: the alarm is new, and marked a drill's.
	replayAt(t, p, ack.At.Add(-time.Millisecond))
	desk := strings.Join(visibleTexts(p.alarmsBox), "\n")
	assert.Contains(t, desk, "DRILL")
	assert.Contains(t, desk, "New")
	assert.NotContains(t, desk, "Acknowledged by")
	assert.Contains(t, strings.Join(visibleTexts(p.checkBox), "\n"), "No incident was open at this instant.")
	assert.Equal(t, mapdraw.LookBlink, markerLookOf(p, "device:"+alarm.DeviceID), "a new alarm on the map")
	assert.Contains(t, p.banner.Text, "Replay of Quick drill at ")

	// At the acknowledgment: acknowledged, by whom.
	replayAt(t, p, ack.At)
	desk = strings.Join(visibleTexts(p.alarmsBox), "\n")
	assert.Contains(t, desk, "Acknowledged by 李明 at "+ack.At.Local().Format("15:04:05"))
	assert.Contains(t, desk, "on my way")
	assert.NotContains(t, visibleTexts(p.alarmsBox), "New")
	assert.Equal(t, mapdraw.LookAlarm, markerLookOf(p, "device:"+alarm.DeviceID), "a handled alarm on the map")

	// The next event is the incident opened, then the step ticked shows who did it.
	tap(findButton(p.session, "Next event"))
	assert.True(t, playhead(p).After(ack.At))
	next, ok := p.sess.Next(ack.At)
	require.True(t, ok)
	assert.Equal(t, next, playhead(p), "the next mark")
	f := replayAt(t, p, done.At)
	require.NotNil(t, f.Incident)
	check := strings.Join(visibleTexts(p.checkBox), "\n")
	assert.Contains(t, check, "Done at +")
	assert.Contains(t, check, "by 王强")
	tap(findButton(p.session, "Previous event"))
	assert.True(t, playhead(p).Before(done.At), "back to the mark before")

	// Tapping an event in the list jumps there.
	i := slices.IndexFunc(p.sess.Events, func(ev app.ReplayEvent) bool { return ev.Seq == raised.Seq })
	p.events.Select(i)
	assert.Equal(t, raised.At, playhead(p))

	// Playing at 16×: the playhead moves by 16 times the wall time passed (a second set
	// back, plus however long the machine took to get to advance).
	p.jumpToEnd(false)
	p.speedSel.SetSelected("16×")
	p.mu.Lock()
	from := p.at
	p.lastTick = time.Now().Add(-time.Second)
	since := p.lastTick
	p.advance()
	passed := time.Since(since)
	moved := p.at.Sub(from)
	p.mu.Unlock()
	assert.GreaterOrEqual(t, moved, 16*time.Second)
	assert.LessOrEqual(t, moved, 16*passed)
	tap(p.playBtn)
	assert.Equal(t, "Pause", p.playBtn.Text)
	waitFor(t, "the playhead moves on its own", func() bool { return playhead(p).After(from.Add(moved)) })
	tap(p.playBtn)
	assert.Equal(t, "Play", p.playBtn.Text)
	p.mu.Lock()
	assert.False(t, p.playing)
	p.mu.Unlock()
	p.jumpToEnd(true)
	assert.Equal(t, p.sess.Target.To, playhead(p))

	// Read-only: nothing to type in or tick, and no button but the player's.
	replayAt(t, p, p.sess.Target.To) // the frame of the end is shown
	player := []string{"", "Previous event", "Play", "Pause", "Next event"}
	walk(p.content, func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Button:
			assert.Contains(t, player, x.Text, "a replay has no action buttons")
		case *widget.Entry, *widget.Check:
			t.Errorf("a replay has no input: %T", x)
		}
	})
	got, err := c.core.Desk.Get(context.Background(), alarm.ID)
	require.NoError(t, err)
	assert.Equal(t, before, got, "the live alarm is as it was")
}

// A closed incident offers its replay on the incident panel.
func TestClosedIncidentOffersItsReplay(t *testing.T) {
	c := newTestConsole(t, enConfig())
	_, _, _, id := replayedDrill(t, c)
	commander, err := c.core.Accounts.SignIn(context.Background(), "commander", "sunshine-demo")
	require.NoError(t, err)
	_, err = c.core.Incidents.Close(context.Background(), commander, id, app.CloseRequest{Summary: "drill over", Outcome: app.OutcomeTest, Alarms: app.AlarmsResolve})
	require.NoError(t, err)

	ip := incidentPanelOf(t, c)
	ip.focus(id)
	shown(t, ip, "the closed incident", func(in *app.Incident) bool { return in.State == app.IncidentClosed })
	b := panelButton(ip, ip.detail, "Replay")
	require.NotNil(t, b, "a closed incident can be replayed")
	tap(b)
	p := replayOf(t, c)
	assert.Equal(t, app.ReplayOfIncident, p.sess.Target.Kind)
	assert.Equal(t, id, p.sess.Target.ID)
	f := replayAt(t, p, p.sess.Target.To)
	require.NotNil(t, f.Incident)
	assert.Equal(t, app.IncidentClosed, f.Incident.State)
	assert.Contains(t, visibleTexts(p.checkTitle), "Closed")
}
