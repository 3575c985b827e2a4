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

func plansPanelOf(t *testing.T, c *Console) *plansPanel {
	t.Helper()
	c.shell.show("plans")
	p, ok := c.shell.built["plans"].(*plansPanel)
	require.True(t, ok)
	return p
}

func TestPlansPanelShowsThePlansAndWhereTheSuppliesAre(t *testing.T) {
	c := newTestConsole(t, enConfig())
	p := plansPanelOf(t, c)
	require.Len(t, p.plans, 9)
	assert.Equal(t, "fire-residential", p.selected, "the first plan is shown")
	assert.True(t, p.newBtn.Disabled(), "a duty operator does not edit plans")
	assert.True(t, p.impBtn.Disabled())
	texts := strings.Join(visibleTexts(p.detail), "\n")
	for _, want := range []string{"Fire in a residential building", "Call 119: community, building, stairwell, floor, and how big the fire is",
		"Incident commander · within 3 min · from Level III", "Fire and rescue 119",
		"Fire extinguisher (Garage entrance flood point ×6", "Installed with the default plans"} {
		assert.Contains(t, texts, want)
	}
	assert.True(t, findButton(p.detail, "Edit…").Disabled())
	assert.False(t, findButton(p.detail, "Export…").Disabled(), "anyone may export")
}

func TestATrainerEditsAPlan(t *testing.T) {
	c := newTestConsole(t, enConfig())
	signInAs(t, c, "trainer")
	p := plansPanelOf(t, c)
	assert.False(t, p.newBtn.Disabled())
	fire, _ := c.core.Plans.Get("fire-residential")
	e := p.edit(fire, false)
	n := len(e.pl.Steps)

	// Reorder, remove and add steps.
	e.move(0, 1)
	assert.Equal(t, "first-attack", e.pl.Steps[0].ID)
	e.move(0, 1)
	e.removeStep(n - 1) // "record"
	e.pl.Steps = append(e.pl.Steps, app.Step{ID: "debrief", Phase: app.PhaseRecover, Title: "复盘会", TitleEn: "Debrief", Role: "commander", Limit: app.Duration(0)})
	e.fillSteps()
	e.name.SetText("住宅楼火灾应急预案（修订）")
	e.kinds.set(app.AlarmDoorForced, true)

	// A step for a role the plan does not list is refused, with the reason, and nothing changes.
	e.pl.Steps[len(e.pl.Steps)-1].Role = "firefighter"
	e.submit()
	var refusal string
	waitFor(t, "the refusal is shown", func() bool {
		top := c.win.Canvas().Overlays().Top()
		if top == nil {
			return false
		}
		refusal = strings.Join(visibleTexts(top), " ")
		return strings.Contains(refusal, "was not saved")
	})
	assert.Contains(t, refusal, "Step debrief is for role firefighter, which the plan does not list")
	c.win.Canvas().Overlays().Top().Hide()
	c.win.Canvas().Overlays().Remove(c.win.Canvas().Overlays().Top())
	got, _ := c.core.Plans.Get("fire-residential")
	assert.Equal(t, 1, got.Version)

	e.pl.Steps[len(e.pl.Steps)-1].Role = "commander"
	e.submit()
	waitFor(t, "saved", func() bool { got, _ = c.core.Plans.Get("fire-residential"); return got.Version == 2 })
	waitFor(t, "the panel lists the new version", func() bool {
		for _, pl := range p.plans {
			if pl.ID == "fire-residential" {
				return pl.Version == 2
			}
		}
		return false
	})
	assert.Equal(t, "住宅楼火灾应急预案（修订）", got.Name)
	assert.Equal(t, n, len(got.Steps))
	assert.Equal(t, "debrief", got.Steps[n-1].ID)
	assert.Contains(t, got.AlarmKinds, app.AlarmDoorForced)
	assert.Equal(t, "trainer", got.UpdatedBy)
	hist, err := c.core.Plans.History(context.Background(), "fire-residential")
	require.NoError(t, err)
	assert.Equal(t, app.KindPlanUpdated, hist[len(hist)-1].Kind)
	assert.Equal(t, "trainer", hist[len(hist)-1].Operator)

	// A new plan through the step dialog.
	e = p.edit(app.Plan{}, true)
	e.id.SetText("gas-smell")
	e.name.SetText("燃气异味排查")
	e.editStep(-1, app.Step{Phase: app.PhaseAlert, Role: "guard"})
	dlg := topDialog(t, c)
	entries := allEntries(dlg)
	require.GreaterOrEqual(t, len(entries), 6)
	typeIn(entries[0], "check")  // ID
	typeIn(entries[1], "到场查看气味") // title
	typeIn(entries[5], "5")      // the limit, in minutes
	tap(findButton(dlg, "OK"))
	require.Len(t, e.pl.Steps, 1)
	assert.Equal(t, "check", e.pl.Steps[0].ID)
	assert.Equal(t, app.Duration(5*60e9), e.pl.Steps[0].Limit)
	e.submit()
	waitFor(t, "created", func() bool { _, ok := c.core.Plans.Get("gas-smell"); return ok })
	waitFor(t, "the new plan is shown", func() bool { return p.selected == "gas-smell" })
}

// allEntries lists the entries under o, in layout order.
func allEntries(o fyne.CanvasObject) []*widget.Entry {
	var out []*widget.Entry
	walk(o, func(x fyne.CanvasObject) {
		if e, ok := x.(*widget.Entry); ok {
			out = append(out, e)
		}
	})
	return out
}

func TestImportRefusesABadPlanInTheConsole(t *testing.T) {
	c := newTestConsole(t, enConfig())
	signInAs(t, c, "admin")
	p := plansPanelOf(t, c)
	p.importData([]byte(`{"id": "bad", "name": "坏预案", "roles": ["guard"], "steps": [
		{"id": "a", "phase": "alert", "title": "甲", "role": "guard", "depends_on": ["b"]},
		{"id": "b", "phase": "panic", "title": "乙", "role": "wizard", "depends_on": ["a"]}]}`), "bad.json")
	waitFor(t, "the refusal is shown", func() bool {
		top := c.win.Canvas().Overlays().Top()
		if top == nil {
			return false
		}
		text := strings.Join(visibleTexts(top), " ")
		return strings.Contains(text, "bad.json was not imported") && strings.Contains(text, "unknown phase panic") &&
			strings.Contains(text, "role wizard")
	})
	_, ok := c.core.Plans.Get("bad")
	assert.False(t, ok)

	good, err := c.core.Plans.Export("missing-child")
	require.NoError(t, err)
	good = []byte(strings.Replace(string(good), `"id": "missing-child"`, `"id": "missing-child-2"`, 1))
	p.importData(good, "missing-child-2.json")
	waitFor(t, "imported", func() bool { _, ok := c.core.Plans.Get("missing-child-2"); return ok })
	waitFor(t, "the imported plan is shown", func() bool { return p.selected == "missing-child-2" })
}

func TestContactsAndSuppliesTabs(t *testing.T) {
	c := newTestConsole(t, enConfig())
	p := plansPanelOf(t, c)
	p.tabs.SelectIndex(1)
	assert.True(t, p.contacts.add.Disabled(), "a duty operator does not edit contacts")
	require.NotEmpty(t, p.contacts.contacts)

	signInAs(t, c, "admin")
	p = plansPanelOf(t, c)
	ct := p.contacts
	assert.False(t, ct.add.Disabled())
	list := append(append([]app.Contact(nil), ct.contacts...), app.Contact{ID: "hospital", Role: "medical", Names: app.Names{Name: "区中心医院", NameEn: "District hospital"}, Phone: "021-66001234"})
	c.write(ct.save(list, nil))
	waitFor(t, "the contact is added", func() bool { return len(c.core.Inventory.Site().Contacts) == len(list) })
	waitFor(t, "the tab follows", func() bool { return len(ct.contacts) == len(list) })

	st := p.supplies
	require.NotEmpty(t, st.points)
	assert.Contains(t, st.summary.Text, "13 supply points · 2 notices")
	st.selected = "cab-b07"
	st.showPoint()
	texts := strings.Join(visibleTexts(st.detail), "\n")
	assert.Contains(t, texts, "Fire extinguisher — 4 kg 干粉灭火器")
	assert.Contains(t, texts, "2 / min. 4")
	assert.Contains(t, texts, "Low stock")
	sp, _ := c.core.Supplies.Point("cab-b07")
	sp.Items[0].Quantity = 4
	_, err := c.core.Supplies.Save(context.Background(), c.Operator(), sp)
	require.NoError(t, err)
	waitFor(t, "the tab follows", func() bool { return strings.Contains(st.summary.Text, "1 notices") })
}

func TestTimeLimitsReadAndWrite(t *testing.T) {
	for _, d := range []time.Duration{2 * time.Minute, 90 * time.Second, time.Hour, 90 * time.Minute, 45 * time.Second} {
		got, err := parseLimit(limitText(d))
		require.NoError(t, err)
		assert.Equal(t, d, got, limitText(d))
	}
	assert.Equal(t, "2m", limitText(2*time.Minute))
	assert.Equal(t, "1h", limitText(time.Hour))
	assert.Equal(t, "1m30s", limitText(90*time.Second))
	d, err := parseLimit("5")
	require.NoError(t, err)
	assert.Equal(t, 5*time.Minute, d, "a bare number is minutes")
	_, err = parseLimit("soon")
	assert.Error(t, err)
}
