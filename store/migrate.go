package store

import (
	"context"
	"embed"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"watchpost/app"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrations are the numbered SQL files, in order: migrations[i] brings schema i to i+1.
var migrations = loadMigrations()

func loadMigrations() []string {
	entries, err := migrationFS.ReadDir("migrations")
	if err != nil {
		panic(err)
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	out := make([]string, len(names))
	for i, n := range names {
		num, err := strconv.Atoi(strings.SplitN(n, "_", 2)[0])
		if err != nil || num != i+1 {
			panic(fmt.Sprintf("store: migration %s is out of sequence (want %04d_…)", n, i+1))
		}
		b, err := migrationFS.ReadFile("migrations/" + n)
		if err != nil {
			panic(err)
		}
		out[i] = string(b)
	}
	return out
}

// SchemaVersion is the schema this build writes.
func SchemaVersion() int { return len(migrations) }

// migrate applies the migrations after version, each in its own transaction together
// with the version bump, so a crash leaves the schema at a whole version.
func (s *Store) migrate(ctx context.Context, version int) error {
	if version > 0 && version < len(migrations) && !s.opt.noMigrationBackup {
		if err := s.backupBeforeMigration(ctx, version); err != nil {
			return err
		}
	}
	for i := version; i < len(migrations); i++ {
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return s.openError(err)
		}
		stmts := migrations[i]
		if i == 0 {
			stmts = fmt.Sprintf("PRAGMA application_id = %d;\n", applicationID) + stmts
		}
		if _, err := tx.ExecContext(ctx, stmts); err != nil {
			tx.Rollback()
			return app.Errorf(app.CodeInternal, "Upgrading the database to schema {{.N}} failed", "N", i+1).Wrap(err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", i+1)); err != nil {
			tx.Rollback()
			return s.openError(err)
		}
		if err := tx.Commit(); err != nil {
			return s.openError(err)
		}
		s.log.Info("database schema upgraded", "path", s.path, "version", i+1)
	}
	return nil
}

// backupBeforeMigration writes a backup of a database that an upgrade is about to change
// (pre-migration-<to>-<time>.tar.gz in the backup folder) and refuses the upgrade when it
// cannot: the file as it was is the way back from a migration that goes wrong.
func (s *Store) backupBeforeMigration(ctx context.Context, version int) error {
	dir := s.opt.MigrationBackups
	if dir == "" {
		dir = filepath.Join(filepath.Dir(s.path), app.DefaultBackupDir)
	}
	name := fmt.Sprintf("pre-migration-%04d-%s.tar.gz", len(migrations), time.Now().Format("20060102T150405"))
	info, err := s.Backup(ctx, filepath.Join(dir, name), BackupOptions{Reason: app.BackupPreMigration})
	if err != nil {
		return app.Errorf(app.CodeUnavailable, "The database {{.Path}} needs an upgrade (schema {{.Have}} to {{.Known}}), and the backup before it could not be written in {{.Dir}}; nothing was changed",
			"Path", s.path, "Have", version, "Known", len(migrations), "Dir", dir).Wrap(err)
	}
	s.log.Info("database backed up before its upgrade", "file", info.Path, "from", version, "to", len(migrations))
	s.migrationBackup = &info
	return nil
}
