package store

// The site key protects what whoever can copy or edit the database file must not read or
// forge: the journal's chain (an HMAC under a key derived from it) and the personal fields
// and secrets encrypted at rest. It is never in the database nor in a backup: it lives in
// the OS keyring where there is one (a desktop with a Secret Service), otherwise in a 0600
// key file beside the database (the real path on a headless server). The database keeps
// only the key's fingerprint, so a missing or different key is a clear error, never
// garbage and never a silently new key.

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/zalando/go-keyring"

	"watchpost/app"
)

// KeyFileName is the key file's name in the data directory (used where no keyring is).
const KeyFileName = "watchpost.key"

// keyringService names Watchpost's items in the OS keyring; the item's user is the data
// directory's absolute path, so two sites on one desktop have two keys.
const keyringService = "watchpost"

// KeyringEnv turns the OS keyring off ("off"): tests and servers use the key file only.
const KeyringEnv = "WATCHPOST_KEYRING"

// Keys holds the site key. Derive gives each purpose a key of its own, so the journal's
// chain key and the encryption keys are never the same bytes.
type Keys struct {
	master []byte
	source string // "keyring" or the key file's path
}

// Derive returns the 32-byte key for purpose (HMAC-SHA256 of the purpose under the site key).
func (k *Keys) Derive(purpose string) []byte {
	m := hmac.New(sha256.New, k.master)
	m.Write([]byte("watchpost/" + purpose))
	return m.Sum(nil)
}

// Fingerprint identifies the key without revealing it (what the database keeps).
func (k *Keys) Fingerprint() string { return hex.EncodeToString(k.Derive("fingerprint")[:8]) }

// Source says where the key is kept: "keyring" or the key file's path.
func (k *Keys) Source() string { return k.source }

// NewKeysForTest returns keys from fixed bytes (tests of code that needs keys).
func NewKeysForTest(secret string) *Keys {
	sum := sha256.Sum256([]byte(secret))
	return &Keys{master: sum[:], source: "test"}
}

// Keys returns the site key this store was opened with.
func (s *Store) Keys() *Keys { return s.keys }

func useKeyring() bool { return os.Getenv(KeyringEnv) != "off" }

// findKeys looks for the site key of the data directory dir: the key file first (an
// administrator who put it there meant it), then the keyring. Nil, nil: there is none.
func findKeys(dir string) (*Keys, error) {
	path := filepath.Join(dir, KeyFileName)
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		key, derr := hex.DecodeString(strings.TrimSpace(string(b)))
		if derr != nil || len(key) != 32 {
			return nil, app.Errorf(app.CodeCorrupt, "The key file {{.Path}} is damaged (it must hold 64 hexadecimal digits)", "Path", path)
		}
		return &Keys{master: key, source: path}, nil
	case !errors.Is(err, os.ErrNotExist):
		return nil, app.Errorf(app.CodeUnavailable, "The key file {{.Path}} cannot be read", "Path", path).Wrap(err)
	}
	if useKeyring() {
		if secret, err := keyring.Get(keyringService, dir); err == nil {
			key, derr := hex.DecodeString(secret)
			if derr == nil && len(key) == 32 {
				return &Keys{master: key, source: "keyring"}, nil
			}
			return nil, app.Errorf(app.CodeCorrupt, "The site key in the OS keyring for {{.Dir}} is damaged", "Dir", dir)
		}
	}
	return nil, nil
}

// createKeys makes a new random site key and keeps it in the keyring, or in a 0600 key file
// where there is no keyring.
func createKeys(dir string) (*Keys, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	secret := hex.EncodeToString(key)
	if useKeyring() {
		if err := keyring.Set(keyringService, dir, secret); err == nil {
			return &Keys{master: key, source: "keyring"}, nil
		}
	}
	path := filepath.Join(dir, KeyFileName)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, app.Errorf(app.CodeUnavailable, "The key file {{.Path}} cannot be written", "Path", path).Wrap(err)
	}
	_, err = f.WriteString(secret + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return nil, app.Errorf(app.CodeUnavailable, "The key file {{.Path}} cannot be written", "Path", path).Wrap(err)
	}
	return &Keys{master: key, source: path}, nil
}

// loadKeys finds the key the database was made with (refusing a missing or different one),
// or makes the key of a database that has none yet (a new one, or one from before keys).
func (s *Store) loadKeys(ctx context.Context) error {
	dir := filepath.Dir(s.path)
	if s.opt.keyDir != "" {
		dir = s.opt.keyDir
	}
	var want string
	var tables int
	if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema WHERE name = 'site_key'").Scan(&tables); err != nil {
		return s.openError(err)
	}
	if tables > 0 { // a database of an older schema (only tests open one without upgrading it)
		err := s.db.QueryRowContext(ctx, "SELECT fingerprint FROM site_key WHERE id = 1").Scan(&want)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return s.openError(err)
		}
	}
	keys, err := findKeys(dir)
	if err != nil {
		return err
	}
	switch {
	case keys == nil && want != "":
		return app.Errorf(app.CodeUnavailable, "The key that protects {{.Path}} is missing: put its key file {{.File}} back (or restore it to the OS keyring); without it the journal cannot be verified nor personal data read. Nothing was changed",
			"Path", s.path, "File", filepath.Join(dir, KeyFileName))
	case keys != nil && want != "" && keys.Fingerprint() != want:
		return app.Errorf(app.CodeCorrupt, "The key found for {{.Path}} ({{.Source}}) is not the one it was made with (fingerprint {{.Have}}, the database wants {{.Want}}). Nothing was changed",
			"Path", s.path, "Source", keys.source, "Have", keys.Fingerprint(), "Want", want)
	case keys == nil && s.ro:
		return app.Errorf(app.CodeUnavailable, "The database {{.Path}} has no site key yet: start the console once", "Path", s.path)
	case keys == nil:
		if keys, err = createKeys(dir); err != nil {
			return err
		}
	}
	if want == "" && !s.ro && tables > 0 {
		if _, err := s.db.ExecContext(ctx, "INSERT INTO site_key (id, fingerprint, created) VALUES (1, ?, ?)",
			keys.Fingerprint(), time.Now().UTC().Format(time.RFC3339)); err != nil {
			return s.openError(err)
		}
		s.log.Info("site key made", "kept_in", keys.source, "fingerprint", keys.Fingerprint())
	}
	s.keys = keys
	return nil
}

// KeyDescription says where the key is and its fingerprint, for the log and the installer.
func (k *Keys) String() string { return fmt.Sprintf("%s (%s)", k.source, k.Fingerprint()) }

// SignInNameKey keys the hash under which a failed sign-in with an unknown user name is
// journaled (app.NameKeyer): the name may be a password typed into the wrong field.
func (s *Store) SignInNameKey() []byte {
	if s.keys == nil {
		return nil
	}
	return s.keys.Derive("sign-in-names")
}
