package main

import (
	"context"

	"watchpost/app"
)

// followCameras keeps a camera consumer (the feeds, analytics) on the site's cameras: when
// a camera's settings change (or a site is imported) it is given the new list; the feeds'
// streams whose address changed reconnect to the new one, keeping their viewers. A runner:
// it follows until its context ends. It gives the list once when it starts, after it
// subscribed, so that a change between the consumer's construction and this start is not
// missed.
func followCameras(bus *app.Bus, inv *app.Inventory, set func([]app.Camera)) app.Runner {
	return app.RunFunc(func(ctx context.Context) error {
		sub := bus.Subscribe(16, func(e *app.Entry) bool {
			return e.Kind == app.KindCameraUpdated || e.Kind == app.KindSiteImported
		})
		defer sub.Close()
		give := func() {
			if s := inv.Site(); s != nil {
				set(s.Cameras)
			}
		}
		give()
		for {
			select {
			case <-ctx.Done():
				return nil
			case _, ok := <-sub.C():
				if !ok {
					return nil
				}
				give()
			}
		}
	})
}
