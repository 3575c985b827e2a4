package app

import (
	"context"
	"net/url"
)

// The demo site's cameras are served by the built-in camera simulator at the address their
// stream URLs name (rtsp://127.0.0.1:8554/<id>/main and /sub as the demo ships). When the
// simulator listens elsewhere (watchpost --sim-listen: the port is taken, or a test asks for
// any free one), the cameras follow it: each change is journaled as the system's, like the
// seeding of the demo itself.

// PointDemoCameras points the demo site's simulated cameras at addr (host:port) and
// returns how many changed. A camera an administrator pointed at another stream (another
// path, credentials, another scheme) is not the simulator's and is left alone; on a site
// that is not the demo nothing changes.
func (inv *Inventory) PointDemoCameras(ctx context.Context, addr string) (int, error) {
	s := inv.Site()
	if s == nil || !s.Demo {
		return 0, nil
	}
	moved := 0
	for _, c := range s.Cameras {
		main, ok1 := simulatorHost(c.MainURL, c.ID, "main")
		sub, ok2 := simulatorHost(c.SubURL, c.ID, "sub")
		if !ok1 || !ok2 || main != sub || main == addr {
			continue
		}
		c.MainURL = (&url.URL{Scheme: "rtsp", Host: addr, Path: "/" + c.ID + "/main"}).String()
		c.SubURL = (&url.URL{Scheme: "rtsp", Host: addr, Path: "/" + c.ID + "/sub"}).String()
		if err := inv.saveCamera(ctx, SystemActor, c); err != nil {
			return moved, err
		}
		moved++
	}
	return moved, nil
}

// simulatorHost returns the host:port of a stream URL of the simulator's shape
// (rtsp://host:port/<camera>/<stream>, nothing else).
func simulatorHost(raw, cameraID, stream string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "rtsp" || u.User != nil || u.RawQuery != "" || u.Fragment != "" ||
		u.Path != "/"+cameraID+"/"+stream || u.Host == "" {
		return "", false
	}
	return u.Host, true
}
