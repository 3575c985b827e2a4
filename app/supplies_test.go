package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/assets"
)

func supplyNotices(c *command) []app.Alarm {
	var out []app.Alarm
	for _, a := range c.desk.Open() {
		if a.Kind == app.AlarmSupplyExpired || a.Kind == app.AlarmSupplyLow {
			out = append(out, a)
		}
	}
	return out
}

func TestSupplyNoticesRaisedOnceAndCleared(t *testing.T) {
	ctx := context.Background()
	c := newCommand(t)
	// The fake clock says 2026-11-28 09:00.
	points := []app.SupplyPoint{
		{ID: "cab-b03", Names: app.Names{Name: "3号楼消防箱"}, Position: app.Point{X: 38, Y: 68}, Building: "b03", Items: []app.SupplyItem{
			{Kind: "extinguisher", Name: "4 kg 干粉灭火器", Quantity: 4, Minimum: 4, Expiry: "2026-11-27"},
			{Kind: "smoke_hood", Quantity: 6, Minimum: 4, Expiry: "2026-11-30"},
		}},
		{ID: "guard-south", Names: app.Names{Name: "南门岗亭"}, Position: app.Point{X: 206, Y: 8}, Items: []app.SupplyItem{
			{Kind: "first_aid", Quantity: 0, Minimum: 1},
			{Kind: "aed", Quantity: 1, Minimum: 1},
		}},
	}
	n, err := c.supplies.Seed(ctx, points)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	assert.Equal(t, "g1", c.supplies.Points()[0].GridID, "the grid is found from the position")
	assert.Equal(t, "extinguisher", c.supplies.Points()[0].Items[0].ID, "items get IDs from their kind")

	require.NoError(t, c.supplies.Check(ctx))
	got := supplyNotices(c)
	require.Len(t, got, 2)
	byKind := map[string]app.Alarm{}
	for _, a := range got {
		byKind[a.Kind] = a
		assert.Equal(t, app.P4, a.Priority)
		assert.True(t, a.Fault, "a maintenance notice")
	}
	assert.Equal(t, "cab-b03.extinguisher", byKind[app.AlarmSupplyExpired].DeviceID)
	assert.Equal(t, "Supply expired: 3号楼消防箱 (4 kg 干粉灭火器 expired on 2026-11-27)",
		byKind[app.AlarmSupplyExpired].Describe(nil, false, app.RenderTemplate))
	assert.Equal(t, "guard-south.first_aid", byKind[app.AlarmSupplyLow].DeviceID)
	assert.Equal(t, "g1", byKind[app.AlarmSupplyExpired].GridID)

	// Checked again, later: still two, nothing repeats.
	c.clk.Add(20 * time.Minute)
	require.NoError(t, c.supplies.Check(ctx))
	assert.Len(t, supplyNotices(c), 2)
	raised := 0
	for _, e := range c.st.entries {
		if e.Kind == app.KindAlarmRaised || e.Kind == app.KindAlarmRepeated {
			raised++
		}
	}
	assert.Equal(t, 2, raised, "raised once per item")

	// An operator resolves the low notice without restocking: it does not come back.
	low := byKind[app.AlarmSupplyLow]
	_, err = c.desk.Acknowledge(ctx, duty, low.ID, "")
	require.NoError(t, err)
	_, err = c.desk.Resolve(ctx, duty, low.ID, app.OutcomeGenuine, "已申请采购")
	require.NoError(t, err)
	c.clk.Add(time.Hour)
	require.NoError(t, c.supplies.Check(ctx))
	assert.Len(t, supplyNotices(c), 1)

	// Time passes: the smoke hoods expire too.
	c.clk.Add(3 * 24 * time.Hour)
	require.NoError(t, c.supplies.Check(ctx))
	assert.Len(t, supplyNotices(c), 2)

	// The cabinet is restocked: both its notices clear, as the system.
	cab, _ := c.supplies.Point("cab-b03")
	cab.Items[0].Expiry, cab.Items[1].Expiry = "2031-10-31", "2029-03-31"
	_, err = c.supplies.Save(ctx, duty, cab)
	assert.True(t, app.IsCode(err, app.CodeForbidden), "administrators edit supplies")
	_, err = c.supplies.Save(ctx, admin, cab)
	require.NoError(t, err)
	assert.Empty(t, supplyNotices(c))
	cleared, err := c.desk.Get(ctx, byKind[app.AlarmSupplyExpired].ID)
	require.NoError(t, err)
	assert.Equal(t, app.OutcomeCleared, cleared.Outcome)
	assert.Equal(t, app.SystemActor, cleared.Resolve.By)

	// The point changed since the low notice was resolved: still empty, so it is raised again.
	sp, _ := c.supplies.Point("guard-south")
	sp.Items[1].Quantity = 2 // a second AED; the first-aid kit is still missing
	_, err = c.supplies.Save(ctx, admin, sp)
	require.NoError(t, err)
	got = supplyNotices(c)
	require.Len(t, got, 1)
	assert.Equal(t, app.AlarmSupplyLow, got[0].Kind)

	// Journaled with who.
	es := c.entriesOf(t, app.SubjectSupply("cab-b03"))
	require.Len(t, es, 1)
	assert.Equal(t, app.KindSupplyPointSaved, es[0].Kind)
	assert.Equal(t, "admin", es[0].Operator)

	bad := sp
	bad.Items = append(bad.Items, app.SupplyItem{Kind: "unicorn", Quantity: -1, Expiry: "next year"})
	_, err = c.supplies.Save(ctx, admin, bad)
	require.Error(t, err)
	for _, want := range []string{"Unknown supply kind unicorn", "Quantities cannot be negative", "next year is not a date"} {
		assert.Contains(t, err.Error(), want)
	}
	require.NoError(t, c.supplies.Delete(ctx, admin, "guard-south"))
	assert.Empty(t, supplyNotices(c), "a deleted point's notices clear")
}

func TestNearestSupplies(t *testing.T) {
	ctx := context.Background()
	c := newCommand(t)
	points, err := assets.DemoSupplies()
	require.NoError(t, err)
	_, err = c.supplies.Seed(ctx, points)
	require.NoError(t, err)
	from := app.Point{X: 45, Y: 72} // building 3
	src := c.supplies.Nearest("extinguisher", &from, 2)
	require.Len(t, src, 2)
	assert.Equal(t, "cab-b03", src[0].Point.ID, "the building's own cabinet first")
	assert.Equal(t, 4, src[0].Item.Quantity)
	assert.Less(t, src[0].Distance, 10.0)
	assert.Less(t, src[0].Distance, src[1].Distance)
	for _, s := range c.supplies.Nearest("first_aid", nil, 0) {
		assert.NotEqual(t, "guard-north", s.Point.ID, "an expired first-aid kit is not offered")
	}
	assert.Empty(t, c.supplies.Nearest("generator", &from, 3)[1:], "one generator in the community")
}

func TestDemoSuppliesValidate(t *testing.T) {
	points, err := assets.DemoSupplies()
	require.NoError(t, err)
	assert.GreaterOrEqual(t, len(points), 10)
	kinds := map[app.SupplyKind]bool{}
	for _, p := range points {
		require.NoError(t, p.Validate(), p.ID)
		for _, it := range p.Items {
			kinds[it.Kind] = true
		}
	}
	// The default plans' supplies can be found in the demo community.
	plans, err := assets.DefaultPlans()
	require.NoError(t, err)
	for _, pl := range plans {
		for _, s := range pl.Steps {
			for _, k := range s.Supplies {
				assert.True(t, kinds[k], "plan %s step %s needs %s, which the demo site keeps", pl.ID, s.ID, k)
			}
		}
	}
	// The demo shows one expired and one low item on its first day.
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.Local)
	var got []string
	for _, n := range app.SupplyNotices(points, now) {
		got = append(got, n.Kind+" "+n.Key)
	}
	assert.Equal(t, []string{"supply_expired guard-north.first_aid", "supply_low cab-b07.extinguisher"}, got)
}

func TestContactNetworkEditing(t *testing.T) {
	ctx := context.Background()
	c := newCommand(t)
	cs := c.contacts.Contacts()
	require.NotEmpty(t, cs)
	cs = append(cs, app.Contact{ID: "hospital", Role: "medical", Names: app.Names{Name: "区中心医院"}, Phone: "021-66001234"})
	assert.True(t, app.IsCode(c.contacts.Save(ctx, commander, cs), app.CodeForbidden))
	bad := append(append([]app.Contact(nil), cs...), app.Contact{ID: "x", Role: "wizard", Names: app.Names{Name: "x"}, Phone: "call me"})
	err := c.contacts.Save(ctx, admin, bad)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "call me is not a phone number")
	assert.Contains(t, err.Error(), "unknown role wizard")
	require.NoError(t, c.contacts.Save(ctx, admin, cs))
	assert.Len(t, c.inv.Site().Contacts, len(cs))
	assert.Equal(t, "区中心医院", c.inv.Site().Contacts[len(cs)-1].Name)
	es := c.entriesOf(t, app.SubjectSite("demo"))
	last := es[len(es)-1]
	assert.Equal(t, app.KindContactsUpdated, last.Kind)
	assert.Equal(t, "admin", last.Operator)
}
