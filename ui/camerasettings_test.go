package ui

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/video"
	"watchpost/video/sim"
)

func TestCameraSettingsTestConnectionAndSave(t *testing.T) {
	c := newTestConsole(t, enConfig())
	c.deps.Probe = func(ctx context.Context, url string) app.ProbeResult {
		return video.Probe(ctx, url, false, time.Second)
	}
	admin, err := c.deps.Accounts.SignIn(context.Background(), "admin", "sunshine-demo")
	require.NoError(t, err)
	c.signedIn(admin)
	site := c.deps.Inventory.Site()
	cam := site.Cameras[0]
	// The installer points the camera at its real address (here a simulator).
	s, err := sim.Start(sim.Config{Address: "127.0.0.1:0", Cameras: []sim.Camera{{ID: "new"}}, Main: testMain, Sub: testSub,
		Log: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	defer s.Close()
	cam.MainURL, cam.SubURL = s.URL("new", "main"), s.URL("new", "sub")

	c.showCameraSettings(cam)
	top := c.win.Canvas().Overlays().Top()
	require.NotNil(t, top)
	test.Tap(findButton(top, "Test sub stream"))
	require.Eventually(t, func() bool {
		for _, s := range visibleTexts(top) {
			if strings.HasPrefix(s, "Connected: H.264 320×180") {
				return true
			}
		}
		return false
	}, 15*time.Second, 50*time.Millisecond, "the connection test reports what it found: %v", visibleTexts(top))

	sub := c.deps.Bus.Subscribe(16, func(e *app.Entry) bool { return e.Kind == app.KindCameraUpdated })
	defer sub.Close()
	save := findButton(top, "Save")
	require.NotNil(t, save, "administrators can save")
	test.Tap(save)
	select {
	case e := <-sub.C():
		assert.Equal(t, "admin", e.Operator, "the change is journaled with who made it")
		assert.Equal(t, "camera:"+cam.ID, e.Subject)
		got, _ := c.deps.Inventory.Site().Camera(cam.ID)
		assert.Equal(t, cam.SubURL, got.SubURL)
	case <-time.After(15 * time.Second):
		t.Fatal("no camera.updated entry")
	}
}
