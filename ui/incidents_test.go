package ui

import (
	"context"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

func signInAs(t *testing.T, c *Console, user string) *app.Operator {
	t.Helper()
	op, err := c.core.Accounts.SignIn(context.Background(), user, "sunshine-demo")
	require.NoError(t, err)
	c.signedIn(op)
	return op
}

func incidentPanelOf(t *testing.T, c *Console) *incidentPanel {
	t.Helper()
	c.shell.show("incidents")
	p, ok := c.shell.built["incidents"].(*incidentPanel)
	require.True(t, ok)
	return p
}

// rowFor finds the checklist row of a step (under the panel's lock: the console's
// goroutine renders the checklist under it).
func rowFor(p *incidentPanel, step string) *stepRow {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, r := range p.rows {
		if r.item.Step.ID == step {
			return r
		}
	}
	return nil
}

// panelText reads what a part of the incident panel shows, under the panel's lock: one
// whole rendering, never one half redrawn by the console's goroutine.
func panelText(p *incidentPanel, o fyne.CanvasObject) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(visibleTexts(o), "\n")
}

// panelButton finds a button of the incident panel, under the panel's lock.
func panelButton(p *incidentPanel, o fyne.CanvasObject, label string) *widget.Button {
	p.mu.Lock()
	defer p.mu.Unlock()
	return findButton(o, label)
}

func current(t *testing.T, c *Console, id int64) *app.Incident {
	t.Helper()
	in, err := c.core.Incidents.Get(context.Background(), id)
	require.NoError(t, err)
	return &in
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	require.Eventually(t, ok, 15*time.Second, 10*time.Millisecond, what)
}

// topDialog returns what the dialog on top of the window shows.
func topDialog(t *testing.T, c *Console) fyne.CanvasObject {
	t.Helper()
	top := c.win.Canvas().Overlays().Top()
	require.NotNil(t, top, "a dialog is open")
	return top
}

// shown waits until the panel has finished showing the incident in a state. The window is
// then read under the panel's lock (panelText, panelButton, rowFor): the console's goroutine
// goes on applying the entries that follow (the alarms' updates) meanwhile.
func shown(t *testing.T, p *incidentPanel, what string, ok func(in *app.Incident) bool) {
	t.Helper()
	waitFor(t, what, func() bool {
		in := p.rendered.Load()
		return in != nil && ok(in)
	})
}

// waitTexts waits until what read returns holds every text of want, and returns it: the
// console's goroutine applies the entries of the last action while the test looks.
func waitTexts(t *testing.T, what string, read func() string, want ...string) string {
	t.Helper()
	var mu sync.Mutex
	var text string
	found := assert.Eventually(t, func() bool {
		got := read()
		mu.Lock()
		text = got
		mu.Unlock()
		for _, w := range want {
			if !strings.Contains(got, w) {
				return false
			}
		}
		return true
	}, 15*time.Second, 10*time.Millisecond, what)
	mu.Lock()
	defer mu.Unlock()
	if !found {
		t.Fatalf("%s: %q not all shown in:\n%s", what, want, text)
	}
	return text
}

// textOf is what o shows, one text a line.
func textOf(o fyne.CanvasObject) string { return strings.Join(visibleTexts(o), "\n") }

// waitButton waits until the object find returns shows a button labelled label.
func waitButton(t *testing.T, what string, find func() fyne.CanvasObject, label string) *widget.Button {
	t.Helper()
	var mu sync.Mutex
	var b *widget.Button
	waitFor(t, what, func() bool {
		got := findButton(find(), label)
		mu.Lock()
		defer mu.Unlock()
		b = got
		return b != nil
	})
	mu.Lock()
	defer mu.Unlock()
	return b
}

// pickAlarm selects the desk's first alarm once it is there and returns the button its
// detail offers.
func pickAlarm(t *testing.T, desk *alarmPanel, label string) *widget.Button {
	t.Helper()
	return waitButton(t, "the desk's alarm offers "+label, func() fyne.CanvasObject {
		if len(desk.shown) > 0 {
			desk.list.Select(0)
		}
		return desk.detail
	}, label)
}

// A commander runs a fire from the alarm desk to the report, through the window.
func TestCommanderRunsAFireFromTheAlarmDesk(t *testing.T) {
	c := newTestConsole(t, enConfig())
	signInAs(t, c, "commander")
	var opened []*url.URL
	var mu sync.Mutex
	c.x.OpenURL = func(u *url.URL) error { mu.Lock(); opened = append(opened, u); mu.Unlock(); return nil }

	desk := alarmPanelOf(t, c)
	a := raise(t, c, app.Alarm{Kind: app.AlarmFire, Priority: app.P1, Cause: "Fire alarm: 3号楼2单元12层", DeviceID: "smoke-b03-u2-12", GridID: "g1", Building: "b03"})
	waitFor(t, "the alarm arrives", func() bool { return len(desk.shown) == 1 })
	open := pickAlarm(t, desk, "Open incident…")
	require.False(t, open.Disabled())
	tap(open)

	dlg := topDialog(t, c)
	sel := findSelect(dlg, "★ Fire in a residential building")
	require.NotNil(t, sel, "the fire plan is suggested by the alarm's kind")
	assert.NotNil(t, findSelect(dlg, "Level IV"), "at the plan's opening level")
	confirmDialog(t, c, "Open incident")
	waitFor(t, "the incident runs", func() bool { return len(c.core.Incidents.Running()) == 1 })
	in := c.core.Incidents.Running()[0]
	assert.Equal(t, []int64{a.ID}, in.AlarmIDs, "the alarm is linked")
	assert.Equal(t, "fire-residential", in.PlanID)
	waitState(t, c, a.ID, app.AlarmAcknowledged)
	waitFor(t, "the incident panel shows it", func() bool { return c.shell.current == "incidents" })
	p := incidentPanelOf(t, c)
	shown(t, p, "the incident", func(x *app.Incident) bool { return x.ID == in.ID })

	texts := panelText(p, p.content)
	assert.Contains(t, texts, "Check the cameras and send a guard to verify")
	assert.Contains(t, texts, "Alert  0/3")
	assert.Contains(t, texts, "Security patrol  13800138100", "whom to call")
	assert.Contains(t, texts, "Fire and rescue  119", "the fire brigade too, before the level is raised")
	assert.Contains(t, texts, "Grid 1", "the place")
	assert.Contains(t, texts, "Fire extinguisher — Building 3 stairwell 1 fire cabinet ×4 (18 m)", "what to take and where it is")

	// Tick a step.
	verify := rowFor(p, "verify")
	require.NotNil(t, verify)
	assert.True(t, rowFor(p, "first-attack").done.Disabled(), "a step waits for the one it depends on")
	tap(verify.done)
	shown(t, p, "verify is done", func(x *app.Incident) bool { return x.ProgressOf("verify").Status == app.StepDone })
	assert.Contains(t, panelText(p, p.checklist), "by 王强")
	assert.False(t, rowFor(p, "first-attack").done.Disabled(), "no longer waiting")

	// Skip a step: a reason is required.
	tap(rowFor(p, "notify").skip)
	dlg = topDialog(t, c)
	skip := findButton(dlg, "Skip")
	require.NotNil(t, skip)
	assert.True(t, skip.Disabled(), "no skipping without a reason")
	reason := findEntry(dlg)
	require.NotNil(t, reason)
	typeIn(reason, "物业已在现场")
	assert.False(t, skip.Disabled())
	tap(skip)
	shown(t, p, "notify is skipped", func(x *app.Incident) bool { return x.ProgressOf("notify").Reason == "物业已在现场" })

	// Raise the level: its steps appear.
	assert.Nil(t, rowFor(p, "call-119"))
	tap(panelButton(p, p.actions, "Raise level"))
	confirmDialog(t, c, "Change level")
	shown(t, p, "level III", func(x *app.Incident) bool { return x.Level == app.LevelIII })
	require.NotNil(t, rowFor(p, "call-119"), "its steps appear")
	assert.Contains(t, panelText(p, p.title), "Level III")

	// Log a call from the contacts.
	reached := panelButton(p, p.contacts, "Reached")
	require.NotNil(t, reached)
	tap(reached)
	shown(t, p, "the call is logged", func(x *app.Incident) bool { return len(x.Calls) == 1 })
	call := current(t, c, in.ID).Calls[0]
	assert.Equal(t, app.CallReached, call.Result)
	assert.Equal(t, "commander", call.By)
	assert.Contains(t, panelText(p, p.contacts), "Reached")

	// A note.
	typeIn(p.note, "消防车已到南门")
	tap(panelButton(p, p.content, "Add note"))
	shown(t, p, "the note", func(x *app.Incident) bool { return len(x.Notes) == 1 })
	assert.Contains(t, panelText(p, p.logBox), "消防车已到南门")

	// The timers: due soon stands out, then overdue counts up.
	r := rowFor(p, "call-119")
	now := time.Now()
	assert.Equal(t, app.UrgencySoon, r.urgency(now.Add(90*time.Second)))
	p.mu.Lock() // the panel's tick updates the timers under it
	r.update(now.Add(4 * time.Minute))
	timer, timerColor := r.timer.Text, r.timer.Color
	p.mu.Unlock()
	assert.Equal(t, app.UrgencyOverdue, r.urgency(now.Add(4*time.Minute)))
	assert.True(t, strings.HasPrefix(timer, "Overdue +00:5") || strings.HasPrefix(timer, "Overdue +01:0"), timer)
	assert.Equal(t, themeColor(colorP1), timerColor)

	// Close: a summary is required.
	tap(panelButton(p, p.actions, "Close incident…"))
	dlg = topDialog(t, c)
	closeBtn := findButton(dlg, "Close incident")
	require.NotNil(t, closeBtn)
	assert.True(t, closeBtn.Disabled())
	typeIn(findEntry(dlg), "厨房油锅起火，保安用灭火器扑灭，无人员伤亡")
	tap(closeBtn)
	shown(t, p, "closed", func(x *app.Incident) bool { return x.State == app.IncidentClosed })
	assert.True(t, panelButton(p, p.actions, "Raise level").Disabled(), "nothing changes a closed incident")
	assert.Contains(t, panelText(p, p.title), "Closed")

	// The report opens in the browser.
	tap(panelButton(p, p.actions, "Report"))
	waitFor(t, "the report is opened", func() bool { mu.Lock(); defer mu.Unlock(); return len(opened) == 1 })
	mu.Lock()
	u := opened[0]
	mu.Unlock()
	assert.Equal(t, "file", u.Scheme)
	b, err := os.ReadFile(u.Path)
	require.NoError(t, err)
	html := string(b)
	for _, want := range []string{"Incident report #1", "Check the cameras and send a guard to verify", "物业已在现场", "消防车已到南门",
		"Security patrol", "Reached", "厨房油锅起火", "Level IV → Level III", "Fire alarm"} {
		assert.Contains(t, html, want)
	}
	waitFor(t, "the panel links it", func() bool { return p.lastReport == u.Path })

	// Every action is journaled with the commander.
	hist, err := c.core.Incidents.History(context.Background(), in.ID)
	require.NoError(t, err)
	var kinds []app.EntryKind
	for _, e := range hist {
		kinds = append(kinds, e.Kind)
		assert.Equal(t, "commander", e.Operator)
	}
	assert.Equal(t, []app.EntryKind{app.KindIncidentOpened, app.KindIncidentStepDone, app.KindIncidentStepSkipped, app.KindIncidentLevelChanged,
		app.KindIncidentCallLogged, app.KindIncidentNoteAdded, app.KindIncidentClosed}, kinds)
}

func findEntry(o fyne.CanvasObject) *widget.Entry {
	var found *widget.Entry
	walk(o, func(x fyne.CanvasObject) {
		if e, ok := x.(*widget.Entry); ok && found == nil && !e.Disabled() {
			found = e
		}
	})
	return found
}

func TestADutyOperatorSeesIncidentsButDoesNotRunThem(t *testing.T) {
	c := newTestConsole(t, enConfig())
	a := raise(t, c, app.Alarm{Kind: app.AlarmFall, Priority: app.P1, Cause: "fall", DeviceID: "bracelet-b07-0502", GridID: "g2", Building: "b07"})
	commander, err := c.core.Accounts.Get(context.Background(), "commander")
	require.NoError(t, err)
	in, err := c.core.Incidents.Open(context.Background(), &commander, app.OpenRequest{PlanID: "elderly-medical", AlarmID: a.ID})
	require.NoError(t, err)

	desk := alarmPanelOf(t, c)
	link := pickAlarm(t, desk, "Incident #1") // the desk names the incident that handles the alarm
	tap(link)
	assert.Equal(t, "incidents", c.shell.current)

	p := incidentPanelOf(t, c)
	shown(t, p, "the incident", func(x *app.Incident) bool { return x.ID == in.ID })
	assert.False(t, p.newBtn.Disabled(), "a duty operator opens an incident from a plan (the guard alone at night)")
	assert.True(t, rowFor(p, "contact").done.Disabled(), "only commanders tick steps")
	assert.True(t, panelButton(p, p.actions, "Raise level").Disabled())
	texts := panelText(p, p.content)
	assert.Contains(t, texts, "女儿 王丽 (赵桂兰)  13912345611", "the resident's family is among the contacts")
	assert.Contains(t, texts, "Emergency medical centre  120")
	_, err = c.core.Incidents.Tick(context.Background(), c.Operator(), in.ID, "contact", "")
	assert.True(t, app.IsCode(err, app.CodeForbidden), "and the core refuses anyway")
}

func TestOpeningAnIncidentByHand(t *testing.T) {
	c := newTestConsole(t, enConfig())
	signInAs(t, c, "commander")
	p := incidentPanelOf(t, c)
	tap(p.newBtn)
	dlg := topDialog(t, c)
	sel := findSelect(dlg, "Fire in a residential building")
	require.NotNil(t, sel, "without an alarm, the first plan is offered")
	sel.SetSelected("Missing child")
	assert.NotNil(t, findSelect(dlg, "Level IV"))
	confirmDialog(t, c, "Open incident")
	waitFor(t, "it runs", func() bool { return len(c.core.Incidents.Running()) == 1 })
	in := c.core.Incidents.Running()[0]
	assert.Equal(t, "missing-child", in.PlanID)
	assert.Equal(t, "Missing child", in.Title)
	shown(t, p, "the incident", func(x *app.Incident) bool { return x.ID == in.ID })
	assert.Contains(t, panelText(p, p.place), "The place is not known")
}
