package ui

import (
	"context"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// setupWithRule is the demo's categories, a team of grid 1 and a rule giving grid 1's
// clutter to it.
func setupWithRule(grids ...string) app.OrderSetup {
	return app.OrderSetup{Categories: app.DefaultOrderCategories(),
		Teams: []app.Team{{ID: "g1-team", Names: app.Names{Name: "第一网格组", NameEn: "Grid 1 team"}, Members: []string{"admin"}, Grids: []string{"g1"}}},
		Rules: []app.DispatchRule{{ID: "clutter", Categories: []string{app.CatClutter}, Grids: grids, Team: "g1-team"}}}
}

func orderSetupOf(t *testing.T, c *Console) *orderSetupPanel {
	t.Helper()
	serialUI(func() { c.shell.show("order-setup") })
	p := uiGet(func() *orderSetupPanel { p, _ := c.shell.built["order-setup"].(*orderSetupPanel); return p })
	require.NotNil(t, p, "an administrator has the order set-up")
	waitFor(t, "the accounts are read", func() bool { return uiGet(func() int { return p.loaded }) > 0 })
	return p
}

// An administrator edits a dispatch rule in the panel and saves: the core has it, journaled
// as the administrator's. A team's robot webhook is write-only: shown masked, a blank field
// keeps the saved one.
func TestOrderSetupPanelEditsARuleAndSaves(t *testing.T) {
	ctx := context.Background()
	c := adminConsole(t, &fakeSheets{})
	admin := c.Operator()
	require.NoError(t, c.core.Orders.SaveSetup(ctx, admin, setupWithRule("g1")))
	p := orderSetupOf(t, c)
	require.Equal(t, 1, uiGet(func() int { return p.rules.Length() }))
	assert.Contains(t, uiGet(func() string { return p.ruleSummary(p.s.Rules[0]) }), "Corridor or exit clutter · Grid 1 → team Grid 1 team")

	serialUI(func() { p.rules.Select(0) })
	g2 := uiGet(func() *widget.Check { return findCheck(p.ruleForm, "Grid 2") })
	require.NotNil(t, g2, "the rule's grids are offered")
	serialUI(func() { g2.SetChecked(true) })
	night := uiGet(func() *widget.Check { return findCheck(p.ruleForm, "Only at these hours") })
	serialUI(func() { night.SetChecked(true) })
	assert.Equal(t, "Not saved yet", uiGet(func() string { return p.status.text.Text }))
	tap(p.save)
	waitFor(t, "the core has the rule", func() bool {
		r := c.core.Orders.Setup().Rules
		return len(r) == 1 && slices.Equal(r[0].Grids, []string{"g1", "g2"}) && r[0].Hours != nil
	})
	assert.Equal(t, []int{1, 2, 3, 4, 5}, func() (out []int) {
		for _, d := range c.core.Orders.Setup().Rules[0].Hours.Days {
			out = append(out, int(d))
		}
		return
	}())
	waitWrites(t, c)
	es, err := c.core.Recorder.Journal.Query(ctx, app.JournalQuery{Kinds: []app.EntryKind{app.KindOrderSetupChanged}})
	require.NoError(t, err)
	assert.Equal(t, "admin", es[len(es)-1].Operator)

	// The team's robot: typed once, then kept by a blank field.
	serialUI(func() { p.teams.Select(0) })
	kind := uiGet(func() *widget.Select { return findSelect(p.teamForm, "None") })
	require.NotNil(t, kind)
	serialUI(func() { kind.SetSelected("WeCom (企业微信)") })
	var webhook *widget.Entry
	serialUI(func() {
		walk(p.teamForm, func(x fyne.CanvasObject) {
			if e, ok := x.(*widget.Entry); ok && strings.HasPrefix(e.PlaceHolder, "https://") && webhook == nil {
				webhook = e
			}
		})
	})
	require.NotNil(t, webhook)
	serialUI(func() { webhook.SetText("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc-123") })
	tap(p.save)
	waitFor(t, "the robot is saved", func() bool {
		r := c.core.Orders.Setup().Teams[0].Robot
		return r != nil && r.Webhook == "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc-123"
	})
	waitWrites(t, c)
	serialUI(func() { p.teams.Select(0) })
	var shown []string
	serialUI(func() {
		walk(p.teamForm, func(x fyne.CanvasObject) {
			if e, ok := x.(*widget.Entry); ok && strings.HasPrefix(e.PlaceHolder, "https://") {
				shown = append(shown, e.Text, e.PlaceHolder)
			}
		})
	})
	require.Len(t, shown, 2)
	assert.Empty(t, shown[0], "the saved address is not shown")
	assert.Equal(t, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?***  (saved)", shown[1])
	assert.NotContains(t, strings.Join(uiGet(func() []string { return visibleTexts(p.obj) }), "\n"), "abc-123")
	name := uiGet(func() *widget.Entry {
		var found *widget.Entry
		walk(p.teamForm, func(x fyne.CanvasObject) {
			if e, ok := x.(*widget.Entry); ok && e.Text == "Grid 1 team" {
				found = e
			}
		})
		return found
	})
	require.NotNil(t, name)
	serialUI(func() {
		walk(p.teamForm, func(x fyne.CanvasObject) {
			if e, ok := x.(*widget.Entry); ok && strings.HasPrefix(e.PlaceHolder, "https://") {
				e.SetText("https://oops") // typed, then cleared: blank again
				e.SetText("")
			}
		})
		name.SetText("Grid one team")
	})
	tap(p.save)
	waitFor(t, "the name is saved", func() bool { return c.core.Orders.Setup().Teams[0].NameEn == "Grid one team" })
	assert.Equal(t, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc-123", c.core.Orders.Setup().Teams[0].Robot.Webhook,
		"a blank field keeps the saved webhook")
}

// A rule naming a grid the site no longer has is refused by the core when saved: the panel
// lists the reason in the operator's language (Chinese here) and nothing is saved.
func TestOrderSetupPanelShowsWhyARuleIsRefused(t *testing.T) {
	ctx := context.Background()
	c := newTestConsole(t, app.Config{Language: "zh-CN"})
	admin, err := c.core.Accounts.SignIn(ctx, "admin", "sunshine-demo")
	require.NoError(t, err)
	serialUI(func() { c.signedIn(admin) })
	require.NoError(t, c.core.Orders.SaveSetup(ctx, admin, setupWithRule("g5")))

	// Grid 5 is taken off the site: its buildings and devices go to grid 4.
	site := copyOf(t, c.core.Inventory.Site())
	site.Grids = slices.DeleteFunc(site.Grids, func(g app.Grid) bool { return g.ID == "g5" })
	for i := range site.Buildings {
		if site.Buildings[i].GridID == "g5" {
			site.Buildings[i].GridID = "g4"
		}
	}
	for i := range site.Devices {
		if site.Devices[i].GridID == "g5" {
			site.Devices[i].GridID = "g4"
		}
	}
	require.NoError(t, c.core.Inventory.ImportSite(ctx, admin, site))

	p := orderSetupOf(t, c)
	serialUI(func() { p.rules.Select(0) })
	assert.NotNil(t, uiGet(func() *widget.Check { return findCheck(p.ruleForm, "g5（不在小区平面图上）") }), "the removed grid is shown, to be unticked")
	before := c.core.Orders.Setup()
	serialUI(func() { p.cats.Select(0) })
	photo := uiGet(func() *widget.Check { return findCheck(p.catForm, "须拍照反馈处理结果") })
	require.NotNil(t, photo)
	serialUI(func() { photo.SetChecked(!photo.Checked) })
	tap(p.save)
	waitWrites(t, c)
	problems := uiGet(func() string { return p.problems.Text })
	assert.Contains(t, problems, "规则 clutter 无法匹配任何工单：没有网格 g5")
	assert.True(t, uiGet(func() bool { return p.problems.Visible() }))
	assert.Contains(t, uiGet(func() string { return p.status.text.Text }), "未保存")
	assert.Equal(t, before, c.core.Orders.Setup(), "nothing saved")
}
