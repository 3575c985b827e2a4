package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// The dialogs of the site's things in the test driver: a bracelet added with the person it
// belongs to, a building drawn on the map, a device in use deleted after the console said
// what it affects; the buttons only for those who may change the site.

func TestDeviceDialogAddsABraceletWithItsPersonAndEditsIt(t *testing.T) {
	c, env := newTestEnv(t, enConfig())
	signInAs(t, c, "admin")
	s := c.core.Inventory.Site()
	b := s.Buildings[0]
	at := b.Footprint.Centroid()
	e := c.showDeviceEdit(nil, &at)
	top := topDialog(t, c)
	assert.False(t, e.person.Visible(), "a smoke detector belongs to no one")
	e.kind.SetSelected("Elderly resident's bracelet")
	assert.True(t, e.person.Visible(), "a bracelet's wearer is asked for")
	e.id.SetText("bracelet-new-1")
	typeIn(e.name, "张奶奶的手环")
	e.building.set(b.ID)
	e.unit.SetText("1")
	e.floor.SetText("3")
	e.supervision.SetText("15")

	tap(findButton(top, "Save"))
	waitWrites(t, c)
	assert.NotEmpty(t, e.errs.errorOf("person"), "a bracelet needs its wearer's name")
	typeIn(e.personName, "张秀英")
	e.personPhone.SetText("not a phone")
	tap(findButton(top, "Save"))
	waitWrites(t, c)
	assert.Equal(t, "not a phone is not a phone number", e.errs.errorOf("person.phone"))
	assert.Empty(t, e.errs.errorOf("person"))
	e.personPhone.SetText("13800001111")
	e.personNote.SetText("独居，使用轮椅")
	tap(findButton(top, "Save"))
	waitFor(t, "the bracelet is added", func() bool { _, ok := c.core.Inventory.Device("bracelet-new-1"); return ok })
	d, _ := c.core.Inventory.Device("bracelet-new-1")
	require.NotNil(t, d.Person)
	assert.Equal(t, app.Person{Name: "张秀英", Phone: "13800001111", Note: "独居，使用轮椅"}, *d.Person)
	assert.Equal(t, b.ID, d.BuildingID)
	assert.Equal(t, 1, d.Unit)
	assert.Equal(t, 3, d.Floor)
	assert.Equal(t, "15m0s", d.Supervision.String())

	closeOverlays(c) // the new bracelet's credentials, shown once
	e = c.showDeviceEdit(d, nil)
	top = topDialog(t, c)
	assert.False(t, e.id.Disabled() == false, "its ID stays")
	// The wearer is shown masked, as in every list; what is left as shown keeps its value.
	assert.Equal(t, app.MaskName("张秀英"), e.personName.Text)
	assert.Equal(t, "138****1111", e.personPhone.Text)
	assert.Equal(t, "***", e.personNote.Text)
	e.personNote.SetText("独居，使用轮椅，耳背")
	tap(findButton(top, "Save"))
	waitFor(t, "the note is changed", func() bool {
		d, _ := c.core.Inventory.Device("bracelet-new-1")
		return d.Person != nil && d.Person.Note == "独居，使用轮椅，耳背"
	})
	d, _ = c.core.Inventory.Device("bracelet-new-1")
	assert.Equal(t, app.Person{Name: "张秀英", Phone: "13800001111", Note: "独居，使用轮椅，耳背"}, *d.Person, "the masked fields kept their values")
	es, err := env.Store.Query(context.Background(), app.JournalQuery{Kinds: []app.EntryKind{app.KindDeviceAdded, app.KindDeviceUpdated}, Subject: app.SubjectDevice("bracelet-new-1")})
	require.NoError(t, err)
	require.Len(t, es, 2)
	for _, en := range es {
		assert.Equal(t, "admin", en.Operator)
	}
}

func TestBuildingDrawnOnTheMapEditor(t *testing.T) {
	c := newTestConsole(t, enConfig())
	signInAs(t, c, "admin")
	c.shell.show("map")
	p, ok := c.shell.built["map"].(*mapPanel)
	require.True(t, ok)
	p.setEditing(true)
	tap(findButton(p.content, "Draw building"))
	require.True(t, p.m.drawing, "the map waits for the corners")
	g := c.core.Inventory.Site().Grids[1]
	o := g.Area.Centroid()
	p.m.r.SetDrawing([]app.Point{{X: o.X, Y: o.Y}, {X: o.X + 12, Y: o.Y}, {X: o.X + 12, Y: o.Y + 8}, {X: o.X, Y: o.Y + 8}})
	p.m.finishDrawing() // what a click on the first corner, or Enter, does

	top := topDialog(t, c)
	assert.Contains(t, visibleTexts(top), "4 corners, 96 m²")
	typeIn(formEntry(t, top, "Name"), "17号楼")
	formEntry(t, top, "Number").SetText("17")
	formEntry(t, top, "Floors").SetText("6")
	formEntry(t, top, "Units").SetText("2")
	tap(findButton(top, "Save"))
	waitFor(t, "the building is drawn", func() bool {
		for _, b := range c.core.Inventory.Site().Buildings {
			if b.Name == "17号楼" {
				return b.Floors == 6 && b.Units == 2 && b.GridID == g.ID && len(b.Footprint) == 4
			}
		}
		return false
	})
}

func TestDeletingADeviceInUseSaysWhatItAffects(t *testing.T) {
	c := newTestConsole(t, enConfig())
	signInAs(t, c, "admin")
	var dev string
	for _, sc := range c.core.Drills.Scenarios() {
		for _, in := range sc.Injections {
			if in.Device != "" && dev == "" {
				dev = in.Device
			}
		}
	}
	require.NotEmpty(t, dev)
	_, err := c.core.Desk.Raise(context.Background(), nil, app.Alarm{Kind: app.AlarmFire, Priority: app.P1, DeviceID: dev, Cause: "smoke"})
	require.NoError(t, err)

	p := inventoryOf(t, c)
	p.selectUID("device:" + dev)
	tap(findButton(p.detail, "Delete…"))
	top := topDialog(t, c)
	text := strings.Join(visibleTexts(top), " ")
	assert.Contains(t, text, "1 open alarms")
	assert.Contains(t, text, "used by drill")
	assert.NotNil(t, findButton(top, "Cancel"))
	tap(findButton(top, "Delete anyway"))
	waitFor(t, "the device is deleted", func() bool { _, ok := c.core.Inventory.Device(dev); return !ok })
	waitFor(t, "the inventory shows the site again", func() bool { return p.selected == "" })
}

func TestOnlyThoseWhoMayEditTheSiteSeeTheButtons(t *testing.T) {
	c := newTestConsole(t, enConfig())
	p := inventoryOf(t, c)
	assert.Nil(t, findButton(p.content, "Add camera"), "the duty operator does not change the site")
	p.selectUID("camera:" + c.core.Inventory.Site().Cameras[0].ID)
	assert.Nil(t, findButton(p.detail, "Delete…"))

	signInAs(t, c, "admin")
	p = inventoryOf(t, c)
	for _, b := range []string{"Add camera", "Add device", "Add building"} {
		assert.NotNil(t, findButton(p.content, b), b)
	}
	p.selectUID("camera:" + c.core.Inventory.Site().Cameras[0].ID)
	assert.NotNil(t, findButton(p.detail, "Edit…"))
	tap(findButton(p.content, "Add camera"))
	assert.NotNil(t, findButton(topDialog(t, c), "Test connection"))
}

// formEntry finds the entry of a form's field by its label, as the operator reads it.
func formEntry(t *testing.T, o fyne.CanvasObject, label string) *widget.Entry {
	t.Helper()
	var found *widget.Entry
	walk(o, func(x fyne.CanvasObject) {
		f, ok := x.(*widget.Form)
		if !ok || found != nil {
			return
		}
		for _, it := range f.Items {
			if it.Text == label {
				walk(it.Widget, func(y fyne.CanvasObject) {
					if e, ok := y.(*widget.Entry); ok && found == nil {
						found = e
					}
				})
			}
		}
	})
	require.NotNil(t, found, "the form has a field %q", label)
	return found
}

// A device added in the dialog gets broker credentials of its own, shown once (copied as
// the installer's CSV); Regenerate, confirmed, makes new ones and the old password stops
// working. Only the keyed hash is kept: reopening the dialog shows no password.
func TestDeviceDialogShowsNewCredentialsOnceAndRegenerates(t *testing.T) {
	c, _ := newTestEnv(t, enConfig())
	signInAs(t, c, "admin")
	at := c.core.Inventory.Site().Buildings[0].Footprint.Centroid()
	e := c.showDeviceEdit(nil, &at)
	top := topDialog(t, c)
	assert.Contains(t, visibleTexts(top), "Made when it is saved, and shown this once")
	e.id.SetText("smoke-new-7")
	typeIn(e.name, "新烟感")
	tap(findButton(top, "Save"))
	waitFor(t, "the credentials are shown", func() bool { return e.credentials != nil })
	require.Len(t, e.credentials.secrets, 1)
	first := e.credentials.secrets[0]
	assert.Equal(t, "smoke-new-7", first.Username)
	shown := visibleTexts(topDialog(t, c))
	assert.Contains(t, shown, first.Password, "the password is shown")
	assert.True(t, c.core.Credentials.VerifyDevice("smoke-new-7", first.Password))
	tap(findButton(topDialog(t, c), "Copy"))
	assert.Equal(t, "id,username,password\nsmoke-new-7,smoke-new-7,"+first.Password+"\n",
		fyne.CurrentApp().Clipboard().Content())
	e.credentials.d.Hide()

	d, _ := c.core.Inventory.Device("smoke-new-7")
	c.showDeviceEdit(d, nil)
	top = topDialog(t, c)
	texts := strings.Join(visibleTexts(top), "\n")
	assert.NotContains(t, texts, first.Password, "never shown again")
	assert.Contains(t, texts, "Made ")
	tap(findButton(top, "Regenerate…"))
	confirm := topDialog(t, c)
	assert.Contains(t, strings.Join(visibleTexts(confirm), " "), "smoke-new-7 is refused with its current password")
	tap(findButton(confirm, "Regenerate credentials"))
	waitFor(t, "new credentials are shown", func() bool {
		return !c.core.Credentials.VerifyDevice("smoke-new-7", first.Password)
	})
	waitFor(t, "the new password is shown", func() bool {
		for _, s := range visibleTexts(topDialog(t, c)) {
			if len(s) == 24 && s != first.Password && c.core.Credentials.VerifyDevice("smoke-new-7", s) {
				return true
			}
		}
		return false
	})
}

// An operator sees the credentials' line but may not regenerate.
func TestOnlyAdministratorsRegenerateCredentials(t *testing.T) {
	c := newTestConsole(t, enConfig())
	signInAs(t, c, "duty")
	d, _ := c.core.Inventory.Device("smoke-b03-u2-12")
	row := c.credentialsRow(d.ID)
	assert.True(t, findButton(row, "Regenerate…").Disabled())
	assert.Contains(t, visibleTexts(row), "The demo's published password (demo-<device ID>)")
}

// Adopting a device that sends without being registered gives it broker credentials of its
// own, shown once: until then it had no account (its messages came through a gateway on the
// console's account).
func TestAdoptingADeviceShowsItsNewCredentials(t *testing.T) {
	c := newTestConsole(t, enConfig())
	signInAs(t, c, "admin")
	now := time.Now()
	u := app.Reading{DeviceID: "mystery-1", Type: app.MsgEvent, Event: "x", Time: now, Received: now, Values: map[string]any{"tilt": 3.0}}
	require.NoError(t, c.core.Ingest.Handle(context.Background(), u, "watchpost/demo/mystery-1/event"))
	c.shell.show("devices")
	p := c.shell.built["devices"].(*devicePanel)
	p.Tick()
	require.Len(t, p.unreg, 1)
	p.adopt(p.unreg[0])
	tap(findButton(topDialog(t, c), "Adopt"))
	waitWrites(t, c)
	assert.Contains(t, strings.Join(visibleTexts(topDialog(t, c)), " "), "Shown this once", "the adopted device's credentials are shown")
	for _, s := range visibleTexts(topDialog(t, c)) {
		if c.core.Credentials.VerifyDevice("mystery-1", s) {
			return
		}
	}
	t.Fatal("the dialog shows no password that opens mystery-1's account")
}
