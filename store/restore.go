package store

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"watchpost/app"
)

// A restore brings a backup back into a data directory, in two steps so that nothing is
// replaced before everything is known to be right:
//
//  1. PrepareRestore locks the data directory (refused while a console runs there), unpacks
//     the archive into a hidden folder beside the database and checks all of it: every
//     member listed in the manifest with its size and SHA-256, nothing else, PRAGMA
//     integrity_check on the database, a schema this build knows, a site in it. The caller
//     then checks who restores (OpenBackup, OpenCurrent: the accounts of either database).
//  2. Apply sets the database (and its WAL) and the configuration aside as
//     <name>.replaced-<time>, puts the backup's in their place, adds the pictures and clips
//     that are missing, and journals the restore in the restored database, as who did it.
//
// Close ends it either way: the hidden folder is removed and the lock released.
type Restore struct {
	Archive  string
	DataDir  string
	Manifest BackupManifest
	staging  string
	lock     *fileLock
	applied  bool
}

// PrepareRestore unpacks and checks the archive for the data directory dataDir (created
// when missing: a new machine). On any failure nothing in dataDir has changed.
func PrepareRestore(ctx context.Context, archive, dataDir string) (*Restore, error) {
	archive, err := filepath.Abs(archive)
	if err != nil {
		return nil, app.Errorf(app.CodeInvalid, "The backup {{.File}} cannot be used", "File", archive).Wrap(err)
	}
	dataDir, err = filepath.Abs(dataDir)
	if err != nil {
		return nil, app.Errorf(app.CodeInvalid, "The data directory {{.Dir}} cannot be used", "Dir", dataDir).Wrap(err)
	}
	src, err := os.Open(archive)
	if err != nil {
		return nil, app.Errorf(app.CodeNotFound, "The backup {{.File}} cannot be read", "File", archive).Wrap(err)
	}
	defer src.Close()
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, app.Errorf(app.CodeUnavailable, "The data directory {{.Dir}} cannot be created", "Dir", dataDir).Wrap(err)
	}
	lock, err := lockFile(filepath.Join(dataDir, FileName) + ".lock")
	if err != nil {
		return nil, err
	}
	r := &Restore{Archive: archive, DataDir: dataDir, lock: lock}
	r.staging, err = os.MkdirTemp(dataDir, ".restore-*")
	if err != nil {
		r.Close()
		return nil, app.Errorf(app.CodeUnavailable, "The data directory {{.Dir}} cannot be written", "Dir", dataDir).Wrap(err)
	}
	if err := r.check(ctx, src); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// damaged is the refusal of an archive that cannot be read whole.
func (r *Restore) damaged(why string, err error) error {
	e := app.Errorf(app.CodeCorrupt, "The backup {{.File}} is damaged ({{.Why}}); nothing was changed", "File", r.Archive, "Why", why)
	if err != nil {
		return e.Wrap(err)
	}
	return e
}

// check unpacks the archive into the staging folder and checks it.
func (r *Restore) check(ctx context.Context, src io.Reader) error {
	got, err := r.unpack(src)
	if err != nil {
		return err
	}
	if _, ok := got[ManifestName]; !ok {
		return r.damaged("it has no manifest", nil)
	}
	raw, err := os.ReadFile(filepath.Join(r.staging, ManifestName))
	if err != nil {
		return r.damaged("the manifest cannot be read", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	if err := dec.Decode(&r.Manifest); err != nil {
		return r.damaged("the manifest cannot be read", err)
	}
	m := r.Manifest
	if m.Format != BackupFormat {
		return app.Errorf(app.CodeVersion, "The backup {{.File}} has a format this Watchpost does not know ({{.N}}); nothing was changed", "File", r.Archive, "N", m.Format)
	}
	listed := map[string]bool{ManifestName: true}
	for _, want := range m.Members {
		listed[want.Name] = true
		have, ok := got[want.Name]
		if !ok {
			return r.damaged(fmt.Sprintf("%s is missing", want.Name), nil)
		}
		if have.Size != want.Size || have.SHA256 != want.SHA256 {
			return r.damaged(fmt.Sprintf("%s does not match its checksum", want.Name), nil)
		}
	}
	for name := range got {
		if !listed[name] {
			return r.damaged(fmt.Sprintf("%s is not in its manifest", name), nil)
		}
	}
	if !listed[FileName] {
		return r.damaged("it holds no database", nil)
	}
	return r.checkDatabase(ctx)
}

// unpack writes the archive's members into the staging folder (0600) and returns their
// sizes and checksums. Only the names a backup writes are accepted, and each only once.
func (r *Restore) unpack(src io.Reader) (map[string]BackupMember, error) {
	gz, err := gzip.NewReader(src)
	if err != nil {
		return nil, r.damaged("it is not a Watchpost backup archive", err)
	}
	tr := tar.NewReader(gz)
	got := map[string]BackupMember{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, r.damaged("it ends too early or cannot be read", err)
		}
		name := h.Name
		if h.Typeflag != tar.TypeReg || !memberName(name) {
			return nil, r.damaged(fmt.Sprintf("it holds %s, which no backup holds", name), nil)
		}
		if _, dup := got[name]; dup {
			return nil, r.damaged(fmt.Sprintf("it holds %s twice", name), nil)
		}
		dst := filepath.Join(r.staging, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			return nil, app.Errorf(app.CodeUnavailable, "The backup cannot be unpacked in {{.Dir}}", "Dir", r.staging).Wrap(err)
		}
		f, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err != nil {
			return nil, app.Errorf(app.CodeUnavailable, "The backup cannot be unpacked in {{.Dir}}", "Dir", r.staging).Wrap(err)
		}
		hash := sha256.New()
		n, err := io.Copy(io.MultiWriter(f, hash), tr)
		if cerr := f.Close(); err == nil && cerr != nil {
			return nil, app.Errorf(app.CodeUnavailable, "The backup cannot be unpacked in {{.Dir}}", "Dir", r.staging).Wrap(cerr)
		}
		if err != nil {
			return nil, r.damaged("it ends too early or cannot be read", err)
		}
		got[name] = BackupMember{Name: name, Size: n, SHA256: hex.EncodeToString(hash.Sum(nil))}
	}
	// The rest of the gzip stream: its checksum is checked at its end.
	if _, err := io.Copy(io.Discard, gz); err != nil {
		return nil, r.damaged("it ends too early or cannot be read", err)
	}
	return got, nil
}

// memberName accepts the names a backup writes: the manifest, the database, the
// configuration, and plain relative paths under the pictures' and clips' folders.
func memberName(name string) bool {
	switch name {
	case ManifestName, FileName, configName:
		return true
	}
	if path.Clean(name) != name || path.IsAbs(name) || strings.Contains(name, "\\") {
		return false
	}
	for _, part := range strings.Split(name, "/") {
		if part == ".." || part == "." || part == "" || strings.HasPrefix(part, ".") {
			return false
		}
	}
	top, _, ok := strings.Cut(name, "/")
	if !ok {
		return false
	}
	for _, d := range append([]string{BackgroundDir}, clipDirs...) {
		if top == d {
			return true
		}
	}
	return false
}

// checkDatabase checks the unpacked database: a Watchpost database, whole (integrity_check),
// of a schema this build knows, with a site, and what its manifest says it is.
func (r *Restore) checkDatabase(ctx context.Context) error {
	p := filepath.Join(r.staging, FileName)
	bad := func(why string, err error) error {
		e := app.Errorf(app.CodeCorrupt, "The database in the backup {{.File}} is not usable ({{.Why}}); nothing was changed", "File", r.Archive, "Why", why)
		if err != nil {
			return e.Wrap(err)
		}
		return e
	}
	db, err := sql.Open("sqlite", plainDSN(p))
	if err != nil {
		return bad("it cannot be opened", err)
	}
	defer db.Close()
	var appID int
	if err := db.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID); err != nil {
		return bad("it cannot be read", err)
	}
	if appID != applicationID {
		return bad("it is not a Watchpost database", nil)
	}
	rows, err := db.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return bad("its integrity cannot be checked", err)
	}
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			rows.Close()
			return bad("its integrity cannot be checked", err)
		}
		problems = append(problems, line)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return bad("its integrity cannot be checked", err)
	}
	if len(problems) != 1 || problems[0] != "ok" {
		return bad("the integrity check failed: "+strings.Join(problems, "; "), nil)
	}
	have, err := describeDatabase(ctx, p)
	if err != nil {
		return bad("it cannot be read", err)
	}
	if have.SchemaVersion > SchemaVersion() {
		return app.Errorf(app.CodeVersion, "The backup {{.File}} was written by a newer Watchpost (schema {{.Have}}; this one knows up to {{.Known}}): restore it with that version; nothing was changed",
			"File", r.Archive, "Have", have.SchemaVersion, "Known", SchemaVersion())
	}
	if have.SiteID == "" {
		return bad("it holds no site", nil)
	}
	if err := r.checkKey(ctx, db); err != nil {
		return err
	}
	m := r.Manifest
	if have.SchemaVersion != m.SchemaVersion || have.SiteID != m.SiteID || have.LastSeq != m.LastSeq {
		return bad("it is not the database its manifest describes", nil)
	}
	r.Manifest.Demo, r.Manifest.SiteName = have.Demo, have.SiteName
	return nil
}

// CurrentExists reports whether the data directory has a database the restore replaces.
func (r *Restore) CurrentExists() bool {
	_, err := os.Stat(filepath.Join(r.DataDir, FileName))
	return err == nil
}

// OpenBackup opens the backup's database as a store (brought to this build's schema when
// older), to check the accounts of the person restoring against it.
func (r *Restore) OpenBackup(ctx context.Context) (*Store, error) {
	return Open(ctx, filepath.Join(r.staging, FileName), Options{heldLock: true, noMigrationBackup: true, keyDir: r.DataDir, Log: discardLog()})
}

// OpenCurrent opens the database the restore replaces (CodeNotFound when there is none).
func (r *Restore) OpenCurrent(ctx context.Context) (*Store, error) {
	if !r.CurrentExists() {
		return nil, app.Errorf(app.CodeNotFound, "There is no database in {{.Dir}} yet", "Dir", r.DataDir)
	}
	return Open(ctx, filepath.Join(r.DataDir, FileName), Options{heldLock: true, Log: discardLog()})
}

// Apply replaces the data directory's database and configuration with the backup's (the
// replaced ones set aside), adds its pictures and clips, and journals the restore in the
// restored database as by (an operator's user name, or app.SystemActor on a demo). When a
// step fails, what was set aside is put back.
func (r *Restore) Apply(ctx context.Context, by string) (app.BackupRestored, error) {
	if r.applied {
		return app.BackupRestored{}, app.Errorf(app.CodeConflict, "This backup was restored already")
	}
	stamp := time.Now().Format("20060102T1504")
	dbPath := filepath.Join(r.DataDir, FileName)
	res := app.BackupRestored{File: filepath.Base(r.Archive), CreatedAt: r.Manifest.CreatedAt, LastSeq: r.Manifest.LastSeq, SiteID: r.Manifest.SiteID}
	var undo []func()
	rollback := func() {
		for i := len(undo) - 1; i >= 0; i-- {
			undo[i]()
		}
	}
	fail := func(err error) (app.BackupRestored, error) {
		rollback()
		return app.BackupRestored{}, app.Errorf(app.CodeUnavailable, "The backup {{.File}} could not be restored; the data directory was put back as it was", "File", r.Archive).Wrap(err)
	}
	aside := uniqueAside(dbPath + ".replaced-" + stamp)
	if r.CurrentExists() {
		// The old database keeps its name until the backup's replaces it (a hard link, then
		// an atomic rename): the data directory never lacks a database. Its WAL and shared
		// memory go aside first, so SQLite never applies them to the restored file.
		if err := os.Link(dbPath, aside); err != nil {
			return fail(err)
		}
		undo = append(undo, func() { os.Rename(aside, dbPath) })
		for _, suffix := range []string{"-wal", "-shm"} {
			if _, err := os.Lstat(dbPath + suffix); err == nil {
				if err := os.Rename(dbPath+suffix, aside+suffix); err != nil {
					return fail(err)
				}
				undo = append(undo, func() { os.Rename(aside+suffix, dbPath+suffix) })
			}
		}
		res.SetAside = append(res.SetAside, filepath.Base(aside))
	}
	staged := filepath.Join(r.staging, FileName)
	for _, suffix := range []string{"-wal", "-shm"} {
		_ = os.Remove(staged + suffix) // the staged store was closed: nothing in them
	}
	if err := os.Chmod(staged, 0o600); err != nil {
		return fail(err)
	}
	if err := os.Rename(staged, dbPath); err != nil {
		return fail(err)
	}
	syncDir(r.DataDir)

	cfgPath := filepath.Join(r.DataDir, configName)
	stagedCfg := filepath.Join(r.staging, configName)
	_, hasCfg := os.Stat(stagedCfg)
	if _, err := os.Stat(cfgPath); err == nil {
		cfgAside := uniqueAside(cfgPath + ".replaced-" + stamp)
		if err := os.Rename(cfgPath, cfgAside); err != nil {
			return fail(err)
		}
		undo = append(undo, func() { os.Rename(cfgAside, cfgPath) })
		res.SetAside = append(res.SetAside, filepath.Base(cfgAside))
	}
	if hasCfg == nil {
		if err := os.Rename(stagedCfg, cfgPath); err != nil {
			return fail(err)
		}
		undo = append(undo, func() { os.Remove(cfgPath) })
	}

	// Pictures and clips are named by their content or their time: one already there is the
	// same file and stays.
	for _, mem := range r.Manifest.Members {
		top, _, ok := strings.Cut(mem.Name, "/")
		if !ok || top == "" {
			continue
		}
		dst := filepath.Join(r.DataDir, filepath.FromSlash(mem.Name))
		if _, err := os.Lstat(dst); err == nil {
			res.Kept++
			continue
		}
		if err := os.MkdirAll(filepath.Dir(dst), DirMode); err != nil {
			return fail(err)
		}
		if err := os.Rename(filepath.Join(r.staging, filepath.FromSlash(mem.Name)), dst); err != nil {
			return fail(err)
		}
		res.Added++
	}

	// The restore is journaled in the restored database, after its own entries.
	st, err := Open(ctx, dbPath, Options{heldLock: true, noMigrationBackup: true, Log: discardLog()})
	if err != nil {
		return fail(err)
	}
	_, err = st.Append(ctx, app.NewEntry(app.KindBackupRestored, app.SubjectBackup(res.File), by, res))
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(dbPath + "-wal")
		os.Remove(dbPath + "-shm")
		return fail(err)
	}
	_ = os.Chmod(dbPath, 0o600)
	r.applied = true
	return res, nil
}

// uniqueAside is p, or p with a number when a file of that name was set aside already.
func uniqueAside(p string) string {
	out := p
	for i := 2; ; i++ {
		if _, err := os.Lstat(out); errors.Is(err, fs.ErrNotExist) {
			return out
		}
		out = fmt.Sprintf("%s-%d", p, i)
	}
}

// Close removes the unpacked files and releases the data directory.
func (r *Restore) Close() {
	if r.staging != "" {
		os.RemoveAll(r.staging)
		r.staging = ""
	}
	if r.lock != nil {
		r.lock.release()
		r.lock = nil
	}
}

// checkKey refuses, before anything is replaced, a backup whose site key is not in the data
// directory (keys are never in a backup: a restore onto a new machine needs the key file
// copied there first) or is another site's.
func (r *Restore) checkKey(ctx context.Context, db *sql.DB) error {
	var want string
	err := db.QueryRowContext(ctx, "SELECT fingerprint FROM site_key WHERE id = 1").Scan(&want)
	if err != nil {
		return nil // a backup from before site keys: the restored database gets this directory's key
	}
	keys, err := findKeys(r.DataDir)
	if err != nil {
		return err
	}
	if keys == nil {
		return app.Errorf(app.CodeUnavailable, "The backup {{.File}} needs its site key, which is never in a backup: copy the key file {{.Key}} from the machine it was taken on into {{.Dir}} and restore again; nothing was changed",
			"File", r.Archive, "Key", KeyFileName, "Dir", r.DataDir)
	}
	if keys.Fingerprint() != want {
		return app.Errorf(app.CodeCorrupt, "The backup {{.File}} was made with another site key (fingerprint {{.Want}}) than the one in {{.Dir}} ({{.Have}}); nothing was changed",
			"File", r.Archive, "Want", want, "Dir", r.DataDir, "Have", keys.Fingerprint())
	}
	return nil
}
