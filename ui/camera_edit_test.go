package ui

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/testkit"
)

// A camera added in the console plays on the wall: typed in the camera dialog, saved as
// the administrator (journaled without its password), it is on the wall's first empty tile
// and its tile receives frames from the feeds, which follow the site as the console's do.
func TestCameraAddedInTheDialogPlaysOnTheWall(t *testing.T) {
	c, env := newTestEnv(t, enConfig())
	feeds, ok := c.x.Feeds.(*testkit.Feeds)
	require.True(t, ok)
	testkit.RunPart(t, app.FollowCameras(c.core.Bus, c.core.Inventory, feeds.SetCameras))
	signInAs(t, c, "admin")
	w := wallOf(t, c)
	before := len(siteCameraIDs(c))

	e := c.showCameraEdit(nil, nil)
	require.NotNil(t, e)
	top := topDialog(t, c)
	e.id.SetText("cam-east-new")
	typeIn(e.name, "东门新装")
	typeIn(e.mainURL, "rtsp://192.0.2.50:554/main")
	typeIn(e.user, "admin")
	typeIn(e.password, "pw-Secret9")
	e.x.SetText("40")
	e.y.SetText("60")
	tap(findButton(top, "Save"))

	waitFor(t, "the camera is in the site", func() bool { _, ok := c.core.Inventory.Site().Camera("cam-east-new"); return ok })
	assert.Len(t, siteCameraIDs(c), before+1)
	waitFor(t, "the new camera is on the wall", func() bool {
		for _, id := range pageCameras(w) {
			if id == "cam-east-new" {
				return true
			}
		}
		return false
	})
	tl := get(w, func() *tile {
		for _, t := range w.tiles {
			if t.cam != nil && t.cam.ID == "cam-east-new" {
				return t
			}
		}
		return nil
	})
	require.NotNil(t, tl)
	waitPlaying(t, w, tl)

	es, err := env.Store.Query(context.Background(), app.JournalQuery{Kinds: []app.EntryKind{app.KindCameraAdded}})
	require.NoError(t, err)
	require.Len(t, es, 1)
	assert.Equal(t, "admin", es[0].Operator)
	assert.NotContains(t, string(es[0].Data), "pw-Secret9", "the journal never carries the password")
	cam, _ := c.core.Inventory.Site().Camera("cam-east-new")
	assert.Equal(t, "rtsp://admin:pw-Secret9@192.0.2.50:554/main", cam.MainURL, "the store keeps it for the feeds")

	// Edited, the dialog shows the user but never the password; left blank, it is kept.
	e = c.showCameraEdit(cam, nil)
	top = topDialog(t, c)
	assert.Nil(t, entryWithText(top, "pw-Secret9"), "the password is not shown back")
	assert.Equal(t, "admin", e.user.Text)
	assert.Equal(t, "rtsp://192.0.2.50:554/main", e.mainURL.Text)
	e.name.SetText("东门")
	tap(findButton(top, "Save"))
	waitFor(t, "renamed", func() bool { c2, _ := c.core.Inventory.Site().Camera("cam-east-new"); return c2.Name == "东门" })
	cam, _ = c.core.Inventory.Site().Camera("cam-east-new")
	assert.Equal(t, "rtsp://admin:pw-Secret9@192.0.2.50:554/main", cam.MainURL, "a blank password keeps the saved one")
}

// What the core refuses shows under its field, and nothing is written; "Test connection"
// says what the camera answered.
func TestCameraDialogShowsErrorsOnTheFieldsAndTestsTheConnection(t *testing.T) {
	c := newTestConsole(t, enConfig())
	const at = "rtsp://192.0.2.40:554/new"
	c.x.Probe = answeringCamera(at)
	signInAs(t, c, "admin")
	e := c.showCameraEdit(nil, &app.Point{X: 40, Y: 60})
	top := topDialog(t, c)
	e.mainURL.SetText("http://192.0.2.40/new")
	e.direction.SetText("north")
	tap(findButton(top, "Save"))
	assert.Contains(t, e.errs.errorOf("direction"), "north is not a number")
	assert.Equal(t, "40", e.x.Text, "the place clicked on the map is in the fields")

	e.direction.SetText("90")
	tap(findButton(top, "Save"))
	waitWrites(t, c)
	assert.Equal(t, "A name is required", e.errs.errorOf("name"))
	assert.Contains(t, e.errs.errorOf("main_url"), "must start with rtsp://")
	assert.Empty(t, e.errs.errorOf("direction"))
	_, added := c.core.Inventory.Site().Camera(e.id.Text)
	assert.False(t, added, "nothing saved")
	assert.NotNil(t, c.win.Canvas().Overlays().Top(), "the dialog stays open with what was typed")

	e.mainURL.SetText(at + "/main")
	tap(e.testBtn)
	waitFor(t, "the test says what it found", func() bool { return strings.HasPrefix(e.probe.Text, "Connected: H.264 640×360") })
}
