package main

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/video"
	"watchpost/video/sim"
)

// A camera's new address, saved in its settings, reaches every consumer of its streams at
// once: the wall tile and the desk preview (sub stream viewers), analytics (a gray
// viewer of the sub stream), an enlarged tile (a main stream viewer) and the recorder (a
// tap of the main stream). Two simulators tell which address each stream plays: each
// consumer's picture size, and which simulator has the readers. Every change applies,
// with no other reload in between.
func TestASavedCameraAddressReachesEveryViewerAtOnce(t *testing.T) {
	quiet := slog.New(slog.DiscardHandler)
	ctx := context.Background()
	core, _ := newCore(t, "")
	bus, inv, acc := core.Bus, core.Inventory, core.Accounts
	admin, err := acc.SignIn(ctx, "admin", "sunshine-demo")
	require.NoError(t, err)

	simAt := func(w, h int) *sim.Server {
		p := sim.Profile{Width: w, Height: h, FPS: 10, BitrateKbps: 150}
		return startSimulator(t, sim.Config{Address: "127.0.0.1:0", Log: quiet, Cameras: []sim.Camera{{ID: "cam", Name: "cam"}}, Main: p, Sub: p})
	}
	a, b := simAt(320, 180), simAt(256, 144)
	width := map[*sim.Server]int{a: 320, b: 256}

	cam := inv.Site().Cameras[0]
	require.NoError(t, inv.SetCameraSettings(ctx, admin, cam.ID, app.CameraSettings{Name: cam.Name, NameEn: cam.NameEn,
		MainURL: a.URL("cam", "main"), SubURL: a.URL("cam", "sub"), Direction: cam.Direction}))
	feeds := video.NewFeeds(inv.Site().Cameras, video.Config{}, nil, nil)
	runFeeds(t, feeds, app.Part{Name: "camera-settings", Label: "Camera settings", Runner: followCameras(bus, inv, feeds.SetCameras)})

	viewers := map[string]app.Viewer{}
	for name, open := range map[string]func() (app.Viewer, error){
		"wall tile":     func() (app.Viewer, error) { return feeds.Watch(cam.ID, false, 64, 36) },
		"desk preview":  func() (app.Viewer, error) { return feeds.Watch(cam.ID, false, 96, 54) },
		"analytics":     func() (app.Viewer, error) { return feeds.WatchGray(cam.ID, 64, 36, 5) },
		"enlarged tile": func() (app.Viewer, error) { return feeds.Watch(cam.ID, true, 160, 90) },
	} {
		v, err := open()
		require.NoError(t, err)
		t.Cleanup(v.Close)
		viewers[name] = v
	}
	tap, err := feeds.Tap(cam.ID, true) // the recorder
	require.NoError(t, err)
	t.Cleanup(tap.Close)
	go func() {
		for range tap.Packets() {
		}
	}()

	plays := func(on *sim.Server) func() bool {
		return func() bool {
			for _, v := range viewers {
				select {
				case f := <-v.Frames():
					f.Release()
				default:
				}
				if st := v.Status(); st.State != app.StreamPlaying || st.Width != width[on] {
					return false
				}
			}
			other := a
			if on == a {
				other = b
			}
			return on.Readers("/cam/main") == 1 && on.Readers("/cam/sub") == 1 &&
				other.Readers("/cam/main") == 0 && other.Readers("/cam/sub") == 0
		}
	}
	require.Eventually(t, plays(a), 20*time.Second, 20*time.Millisecond, "the first address plays")
	for i, to := range []*sim.Server{b, a, b} {
		cur, _ := inv.Site().Camera(cam.ID)
		require.NoError(t, inv.SetCameraSettings(ctx, admin, cam.ID, app.CameraSettings{Name: cur.Name, NameEn: cur.NameEn,
			MainURL: to.URL("cam", "main"), SubURL: to.URL("cam", "sub"), Direction: cur.Direction}))
		require.Eventually(t, plays(to), 20*time.Second, 20*time.Millisecond,
			"change %d: every viewer, the recorder and analytics play the saved address", i+1)
	}
}
