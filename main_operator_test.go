package main

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"watchpost/app"
	"watchpost/store"
)

// withAccounts gives a data directory a database holding only these accounts (what a new
// site has before anything is imported), each with the password "sunshine-" + user name.
func withAccounts(t *testing.T, dir string, ops ...app.Operator) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dir, store.FileName), store.Options{Log: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	defer st.Close()
	acc := app.NewAccounts(st, app.NewRecorder(st, app.NewBus()), app.SystemClock{})
	acc.Cost = bcrypt.MinCost
	for _, op := range ops {
		_, err := acc.Create(ctx, nil, op, "sunshine-"+op.Username)
		require.NoError(t, err)
	}
}

// journalOf prints a data directory's whole journal (JSON lines).
func journalOf(t *testing.T, dir string) string {
	t.Helper()
	out, errOut, code := cli(t, nil, "journal", "--json", "--data", dir)
	require.Equal(t, 0, code, errOut)
	return out
}
