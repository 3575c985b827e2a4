package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// entryByHint finds the entry showing placeholder under o.
func entryByHint(o fyne.CanvasObject, placeholder string) *widget.Entry {
	var found *widget.Entry
	walk(o, func(x fyne.CanvasObject) {
		if e, ok := x.(*widget.Entry); ok && e.PlaceHolder == placeholder && found == nil {
			found = e
		}
	})
	return found
}

// textStartingWith returns the first text under o that starts with prefix.
func textStartingWith(o fyne.CanvasObject, prefix string) string {
	for _, s := range visibleTexts(o) {
		if strings.HasPrefix(s, prefix) {
			return s
		}
	}
	return ""
}

func handovers(t *testing.T, c *Console) []app.Handover {
	t.Helper()
	hs, err := c.core.Shifts.Recent(context.Background(), 10)
	require.NoError(t, err)
	return hs
}

// openHandover taps the header's "Hand over shift" and returns the dialog.
func openHandover(t *testing.T, c *Console) fyne.CanvasObject {
	t.Helper()
	b := findButton(c.shell.header.content, "Hand over shift")
	require.NotNil(t, b, "the header offers the handover next to Sign out")
	tap(b)
	top := c.win.Canvas().Overlays().Top()
	require.NotNil(t, top, "the handover dialog opens")
	require.NotNil(t, findButton(top, "Hand over"))
	return top
}

func TestHandoverDialogSignsTheIncomingOperatorInAndKeepsTheDutyLog(t *testing.T) {
	c := newTestConsole(t, enConfig())
	require.Equal(t, "duty", c.Operator().Username)
	fire := raise(t, c, app.Alarm{Kind: app.AlarmFire, Priority: app.P1, Cause: "fire", DeviceID: "smoke-b03-u2-12", GridID: "g1", Building: "b03"})

	d := openHandover(t, c)
	assert.Contains(t, textStartingWith(d, "Open alarms: "), "P1 1", "what is open is listed before signing")
	assert.NotEmpty(t, textStartingWith(d, "#"+fmt.Sprint(fire.ID)+" Fire alarm"), "the alarm by number, title and place: %v", visibleTexts(d))
	assert.Contains(t, visibleTexts(d), "李明 (duty)", "who hands over")
	require.Eventually(t, func() bool {
		return textStartingWith(c.win.Canvas().Overlays().Top(), "No handovers yet.") != ""
	}, 15*time.Second, 10*time.Millisecond, "the duty log is read and is empty")

	outPW, inUser := entryByHint(d, "Your password"), entryByHint(d, "User name")
	inPW := entryByHint(d, "Their password")
	note := entryByHint(d, "What happened on the shift, what is still open, what the next shift must watch")
	require.NotNil(t, outPW)
	require.NotNil(t, inUser)
	require.NotNil(t, inPW)
	require.NotNil(t, note)

	// A wrong password: a clear message, nothing journaled, the note kept.
	typeIn(outPW, "not-my-password")
	typeIn(inUser, "duty2")
	typeIn(inPW, "sunshine-demo")
	typeIn(note, "3号楼12层烟感报警，已派保安核查。")
	tap(findButton(d, "Hand over"))
	// The refusal is shown, then the wrong password cleared (the last thing the console does).
	require.Eventually(t, func() bool { return contains(visibleTexts(d), "Your password is wrong") && outPW.Text == "" },
		15*time.Second, 10*time.Millisecond, "the refusal is shown and the wrong password cleared")
	assert.Equal(t, "duty", c.Operator().Username, "still the outgoing operator")
	assert.Empty(t, handovers(t, c), "nothing journaled")
	assert.Equal(t, "3号楼12层烟感报警，已派保安核查。", note.Text, "the note is kept")
	assert.Same(t, d, c.win.Canvas().Overlays().Top(), "the dialog stays open")

	typeIn(outPW, "sunshine-demo")
	tap(findButton(d, "Hand over"))
	require.Eventually(t, func() bool { return c.Operator() != nil && c.Operator().Username == "duty2" }, 15*time.Second, 10*time.Millisecond,
		"the incoming operator is signed in")
	require.Eventually(t, func() bool { return contains(visibleTexts(c.win.Content()), "刘洋") }, 15*time.Second, 10*time.Millisecond,
		"the header shows who is on duty now")
	assert.Nil(t, c.win.Canvas().Overlays().Top(), "the dialog closed")
	hs := handovers(t, c)
	require.Len(t, hs, 1)
	h := hs[0]
	assert.Equal(t, "duty", h.Outgoing)
	assert.Equal(t, "duty2", h.Incoming)
	assert.Equal(t, "3号楼12层烟感报警，已派保安核查。", h.Note)
	assert.Contains(t, h.Open.AlarmIDs(), fire.ID)

	// The next shift reads the duty log in the same dialog.
	d = openHandover(t, c)
	require.Eventually(t, func() bool {
		return contains(visibleTexts(c.win.Canvas().Overlays().Top()), "李明 (duty) → 刘洋 (duty2)")
	}, 15*time.Second, 10*time.Millisecond, "the duty log lists the handover")
	texts := visibleTexts(d)
	assert.Contains(t, texts, "3号楼12层烟感报警，已派保安核查。", "with its note")
	assert.NotEmpty(t, textStartingWith(d, "Open alarms: "), "and what was open")
	assert.Contains(t, strings.Join(texts, "\n"), "#"+fmt.Sprint(fire.ID))
}

func TestSignOutWhileAlarmsAreOpenAsksAndOffersTheHandover(t *testing.T) {
	c := newTestConsole(t, enConfig())
	duty := c.Operator()
	sub := c.core.Bus.Subscribe(64, func(e *app.Entry) bool { return e.Kind == app.KindSignedOut })
	defer sub.Close()
	signOut := func() {
		t.Helper()
		b := findButton(c.shell.header.content, "Sign out")
		require.NotNil(t, b)
		tap(b)
	}
	alarms, incidents := c.openBeforeSignOut()
	require.Empty(t, alarms)
	require.Zero(t, incidents)

	// A maintenance notice alone does not ask.
	raise(t, c, app.Alarm{Kind: "device_offline", Priority: app.P4, Fault: true, Cause: "offline", DeviceID: "smoke-b03-u2-12"})
	signOut()
	waitWrites(t, c)
	assert.Nil(t, c.Operator(), "signed out at once")
	assert.Nil(t, c.win.Canvas().Overlays().Top())

	c.signedIn(duty)
	raise(t, c, app.Alarm{Kind: app.AlarmFire, Priority: app.P1, Cause: "fire", DeviceID: "smoke-b03-u2-12", GridID: "g1", Building: "b03"})
	signOut()
	top := c.win.Canvas().Overlays().Top()
	require.NotNil(t, top, "it asks")
	assert.NotNil(t, c.Operator(), "still signed in while it asks")
	assert.Contains(t, visibleTexts(top), "Open alarms: 1  P1 1")
	tap(findButton(top, "Cancel"))
	assert.Nil(t, c.win.Canvas().Overlays().Top())
	assert.NotNil(t, c.Operator(), "Cancel keeps the operator signed in")

	signOut()
	confirmDialog(t, c, "Hand over shift…")
	top = c.win.Canvas().Overlays().Top()
	require.NotNil(t, top)
	assert.NotNil(t, findButton(top, "Hand over"), "the handover dialog opened")
	assert.NotNil(t, entryByHint(top, "Their password"))
	tap(findButton(top, "Cancel"))

	signOut()
	confirmDialog(t, c, "Sign out anyway")
	waitWrites(t, c)
	assert.Nil(t, c.Operator(), "signed out")
	assert.NotNil(t, findSignIn(c))
	assert.Len(t, sub.C(), 2, "each sign-out journaled")

	// A trainer does not keep the guard room: no handover offered, sign out still possible.
	trainer, err := c.core.Accounts.SignIn(context.Background(), "trainer", "sunshine-demo")
	require.NoError(t, err)
	c.signedIn(trainer)
	assert.Nil(t, findButton(c.shell.header.content, "Hand over shift"))
	signOut()
	top = c.win.Canvas().Overlays().Top()
	require.NotNil(t, top)
	assert.Nil(t, findButton(top, "Hand over shift…"))
	confirmDialog(t, c, "Sign out anyway")
	waitWrites(t, c)
	assert.Nil(t, c.Operator())
}

func TestOpenViewNamesIncidentsAndOverdueStepsAndCountsTheRest(t *testing.T) {
	c := newTestConsole(t, enConfig())
	due := time.Date(2026, 12, 7, 8, 12, 0, 0, time.Local)
	o := app.OpenAtHandover{
		Counts:    app.AlarmCounts{app.P1: 1, app.P4: 7},
		Incidents: []app.HandoverIncident{{ID: 3, Title: "住宅楼火灾应急预案", Level: app.LevelIV}, {ID: 4, Title: "Flood drill", Level: app.LevelIII, Drill: true}},
	}
	for i := 0; i < 8; i++ {
		p := app.P4
		if i == 0 {
			p = app.P1
		}
		o.Alarms = append(o.Alarms, app.Alarm{ID: int64(100 + i), Kind: app.AlarmFire, Priority: p, Cause: "smoke", DeviceID: "smoke-b03-u2-12"})
	}
	for i := 0; i < 7; i++ {
		o.Overdue = append(o.Overdue, app.OverdueStep{Incident: 3, Step: fmt.Sprint("s", i), Title: "疏散", TitleEn: "Evacuate the floors", Due: due})
	}
	texts := visibleTexts(openView(c, o))
	assert.Contains(t, texts, "Open alarms: 8  P1 1 · P4 7")
	assert.Contains(t, texts, "and 2 more", "six alarms by name, the rest counted")
	assert.Contains(t, texts, "Running incidents: 2")
	assert.Contains(t, texts, "#3 住宅楼火灾应急预案 · Level IV")
	assert.Contains(t, texts, "#4 Flood drill · Level III · DRILL")
	assert.Contains(t, texts, "Overdue checklist steps: 7")
	assert.Contains(t, texts, "#3 · Evacuate the floors · due 08:12", "in the operator's language")
	assert.Contains(t, texts, "and 1 more")

	assert.Equal(t, "Open alarms: 8 (P1 1 · P4 7): #100 #101 #102 #103 #104 #105 #106 #107; Running incidents: 2: #3 #4; Overdue checklist steps: 7", openSummary(o))
	assert.Contains(t, visibleTexts(openView(c, app.OpenAtHandover{})), "Nothing is open: no alarms, no incidents.")
}
