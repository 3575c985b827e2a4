package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/assets"
)

// A site that lacks a contact a default plan calls (a new site has none at all) gets its
// plans all the same: each is marked incomplete with why, and still opens and edits.
func TestPlansOnASiteWithoutTheirContactsAreSeededAndIncomplete(t *testing.T) {
	ctx := context.Background()
	st := newCommandStore()
	rec := app.NewRecorder(st, app.NewBus())
	inv := app.NewInventory(st, rec)
	site, err := assets.DemoSite()
	require.NoError(t, err)
	// The property company has typed in its fire brigade only.
	var kept []app.Contact
	for _, c := range site.Contacts {
		if c.Role == "fire" {
			kept = append(kept, c)
		}
	}
	site.Contacts = kept
	require.NoError(t, inv.Seed(ctx, site))
	plans := app.NewPlans(st, rec, inv, newClock())
	require.NoError(t, plans.Load(ctx))
	defaults, err := assets.DefaultPlans()
	require.NoError(t, err)
	n, err := plans.Seed(ctx, defaults)
	require.NoError(t, err, "the site starts with its plans")
	require.Equal(t, len(defaults), n)

	fire, ok := plans.Get("fire-residential")
	require.True(t, ok)
	gaps := plans.Gaps(&fire)
	var texts []string
	for _, g := range gaps {
		texts = append(texts, g.Text())
		assert.Equal(t, "steps.contacts", g.Field)
	}
	joined := strings.Join(texts, "\n")
	assert.Contains(t, joined, "calls property-repair, which is not a contact of this site")
	assert.Contains(t, joined, "calls Police: the site has no contact of that role yet")
	assert.NotContains(t, joined, "Fire brigade", "the fire brigade is there")
	assert.NotContains(t, joined, "grid_worker", "the grid's worker is found at the incident")
	assert.NotContains(t, joined, "family")

	// An edit keeps the contacts it had (the gap stays shown) but a new unknown one is a typo.
	fire.Steps[0].Title += "（已核实）"
	_, err = plans.Update(ctx, admin, fire)
	require.NoError(t, err, "an incomplete plan can still be edited")
	fire, _ = plans.Get("fire-residential")
	fire.Steps[0].Contacts = append(fire.Steps[0].Contacts, "ghostbusters")
	_, err = plans.Update(ctx, admin, fire)
	assert.EqualError(t, err, "Step "+fire.Steps[0].ID+" calls ghostbusters, which is not a contact ID or role")

	// Once the contacts are in, nothing is missing.
	full, err := assets.DemoSite()
	require.NoError(t, err)
	for _, p := range plans.List() {
		assert.Empty(t, app.PlanGaps(&p, full), p.ID)
	}
}
