package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"gopkg.in/natefinch/lumberjack.v2"

	"watchpost/app"
	"watchpost/assets"
	cmdline "watchpost/cli"
	"watchpost/sheets"
	"watchpost/store"
	"watchpost/ui"
	"watchpost/video"
)

// runConsole is the console (or, headless, the site engine): the core built from the data
// directory's store and configuration, the adapters' parts (the demo's simulators, the
// device broker, the camera feeds, analytics, recording) and the core's own, all run by one
// supervisor, and the window unless headless. On the demo site the built-in simulators run
// unless simListen is empty; the camera simulator listens there.
func runConsole(dataDir, configFile string, headless bool, simListen string, stderr io.Writer) int {
	demoSim := simListen != ""
	if !headless {
		// The window's faces are looked up on the side while the store opens (it ends by
		// itself, in a quarter of a second): the window finds them ready.
		go ui.PrepareFonts()
	}
	dir, err := prepareDataDir(dataDir)
	if err != nil {
		fmt.Fprintln(stderr, "watchpost:", err)
		return startFailed(exitFailure, err, headless, "", "") // main_start.go
	}
	logPath := filepath.Join(dir, "logs", "watchpost.log")
	log, closeLog, err := openLog(logPath, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "watchpost:", err)
		return startFailed(exitFailure, err, headless, "", "")
	}
	defer closeLog()
	secureFiles(log, dir) // main_files.go: before anything is read from it

	language := "" // the configuration's once it is read: the start-error window speaks it
	fail := func(code int, err error) int {
		log.Error("cannot start", "err", err)
		return startFailed(code, err, headless, logPath, language)
	}

	cfgFile := store.ConfigFile{Path: filepath.Join(dir, "config.json")}
	optional := true
	if configFile != "" {
		cfgFile, optional = store.ConfigFile{Path: configFile}, false
	}
	cfg, err := cfgFile.Load(optional)
	if err != nil {
		language = configLanguage(cfgFile.Path) // main_start.go
		return fail(exitUsage, err)
	}
	language = cfg.Language

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	st, err := store.Open(ctx, filepath.Join(dir, store.FileName), store.Options{Log: log, MigrationBackups: backupFolder(dir, cfg.Backup)})
	if err != nil {
		return fail(exitFailure, err)
	}
	defer st.Close()
	core, err := app.NewCore(ctx, app.Ports{Store: st, Config: cfg, ConfigStore: cfgFile, Log: log, Seeds: assets.Seeds(),
		Files: app.Files{Snapshots: store.Files{Dir: filepath.Join(dir, "snapshots")}, Detections: store.Files{Dir: filepath.Join(dir, "detections")}, Photos: store.Photos{Dir: filepath.Join(dir, "photos")}},
		Tail:  tailEvery})
	if err != nil {
		return fail(exitFailure, err)
	}
	core.Health.Set(app.ComponentStatus{Name: "database", Label: "Database", State: app.StateOK, Detail: st.Describe()})

	sup := app.NewSupervisor(core.Health, log)
	first := newFirstScreen(headless, log) // main_start.go: what waits for the window's first screen
	first.add(sup, core.Parts()...)
	site := core.Inventory.Site()
	if site.Demo && demoSim {
		part, err := demoCameras(ctx, core.Inventory, simListen, log) // main_demo.go
		if err != nil {
			return fail(exitFailure, err)
		}
		first.add(sup, part)
		site = core.Inventory.Site() // its cameras now point at the simulator
	}
	devicePath, err := deviceParts(cfg, core, demoSim, dir, log) // devices.go
	if err != nil {
		return fail(exitFailure, err)
	}
	first.add(sup, devicePath.parts...)
	phoneParts, phonePages, err := webParts(cfg, core, dir, log) // main_web.go
	if err != nil {
		return fail(exitFailure, err)
	}
	first.add(sup, phoneParts...)
	// The camera feeds open streams while their Run runs; each camera's source reconnects
	// with its own backoff inside the feeds (video/source.go), so the part itself keeps the
	// supervisor's default.
	feeds := video.NewFeeds(site.Cameras, video.Config{}, core.Health, core.CameraStatus.Camera)
	first.add(sup, app.Part{Name: "cameras", Label: "Cameras", Runner: feeds},
		app.Part{Name: "camera-settings", Label: "Camera settings", Runner: followCameras(core.Bus, core.Inventory, feeds.SetCameras)}) // main_cameras.go
	analyticsMgr, parts := analyticsParts(core, feeds, log) // main_analytics.go
	first.add(sup, parts...)
	first.add(sup, recordingParts(core, feeds, site.Demo && demoSim, dir, log)...) // main_recording.go
	first.add(sup, backupPart(core, st, dir, cfgFile.Path, log))                   // main_backup.go
	first.add(sup, journalGuardPart(core, st, first.ready, log))                   // main_journal.go

	// The parts run until the window closes or a signal comes; they stop in the reverse
	// order of their start, before console.stopped is journaled (the journal's last word).
	partsCtx, stopParts := context.WithCancel(context.Background())
	supervised := make(chan struct{})
	go func() { defer close(supervised); _ = sup.Run(partsCtx) }()
	stopAll := func() { stopParts(); <-supervised }
	// The window's tiles open their streams as soon as it shows: the feeds' Run must have
	// started (a signal meanwhile goes on to the stop below).
	_ = feeds.WaitRunning(ctx)

	mode := "console"
	if headless {
		mode = "headless"
	}
	if _, err := core.Recorder.Record(ctx, app.NewEntry(app.KindConsoleStarted, "", app.SystemActor, map[string]string{"version": version, "mode": mode})); err != nil {
		stopAll()
		return fail(exitFailure, err)
	}
	log.Info("watchpost started", "version", version, "mode", mode, "data", dir, "site", site.Name, "inventory", site.Counts().String())

	if headless {
		<-ctx.Done()
		log.Info("stopping", "reason", context.Cause(ctx))
	} else {
		phoneInfo, qrLabels := phonePagesExtras(core, phonePages) // main_web.go
		err := ui.Run(ctx, core, ui.Extras{
			Feeds: feeds, Analytics: analyticsMgr, Simulate: devicePath.simulate,
			Probe: func(ctx context.Context, url string) app.ProbeResult {
				return video.Probe(ctx, url, false, 3*time.Second)
			},
			ClipPlayer: video.ClipPlayer{}, Reports: store.Reports{Dir: filepath.Join(dir, "reports")}, JournalAnchor: st.JournalAnchor,
			Sheets:     sheets.Workbook{},
			PhonePages: phoneInfo, QRLabels: qrLabels,
			Paths:   ui.Paths{DataDir: dir, LogFile: logPath, ConfigFile: cfgFile.Path},
			Version: version, Started: processStarted, Painted: first.shown,
			// The set-up window writes a new site as `watchpost init` does (cli/init.go).
			InitSite: cmdline.InitDataDir, OpenDataDir: openDataDir, // main_setup.go
		})
		if err != nil {
			log.Error("window", "err", err)
		}
	}
	stopAll()
	// A fresh context: the signal context is already cancelled when we stop on SIGTERM.
	stopCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := core.Recorder.Record(stopCtx, app.NewEntry(app.KindConsoleStopped, "", app.SystemActor, nil)); err != nil {
		log.Error("stop not journaled", "err", err)
	}
	logJournalAnchor(stopCtx, st, log) // main_journal.go
	log.Info("watchpost stopped")
	return 0
}

// processStarted is when the process started, near enough: package variables are set
// before main runs (the dynamic loader's and the runtime's start, before them, are not
// counted; BenchmarkStart measures from the exec).
var processStarted = time.Now()

// tailEvery is how often a console reads the journal for what other processes wrote (a
// command-line write, another console): within a second on its panels.
const tailEvery = 500 * time.Millisecond

// prepareDataDir resolves the data directory and creates it when missing; an existing
// file in its place is an error, never overwritten.
func prepareDataDir(dir string) (string, error) {
	dir, err := cmdline.DataDir(dir)
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

// The log file is rotated by size: at logMaxMB it is renamed with its time and compressed.
// Rotated files are deleted by age only, never by count: logs are kept at least
// app.MinAuditRetention (180 days, 网络安全法), so a flood of lines cannot push out the
// record of an attack. What bounds the disk is the sources: every flood a device can cause
// is counted rather than logged line by line (unknown devices past the limit, refused
// packets, throttled sign-ins).
const (
	logMaxMB    = 20
	logCompress = true
)

// logKeepDays is how long rotated log files are kept: one day past the legal minimum, since
// lumberjack counts whole days from the time in the file's name.
var logKeepDays = int(app.MinAuditRetention/(24*time.Hour)) + 1

// openLog logs as text to stderr and to the log file in the data directory (rotated).
func openLog(path string, stderr io.Writer) (*slog.Logger, func(), error) {
	return openLogRotated(path, stderr, logMaxMB, logKeepDays)
}

func openLogRotated(path string, stderr io.Writer, maxMB, keepDays int) (*slog.Logger, func(), error) {
	if err := app.CheckAuditRetention(time.Duration(keepDays) * 24 * time.Hour); err != nil {
		return nil, nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, nil, fmt.Errorf("the log directory cannot be created: %w", err)
	}
	// Opened here first so that a log that cannot be written stops the start with its
	// reason (lumberjack would only fail at the first line).
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("the log file %s cannot be written: %w", path, err)
	}
	f.Close()
	rot := &lumberjack.Logger{Filename: path, MaxSize: maxMB, MaxAge: keepDays, Compress: logCompress, LocalTime: true}
	h := slog.NewMultiHandler(
		slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}),
		slog.NewTextHandler(rot, &slog.HandlerOptions{Level: slog.LevelDebug}),
	)
	log := slog.New(h)
	slog.SetDefault(log)
	return log, func() { rot.Close() }, nil
}
