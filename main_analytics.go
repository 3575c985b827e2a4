package main

import (
	"log/slog"

	"watchpost/app"
	"watchpost/video/analytics"
)

// analyticsParts run video analytics on the site's cameras: detections go through the
// core's Vision (journal, rules, alarm desk); the manager follows camera settings and the CPU
// budget in the settings. The manager is a runner; the second part gives it the cameras
// whenever they change.
func analyticsParts(core *app.Core, feeds app.CameraFeeds, log *slog.Logger) (*analytics.Manager, []app.Part) {
	m := analytics.NewManager(feeds, core.Vision, core.Settings.Get().Analytics.Budget(), analytics.Options{}, log)
	core.Settings.Watch(func(c app.Config) { m.SetBudget(c.Analytics.Budget()) })
	m.SetCameras(core.Inventory.Site().Cameras) // what its Run starts with
	return m, []app.Part{
		{Name: "analytics", Label: "Video analytics", Runner: m},
		{Name: "analytics-cameras", Label: "Video analytics settings", Runner: followCameras(core.Bus, core.Inventory, m.SetCameras)}, // main_cameras.go
	}
}
