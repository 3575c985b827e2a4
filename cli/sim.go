package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"watchpost/app"
	"watchpost/assets"
	"watchpost/devices"
	"watchpost/video/codec"
	"watchpost/video/sim"
)

// Sim serves simulated cameras until interrupted (watchpost sim), or simulates the demo
// community's devices over MQTT (sim --devices). A password the simulator requires (its RTSP
// cameras) or gives (to the broker) is read like an operator's: at a prompt or from the first
// line of standard input, never from an argument.
func Sim(args []string, s Streams) int {
	stdout, stderr := s.Out, s.Err
	fs := newFlags("watchpost sim", s)
	n := fs.Int("cameras", 4, "how many cameras (cam1 … camN)")
	demo := fs.Bool("demo", false, "serve the demo community's cameras instead")
	listen := fs.String("listen", "127.0.0.1:8554", "RTSP address")
	udp := fs.Bool("udp", false, "also offer RTP over UDP")
	codecName := fs.String("codec", "h264", "h264 or h265")
	user := fs.String("user", "", "cameras: require this user name; devices: connect every device as this (console/tool) user, its password asked or read from standard input; default: each demo device under its own account")
	footage := fs.String("footage", "", "video file to play (default: opencv-doc's vtest.avi)")
	distinct := fs.Int("distinct", 0, "encode only this many distinct streams, shared by the cameras (load tests)")
	devs := fs.Bool("devices", false, "simulate the demo community's devices over MQTT instead of cameras")
	broker := fs.String("broker", "tcp://127.0.0.1:1883", "devices: the broker to publish to")
	scenario := fs.String("scenario", "", "devices: play this scenario and exit ("+strings.Join(devices.Scenarios, ", ")+")")
	heartbeat := fs.Duration("heartbeat", time.Minute, "devices: heartbeat interval")
	if err := fs.Parse(args); err != nil {
		return ExitUsage
	}
	if msg, code := simProblem(fs.Args(), *devs, *broker, *scenario, *listen, *footage); msg != "" {
		fmt.Fprintln(stderr, "watchpost sim:", msg)
		return code
	}
	password := ""
	if *user != "" {
		p, err := readPassword(s, *user)
		if err != nil {
			return s.fail(ExitUsage, "watchpost sim", err)
		}
		password = p
	}
	if *devs {
		return runDeviceSim(*broker, *user, password, *scenario, *heartbeat, stdout, stderr)
	}
	cfg := sim.Config{Address: *listen, UDP: *udp, User: *user, Password: password, Footage: *footage, Distinct: *distinct,
		Log: slog.New(slog.NewTextHandler(stderr, nil))}
	switch strings.ToLower(*codecName) {
	case "h264", "h.264":
		cfg.Codec = codec.H264
	case "h265", "h.265", "hevc":
		cfg.Codec = codec.H265
	default:
		fmt.Fprintf(stderr, "watchpost sim: unknown codec %q (h264 or h265)\n", *codecName)
		return ExitUsage
	}
	if *demo {
		site, err := assets.DemoSite()
		if err != nil {
			fmt.Fprintln(stderr, "watchpost sim:", err)
			return ExitFailure
		}
		cfg.Cameras = SimCameras(site)
	} else {
		for i := 1; i <= *n; i++ {
			cfg.Cameras = append(cfg.Cameras, sim.Camera{ID: fmt.Sprintf("cam%d", i), Name: fmt.Sprintf("Camera %d", i), Variant: i - 1})
		}
	}
	srv, err := sim.New(cfg) // binds: the URLs printed below are served once Run runs
	if err != nil {
		fmt.Fprintln(stderr, "watchpost sim:", err)
		return ExitFailure
	}
	for _, c := range cfg.Cameras {
		fmt.Fprintf(stdout, "%s\t%s\t%s\n", c.ID, srv.URL(c.ID, "main"), srv.URL(c.ID, "sub"))
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	// Run as the console runs its parts: a failure is logged and the simulator run again.
	sup := app.NewSupervisor(nil, cfg.Log)
	sup.Add(app.Part{Name: "camera-simulator", Label: "Camera simulator", Runner: srv})
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
		return ExitFailure
	}
	cfg := devices.SimConfig{Broker: broker, Username: user, Password: password, Site: site.ID,
		Devices: site.Devices, Heartbeat: heartbeat, Log: slog.New(slog.NewTextHandler(stderr, nil))}
	if user == "" {
		// Each demo device under its own account, with its published demo password (README).
		cfg.DevicePassword = app.DemoDevicePassword
	}
	s, err := devices.NewSim(cfg)
	if err != nil {
		fmt.Fprintln(stderr, "watchpost sim:", err)
		return ExitFailure
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
			return ExitFailure
		}
		return 0 // interrupted while connecting
	}
	if scenario != "" {
		what, err := s.Play(scenario)
		_ = finish()
		if err != nil {
			fmt.Fprintln(stderr, "watchpost sim:", err)
			return ExitUsage
		}
		fmt.Fprintln(stdout, "played:", what)
		return 0
	}
	fmt.Fprintf(stdout, "%d devices of %s publishing to %s; Ctrl-C stops\n", len(site.Devices), site.Name, broker)
	<-ctx.Done()
	_ = finish()
	return 0
}

// Checks of the command line of `sim` (probe's: cli), made before anything starts: a wrong
// argument is a usage error (exit 2) with a message that says what to give, not a camera or
// a broker that "does not answer" (exit 1, kept for what really does not answer).

// brokerSchemes are the broker addresses paho connects to.
var brokerSchemes = []string{"tcp", "ssl", "tls", "mqtt", "mqtts", "ws", "wss"}

// simProblem checks sim's arguments: the message and the exit code, or "" when they are right.
func simProblem(extra []string, deviceSim bool, broker, scenario, listen, footage string) (string, int) {
	if len(extra) > 0 {
		return fmt.Sprintf("unexpected argument %q", extra[0]), ExitUsage
	}
	if deviceSim {
		if u, err := url.Parse(broker); err != nil || !slices.Contains(brokerSchemes, u.Scheme) || u.Host == "" {
			return fmt.Sprintf("--broker %s is not a broker address: give tcp://host:1883 (or ssl://host:8883)", app.RedactURL(broker)), ExitUsage
		}
		if scenario != "" && !slices.Contains(devices.Scenarios, scenario) {
			return fmt.Sprintf("--scenario: there is no scenario %q (one of %s)", scenario, strings.Join(devices.Scenarios, ", ")), ExitUsage
		}
		return "", 0
	}
	if _, _, err := net.SplitHostPort(listen); err != nil {
		return fmt.Sprintf("--listen %s is not an address: give host:port, e.g. 127.0.0.1:8554", listen), ExitUsage
	}
	if footage != "" {
		if _, err := os.Stat(footage); err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return fmt.Sprintf("the footage %s cannot be read: %v", footage, err), ExitFailure
		}
	}
	return "", 0
}

// DemoFootageStart is where the demo's south gate camera starts in its footage (seconds):
// its analysis learns the scene for the first minute, and someone steps on its lawn about
// 72 s after the start, then every 80 s loop of the footage.
var DemoFootageStart = map[string]float64{"cam-gate-s": 58}

// SimCameras are the simulated cameras of a site (the console's demo simulator and
// watchpost sim --demo serve the same).
func SimCameras(site *app.Site) []sim.Camera {
	out := make([]sim.Camera, len(site.Cameras))
	for i, c := range site.Cameras {
		out[i] = sim.Camera{ID: c.ID, Name: c.Name, Variant: i, Start: DemoFootageStart[c.ID]}
	}
	return out
}
