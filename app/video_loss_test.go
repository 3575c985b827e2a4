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

// What marks the camera wall: events in the community do, faults of the system do not (a
// supply expired, a device offline), except a camera's own video loss on its own tile. P1
// and P2 flash until acknowledged; P3 and P4 only for their first moments.
func TestWhatTheWallShows(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	crowd := app.Alarm{Kind: app.AlarmCrowd, Priority: app.P3, State: app.AlarmNew, CameraID: "gate", RaisedAt: now}
	assert.True(t, crowd.OnWall())
	assert.True(t, crowd.Flashing(now.Add(10*time.Second)))
	assert.False(t, crowd.Flashing(now.Add(app.LowPriorityFlash)), "a P3 stops flashing; its border stays")
	crowd.Repeats, crowd.LastAt = 3, now.Add(time.Minute)
	assert.False(t, crowd.Flashing(now.Add(61*time.Second)), "a repeat does not flash it again")
	fire := app.Alarm{Kind: app.AlarmFire, Priority: app.P1, State: app.AlarmNew, RaisedAt: now}
	assert.True(t, fire.Flashing(now.Add(time.Hour)), "a P1 flashes until acknowledged")
	fire.State = app.AlarmAcknowledged
	assert.False(t, fire.Flashing(now))
	supply := app.Alarm{Kind: app.AlarmSupplyExpired, Priority: app.P4, Fault: true, Position: &app.Point{X: 10, Y: 10}}
	assert.False(t, supply.OnWall(), "a maintenance notice does not touch the wall")
	offline := app.Alarm{Kind: app.AlarmOffline, Priority: app.P3, Fault: true, DeviceID: "smoke-1"}
	assert.False(t, offline.OnWall())
	lost := app.Alarm{Kind: app.AlarmCameraOffline, Priority: app.P3, Fault: true, CameraID: "gate", Position: &app.Point{X: 10, Y: 10}}
	assert.True(t, lost.OnWall())
	site := &app.Site{Cameras: []app.Camera{
		{ID: "gate", Position: app.Point{X: 10, Y: 10}}, {ID: "other", Position: app.Point{X: 12, Y: 10}, Direction: 270}}}
	assert.Equal(t, []string{"gate"}, site.CamerasSeeing(&lost), "only the camera that lost its video")
}
