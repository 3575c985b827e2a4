package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// `watchpost alarms` reads each alarm from its facts: the text names the place and says
// which alarms are drills; --json keeps the kind and its parameters.
func TestAlarmsCommandDescribesCausesAndMarksDrills(t *testing.T) {
	ctx := context.Background()
	g := newRecRig(t, app.RecordingConfig{}, false)
	crowd := app.Alarm{Kind: app.AlarmCrowd, Priority: app.P3, CameraID: "cam1", Drill: true}
	crowd.SetParam(app.ParamCount, "4")
	_, err := g.core.Desk.Raise(ctx, nil, crowd)
	require.NoError(t, err)
	real := app.Alarm{Kind: app.AlarmIntrusion, Priority: app.P2, CameraID: "cam2"}
	real.SetParam(app.ParamZoneName, "草坪")
	real.SetParam(app.ParamZoneNameEn, "Lawn")
	_, err = g.core.Desk.Raise(ctx, nil, real)
	require.NoError(t, err)

	out, errOut, code := cli(t, nil, "alarms", "--data", g.dir)
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 2, out)
	var drillLine, realLine string
	for _, l := range lines {
		if strings.Contains(l, "Crowd") {
			drillLine = l
		} else {
			realLine = l
		}
	}
	assert.Contains(t, drillLine, "DRILL")
	assert.Contains(t, drillLine, "Crowd gathering: cam1 (4 people)")
	assert.NotContains(t, realLine, "DRILL")
	assert.Contains(t, realLine, "Intrusion: cam2 (Zone Lawn)")

	out, errOut, code = cli(t, nil, "alarms", "--json", "--data", g.dir)
	require.Equal(t, 0, code, errOut)
	var alarms []app.Alarm
	require.NoError(t, json.Unmarshal([]byte(out), &alarms))
	require.Len(t, alarms, 2)
	for _, a := range alarms {
		if a.Kind == app.AlarmCrowd {
			assert.True(t, a.Drill)
			assert.Equal(t, "4", a.Params["count"])
			assert.Empty(t, a.Cause, "no sentence: the kind and parameters")
		}
	}
}
