package store_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/store"
)

// siteStore is a data directory whose database holds the demo site (seeded as a site, the
// way the store projects it), a configuration file and a background picture.
func siteStore(t *testing.T) (*store.Store, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := store.Open(context.Background(), filepath.Join(dir, store.FileName), store.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	inv := app.NewInventory(s, app.NewRecorder(s, app.NewBus()))
	require.NoError(t, inv.Seed(context.Background(), demoSite(t)))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"language": "zh-CN"}`), 0o600))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, store.BackgroundDir), 0o750))
	require.NoError(t, os.WriteFile(filepath.Join(dir, store.BackgroundDir, "plan-1.png"), []byte("picture"), 0o600))
	return s, dir
}

// A backup taken while a writer appends entries as the ingest does (several goroutines,
// each entry acknowledged once fsynced, hundreds a second) holds every entry acknowledged
// before the backup began, and restores to a database that passes PRAGMA integrity_check.
// (A copy of the database file alone misses what is still in the WAL.)
func TestABackupUnderLoadHoldsEveryAcknowledgedEntry(t *testing.T) {
	ctx := context.Background()
	s, dir := siteStore(t)

	var acked atomic.Int64 // the highest sequence number acknowledged so far
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var appendErr atomic.Value
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				out, err := s.Append(ctx, app.NewEntry(app.KindDeviceReading, "device:smoke-1", app.SystemActor,
					map[string]any{"device": "smoke-1", "value": i}))
				if err != nil {
					appendErr.Store(err)
					return
				}
				for {
					cur := acked.Load()
					if out[0].Seq <= cur || acked.CompareAndSwap(cur, out[0].Seq) {
						break
					}
				}
			}
		}()
	}
	defer func() { close(stop); wg.Wait() }()
	require.Eventually(t, func() bool { return acked.Load() > 300 }, 15*time.Second, 5*time.Millisecond, "the writers append")

	before := acked.Load()
	archive := filepath.Join(t.TempDir(), "under-load.tar.gz")
	info, err := s.Backup(ctx, archive, store.BackupOptions{DataDir: dir, Version: "test"})
	require.NoError(t, err)
	assert.Nil(t, appendErr.Load(), "the writers were never refused")
	require.Eventually(t, func() bool { return acked.Load() > info.LastSeq+50 }, 15*time.Second, 5*time.Millisecond, "the writers went on during and after the backup")
	assert.GreaterOrEqual(t, info.LastSeq, before)
	assert.Equal(t, info.LastSeq, info.Entries, "no gaps")
	fi, err := os.Stat(archive)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	target := t.TempDir()
	_, err = store.PrepareRestore(ctx, archive, target)
	require.ErrorContains(t, err, "needs its site key", "a restore onto a machine without the key is refused before anything is replaced")
	assert.NoFileExists(t, filepath.Join(target, store.FileName))
	key, err := os.ReadFile(filepath.Join(dir, store.KeyFileName))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(target, store.KeyFileName), key, 0o600))
	r, err := store.PrepareRestore(ctx, archive, target)
	require.NoError(t, err, "the archive passes every check, integrity_check included")
	_, err = r.Apply(ctx, app.SystemActor)
	require.NoError(t, err)
	r.Close()

	db, err := sql.Open("sqlite", filepath.Join(target, store.FileName))
	require.NoError(t, err)
	defer db.Close()
	var check string
	require.NoError(t, db.QueryRow("PRAGMA integrity_check").Scan(&check))
	assert.Equal(t, "ok", check)
	var n int64
	require.NoError(t, db.QueryRow("SELECT count(*) FROM journal WHERE seq <= ?", before).Scan(&n))
	assert.Equal(t, before, n, "every entry acknowledged before the backup began is in it")
	fi, err = os.Stat(filepath.Join(target, store.FileName))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
}

// The archive holds the database, the configuration and the pictures, and a manifest that
// describes them.
func TestABackupHasAManifest(t *testing.T) {
	ctx := context.Background()
	s, dir := siteStore(t)
	archive := filepath.Join(t.TempDir(), "b.tar.gz")
	info, err := s.Backup(ctx, archive, store.BackupOptions{DataDir: dir, Version: "v9"})
	require.NoError(t, err)
	members := readArchive(t, archive)
	names := make([]string, 0, len(members))
	for n := range members {
		names = append(names, n)
	}
	sort.Strings(names)
	assert.Equal(t, []string{"backgrounds/plan-1.png", "config.json", "manifest.json", "watchpost.db"}, names)
	var m store.BackupManifest
	require.NoError(t, json.Unmarshal(members["manifest.json"], &m))
	assert.Equal(t, "v9", m.Version)
	assert.Equal(t, store.SchemaVersion(), m.SchemaVersion)
	assert.Equal(t, "demo", m.SiteID)
	assert.Equal(t, info.LastSeq, m.LastSeq)
	assert.Equal(t, app.BackupManual, m.Reason)
	require.Len(t, m.Members, 3)
	for _, mem := range m.Members {
		sum := sha256.Sum256(members[mem.Name])
		assert.Equal(t, mem.SHA256, hexOf(sum[:]), mem.Name)
	}
	_, err = s.Backup(ctx, archive, store.BackupOptions{DataDir: dir})
	assert.True(t, app.IsCode(err, app.CodeConflict), "never written over an existing file: %v", err)
}

// A restore is refused while a console (the store's lock) holds the data directory, and
// nothing there changes.
func TestRestoreIsRefusedWhileAConsoleRuns(t *testing.T) {
	ctx := context.Background()
	s, dir := siteStore(t)
	archive := filepath.Join(t.TempDir(), "b.tar.gz")
	_, err := s.Backup(ctx, archive, store.BackupOptions{DataDir: dir})
	require.NoError(t, err)
	before := names(dirState(t, dir)) // the console's checkpoints change the database's bytes
	_, err = store.PrepareRestore(ctx, archive, dir)
	require.Error(t, err)
	assert.True(t, app.IsCode(err, app.CodeConflict), "%v", err)
	assert.Contains(t, err.Error(), "already running on this data directory")
	assert.Equal(t, before, names(dirState(t, dir)))
	last, err := s.LastSeq(ctx)
	require.NoError(t, err)
	es, err := s.Query(ctx, app.JournalQuery{AfterSeq: last - 1})
	require.NoError(t, err)
	assert.NotEqual(t, app.KindBackupRestored, es[0].Kind)
}

// A damaged archive (cut short, a member changed after its checksum was taken, one that is
// not a backup at all) is refused with the reason before anything is replaced.
func TestADamagedBackupIsRefusedAndNothingIsReplaced(t *testing.T) {
	ctx := context.Background()
	s, dir := siteStore(t)
	archive := filepath.Join(t.TempDir(), "good.tar.gz")
	_, err := s.Backup(ctx, archive, store.BackupOptions{DataDir: dir})
	require.NoError(t, err)
	require.NoError(t, s.Close())
	good, err := os.ReadFile(archive)
	require.NoError(t, err)

	members := readArchive(t, archive)
	changed := map[string][]byte{}
	for k, v := range members {
		changed[k] = v
	}
	changed["config.json"] = []byte(`{"language": "en"}`)
	db := append([]byte(nil), members["watchpost.db"]...)
	db[len(db)/2] ^= 0xff
	flipped := map[string][]byte{}
	for k, v := range members {
		flipped[k] = v
	}
	flipped["watchpost.db"] = db
	extra := map[string][]byte{"../evil": []byte("x")}
	for k, v := range members {
		extra[k] = v
	}

	cases := map[string]struct {
		data []byte
		want string
	}{
		"truncated":         {good[:len(good)/2], "ends too early"},
		"checksum mismatch": {writeArchiveBytes(t, changed), "config.json does not match its checksum"},
		"database changed":  {writeArchiveBytes(t, flipped), "watchpost.db does not match its checksum"},
		"a path outside":    {writeArchiveBytes(t, extra), "which no backup holds"},
		"not an archive":    {[]byte("SQLite format 3\x00 and more"), "not a Watchpost backup"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			bad := filepath.Join(t.TempDir(), "bad.tar.gz")
			require.NoError(t, os.WriteFile(bad, c.data, 0o600))
			before := dirState(t, dir)
			_, err := store.PrepareRestore(ctx, bad, dir)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
			assert.Contains(t, err.Error(), "nothing was changed")
			assert.Equal(t, before, dirState(t, dir), "nothing replaced, nothing left behind")
		})
	}
}

// Restoring over a database keeps the replaced one (and the configuration) aside, whole,
// and journals the restore in the restored database after its own entries.
func TestTheReplacedDatabaseIsKeptAside(t *testing.T) {
	ctx := context.Background()
	s, dir := siteStore(t)
	archive := filepath.Join(t.TempDir(), "b.tar.gz")
	info, err := s.Backup(ctx, archive, store.BackupOptions{DataDir: dir})
	require.NoError(t, err)
	later, err := s.Append(ctx, app.NewEntry(app.KindConsoleStarted, "", app.SystemActor, map[string]string{"after": "the backup"}))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"language": "en"}`), 0o600))
	require.NoError(t, os.Remove(filepath.Join(dir, store.BackgroundDir, "plan-1.png")))
	require.NoError(t, s.Close())

	r, err := store.PrepareRestore(ctx, archive, dir)
	require.NoError(t, err)
	res, err := r.Apply(ctx, "admin")
	require.NoError(t, err)
	r.Close()
	require.Len(t, res.SetAside, 2)
	assert.True(t, strings.HasPrefix(res.SetAside[0], "watchpost.db.replaced-"), res.SetAside[0])
	assert.True(t, strings.HasPrefix(res.SetAside[1], "config.json.replaced-"), res.SetAside[1])
	assert.Equal(t, 1, res.Added, "the deleted picture is back")

	aside, err := store.Open(ctx, filepath.Join(dir, res.SetAside[0]), store.Options{ReadOnly: true})
	require.NoError(t, err)
	last, err := aside.LastSeq(ctx)
	require.NoError(t, err)
	aside.Close()
	assert.Equal(t, later[0].Seq, last, "the replaced database is whole, its last entry included")
	cfg, err := os.ReadFile(filepath.Join(dir, "config.json"))
	require.NoError(t, err)
	assert.JSONEq(t, `{"language": "zh-CN"}`, string(cfg))
	old, err := os.ReadFile(filepath.Join(dir, res.SetAside[1]))
	require.NoError(t, err)
	assert.JSONEq(t, `{"language": "en"}`, string(old))
	_, err = os.Stat(filepath.Join(dir, store.BackgroundDir, "plan-1.png"))
	assert.NoError(t, err)

	restored, err := store.Open(ctx, filepath.Join(dir, store.FileName), store.Options{ReadOnly: true})
	require.NoError(t, err)
	defer restored.Close()
	es, err := restored.Query(ctx, app.JournalQuery{AfterSeq: info.LastSeq})
	require.NoError(t, err)
	require.Len(t, es, 1, "the backup's entries, then the restore")
	assert.Equal(t, app.KindBackupRestored, es[0].Kind)
	assert.Equal(t, "admin", es[0].Operator)
	var got app.BackupRestored
	require.NoError(t, es[0].Decode(&got))
	assert.Equal(t, "b.tar.gz", got.File)
	assert.Equal(t, res.SetAside, got.SetAside)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		assert.False(t, strings.HasPrefix(e.Name(), ".restore-"), "the unpacked files are removed")
	}
}

// readArchive returns the members of a backup.
func readArchive(t *testing.T, path string) map[string][]byte {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	gz, err := gzip.NewReader(f)
	require.NoError(t, err)
	tr := tar.NewReader(gz)
	out := map[string][]byte{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		require.NoError(t, err)
		b, err := io.ReadAll(tr)
		require.NoError(t, err)
		out[h.Name] = b
	}
}

// writeArchiveBytes packs members (the manifest last) as a backup would.
func writeArchiveBytes(t *testing.T, members map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	names := make([]string, 0, len(members))
	for n := range members {
		if n != store.ManifestName {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	names = append(names, store.ManifestName)
	for _, n := range names {
		b := members[n]
		require.NoError(t, tw.WriteHeader(&tar.Header{Name: n, Mode: 0o600, Size: int64(len(b)), Typeflag: tar.TypeReg}))
		_, err := tw.Write(b)
		require.NoError(t, err)
	}
	require.NoError(t, tw.Close())
	require.NoError(t, gz.Close())
	return buf.Bytes()
}

// dirState is every file under dir with its size and content's checksum.
func dirState(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		require.NoError(t, err)
		if d.IsDir() || strings.HasSuffix(p, "-shm") {
			return nil
		}
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		sum := sha256.Sum256(b)
		rel, _ := filepath.Rel(dir, p)
		out[rel] = hexOf(sum[:])
		return nil
	}))
	return out
}

func names(state map[string]string) []string {
	out := make([]string, 0, len(state))
	for n := range state {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}
