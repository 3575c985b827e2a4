package ui

import (
	"errors"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// Every write an operator triggers runs off the UI thread through Console.write (write.go):
// the window answers while the disk is slow, says that it saves, and a dialog whose write
// fails stays open with the reason and what was typed.

// tapAside taps b on a goroutine of its own and reports when the tap has returned: a tap
// that waits for the disk would hold the test goroutine until the test's deadline.
func tapAside(b *widget.Button) <-chan struct{} {
	done := make(chan struct{})
	go func() { defer close(done); tap(b) }()
	return done
}

func closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// A slow disk: the device broker's Save (a configuration file and a journal entry) returns
// at once; the window goes on answering; the section and, after a moment, the status bar
// say that it saves; once the disk answers, the section says it saved.
func TestASlowWriteLeavesTheWindowAnswering(t *testing.T) {
	c, env := newTestEnv(t, enConfig())
	signInAs(t, c, "admin")
	c.ShowPanel("settings")
	settings := c.shell.built["settings"].Object()
	save := findButton(settings, "Save") // the device broker's, the first
	require.NotNil(t, save)
	client := entryByHint(settings, app.DefaultClientID)
	require.NotNil(t, client)
	client.SetText("guard-room-2")

	env.Writes.Hold()
	t.Cleanup(env.Writes.Release) // nothing waits at the disk after the test, pass or fail
	tapped := tapAside(save)
	waitFor(t, "the tap returns while the disk has not answered", func() bool { return closed(tapped) })
	waitFor(t, "the write waits for the disk", func() bool { return env.Writes.Waiting() == 1 })
	assert.True(t, save.Disabled(), "no second save meanwhile")
	assert.Contains(t, visibleTexts(settings), "Saving…", "the section says that it saves")
	// (Fyne's test driver runs the UI's work on any goroutine: the tests wait on state, then
	// read the widgets.)
	waitFor(t, "the status bar says that it saves", func() bool { return c.shell.status.writing.Visible() })
	assert.Contains(t, visibleTexts(c.shell.status.content), "Saving…")

	// The window answers meanwhile: typing, switching panels.
	typeIn(client, "b")
	assert.Contains(t, client.Text, "b", "typed while the disk is slow")
	c.ShowPanel("alarms")
	assert.Equal(t, "alarms", c.shell.current)
	c.ShowPanel("settings")

	env.Writes.Release()
	waitWrites(t, c)
	assert.Contains(t, visibleTexts(settings), "Saved. The broker settings take effect at the next start.")
	assert.False(t, save.Disabled())
	assert.Equal(t, "guard-room-2", c.core.Settings.Get().Broker.ClientID, "what was saved is what was there when Save was pressed")
	assert.NotContains(t, visibleTexts(c.shell.status.content), "Saving…", "the status bar no longer says that it saves")
}

// A slow disk under a dialog: the acknowledgement's dialog stays open, saying that it saves,
// its button disabled, until the journal has the acknowledgement; then it closes.
func TestADialogStaysOpenWhileItsWriteWaits(t *testing.T) {
	c, env := newTestEnv(t, enConfig())
	a := raise(t, c, app.Alarm{Kind: app.AlarmFire, Priority: app.P1, Cause: "smoke", DeviceID: "smoke-b03-u2-12", GridID: "g1", Building: "b03"})
	desk := alarmPanelOf(t, c)
	desk.focusAlarm(a.ID)
	desk.acknowledge()
	dlg := topDialog(t, c)
	typeIn(entryByHint(dlg, "Note (optional)"), "保安已到场")

	env.Writes.Hold()
	t.Cleanup(env.Writes.Release)
	ack := findButton(dlg, "Acknowledge")
	require.NotNil(t, ack)
	tapped := tapAside(ack)
	waitFor(t, "the tap returns while the disk has not answered", func() bool { return closed(tapped) })
	waitFor(t, "the write waits for the disk", func() bool { return env.Writes.Waiting() == 1 })
	assert.Same(t, dlg, c.win.Canvas().Overlays().Top(), "the dialog stays open")
	assert.Contains(t, visibleTexts(dlg), "Saving…")
	assert.True(t, ack.Disabled())

	env.Writes.Release()
	waitWrites(t, c)
	assert.Nil(t, c.win.Canvas().Overlays().Top(), "the dialog closes once saved")
	got, err := c.core.Desk.Get(t.Context(), a.ID)
	require.NoError(t, err)
	assert.Equal(t, app.AlarmAcknowledged, got.State)
}

// failingDialog is a dialog whose write fails: opened, filled in, confirmed.
type failingDialog struct {
	name    string
	open    func(c *Console) fyne.CanvasObject // opens it and fills it in; returns it
	confirm string
	why     string                           // what it says
	typed   func(dlg fyne.CanvasObject) bool // what was typed is still there
}

// A dialog whose write fails (the core refuses what was typed, the disk fails) stays open
// with the reason in it and what was typed kept, so that the operator corrects it there.
func TestAFailingWriteKeepsTheDialogOpenWithTheReason(t *testing.T) {
	c, env := newTestEnv(t, enConfig())
	signInAs(t, c, "admin")
	has := func(text string) func(fyne.CanvasObject) bool {
		return func(dlg fyne.CanvasObject) bool { return fieldWithText(dlg, text) != nil }
	}
	cases := []failingDialog{
		{name: "contacts", confirm: "Save", why: "0571-abc is not a phone number", typed: has("0571-abc"),
			open: func(c *Console) fyne.CanvasObject {
				p := plansPanelOf(t, c)
				p.contacts.editContact(-1)
				dlg := topDialog(t, c)
				entries := entriesOf(dlg)
				require.GreaterOrEqual(t, len(entries), 5)
				entries[0].SetText("hospital-2") // ID
				entries[1].SetText("区中心医院")      // name
				entries[3].SetText("0571-abc")   // phone
				return dlg
			}},
		{name: "grid", confirm: "Save", why: "mauve is not a colour like #6f8fb0", typed: has("mauve"),
			open: func(c *Console) fyne.CanvasObject {
				c.ShowPanel("map")
				mp := c.shell.built["map"].(*mapPanel)
				mp.editGridDialog(c.core.Inventory.Site().Grids[0], false)
				dlg := topDialog(t, c)
				fieldWithText(dlg, c.core.Inventory.Site().Grids[0].Color).SetText("mauve")
				return dlg
			}},
		{name: "background picture", confirm: "Save", why: "Choose a picture for the background", typed: has("0.5"),
			open: func(c *Console) fyne.CanvasObject {
				c.ShowPanel("map")
				mp := c.shell.built["map"].(*mapPanel)
				mp.backgroundDialog()
				dlg := topDialog(t, c)
				entriesOf(dlg)[0].SetText("0.5") // a reference point, no picture chosen
				return dlg
			}},
		{name: "drill injection", confirm: "OK", why: "soon is not a time limit", typed: has("soon"),
			open: func(c *Console) fyne.CanvasObject {
				c.ShowPanel("drills")
				drills := c.shell.built["drills"].(*drillsPanel)
				ed := drills.edit(c.core.Drills.Scenarios()[0], false)
				ed.editInject(-1, app.DrillInject{})
				dlg := topDialog(t, c)
				entryByHint(dlg, "45s, 2m, 1m30s").SetText("soon")
				return dlg
			}},
		{name: "acknowledgement (the disk fails)", confirm: "Acknowledge", why: "disk full", typed: has("保安已到场"),
			open: func(c *Console) fyne.CanvasObject {
				a := raise(t, c, app.Alarm{Kind: app.AlarmFire, Priority: app.P1, Cause: "smoke", DeviceID: "smoke-b03-u2-12", GridID: "g1", Building: "b03"})
				env.Writes.Fail(errors.New("disk full"))
				desk := alarmPanelOf(t, c)
				desk.focusAlarm(a.ID)
				desk.acknowledge()
				dlg := topDialog(t, c)
				entryByHint(dlg, "Note (optional)").SetText("保安已到场")
				return dlg
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			defer env.Writes.Fail(nil)
			dlg := tc.open(c)
			b := findButton(dlg, tc.confirm)
			require.NotNil(t, b)
			tap(b)
			waitWrites(t, c)
			assert.Contains(t, textOf(dlg), tc.why, "the dialog says why")
			assert.Same(t, dlg, c.win.Canvas().Overlays().Top(), "the dialog stays open")
			assert.True(t, tc.typed(dlg), "what was typed is kept")
			assert.False(t, b.Disabled(), "to try again")
			for top := c.win.Canvas().Overlays().Top(); top != nil; top = c.win.Canvas().Overlays().Top() {
				c.win.Canvas().Overlays().Remove(top) // this dialog, and an editor under it
			}
		})
	}
}

// entriesOf lists the text fields under o (entries, and the entries of select entries), in
// order.
func entriesOf(o fyne.CanvasObject) []*widget.Entry {
	var out []*widget.Entry
	walk(o, func(x fyne.CanvasObject) {
		switch e := x.(type) {
		case *widget.Entry:
			out = append(out, e)
		case *widget.SelectEntry:
			out = append(out, &e.Entry)
		}
	})
	return out
}

// fieldWithText finds the text field that holds a text.
func fieldWithText(o fyne.CanvasObject, text string) *widget.Entry {
	for _, e := range entriesOf(o) {
		if e.Text == text {
			return e
		}
	}
	return nil
}
