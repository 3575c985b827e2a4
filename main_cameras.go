package main

import "watchpost/app"

// followCameras keeps a camera consumer (the feeds, analytics) on the site's cameras
// (app.FollowCameras): the feeds' streams whose address changed reconnect to the new one,
// keeping their viewers; a camera added in the console plays on the wall.
func followCameras(bus *app.Bus, inv *app.Inventory, set func([]app.Camera)) app.Runner {
	return app.FollowCameras(bus, inv, set)
}
