// Package store keeps Watchpost's state in one SQLite file (modernc.org/sqlite, pure Go):
// the append-only journal and the tables projected from it (site inventory, alarms), and
// operator accounts. Writes are durable (WAL, synchronous=FULL: fsynced) when they return.
package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"watchpost/app"
)

// FileName is the database's name inside the data directory.
const FileName = "watchpost.db"

// applicationID marks a SQLite file as Watchpost's ("WPST"), so the console never writes
// into some other program's database.
const applicationID = 0x57505354

// Options for Open.
type Options struct {
	// ReadOnly opens the database for the read-only CLI commands while a console may be
	// running on it: no lock, no migrations, no writes.
	ReadOnly bool
	Log      *slog.Logger
	// MigrationBackups is the folder where a backup is written before a migration changes
	// an existing database; default "backups" beside the database.
	MigrationBackups string

	heldLock          bool   // a restore holds the data directory's lock already
	noMigrationBackup bool   // a restore's own copy: the archive is its backup
	keyDir            string // where the site key is when not beside the file (a restore's staging copy)
}

func discardLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

// Store is the open database.
type Store struct {
	db     *sql.DB
	path   string
	ro     bool
	log    *slog.Logger
	lock   *fileLock
	writer *writer
	opt    Options
	keys   *Keys // the site key (keys.go), never stored in the database
	// personal seals personal fields and secrets at rest (personal.go).
	personal *personal
	// migrationBackup is the backup taken before this open migrated the database, journaled
	// once the journal writer runs.
	migrationBackup *app.BackupInfo
	chainStart      ChainResult         // the chain's verification at this open (chain.go)
	chainedNow      *app.JournalChained // this open chained a journal from before chains
	chained         bool                // the journal has its chain column (only tests open an older schema)

	ckptStop, ckptDone chan struct{}
	closeOnce          sync.Once
	closeErr           error
}

// Path returns the database file.
func (s *Store) Path() string { return s.path }

// DB exposes the handle for tests and tools in this package's tree.
func (s *Store) DB() *sql.DB { return s.db }

// dsn builds the connection string: every pooled connection gets the same pragmas.
// synchronous=FULL makes each commit fsync the WAL: an entry is on disk when Append returns.
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	if readOnly {
		q.Set("mode", "ro")
	} else {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(FULL)")
		// Checkpoints run in the background (checkpointer), not inside a commit: an
		// automatic checkpoint would stall whichever append crossed the threshold.
		q.Add("_pragma", "wal_autocheckpoint(0)")
		// What is deleted or replaced is overwritten, not left in free pages: an erased
		// person's key and the clear fields of rows sealed at the upgrade (personal.go).
		q.Add("_pragma", "secure_delete(1)")
		q.Set("_txlock", "immediate")
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// Open opens (and creates, unless read-only) the database at path and brings its schema
// up to date. Failures come back as *app.Error with an operator-readable message: a file
// that is not a Watchpost database, one from a newer version, a directory that cannot be
// written. Nothing is overwritten in any of these cases.
func Open(ctx context.Context, path string, opt Options) (*Store, error) {
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, app.Errorf(app.CodeInvalid, "The database path {{.Path}} cannot be used", "Path", path).Wrap(err)
	}
	if err := checkFile(abs, opt.ReadOnly); err != nil {
		return nil, err
	}
	s := &Store{path: abs, ro: opt.ReadOnly, log: opt.Log, opt: opt}
	if !opt.ReadOnly && !opt.heldLock {
		if s.lock, err = lockFile(abs + ".lock"); err != nil {
			return nil, err
		}
	}
	s.db, err = sql.Open("sqlite", dsn(abs, opt.ReadOnly))
	if err != nil {
		s.closeLock()
		return nil, app.Errorf(app.CodeUnavailable, "The database {{.Path}} cannot be opened", "Path", abs).Wrap(err)
	}
	if opt.ReadOnly {
		s.db.SetMaxOpenConns(2)
	} else {
		// One writer connection for the journal writer, more for readers (WAL readers do
		// not block the writer).
		s.db.SetMaxOpenConns(4)
	}
	hadChain, err := s.hasChainColumn(ctx)
	if err == nil {
		err = s.prepare(ctx)
	}
	if err == nil {
		s.chained, err = s.hasChainColumn(ctx)
	}
	if err == nil && !opt.ReadOnly {
		// SQLite made the files with the umask; they hold personal data (modes.go).
		if perr := privateFiles(abs); perr != nil {
			err = app.Errorf(app.CodeUnavailable, "The database {{.Path}} cannot be made private to this account (mode 0600)", "Path", abs).Wrap(perr)
		}
	}
	if err == nil {
		err = s.loadKeys(ctx)
	}
	if err == nil {
		s.personal, err = s.loadPersonal(ctx) // personal.go
	}
	var sealed app.SealedCount
	if err == nil && !opt.ReadOnly {
		// Before the writer starts and before the journal is first chained: the fields an
		// older database held in clear are sealed once (personal_migrate.go), so that the
		// chain covers only ciphertext (sealing a chained entry would read as tampering).
		sealed, err = s.sealPending(ctx)
	}
	if err == nil && !opt.ReadOnly && s.chained {
		err = s.checkChainAtOpen(ctx, !hadChain) // chain.go
	}
	if err != nil {
		s.db.Close()
		s.closeLock()
		return nil, err
	}
	if !opt.ReadOnly {
		s.writer = startWriter(s)
		s.ckptStop, s.ckptDone = make(chan struct{}), make(chan struct{})
		go s.checkpointer()
		if sealed.Rows+sealed.Entries > 0 {
			if _, err := s.Append(ctx, app.NewEntry(app.KindPersonalSealed, "", app.SystemActor, sealed)); err != nil {
				s.Close()
				return nil, err
			}
		}
		if b := s.migrationBackup; b != nil {
			if _, err := s.Append(ctx, app.NewEntry(app.KindBackupTaken, app.SubjectBackup(b.File), app.SystemActor, b)); err != nil {
				s.Close()
				return nil, err
			}
		}
		if c := s.chainedNow; c != nil {
			if _, err := s.Append(ctx, app.NewEntry(app.KindJournalChained, "journal:", app.SystemActor, c)); err != nil {
				s.Close()
				return nil, err
			}
		}
	}
	return s, nil
}

// checkpointer copies the WAL back into the database file every second, beside the
// writer (a passive checkpoint never blocks it), so the WAL stays small.
func (s *Store) checkpointer() {
	defer close(s.ckptDone)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-s.ckptStop:
			return
		case <-tick.C:
			if _, err := s.db.Exec("PRAGMA wal_checkpoint(PASSIVE)"); err != nil {
				s.log.Warn("database checkpoint failed", "err", err)
			}
		}
	}
}

// checkFile gives clear reasons for the usual ways a data directory is broken, before
// SQLite gives obscure ones.
func checkFile(path string, readOnly bool) error {
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return app.Errorf(app.CodeUnavailable, "The data directory {{.Dir}} does not exist", "Dir", dir).Wrap(err)
	case err != nil:
		return app.Errorf(app.CodeUnavailable, "The data directory {{.Dir}} cannot be read", "Dir", dir).Wrap(err)
	case !st.IsDir():
		return app.Errorf(app.CodeUnavailable, "{{.Dir}} is not a directory", "Dir", dir)
	}
	fi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		if readOnly {
			return app.Errorf(app.CodeNotFound, "There is no Watchpost database in {{.Dir}} yet: start the console once to create it", "Dir", dir)
		}
		if err := probeWritable(dir); err != nil {
			return app.Errorf(app.CodeUnavailable, "The data directory {{.Dir}} cannot be written", "Dir", dir).Wrap(err)
		}
		return nil
	}
	if err != nil {
		return app.Errorf(app.CodeUnavailable, "The database {{.Path}} cannot be read", "Path", path).Wrap(err)
	}
	if fi.IsDir() {
		return app.Errorf(app.CodeCorrupt, "{{.Path}} is a directory, not a database", "Path", path)
	}
	if fi.Size() == 0 {
		// SQLite would take an empty file for a new database, and the console would set up
		// the demo in it (with its published password) where a real site's file was
		// truncated by a failed copy or a full disk. Only a missing file is a new database.
		return app.Errorf(app.CodeCorrupt, "The database file {{.Path}} is empty (0 bytes): it may have been truncated by a failed copy or a full disk. Restore it from a backup (watchpost restore), or remove the empty file to start anew; it was left as it is", "Path", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return app.Errorf(app.CodeUnavailable, "The database {{.Path}} cannot be read", "Path", path).Wrap(err)
	}
	defer f.Close()
	head := make([]byte, 16)
	n, err := io.ReadFull(f, head)
	if n > 0 && !bytes.Equal(head[:n], []byte("SQLite format 3\x00")[:n]) || (err != nil && n > 0 && n < 16) {
		return app.Errorf(app.CodeCorrupt, "{{.Path}} is not a Watchpost database (the file is damaged or belongs to something else); it was left as it is", "Path", path)
	}
	if !readOnly {
		if err := probeWritable(dir); err != nil {
			return app.Errorf(app.CodeUnavailable, "The data directory {{.Dir}} cannot be written", "Dir", dir).Wrap(err)
		}
		if fi.Mode().Perm()&0o200 == 0 {
			return app.Errorf(app.CodeUnavailable, "The database {{.Path}} is read-only", "Path", path)
		}
	}
	return nil
}

func probeWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".watchpost-probe-*")
	if err != nil {
		return err
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// prepare checks the file is ours and applies the migrations.
func (s *Store) prepare(ctx context.Context) error {
	var appID, version int
	if err := s.db.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID); err != nil {
		return s.openError(err)
	}
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return s.openError(err)
	}
	var tables int
	if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&tables); err != nil {
		return s.openError(err)
	}
	if appID != applicationID && tables > 0 {
		return app.Errorf(app.CodeCorrupt, "{{.Path}} is a SQLite database of another program, not Watchpost's; it was left as it is", "Path", s.path)
	}
	known := len(migrations)
	if version > known {
		return app.Errorf(app.CodeVersion, "The database {{.Path}} was written by a newer Watchpost (schema {{.Have}}; this one knows up to {{.Known}}). Use the newer version; the file was left as it is", "Path", s.path, "Have", version, "Known", known)
	}
	if s.ro {
		if version < known {
			return app.Errorf(app.CodeVersion, "The database {{.Path}} needs an upgrade (schema {{.Have}} of {{.Known}}): start the console once", "Path", s.path, "Have", version, "Known", known)
		}
		return nil
	}
	return s.migrate(ctx, version)
}

// openError turns SQLite's codes into words.
func (s *Store) openError(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT:
			return app.Errorf(app.CodeCorrupt, "{{.Path}} is not a Watchpost database (the file is damaged or belongs to something else); it was left as it is", "Path", s.path).Wrap(err)
		case sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM, sqlite3.SQLITE_READONLY:
			return app.Errorf(app.CodeUnavailable, "The database {{.Path}} cannot be opened (check the permissions of the data directory)", "Path", s.path).Wrap(err)
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return app.Errorf(app.CodeUnavailable, "The database {{.Path}} is busy", "Path", s.path).Wrap(err)
		case sqlite3.SQLITE_FULL:
			return app.Errorf(app.CodeUnavailable, "The disk holding {{.Path}} is full", "Path", s.path).Wrap(err)
		}
	}
	return app.Errorf(app.CodeUnavailable, "The database {{.Path}} cannot be opened", "Path", s.path).Wrap(err)
}

// Close stops the journal writer (after it has committed what it holds) and closes the file.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		if s.writer != nil {
			s.writer.close()
			close(s.ckptStop)
			<-s.ckptDone
			_, _ = s.db.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
		}
		s.closeErr = s.db.Close()
		s.closeLock()
	})
	return s.closeErr
}

func (s *Store) closeLock() {
	if s.lock != nil {
		s.lock.release()
		s.lock = nil
	}
}

// Size returns the database's size on disk in bytes (file plus WAL).
func (s *Store) Size() int64 {
	var n int64
	for _, p := range []string{s.path, s.path + "-wal"} {
		if fi, err := os.Stat(p); err == nil {
			n += fi.Size()
		}
	}
	return n
}

// Describe returns "path (size)" for the status bar and the log.
func (s *Store) Describe() string {
	return fmt.Sprintf("%s (%.1f MB)", s.path, float64(s.Size())/1e6)
}

func notFound(err error, msg string, kv ...any) error {
	if errors.Is(err, sql.ErrNoRows) {
		return app.Errorf(app.CodeNotFound, msg, kv...)
	}
	return app.Errorf(app.CodeUnavailable, "The database cannot be read").Wrap(err)
}

func isConstraint(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_CONSTRAINT
}
