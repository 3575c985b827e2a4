package store

import (
	"context"
	"embed"
	"fmt"
	"sort"
	"strconv"
	"strings"

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
