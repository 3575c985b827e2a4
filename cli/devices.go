package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"watchpost/app"
	"watchpost/devices"
	"watchpost/store"
)

const devicesUsage = `Usage:
  watchpost devices credentials ID… --operator ADMIN [--csv FILE] [--mosquitto DIR] [--data DIR]
  watchpost devices credentials --all --operator ADMIN [--csv FILE] [--mosquitto DIR] [--data DIR]

Gives devices new broker credentials (their old passwords stop working) and prints them once,
as CSV: id,username,password (--csv FILE: written to FILE, mode 0600, instead). Watchpost
keeps only a keyed hash: the passwords cannot be shown again, only made anew.

--mosquitto DIR writes the same accounts for a site's own Mosquitto: these devices' lines in
DIR/passwd (Mosquitto 2.0's format; the other lines kept, the console's account added when
broker.password is set) and the ACL in DIR/acl (each device its own topics). Since only the
moment of making knows a password, --all --mosquitto is how the whole password file is written.

The administrator's password is asked at a prompt without echo, or read as the first line of
standard input. Journaled as the administrator's (never the passwords). Refused while a
console runs on the data directory (regenerate in the console's device dialog then).
`

// Devices manages the devices' broker credentials from the command line (watchpost devices).
func Devices(args []string, s Streams) int {
	const prefix = "watchpost devices credentials"
	fs := newFlags("watchpost devices", s)
	fs.Usage = func() { fmt.Fprint(s.Err, devicesUsage) }
	dataDir := fs.String("data", "", "data directory")
	operator := fs.String("operator", "", "the administrator doing it")
	all := fs.Bool("all", false, "every device of the site")
	csvFile := fs.String("csv", "", "write the credentials to this file (0600) instead of standard output")
	mosq := fs.String("mosquitto", "", "also write Mosquitto's password file and ACL into this directory")
	words, err := parseArgs(fs, args)
	if err != nil {
		return ExitUsage
	}
	if len(words) == 0 || words[0] != "credentials" || (len(words) == 1) == !*all {
		fmt.Fprint(s.Err, devicesUsage)
		return ExitUsage
	}
	if *operator == "" {
		return s.failf(ExitUsage, prefix, "sign in with --operator USER (an administrator); the password is asked, or read from standard input")
	}
	ctx := context.Background()
	w, code, err := signInToWrite(ctx, *dataDir, *operator, "making device credentials (or regenerate them in the console's device dialog)", s, false)
	if err != nil {
		return s.fail(code, prefix, err)
	}
	defer w.Close()
	site := w.Core.Inventory.Site()
	if site == nil {
		return s.failf(ExitFailure, prefix, "no site is set up yet")
	}
	ids := words[1:]
	if *all {
		ids = nil
		for _, d := range site.Devices {
			ids = append(ids, d.ID)
		}
		if len(ids) == 0 {
			return s.failf(ExitFailure, prefix, "the site has no devices")
		}
	}
	reason := app.CredentialsRegenerated
	secrets, err := w.Core.Credentials.Generate(ctx, w.Op, reason, ids...)
	if err != nil {
		return done(err, s, prefix, "")
	}
	out := s.Out
	if *csvFile != "" {
		f, err := os.OpenFile(*csvFile, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return s.fail(ExitFailure, prefix, err)
		}
		defer f.Close()
		out = f
	}
	if _, err := out.Write(app.CredentialsCSV(secrets)); err != nil {
		return s.fail(ExitFailure, prefix, err)
	}
	if *mosq != "" {
		dir, err := DataDir(*dataDir)
		if err != nil {
			return s.fail(ExitFailure, prefix, err)
		}
		cfg, err := (store.ConfigFile{Path: filepath.Join(dir, "config.json")}).Load(true)
		if err != nil {
			return s.fail(ExitFailure, prefix, err)
		}
		siteID := cfg.Site
		if siteID == "" {
			siteID = site.ID
		}
		console := cfg.Broker.Username
		if console == "" {
			console = "watchpost"
		}
		passwords := map[string]string{}
		if cfg.Broker.Password != "" {
			passwords[console] = cfg.Broker.Password
		}
		for _, sec := range secrets {
			passwords[sec.Username] = sec.Password
		}
		passwd, acl, err := devices.WriteMosquittoFiles(*mosq, siteID, console, passwords)
		if err != nil {
			return s.fail(ExitFailure, prefix, err)
		}
		fmt.Fprintf(s.Err, "Mosquitto: %s and %s written (mode 0600: chown them to the mosquitto user; in mosquitto.conf: password_file, acl_file, use_username_as_clientid true)\n", passwd, acl)
	}
	if *csvFile != "" {
		fmt.Fprintf(s.Err, "%d devices' credentials written to %s, as %s\n", len(secrets), *csvFile, w.Op.Username)
	} else {
		fmt.Fprintf(s.Err, "%d devices' credentials made, as %s: they are shown this once\n", len(secrets), w.Op.Username)
	}
	return ExitOK
}
