// Command watchpost is Watchpost (守望), the command center of a residential community's
// safety team: `watchpost` opens the console, `watchpost --headless` runs everything but
// the window, and read-only subcommands print the site, alarms and journal for scripts.
//
// This file is the composition root: it parses flags, opens the data directory, wires
// store, core and window together and owns the process's lifecycle.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	// Initializes before Fyne's lang package (see its comment): no locale error under C.UTF-8.
	_ "a.watchpost/localeenv"

	"watchpost/app"
	"watchpost/assets"
	"watchpost/devices"
	"watchpost/store"
	"watchpost/video"
	"watchpost/video/codec"
	"watchpost/video/sim"
)

// version is set by the Makefile (-ldflags "-X main.version=…").
var version = "dev"

// Exit codes: 1 when the data or a dependency fails, 2 for a wrong command line or configuration.
const (
	exitFailure = 1
	exitUsage   = 2
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

const usage = `Watchpost (守望): the command center of a residential community's safety team.

Usage:
  watchpost [--data DIR] [--config FILE] [--headless]   open the console (or run without a window)
            [--no-sim | --sim-listen ADDR]              the demo's simulators: off, or its cameras on ADDR
  watchpost site     [--data DIR] [--json]              the site: grids, buildings, cameras, devices
  watchpost site export --geojson FILE [--data DIR]     the site plan as GeoJSON (camera passwords hidden)
  watchpost site import FILE --operator NAME [--data DIR]
                                                        replace the site plan, as the administrator NAME
                                                        (not while a console runs)
  watchpost alarms   [--data DIR] [--json] [--since T] [--open]
  watchpost journal  [--data DIR] [--json] [--since T] [--subject S] [--limit N]
  watchpost plans    [--data DIR] [--json] | import FILE --operator NAME | export ID   the emergency plans
  watchpost sim      [--cameras N | --demo] [--listen ADDR] [--udp] [--codec h264|h265] [--user U --password P]
  watchpost sim      --devices [--broker URL] [--user U --password P] [--scenario NAME]
  watchpost probe    [--udp] [--seconds S] [--json] URL
  watchpost analyze  [--camera ID | --config FILE | --detectors LIST] [--fps N] [--snapshots DIR] VIDEO
                                                        run video analytics over a file: one JSON line a detection
  watchpost replay   ID --at T [--data DIR] [--json]    the console at an instant of a drill run or incident
                                                        (ID: drill:N or incident:N; T: a time, +90s from the start, start, end)
  watchpost version

T is a time (2026-11-28T08:00:00+08:00, 2026-11-28) or a duration back from now (24h, 90m).
The read-only commands work while a console runs on the same data directory.
`

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		switch args[0] {
		case "site", "alarms", "journal":
			if args[0] == "site" && len(args) > 1 && (args[1] == "export" || args[1] == "import") {
				return runSiteFile(args[1], args[2:], stdout, stderr) // main_site.go
			}
			return runQuery(args[0], args[1:], stdout, stderr)
		case "sim":
			return runSim(args[1:], stdout, stderr)
		case "plans":
			return runPlans(args[1:], stdout, stderr)
		case "probe":
			return runProbe(args[1:], stdout, stderr)
		case "analyze":
			return runAnalyze(args[1:], stdout, stderr) // main_analytics.go
		case "replay":
			return runReplay(args[1:], stdout, stderr) // main_replay.go
		case "version":
			fmt.Fprintln(stdout, "watchpost", version)
			return 0
		case "help":
			fmt.Fprint(stdout, usage)
			return 0
		}
		fmt.Fprintf(stderr, "watchpost: unknown command %q\n\n%s", args[0], usage)
		return exitUsage
	}
	fs := flag.NewFlagSet("watchpost", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {} // printed below: to stdout when asked for (--help), to stderr after a mistake
	dataDir := fs.String("data", "", "data directory (database, logs, recordings); default the user data directory")
	configFile := fs.String("config", "", "configuration file; default config.json in the data directory")
	headless := fs.Bool("headless", false, "run everything but the window; stop with SIGINT or SIGTERM")
	noSim := fs.Bool("no-sim", false, "demo site: do not start the built-in camera and device simulators")
	simListen := fs.String("sim-listen", defaultSimListen, "demo site: where the built-in camera simulator listens (port 0: any free port); the demo's cameras follow it")
	showVersion := fs.Bool("version", false, "print the version")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			return 0
		}
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	if *showVersion {
		fmt.Fprintln(stdout, "watchpost", version)
		return 0
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "watchpost: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	if !*headless && os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		fmt.Fprintln(stderr, "watchpost: no display to open the console on (DISPLAY is not set). Run it on a desktop, under Xvfb (DISPLAY=:99), or with --headless.")
		return exitUsage
	}
	if _, port, err := net.SplitHostPort(*simListen); err != nil || !isPort(port) {
		fmt.Fprintf(stderr, "watchpost: --sim-listen %q: give a host and a port, e.g. 127.0.0.1:8555 (port 0: any free port)\n", *simListen)
		return exitUsage
	}
	demoSim := ""
	if !*noSim {
		demoSim = *simListen
	}
	return runConsole(*dataDir, *configFile, *headless, demoSim, stderr)
}

// dataDirOf is the data directory given (--data), or by default $XDG_DATA_HOME/watchpost,
// or ~/.local/share/watchpost.
func dataDirOf(given string) (string, error) {
	if given != "" {
		return given, nil
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "watchpost"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no data directory: set --data or $HOME (%w)", err)
	}
	return filepath.Join(home, ".local", "share", "watchpost"), nil
}

// openReadOnly opens the database of a data directory for a command that only reads: it
// works while a console runs there.
func openReadOnly(ctx context.Context, dir string) (*store.Store, error) {
	return store.Open(ctx, filepath.Join(dir, store.FileName), store.Options{ReadOnly: true, Log: slog.New(slog.DiscardHandler)})
}

// prepareDataDir resolves the data directory and creates it when missing; an existing
// file in its place is an error, never overwritten.
func prepareDataDir(dir string) (string, error) {
	dir, err := dataDirOf(dir)
	if err != nil {
		return "", err
	}
	dir, err = filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return "", fmt.Errorf("the data directory %s is a file, not a directory", dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("the data directory %s cannot be created: %w", dir, err)
	}
	return dir, nil
}

// openLog logs as text to stderr and to the log file in the data directory.
func openLog(path string, stderr io.Writer) (*slog.Logger, func(), error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, nil, fmt.Errorf("the log directory cannot be created: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("the log file %s cannot be written: %w", path, err)
	}
	h := slog.NewMultiHandler(
		slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}),
		slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelDebug}),
	)
	log := slog.New(h)
	slog.SetDefault(log)
	return log, func() { f.Close() }, nil
}

// runQuery prints the site, the alarms or the journal from a read-only connection.
func runQuery(cmd string, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("watchpost "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data", "", "data directory")
	asJSON := fs.Bool("json", false, "print JSON (the journal: one entry per line)")
	since := fs.String("since", "", "only from this time (RFC 3339, a date, or a duration back from now)")
	subject := fs.String("subject", "", "journal: only this subject (alarm:42) or subject kind (alarm:)")
	limit := fs.Int("limit", 0, "journal: at most this many entries")
	openOnly := fs.Bool("open", false, "alarms: only open ones")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	var from time.Time
	if *since != "" {
		t, err := parseSince(*since, time.Now())
		if err != nil {
			fmt.Fprintln(stderr, "watchpost:", err)
			return exitUsage
		}
		from = t
	}
	dir, err := dataDirOf(*dataDir)
	if err != nil {
		fmt.Fprintln(stderr, "watchpost:", err)
		return exitFailure
	}
	ctx := context.Background()
	st, err := openReadOnly(ctx, dir)
	if err != nil {
		fmt.Fprintln(stderr, "watchpost:", err)
		return exitFailure
	}
	defer st.Close()
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)

	switch cmd {
	case "site":
		site, err := st.LoadSite(ctx)
		if err != nil {
			fmt.Fprintln(stderr, "watchpost:", err)
			return exitFailure
		}
		site = site.Redacted() // camera passwords stay in the database
		if *asJSON {
			enc.SetIndent("", "  ")
			return encodeOr(enc.Encode(site), stderr)
		}
		fmt.Fprintf(stdout, "%s (%s): %s\n", site.Name, site.ID, site.Counts())
		for _, g := range site.Grids {
			fmt.Fprintf(stdout, "grid      %-22s %s, %s %s\n", g.ID, g.Name, g.Worker.Name, g.Worker.Phone)
		}
		for _, b := range site.Buildings {
			fmt.Fprintf(stdout, "building  %-22s %s, %d floors, grid %s\n", b.ID, b.Name, b.Floors, b.GridID)
		}
		for _, c := range site.Cameras {
			fmt.Fprintf(stdout, "camera    %-22s %s, %s\n", c.ID, c.Name, app.RedactURL(c.MainURL))
		}
		for _, d := range site.Devices {
			fmt.Fprintf(stdout, "device    %-22s %s, %s, %s\n", d.ID, d.Kind, d.Name, d.Location)
		}
	case "alarms":
		alarms, err := st.Alarms(ctx, app.AlarmQuery{Since: from, OpenOnly: *openOnly})
		if err != nil {
			fmt.Fprintln(stderr, "watchpost:", err)
			return exitFailure
		}
		if *asJSON {
			if alarms == nil {
				alarms = []app.Alarm{}
			}
			enc.SetIndent("", "  ")
			return encodeOr(enc.Encode(alarms), stderr)
		}
		site, _ := st.LoadSite(ctx) // names the places; without it, the IDs do
		for _, a := range alarms {
			drill := "     "
			if a.Drill {
				drill = "DRILL"
			}
			fmt.Fprintf(stdout, "%6d  %s  %-12s  %s  %s  %s\n", a.ID, a.Priority, a.State, a.RaisedAt.Local().Format(time.DateTime), drill,
				a.Describe(site, true, app.RenderTemplate))
		}
	case "journal":
		// Paged by sequence number, so a journal of millions of entries streams in bounded memory.
		// --limit N prints the newest N, oldest first (like tail).
		after := int64(0)
		if *limit > 0 {
			newest, err := st.Query(ctx, app.JournalQuery{Since: from, Subject: *subject, Latest: *limit})
			if err != nil {
				fmt.Fprintln(stderr, "watchpost:", err)
				return exitFailure
			}
			if len(newest) > 0 {
				after = newest[0].Seq - 1
			}
		}
		printed := 0
		for {
			page := 5000
			if *limit > 0 && *limit-printed < page {
				page = *limit - printed
			}
			if page <= 0 {
				break
			}
			entries, err := st.Query(ctx, app.JournalQuery{Since: from, Subject: *subject, AfterSeq: after, Limit: page})
			if err != nil {
				fmt.Fprintln(stderr, "watchpost:", err)
				return exitFailure
			}
			for _, e := range entries {
				if *asJSON {
					if err := enc.Encode(e); err != nil {
						return encodeOr(err, stderr)
					}
				} else {
					fmt.Fprintf(stdout, "%8d  %s  %-26s %-24s %s\n", e.Seq, e.Time.Local().Format("2006-01-02 15:04:05.000"), e.Kind, e.Subject, e.Operator)
				}
			}
			printed += len(entries)
			if len(entries) < page {
				break
			}
			after = entries[len(entries)-1].Seq
		}
	}
	return 0
}

func encodeOr(err error, stderr io.Writer) int {
	if err != nil && !errors.Is(err, syscall.EPIPE) {
		fmt.Fprintln(stderr, "watchpost:", err)
		return exitFailure
	}
	return 0
}

// parseSince reads --since: an RFC 3339 time, a date (local midnight), or a duration back from now.
func parseSince(s string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(s); err == nil {
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, time.Local); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation(time.DateTime, s, time.Local); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("--since %q: give a time (2026-11-28T08:00:00+08:00), a date (2026-11-28) or a duration (24h)", s)
}

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

// runProbe connects to a camera, decodes for a few seconds and reports what it found.
func runProbe(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("watchpost probe", flag.ContinueOnError)
	fs.SetOutput(stderr)
	udp := fs.Bool("udp", false, "receive RTP over UDP")
	secs := fs.Float64("seconds", 4, "how long to decode")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "watchpost probe: give one camera URL, e.g. rtsp://user:pass@10.0.0.21:554/Streaming/Channels/101")
		return exitUsage
	}
	if err := checkCameraURL(fs.Arg(0)); err != nil {
		fmt.Fprintln(stderr, "watchpost probe:", err)
		return exitUsage
	}
	res := video.Probe(context.Background(), fs.Arg(0), *udp, time.Duration(*secs*float64(time.Second)))
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(res)
	} else {
		fmt.Fprint(stdout, video.ProbeText(res))
	}
	if !res.OK() {
		return exitFailure
	}
	return 0
}

// runDeviceSim publishes the demo community's device traffic (or one scenario).
func runDeviceSim(broker, user, password, scenario string, heartbeat time.Duration, stdout, stderr io.Writer) int {
	site, err := assets.DemoSite()
	if err != nil {
		fmt.Fprintln(stderr, "watchpost sim:", err)
		return exitFailure
	}
	if user == "" {
		user, password = "watchpost", "sunshine-demo"
	}
	s, err := devices.StartSim(devices.SimConfig{Broker: broker, Username: user, Password: password, Site: site.ID,
		Devices: site.Devices, Heartbeat: heartbeat, Log: slog.New(slog.NewTextHandler(stderr, nil))})
	if err != nil {
		fmt.Fprintln(stderr, "watchpost sim:", err)
		return exitFailure
	}
	defer s.Close()
	if scenario != "" {
		what, err := s.Play(scenario)
		if err != nil {
			fmt.Fprintln(stderr, "watchpost sim:", err)
			return exitUsage
		}
		fmt.Fprintln(stdout, "played:", what)
		return 0
	}
	fmt.Fprintf(stdout, "%d devices of %s publishing to %s; Ctrl-C stops\n", len(site.Devices), site.Name, broker)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	return 0
}
