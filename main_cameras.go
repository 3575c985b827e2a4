package main

import (
	"context"

	"watchpost/app"
	"watchpost/video"
)

// followCameras keeps the camera feeds on the site's addresses: when a camera's settings
// change (or a site is imported) the feeds take the new list, and the streams whose address
// changed reconnect to the new one, keeping their viewers. A runner: it follows until its
// context ends.
func followCameras(bus *app.Bus, inv *app.Inventory, feeds *video.Feeds) app.Runner {
	return app.RunFunc(func(ctx context.Context) error {
		sub := bus.Subscribe(16, func(e *app.Entry) bool {
			return e.Kind == app.KindCameraUpdated || e.Kind == app.KindSiteImported
		})
		defer sub.Close()
		for {
			select {
			case <-ctx.Done():
				return nil
			case _, ok := <-sub.C():
				if !ok {
					return nil
				}
				if s := inv.Site(); s != nil {
					feeds.SetCameras(s.Cameras)
				}
			}
		}
	})
}
