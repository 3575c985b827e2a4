package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// The data directory holds residents' personal data, operators' password hashes, the site
// key (where there is no keyring), pictures of people and the logs: nobody but the account
// that runs Watchpost may read any of it. Directories are 0700 and files 0600, whatever
// made them: SQLite creates the database and its WAL and SHM with the process's umask
// (0644 usually), and a directory may have been made by hand or by an older version.

// Private modes of everything Watchpost keeps.
const (
	FileMode fs.FileMode = 0o600
	DirMode  fs.FileMode = 0o700
)

// ModeFix is one path whose mode SecureTree changed.
type ModeFix struct {
	Path     string
	From, To fs.FileMode
}

func (f ModeFix) String() string { return fmt.Sprintf("%s (%04o → %04o)", f.Path, f.From, f.To) }

// dataEntries are the names Watchpost keeps at the top of a data directory (or starts
// them with): only those are made private, so that a data directory given as some larger
// folder (a home directory) never has the modes of the rest changed.
var dataEntries = []string{"watchpost", ".watchpost", "config.json", ".config-", "logs", "clips", "snapshots",
	"detections", "reports", "backups", BackgroundDir, "exports", ".snapshot-", ".file-", ".report-", ".background-",
	"journal.reserve", "broker-cert.pem", "broker-key.pem", // the device broker's (devices/journal_guard.go, broker_tls.go)
	"photos", "web"} // the work orders' photos, the phone pages' certificate

// SecureDataDir makes the data directory private (0700) and, inside it, everything of
// Watchpost's (dataEntries): folders 0700, files 0600. It returns what it changed.
func SecureDataDir(dir string) ([]ModeFix, error) {
	fixed, err := secureOne(dir, true)
	if err != nil {
		return fixed, err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fixed, err
	}
	var errs []error
	for _, e := range entries {
		if !slices.ContainsFunc(dataEntries, func(p string) bool { return strings.HasPrefix(e.Name(), p) }) {
			continue
		}
		f, err := SecureTree(filepath.Join(dir, e.Name()))
		fixed = append(fixed, f...)
		errs = append(errs, err)
	}
	return fixed, errors.Join(errs...)
}

func secureOne(path string, dir bool) ([]ModeFix, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	want := FileMode
	if dir {
		want = DirMode
	}
	if have := fi.Mode().Perm(); have != want && fi.Mode()&fs.ModeSymlink == 0 {
		if err := os.Chmod(path, want); err != nil {
			return nil, err
		}
		return []ModeFix{{Path: path, From: have, To: want}}, nil
	}
	return nil, nil
}

// SecureTree gives root and everything under it the private modes: directories 0700,
// files 0600. Links are left alone (not followed). It returns what it changed; a path it
// cannot change (another owner's) is an error, after it has done the rest.
func SecureTree(root string) ([]ModeFix, error) {
	var fixed []ModeFix
	var errs []error
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && path == root {
				return fs.SkipAll // nothing there yet
			}
			errs = append(errs, err)
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 || !(d.IsDir() || d.Type().IsRegular()) {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			errs = append(errs, err)
			return nil
		}
		want := FileMode
		if d.IsDir() {
			want = DirMode
		}
		if have := fi.Mode().Perm(); have != want {
			if err := os.Chmod(path, want); err != nil {
				errs = append(errs, err)
				return nil
			}
			fixed = append(fixed, ModeFix{Path: path, From: have, To: want})
		}
		return nil
	})
	if err != nil {
		errs = append(errs, err)
	}
	return fixed, errors.Join(errs...)
}

// privateFiles sets the database's files (the database, its WAL and SHM, its lock) to 0600
// once SQLite has made them: SQLite gives a new WAL and SHM the database file's mode, so
// from then on they are made private too.
func privateFiles(path string) error {
	var errs []error
	for _, p := range []string{path, path + "-wal", path + "-shm", path + ".lock"} {
		if err := os.Chmod(p, FileMode); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
