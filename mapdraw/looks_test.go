package mapdraw

import (
	"image"
	"image/color"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

func centre(img *image.RGBA, r image.Rectangle) color.RGBA {
	c := r.Min.Add(r.Size().Div(2))
	return img.RGBAAt(c.X, c.Y)
}

func TestAlarmsBlinkOnTheirMarkerAndGridUntilAcknowledged(t *testing.T) {
	site := demoSite(t)
	d, _ := site.Device("smoke-b03-u2-12")
	key := "device:" + d.ID
	r := fitted(site, 1200, 900, Options{})
	r.Render()
	m, _ := r.Marker(key)
	assert.Equal(t, LookNormal, m.Look)
	normal := centre(r.Image(), m.Rect)

	// A new P1 and an acknowledged P3 on the same device: the new one shows.
	open := []app.Alarm{
		{ID: 1, Priority: app.P1, State: app.AlarmNew, DeviceID: d.ID},
		{ID: 2, Priority: app.P3, State: app.AlarmAcknowledged, DeviceID: d.ID},
	}
	lk := LooksOf(site, open)
	assert.Equal(t, int64(1), lk.AlarmOf[key].ID)
	assert.Len(t, lk.Grids[d.GridID], 2, "the grid takes its devices' alarms")
	assert.Equal(t, GridMark{Prio: app.P1, Blink: true}, lk.Marks[d.GridID])
	r.SetBlinkOn(true)
	rects := r.ShowLooks(lk, nil)
	require.NotEmpty(t, rects)
	r.Redraw(rects)
	m, _ = r.Marker(key)
	assert.Equal(t, LookBlink, m.Look)
	assert.True(t, r.Blinking())
	bright := centre(r.Image(), m.Rect)
	assert.NotEqual(t, normal, bright, "the marker shows its alarm")

	// A blink draws again only the blinking marker and grid, not the whole map.
	r.Blink()
	st := r.Stats()
	assert.Less(t, st.Pixels, 1200*900/3)
	assert.Less(t, st.Markers, len(site.Devices)+len(site.Cameras))
	assert.NotEqual(t, bright, centre(r.Image(), m.Rect), "the marker changes with the phase")

	// Acknowledged: steady, and nothing blinks.
	open[0].State = app.AlarmAcknowledged
	r.Redraw(r.ShowLooks(LooksOf(site, open), nil))
	m, _ = r.Marker(key)
	assert.Equal(t, LookAlarm, m.Look)
	assert.Equal(t, app.P1, m.Prio)
	assert.Equal(t, GridMark{Prio: app.P1}, r.GridMarks()[d.GridID])
	assert.False(t, r.Blinking())
	r.Blink()
	assert.Zero(t, r.Stats().Pixels, "a blink with nothing blinking draws nothing")

	// Resolved and offline: grey, and no grid marked.
	r.Redraw(r.ShowLooks(LooksOf(site, nil), func(k string) bool { return k == key }))
	m, _ = r.Marker(key)
	assert.Equal(t, LookOffline, m.Look)
	assert.Empty(t, r.GridMarks())
	assert.Empty(t, r.ShowLooks(LooksOf(site, nil), func(k string) bool { return k == key }), "nothing changed, nothing to draw")

	// In maintenance: its own look, over offline (that is why it is silent), and a test
	// looks apart again.
	muted := LooksOf(site, nil)
	muted.Muted = map[string]Look{key: LookMaintenance}
	r.Redraw(r.ShowLooks(muted, func(k string) bool { return k == key }))
	m, _ = r.Marker(key)
	assert.Equal(t, LookMaintenance, m.Look)
	inMaint := centre(r.Image(), m.Rect)
	muted.Muted[key] = LookTest
	r.Redraw(r.ShowLooks(muted, nil))
	m, _ = r.Marker(key)
	assert.Equal(t, LookTest, m.Look)
	assert.NotEqual(t, inMaint, centre(r.Image(), m.Rect))

	// Back in the same state, the picture is the same as a full drawing of it.
	r.Redraw(r.ShowLooks(LooksOf(site, nil), nil))
	once := append([]uint8(nil), r.Image().Pix...)
	r.Invalidate()
	r.Render()
	assert.Equal(t, once, r.Image().Pix, "drawing parts again leaves the picture a full drawing makes")
}

func TestAChangedPlanKeepsTheLooksAndTheView(t *testing.T) {
	site := demoSite(t)
	d, _ := site.Device("smoke-b03-u2-12")
	r := fitted(site, 800, 600, Options{})
	r.SetLook("device:"+d.ID, LookAlarm, app.P2)
	r.Select("device:" + d.ID)
	v := r.View()
	r.Render()

	next := *site
	next.Devices = append([]app.Device(nil), site.Devices...)
	for i := range next.Devices {
		if next.Devices[i].ID == d.ID {
			next.Devices[i].Position.X += 10
		}
	}
	r.SetSite(&next)
	r.Render()
	m, ok := r.Marker("device:" + d.ID)
	require.True(t, ok)
	assert.Equal(t, LookAlarm, m.Look)
	assert.Equal(t, app.P2, m.Prio)
	assert.InDelta(t, d.Position.X+10, m.Pos.X, 1e-9, "at its new place")
	assert.Equal(t, v, r.View())
	assert.Equal(t, "device:"+d.ID, r.Selected())
	q := v.Px(m.Pos)
	assert.Equal(t, "device:"+d.ID, r.KeyAt(float64(q.X), float64(q.Y)), "found where it is now")
}
