package ui

import (
	"slices"

	"watchpost/app"
)

// The wall follows the site's cameras: one added in the console (or by another console)
// goes onto the first empty tile and plays; one changed keeps its tile and viewer (its new
// name shows; its new address reaches the viewer through the feeds); one deleted leaves its
// tile empty. The camera list shows the cameras as they are now.

// followSite takes the site as it is now. Under the wall's lock.
func (w *wallPanel) followSite(e app.Entry) {
	s := w.c.core.Inventory.Site()
	if s == nil || s == w.site {
		return
	}
	w.site = s
	cams := make(map[string]*app.Camera, len(s.Cameras))
	for i := range s.Cameras {
		c := s.Cameras[i]
		if cur, ok := w.cams[c.ID]; ok {
			*cur = c // the tiles hold this pointer: they keep their viewer
			cams[c.ID] = cur
		} else {
			cams[c.ID] = &s.Cameras[i]
		}
	}
	w.cams = cams
	for i, id := range w.cameras {
		if id != "" && cams[id] == nil {
			w.cameras[i] = "" // deleted
		}
	}
	if e.Kind == app.KindCameraAdded {
		if id := e.Subject[len("camera:"):]; cams[id] != nil && !slices.Contains(w.cameras, id) {
			w.placeNew(id)
		}
	}
	for _, t := range append(append([]*tile(nil), w.tiles...), w.big) {
		if t.cam != nil && t.name.Text != t.cam.Display(english()) {
			t.name.Text = t.cam.Display(english()) // renamed
			t.name.Refresh()
		}
	}
	w.list.filter()
	w.sync()
	w.updateToolbar()
}

// placeNew puts a camera on the first empty tile (after the last page when there is none).
func (w *wallPanel) placeNew(id string) {
	for i, x := range w.cameras {
		if x == "" {
			w.cameras[i] = id
			return
		}
	}
	w.cameras = append(w.cameras, id)
}
