package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"

	"watchpost/app"
	"watchpost/store"
)

const backupUsage = `Usage:
  watchpost backup FILE [--data DIR] [--with-clips]
        write a backup (tar.gz) of the data directory: a consistent copy of the database, the
        configuration and the site's pictures (--with-clips: the recorded clips and snapshots
        too), with a manifest; works while a console runs
  watchpost restore FILE [--data DIR] [--operator USER]
        replace the data directory's database and configuration with a backup's, after
        checking all of it; the replaced ones are kept aside; not while a console runs; on a
        real site as an administrator (the password is asked, or read from standard input)
`

// Backup writes a backup of a data directory (watchpost backup FILE). It reads the database
// without the console's lock (a running console goes on writing); the copy holds every entry
// committed before it began. It is journaled when no console holds the database (a running
// console is the only writer).
func Backup(args []string, s Streams, version string) int {
	const prefix = "watchpost backup"
	fs := newFlags(prefix, s)
	fs.Usage = func() { fmt.Fprint(s.Err, backupUsage) }
	dataDir := fs.String("data", "", "data directory")
	withClips := fs.Bool("with-clips", false, "also the recorded clips and snapshots")
	words, err := parseArgs(fs, args)
	if err != nil {
		return ExitUsage
	}
	if len(words) != 1 {
		return s.failf(ExitUsage, prefix, "give the file to write, e.g. watchpost backup /mnt/usb/watchpost-2026-12-07.tar.gz")
	}
	ctx := context.Background()
	st, dir, err := openStore(ctx, *dataDir, "")
	if app.IsCode(err, app.CodeNotFound) {
		return s.failf(ExitFailure, prefix, "there is no database in %s to back up", dir)
	}
	if err != nil {
		return s.fail(ExitFailure, prefix, err)
	}
	info, err := st.Backup(ctx, words[0], store.BackupOptions{DataDir: dir, WithClips: *withClips, Version: version, Reason: app.BackupManual})
	st.Close()
	if err != nil {
		return s.fail(ExitFailure, prefix, err)
	}
	journaled := "journaled"
	if err := journalBackup(ctx, dir, info); err != nil {
		journaled = "not journaled: " + err.Error()
	}
	return s.printf("%s: %d entries (to #%d), %.1f MB, site %s (%s)\n", info.Path, info.Entries, info.LastSeq, float64(info.Size)/1e6, info.SiteID, journaled)
}

// journalBackup records the backup in the data directory's journal when no console holds it.
func journalBackup(ctx context.Context, dir string, info app.BackupInfo) error {
	st, err := store.Open(ctx, filepath.Join(dir, store.FileName), store.Options{Log: slog.New(slog.DiscardHandler)})
	if app.IsCode(err, app.CodeConflict) {
		return errors.New("a console holds the database")
	}
	if err != nil {
		return err
	}
	defer st.Close()
	_, err = st.Append(ctx, app.NewEntry(app.KindBackupTaken, app.SubjectBackup(info.File), app.SystemActor, info))
	return err
}

// Restore brings a backup back into a data directory (watchpost restore FILE). The whole
// archive is checked before anything is replaced; the store's lock refuses it while a
// console runs there. A real site's backup, or a data directory holding a real site, needs
// an administrator: checked against each real site's accounts involved (the one replaced and
// the one restored) with one password, so a demo backup cannot be used to replace a real
// site without signing in, nor a stolen real one without its administrator.
func Restore(args []string, s Streams) int {
	const prefix = "watchpost restore"
	fs := newFlags(prefix, s)
	fs.Usage = func() { fmt.Fprint(s.Err, backupUsage) }
	dataDir := fs.String("data", "", "data directory")
	operator := fs.String("operator", "", "the administrator doing it (the password is asked, or read from standard input)")
	words, err := parseArgs(fs, args)
	if err != nil {
		return ExitUsage
	}
	if len(words) != 1 {
		return s.failf(ExitUsage, prefix, "give the backup to restore, e.g. watchpost restore watchpost-daily-20261207T033000.tar.gz --operator admin")
	}
	dir, err := DataDir(*dataDir)
	if err != nil {
		return s.fail(ExitFailure, prefix, err)
	}
	ctx := context.Background()
	r, err := store.PrepareRestore(ctx, words[0], dir)
	if app.IsCode(err, app.CodeConflict) {
		return s.failf(ExitFailure, prefix, "%v: stop the console before restoring a backup; nothing was changed", err)
	}
	if err != nil {
		return s.fail(ExitFailure, prefix, err)
	}
	defer r.Close()

	by, code, err := restoringAs(ctx, r, *operator, s)
	if err != nil {
		return s.fail(code, prefix, err)
	}
	res, err := r.Apply(ctx, by)
	if err != nil {
		return s.fail(ExitFailure, prefix, err)
	}
	m := r.Manifest
	aside := "nothing (the data directory had no database)"
	if len(res.SetAside) > 0 {
		aside = strings.Join(res.SetAside, ", ")
	}
	return s.printf("%s (%s) restored from %s (taken %s, %d entries), as %s; set aside: %s\n",
		m.SiteName, m.SiteID, r.Archive, m.CreatedAt.Local().Format("2006-01-02 15:04"), m.Entries, by, aside)
}

// restoringAs checks who restores: the user name to journal, or the exit code and why not.
func restoringAs(ctx context.Context, r *store.Restore, name string, s Streams) (string, int, error) {
	type db struct {
		what string
		open func(context.Context) (*store.Store, error)
	}
	var real []db
	if !r.Manifest.Demo {
		real = append(real, db{"the backup", r.OpenBackup})
	}
	if r.CurrentExists() {
		if cur, err := r.OpenCurrent(ctx); err == nil {
			site, lerr := cur.LoadSite(ctx)
			cur.Close()
			if lerr == nil && !site.Demo || lerr != nil && !app.IsCode(lerr, app.CodeNotFound) {
				real = append(real, db{"the data directory", r.OpenCurrent})
			}
		}
		// A database that cannot be opened is what a restore repairs: the backup's
		// accounts decide.
	}
	if len(real) == 0 {
		if name == "" {
			return app.SystemActor, ExitOK, nil // the demo over the demo (or a new machine)
		}
		real = append(real, db{"the backup", r.OpenBackup})
	}
	if name == "" {
		return "", ExitUsage, fmt.Errorf("name the administrator who restores with --operator USER (the password is asked, or read from standard input); it is journaled as theirs")
	}
	password, err := readPassword(s, name)
	if errors.Is(err, errNoPassword) {
		return "", ExitUsage, err
	} else if err != nil {
		return "", ExitFailure, err
	}
	for _, d := range real {
		if err := checkAdmin(ctx, d.open, name, password); err != nil {
			return "", ExitFailure, fmt.Errorf("%s: %w", d.what, err)
		}
	}
	return name, ExitOK, nil
}

// checkAdmin signs name in against a database's accounts (a refused password is journaled
// there as a failed sign-in) and checks the role may restore.
func checkAdmin(ctx context.Context, open func(context.Context) (*store.Store, error), name, password string) error {
	st, err := open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	core, err := app.NewCore(ctx, app.Ports{Store: st, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	op, err := core.Accounts.Authenticate(ctx, name, password)
	if err != nil {
		return err
	}
	return app.Authorize(op, app.ActRestore)
}
