package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/store"
)

// An upgrade that migrates a database writes a backup of it first (in the backup folder,
// named for the schema it goes to), journals it, and that backup restores the database as it
// was before the upgrade. A new database and one already up to date take none.
func TestAnUpgradeThatMigratesTakesABackupFirst(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, store.FileName)
	old := store.SchemaVersion() - 1
	back := store.AtSchema(old)
	s, err := store.Open(ctx, path, store.Options{})
	require.NoError(t, err)
	inv := app.NewInventory(s, app.NewRecorder(s, app.NewBus()))
	require.NoError(t, inv.Seed(ctx, demoSite(t)))
	before, err := s.LastSeq(ctx)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	back()
	_, err = os.Stat(filepath.Join(dir, "backups"))
	assert.True(t, os.IsNotExist(err), "a new database takes no backup")

	s, err = store.Open(ctx, path, store.Options{})
	require.NoError(t, err)
	defer s.Close()
	files, err := os.ReadDir(filepath.Join(dir, "backups"))
	require.NoError(t, err)
	require.Len(t, files, 1)
	name := files[0].Name()
	assert.True(t, strings.HasPrefix(name, "pre-migration-"+pad4(store.SchemaVersion())+"-"), name)
	es, err := s.Query(ctx, app.JournalQuery{Kinds: []app.EntryKind{app.KindBackupTaken}})
	require.NoError(t, err)
	require.Len(t, es, 1)
	var info app.BackupInfo
	require.NoError(t, es[0].Decode(&info))
	assert.Equal(t, app.BackupPreMigration, info.Reason)
	assert.Equal(t, old, info.SchemaVersion)
	assert.Equal(t, before, info.LastSeq)
	assert.Equal(t, name, info.File)

	archive := filepath.Join(dir, "backups", name)
	target := t.TempDir()
	// A backup of a schema that has the site key (8 on) restores only beside its key.
	if key, err := os.ReadFile(filepath.Join(dir, store.KeyFileName)); err == nil {
		require.NoError(t, os.WriteFile(filepath.Join(target, store.KeyFileName), key, 0o600))
	}
	r, err := store.PrepareRestore(ctx, archive, target)
	require.NoError(t, err, "the pre-migration backup is a whole backup")
	assert.Equal(t, old, r.Manifest.SchemaVersion)
	r.Close()

	require.NoError(t, s.Close())
	s2, err := store.Open(ctx, path, store.Options{})
	require.NoError(t, err)
	s2.Close()
	files, err = os.ReadDir(filepath.Join(dir, "backups"))
	require.NoError(t, err)
	assert.Len(t, files, 1, "an up-to-date database takes no backup")
}

func pad4(n int) string {
	s := "0000" + strconv.Itoa(n)
	return s[len(s)-4:]
}
