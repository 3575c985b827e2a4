package cli

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"watchpost/app"
	"watchpost/assets"
	"watchpost/store"
)

const initUsage = `Usage:
  watchpost init --data DIR --site-name NAME [--site-name-en NAME] --site-id ID
                 [--timezone Asia/Shanghai] [--language zh-CN|en] --admin USER --admin-name NAME
      set up a new, real site in an empty data directory: no demo accounts, no demo devices;
      its first administrator's password is asked (twice), or read as the first line of
      standard input (never an argument). A directory that holds a site already is refused.
`

// Init sets up a real site in a new data directory (watchpost init). The console's set-up
// window does the same through InitDataDir.
func Init(args []string, s Streams) int {
	const name = "watchpost init"
	fs := newFlags(name, s)
	fs.Usage = func() { fmt.Fprint(s.Err, initUsage) }
	dataDir := fs.String("data", "", "the new site's data directory")
	var r app.SiteInit
	fs.StringVar(&r.Name, "site-name", "", "the site's name (zh-CN), e.g. 翠湖苑")
	fs.StringVar(&r.NameEn, "site-name-en", "", "the site's English name (optional)")
	fs.StringVar(&r.ID, "site-id", "", "the site ID its devices use in their topics (watchpost/<ID>/…)")
	fs.StringVar(&r.TimeZone, "timezone", app.DefaultTimeZone, "the site's time zone (IANA)")
	fs.StringVar(&r.Language, "language", "zh-CN", "the console's language: zh-CN or en")
	fs.StringVar(&r.AdminUser, "admin", "", "the first administrator's user name")
	fs.StringVar(&r.AdminName, "admin-name", "", "the first administrator's name")
	words, err := parseArgs(fs, args)
	if err != nil {
		return ExitUsage
	}
	if len(words) > 0 {
		return s.failf(ExitUsage, name, "unexpected argument %q", words[0])
	}
	if *dataDir == "" {
		return s.failf(ExitUsage, name, "give the new site's data directory with --data DIR (a new or empty directory)")
	}
	r.Normalize()
	if err := r.Check(); err != nil {
		for _, why := range initReasons(err) {
			fmt.Fprintf(s.Err, "%s: %s\n", name, why)
		}
		return ExitUsage
	}
	ctx := context.Background()
	if err := checkInitDir(ctx, *dataDir); err != nil {
		return s.fail(ExitFailure, name, err)
	}
	password, _, err := readNewPassword(s, r.AdminUser)
	if errors.Is(err, errNoPassword) {
		return s.fail(ExitUsage, name, err)
	} else if err != nil {
		return s.fail(ExitFailure, name, err)
	}
	if err := InitDataDir(ctx, *dataDir, r, password); err != nil {
		for _, why := range initReasons(err) {
			fmt.Fprintf(s.Err, "%s: %s\n", name, why)
		}
		return ExitFailure
	}
	abs, _ := filepath.Abs(*dataDir)
	return s.printf("Site %s (%s) set up in %s; administrator %s.\nDevices publish to watchpost/%s/<device ID>/…; the device broker's user and password are in %s.\nOpen it with: watchpost --data %s\n",
		r.Name, r.ID, abs, r.AdminUser, r.ID, filepath.Join(abs, "config.json"), shellQuote(abs))
}

// initReasons are an error's problems, each with the flag it is about.
func initReasons(err error) []string {
	flags := map[string]string{app.SiteInitName: "--site-name", app.SiteInitNameEn: "--site-name-en", app.SiteInitID: "--site-id",
		app.SiteInitTimeZone: "--timezone", app.SiteInitLanguage: "--language", app.SiteInitAdminUser: "--admin",
		app.SiteInitAdminName: "--admin-name", app.SiteInitPassword: "password"}
	ps := app.ProblemsOf(err)
	if len(ps) == 0 {
		return []string{err.Error()}
	}
	var out []string
	for _, p := range ps {
		if f, ok := flags[p.Field]; ok {
			out = append(out, f+": "+p.Error())
		} else {
			out = append(out, p.Error())
		}
	}
	return out
}

// checkInitDir refuses a data directory that holds a site or accounts already (read only:
// nothing there is changed), a file in its place, and a configuration that cannot be read.
func checkInitDir(ctx context.Context, dir string) error {
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is a file, not a directory", dir)
	}
	if _, err := (store.ConfigFile{Path: filepath.Join(dir, "config.json")}).Load(true); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, store.FileName)); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	st, err := OpenReadOnly(ctx, dir)
	if err != nil {
		return err
	}
	defer st.Close()
	site, err := st.LoadSite(ctx)
	if err == nil {
		return app.Errorf(app.CodeConflict, "{{.Dir}} already holds the site {{.Name}} ({{.ID}}): nothing was changed; set up a new site in another directory",
			"Dir", dir, "Name", site.Name, "ID", site.ID)
	} else if !app.IsCode(err, app.CodeNotFound) {
		return err
	}
	ops, err := st.Operators(ctx)
	if err != nil {
		return err
	}
	if len(ops) > 0 {
		return app.Errorf(app.CodeConflict, "{{.Dir}} already has operator accounts: nothing was changed; set up a new site in another directory", "Dir", dir)
	}
	return nil
}

// InitDataDir sets up a real site in dir (created 0700 when missing): the database with the
// site, its first administrator and the default plans and drill scenarios, and the
// configuration file with its language; the files it creates are 0600. A directory that
// holds a site or accounts already is refused, changed in nothing. When the set-up fails
// (a password the policy refuses), what it created is removed again.
func InitDataDir(ctx context.Context, dir string, r app.SiteInit, password string) (err error) {
	if strings.TrimSpace(dir) == "" {
		return app.Errorf(app.CodeInvalid, "Choose the folder the new site is kept in").On("data")
	}
	dir, err = filepath.Abs(dir)
	if err != nil {
		return err
	}
	r.Normalize()
	if err := r.Check(); err != nil {
		return err
	}
	if err := checkInitDir(ctx, dir); err != nil {
		return err
	}
	undo, err := createdFiles(dir)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			undo()
		}
	}()
	dbPath := filepath.Join(dir, store.FileName)
	quiet := slog.New(slog.DiscardHandler)
	if err := setUp(ctx, dbPath, quiet, func(core *app.Core) error {
		_, err := core.SetUpSite(ctx, r, password)
		return err
	}); err != nil {
		return err
	}
	// A second build of the core seeds what every first start seeds (the default plans and
	// drill scenarios), now against the site: a plan calling a contact it lacks is shown
	// incomplete. Never the demo's site, accounts or supplies.
	seeds := app.Seeds{Plans: assets.DefaultPlans, Drills: assets.DefaultDrills}
	if err := setUp(ctx, dbPath, quiet, func(*app.Core) error { return nil }, seeds); err != nil {
		return err
	}
	cfgFile := store.ConfigFile{Path: filepath.Join(dir, "config.json")}
	cfg, err := cfgFile.Load(true)
	if err != nil {
		return err
	}
	cfg.Language = r.Language
	if cfg.Broker.IsEmbedded() && cfg.Broker.Password == "" {
		// The embedded broker refuses to start on a real site without a password: the site
		// gets a random one of its own (the devices' installers read it from config.json,
		// 0600), so that its devices can report from the first start.
		pw, err := randomSecret()
		if err != nil {
			return err
		}
		cfg.Broker.Password = pw
		if cfg.Broker.Username == "" {
			cfg.Broker.Username = "watchpost"
		}
	}
	if err := cfgFile.SaveConfig(cfg); err != nil {
		return fmt.Errorf("the configuration %s cannot be written: %w", cfgFile.Path, err)
	}
	return privateFiles(dir)
}

// setUp opens the store for writing, builds the core (with seeds when given) and runs do.
func setUp(ctx context.Context, dbPath string, log *slog.Logger, do func(*app.Core) error, seeds ...app.Seeds) error {
	st, err := store.Open(ctx, dbPath, store.Options{Log: log})
	if err != nil {
		return err
	}
	defer st.Close()
	p := app.Ports{Store: st, Log: log}
	if len(seeds) > 0 {
		p.Seeds = seeds[0]
	}
	core, err := app.NewCore(ctx, p)
	if err != nil {
		return err
	}
	return do(core)
}

// createdFiles notes what of dir exists now and returns the undo of a failed set-up: it
// removes what was created since (the directory itself when it was new).
func createdFiles(dir string) (undo func(), err error) {
	_, statErr := os.Stat(dir)
	newDir := errors.Is(statErr, fs.ErrNotExist)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("the data directory %s cannot be created: %w", dir, err)
	}
	if newDir {
		return func() { _ = os.RemoveAll(dir) }, nil
	}
	before := map[string]bool{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		before[e.Name()] = true
	}
	return func() {
		now, _ := os.ReadDir(dir)
		for _, e := range now {
			if !before[e.Name()] {
				_ = os.RemoveAll(filepath.Join(dir, e.Name()))
			}
		}
	}, nil
}

// privateFiles makes the database's files readable by their owner only (SQLite creates
// them with the process's umask): they hold the accounts' password hashes.
func privateFiles(dir string) error {
	for _, name := range []string{store.FileName, store.FileName + "-wal", store.FileName + "-shm", store.FileName + ".lock", "config.json"} {
		if err := os.Chmod(filepath.Join(dir, name), 0o600); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// shellQuote quotes a path for a shell command line when it needs it.
func shellQuote(p string) string {
	if strings.ContainsAny(p, " '\"$`\\!*?&;|<>()[]{}") {
		return "'" + strings.ReplaceAll(p, "'", `'\''`) + "'"
	}
	return p
}

// randomSecret is 120 random bits as 24 base-32 characters (letters and digits only, so an
// installer can type it into a device's web page).
func randomSecret() (string, error) {
	b := make([]byte, 15)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("no randomness for the broker's password: %w", err)
	}
	return strings.ToLower(base32.StdEncoding.EncodeToString(b)), nil
}
