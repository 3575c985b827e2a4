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
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"watchpost/app"
)

// A backup is one tar.gz archive:
//
//	watchpost.db       a consistent copy of the database (VACUUM INTO, inside one read
//	                   transaction: every entry committed before it began, WAL included)
//	config.json        the configuration file, when there is one
//	backgrounds/…      the site's background pictures
//	clips/…, snapshots/…, detections/…   with clips: the recorded video and pictures
//	manifest.json      last: what it is (BackupManifest), with each member's size and SHA-256
//
// It is written to a temporary file beside its destination and linked into place when
// whole, so a backup that exists is complete; it is never written over an existing file.
// Every file is created 0600: the database holds operators' password hashes and people's
// names and phone numbers.

// Members of the archive beside the database and the pictures (BackgroundDir).
const (
	ManifestName = "manifest.json"
	configName   = "config.json"
)

// clipDirs are the data directory's folders of recorded video and pictures ("with clips").
var clipDirs = []string{"clips", "snapshots", "detections"}

// BackupFormat is the manifest's format number.
const BackupFormat = 1

// BackupManifest is manifest.json.
type BackupManifest struct {
	Format        int       `json:"format"`
	Version       string    `json:"version"` // the Watchpost that wrote it
	SchemaVersion int       `json:"schema_version"`
	SiteID        string    `json:"site_id"`
	SiteName      string    `json:"site_name,omitempty"`
	Demo          bool      `json:"demo,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	Entries       int64     `json:"entries"`
	LastSeq       int64     `json:"last_seq"`
	// JournalAnchor is the journal chain's head in the backup (chain.go): kept apart from the
	// database, it shows a later deletion of the journal's last entries (journal verify --backup).
	JournalAnchor *app.JournalAnchor `json:"journal_anchor,omitempty"`
	WithClips     bool               `json:"with_clips,omitempty"`
	Reason        string             `json:"reason"`
	Members       []BackupMember     `json:"members"`
}

// BackupMember is one file of the archive.
type BackupMember struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// BackupOptions say what goes into a backup beside the database.
type BackupOptions struct {
	// DataDir holds the background pictures (and the clips); default the database's folder.
	DataDir string
	// ConfigFile is the configuration to include; default config.json in DataDir.
	ConfigFile string
	WithClips  bool
	Version    string // the binary's, for the manifest
	Reason     string // app.BackupManual, …
}

// Backup writes a backup of the database as the archive dst. It works on a store opened
// read-only (the command line, while a console runs: it takes no lock) as on the console's
// own. dst must not exist.
func (s *Store) Backup(ctx context.Context, dst string, opt BackupOptions) (app.BackupInfo, error) {
	if opt.DataDir == "" {
		opt.DataDir = filepath.Dir(s.path)
	}
	if opt.ConfigFile == "" {
		opt.ConfigFile = filepath.Join(opt.DataDir, configName)
	}
	if opt.Reason == "" {
		opt.Reason = app.BackupManual
	}
	dst, err := filepath.Abs(dst)
	if err != nil {
		return app.BackupInfo{}, app.Errorf(app.CodeInvalid, "The backup file {{.Path}} cannot be used", "Path", dst).Wrap(err)
	}
	if _, err := os.Lstat(dst); err == nil {
		return app.BackupInfo{}, app.Errorf(app.CodeConflict, "{{.Path}} already exists: choose another name (a backup never overwrites a file)", "Path", dst)
	}
	dir := filepath.Dir(dst)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return app.BackupInfo{}, app.Errorf(app.CodeUnavailable, "The backup folder {{.Dir}} cannot be created", "Dir", dir).Wrap(err)
	}
	work, err := os.MkdirTemp(dir, ".backup-*")
	if err != nil {
		return app.BackupInfo{}, app.Errorf(app.CodeUnavailable, "The backup folder {{.Dir}} cannot be written", "Dir", dir).Wrap(err)
	}
	defer os.RemoveAll(work)

	copyPath := filepath.Join(work, FileName)
	m, err := s.snapshot(ctx, copyPath)
	if err != nil {
		return app.BackupInfo{}, err
	}
	m.Format, m.Version, m.WithClips, m.Reason = BackupFormat, opt.Version, opt.WithClips, opt.Reason
	m.CreatedAt = time.Now().UTC()

	files := []archiveFile{{name: FileName, path: copyPath}}
	if fi, err := os.Stat(opt.ConfigFile); err == nil && fi.Mode().IsRegular() {
		files = append(files, archiveFile{name: configName, path: opt.ConfigFile})
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return app.BackupInfo{}, app.Errorf(app.CodeUnavailable, "The configuration file {{.Path}} cannot be read", "Path", opt.ConfigFile).Wrap(err)
	}
	folders := []string{BackgroundDir}
	if opt.WithClips {
		folders = append(folders, clipDirs...)
	}
	for _, f := range folders {
		more, err := folderFiles(opt.DataDir, f)
		if err != nil {
			return app.BackupInfo{}, err
		}
		files = append(files, more...)
	}

	tmp := filepath.Join(work, "archive.tar.gz")
	if err := writeArchive(tmp, files, &m); err != nil {
		return app.BackupInfo{}, app.Errorf(app.CodeUnavailable, "The backup {{.Path}} cannot be written", "Path", dst).Wrap(err)
	}
	// A hard link puts the whole archive in place or fails when dst appeared meanwhile.
	if err := os.Link(tmp, dst); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return app.BackupInfo{}, app.Errorf(app.CodeConflict, "{{.Path}} already exists: choose another name (a backup never overwrites a file)", "Path", dst)
		}
		return app.BackupInfo{}, app.Errorf(app.CodeUnavailable, "The backup {{.Path}} cannot be written", "Path", dst).Wrap(err)
	}
	syncDir(dir)
	fi, err := os.Stat(dst)
	if err != nil {
		return app.BackupInfo{}, app.Errorf(app.CodeUnavailable, "The backup {{.Path}} cannot be read back", "Path", dst).Wrap(err)
	}
	return app.BackupInfo{File: filepath.Base(dst), Path: dst, Size: fi.Size(), Entries: m.Entries, LastSeq: m.LastSeq,
		SchemaVersion: m.SchemaVersion, SiteID: m.SiteID, CreatedAt: m.CreatedAt, WithClips: m.WithClips, Reason: m.Reason}, nil
}

// snapshot writes a consistent copy of the database to path and describes it. VACUUM INTO
// reads the database inside one transaction: the copy holds every entry committed before it
// began (those still in the WAL too) and none half-written, while the journal writer goes on
// (WAL readers do not block it). It needs no lock but SQLite's own.
func (s *Store) snapshot(ctx context.Context, path string) (BackupManifest, error) {
	if _, err := s.db.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		return BackupManifest{}, app.Errorf(app.CodeUnavailable, "The database could not be copied for the backup").Wrap(err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		return BackupManifest{}, app.Errorf(app.CodeUnavailable, "The database could not be copied for the backup").Wrap(err)
	}
	// What the manifest says is read from the copy itself.
	m, err := describeDatabase(ctx, path)
	if err != nil {
		return BackupManifest{}, app.Errorf(app.CodeUnavailable, "The database could not be copied for the backup").Wrap(err)
	}
	return m, nil
}

// describeDatabase reads a database file's schema version, site and journal (a copy, or a
// file being restored): opened on its own, with no WAL.
func describeDatabase(ctx context.Context, path string) (BackupManifest, error) {
	db, err := sql.Open("sqlite", plainDSN(path))
	if err != nil {
		return BackupManifest{}, err
	}
	defer db.Close()
	var m BackupManifest
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&m.SchemaVersion); err != nil {
		return m, err
	}
	var last sql.NullInt64
	if err := db.QueryRowContext(ctx, "SELECT count(*), max(seq) FROM journal").Scan(&m.Entries, &last); err != nil {
		return m, err
	}
	m.LastSeq = last.Int64
	var chained int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM pragma_table_info('journal') WHERE name = 'chain'").Scan(&chained); err != nil {
		return m, err
	}
	if chained > 0 && m.LastSeq > 0 {
		a, err := headAnchor(ctx, db)
		if err != nil {
			return m, err
		}
		m.JournalAnchor = &a
	}
	err = db.QueryRowContext(ctx, "SELECT id, name, demo FROM sites LIMIT 1").Scan(&m.SiteID, &m.SiteName, &m.Demo)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return m, err
	}
	return m, nil
}

// plainDSN opens a database file on its own (a backup's copy): rollback journal, no WAL, so
// nothing but the file itself is ever needed.
func plainDSN(path string) string {
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(DELETE)"
}

// archiveFile is a file that goes into the archive as name.
type archiveFile struct{ name, path string }

// folderFiles lists the regular files under dataDir/folder (none when it is missing), named
// by their path under dataDir with '/'. Hidden files (a picture being written) are left out.
func folderFiles(dataDir, folder string) ([]archiveFile, error) {
	root := filepath.Join(dataDir, folder)
	var out []archiveFile
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if strings.HasPrefix(d.Name(), ".") && p != root {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(dataDir, p)
		if err != nil {
			return err
		}
		out = append(out, archiveFile{name: filepath.ToSlash(rel), path: p})
		return nil
	})
	if err != nil {
		return nil, app.Errorf(app.CodeUnavailable, "The folder {{.Dir}} cannot be read for the backup", "Dir", root).Wrap(err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, nil
}

// writeArchive writes the files and then the manifest (with their sizes and checksums,
// computed as they are written: one read of each) as a gzipped tar, 0600, synced.
func writeArchive(path string, files []archiveFile, m *BackupManifest) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	for _, af := range files {
		mem, err := addFile(tw, af)
		if errors.Is(err, fs.ErrNotExist) {
			continue // a clip deleted by retention meanwhile
		}
		if err != nil {
			return err
		}
		m.Members = append(m.Members, mem)
	}
	manifest, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := tw.WriteHeader(&tar.Header{Name: ManifestName, Mode: 0o600, Size: int64(len(manifest)), ModTime: m.CreatedAt, Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	if _, err := tw.Write(manifest); err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := gz.Close(); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	return f.Close()
}

func addFile(tw *tar.Writer, af archiveFile) (BackupMember, error) {
	src, err := os.Open(af.path)
	if err != nil {
		return BackupMember{}, err
	}
	defer src.Close()
	fi, err := src.Stat()
	if err != nil {
		return BackupMember{}, err
	}
	if err := tw.WriteHeader(&tar.Header{Name: af.name, Mode: 0o600, Size: fi.Size(), ModTime: fi.ModTime(), Typeflag: tar.TypeReg}); err != nil {
		return BackupMember{}, err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tw, h), io.LimitReader(src, fi.Size()))
	if err != nil {
		return BackupMember{}, err
	}
	if n != fi.Size() {
		return BackupMember{}, app.Errorf(app.CodeUnavailable, "{{.Path}} changed while the backup read it", "Path", af.path)
	}
	return BackupMember{Name: af.name, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// syncDir makes a rename or link in dir durable (best effort: some file systems refuse it).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// BackupDir is the console's folder of daily backups (app.BackupFolder).
type BackupDir struct {
	Store *Store
	Dir   string
	Opt   BackupOptions
}

// Take writes a backup named name in the folder.
func (b BackupDir) Take(ctx context.Context, name, reason string) (app.BackupInfo, error) {
	opt := b.Opt
	opt.Reason = reason
	return b.Store.Backup(ctx, filepath.Join(b.Dir, filepath.Base(name)), opt)
}

// List returns the archives in the folder.
func (b BackupDir) List() ([]app.BackupFile, error) {
	entries, err := os.ReadDir(b.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []app.BackupFile
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue // deleted meanwhile
		}
		out = append(out, app.BackupFile{Name: e.Name(), Size: fi.Size()})
	}
	return out, nil
}

// Remove deletes one archive of the folder.
func (b BackupDir) Remove(name string) error {
	err := os.Remove(filepath.Join(b.Dir, filepath.Base(name)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// ReadBackupManifest reads the manifest of a backup archive (without unpacking the rest).
func ReadBackupManifest(archive string) (BackupManifest, error) {
	var m BackupManifest
	bad := func(err error) (BackupManifest, error) {
		return m, app.Errorf(app.CodeCorrupt, "{{.Path}} is not a Watchpost backup (no readable manifest)", "Path", archive).Wrap(err)
	}
	f, err := os.Open(archive)
	if err != nil {
		return m, app.Errorf(app.CodeUnavailable, "The backup {{.Path}} cannot be read", "Path", archive).Wrap(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return bad(err)
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = errors.New("no " + ManifestName)
			}
			return bad(err)
		}
		if h.Name == ManifestName {
			if err := json.NewDecoder(io.LimitReader(tr, 16<<20)).Decode(&m); err != nil {
				return bad(err)
			}
			return m, nil
		}
	}
}
