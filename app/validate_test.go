package app_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

func square(x, y, s float64) app.Polygon {
	return app.Polygon{{x, y}, {x + s, y}, {x + s, y + s}, {x, y + s}}
}

func validSite() *app.Site {
	return &app.Site{
		ID: "demo", Names: app.Names{Name: "阳光花园社区", NameEn: "Sunshine Garden"},
		Boundary: square(0, 0, 100),
		Grids: []app.Grid{{ID: "g1", Names: app.Names{Name: "第一网格"}, Area: square(0, 0, 100),
			Worker: app.GridWorker{Name: "张伟", Phone: "13800138001"}}},
		Buildings: []app.Building{{ID: "b01", Names: app.Names{Name: "1号楼"}, Footprint: square(10, 10, 20), Floors: 18}},
		Cameras: []app.Camera{{ID: "cam-1", Names: app.Names{Name: "北门"}, MainURL: "rtsp://127.0.0.1:8554/cam1/main",
			Position: app.Point{X: 50, Y: 99}, Direction: 180}},
		Devices:  []app.Device{{ID: "smoke-1", Kind: app.KindSmoke, Names: app.Names{Name: "烟感"}, Position: app.Point{X: 15, Y: 15}, BuildingID: "b01"}},
		Features: []app.Feature{{ID: "road-1", Kind: app.FeatureRoad, Line: app.Polyline{{0, 50}, {100, 50}}, Width: 6}},
	}
}

func problems(err error) []string {
	var out []string
	var e *app.Error
	if errors.As(err, &e) {
		if j, ok := e.Err.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				out = append(out, x.(*app.Error).Field)
			}
			return out
		}
		return []string{e.Field}
	}
	return out
}

func TestSiteValidation(t *testing.T) {
	require.NoError(t, validSite().Validate())

	cases := map[string]struct {
		mutate func(s *app.Site)
		field  string
	}{
		"bad id":             {func(s *app.Site) { s.ID = "a/b" }, "id"},
		"no name":            {func(s *app.Site) { s.Name = " " }, "name"},
		"no boundary":        {func(s *app.Site) { s.Boundary = s.Boundary[:2] }, "boundary"},
		"flat grid":          {func(s *app.Site) { s.Grids[0].Area = app.Polygon{{0, 0}, {1, 1}, {2, 2}} }, "area"},
		"grid w/o worker":    {func(s *app.Site) { s.Grids[0].Worker.Name = "" }, "worker.name"},
		"bad phone":          {func(s *app.Site) { s.Grids[0].Worker.Phone = "call me" }, "worker.phone"},
		"duplicate building": {func(s *app.Site) { s.Buildings = append(s.Buildings, s.Buildings[0]) }, "building"},
		"unknown grid":       {func(s *app.Site) { s.Buildings[0].GridID = "g9" }, "grid"},
		"camera url":         {func(s *app.Site) { s.Cameras[0].MainURL = "http://x/y" }, "main_url"},
		"camera direction":   {func(s *app.Site) { s.Cameras[0].Direction = 360 }, "direction"},
		"unknown kind":       {func(s *app.Site) { s.Devices[0].Kind = "toaster" }, "kind"},
		"device building":    {func(s *app.Site) { s.Devices[0].BuildingID = "b99" }, "building"},
		"bracelet person":    {func(s *app.Site) { s.Devices[0].Kind = app.KindBracelet }, "person"},
		"short supervision":  {func(s *app.Site) { s.Devices[0].Supervision = app.Duration(time.Second) }, "supervision"},
		"road one point":     {func(s *app.Site) { s.Features[0].Line = s.Features[0].Line[:1] }, "line"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			s := validSite()
			c.mutate(s)
			err := s.Validate()
			require.Error(t, err)
			assert.True(t, app.IsCode(err, app.CodeInvalid))
			assert.Contains(t, problems(err), c.field, "%v", err)
		})
	}
}

func TestValidateReportsEveryProblemAtOnce(t *testing.T) {
	s := validSite()
	s.Name = ""
	s.Cameras[0].MainURL = ""
	err := s.Validate()
	require.Error(t, err)
	assert.ElementsMatch(t, []string{"name", "main_url"}, problems(err))
	assert.Contains(t, err.Error(), "A name is required")
	assert.Contains(t, err.Error(), "main stream URL is missing")
}

func TestAssignGridsFromPosition(t *testing.T) {
	s := validSite()
	s.AssignGrids()
	assert.Equal(t, "g1", s.Buildings[0].GridID)
	assert.Equal(t, "g1", s.Cameras[0].GridID)
	assert.Equal(t, "g1", s.Devices[0].GridID)
}

func TestOtherValidation(t *testing.T) {
	now := time.Now()
	r := app.Reading{DeviceID: "smoke-1", Type: app.MsgEvent, Time: now, Received: now}
	assert.NoError(t, r.Validate())
	r.Type = "gossip"
	assert.Error(t, r.Validate())
	r = app.Reading{DeviceID: "smoke-1", Type: app.MsgEvent, Time: now.Add(48 * time.Hour), Received: now}
	assert.NoError(t, r.Validate(), "a device whose clock is two days ahead is still heard (timed by our clock, its own flagged)")

	a := smokeAlarm()
	a.State, a.RaisedAt = app.AlarmNew, now
	assert.NoError(t, a.Validate())
	a.Priority = 7
	assert.Error(t, a.Validate())

	ev := app.Event{Time: now, Source: "device:smoke-1", Kind: "smoke", Priority: app.P1}
	assert.NoError(t, ev.Validate())
	ev.Source = ""
	assert.Error(t, ev.Validate())

	op := app.Operator{Username: "duty", Name: "值班员", Role: app.RoleOperator}
	assert.NoError(t, op.Validate())
	op.Role = "king"
	assert.Error(t, op.Validate())
	op = app.Operator{Username: app.SystemActor, Name: "x", Role: app.RoleAdmin}
	assert.Error(t, op.Validate(), "nobody may sign in as the system")

	in := app.Incident{Title: "3号楼火警", Level: app.LevelII, State: app.IncidentOpen, OpenedBy: "cmd", OpenedAt: now}
	assert.NoError(t, in.Validate())
	in.Progress = []app.StepProgress{{StepID: "s1", Status: app.StepSkipped}}
	assert.Error(t, in.Validate(), "a skipped step needs a reason")
	in.Progress[0].Reason = "不适用"
	in.State = app.IncidentClosed
	assert.Error(t, in.Validate(), "closing needs a summary")

	e := app.NewEntry(app.KindSignedIn, "operator:duty", "duty", nil)
	assert.NoError(t, e.Validate())
	e.Operator = ""
	assert.Error(t, e.Validate(), "every entry names who")
	e = app.Entry{Kind: "nodot", Operator: "x"}
	assert.Error(t, e.Validate())
}

func TestPlanValidation(t *testing.T) {
	pl := app.Plan{ID: "fire", Names: app.Names{Name: "火灾"}, Roles: []app.TeamRole{"guard"}, Steps: []app.Step{
		{ID: "s1", Phase: app.PhaseAlert, Title: "确认火情", Role: "guard"},
		{ID: "s2", Phase: app.PhaseRespond, Title: "疏散", Role: "guard", DependsOn: []string{"s1"}, MinLevel: app.LevelII},
	}}
	require.NoError(t, pl.Validate())
	assert.Len(t, pl.StepsAt(app.LevelIII), 1, "a level II step is not shown at level III")
	assert.Len(t, pl.StepsAt(app.LevelI), 2)

	pl.Steps[0].DependsOn = []string{"s2"}
	assert.ErrorContains(t, pl.Validate(), "circle")
	pl.Steps[0].DependsOn = []string{"s9"}
	assert.ErrorContains(t, pl.Validate(), "unknown step")
	pl.Steps[0].DependsOn = nil
	pl.Steps[1].Phase = "panic"
	assert.Error(t, pl.Validate())
}

func TestErrorsCarryCodeAndTemplate(t *testing.T) {
	err := app.Errorf(app.CodeNotFound, "There is no alarm {{.ID}}", "ID", 42)
	assert.Equal(t, "There is no alarm 42", err.Error())
	assert.Equal(t, app.CodeNotFound, app.CodeOf(err))
	wrapped := app.Errorf(app.CodeUnavailable, "The database cannot be opened").Wrap(errors.New("EACCES"))
	assert.Equal(t, "The database cannot be opened: EACCES", wrapped.Error())
	assert.Equal(t, "The database cannot be opened", wrapped.Text())
	assert.True(t, errors.Is(wrapped, &app.Error{Code: app.CodeUnavailable}))
	assert.Equal(t, app.CodeInternal, app.CodeOf(errors.New("plain")))
	assert.Equal(t, "bad {{", app.RenderTemplate("bad {{", nil), "a broken template never fails")
}

func TestDurationJSON(t *testing.T) {
	var d struct{ W app.Duration }
	require.NoError(t, json.Unmarshal([]byte(`{"W":"15m"}`), &d))
	assert.Equal(t, 15*time.Minute, d.W.D())
	require.NoError(t, json.Unmarshal([]byte(`{"W":90}`), &d))
	assert.Equal(t, 90*time.Second, d.W.D())
	assert.Error(t, json.Unmarshal([]byte(`{"W":"soon"}`), &d))
	b, _ := json.Marshal(d)
	assert.JSONEq(t, `{"W":"1m30s"}`, string(b))
}

func TestRedactURL(t *testing.T) {
	assert.Equal(t, "rtsp://admin:xxxxx@10.0.0.5:554/main", app.RedactURL("rtsp://admin:s3cret@10.0.0.5:554/main"))
	assert.Equal(t, "rtsp://10.0.0.5/main", app.RedactURL("rtsp://10.0.0.5/main"))
}

func TestPolygon(t *testing.T) {
	pg := square(0, 0, 10)
	assert.True(t, pg.Contains(app.Point{X: 5, Y: 5}))
	assert.False(t, pg.Contains(app.Point{X: 15, Y: 5}))
	assert.InDelta(t, 100, pg.Area(), 1e-9)
	assert.Equal(t, app.Point{X: 5, Y: 5}, pg.Centroid())
}

func TestCameraSees(t *testing.T) {
	c := app.Camera{Position: app.Point{X: 0, Y: 0}, Direction: 90, FOV: 60, Range: 30} // looking east
	assert.True(t, c.Sees(app.Point{X: 20, Y: 5}))
	assert.False(t, c.Sees(app.Point{X: -20, Y: 0}), "behind it")
	assert.False(t, c.Sees(app.Point{X: 10, Y: 15}), "outside the cone")
	assert.False(t, c.Sees(app.Point{X: 40, Y: 0}), "out of range")

	s := validSite()
	s.Cameras[0].Position, s.Cameras[0].Direction = app.Point{X: 15, Y: 40}, 180 // looking south at b01
	s.Devices[0].CameraIDs = nil
	a := app.Alarm{DeviceID: "smoke-1"}
	assert.Equal(t, []string{"cam-1"}, s.CamerasSeeing(&a), "found by the device's position")
	a = app.Alarm{CameraID: "cam-9"}
	assert.Equal(t, []string{"cam-9"}, s.CamerasSeeing(&a))
}

func TestWallView(t *testing.T) {
	v := app.WallView{Name: "夜班", Layout: app.Layout4, Cameras: []string{"a", "b", "c", "d", "e"}}
	require.NoError(t, v.Validate())
	assert.Equal(t, 2, v.Pages())
	v.Layout = "7"
	assert.Error(t, v.Validate())
	v.Layout, v.Tour = app.Layout9, app.Duration(time.Second)
	assert.Error(t, v.Validate())
	for _, l := range app.WallLayouts {
		assert.True(t, l.Valid())
	}
	assert.Equal(t, 8, app.LayoutFocus8.Tiles())
}

func TestNearestCameras(t *testing.T) {
	s := validSite()
	s.Cameras = append(s.Cameras,
		app.Camera{ID: "far", Names: app.Names{Name: "far"}, MainURL: "rtsp://x/y", Position: app.Point{X: 95, Y: 95}, Direction: 0},
		app.Camera{ID: "near", Names: app.Names{Name: "near"}, MainURL: "rtsp://x/y", Position: app.Point{X: 20, Y: 20}, Direction: 0})
	a := app.Alarm{DeviceID: "smoke-1"} // at (15,15), seen by none: all look north or away
	s.Cameras[0].Position = app.Point{X: 50, Y: 99}
	assert.Equal(t, []string{"near", "cam-1"}, s.NearestCameras(&a, 2), "closest first when none sees it (far is 113 m off)")
	assert.Equal(t, []string{"near"}, s.NearestCameras(&a, 1))
}
