package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// private checks that every folder under dir is 0700 and every file 0600.
func private(t *testing.T, dir, when string) {
	t.Helper()
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // a file SQLite removed meanwhile
		}
		fi, err := d.Info()
		if err != nil {
			return nil
		}
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		}
		assert.Equal(t, want, fi.Mode().Perm(), "%s: %s", when, p)
		return nil
	}))
}

// The data directory holds residents' data: a running console keeps it private (the
// database, its WAL and SHM, the lock, the key, the log, the configuration), a directory
// that was world-readable (0755, a 0644 database, made by hand or an older version) is
// private after a start, and what the command line writes (an export, a backup) is 0600.
func TestAttackDataFilesAreReadableByNoOtherAccount(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	require.NoError(t, os.Mkdir(data, 0o755))
	require.NoError(t, os.Chmod(data, 0o755))
	cmd, _ := startHeadless(t, data)
	private(t, data, "while the demo runs")
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, cmd.Wait())

	require.NoError(t, filepath.WalkDir(data, func(p string, d fs.DirEntry, err error) error {
		require.NoError(t, err)
		mode := fs.FileMode(0o644)
		if d.IsDir() {
			mode = 0o755
		}
		return os.Chmod(p, mode)
	}))
	cmd, log := startHeadless(t, data)
	private(t, data, "after a start")
	assert.Contains(t, log.String(), `msg="file mode made private" path=`+filepath.Join(data, "watchpost.db")+` was=0644 now=0600`)

	out := t.TempDir()
	export := filepath.Join(out, "plan.geojson")
	require.NoError(t, os.WriteFile(export, nil, 0o644)) // an older export, overwritten
	_, errOut, code := cli(t, nil, "site", "export", "--geojson", export, "--data", data)
	require.Equal(t, 0, code, errOut)
	backup := filepath.Join(out, "site.tar.gz")
	_, errOut, code = cli(t, nil, "backup", backup, "--data", data)
	require.Equal(t, 0, code, errOut)
	require.NoError(t, os.Chmod(out, 0o700)) // the test's own folder
	private(t, out, "written by the command line")
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, cmd.Wait())
}
