package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/store"
)

// The site key is made with the database, kept in a 0600 key file beside it (no keyring
// here), and a database refuses to open with its key missing or replaced: a clear error,
// nothing changed, never a new key nor garbage.
func TestTheSiteKeyIsKeptOutsideTheDatabaseAndRequired(t *testing.T) {
	t.Setenv(store.KeyringEnv, "off")
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, store.FileName)
	s, err := store.Open(ctx, path, store.Options{})
	require.NoError(t, err)
	fp := s.Keys().Fingerprint()
	assert.Len(t, s.Keys().Derive("journal"), 32)
	assert.NotEqual(t, s.Keys().Derive("journal"), s.Keys().Derive("personal"), "each purpose has a key of its own")
	require.NoError(t, s.Close())

	keyPath := filepath.Join(dir, store.KeyFileName)
	fi, err := os.Stat(keyPath)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	key, err := os.ReadFile(keyPath)
	require.NoError(t, err)
	assert.NotContains(t, string(raw), strings.TrimSpace(string(key)), "the key is not in the database")

	s, err = store.Open(ctx, path, store.Options{})
	require.NoError(t, err, "the same key opens it again")
	assert.Equal(t, fp, s.Keys().Fingerprint())
	require.NoError(t, s.Close())

	require.NoError(t, os.Remove(keyPath))
	_, err = store.Open(ctx, path, store.Options{})
	require.ErrorContains(t, err, "is missing")
	_, err = store.Open(ctx, path, store.Options{ReadOnly: true})
	require.ErrorContains(t, err, "is missing")
	assert.NoFileExists(t, keyPath, "no new key was made for a database that had one")

	require.NoError(t, os.WriteFile(keyPath, []byte(strings.Repeat("ab", 32)+"\n"), 0o600))
	_, err = store.Open(ctx, path, store.Options{})
	require.ErrorContains(t, err, "is not the one it was made with")

	require.NoError(t, os.WriteFile(keyPath, []byte("not a key\n"), 0o600))
	_, err = store.Open(ctx, path, store.Options{})
	require.ErrorContains(t, err, "is damaged")

	require.NoError(t, os.WriteFile(keyPath, key, 0o600))
	s, err = store.Open(ctx, path, store.Options{})
	require.NoError(t, err, "the key put back opens it")
	require.NoError(t, s.Close())
}
