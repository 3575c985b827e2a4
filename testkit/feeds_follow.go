package testkit

import "watchpost/app"

// SetCameras makes the feeds follow the site's cameras (the console's feeds follow them
// the same way): a camera added since plays, like the live ones; one deleted is unknown.
func (f *Feeds) SetCameras(cameras []app.Camera) {
	f.mu.Lock()
	defer f.mu.Unlock()
	known := make(map[string]bool, len(cameras))
	for _, c := range cameras {
		known[c.ID] = true
		if !f.known[c.ID] {
			f.live[c.ID] = len(f.live)
		}
	}
	for id := range f.live {
		if !known[id] {
			delete(f.live, id)
		}
	}
	f.known = known
}
