package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/assets"
)

// An edit that hands back what is saved writes nothing: no journal entry, no new version,
// and the caller hears ErrUnchanged (the window says "Nothing changed"). A camera's
// analytics with every detector kind listed but the unsaved ones off and empty is the
// analytics as saved.
func TestAnEditThatChangesNothingWritesNothing(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	rec := app.NewRecorder(s, app.NewBus())
	clock := app.SystemClock{}
	inv := app.NewInventory(s, rec)
	require.NoError(t, inv.Seed(ctx, demoSite(t)))
	plans := app.NewPlans(s, rec, inv, clock)
	require.NoError(t, plans.Load(ctx))
	defaults, err := assets.DefaultPlans()
	require.NoError(t, err)
	_, err = plans.Seed(ctx, defaults)
	require.NoError(t, err)
	desk := app.NewAlarmDesk(rec, s, clock)
	require.NoError(t, desk.Load(ctx))
	supplies := app.NewSupplies(s, rec, desk, inv, clock)
	require.NoError(t, supplies.Load(ctx))
	points, err := assets.DemoSupplies()
	require.NoError(t, err)
	_, err = supplies.Seed(ctx, points)
	require.NoError(t, err)
	contacts := app.NewContactBook(inv, s, rec)
	last, err := s.LastSeq(ctx)
	require.NoError(t, err)

	site := inv.Site()
	gate := site.Cameras[0]
	require.NotNil(t, gate.Analytics)
	listed := *gate.Analytics
	listed.Detectors = append([]app.DetectorConfig(nil), gate.Analytics.Detectors...)
	for _, k := range app.DetectorKinds {
		saved := false
		for _, d := range gate.Analytics.Detectors {
			saved = saved || d.Kind == k
		}
		if !saved {
			listed.Detectors = append(listed.Detectors, app.DetectorConfig{Kind: k})
		}
	}
	plain := site.Cameras[1]
	require.Nil(t, plain.Analytics)
	fire, _ := plans.Get("fire-residential")
	point := supplies.Points()[0]
	edits := map[string]func() error{
		"camera settings":       func() error { return inv.UpdateCamera(ctx, admin, gate) },
		"analytics, every kind": func() error { return inv.SetCameraAnalytics(ctx, admin, gate.ID, listed) },
		"analytics of a plain camera": func() error {
			return inv.SetCameraAnalytics(ctx, admin, plain.ID, app.CameraAnalytics{Detectors: []app.DetectorConfig{{Kind: app.DetectMotion}}})
		},
		"grid":          func() error { return inv.SaveGrid(ctx, admin, site.Grids[0]) },
		"contacts":      func() error { return contacts.Save(ctx, admin, append([]app.Contact(nil), site.Contacts...)) },
		"plan":          func() error { _, err := plans.Update(ctx, admin, fire); return err },
		"supplies":      func() error { _, err := supplies.Save(ctx, admin, point); return err },
		"no background": func() error { return inv.SetBackground(ctx, admin, nil, "", nil) },
	}
	for name, edit := range edits {
		assert.True(t, app.IsCode(edit(), app.CodeUnchanged), "%s: nothing changed", name)
	}
	now, err := s.LastSeq(ctx)
	require.NoError(t, err)
	assert.Equal(t, last, now, "nothing was journaled")
	got, _ := plans.Get("fire-residential")
	assert.Equal(t, fire.Version, got.Version, "no new version")

	// A real change still saves.
	fire.Steps[0].Title = "调取监控并核实"
	saved, err := plans.Update(ctx, admin, fire)
	require.NoError(t, err)
	assert.Equal(t, fire.Version+1, saved.Version)
}
