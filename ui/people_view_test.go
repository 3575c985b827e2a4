package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// personViews are the journal's person.viewed entries: who saw whose record, and why.
func personViews(t *testing.T, c *Console) []app.Entry {
	t.Helper()
	es, err := c.core.Recorder.Journal.Query(context.Background(), app.JournalQuery{Kinds: []app.EntryKind{app.KindPersonViewed}})
	require.NoError(t, err)
	return es
}

func TestDutyOperatorSeesThePhoneOfAnOpenAlarmInFull(t *testing.T) {
	c := newTestConsole(t, enConfig())
	a := raise(t, c, app.Alarm{Kind: app.AlarmFall, Priority: app.P1, Cause: "fall", DeviceID: "bracelet-b07-0502", GridID: "g2", Building: "b07"})
	require.Eventually(t, func() bool { return popupOf(c).cur == a.ID && strings.Contains(popupTexts(c), "13912345601") }, wait, 10*time.Millisecond,
		"the resident's own phone in full, without being asked why")
	require.Eventually(t, func() bool { return len(personViews(t, c)) == 1 }, wait, 10*time.Millisecond, "the view is journaled")
	e := personViews(t, c)[0]
	var got app.PersonAccess
	require.NoError(t, e.Decode(&got))
	assert.Equal(t, app.PersonAccess{Person: "bracelet-b07-0502", Alarm: a.ID}, got, "the alarm is the reason")
	assert.Equal(t, "duty", e.Operator)
}

func TestAttackDutyOperatorReadsResidentsFromTheDevicePanel(t *testing.T) {
	c := newTestConsole(t, enConfig())
	p := inventoryOf(t, c)
	p.deviceDetail("bracelet-b07-0502")
	texts := strings.Join(visibleTexts(p.detail), "\n")
	assert.Contains(t, texts, "139****5601", "masked")
	for _, s := range []string{"13912345601", "13912345611", "赵桂兰", "高血压"} {
		assert.NotContains(t, texts, s)
	}
	assert.Nil(t, findButton(p.detail, "Full record…"), "the duty operator may not open full records")
}

func TestCommanderOpensAFullRecordWithAReason(t *testing.T) {
	c := newTestConsole(t, enConfig())
	signInAs(t, c, "commander")
	p := inventoryOf(t, c)
	p.deviceDetail("bracelet-b07-0502")
	b := findButton(p.detail, "Full record…")
	require.NotNil(t, b)
	tap(b)
	top := c.win.Canvas().Overlays().Top()
	require.NotNil(t, top)
	var reason *widget.Entry
	walk(top, func(o fyne.CanvasObject) {
		if e, ok := o.(*widget.Entry); ok && reason == nil {
			reason = e
		}
	})
	require.NotNil(t, reason)
	show := findButton(top, "Show")
	tap(show)
	require.Eventually(t, func() bool { return strings.Contains(strings.Join(visibleTexts(top), "\n"), "Say why") }, wait, 10*time.Millisecond,
		"no reason, no record")
	assert.Empty(t, personViews(t, c))
	typeIn(reason, "家属来电核实")
	tap(show)
	require.Eventually(t, func() bool {
		o := c.win.Canvas().Overlays().Top()
		return o != nil && o != top && strings.Contains(strings.Join(visibleTexts(o), "\n"), "13912345601")
	}, wait, 10*time.Millisecond, "the full record")
	views := personViews(t, c)
	require.Len(t, views, 1)
	var got app.PersonAccess
	require.NoError(t, views[0].Decode(&got))
	assert.Equal(t, app.PersonAccess{Person: "bracelet-b07-0502", Reason: "家属来电核实"}, got)
	assert.Equal(t, "commander", views[0].Operator)
}

func TestAdministratorErasesAResidentWhoMovedOut(t *testing.T) {
	c := newTestConsole(t, enConfig())
	signInAs(t, c, "admin")
	p := inventoryOf(t, c)
	p.deviceDetail("bracelet-b07-0502")
	b := findButton(p.detail, "Erase resident…")
	require.NotNil(t, b)
	tap(b)
	top := c.win.Canvas().Overlays().Top()
	require.NotNil(t, top)
	var reason *widget.Entry
	walk(top, func(o fyne.CanvasObject) {
		if e, ok := o.(*widget.Entry); ok && reason == nil {
			reason = e
		}
	})
	require.NotNil(t, reason)
	typeIn(reason, "已搬走")
	tap(findButton(top, "Erase"))
	require.Eventually(t, func() bool {
		d, ok := c.core.Inventory.Site().Device("bracelet-b07-0502")
		return ok && d.Person != nil && d.Person.Erased
	}, wait, 10*time.Millisecond, "the console reads the resident back erased")
	require.Eventually(t, func() bool {
		p.deviceDetail("bracelet-b07-0502")
		return strings.Contains(strings.Join(visibleTexts(p.detail), "\n"), "erased")
	}, wait, 10*time.Millisecond)
	es, err := c.core.Recorder.Journal.Query(context.Background(), app.JournalQuery{Kinds: []app.EntryKind{app.KindPersonErased}})
	require.NoError(t, err)
	require.Len(t, es, 1)
	assert.Equal(t, "admin", es[0].Operator)
	// An alarm of her bracelet now shows nobody's phone.
	a := raise(t, c, app.Alarm{Kind: app.AlarmFall, Priority: app.P1, Cause: "fall", DeviceID: "bracelet-b07-0502", GridID: "g2", Building: "b07"})
	require.Eventually(t, func() bool { return popupOf(c).cur == a.ID && strings.Contains(popupTexts(c), "erased") }, wait, 10*time.Millisecond)
	assert.NotContains(t, popupTexts(c), "13912345601")
}
