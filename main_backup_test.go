package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/assets"
	"watchpost/store"
)

// realSite gives a data directory a real (not demo) site, its administrator "admin" and a
// duty operator "guard" (passwords "sunshine-" + user name), and a configuration.
func realSite(t *testing.T, dir string) {
	t.Helper()
	ctx := context.Background()
	core, st := newCoreWith(t, dir, app.Ports{}) // no seeds: no demo accounts
	for _, op := range []app.Operator{{Username: "admin", Name: "赵磊", Role: app.RoleAdmin}, {Username: "guard", Name: "王强", Role: app.RoleOperator}} {
		_, err := core.Accounts.Create(ctx, nil, op, "sunshine-"+op.Username)
		require.NoError(t, err)
	}
	admin, err := core.Accounts.Authenticate(ctx, "admin", "sunshine-admin")
	require.NoError(t, err)
	site, err := assets.DemoSite()
	require.NoError(t, err)
	site.ID, site.Demo = "riverside", false
	require.NoError(t, core.Inventory.ImportSite(ctx, admin, site))
	require.NoError(t, st.Close())
	require.NoError(t, os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"language": "zh-CN", "backup": {"keep": 3}}`), 0o600))
}

// lastEntry is the newest entry of a real site's journal, read as its administrator (a real
// site's journal is not read without a sign-in).
func lastEntry(t *testing.T, dir string) app.Entry {
	t.Helper()
	out, errOut, code := cliIn(t, "sunshine-admin\n", nil, "journal", "--json", "--data", dir, "--operator", "admin")
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var e app.Entry
	require.NoError(t, json.Unmarshal([]byte(lines[len(lines)-1]), &e))
	return e
}

// The command line's round trip: a backup (journaled), then a restore on another machine's
// data directory, which needs an administrator of the real site with the right password;
// the restore is journaled in the restored database as theirs. While a console holds a data
// directory the backup still works and the restore is refused with what to do.
func TestBackupAndRestoreFromTheCommandLine(t *testing.T) {
	data := t.TempDir()
	realSite(t, data)
	archive := filepath.Join(t.TempDir(), "riverside.tar.gz")

	out, errOut, code := cli(t, nil, "backup", archive, "--data", data)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, archive)
	assert.Contains(t, out, "site riverside (journaled)")
	fi, err := os.Stat(archive)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	taken := lastEntry(t, data)
	assert.Equal(t, app.KindBackupTaken, taken.Kind)
	var info app.BackupInfo
	require.NoError(t, taken.Decode(&info))
	assert.Equal(t, "riverside.tar.gz", info.File)
	assert.Equal(t, info.LastSeq, taken.Seq-1, "the backup holds everything before its own entry")

	_, errOut, code = cli(t, nil, "backup", archive, "--data", data)
	assert.Equal(t, exitFailure, code)
	assert.Contains(t, errOut, "already exists")

	target := t.TempDir()
	_, errOut, code = cliIn(t, "sunshine-admin\n", nil, "restore", archive, "--data", target, "--operator", "admin")
	assert.Equal(t, exitFailure, code, errOut)
	assert.Contains(t, errOut, "needs its site key, which is never in a backup", "a new machine needs the key file copied first")
	key, err := os.ReadFile(filepath.Join(data, store.KeyFileName))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(target, store.KeyFileName), key, 0o600))
	_, errOut, code = cli(t, nil, "restore", archive, "--data", target)
	assert.Equal(t, exitUsage, code, errOut)
	assert.Contains(t, errOut, "name the administrator who restores with --operator USER")
	_, errOut, code = cliIn(t, "sunshine-guard\n", nil, "restore", archive, "--data", target, "--operator", "guard")
	assert.Equal(t, exitFailure, code, errOut)
	assert.Contains(t, errOut, "A Duty operator may not restore a backup")
	_, errOut, code = cliIn(t, "sunshine-wrong\n", nil, "restore", archive, "--data", target, "--operator", "admin")
	assert.Equal(t, exitFailure, code, errOut)
	assert.Contains(t, errOut, "Wrong user name or password")
	_, err = os.Stat(filepath.Join(target, store.FileName))
	assert.True(t, os.IsNotExist(err), "nothing restored without an administrator")

	out, errOut, code = cliIn(t, "sunshine-admin\n", nil, "restore", archive, "--data", target, "--operator", "admin")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "(riverside) restored from "+archive)
	assert.Contains(t, out, "as admin; set aside: nothing")
	restored := lastEntry(t, target)
	assert.Equal(t, app.KindBackupRestored, restored.Kind)
	assert.Equal(t, "admin", restored.Operator)
	assert.Equal(t, info.LastSeq+1, restored.Seq)
	cfg, err := os.ReadFile(filepath.Join(target, "config.json"))
	require.NoError(t, err)
	assert.Contains(t, string(cfg), `"keep": 3`)
	out, errOut, code = cliIn(t, "sunshine-admin\n", nil, "site", "--data", target, "--operator", "admin")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "riverside")

	// A console holds the original data directory (its store's lock).
	st, err := store.Open(context.Background(), filepath.Join(data, store.FileName), store.Options{Log: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	defer st.Close()
	second := filepath.Join(t.TempDir(), "while-running.tar.gz")
	out, errOut, code = cli(t, nil, "backup", second, "--data", data)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "not journaled: a console holds the database")
	_, errOut, code = cliIn(t, "sunshine-admin\n", nil, "restore", second, "--data", data, "--operator", "admin")
	assert.Equal(t, exitFailure, code)
	assert.Contains(t, errOut, "is already running on this data directory: stop the console before restoring a backup; nothing was changed")
}
