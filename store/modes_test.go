package store_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/store"
)

// A data directory made by hand or an older version (0755, a 0644 database, logs, clips
// and the configuration readable by every account on the machine) is made private: the
// folder and its folders 0700, every file 0600; what is not Watchpost's is left alone.
func TestAttackWorldReadableDataDirectoryIsMadePrivate(t *testing.T) {
	old := syscall.Umask(0o022) // as a desktop session has it
	t.Cleanup(func() { syscall.Umask(old) })
	dir := filepath.Join(t.TempDir(), "data")
	require.NoError(t, os.Mkdir(dir, 0o755))
	s, err := store.Open(context.Background(), filepath.Join(dir, store.FileName), store.Options{})
	require.NoError(t, err)
	require.NoError(t, s.Close())
	require.NoError(t, os.Chmod(filepath.Join(dir, store.FileName), 0o644))
	for _, d := range []string{"logs", "clips/2026-12-07", "snapshots", "backups", "backgrounds"} {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, d), 0o755))
		require.NoError(t, os.Chmod(filepath.Join(dir, d), 0o755))
	}
	for _, f := range []string{"config.json", "logs/watchpost.log", "clips/2026-12-07/alarm-1.mp4", "snapshots/cam.png", "backups/b.tar.gz", "backgrounds/plan.png", "notes.txt"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o644))
	}

	fixed, err := store.SecureDataDir(dir)
	require.NoError(t, err)
	assert.NotEmpty(t, fixed)
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		require.NoError(t, err)
		fi, err := d.Info()
		require.NoError(t, err)
		switch {
		case filepath.Base(p) == "notes.txt":
			assert.Equal(t, fs.FileMode(0o644), fi.Mode().Perm(), "not Watchpost's: left alone")
		case d.IsDir():
			assert.Equal(t, store.DirMode, fi.Mode().Perm(), p)
		default:
			assert.Equal(t, store.FileMode, fi.Mode().Perm(), p)
		}
		return nil
	})
	require.NoError(t, err)
}

// SQLite creates the database, its WAL and its SHM with the umask (0644): the store makes
// them 0600, and a new WAL and SHM take the database's mode.
func TestAttackTheDatabaseFilesArePrivate(t *testing.T) {
	old := syscall.Umask(0o022)
	t.Cleanup(func() { syscall.Umask(old) })
	path := filepath.Join(t.TempDir(), store.FileName)
	for i := 0; i < 2; i++ { // created, then reopened
		s, err := store.Open(context.Background(), path, store.Options{})
		require.NoError(t, err)
		for _, p := range []string{path, path + "-wal", path + "-shm", path + ".lock"} {
			fi, err := os.Stat(p)
			require.NoError(t, err, "%s exists while the store is open", p)
			assert.Equal(t, store.FileMode, fi.Mode().Perm(), p)
		}
		require.NoError(t, s.Close())
	}
}
