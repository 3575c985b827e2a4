package store_test

import (
	"context"
	"database/sql"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/store"
)

func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	os.Exit(m.Run())
}

func openAt(path string) (*store.Store, error) {
	return store.Open(context.Background(), path, store.Options{})
}

func openTemp(t testing.TB) (*store.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), store.FileName)
	s, err := store.Open(context.Background(), path, store.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s, path
}

func TestOpenCreatesAndReopens(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	_, err := s.Append(ctx, app.NewEntry(app.KindConsoleStarted, "", app.SystemActor, nil))
	require.NoError(t, err)
	require.NoError(t, s.Close())

	s2, err := store.Open(ctx, path, store.Options{})
	require.NoError(t, err)
	defer s2.Close()
	var version int
	require.NoError(t, s2.DB().QueryRow("PRAGMA user_version").Scan(&version))
	assert.Equal(t, store.SchemaVersion(), version)
	var mode string
	require.NoError(t, s2.DB().QueryRow("PRAGMA journal_mode").Scan(&mode))
	assert.Equal(t, "wal", mode)
	var fk, sync int
	require.NoError(t, s2.DB().QueryRow("PRAGMA foreign_keys").Scan(&fk))
	require.NoError(t, s2.DB().QueryRow("PRAGMA synchronous").Scan(&sync))
	assert.Equal(t, 1, fk)
	assert.Equal(t, 2, sync, "synchronous=FULL: every commit is fsynced")
	n, err := s2.LastSeq(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(1), n)
}

func TestEveryPooledConnectionHasThePragmas(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	var conns []*sql.Conn
	for i := 0; i < 3; i++ {
		c, err := s.DB().Conn(ctx)
		require.NoError(t, err)
		conns = append(conns, c)
		var fk, busy int
		require.NoError(t, c.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk))
		require.NoError(t, c.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busy))
		assert.Equal(t, 1, fk)
		assert.Equal(t, 10000, busy)
	}
	for _, c := range conns {
		c.Close()
	}
}

func TestBadDataDirectories(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()

	t.Run("missing directory", func(t *testing.T) {
		_, err := store.Open(ctx, filepath.Join(dir, "nope", store.FileName), store.Options{})
		assert.True(t, app.IsCode(err, app.CodeUnavailable))
		assert.ErrorContains(t, err, "does not exist")
	})
	t.Run("directory is a file", func(t *testing.T) {
		f := filepath.Join(dir, "plainfile")
		require.NoError(t, os.WriteFile(f, []byte("x"), 0o644))
		_, err := store.Open(ctx, filepath.Join(f, store.FileName), store.Options{})
		assert.ErrorContains(t, err, "is not a directory")
	})
	t.Run("unwritable directory", func(t *testing.T) {
		// /proc refuses new files even to root, unlike a chmod-ed directory.
		_, err := store.Open(ctx, "/proc/watchpost.db", store.Options{})
		assert.True(t, app.IsCode(err, app.CodeUnavailable), "%v", err)
		assert.ErrorContains(t, err, "cannot be written")
	})
	t.Run("corrupt file is left alone", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), store.FileName)
		junk := []byte("this is not a database at all, but a note someone saved here\n")
		require.NoError(t, os.WriteFile(path, junk, 0o644))
		_, err := store.Open(ctx, path, store.Options{})
		assert.True(t, app.IsCode(err, app.CodeCorrupt), "%v", err)
		assert.ErrorContains(t, err, "not a Watchpost database")
		after, _ := os.ReadFile(path)
		assert.Equal(t, junk, after, "nothing overwritten")
	})
	t.Run("damaged sqlite file", func(t *testing.T) {
		s, path := openTemp(t)
		require.NoError(t, s.Close())
		b, _ := os.ReadFile(path)
		require.Greater(t, len(b), 200)
		for i := 100; i < len(b); i++ {
			b[i] = 0xA5
		}
		_ = os.Remove(path + "-wal")
		require.NoError(t, os.WriteFile(path, b, 0o644))
		before, _ := os.ReadFile(path)
		_, err := store.Open(ctx, path, store.Options{})
		require.Error(t, err)
		assert.True(t, app.IsCode(err, app.CodeCorrupt), "%v", err)
		after, _ := os.ReadFile(path)
		assert.Equal(t, before, after, "nothing overwritten")
	})
	t.Run("another program's database", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), store.FileName)
		db, err := sql.Open("sqlite", path)
		require.NoError(t, err)
		_, err = db.Exec("CREATE TABLE recipes (name TEXT)")
		require.NoError(t, err)
		db.Close()
		_, err = store.Open(ctx, path, store.Options{})
		assert.True(t, app.IsCode(err, app.CodeCorrupt), "%v", err)
		assert.ErrorContains(t, err, "another program")
	})
	t.Run("database from a newer version", func(t *testing.T) {
		s, path := openTemp(t)
		_, err := s.DB().Exec("PRAGMA user_version = 999")
		require.NoError(t, err)
		s.Close()
		before, _ := os.ReadFile(path)
		_, err = store.Open(ctx, path, store.Options{})
		assert.True(t, app.IsCode(err, app.CodeVersion), "%v", err)
		assert.ErrorContains(t, err, "newer Watchpost")
		after, _ := os.ReadFile(path)
		assert.Equal(t, before, after)
	})
	t.Run("read-only open of a directory without a database", func(t *testing.T) {
		_, err := store.Open(ctx, filepath.Join(t.TempDir(), store.FileName), store.Options{ReadOnly: true})
		assert.True(t, app.IsCode(err, app.CodeNotFound), "%v", err)
		assert.ErrorContains(t, err, "start the console once")
	})
}

func TestOneWriterPerDataDirectory(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	_, err := store.Open(ctx, path, store.Options{})
	assert.True(t, app.IsCode(err, app.CodeConflict), "%v", err)
	assert.ErrorContains(t, err, "already running")

	// Read-only users (the CLI) work beside the writer and see what it committed.
	_, err = s.Append(ctx, app.NewEntry(app.KindConsoleStarted, "", app.SystemActor, nil))
	require.NoError(t, err)
	ro, err := store.Open(ctx, path, store.Options{ReadOnly: true})
	require.NoError(t, err)
	defer ro.Close()
	got, err := ro.Query(ctx, app.JournalQuery{})
	require.NoError(t, err)
	assert.Len(t, got, 1)
	_, err = ro.Append(ctx, app.NewEntry(app.KindConsoleStarted, "", app.SystemActor, nil))
	assert.Error(t, err)
	_, err = ro.DB().Exec("INSERT INTO sites (id, name, data) VALUES ('x', 'x', '{}')")
	assert.Error(t, err, "a read-only connection cannot write")

	require.NoError(t, s.Close())
	s2, err := store.Open(ctx, path, store.Options{})
	require.NoError(t, err, "the lock goes with the writer")
	s2.Close()
}
