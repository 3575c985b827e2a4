package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// A received camera without video past its grace time raises one video-loss alarm (P3 by
// default, per camera otherwise); its picture coming back resolves it. A camera nobody
// receives says nothing.
func TestVideoLossRaisesAfterTheGraceTimeAndClearsWhenThePictureIsBack(t *testing.T) {
	ctx := context.Background()
	desk, st, bus, clk := newDesk(t)
	site := validSite()
	site.Cameras = []app.Camera{
		{ID: "gate", Names: app.Names{Name: "南门"}, MainURL: "rtsp://10.0.0.1/main", Position: app.Point{X: 10, Y: 10}},
		{ID: "vault", Names: app.Names{Name: "机房"}, MainURL: "rtsp://10.0.0.2/main", Position: app.Point{X: 20, Y: 20},
			VideoLossAfter: app.Duration(10 * time.Second), VideoLossPriority: app.P2},
	}
	st.site = site
	inv := app.NewInventory(st, app.NewRecorder(st, bus))
	require.NoError(t, inv.Load(ctx))
	v := app.NewVideoLoss(desk, inv, bus, clk, 0, nil)

	status := func(cam string, s app.StreamState) {
		v.Observe(ctx, app.StreamStatus{CameraID: cam, State: s}, clk.Now())
	}
	open := func(cam string) []app.Alarm {
		var out []app.Alarm
		for _, a := range desk.Open() {
			if a.Kind == app.AlarmCameraOffline && a.CameraID == cam {
				out = append(out, a)
			}
		}
		return out
	}

	status("gate", app.StreamConnecting)
	status("gate", app.StreamPlaying)
	status("vault", app.StreamPlaying)
	status("gate", app.StreamFailed)
	status("vault", app.StreamFailed)
	clk.Add(11 * time.Second)
	v.Check(ctx)
	assert.Empty(t, open("gate"), "the site's default grace is a minute")
	got := open("vault")
	require.Len(t, got, 1, "this camera's own grace is 10 s")
	assert.Equal(t, app.P2, got[0].Priority, "at its own priority")
	assert.True(t, got[0].Fault)

	clk.Add(50 * time.Second)
	v.Check(ctx)
	got = open("gate")
	require.Len(t, got, 1)
	assert.Equal(t, app.P3, got[0].Priority)
	assert.Equal(t, "61", got[0].Param(app.ParamOffline), "seconds without video")
	v.Check(ctx)
	assert.Len(t, open("gate"), 1, "raised once")

	status("gate", app.StreamConnecting) // reconnecting: still no picture
	v.Check(ctx)
	assert.Len(t, open("gate"), 1)
	status("gate", app.StreamPlaying)
	assert.Empty(t, open("gate"), "the picture is back: resolved")
	resolved, err := desk.Get(ctx, got[0].ID)
	require.NoError(t, err)
	assert.Equal(t, app.OutcomeCleared, resolved.Outcome)

	status("vault", app.StreamIdle) // nobody receives it any more
	clk.Add(time.Hour)
	v.Check(ctx)
	assert.Len(t, open("vault"), 1, "not resolved: nobody knows whether it works")
}
