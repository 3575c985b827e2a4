package store_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"watchpost/app"
	"watchpost/store"
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

// A database file truncated to zero bytes (a failed copy, a full disk, an attacker who can
// write the data directory) is not a new database: SQLite would take it for one and the
// console would set the demo up in it, with its published password, where a real site was.
// It is refused with a clear message and left as it is; a missing file is a new database.
func TestAttackEmptyDatabaseFileIsNotSetUpAsANewOne(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), store.FileName)
	require.NoError(t, os.WriteFile(path, nil, 0o600))
	for _, ro := range []bool{false, true} {
		_, err := store.Open(ctx, path, store.Options{ReadOnly: ro})
		require.Error(t, err)
		assert.True(t, app.IsCode(err, app.CodeCorrupt), "%v", err)
		assert.ErrorContains(t, err, "is empty (0 bytes)")
		fi, err := os.Stat(path)
		require.NoError(t, err)
		assert.Zero(t, fi.Size(), "left as it is")
	}
	_, err := os.Stat(path + "-wal")
	assert.ErrorIs(t, err, os.ErrNotExist, "SQLite never opened it")
}

// A site plan carrying "demo": true, imported on a real site (GeoJSON here; a workbook and
// the command line go through the same ImportSite), would make it the demo: automatic
// sign-in, the demo's simulators, and its published password allowed. It is refused and
// nothing changes; the demo, importing a plan without the mark, stays the demo.
func TestAttackDemoMarkedImportCannotTurnARealSiteIntoTheDemo(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	inv := app.NewInventory(s, app.NewRecorder(s, app.NewBus()))
	real := demoSite(t)
	real.Demo = false
	require.NoError(t, inv.Seed(ctx, real))
	out, err := app.ExportGeoJSON(inv.Site())
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(out, &doc))
	head, ok := doc["watchpost:site"].(map[string]any)
	require.True(t, ok, "the export carries the site's own fields")
	head["demo"] = true // what an attacker, or a careless installer, adds to a plan
	marked, err := json.Marshal(doc)
	require.NoError(t, err)
	next, err := app.ImportGeoJSON(marked)
	require.NoError(t, err)
	require.True(t, next.Demo, "the file says demo")

	err = inv.ImportSite(ctx, admin, next)
	require.Error(t, err)
	assert.True(t, app.IsCode(err, app.CodeForbidden), "%v", err)
	assert.ErrorContains(t, err, "a real site cannot become the demo")
	got, err := s.LoadSite(ctx)
	require.NoError(t, err)
	assert.False(t, got.Demo)
	assert.Empty(t, entriesOf(t, s, app.KindSiteImported), "nothing imported")

	d, _ := openTemp(t)
	demo := app.NewInventory(d, app.NewRecorder(d, app.NewBus()))
	require.NoError(t, demo.Seed(ctx, demoSite(t)))
	plain, err := app.ImportGeoJSON(out)
	require.NoError(t, err)
	require.NoError(t, demo.ImportSite(ctx, admin, plain))
	assert.True(t, demo.Site().Demo, "the demo stays the demo")
}

// A database with accounts of its own but no site (a real site's, whose site rows are gone)
// is not set up as the demo: that would add the demo's accounts with their published
// password beside the real ones. An empty database is.
func TestAttackADatabaseWithAccountsIsNotSetUpAsTheDemo(t *testing.T) {
	ctx := context.Background()
	quiet := slog.New(slog.DiscardHandler)
	seeds := app.Seeds{DemoSite: func() (*app.Site, error) { return demoSite(t), nil },
		DemoAccounts: func() ([]app.DemoAccount, error) {
			return []app.DemoAccount{{Operator: app.Operator{Username: "duty", Name: "李明", Role: app.RoleOperator}, Password: "sunshine-demo"}}, nil
		}}
	s, _ := openTemp(t)
	acc := app.NewAccounts(s, app.NewRecorder(s, app.NewBus()), app.SystemClock{})
	acc.Cost = bcrypt.MinCost
	_, err := acc.Create(ctx, nil, app.Operator{Username: "chief", Name: "张伟", Role: app.RoleAdmin}, "a-real-password-1")
	require.NoError(t, err)
	core, err := app.NewCore(ctx, app.Ports{Store: s, Log: quiet, Seeds: seeds, PasswordCost: bcrypt.MinCost})
	require.NoError(t, err)
	assert.Nil(t, core.Inventory.Site(), "no demo site")
	_, err = core.Accounts.Get(ctx, "duty")
	assert.True(t, app.IsCode(err, app.CodeNotFound), "no demo account: %v", err)

	empty, _ := openTemp(t)
	core, err = app.NewCore(ctx, app.Ports{Store: empty, Log: quiet, Seeds: seeds, PasswordCost: bcrypt.MinCost})
	require.NoError(t, err)
	require.NotNil(t, core.Inventory.Site())
	assert.True(t, core.Inventory.Site().Demo, "an empty database is the demo")
}
