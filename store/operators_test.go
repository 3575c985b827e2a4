package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"watchpost/app"
)

// Operator management and the permission table on SQLite: a reset password is still to be
// changed after a restart, a disabled account stays disabled, and the permission table an
// administrator changed is the one in force after a restart.
func TestOperatorManagementSurvivesARestart(t *testing.T) {
	t.Cleanup(app.ResetPermissions)
	ctx := context.Background()
	s, path := openTemp(t)
	rec := app.NewRecorder(s, app.NewBus())
	acc := app.NewAccounts(s, rec, app.SystemClock{})
	acc.Cost = bcrypt.MinCost
	perms := app.NewPermissions(s, rec)
	require.NoError(t, perms.Load(ctx))
	_, err := acc.Create(ctx, nil, app.Operator{Username: "admin", Name: "管理员", Role: app.RoleAdmin}, "first-admin-pw")
	require.NoError(t, err)
	admin, err := acc.SignIn(ctx, "admin", "first-admin-pw")
	require.NoError(t, err)
	for _, u := range []string{"duty", "leaver"} {
		_, err = acc.Create(ctx, admin, app.Operator{Username: u, Name: "保安", Role: app.RoleOperator, Phone: "13812345678"}, "guard-password")
		require.NoError(t, err)
	}
	require.NoError(t, acc.ResetPassword(ctx, admin, "duty", "given-at-desk"))
	require.NoError(t, acc.Disable(ctx, admin, "leaver"))
	require.NoError(t, acc.SetRole(ctx, admin, "leaver", app.RoleCommander))
	var without []app.Action
	for _, a := range app.RoleActions(app.RoleOperator) {
		if a != app.ActResolveAlarm {
			without = append(without, a)
		}
	}
	require.NoError(t, perms.Set(ctx, admin, app.RoleOperator, without))
	require.NoError(t, s.Close())

	app.ResetPermissions() // a new process starts from the defaults
	s2, err := openAt(path)
	require.NoError(t, err)
	defer s2.Close()
	rec2 := app.NewRecorder(s2, app.NewBus())
	acc2 := app.NewAccounts(s2, rec2, app.SystemClock{})
	require.NoError(t, app.NewPermissions(s2, rec2).Load(ctx))
	duty := &app.Operator{Username: "duty", Role: app.RoleOperator}
	assert.True(t, app.IsCode(app.Authorize(duty, app.ActResolveAlarm), app.CodeForbidden), "the table is kept")
	assert.NoError(t, app.Authorize(duty, app.ActAckAlarm))

	d, err := acc2.SignIn(ctx, "duty", "given-at-desk")
	require.NoError(t, err)
	assert.True(t, d.MustChange, "still to be changed")
	require.NoError(t, acc2.ChangePassword(ctx, d, "duty", "given-at-desk", "own-choice-99"))
	got, err := acc2.Get(ctx, "duty")
	require.NoError(t, err)
	assert.False(t, got.MustChange)
	assert.Equal(t, "13812345678", got.Phone)

	_, err = acc2.SignIn(ctx, "leaver", "guard-password")
	assert.ErrorContains(t, err, "disabled")
	l, err := acc2.Get(ctx, "leaver")
	require.NoError(t, err)
	assert.Equal(t, app.RoleCommander, l.Role)

	entries, err := s2.Query(ctx, app.JournalQuery{Subject: "role:operator"})
	require.NoError(t, err)
	require.Len(t, entries, 1)
	assert.Equal(t, app.KindPermissionsChanged, entries[0].Kind)
	assert.Equal(t, "admin", entries[0].Operator)
}
