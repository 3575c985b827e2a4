package app_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"watchpost/app"
	"watchpost/assets"
)

// The phone pages' people (grid workers, property staff, the repair crew) are refused at the
// console's sign-in with where to go instead, after their password is checked; nothing is
// journaled for them, and the guard room's roles sign in as before.
func TestPhoneRolesCannotSignInToTheConsole(t *testing.T) {
	ctx := context.Background()
	a, st, _ := newAccounts(t)
	for _, op := range []app.Operator{
		{Username: "lixiuying", Name: "李秀英", Role: app.RoleGridWorker},
		{Username: "sunli", Name: "孙丽", Role: app.RoleProperty},
		{Username: "gaofeng", Name: "高峰", Role: app.RoleMaintenance},
		{Username: "duty", Name: "李明", Role: app.RoleOperator},
	} {
		_, err := a.Create(ctx, nil, op, "a-good-password-"+op.Username)
		require.NoError(t, err)
	}
	for _, u := range []string{"lixiuying", "sunli", "gaofeng"} {
		before := len(st.entries)
		_, err := a.SignInConsole(ctx, u, "a-good-password-"+u, "https://192.168.1.10:8443/")
		require.Error(t, err, u)
		assert.True(t, app.IsCode(err, app.CodeForbidden), "%s: %v", u, err)
		assert.Equal(t, "This account works on the phone pages: open https://192.168.1.10:8443/ on your phone", err.Error())
		assert.Len(t, st.entries, before, "%s: no sign-in journaled", u)

		_, err = a.SignInConsole(ctx, u, "a-good-password-"+u, "")
		assert.Equal(t, "This account works on the phone pages, not at the console: ask the guard room for their address", err.Error())

		_, err = a.SignInConsole(ctx, u, "wrong", "https://192.168.1.10:8443/")
		assert.Equal(t, "Wrong user name or password", err.Error(), "%s: a wrong password reveals no role", u)
	}
	op, err := a.SignInConsole(ctx, "duty", "a-good-password-duty", "https://192.168.1.10:8443/")
	require.NoError(t, err)
	assert.Equal(t, "duty", op.Username)
	last := st.entries[len(st.entries)-1]
	assert.Equal(t, app.KindSignedIn, last.Kind)
	assert.Equal(t, "duty", last.Operator)

	op, err = a.SignInConsole(ctx, "admin", "sunshine-admin", "")
	require.NoError(t, err, "an administrator may always")
	assert.Equal(t, app.RoleAdmin, op.Role)
}

// The demo's automatic sign-in refuses an account whose role was changed to a phone role.
func TestDemoAutoSignInRefusesAPhoneRole(t *testing.T) {
	ctx := context.Background()
	st := newMemStore()
	rec := app.NewRecorder(st, app.NewBus())
	inv := app.NewInventory(st, rec)
	acc := app.NewAccounts(st, rec, newClock())
	acc.Cost = bcrypt.MinCost
	site := validSite()
	site.Demo = true
	accounts := []app.DemoAccount{{Operator: app.Operator{Username: "duty", Name: "值班员", Role: app.RoleGridWorker}, Password: "sunshine-demo"}}
	require.NoError(t, app.SeedDemo(ctx, inv, acc, site, accounts))
	_, err := acc.SignInDemo(ctx, inv.Site(), "duty")
	require.Error(t, err)
	assert.True(t, app.IsCode(err, app.CodeForbidden), "%v", err)
}

// Every demo account signs in with the published password, and seeding them hashed it once:
// the first start pays one bcrypt, not one an account.
func TestDemoAccountsShareOneHashOfTheirPassword(t *testing.T) {
	ctx := context.Background()
	st := newMemStore()
	rec := app.NewRecorder(st, app.NewBus())
	inv := app.NewInventory(st, rec)
	acc := app.NewAccounts(st, rec, newClock())
	acc.Cost = bcrypt.MinCost
	site, err := assets.DemoSite()
	require.NoError(t, err)
	accounts, err := assets.DemoAccounts()
	require.NoError(t, err)
	require.NoError(t, app.SeedDemo(ctx, inv, acc, site, accounts))
	var first []byte
	roles := map[app.Role]int{}
	for _, da := range accounts {
		_, hash, err := st.Operator(ctx, da.Username)
		require.NoError(t, err)
		if first == nil {
			first = hash
		}
		assert.True(t, bytes.Equal(first, hash), "%s shares the demo password's hash", da.Username)
		op, err := acc.Authenticate(ctx, da.Username, "sunshine-demo")
		require.NoError(t, err, da.Username)
		roles[op.Role]++
	}
	assert.Equal(t, 5, roles[app.RoleGridWorker], "a grid worker for each of the demo's grids")
	assert.Equal(t, 2, roles[app.RoleProperty])
	assert.Equal(t, 3, roles[app.RoleMaintenance])
	for _, g := range site.Grids {
		found := false
		for _, da := range accounts {
			found = found || (da.Role == app.RoleGridWorker && da.Name == g.Worker.Name && da.Phone == g.Worker.Phone)
		}
		assert.True(t, found, "grid %s's worker %s has an account", g.ID, g.Worker.Name)
	}
}
