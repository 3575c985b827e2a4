package ui

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// An urgent alarm must reach the operator whatever is on screen: the pop-up with its
// queue, the header's blinking counters, the banner when it cannot be heard, the chime and
// the window's urgency hint, the sign-in screen.

const wait = 15 * time.Second

func popupOf(c *Console) *alarmPopup { return c.shell.popup }

// popupTexts are the texts on the pop-up's card ("" list when it is hidden).
func popupTexts(c *Console) string { return strings.Join(visibleTexts(c.shell.popup.layer), "\n") }

func TestPopupShowsANewP1OverTheWallAndAcknowledges(t *testing.T) {
	c := newTestConsole(t, enConfig())
	require.Equal(t, "wall", c.shell.current)
	site := c.core.Inventory.Site()
	// No camera's field of view covers this flat: the pop-up shows the nearest cameras.
	fire := app.Alarm{Kind: app.AlarmFire, Priority: app.P1, Cause: "smoke", DeviceID: "smoke-b03-u2-12", GridID: "g1", Building: "b03"}
	require.Empty(t, site.CamerasSeeing(&fire))
	nearest := site.NearestCameras(&fire, 2)
	require.Len(t, nearest, 2)

	a := raise(t, c, fire)
	p := popupOf(c)
	require.Eventually(t, func() bool { return p.cur == a.ID && strings.Contains(popupTexts(c), "cameras") }, wait, 10*time.Millisecond, "the pop-up shows the alarm on the wall")
	texts := popupTexts(c)
	assert.Contains(t, texts, alarmTitle(&a))
	assert.Contains(t, texts, alarmPlace(&a, site), "its place")
	g, _ := site.Grid("g1")
	assert.Contains(t, texts, g.Worker.Phone, "whom to call")
	assert.Contains(t, texts, "No camera sees this place: the nearest cameras")
	require.Len(t, p.previews, 2, "its cameras, live")
	for _, id := range nearest {
		cam, _ := site.Camera(id)
		assert.Contains(t, texts, cam.Display(true))
	}
	assert.Nil(t, c.win.Canvas().Overlays().Top(), "not a dialog: the wall keeps its keys")

	require.Eventually(t, func() bool { return !p.ack.Disabled() }, wait, 10*time.Millisecond)
	tap(p.ack)
	waitState(t, c, a.ID, app.AlarmAcknowledged)
	hist, err := c.core.Desk.History(context.Background(), a.ID)
	require.NoError(t, err)
	require.Len(t, hist, 2)
	assert.Equal(t, app.KindAlarmAcknowledged, hist[1].Kind)
	assert.Equal(t, "duty", hist[1].Operator, "journaled with who")
	require.Eventually(t, func() bool { return !p.holding() && len(p.layer.Objects) == 0 }, wait, 10*time.Millisecond, "the pop-up goes")
	assert.Empty(t, p.previews, "and its cameras stop")
}

func TestPopupShowsThePeopleOfABracelet(t *testing.T) {
	c := newTestConsole(t, enConfig())
	a := raise(t, c, app.Alarm{Kind: app.AlarmFall, Priority: app.P1, Cause: "fall", DeviceID: "bracelet-b07-0502", GridID: "g2", Building: "b07"})
	require.Eventually(t, func() bool { return popupOf(c).cur == a.ID && strings.Contains(popupTexts(c), "赵桂兰") }, wait, 10*time.Millisecond)
	texts := popupTexts(c)
	assert.Contains(t, texts, "赵桂兰, 84", "the resident")
	assert.Contains(t, texts, "女儿 王丽  13912345611", "and her family")
}

func TestABurstGivesOnePopupWithAQueue(t *testing.T) {
	c := newTestConsole(t, enConfig())
	p := popupOf(c)
	devices := []string{"smoke-b01-u1-3", "smoke-b01-u3-6", "smoke-b02-u2-4", "smoke-b03-u1-8", "smoke-b03-u2-12", "smoke-b04-u1-16"}
	var ids []int64
	for _, d := range devices {
		ids = append(ids, raise(t, c, app.Alarm{Kind: app.AlarmFire, Priority: app.P1, Cause: "smoke", DeviceID: d, GridID: "g1"}).ID)
	}
	// The queue is counted first, the card shown and numbered last: wait for the card.
	require.Eventually(t, func() bool {
		ok := false
		fyne.DoAndWait(func() {
			ok = len(p.queue) == 6 && len(p.layer.Objects) > 0 && p.position.Text == "1 of 6" && p.cur != 0
		})
		return ok
	}, wait, 10*time.Millisecond, "six alarms queue")
	assert.Len(t, p.layer.Objects, 1, "one pop-up")
	assert.Nil(t, c.win.Canvas().Overlays().Top(), "no pile of windows")
	first := p.cur
	assert.Equal(t, ids[0], first, "the one that waited longest first")
	assert.Equal(t, "1 of 6", p.position.Text)

	tap(p.next)
	assert.Equal(t, "2 of 6", p.position.Text)
	assert.Equal(t, ids[1], p.cur)
	tap(p.prev)
	assert.Equal(t, first, p.cur)

	// Acknowledging moves on to the next; a seventh alarm joins the queue without taking
	// the place of the one shown.
	require.Eventually(t, func() bool { return !p.ack.Disabled() }, wait, 10*time.Millisecond)
	tap(p.ack)
	waitState(t, c, first, app.AlarmAcknowledged)
	require.Eventually(t, func() bool { return p.cur == ids[1] && len(p.queue) == 5 }, wait, 10*time.Millisecond)
	raise(t, c, app.Alarm{Kind: app.AlarmMedical, Priority: app.P1, Cause: "sos", DeviceID: "sos-gate-s", GridID: "g2"})
	require.Eventually(t, func() bool { return len(p.queue) == 6 && strings.HasSuffix(p.position.Text, " of 6") }, wait, 10*time.Millisecond)
	assert.Equal(t, ids[1], p.cur, "the alarm shown stays under the operator's pointer")
	assert.Len(t, p.layer.Objects, 1)
}

func TestPopupNeverTakesTheKeyboardFromADialog(t *testing.T) {
	c := newTestConsole(t, enConfig())
	note := widget.NewEntry()
	d := dialog.NewForm("Note", "OK", "Cancel", []*widget.FormItem{widget.NewFormItem("Note", note)}, func(bool) {}, c.win)
	d.Show()
	c.win.Canvas().Focus(note)
	typeFocused(t, c.win.Canvas(), "Gate ")
	require.Equal(t, "Gate ", note.Text)

	for _, dev := range []string{"smoke-b01-u1-3", "smoke-b01-u3-6", "sos-gate-s"} {
		raise(t, c, app.Alarm{Kind: app.AlarmFire, Priority: app.P1, Cause: "x", DeviceID: dev, GridID: "g1"})
	}
	require.Eventually(t, func() bool { return len(popupOf(c).queue) == 3 }, wait, 10*time.Millisecond)
	assert.Equal(t, note, c.win.Canvas().Focused(), "the entry keeps the focus")
	typeFocused(t, c.win.Canvas(), "south")
	assert.Equal(t, "Gate south", note.Text, "and what is typed")
}

func TestPopupStepsAsideOnTheDeskAndForAcknowledgedAlarms(t *testing.T) {
	c := newTestConsole(t, enConfig())
	p := popupOf(c)
	a := raise(t, c, app.Alarm{Kind: app.AlarmFire, Priority: app.P1, Cause: "x", DeviceID: "smoke-b01-u1-3", GridID: "g1"})
	require.Eventually(t, func() bool { return p.holding() }, wait, 10*time.Millisecond)
	c.shell.show("alarms")
	assert.False(t, p.holding(), "the desk shows it in full")
	c.shell.show("inventory")
	assert.False(t, p.holding(), "seen on the desk: it does not come back")
	raise(t, c, app.Alarm{Kind: app.AlarmMedical, Priority: app.P1, Cause: "x", DeviceID: "sos-gate-s", GridID: "g2"})
	require.Eventually(t, func() bool { return p.holding() && len(p.queue) == 2 }, wait, 10*time.Millisecond, "a new alarm brings it back, with the other queued")

	// P3 alarms and alarms already acknowledged are not the pop-up's.
	_, err := c.core.Desk.Acknowledge(context.Background(), c.Operator(), a.ID, "")
	require.NoError(t, err)
	raise(t, c, app.Alarm{Kind: app.AlarmStreetlight, Priority: app.P3, Cause: "x", DeviceID: "light-04", GridID: "g2", Fault: true})
	require.Eventually(t, func() bool { return len(p.queue) == 1 }, wait, 10*time.Millisecond)
}

func TestPopupHidesAcknowledgeForARoleThatCannot(t *testing.T) {
	c := newTestConsole(t, enConfig())
	trainer, err := c.core.Accounts.SignIn(context.Background(), "trainer", "sunshine-demo")
	require.NoError(t, err)
	c.signedIn(trainer)
	raise(t, c, app.Alarm{Kind: app.AlarmFire, Priority: app.P1, Cause: "x", DeviceID: "smoke-b01-u1-3", GridID: "g1"})
	p := popupOf(c)
	require.Eventually(t, func() bool { return p.holding() }, wait, 10*time.Millisecond)
	assert.False(t, p.ack.Visible(), "a trainer does not acknowledge")
}

func TestHeaderBadgeBlinksUntilAcknowledgedAndOpensTheDesk(t *testing.T) {
	c := newTestConsole(t, enConfig())
	h := c.shell.header.counters
	raise(t, c, app.Alarm{Kind: app.AlarmStreetlight, Priority: app.P3, Cause: "x", DeviceID: "light-04", GridID: "g2", Fault: true})
	a := raise(t, c, app.Alarm{Kind: app.AlarmFire, Priority: app.P1, Cause: "x", DeviceID: "smoke-b01-u1-3", GridID: "g1"})
	require.Eventually(t, func() bool { return h.blinking(app.P1) }, wait, 10*time.Millisecond)
	assert.False(t, h.blinking(app.P3), "a P3 does not blink")
	colours := map[string]bool{}
	for i := 0; i < 2; i++ {
		c.blink()
		colours[fmt.Sprint(h.badges[app.P1].b.bg.FillColor)] = true
	}
	assert.Len(t, colours, 2, "the P1 badge blinks")
	assert.Equal(t, "P1  1", h.badges[app.P1].b.text.Text)

	_, err := c.core.Desk.Acknowledge(context.Background(), c.Operator(), a.ID, "")
	require.NoError(t, err)
	require.Eventually(t, func() bool { return !h.blinking(app.P1) }, wait, 10*time.Millisecond)
	for i := 0; i < 2; i++ {
		c.blink()
		assert.Equal(t, priorityColor(app.P1), h.badges[app.P1].b.bg.FillColor, "steady once acknowledged")
	}

	tap(h.badges[app.P1])
	require.Equal(t, "alarms", c.shell.current, "the badge opens the alarm desk")
	desk := c.shell.built["alarms"].(*alarmPanel)
	assert.Equal(t, "P1", desk.prio.Selected)
	require.Len(t, desk.shown, 1, "filtered to P1")
	assert.Equal(t, a.ID, desk.shown[0].ID)
	assert.Equal(t, a.ID, desk.selected)
}

func TestDrillAlarmsAreCountedApart(t *testing.T) {
	c := newTestConsole(t, enConfig())
	h := c.shell.header.counters
	assert.False(t, h.drill.Visible(), "no drill count without drill alarms")
	raise(t, c, app.Alarm{Kind: app.AlarmFire, Priority: app.P1, Cause: "x", DeviceID: "smoke-b01-u1-3", GridID: "g1", Drill: true})
	require.Eventually(t, func() bool { return h.drill.Visible() }, wait, 10*time.Millisecond)
	assert.Equal(t, "Drill 1", h.drill.b.text.Text)
	assert.Equal(t, "P1  0", h.badges[app.P1].b.text.Text, "not a real P1")
	assert.False(t, h.blinking(app.P1), "a drill never blinks the real badges")
	require.Eventually(t, func() bool { return popupOf(c).holding() }, wait, 10*time.Millisecond)
	assert.Contains(t, popupTexts(c), "DRILL", "the pop-up marks it")
}

func TestAShortcutNeverOpensADialogTheRoleCannotUse(t *testing.T) {
	c := newTestConsole(t, enConfig())
	trainer, err := c.core.Accounts.SignIn(context.Background(), "trainer", "sunshine-demo")
	require.NoError(t, err)
	c.signedIn(trainer)
	p := alarmPanelOf(t, c)
	raise(t, c, app.Alarm{Kind: app.AlarmFire, Priority: app.P1, Cause: "x", DeviceID: "smoke-b03-u2-12", GridID: "g1"})
	require.Eventually(t, func() bool { return len(p.shown) == 1 }, wait, 10*time.Millisecond)
	p.list.Select(0)
	for _, k := range []fyne.KeyName{fyne.KeyA, fyne.KeyD, fyne.KeyR} {
		p.TypedKey(&fyne.KeyEvent{Name: k})
		assert.Nil(t, c.win.Canvas().Overlays().Top(), "key %s opens nothing for a trainer", k)
	}
}

// typeFocused types as the desktop driver does: into whatever has the canvas's focus.
func typeFocused(t *testing.T, cv fyne.Canvas, s string) {
	t.Helper()
	f := cv.Focused()
	require.NotNil(t, f, "something has the focus")
	for _, r := range s {
		f.TypedRune(r)
	}
}

// attentionLog records the window's urgency hint.
type attentionLog struct {
	mu   sync.Mutex
	last *bool
}

func (l *attentionLog) set(on bool) { l.mu.Lock(); l.last = &on; l.mu.Unlock() }
func (l *attentionLog) is(on bool) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.last != nil && *l.last == on
}

func TestSignInScreenShowsOpenAlarmsChimesAndAsksForAttention(t *testing.T) {
	off := false
	c := newTestConsole(t, app.Config{Language: "en", DemoAutoSignIn: &off})
	s := findSignIn(c)
	require.NotNil(t, s)
	log := &attentionLog{}
	c.attend = log.set
	before := c.sound.Asked()
	a := raise(t, c, app.Alarm{Kind: app.AlarmFire, Priority: app.P1, Cause: "x", DeviceID: "smoke-b01-u1-3", GridID: "g1"})
	require.Eventually(t, func() bool { return s.counters.badges[app.P1].b.text.Text == "P1  1" }, wait, 10*time.Millisecond, "the open alarms show before anyone signs in")
	assert.Contains(t, visibleTexts(c.win.Content()), "P1  1")
	assert.True(t, s.counters.blinking(app.P1))
	assert.Greater(t, c.sound.Asked(), before, "the chime sounds with nobody signed in")
	assert.True(t, log.is(true), "the window asks for attention")

	duty, err := c.core.Accounts.SignIn(context.Background(), "duty", "sunshine-demo")
	require.NoError(t, err)
	_, err = c.core.Desk.Acknowledge(context.Background(), duty, a.ID, "")
	require.NoError(t, err)
	require.Eventually(t, func() bool { return log.is(false) }, wait, 10*time.Millisecond, "and stops once it is acknowledged")
	assert.Equal(t, "P1  1", s.counters.badges[app.P1].b.text.Text, "still open")
	assert.False(t, s.counters.blinking(app.P1))
}

func TestNoSoundBannerNamesTheAlarmsUntilAcknowledged(t *testing.T) {
	c := newTestConsole(t, enConfig())
	b := c.shell.silent
	if ok, _ := c.sound.Available(); ok {
		c.sound.Mute(time.Hour) // a machine with a sound card: muted is the same case
	} else {
		assert.Contains(t, visibleTexts(c.shell.status.content), "No sound card: alarms are shown, not heard", "the status bar says so")
	}
	assert.False(t, b.content.Visible())
	a := raise(t, c, app.Alarm{Kind: app.AlarmFire, Priority: app.P1, Cause: "x", DeviceID: "smoke-b01-u1-3", GridID: "g1"})
	require.Eventually(t, func() bool { return b.content.Visible() }, wait, 10*time.Millisecond)
	site := c.core.Inventory.Site()
	assert.Contains(t, b.line.full, "P1 "+alarmTitle(&a)+" · "+alarmPlace(&a, site), "the banner names the alarm")
	c.shell.show("inventory")
	assert.True(t, b.content.Visible(), "on every panel")

	_, err := c.core.Desk.Acknowledge(context.Background(), c.Operator(), a.ID, "")
	require.NoError(t, err)
	require.Eventually(t, func() bool { return !b.content.Visible() }, wait, 10*time.Millisecond, "until it is acknowledged")
}

func TestWallTurnsToTheAlarmsCamerasWhenTheOperatorAskedForIt(t *testing.T) {
	c := newTestConsole(t, enConfig())
	w := c.shell.built["wall"].(*wallPanel)
	w.locked(func() { w.setLayout(app.Layout1) }) // one camera a page
	site := c.core.Inventory.Site()
	sos := app.Alarm{Kind: app.AlarmMedical, Priority: app.P1, Cause: "x", DeviceID: "sos-gate-n", GridID: "g4"}
	want := site.NearestCameras(&sos, 1)[0]
	require.NotEqual(t, want, w.tiles[0].cam.ID)

	// Not asked for: the wall stays.
	raise(t, c, app.Alarm{Kind: app.AlarmFire, Priority: app.P1, Cause: "x", DeviceID: "smoke-b01-u1-3", GridID: "g1"})
	require.Eventually(t, func() bool { return popupOf(c).holding() }, wait, 10*time.Millisecond)
	assert.Equal(t, 0, w.page)

	c.shell.show("settings")
	check := findCheck(c.win.Content(), "Turn the camera wall to the cameras of each new P1/P2 alarm")
	require.NotNil(t, check)
	tap(check)
	waitFor(t, "saved for this operator", func() bool { return c.core.Settings.Get().PrefsOf("duty").WallFollowsAlarms })
	raise(t, c, sos)
	require.Eventually(t, func() bool {
		var cam string
		w.locked(func() {
			if t := w.tiles[0].cam; t != nil {
				cam = t.ID
			}
		})
		return cam == want
	}, wait, 10*time.Millisecond, "the wall turns to the page of the alarm's camera")
}
