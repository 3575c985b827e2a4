// Command watchpost is Watchpost (守望), the command center of a residential community's
// safety team: `watchpost` opens the console, `watchpost --headless` runs everything but
// the window, and the commands of the command line print the site, alarms and journal for
// scripts and import what installers prepare.
//
// This file is the table of contents: the usage, the commands by name (their code is in
// cli/), and the console's own flags. console.go wires store, core, adapters and window
// together and owns the process's lifecycle.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"

	// Initializes before Fyne's lang package (see its comment): no locale error under C.UTF-8.
	_ "a.watchpost/localeenv"

	cmdline "watchpost/cli" // so named: the root's tests run the binary with cli(t, …)
)

// version is set by the Makefile (-ldflags "-X main.version=…").
var version = "dev"

// Exit codes: 1 when the data or a dependency fails, 2 for a wrong command line or configuration.
const (
	exitFailure = cmdline.ExitFailure
	exitUsage   = cmdline.ExitUsage
)

func main() {
	// Everything Watchpost writes is private to the account that runs it (files 0600,
	// folders 0700), SQLite's database, WAL and SHM included, which take the umask.
	syscall.Umask(0o077)
	os.Exit(run(os.Args[1:], cmdline.Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}))
}

const usage = `Watchpost (守望): the command center of a residential community's safety team.

Usage:
  watchpost [--data DIR] [--config FILE] [--headless]   open the console (or run without a window)
            [--no-sim | --sim-listen ADDR]              the demo's simulators: off, or its cameras on ADDR
  watchpost init     --data DIR --site-name NAME [--site-name-en NAME] --site-id ID
                     [--timezone Asia/Shanghai] [--language zh-CN|en] --admin USER --admin-name NAME
                                                        set up a new, real site (no demo) in an empty directory;
                                                        the administrator's password is asked, or one line on stdin
  watchpost site     [--data DIR] [--json]              the site: grids, buildings, cameras, devices
  watchpost site export --geojson FILE [--data DIR]     the site plan as GeoJSON (camera passwords hidden)
  watchpost site import FILE --operator NAME [--data DIR]
                                                        replace the site plan, as the administrator NAME
                                                        (password asked, or one line on standard input;
                                                        not while a console runs)
  watchpost alarms   [--data DIR] [--json] [--since T] [--open]
  watchpost journal  [--data DIR] [--json] [--since T] [--subject S] [--limit N]
  watchpost orders   [--data DIR] [--json] [--open] [--grid G] [--since T]   the work orders (callers masked)
  watchpost orders import FILE --operator ADMIN [--data DIR] | template FILE
                                                        the history of orders from a workbook or JSON, as the
                                                        administrator ADMIN; all or none (watchpost orders help)
  watchpost journal verify [--data DIR] [--anchor SEQ:HEX] [--backup FILE] [--json]
                                                        check the journal's chain: names the first missing or
                                                        changed entry (exit 1), else OK with the count and head
  watchpost plans    [--data DIR] [--json] | import FILE --operator NAME | export ID   the emergency plans
                                                        (import: as NAME, whose password is asked as above)
  watchpost sim      [--cameras N | --demo] [--listen ADDR] [--udp] [--codec h264|h265] [--user U]
  watchpost sim      --devices [--broker URL] [--user U] [--scenario NAME]
                                                        (--user: its password is asked, or one line on standard input)
  watchpost probe    [--udp] [--seconds S] [--json] URL
  watchpost analyze  [--camera ID | --config FILE | --detectors LIST] [--fps N] [--snapshots DIR] VIDEO
                                                        run video analytics over a file: one JSON line a detection
  watchpost replay   ID --at T [--data DIR] [--json]    the console at an instant of a drill run or incident
                                                        (ID: drill:N or incident:N; T: a time, +90s from the start, start, end)
  watchpost backup   FILE [--data DIR] [--with-clips] a backup of the database, configuration and pictures
                                                        (--with-clips: clips and snapshots too); works while a console runs
  watchpost restore  FILE [--data DIR] [--operator NAME]
                                                        check a backup, then put it in place (the replaced files kept
                                                        aside); not while a console runs; on a real site as an
                                                        administrator (password asked, or one line on standard input)
  watchpost operators list|add|disable|enable|reset|role|password --operator ADMIN [--data DIR]
                                                        manage the operators' accounts as an administrator
                                                        (watchpost operators help: the details)
  watchpost devices  credentials ID… | --all --operator ADMIN [--csv FILE] [--mosquitto DIR] [--data DIR]
                                                        new broker credentials for devices, printed once (id,username,password);
                                                        --mosquitto: the site Mosquitto's password and ACL files too
  watchpost labels   --out FILE.pdf [--per-unit] [--base URL] [--data DIR] [--config FILE]
                                                        the residents' QR label sheet (PDF, A4, four labels a page): one
                                                        label per building (--per-unit: per stairwell) with the code of
                                                        its reporting page at --base (default: web.base_url, else web.listen)
  watchpost version

T is a time (2026-11-28T08:00:00+08:00, 2026-11-28) or a duration back from now (24h, 90m).
The read-only commands work while a console runs on the same data directory. On a real site
(not the demo) they need --operator USER and its password too, and mask personal fields.
`

// commands are the command line's, by name (cli/): each parses its own flags and returns the
// exit code.
var commands = map[string]cmdline.Command{
	"site":    cmdline.Site, // and site export|import
	"alarms":  cmdline.Alarms,
	"journal": cmdline.Journal,
	"plans":   cmdline.Plans, // and plans import|export
	"init":    cmdline.Init,  // a new, real site in an empty data directory
	"replay":  cmdline.Replay,
	"probe":   cmdline.Probe,
	"sim":     cmdline.Sim,
	"analyze": cmdline.Analyze,
	"backup":  func(a []string, s cmdline.Streams) int { return cmdline.Backup(a, s, version) },
	"restore": cmdline.Restore,
	"version": func(_ []string, s cmdline.Streams) int { return printVersion(s.Out) },
	"help":    func(_ []string, s cmdline.Streams) int { fmt.Fprint(s.Out, usage); return 0 },

	"operators": cmdline.Operators, // list|add|disable|enable|reset|role|password
	"devices":   cmdline.Devices,   // credentials
	"orders":    cmdline.Orders,    // and orders import|template
	"labels":    cmdline.Labels,    // the residents' QR label sheet
}

func printVersion(w io.Writer) int {
	fmt.Fprintln(w, "watchpost", version)
	return 0
}

// run is the process: a command by its name, or the console with its flags.
func run(args []string, s cmdline.Streams) int {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		if cmd, ok := commands[args[0]]; ok {
			return cmd(args[1:], s)
		}
		fmt.Fprintf(s.Err, "watchpost: unknown command %q\n\n%s", args[0], usage)
		return exitUsage
	}
	stdout, stderr := s.Out, s.Err
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
		return printVersion(stdout)
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
