package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/assets"
	"watchpost/store"
)

// The plans, incidents, supplies and contacts read back after a restart, and each write
// is in the journal with its entry.
func TestIncidentCommandOnTheRealStore(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	rec := app.NewRecorder(s, app.NewBus())
	clock := app.SystemClock{}
	inv := app.NewInventory(s, rec)
	require.NoError(t, inv.Seed(ctx, demoSite(t)))
	desk := app.NewAlarmDesk(rec, s, clock)
	require.NoError(t, desk.Load(ctx))
	plans := app.NewPlans(s, rec, inv, clock)
	require.NoError(t, plans.Load(ctx))
	defaults, err := assets.DefaultPlans()
	require.NoError(t, err)
	_, err = plans.Seed(ctx, defaults)
	require.NoError(t, err)
	incidents := app.NewIncidents(s, rec, plans, desk, inv, clock)
	require.NoError(t, incidents.Load(ctx))
	supplies := app.NewSupplies(s, rec, desk, inv, clock)
	require.NoError(t, supplies.Load(ctx))
	points, err := assets.DemoSupplies()
	require.NoError(t, err)
	_, err = supplies.Seed(ctx, points)
	require.NoError(t, err)

	commander := &app.Operator{Username: "commander", Name: "王强", Role: app.RoleCommander}
	admin := &app.Operator{Username: "admin", Name: "赵磊", Role: app.RoleAdmin}
	a, err := desk.Raise(ctx, nil, app.Alarm{Kind: app.AlarmFire, Priority: app.P1, Cause: "x", DeviceID: "smoke-b03-u2-12", GridID: "g1"})
	require.NoError(t, err)
	in, err := incidents.Open(ctx, commander, app.OpenRequest{PlanID: "fire-residential", AlarmID: a.ID})
	require.NoError(t, err)
	_, err = incidents.Tick(ctx, commander, in.ID, "verify", "")
	require.NoError(t, err)
	_, err = incidents.SetLevel(ctx, commander, in.ID, app.LevelII, "烟气进入楼道")
	require.NoError(t, err)
	second, err := incidents.Open(ctx, commander, app.OpenRequest{PlanID: "gas-leak", Title: "5号楼燃气味"})
	require.NoError(t, err)
	_, err = incidents.Close(ctx, commander, second.ID, app.CloseRequest{Summary: "误报，住户煮饭糊锅"})
	require.NoError(t, err)

	fire, _ := plans.Get("fire-residential")
	fire.Steps[0].Title = "调取监控并核实"
	_, err = plans.Update(ctx, admin, fire)
	require.NoError(t, err)
	contacts := append(inv.Site().Contacts, app.Contact{ID: "hospital", Role: "medical", Names: app.Names{Name: "区中心医院"}, Phone: "021-66001234"})
	require.NoError(t, app.NewContactBook(inv, s, rec).Save(ctx, admin, contacts))
	cab, _ := supplies.Point("cab-b07")
	cab.Items[0].Quantity = 4
	_, err = supplies.Save(ctx, admin, cab)
	require.NoError(t, err)

	require.NoError(t, s.Close())
	s2, err := openAt(path)
	require.NoError(t, err)
	defer s2.Close()

	ps, err := s2.Plans(ctx)
	require.NoError(t, err)
	require.Len(t, ps, 9)
	assert.Equal(t, "fire-residential", ps[0].ID, "in the order they were added")
	assert.Equal(t, "调取监控并核实", ps[0].Steps[0].Title)
	assert.Equal(t, 2, ps[0].Version)

	open, err := s2.Incidents(ctx, app.IncidentQuery{OpenOnly: true})
	require.NoError(t, err)
	require.Len(t, open, 1)
	assert.Equal(t, app.LevelII, open[0].Level)
	assert.Equal(t, "住宅楼火灾应急预案", open[0].Plan.Name, "the plan travels with the incident")
	assert.Equal(t, "调取监控并派保安到场核实", open[0].Plan.Steps[0].Title, "as it was when the incident opened")
	all, err := s2.Incidents(ctx, app.IncidentQuery{})
	require.NoError(t, err)
	require.Len(t, all, 2)
	assert.Equal(t, second.ID, all[0].ID, "newest first")
	assert.Equal(t, "误报，住户煮饭糊锅", all[0].Summary)
	max, err := s2.MaxIncidentID(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(2), max)
	_, err = s2.Incident(ctx, 99)
	assert.True(t, app.IsCode(err, app.CodeNotFound))
	of, err := s2.Incidents(ctx, app.IncidentQuery{Alarm: a.ID})
	require.NoError(t, err)
	require.Len(t, of, 1, "the incidents an alarm is linked to")
	assert.Equal(t, in.ID, of[0].ID)
	of, err = s2.Incidents(ctx, app.IncidentQuery{Alarm: a.ID + 1000})
	require.NoError(t, err)
	assert.Empty(t, of)

	es, err := s2.Query(ctx, app.JournalQuery{Subject: app.SubjectIncident(in.ID)})
	require.NoError(t, err)
	replayed, err := app.ReplayIncident(es)
	require.NoError(t, err)
	assert.Equal(t, open[0].Progress, replayed.Progress)
	assert.Equal(t, open[0].Level, replayed.Level)

	site, err := s2.LoadSite(ctx)
	require.NoError(t, err)
	assert.Equal(t, "区中心医院", site.Contacts[len(site.Contacts)-1].Name, "the contacts are saved in the site")
	assert.Equal(t, inv.Site().Grids, site.Grids, "and nothing else of it changed")

	sps, err := s2.SupplyPoints(ctx)
	require.NoError(t, err)
	require.Len(t, sps, len(points))
	for _, p := range sps {
		if p.ID == "cab-b07" {
			assert.Equal(t, 4, p.Items[0].Quantity)
			assert.Equal(t, "admin", p.UpdatedBy)
		}
	}
}

func TestReportsAreWrittenWhole(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "reports")
	r := store.Reports{Dir: dir}
	path, err := r.SaveReport("../incident-1.html", []byte("<html>报告</html>"))
	require.NoError(t, err)
	assert.Equal(t, dir, filepath.Dir(path), "a plain name inside the folder")
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "<html>报告</html>", string(b))
	left, _ := filepath.Glob(filepath.Join(dir, ".report-*"))
	assert.Empty(t, left, "no temporary file left behind")
}
