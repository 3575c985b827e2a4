package app_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// fields returns the fields an error's problems name.
func fields(err error) []string {
	var e *app.Error
	if !errors.As(err, &e) {
		return nil
	}
	if j, ok := e.Err.(interface{ Unwrap() []error }); ok && e.Field == "" {
		var out []string
		for _, x := range j.Unwrap() {
			out = append(out, fields(x)...)
		}
		return out
	}
	return []string{e.Field}
}

func TestReportBecomesAnAlarmOfItsBuilding(t *testing.T) {
	site := loadDemoSite(t)
	b := site.Buildings[2]
	r := app.Report{Kind: app.AlarmGasLeak, Priority: app.ReportPriority(app.AlarmGasLeak), BuildingID: b.ID, Unit: 2,
		Caller: "王先生", Phone: "138 0013 8000", Said: "  楼道里有很重的煤气味  "}
	a, err := r.Alarm(&site)
	require.NoError(t, err)
	assert.Equal(t, app.P1, a.Priority, "a gas leak is P1 unless the operator says otherwise")
	assert.True(t, a.Reported)
	assert.Equal(t, b.ID, a.Building)
	assert.Equal(t, b.GridID, a.GridID, "the building's grid: the desk's grid filter finds it")
	require.NotNil(t, a.Position, "placed on the map at the building")
	assert.True(t, b.Footprint.Contains(*a.Position))
	assert.Equal(t, "2", a.Param(app.ParamUnit))
	assert.Equal(t, "王先生", a.Param(app.ParamCaller))
	assert.Equal(t, "138 0013 8000", a.Param(app.ParamCallerPhone))
	assert.Equal(t, "楼道里有很重的煤气味", a.Param(app.ParamSaid))

	desc := a.Describe(&site, false, app.RenderTemplate)
	assert.Contains(t, desc, "Gas leak: "+b.Name)
	assert.Contains(t, desc, "Unit 2")
	assert.Contains(t, desc, "Reported by 王先生, 138 0013 8000")
	assert.Contains(t, desc, "“楼道里有很重的煤气味”")
}

func TestReportAtAPointFindsItsGrid(t *testing.T) {
	site := loadDemoSite(t)
	g := site.Grids[1]
	at := g.Area.Centroid()
	a, err := app.Report{Kind: app.AlarmFight, Priority: app.P2, Position: &at, Said: "广场上有人打架"}.Alarm(&site)
	require.NoError(t, err)
	assert.Equal(t, g.ID, a.GridID)
	assert.Equal(t, at, *a.Position)
	assert.Contains(t, a.Describe(&site, true, app.RenderTemplate), "Reported by an anonymous caller")
}

func TestReportProblemsNameTheirFields(t *testing.T) {
	site := loadDemoSite(t)
	_, err := app.Report{}.Alarm(&site)
	require.Error(t, err)
	assert.ElementsMatch(t, []string{"kind", "priority", "place", "said"}, fields(err))

	_, err = app.Report{Kind: app.AlarmTheft, Priority: app.P2, BuildingID: "no-such", Said: "x"}.Alarm(&site)
	assert.Equal(t, []string{"place"}, fields(err))
	b := site.Buildings[0]
	_, err = app.Report{Kind: app.AlarmTheft, Priority: app.P2, BuildingID: b.ID, Unit: b.Units + 1, Said: "x"}.Alarm(&site)
	assert.Equal(t, []string{"place"}, fields(err), "a unit the building does not have")
	_, err = app.Report{Kind: app.AlarmTheft, Priority: app.P2, BuildingID: b.ID, Phone: "call me", Said: "x"}.Alarm(&site)
	assert.Equal(t, []string{"caller"}, fields(err))
	_, err = app.Report{Kind: "smoke-ish", Priority: app.P2, BuildingID: b.ID, Said: "x"}.Alarm(&site)
	assert.Equal(t, []string{"kind"}, fields(err))
}

func TestSplitCaller(t *testing.T) {
	for _, c := range []struct{ in, name, phone string }{
		{"王先生 13800138000", "王先生", "13800138000"},
		{"王先生13800138000", "王先生", "13800138000"},
		{"13800138000 王先生", "王先生", "13800138000"},
		{"Mrs Li, +86 138-0013-8000", "Mrs Li", "+86 138-0013-8000"},
		{"13800138000", "", "13800138000"},
		{"3号楼 李阿姨", "3号楼 李阿姨", ""},
		{"  ", "", ""},
		{"110", "110", ""}, // too short to be a caller's number
	} {
		name, phone := app.SplitCaller(c.in)
		assert.Equal(t, c.name, name, c.in)
		assert.Equal(t, c.phone, phone, c.in)
	}
}

// Two callers reporting the same kind of thing are two reports: the second's words are
// kept, never folded into the first as a repeat (a device's repeats are).
func TestTwoReportsAreTwoAlarms(t *testing.T) {
	ctx := context.Background()
	site := loadDemoSite(t)
	d, _, _, clk := newDesk(t)
	b := site.Buildings[0]
	first, err := app.Report{Kind: app.AlarmFire, Priority: app.P1, BuildingID: b.ID, Caller: "张", Said: "冒烟了"}.Alarm(&site)
	require.NoError(t, err)
	a1, err := d.Raise(ctx, duty, first)
	require.NoError(t, err)
	clk.Add(1e9)
	second, err := app.Report{Kind: app.AlarmFire, Priority: app.P1, BuildingID: b.ID, Caller: "李", Said: "五楼有火"}.Alarm(&site)
	require.NoError(t, err)
	a2, err := d.Raise(ctx, duty, second)
	require.NoError(t, err)
	assert.NotEqual(t, a1.ID, a2.ID)
	assert.Zero(t, a2.Repeats)
	assert.Len(t, d.Open(), 2)

	_, err = d.Raise(ctx, trainer, second)
	assert.True(t, app.IsCode(err, app.CodeForbidden), "a trainer does not log reports: %v", err)
}
