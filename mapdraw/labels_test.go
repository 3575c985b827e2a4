package mapdraw

import (
	"image"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// measure stands in for a font: every character is 0.6 of the size wide (a CJK one
// 1.0), a line 1.3 of it high.
func measure(dpi float64) Measure {
	return func(text string, size float32, bold bool) (int, int) {
		w := 0.0
		for _, ch := range text {
			if ch > 0x2e80 {
				w += float64(size)
			} else {
				w += 0.6 * float64(size)
			}
		}
		if bold {
			w *= 1.05
		}
		return int(w*dpi + 0.5), int(1.3*float64(size)*dpi + 0.5)
	}
}

func TestNamesDoNotPileUp(t *testing.T) {
	site := demoSite(t)
	r := fitted(site, 900, 620, Options{})
	// Zoomed out until there are more names than room for them.
	r.SetView(r.View().ZoomAt(0.7, 450, 310))
	r.Render()
	scaleBar := image.Rect(0, 560, 180, 620)
	for _, english := range []bool{true, false} {
		cands := r.Labels(english)
		placed := r.PlaceLabels(english, measure(r.DPI()), 400, scaleBar)
		require.NotEmpty(t, placed)
		assert.Less(t, len(placed), len(cands), "some names make way")
		grids := 0
		for i, l := range placed {
			assert.True(t, l.R.In(r.Image().Rect), "%s is in view", l.Text)
			for _, o := range placed[i+1:] {
				assert.False(t, l.R.Overlaps(o.R), "%s overlaps %s", l.Text, o.Text)
			}
			if l.Prio == LabelGrid {
				grids++
				continue
			}
			assert.False(t, l.R.Overlaps(scaleBar), "%s keeps clear of the scale bar", l.Text)
			for _, d := range r.markerDiscs() {
				assert.False(t, l.R.Overlaps(d), "%s is not over a marker", l.Text)
			}
		}
		assert.Equal(t, len(site.Grids), grids, "every grid keeps its name")
	}
	g, _ := site.Grid("g2")
	names := map[string]bool{}
	for _, l := range r.PlaceLabels(false, measure(1), 400) {
		names[l.Text] = true
	}
	assert.True(t, names[g.Display(false)], "in Chinese the grid is %s", g.Display(false))
}

func TestAnAlarmsNameAlwaysShowsInItsColour(t *testing.T) {
	site := demoSite(t)
	pal := LightPalette()
	r := fitted(site, 900, 620, Options{Palette: pal})
	d, _ := site.Device("smoke-b03-u2-12")
	r.ShowLooks(LooksOf(site, []app.Alarm{{ID: 1, Priority: app.P2, State: app.AlarmAcknowledged, DeviceID: d.ID}}), nil)
	r.Render()
	var found *PlacedLabel
	placed := r.PlaceLabels(true, measure(1), 400)
	for i := range placed {
		if placed[i].Key == "device:"+d.ID {
			found = &placed[i]
		}
	}
	require.NotNil(t, found, "a device's name is shown at this zoom only when it is alarmed")
	assert.Equal(t, LabelAlarm, found.Prio)
	st := r.Style(*found)
	assert.Equal(t, pal.P[2], st.Plate, "on its priority's colour")
	assert.Equal(t, TextOn(pal.P[2]), st.Text)
	for _, l := range placed {
		if l.Prio == LabelGrid {
			g, _ := site.Grid(l.Key[len("grid:"):])
			st := r.Style(l)
			assert.Equal(t, GridColor(g), st.Outline, "a grid's name is outlined in its colour")
			assert.Equal(t, pal.LabelPlate, st.Plate)
			assert.Equal(t, pal.LabelText, st.Text)
		}
	}
}
