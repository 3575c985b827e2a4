package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// focusedOf returns what has the keyboard, as the type the test expects next.
func focusedOf[T any](t *testing.T, c *Console) T {
	t.Helper()
	f, ok := c.win.Canvas().Focused().(T)
	require.True(t, ok, "the keyboard is on a %T", c.win.Canvas().Focused())
	return f
}

// A phoned-in report logged with the keyboard alone: F2, the kind by arrow key (its
// priority follows), Tab, the building by arrow key, its unit, the caller and number in one
// field, what was said, Shift+Enter. It becomes an alarm on the desk, journaled as the
// operator's.
func TestIntakeLogsAReportWithTheKeyboardAlone(t *testing.T) {
	c, env := newTestEnv(t, enConfig())
	p := alarmPanelOf(t, c)
	site := c.core.Inventory.Site()

	c.shell.typedKey(&fyne.KeyEvent{Name: fyne.KeyF2})
	top := c.win.Canvas().Overlays().Top()
	require.NotNil(t, top, "F2 opens the intake form")
	assert.Contains(t, visibleTexts(top), "Log a report")

	kind := focusedOf[*widget.Select](t, c)
	kind.TypedKey(&fyne.KeyEvent{Name: fyne.KeyRight}) // the first kind: fire
	assert.Equal(t, "Fire alarm", kind.Selected)
	test.FocusNext(c.win.Canvas())
	prio := focusedOf[*widget.Select](t, c)
	assert.Equal(t, "P1 · threat to life", prio.Selected, "a fire is P1 unless the operator says otherwise")
	test.FocusNext(c.win.Canvas())
	building := focusedOf[*widget.Select](t, c)
	building.TypedKey(&fyne.KeyEvent{Name: fyne.KeyRight}) // from "no building" to the site's first
	assert.Equal(t, site.Buildings[0].Display(english()), building.Selected)
	test.FocusNext(c.win.Canvas())
	typeIn(focusedOf[*widget.Entry](t, c), "2")
	test.FocusNext(c.win.Canvas())
	typeIn(focusedOf[*widget.Entry](t, c), "王先生 13800138000")
	test.FocusNext(c.win.Canvas())
	assert.Equal(t, "Alarm", focusedOf[*enterSelect](t, c).Selected, "logged as an alarm unless the operator says otherwise")
	test.FocusNext(c.win.Canvas()) // the order's category is skipped: no order is made
	said := focusedOf[*widget.Entry](t, c)
	typeIn(said, "2单元5楼冒烟")
	said.KeyDown(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
	said.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	said.KeyUp(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})

	require.Eventually(t, func() bool { return len(c.core.Desk.Open()) == 1 }, 15*time.Second, 10*time.Millisecond, "the report is an alarm")
	a := c.core.Desk.Open()[0]
	assert.Equal(t, app.AlarmFire, a.Kind)
	assert.Equal(t, app.P1, a.Priority)
	assert.True(t, a.Reported)
	assert.Equal(t, site.Buildings[0].ID, a.Building)
	assert.Equal(t, "2", a.Param(app.ParamUnit))
	assert.Equal(t, "王先生", a.Param(app.ParamCaller))
	assert.Equal(t, "13800138000", a.Param(app.ParamCallerPhone))
	assert.Equal(t, "2单元5楼冒烟", a.Param(app.ParamSaid))

	es, err := env.Store.Query(t.Context(), app.JournalQuery{Subject: a.Subject()})
	require.NoError(t, err)
	require.NotEmpty(t, es)
	assert.Equal(t, "duty", es[0].Operator, "journaled as the operator who took the call")

	require.Eventually(t, func() bool {
		return p.selected == a.ID && strings.Contains(strings.Join(visibleTexts(p.detail), "\n"), "Reported by 王先生, 13800138000")
	}, 15*time.Second, 10*time.Millisecond, "the desk shows it, with who called")
}

// What is missing is said in the form, which stays open with what was typed; nothing is
// raised.
func TestIntakeSaysWhatIsMissingAndKeepsWhatWasTyped(t *testing.T) {
	c := newTestConsole(t, enConfig())
	c.showIntake()
	top := c.win.Canvas().Overlays().Top()
	require.NotNil(t, top)
	caller := focusedEntryWithPlaceholder(t, top, "e.g. 王先生 13800138000")
	typeIn(caller, "李阿姨")
	tap(findButton(top, "Log report"))
	assert.Contains(t, strings.Join(visibleTexts(top), "\n"), "Choose what was reported")
	assert.Equal(t, "李阿姨", caller.Text)
	assert.Same(t, top, c.win.Canvas().Overlays().Top(), "the form stays open")
	assert.Empty(t, c.core.Desk.Open())
}

// A click on the map places the report there, in the building under it.
func TestIntakePlacesAReportByAClickOnTheMap(t *testing.T) {
	c := newTestConsole(t, enConfig())
	site := c.core.Inventory.Site()
	f := newIntakeForm(c)
	b := site.Buildings[3]
	at := b.Footprint.Centroid()
	f.pointTapped(at)
	f.keyTapped("building:" + b.ID)
	assert.Equal(t, b.ID, f.building.ID())
	f.kind.SetSelectedIndex(5)
	f.said.SetText("有人在吵架")
	r, err := f.report()
	require.NoError(t, err)
	a, err := r.Alarm(site)
	require.NoError(t, err)
	assert.Equal(t, at, *a.Position)
	assert.Equal(t, b.GridID, a.GridID)
	assert.Contains(t, f.where.Text, b.Display(english()))
}

func focusedEntryWithPlaceholder(t *testing.T, o fyne.CanvasObject, ph string) *widget.Entry {
	t.Helper()
	var found *widget.Entry
	walk(o, func(x fyne.CanvasObject) {
		if e, ok := x.(*widget.Entry); ok && e.PlaceHolder == ph {
			found = e
		}
	})
	require.NotNil(t, found, "an entry %q", ph)
	return found
}

// A phoned-in hazard that is a job for the grid, not an alarm, logged with the keyboard
// alone: the building, the caller, Tab to "Log as" and → to "Work order", Tab to the category
// and → to the first, Enter, what was said, Shift+Enter. It becomes a work order of that
// category from the intake, with the caller as its reporter; no alarm is raised.
func TestIntakeMakesAWorkOrderWithTheKeyboardAlone(t *testing.T) {
	c := newTestConsole(t, enConfig())
	site := c.core.Inventory.Site()

	c.shell.typedKey(&fyne.KeyEvent{Name: fyne.KeyF2})
	require.NotNil(t, c.win.Canvas().Overlays().Top(), "F2 opens the intake form")
	focusedOf[*widget.Select](t, c) // what: not needed for an order
	test.FocusNext(c.win.Canvas())
	focusedOf[*widget.Select](t, c) // priority: the category's
	test.FocusNext(c.win.Canvas())
	building := focusedOf[*widget.Select](t, c)
	building.TypedKey(&fyne.KeyEvent{Name: fyne.KeyRight})
	test.FocusNext(c.win.Canvas())
	typeIn(focusedOf[*widget.Entry](t, c), "1")
	test.FocusNext(c.win.Canvas())
	typeIn(focusedOf[*widget.Entry](t, c), "李阿姨 13912345678")
	test.FocusNext(c.win.Canvas())
	outcome := focusedOf[*enterSelect](t, c)
	assert.Equal(t, "Alarm", outcome.Selected, "an alarm unless the operator says otherwise")
	outcome.TypedKey(&fyne.KeyEvent{Name: fyne.KeyRight})
	assert.Equal(t, "Work order", outcome.Selected)
	test.FocusNext(c.win.Canvas())
	category := focusedOf[*enterSelect](t, c)
	category.TypedKey(&fyne.KeyEvent{Name: fyne.KeyRight})
	assert.Equal(t, "Fire hazard", category.Selected)
	serialUI(func() { category.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) }) // Enter: on to what was said
	said := focusedOf[*widget.Entry](t, c)
	typeIn(said, "楼道里堆了很多纸箱")
	said.KeyDown(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
	said.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	said.KeyUp(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})

	waitFor(t, "the report is a work order", func() bool { return len(c.core.Orders.List()) == 1 })
	o := c.core.Orders.List()[0]
	assert.Equal(t, app.CatFireHazard, o.Category)
	assert.Equal(t, app.P2, o.Priority, "the category's priority")
	assert.Equal(t, app.FromIntake, o.Reporter.Via)
	assert.Equal(t, "duty", o.Reporter.By)
	assert.Equal(t, "李阿姨", o.Reporter.Name)
	assert.Equal(t, "13912345678", o.Reporter.Phone)
	assert.Equal(t, site.Buildings[0].ID, o.Place.Building)
	assert.Equal(t, 1, o.Place.Unit)
	assert.Equal(t, "楼道里堆了很多纸箱", o.Text)
	assert.Empty(t, c.core.Desk.Open(), "no alarm")
	waitFor(t, "the board shows it", func() bool { return uiGet(func() string { return c.shell.current }) == "orders" })
	board := c.shell.built["orders"].(*ordersPanel)
	assert.Equal(t, o.ID, uiGet(func() int64 { return board.selected }))
}

// "Alarm and work order" raises the alarm on the desk and makes the order, which names it.
func TestIntakeMakesAnAlarmAndAWorkOrder(t *testing.T) {
	c := newTestConsole(t, enConfig())
	f := newIntakeForm(c)
	f.kind.SetSelectedIndex(0) // fire
	f.building.Select.SetSelectedIndex(3)
	f.said.SetText("3号楼楼道电动车起火，已扑灭")
	f.outcome.SetSelected("Alarm and work order")
	f.category.SetSelected("E-bike charging indoors")
	w, err := f.submit()
	require.NoError(t, err)
	serialUI(func() { c.write(w) })
	waitWrites(t, c)
	require.Len(t, c.core.Desk.Open(), 1)
	a := c.core.Desk.Open()[0]
	assert.Equal(t, app.P1, a.Priority, "the alarm's priority follows its kind")
	require.Len(t, c.core.Orders.List(), 1)
	o := c.core.Orders.List()[0]
	assert.Equal(t, app.CatEBike, o.Category)
	assert.Equal(t, app.P2, o.Priority, "the order's, its category's")
	assert.Equal(t, []int64{a.ID}, o.Alarms, "the order names the alarm")
	assert.Equal(t, []app.WorkOrder{o}, c.core.Orders.ForAlarm(a.ID))
}

// An order without its category is refused in the form before anything is written: the
// alarm logged with it is not raised either.
func TestIntakeAsksForTheOrdersCategoryBeforeRaisingTheAlarm(t *testing.T) {
	c := newTestConsole(t, enConfig())
	f := newIntakeForm(c)
	f.kind.SetSelectedIndex(0)
	f.building.Select.SetSelectedIndex(3)
	f.said.SetText("冒烟")
	f.outcome.SetSelected("Alarm and work order")
	_, err := f.submit()
	require.Error(t, err)
	assert.Contains(t, ErrText(err), "Choose the order's category")
	assert.Empty(t, c.core.Desk.Open())
	assert.True(t, uiGet(func() bool { return !f.category.Disabled() }), "the category is asked for")
	f.outcome.SetSelected("Alarm")
	assert.True(t, f.category.Disabled(), "no order: no category")
}
