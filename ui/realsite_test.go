package ui

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/assets"
	"watchpost/testkit"
)

// newRealSiteConsole is the console on a real site just set up (app.SiteInit): no demo,
// no cameras, devices, grids or contacts, the default plans and drills.
func newRealSiteConsole(t *testing.T, cfg app.Config) *Console {
	t.Helper()
	seeds := app.Seeds{Plans: assets.DefaultPlans, Drills: assets.DefaultDrills}
	env := testkit.New(t, testkit.Options{Config: cfg, Seeds: &seeds})
	_, err := env.Core.SetUpSite(context.Background(), app.SiteInit{Names: app.Names{Name: "翠湖苑", NameEn: "Cuihu Garden"}, ID: "cuihu",
		TimeZone: app.DefaultTimeZone, Language: "en", AdminUser: "lin", AdminName: "林晓"}, "Gate-7-evening")
	require.NoError(t, err)
	env.Run(t, "drills")
	return consoleOn(t, env)
}

// demo_auto_sign_in signs in only on the demo: a real site opens on the sign-in screen
// (with no demo accounts hint), its administrator signs in, there is no DEMO badge, and
// every panel opens on a site with nothing on it yet.
func TestARealSiteStartsOnTheSignInScreenAndEveryPanelOpens(t *testing.T) {
	on := true
	c := newRealSiteConsole(t, app.Config{Language: "en", DemoAutoSignIn: &on})
	assert.Nil(t, c.Operator(), "no automatic sign-in on a real site")
	s := findSignIn(c)
	require.NotNil(t, s)
	texts := strings.Join(visibleTexts(c.win.Content()), "\n")
	assert.Contains(t, texts, "Cuihu Garden")
	assert.NotContains(t, texts, "sunshine-demo", "no demo accounts to offer")

	typeIn(s.user, "lin")
	typeIn(s.password, "Gate-7-evening")
	tap(s.button)
	waitWrites(t, c)
	require.NotNil(t, c.Operator())
	assert.Equal(t, app.RoleAdmin, c.Operator().Role)
	assert.NotContains(t, visibleTexts(c.win.Content()), "DEMO")

	for _, p := range c.shell.panels {
		c.shell.show(p.ID)
		assert.Equal(t, p.ID, c.shell.current)
		require.NotNil(t, c.shell.built[p.ID], p.ID)
	}
	plans := plansPanelOf(t, c)
	assert.Contains(t, plans.planSubtitle(&plans.plans[0]), "Incomplete", "a new site has no contacts yet")
}
