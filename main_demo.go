package main

import (
	"context"
	"log/slog"
	"net"
	"strconv"

	"watchpost/app"
	cmdline "watchpost/cli"
	"watchpost/video/sim"
)

// defaultSimListen is where the demo's camera simulator listens, the address the demo
// site's cameras name as it ships (assets/demo/site.json).
const defaultSimListen = "127.0.0.1:8554"

// demoCameras serves the demo site's cameras from the built-in simulator on listen
// (--sim-listen) and points the cameras at it. The simulator binds its address here (port 0:
// one the system chooses) and serves while its part runs. When the address is taken, no
// simulator is run and the cameras are pointed there all the same: what listens there is
// used (a `watchpost sim --demo --listen ADDR` of its own).
func demoCameras(ctx context.Context, inv *app.Inventory, listen string, log *slog.Logger) (app.Part, error) {
	site := inv.Site()
	part := app.Part{Name: "camera-simulator", Label: "Camera simulator"}
	addr := listen
	s, err := sim.New(sim.Config{Address: listen, Cameras: cmdline.SimCameras(site), Log: log})
	if err != nil {
		log.Warn("demo cameras not simulated here", "err", err)
		if _, port, err := net.SplitHostPort(listen); err != nil || port == "0" {
			return part, nil // no address to point the cameras at
		}
	} else {
		part.Runner, addr = s, s.Addr()
		log.Info("demo cameras simulated", "address", addr, "cameras", len(site.Cameras))
	}
	moved, err := inv.PointDemoCameras(ctx, addr)
	if moved > 0 {
		log.Info("demo cameras pointed at their simulator", "address", addr, "cameras", moved)
	}
	if err != nil {
		if s != nil {
			// Not to be run: a Run whose context has ended already frees the address New bound.
			done, cancel := context.WithCancel(context.Background())
			cancel()
			_ = s.Run(done)
		}
		return part, err
	}
	return part, nil
}

// isPort reports whether s is a TCP port number (0 asks for any free one).
func isPort(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n >= 0 && n <= 65535
}
