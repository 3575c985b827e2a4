package ui

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/testkit"
)

// answeringCamera is a probe that finds a camera at its new address, as `watchpost probe`
// reports one (the probe itself is tested in video).
func answeringCamera(at string) func(context.Context, string) app.ProbeResult {
	return func(_ context.Context, url string) app.ProbeResult {
		if !strings.HasPrefix(url, at) {
			return app.ProbeResult{URL: url, Reason: app.ReasonUnreachable}
		}
		size := testkit.Main
		if strings.HasSuffix(url, "/sub") {
			size = testkit.Sub
		}
		return app.ProbeResult{URL: url, Codec: "H.264", Width: size.X, Height: size.Y, FPS: testkit.FPS, BitrateKbps: 400,
			KeyInterval: time.Second, FirstFrame: 120 * time.Millisecond, Frames: 45}
	}
}

func TestCameraSettingsTestConnectionAndSave(t *testing.T) {
	c := newTestConsole(t, enConfig())
	// The installer points the camera at its real address.
	const at = "rtsp://192.0.2.40:554/new"
	c.x.Probe = answeringCamera(at)
	admin, err := c.core.Accounts.SignIn(context.Background(), "admin", "sunshine-demo")
	require.NoError(t, err)
	c.signedIn(admin)
	site := c.core.Inventory.Site()
	cam := site.Cameras[0]
	c.showCameraSettings(cam)
	top := c.win.Canvas().Overlays().Top()
	require.NotNil(t, top)
	mainEntry, subEntry := entryWithText(top, cam.MainURL), entryWithText(top, cam.SubURL)
	require.NotNil(t, mainEntry)
	require.NotNil(t, subEntry)
	cam.MainURL, cam.SubURL = at+"/main", at+"/sub"
	mainEntry.SetText(cam.MainURL)
	subEntry.SetText(cam.SubURL + " ") // pasted with a trailing space
	tap(findButton(top, "Test sub stream"))
	require.Eventually(t, func() bool {
		testing := false // the test is over (its result shown) once its activity is hidden
		walk(top, func(o fyne.CanvasObject) {
			if _, ok := o.(*widget.Activity); ok {
				testing = true
			}
		})
		if testing {
			return false
		}
		for _, s := range visibleTexts(top) {
			if strings.HasPrefix(s, "Connected: H.264 320×180") {
				return true
			}
		}
		return false
	}, 15*time.Second, 50*time.Millisecond, "the connection test reports what it found: %v", visibleTexts(top))

	sub := c.core.Bus.Subscribe(16, func(e *app.Entry) bool { return e.Kind == app.KindCameraUpdated })
	defer sub.Close()
	save := findButton(top, "Save")
	require.NotNil(t, save, "administrators can save")
	tap(save)
	select {
	case e := <-sub.C():
		assert.Equal(t, "admin", e.Operator, "the change is journaled with who made it")
		assert.Equal(t, "camera:"+cam.ID, e.Subject)
		got, _ := c.core.Inventory.Site().Camera(cam.ID)
		assert.Equal(t, cam.SubURL, got.SubURL)
	case <-time.After(15 * time.Second): // both new addresses are tested first
		t.Fatal("no camera.updated entry")
	}
}

// entryWithText finds the entry that holds a text.
func entryWithText(o fyne.CanvasObject, text string) *widget.Entry {
	var found *widget.Entry
	walk(o, func(x fyne.CanvasObject) {
		if e, ok := x.(*widget.Entry); ok && e.Text == text && found == nil {
			found = e
		}
	})
	return found
}

// A new address that does not answer is not saved without the administrator insisting,
// and the dialog says why; the camera settings dialog opened on a copy of the camera from
// before another edit shows and keeps that edit.
func TestCameraSettingsRefuseADeadAddressUnlessTold(t *testing.T) {
	c := newTestConsole(t, enConfig())
	probed := make(chan string, 4)
	c.x.Probe = func(ctx context.Context, url string) app.ProbeResult {
		probed <- url
		return app.ProbeResult{URL: url, Reason: app.ReasonUnreachable}
	}
	admin := signInAs(t, c, "admin")
	old := c.core.Inventory.Site().Cameras[1] // a panel drew this copy
	require.NoError(t, c.core.Inventory.SetCameraAnalytics(context.Background(), admin, old.ID,
		app.CameraAnalytics{Detectors: []app.DetectorConfig{{Kind: app.DetectMotion, Enabled: true}}}))

	c.showCameraSettings(old)
	top := topDialog(t, c)
	sub := entryWithText(top, old.SubURL)
	require.NotNil(t, sub)
	sub.SetText("rtsp://192.0.2.7:554/sub")
	written := c.core.Bus.Subscribe(16, func(e *app.Entry) bool { return e.Kind == app.KindCameraUpdated })
	defer written.Close()
	tap(findButton(top, "Save"))
	waitFor(t, "the dialog says why it did not save, and offers to save anyway", func() bool {
		return strings.Contains(strings.Join(visibleTexts(top), "\n"), "Not saved: the new sub stream address does not answer") &&
			findButton(top, "Save anyway") != nil
	})
	assert.Equal(t, "rtsp://192.0.2.7:554/sub", <-probed, "the new address was tested")
	assert.Empty(t, written.C(), "nothing saved")
	require.NotNil(t, findButton(top, "Save anyway"))

	tap(findButton(top, "Save anyway"))
	select {
	case <-written.C():
	case <-time.After(15 * time.Second):
		t.Fatal("not saved")
	}
	got, _ := c.core.Inventory.Site().Camera(old.ID)
	assert.Equal(t, "rtsp://192.0.2.7:554/sub", got.SubURL)
	assert.True(t, got.Analytics.Enabled(), "the analytics saved after the copy was drawn are kept")
	assert.Empty(t, probed, "saved anyway: not tested again")
}

// The inventory shows a camera as saved now: after its address changed, the detail shows
// the new one, and its "Camera settings…" opens on it (not on the camera as first drawn).
func TestInventoryFollowsACameraEdit(t *testing.T) {
	c := newTestConsole(t, enConfig())
	admin := signInAs(t, c, "admin")
	p := inventoryOf(t, c)
	cam := c.core.Inventory.Site().Cameras[2]
	p.selectUID("camera:" + cam.ID)
	assert.Contains(t, visibleTexts(p.detail), cam.SubURL)

	require.NoError(t, c.core.Inventory.SetCameraSettings(context.Background(), admin, cam.ID,
		app.CameraSettings{Name: cam.Name, NameEn: cam.NameEn, MainURL: cam.MainURL, SubURL: "rtsp://192.0.2.8:554/sub", Direction: cam.Direction}))
	waitFor(t, "the detail shows the new address", func() bool {
		return slices.Contains(visibleTexts(p.detail), "rtsp://192.0.2.8:554/sub")
	})
	tap(findButton(p.detail, "Camera settings…"))
	assert.NotNil(t, entryWithText(topDialog(t, c), "rtsp://192.0.2.8:554/sub"), "the dialog opens on the camera as saved")
}

// A renamed camera's tiles on the wall show its new name at once.
func TestTheWallShowsARenamedCamera(t *testing.T) {
	c := newTestConsole(t, app.Config{Language: "zh-CN"})
	admin := signInAs(t, c, "admin")
	w := wallOf(t, c)
	cam := c.core.Inventory.Site().Cameras[0]
	require.NoError(t, c.core.Inventory.SetCameraSettings(context.Background(), admin, cam.ID,
		app.CameraSettings{Name: "南门全景（新）", NameEn: cam.NameEn, MainURL: cam.MainURL, SubURL: cam.SubURL, Direction: cam.Direction}))
	waitFor(t, "the tile shows the new name", func() bool {
		return get(w, func() bool {
			for _, tl := range w.tiles {
				if tl.cam != nil && tl.cam.ID == cam.ID {
					return tl.name.Text == "南门全景（新）"
				}
			}
			return false
		})
	})
}

// Numbers, times and addresses typed in pinyin's Chinese mode come with full-width
// punctuation (２２：００, 1。5, rtsp：//): they are read as what they mean.
func TestFullWidthPunctuationReadsAsASCII(t *testing.T) {
	c := newTestConsole(t, enConfig())
	c.x.Analytics = &fakeAnalytics{}
	signInAs(t, c, "admin")
	cam := c.core.Inventory.Site().Cameras[2]

	c.showCameraSettings(cam)
	top := topDialog(t, c)
	entryWithText(top, cam.SubURL).SetText("rtsp：//192。0。2。9：554/sub")
	entryWithText(top, "20").SetText("９０")
	tap(findButton(top, "Save"))
	waitFor(t, "saved", func() bool {
		got, _ := c.core.Inventory.Site().Camera(cam.ID)
		return got.SubURL == "rtsp://192.0.2.9:554/sub" && got.Direction == 90
	})

	c.showAnalytics(cam)
	top = topDialog(t, c)
	tap(findCheck(top, "Motion"))
	var from, to *widget.Entry
	walk(top, func(o fyne.CanvasObject) {
		if e, ok := o.(*widget.Entry); ok && e.PlaceHolder == "22:00" && from == nil {
			from = e
		} else if ok && e.PlaceHolder == "06:00" && to == nil {
			to = e
		}
	})
	require.NotNil(t, from)
	require.NotNil(t, to)
	from.SetText("２２：００")
	to.SetText("6：30")
	tap(findButton(top, "Save"))
	waitFor(t, "saved", func() bool {
		got, _ := c.core.Inventory.Site().Camera(cam.ID)
		return got.Analytics.Enabled()
	})
	got, _ := c.core.Inventory.Site().Camera(cam.ID)
	assert.Equal(t, app.Schedule{From: "22:00", To: "6:30"}, got.Analytics.Detectors[0].Schedule)

	c.shell.show("settings")
	var budget *widget.Entry
	walk(c.shell.built["settings"].Object(), func(o fyne.CanvasObject) {
		if e, ok := o.(*widget.Entry); ok && e.Text == "1" && budget == nil {
			budget = e
		}
	})
	require.NotNil(t, budget, "the analytics budget shows its default")
	budget.SetText("1。5")
	var saves []*widget.Button
	walk(c.shell.built["settings"].Object(), func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Save" {
			saves = append(saves, b)
		}
	})
	tap(saves[1])
	waitFor(t, "saved", func() bool { return c.core.Settings.Get().Analytics.CPUBudget == 1.5 })
}
