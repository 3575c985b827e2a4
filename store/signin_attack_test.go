package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"watchpost/app"
)

// A guard types the password into the user-name field and presses Enter: the failed sign-in
// is journaled, but the typed text never reaches the database's bytes (the file, its WAL),
// only its first character, its length and a hash keyed by the site key.
func TestAttackPasswordTypedAsUserNameIsNotJournaledInClear(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	rec := app.NewRecorder(s, app.NewBus())
	acc := app.NewAccounts(s, rec, app.SystemClock{})
	acc.Cost = bcrypt.MinCost
	acc.SetNameKey(s.SignInNameKey())
	_, err := acc.Create(ctx, nil, app.Operator{Username: "admin", Name: "管理员", Role: app.RoleAdmin}, "first-admin-pw")
	require.NoError(t, err)
	const typed = "Xq7#mango-Lantern-42"
	_, err = acc.SignIn(ctx, typed, "")
	require.Error(t, err)

	es, err := s.Query(ctx, app.JournalQuery{Kinds: []app.EntryKind{app.KindSignInFailed}})
	require.NoError(t, err)
	require.Len(t, es, 1, "the failure is journaled")
	var d app.FailedSignIn
	require.NoError(t, es[0].Decode(&d))
	assert.Equal(t, app.FailedSignIn{Unknown: true, Masked: "X" + strings.Repeat("*", len(typed)-1)}, d)

	for _, p := range []string{path, path + "-wal"} { // before the close's checkpoint, and after
		if b, err := os.ReadFile(p); err == nil {
			assert.False(t, strings.Contains(string(b), "mango"), "the typed name is in %s", filepath.Base(p))
		}
	}
	require.NoError(t, s.Close())
	files, err := filepath.Glob(filepath.Join(filepath.Dir(path), "*"))
	require.NoError(t, err)
	for _, p := range files {
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		assert.False(t, strings.Contains(string(b), "mango"), "the typed name is in %s", filepath.Base(p))
	}
}
