package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// Opening a dialog that edits something saved and pressing its Save without changing
// anything must change nothing: no journal entry, the same saved value, and the operator
// is told that nothing changed. Every such dialog is opened on every item of the demo
// site's data (each camera's analytics and settings, each plan with each of its steps,
// each drill scenario with each injection, each supply point, each contact, each grid,
// the background picture, and the sections of the settings panel).

// unchangedCase is one dialog opened on one saved thing.
type unchangedCase struct {
	name  string
	value func() any                    // the saved value, read from the core
	open  func() fyne.CanvasObject      // opens the dialog (or shows the section) and returns where its Save is
	press func(where fyne.CanvasObject) // presses Save (and, for nested editors, their OK first)
}

func TestSavingAnUnchangedDialogChangesNothing(t *testing.T) {
	c := newTestConsole(t, enConfig())
	c.x.Analytics = &fakeAnalytics{} // the settings then show the analytics budget
	admin := signInAs(t, c, "admin")
	ctx := context.Background()
	// A background picture, so that its dialog can be saved too.
	var pic bytes.Buffer
	require.NoError(t, png.Encode(&pic, image.NewRGBA(image.Rect(0, 0, 40, 30))))
	b := c.core.Inventory.Site().Bounds()
	require.NoError(t, c.core.Inventory.SetBackground(ctx, admin, &app.Background{Refs: [2]app.RefPair{
		{Pixel: app.Point{}, Site: app.Point{X: b.Min.X, Y: b.Max.Y}},
		{Pixel: app.Point{X: 40, Y: 30}, Site: app.Point{X: b.Max.X, Y: b.Min.Y}}}, Opacity: 0.45}, "plan.png", pic.Bytes()))

	site := c.core.Inventory.Site()
	camera := func(id string) func() any {
		return func() any { cam, _ := c.core.Inventory.Site().Camera(id); return cam }
	}
	pressLabel := func(label string) func(fyne.CanvasObject) {
		return func(where fyne.CanvasObject) {
			b := findButton(where, label)
			require.NotNil(t, b, "%q is there", label)
			tap(b)
		}
	}
	var cases []unchangedCase
	for _, cam := range site.Cameras {
		cases = append(cases,
			unchangedCase{"analytics of " + cam.ID, camera(cam.ID),
				func() fyne.CanvasObject { c.showAnalytics(cam); return topDialog(t, c) }, pressLabel("Save")},
			unchangedCase{"settings of " + cam.ID, camera(cam.ID),
				func() fyne.CanvasObject { c.showCameraSettings(cam); return topDialog(t, c) }, pressLabel("Save")})
	}
	plans := plansPanelOf(t, c)
	for _, pl := range c.core.Plans.List() {
		var ed *planEditor
		cases = append(cases, unchangedCase{"plan " + pl.ID,
			func() any { p, _ := c.core.Plans.Get(pl.ID); return p },
			func() fyne.CanvasObject { ed = plans.edit(pl, false); return topDialog(t, c) },
			func(where fyne.CanvasObject) {
				for i := range ed.pl.Steps { // each step's editor, OK with no change
					ed.editStep(i, ed.pl.Steps[i])
					pressLabel("OK")(topDialog(t, c))
				}
				pressLabel("Save plan")(where)
			}})
	}
	for _, sp := range c.core.Supplies.Points() {
		cases = append(cases, unchangedCase{"supply point " + sp.ID,
			func() any { p, _ := c.core.Supplies.Point(sp.ID); return p },
			func() fyne.CanvasObject { plans.supplies.editPoint(sp, false); return topDialog(t, c) }, pressLabel("Save")})
	}
	for i, ct := range site.Contacts {
		cases = append(cases, unchangedCase{"contact " + ct.ID,
			func() any { return c.core.Inventory.Site().Contacts },
			func() fyne.CanvasObject { plans.contacts.editContact(i); return topDialog(t, c) }, pressLabel("Save")})
	}
	c.shell.show("drills")
	drills := c.shell.built["drills"].(*drillsPanel)
	for _, sc := range c.core.Drills.Scenarios() {
		var ed *drillEditor
		cases = append(cases, unchangedCase{"drill " + sc.ID,
			func() any { s, _ := c.core.Drills.Scenario(sc.ID); return s },
			func() fyne.CanvasObject { ed = drills.edit(sc, false); return topDialog(t, c) },
			func(where fyne.CanvasObject) {
				for i := range ed.sc.Injections {
					ed.editInject(i, ed.sc.Injections[i])
					pressLabel("OK")(topDialog(t, c))
				}
				pressLabel("Save")(where)
			}})
	}
	c.shell.show("map")
	mp := c.shell.built["map"].(*mapPanel)
	for _, g := range site.Grids {
		cases = append(cases, unchangedCase{"grid " + g.ID,
			func() any { g, _ := c.core.Inventory.Site().Grid(g.ID); return g },
			func() fyne.CanvasObject { mp.editGridDialog(g, false); return topDialog(t, c) }, pressLabel("Save")})
	}
	cases = append(cases, unchangedCase{"background picture",
		func() any { return c.core.Inventory.Site().Background },
		func() fyne.CanvasObject { mp.backgroundDialog(); return topDialog(t, c) }, pressLabel("Save")})
	settingsSave := func(n int) func() fyne.CanvasObject {
		return func() fyne.CanvasObject {
			c.shell.show("settings")
			var saves []*widget.Button
			walk(c.shell.built["settings"].Object(), func(o fyne.CanvasObject) {
				if b, ok := o.(*widget.Button); ok && b.Text == "Save" {
					saves = append(saves, b)
				}
			})
			require.Len(t, saves, 2, "the broker's and the analytics budget's Save")
			return saves[n]
		}
	}
	settings := func() any { return c.core.Settings.Get() }
	cases = append(cases,
		unchangedCase{"settings: device broker", settings, settingsSave(0), func(b fyne.CanvasObject) { tap(b.(*widget.Button)) }},
		unchangedCase{"settings: analytics budget", settings, settingsSave(1), func(b fyne.CanvasObject) { tap(b.(*widget.Button)) }})

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := jsonOf(t, tc.value())
			written := c.core.Bus.Subscribe(64, func(e *app.Entry) bool { return e.Operator == admin.Username })
			defer written.Close()
			where := tc.open()
			tc.press(where)
			// The outcome is shown from the write's goroutine (the test driver runs fyne.Do
			// there): read the window only once it is shown, never while it is being changed.
			waitWrites(t, c)
			waitFor(t, "Save answers", func() bool { return len(written.C()) > 0 || saysNothingChanged(c) })
			var kinds []string
			for len(written.C()) > 0 {
				e := <-written.C()
				kinds = append(kinds, string(e.Kind)+" "+e.Subject)
			}
			assert.Empty(t, kinds, "saving with no change journals nothing")
			assert.Equal(t, before, jsonOf(t, tc.value()), "the saved value is as it was")
			assert.True(t, saysNothingChanged(c), "the operator is told that nothing changed")
			closeOverlays(c)
		})
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// saysNothingChanged reports whether the window tells that nothing changed (a notice over
// the window, or a section's own message).
func saysNothingChanged(c *Console) bool {
	var texts []string
	if top := c.win.Canvas().Overlays().Top(); top != nil {
		texts = visibleTexts(top)
	} else {
		texts = visibleTexts(c.win.Content())
	}
	return strings.Contains(strings.Join(texts, "\n"), "Nothing changed")
}

// closeOverlays closes what is left open over the window (notices, editors).
func closeOverlays(c *Console) {
	for top := c.win.Canvas().Overlays().Top(); top != nil; top = c.win.Canvas().Overlays().Top() {
		if b := findButton(top, "OK"); b != nil {
			tap(b)
		} else {
			c.win.Canvas().Overlays().Remove(top)
		}
	}
}
