package app_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// The demo's cameras follow the built-in simulator to the address it listens on, each
// change journaled as the system's; a camera pointed at a real stream stays where it is.
func TestTheDemoCamerasFollowTheirSimulator(t *testing.T) {
	ctx := context.Background()
	st := newMemStore()
	inv := app.NewInventory(st, app.NewRecorder(st, app.NewBus()))
	site := loadDemoSite(t)
	real := "rtsp://admin:pw@10.0.0.21:554/Streaming/Channels/101"
	site.Cameras[1].MainURL = real // an administrator's own camera on the demo site
	require.NoError(t, inv.Seed(ctx, &site))
	before := len(st.entries)

	n, err := inv.PointDemoCameras(ctx, "127.0.0.1:18554")
	require.NoError(t, err)
	assert.Equal(t, len(site.Cameras)-1, n)
	for i, c := range inv.Site().Cameras {
		if i == 1 {
			assert.Equal(t, real, c.MainURL, "not the simulator's camera")
			assert.Equal(t, "rtsp://127.0.0.1:8554/"+c.ID+"/sub", c.SubURL)
			continue
		}
		assert.Equal(t, "rtsp://127.0.0.1:18554/"+c.ID+"/main", c.MainURL)
		assert.Equal(t, "rtsp://127.0.0.1:18554/"+c.ID+"/sub", c.SubURL)
	}
	require.Len(t, st.entries, before+n)
	for _, e := range st.entries[before:] {
		assert.Equal(t, app.KindCameraUpdated, e.Kind)
		assert.Equal(t, app.SystemActor, e.Operator)
	}

	n, err = inv.PointDemoCameras(ctx, "127.0.0.1:18554")
	require.NoError(t, err)
	assert.Zero(t, n, "already there: nothing to journal")
	assert.Len(t, st.entries, before+len(site.Cameras)-1)
}

func TestOnlyTheDemoSitesCamerasFollowTheSimulator(t *testing.T) {
	ctx := context.Background()
	st := newMemStore()
	inv := app.NewInventory(st, app.NewRecorder(st, app.NewBus()))
	site := loadDemoSite(t)
	site.Demo = false
	require.NoError(t, inv.Seed(ctx, &site))
	n, err := inv.PointDemoCameras(ctx, "127.0.0.1:18554")
	require.NoError(t, err)
	assert.Zero(t, n)
	assert.Equal(t, "rtsp://127.0.0.1:8554/"+site.Cameras[0].ID+"/main", inv.Site().Cameras[0].MainURL)
}
