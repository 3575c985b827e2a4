package app_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// people is the People service on the demo site in memory, with its journal.
func people(t *testing.T) (*app.People, *app.AlarmDesk, *memStore) {
	t.Helper()
	ctx := context.Background()
	st, bus := newMemStore(), app.NewBus()
	rec := app.NewRecorder(st, bus)
	inv := app.NewInventory(st, rec)
	site := loadDemoSite(t)
	require.NoError(t, inv.Seed(ctx, &site))
	desk := app.NewAlarmDesk(rec, st, newClock())
	require.NoError(t, desk.Load(ctx))
	return app.NewPeople(inv, desk, rec, nil), desk, st
}

func accessesOf(t *testing.T, st *memStore, kind app.EntryKind) []app.PersonAccess {
	t.Helper()
	var out []app.PersonAccess
	for _, e := range st.entries {
		if e.Kind == kind {
			var a app.PersonAccess
			require.NoError(t, e.Decode(&a))
			out = append(out, a)
		}
	}
	return out
}

func TestAttackDutyOperatorOpensAResidentsRecordWithoutAnAlarm(t *testing.T) {
	ctx := context.Background()
	p, _, st := people(t)
	_, err := p.View(ctx, duty, "bracelet-b07-0502", "curious")
	assert.True(t, app.IsCode(err, app.CodeForbidden), "the duty operator may not browse residents' records: %v", err)
	_, err = p.View(ctx, trainer, "bracelet-b07-0502", "training")
	assert.True(t, app.IsCode(err, app.CodeForbidden))
	_, err = p.Export(ctx, duty, "backup")
	assert.True(t, app.IsCode(err, app.CodeForbidden))
	assert.Empty(t, accessesOf(t, st, app.KindPersonViewed), "a refused view shows nothing and journals no view")
}

func TestAFullViewNeedsAReasonAndIsJournaled(t *testing.T) {
	ctx := context.Background()
	p, _, st := people(t)
	_, err := p.View(ctx, commander, "bracelet-b07-0502", " ")
	assert.Equal(t, []string{"reason"}, app.ProblemsOf(err).Fields())
	got, err := p.View(ctx, commander, "bracelet-b07-0502", "家属来电核实")
	require.NoError(t, err)
	assert.Equal(t, "13912345601", got.Phone)
	assert.Equal(t, []app.PersonAccess{{Person: "bracelet-b07-0502", Reason: "家属来电核实"}}, accessesOf(t, st, app.KindPersonViewed))
	last := st.entries[len(st.entries)-1]
	assert.Equal(t, "commander", last.Operator, "who")
	assert.Equal(t, app.SubjectPerson("bracelet-b07-0502"), last.Subject, "whose")

	_, err = p.Export(ctx, admin, "")
	assert.Equal(t, []string{"reason"}, app.ProblemsOf(err).Fields())
	site, err := p.Export(ctx, admin, "移交街道办")
	require.NoError(t, err)
	d, _ := site.Device("bracelet-b07-0502")
	assert.Equal(t, "13912345601", d.Person.Phone)
	assert.Equal(t, []app.PersonAccess{{Person: "*", Reason: "移交街道办"}}, accessesOf(t, st, app.KindPersonExported))
}

func TestDutyOperatorSeesTheResidentOfAnOpenAlarmInFull(t *testing.T) {
	ctx := context.Background()
	p, desk, st := people(t)
	a, err := desk.Raise(ctx, nil, app.Alarm{Kind: "fall", Priority: app.P1, Cause: "fall", DeviceID: "bracelet-b07-0502"})
	require.NoError(t, err)
	got, err := p.ForAlarm(ctx, duty, a.ID)
	require.NoError(t, err)
	assert.Equal(t, "13912345601", got.Phone, "the phone in full, without being asked why")
	assert.Equal(t, "13912345611", got.ContactPhone)
	_, err = p.ForAlarm(ctx, duty, a.ID) // the pop-up and the desk show it again
	require.NoError(t, err)
	assert.Equal(t, []app.PersonAccess{{Person: "bracelet-b07-0502", Alarm: a.ID}}, accessesOf(t, st, app.KindPersonViewed),
		"the alarm is the reason, journaled once")

	// Not another resident (no alarm is the reason), nor once the alarm is resolved.
	_, err = p.View(ctx, duty, "bracelet-b01-0301", "有报警")
	assert.True(t, app.IsCode(err, app.CodeForbidden))
	_, err = desk.Acknowledge(ctx, duty, a.ID, "")
	require.NoError(t, err)
	a, err = desk.Resolve(ctx, duty, a.ID, app.OutcomeGenuine, "已送医")
	require.NoError(t, err)
	got, err = p.ForAlarm(ctx, duty, a.ID)
	require.NoError(t, err)
	assert.Equal(t, "139****5601", got.Phone, "a resolved alarm shows the resident masked")
	_, err = p.ForAlarm(ctx, trainer, a.ID)
	assert.True(t, app.IsCode(err, app.CodeForbidden), "a trainer handles no alarm")
}

func TestListsAndExportsShowResidentsMasked(t *testing.T) {
	site := loadDemoSite(t)
	m := app.MaskedSite(&site)
	d, _ := m.Device("bracelet-b07-0502")
	assert.Equal(t, app.Person{ID: "res****0502", Name: "赵*", Age: 84, Phone: "139****5601", Contact: "女儿 王*", ContactPhone: "139****5611", Note: "***", WelfareHours: 24}, *d.Person)
	orig, _ := site.Device("bracelet-b07-0502")
	assert.Equal(t, "13912345601", orig.Person.Phone, "the site itself is untouched")
	assert.Equal(t, "138****8001", m.Grids[0].Worker.Phone)
	assert.Equal(t, "王*", m.Vehicles[0].Owner)
	data, err := app.ExportGeoJSON(m)
	require.NoError(t, err)
	for _, s := range []string{"13912345601", "赵桂兰", "高血压"} {
		assert.NotContains(t, string(data), s)
	}
}

func TestAMaskedExportImportsBackWhole(t *testing.T) {
	site := loadDemoSite(t)
	data, err := app.ExportGeoJSON(app.MaskedSite(&site))
	require.NoError(t, err)
	next, err := app.ImportGeoJSON(data)
	require.NoError(t, err)
	app.PrepareImport(next, &site)
	require.NoError(t, next.Validate())
	d, _ := next.Device("bracelet-b07-0502")
	orig, _ := site.Device("bracelet-b07-0502")
	assert.Equal(t, *orig.Person, *d.Person, "the masked fields come back from the site as it is")
}

func TestAMaskedExportImportedElsewhereKeepsNoMaskedValue(t *testing.T) {
	site := loadDemoSite(t)
	data, err := app.ExportGeoJSON(app.MaskedSite(&site))
	require.NoError(t, err)
	next, err := app.ImportGeoJSON(data)
	require.NoError(t, err)
	app.PrepareImport(next, nil)
	require.NoError(t, next.Validate())
	d, _ := next.Device("bracelet-b07-0502")
	assert.Equal(t, "", d.Person.Phone, "no phone rather than a masked one")
	assert.Equal(t, "赵*", d.Person.Name, "the wearer is still named")
	assert.Equal(t, "", next.Grids[0].Worker.Phone)
}
