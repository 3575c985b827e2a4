package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"watchpost/app"
	"watchpost/assets"
	"watchpost/devices"
	"watchpost/video/codec"
	"watchpost/video/sim"
)

// The simulators (watchpost sim): stay in the root until the video API under them settles,
// then join the other commands in cli/.

// runSim serves simulated cameras until interrupted.
func runSim(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("watchpost sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("cameras", 4, "how many cameras (cam1 … camN)")
	demo := fs.Bool("demo", false, "serve the demo community's cameras instead")
	listen := fs.String("listen", "127.0.0.1:8554", "RTSP address")
	udp := fs.Bool("udp", false, "also offer RTP over UDP")
	codecName := fs.String("codec", "h264", "h264 or h265")
	user := fs.String("user", "", "require this user name")
	password := fs.String("password", "", "and this password")
	footage := fs.String("footage", "", "video file to play (default: opencv-doc's vtest.avi)")
	distinct := fs.Int("distinct", 0, "encode only this many distinct streams, shared by the cameras (load tests)")
	devs := fs.Bool("devices", false, "simulate the demo community's devices over MQTT instead of cameras")
	broker := fs.String("broker", "tcp://127.0.0.1:1883", "devices: the broker to publish to")
	scenario := fs.String("scenario", "", "devices: play this scenario and exit ("+strings.Join(devices.Scenarios, ", ")+")")
	heartbeat := fs.Duration("heartbeat", time.Minute, "devices: heartbeat interval")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if msg, code := simProblem(fs.Args(), *devs, *broker, *scenario, *listen, *footage); msg != "" {
		fmt.Fprintln(stderr, "watchpost sim:", msg)
		return code
	}
	if *devs {
		return runDeviceSim(*broker, *user, *password, *scenario, *heartbeat, stdout, stderr)
	}
	cfg := sim.Config{Address: *listen, UDP: *udp, User: *user, Password: *password, Footage: *footage, Distinct: *distinct,
		Log: slog.New(slog.NewTextHandler(stderr, nil))}
	switch strings.ToLower(*codecName) {
	case "h264", "h.264":
		cfg.Codec = codec.H264
	case "h265", "h.265", "hevc":
		cfg.Codec = codec.H265
	default:
		fmt.Fprintf(stderr, "watchpost sim: unknown codec %q (h264 or h265)\n", *codecName)
		return exitUsage
	}
	if *demo {
		site, err := assets.DemoSite()
		if err != nil {
			fmt.Fprintln(stderr, "watchpost sim:", err)
			return exitFailure
		}
		cfg.Cameras = simCameras(site)
	} else {
		for i := 1; i <= *n; i++ {
			cfg.Cameras = append(cfg.Cameras, sim.Camera{ID: fmt.Sprintf("cam%d", i), Name: fmt.Sprintf("Camera %d", i), Variant: i - 1})
		}
	}
	s, err := sim.New(cfg) // binds: the URLs printed below are served once Run runs
	if err != nil {
		fmt.Fprintln(stderr, "watchpost sim:", err)
		return exitFailure
	}
	for _, c := range cfg.Cameras {
		fmt.Fprintf(stdout, "%s\t%s\t%s\n", c.ID, s.URL(c.ID, "main"), s.URL(c.ID, "sub"))
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	// Run as the console runs its parts: a failure is logged and the simulator run again.
	sup := app.NewSupervisor(nil, cfg.Log)
	sup.Add(app.Part{Name: "camera-simulator", Label: "Camera simulator", Runner: s})
	_ = sup.Run(ctx)
	return 0
}

// runDeviceSim publishes the demo community's device traffic (or one scenario). The
// simulator is a runner: it runs until Ctrl-C (or the scenario has been played), and a
// broker that does not answer ends it with the reason.
func runDeviceSim(broker, user, password, scenario string, heartbeat time.Duration, stdout, stderr io.Writer) int {
	site, err := assets.DemoSite()
	if err != nil {
		fmt.Fprintln(stderr, "watchpost sim:", err)
		return exitFailure
	}
	if user == "" {
		user, password = "watchpost", "sunshine-demo"
	}
	s, err := devices.NewSim(devices.SimConfig{Broker: broker, Username: user, Password: password, Site: site.ID,
		Devices: site.Devices, Heartbeat: heartbeat, Log: slog.New(slog.NewTextHandler(stderr, nil))})
	if err != nil {
		fmt.Fprintln(stderr, "watchpost sim:", err)
		return exitFailure
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	runCtx, end := context.WithCancel(ctx)
	defer end()
	done := make(chan error, 1)
	go func() { done <- s.Run(runCtx) }()
	finish := func() error { end(); return <-done } // the devices disconnect cleanly (no Last Will)
	select {
	case <-s.Ready():
	case err := <-done:
		if err != nil {
			fmt.Fprintln(stderr, "watchpost sim:", err)
			return exitFailure
		}
		return 0 // interrupted while connecting
	}
	if scenario != "" {
		what, err := s.Play(scenario)
		_ = finish()
		if err != nil {
			fmt.Fprintln(stderr, "watchpost sim:", err)
			return exitUsage
		}
		fmt.Fprintln(stdout, "played:", what)
		return 0
	}
	fmt.Fprintf(stdout, "%d devices of %s publishing to %s; Ctrl-C stops\n", len(site.Devices), site.Name, broker)
	<-ctx.Done()
	_ = finish()
	return 0
}
