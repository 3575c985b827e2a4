package main

import (
	"context"
	"log/slog"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/assets"
	"watchpost/store"
	"watchpost/video"
	"watchpost/video/sim"
)

// A camera's new address, saved in its settings, reaches the tile that plays it at once:
// the same viewer shows the new stream (two simulators of different picture sizes tell
// which one plays), every time it is changed, with no other reload in between.
func TestASavedCameraAddressReachesItsViewerAtOnce(t *testing.T) {
	quiet := slog.New(slog.DiscardHandler)
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), store.FileName), store.Options{Log: quiet})
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	bus := app.NewBus()
	rec := app.NewRecorder(st, bus)
	inv := app.NewInventory(st, rec)
	acc := app.NewAccounts(st, rec, app.SystemClock{})
	acc.Cost = 4
	site, err := assets.DemoSite()
	require.NoError(t, err)
	accounts, err := assets.DemoAccounts()
	require.NoError(t, err)
	require.NoError(t, app.SeedDemo(ctx, inv, acc, site, accounts))
	admin, err := acc.SignIn(ctx, "admin", "sunshine-demo")
	require.NoError(t, err)

	simAt := func(sub sim.Profile) *sim.Server {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := l.Addr().String()
		l.Close()
		s, err := sim.Start(sim.Config{Address: addr, Log: quiet, Cameras: []sim.Camera{{ID: "cam", Name: "cam"}},
			Main: sim.Profile{Width: 320, Height: 180, FPS: 10, BitrateKbps: 200}, Sub: sub})
		require.NoError(t, err)
		t.Cleanup(s.Close)
		return s
	}
	a := simAt(sim.Profile{Width: 320, Height: 180, FPS: 10, BitrateKbps: 150})
	b := simAt(sim.Profile{Width: 256, Height: 144, FPS: 10, BitrateKbps: 150})

	cam := inv.Site().Cameras[0]
	cam.MainURL, cam.SubURL = a.URL("cam", "main"), a.URL("cam", "sub")
	require.NoError(t, inv.UpdateCamera(ctx, admin, cam))
	feeds := video.NewFeeds(inv.Site().Cameras, video.Config{}, nil, nil)
	t.Cleanup(feeds.Close)
	stop := followCameras(bus, inv, feeds)
	t.Cleanup(stop)

	v, err := feeds.Watch(cam.ID, false, 64, 36)
	require.NoError(t, err)
	defer v.Close()
	plays := func(width int) func() bool {
		return func() bool {
			select {
			case f := <-v.Frames():
				f.Release()
			default:
			}
			st := v.Status()
			return st.State == app.StreamPlaying && st.Width == width
		}
	}
	require.Eventually(t, plays(320), 15*time.Second, 20*time.Millisecond, "the first address plays")
	for i, to := range []*sim.Server{b, a, b, a} {
		cam, _ := inv.Site().Camera(cam.ID)
		next := *cam
		next.SubURL = to.URL("cam", "sub")
		require.NoError(t, inv.UpdateCamera(ctx, admin, next))
		want := 320
		if to == b {
			want = 256
		}
		require.Eventually(t, plays(want), 15*time.Second, 20*time.Millisecond, "change %d: the viewer plays the saved address", i+1)
	}
}
