package ui

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/assets"
	"watchpost/testkit"
)

// newConsoleOnSite builds the console (signed in as the demo's duty operator) on a copy of
// the demo community changed by edit before it is seeded.
func newConsoleOnSite(t *testing.T, cfg app.Config, edit func(*app.Site)) *Console {
	t.Helper()
	seeds := assets.Seeds()
	seeds.DemoSite = func() (*app.Site, error) {
		s, err := assets.DemoSite()
		if err == nil {
			edit(s)
		}
		return s, err
	}
	env := testkit.New(t, testkit.Options{Config: cfg, Seeds: &seeds})
	return consoleOn(t, env)
}

// A site without the police and the property company's repair team starts; the plans that
// call them are marked incomplete in the list, say whom the site lacks, and still open.
func TestAPlanCallingAMissingContactIsShownIncomplete(t *testing.T) {
	c := newConsoleOnSite(t, enConfig(), func(s *app.Site) {
		var kept []app.Contact
		for _, ct := range s.Contacts {
			if ct.Role != "police" && ct.ID != "property-repair" {
				kept = append(kept, ct)
			}
		}
		s.Contacts = kept
	})
	require.NotNil(t, c.Operator(), "the site starts")
	p := plansPanelOf(t, c)
	require.Len(t, p.plans, 9)
	assert.Contains(t, p.planSubtitle(&p.plans[0]), "⚠ Incomplete")
	epidemic, ok := c.core.Plans.Get("epidemic")
	require.True(t, ok)
	assert.NotContains(t, p.planSubtitle(&epidemic), "Incomplete", "a plan whose contacts are all there")

	texts := strings.Join(visibleTexts(p.detail), "\n")
	assert.Contains(t, texts, "Incomplete: the site has no contact for property-repair, Police.")
	assert.Contains(t, texts, "Police (no contact on this site)", "the step says whom the site lacks")
	assert.Contains(t, texts, "Fire and rescue 119", "the contacts it has are there")

	SetLanguage("zh-CN")
	defer SetLanguage("en")
	assert.Contains(t, strings.Join(visibleTexts(missingNote(&p.plans[0], c.core.Inventory.Site())), ""), "本小区还没有property-repair、公安的联系人")
}
