package main

import (
	"watchpost/app"
	"watchpost/video"
)

// followCameras keeps the camera feeds on the site's addresses: when a camera's settings
// are saved (or a whole plan is imported) every stream of it in use — wall tiles, desk
// previews, the analytics dialog, analytics and the recorder — reconnects to the new
// address at once, keeping its viewers. It reads the inventory when the entry arrives,
// which the core updates before it publishes the entry.
func followCameras(bus *app.Bus, inv *app.Inventory, feeds *video.Feeds) (stop func()) {
	sub := bus.Subscribe(16, func(e *app.Entry) bool {
		return e.Kind == app.KindCameraUpdated || e.Kind == app.KindSiteImported
	})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range sub.C() {
			if s := inv.Site(); s != nil {
				feeds.SetCameras(s.Cameras)
			}
		}
	}()
	return func() { sub.Close(); <-done }
}
