package ui

import (
	"slices"

	"fyne.io/fyne/v2"

	"watchpost/app"
)

// followCameras is how many of an alarm's cameras the wall turns to.
const followCameras = 4

// followAlarm turns the wall to an alarm's cameras (those that see the place, else the
// nearest), for operators who asked for it in the settings: the page that shows most of
// them, with the most relevant one selected; when no page shows any, they get a page of
// their own after the others (the operator's saved views are not changed).
func (w *wallPanel) followAlarm(a app.Alarm) {
	if w.site == nil {
		return
	}
	ids := w.site.NearestCameras(&a, followCameras)
	if len(ids) == 0 {
		return
	}
	w.locked(func() { w.showCameras(ids) })
}

func (w *wallPanel) showCameras(ids []string) {
	n := w.layout.Tiles()
	best, most := -1, 0
	for page := 0; page < w.pages(); page++ {
		k := 0
		for i := 0; i < n; i++ {
			if idx := page*n + i; idx < len(w.cameras) && slices.Contains(ids, w.cameras[idx]) {
				k++
			}
		}
		if k > most {
			best, most = page, k
		}
	}
	if best < 0 {
		for len(w.cameras)%n != 0 {
			w.cameras = append(w.cameras, "")
		}
		best = len(w.cameras) / n
		w.cameras = append(w.cameras, ids...)
	}
	if w.enlarged {
		w.enlarged = false
		w.stage.Objects = []fyne.CanvasObject{w.grid}
		w.stage.Refresh()
	}
	w.page = best
	w.tourNext = w.c.core.Clock.Now().Add(w.tour) // the tour waits before it turns on
	sel := -1
	for _, id := range ids {
		for i := 0; i < n && sel < 0; i++ {
			if idx := best*n + i; idx < len(w.cameras) && w.cameras[idx] == id {
				sel = i
			}
		}
		if sel >= 0 {
			break
		}
	}
	w.sync()
	if sel >= 0 {
		w.selectTile(sel)
	}
	w.updateToolbar()
}

// enlargeCamera enlarges a camera (the operator asked for it elsewhere, e.g. on the site
// map): the tile of the page that shows it, or the selected tile given that camera.
func (w *wallPanel) enlargeCamera(camID string) {
	if w.site == nil {
		return
	}
	w.locked(func() {
		n := w.layout.Tiles()
		at := -1
		for i := 0; i < n; i++ {
			if cam := w.cameraAt(w.page*n + i); cam != nil && cam.ID == camID {
				at = i
			}
		}
		if at < 0 {
			w.assignSelected(camID)
		} else {
			w.selectTile(at)
		}
		w.setEnlarged(true)
	})
}
