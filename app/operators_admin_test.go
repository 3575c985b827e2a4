package app_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"watchpost/app"
	"watchpost/assets"
)

func TestPasswordPolicy(t *testing.T) {
	for _, pw := range []string{"short-pw1", "sunshine-demo", "SUNSHINE-DEMO", "password123", "Password2024!", "1234567890",
		"watchpost", "Watchpost2026", "admin123456", "aaaaaaaaaaaa", " spaced-password"} {
		assert.True(t, app.IsCode(app.CheckPassword(pw), app.CodeInvalid), "%q is refused", pw)
	}
	assert.NoError(t, app.CheckPassword("Zhao-gate-2026"))
	assert.True(t, app.IsCode(app.CheckPasswordFor("zhaolei2026", "ZhaoLei2026"), app.CodeInvalid), "not the user name, in any case")
	assert.NoError(t, app.CheckPasswordFor("zhaolei", "Zhao-gate-2026"))

	ctx := context.Background()
	a, _, _ := newAccounts(t)
	admin, err := a.SignIn(ctx, "admin", "sunshine-admin")
	require.NoError(t, err)
	_, err = a.Create(ctx, admin, app.Operator{Username: "guard7", Name: "保安", Role: app.RoleOperator}, "sunshine-demo")
	assert.True(t, app.IsCode(err, app.CodeInvalid), "the demo's password is refused for a new account: %v", err)
	_, err = a.Create(ctx, nil, app.Operator{Username: "guard7", Name: "保安", Role: app.RoleOperator}, "guard7GUARD7")
	require.NoError(t, err, "not equal to the user name")
	_, err = a.Create(ctx, nil, app.Operator{Username: "guard8", Name: "保安", Role: app.RoleOperator}, "GUARD8")
	assert.True(t, app.IsCode(err, app.CodeInvalid))
	_, err = a.Create(ctx, nil, app.Operator{Username: "guard9", Name: "保安", Role: app.RoleOperator}, "guard9guard")
	require.NoError(t, err)
	g, err := a.SignIn(ctx, "guard9", "guard9guard")
	require.NoError(t, err)
	assert.True(t, app.IsCode(a.ChangePassword(ctx, g, "guard9", "guard9guard", "GUARD9"), app.CodeInvalid), "a change meets the policy too")
	assert.True(t, app.IsCode(a.ChangePassword(ctx, g, "guard9", "guard9guard", "password12"), app.CodeInvalid))

	// Seeding the demo is the one way past it: its accounts keep the published password.
	st := newCommandStore()
	rec := app.NewRecorder(st, app.NewBus())
	acc := app.NewAccounts(st, rec, newClock())
	acc.Cost = bcrypt.MinCost
	site, err := assets.DemoSite()
	require.NoError(t, err)
	accounts, err := assets.DemoAccounts()
	require.NoError(t, err)
	require.NoError(t, app.SeedDemo(ctx, app.NewInventory(st, rec), acc, site, accounts))
	_, err = acc.SignIn(ctx, "admin", "sunshine-demo")
	assert.NoError(t, err)
}

func TestDisableEnableAndResetForcesAChange(t *testing.T) {
	ctx := context.Background()
	a, st, _ := newAccounts(t)
	admin, err := a.SignIn(ctx, "admin", "sunshine-admin")
	require.NoError(t, err)
	_, err = a.Create(ctx, admin, app.Operator{Username: "duty", Name: "李明", Role: app.RoleOperator, Phone: "13812341234"}, "duty-pass-01")
	require.NoError(t, err)

	require.NoError(t, a.Disable(ctx, admin, "duty"))
	_, err = a.SignIn(ctx, "duty", "duty-pass-01")
	assert.ErrorContains(t, err, "disabled", "a disabled operator cannot sign in")
	last := st.entries[len(st.entries)-2] // the update, before the refused sign-in
	assert.Equal(t, app.KindOperatorUpdated, last.Kind)
	assert.Equal(t, "admin", last.Operator, "journaled as the administrator's")
	assert.True(t, app.IsCode(a.Disable(ctx, admin, "duty"), app.CodeUnchanged))
	require.NoError(t, a.Enable(ctx, admin, "duty"))
	d, err := a.SignIn(ctx, "duty", "duty-pass-01")
	require.NoError(t, err)
	assert.False(t, d.MustChange)

	require.NoError(t, a.Edit(ctx, admin, "duty", app.OperatorEdit{Name: "李明明", Phone: "13900001111"}))
	got, err := a.Get(ctx, "duty")
	require.NoError(t, err)
	assert.Equal(t, "李明明", got.Name)
	assert.Equal(t, "13900001111", got.Phone)
	assert.True(t, app.IsCode(a.Edit(ctx, admin, "duty", app.OperatorEdit{Name: "李明明", Phone: "12"}), app.CodeInvalid))

	// A reset: the operator signs in with it, must change it, and can do nothing before.
	require.NoError(t, a.ResetPassword(ctx, admin, "duty", "given-at-desk"))
	reset := st.entries[len(st.entries)-1]
	assert.Equal(t, app.KindPasswordChanged, reset.Kind)
	assert.Equal(t, "admin", reset.Operator)
	assert.NotContains(t, string(reset.Data), "given-at-desk", "never the password in the journal")
	_, err = a.SignIn(ctx, "duty", "duty-pass-01")
	assert.Error(t, err, "the old password is gone")
	d, err = a.SignIn(ctx, "duty", "given-at-desk")
	require.NoError(t, err)
	assert.True(t, d.MustChange, "sign-in says the password must be changed")
	assert.ErrorContains(t, app.Authorize(d, app.ActAckAlarm), "Change the password", "nothing before the change")
	assert.True(t, app.IsCode(a.ChangePassword(ctx, d, "duty", "given-at-desk", "given-at-desk"), app.CodeInvalid), "not the same one again")
	require.NoError(t, a.ChangePassword(ctx, d, "duty", "given-at-desk", "my-own-secret"))
	d, err = a.SignIn(ctx, "duty", "my-own-secret")
	require.NoError(t, err)
	assert.False(t, d.MustChange)
	assert.NoError(t, app.Authorize(d, app.ActAckAlarm))

	// An administrator resetting another's through ChangePassword is a reset too.
	require.NoError(t, a.ChangePassword(ctx, admin, "duty", "", "another-given"))
	d, err = a.SignIn(ctx, "duty", "another-given")
	require.NoError(t, err)
	assert.True(t, d.MustChange)
}

func TestTheLastAdministratorStays(t *testing.T) {
	ctx := context.Background()
	a, _, _ := newAccounts(t)
	admin, err := a.SignIn(ctx, "admin", "sunshine-admin")
	require.NoError(t, err)
	assert.ErrorContains(t, a.Disable(ctx, admin, "admin"), "your own account")
	assert.ErrorContains(t, a.SetRole(ctx, admin, "admin", app.RoleOperator), "last enabled administrator")

	_, err = a.Create(ctx, admin, app.Operator{Username: "admin2", Name: "钱敏", Role: app.RoleAdmin}, "second-admin")
	require.NoError(t, err)
	admin2, err := a.SignIn(ctx, "admin2", "second-admin")
	require.NoError(t, err)
	require.NoError(t, a.Disable(ctx, admin2, "admin"), "another administrator remains")
	require.NoError(t, a.Enable(ctx, admin2, "admin"))
	require.NoError(t, a.SetRole(ctx, admin, "admin2", app.RoleCommander), "one administrator remains")
	assert.ErrorContains(t, a.SetRole(ctx, admin, "admin", app.RoleTrainer), "last enabled administrator")
	got, err := a.Get(ctx, "admin2")
	require.NoError(t, err)
	assert.Equal(t, app.RoleCommander, got.Role)

	// A disabled administrator does not count: the one left cannot be disabled.
	require.NoError(t, a.SetRole(ctx, admin, "admin2", app.RoleAdmin))
	require.NoError(t, a.Disable(ctx, admin, "admin2"))
	assert.ErrorContains(t, a.SetRole(ctx, admin, "admin", app.RoleCommander), "last enabled administrator")
}

func TestRolesAsPeopleOnSiteNeedThem(t *testing.T) {
	ctx := context.Background()
	c := newCommand(t)

	// 03:00: the guard opens the fire plan alone; the commander takes it over and runs it.
	in, err := c.incidents.Open(ctx, duty, app.OpenRequest{PlanID: "fire-residential", GridID: "g1"})
	require.NoError(t, err, "a duty operator opens an incident from a plan")
	assert.Equal(t, "duty", in.OpenedBy)
	step := in.Plan.Steps[0].ID
	_, err = c.incidents.Tick(ctx, commander, in.ID, step, "")
	require.NoError(t, err, "the commander runs it")
	_, err = c.incidents.Open(ctx, trainer, app.OpenRequest{PlanID: "fire-residential"})
	assert.True(t, app.IsCode(err, app.CodeForbidden), "a trainer does not: %v", err)

	// The commander edits plans.
	pl := smallPlan()
	_, err = c.plans.Create(ctx, commander, pl)
	require.NoError(t, err, "a commander adds a plan")
	pl.Name = "小预案（修订）"
	_, err = c.plans.Update(ctx, commander, pl)
	require.NoError(t, err, "and edits it")
	_, err = c.plans.Update(ctx, duty, pl)
	assert.True(t, app.IsCode(err, app.CodeForbidden))

	// The commander replays; the trainer does not manage operators.
	assert.NoError(t, app.Authorize(commander, app.ActReplay))
	assert.Error(t, app.Authorize(commander, app.ActRunDrill), "replaying is not running drills")
	a, _, _ := newAccounts(t)
	_, err = a.Create(ctx, trainer, app.Operator{Username: "x1", Name: "新人", Role: app.RoleOperator}, "long-enough-1")
	assert.True(t, app.IsCode(err, app.CodeForbidden))
	assert.True(t, app.IsCode(a.ResetPassword(ctx, trainer, "admin", "long-enough-1"), app.CodeForbidden))
	assert.True(t, app.IsCode(a.SetRole(ctx, trainer, "admin", app.RoleTrainer), app.CodeForbidden))
}

func TestThePermissionTable(t *testing.T) {
	t.Cleanup(app.ResetPermissions)
	ctx := context.Background()
	st := newCommandStore()
	rec := app.NewRecorder(st, app.NewBus())
	perms := app.NewPermissions(st, rec)
	require.NoError(t, perms.Load(ctx))
	require.NoError(t, app.Authorize(duty, app.ActAckAlarm))

	var without []app.Action
	for _, a := range app.RoleActions(app.RoleOperator) {
		if a != app.ActAckAlarm {
			without = append(without, a)
		}
	}
	assert.True(t, app.IsCode(perms.Set(ctx, duty, app.RoleOperator, without), app.CodeForbidden), "only administrators")
	assert.True(t, app.IsCode(perms.Set(ctx, trainer, app.RoleTrainer, append(app.RoleActions(app.RoleTrainer), app.ActManageOperators)), app.CodeForbidden))
	require.NoError(t, perms.Set(ctx, admin, app.RoleOperator, append(without, app.ActRunIncident)))
	err := app.Authorize(duty, app.ActAckAlarm)
	assert.True(t, app.IsCode(err, app.CodeForbidden), "the core refuses what the table took away: %v", err)
	assert.NoError(t, app.Authorize(duty, app.ActRunIncident), "and allows what it gave")
	e := st.entries[len(st.entries)-1]
	assert.Equal(t, app.KindPermissionsChanged, e.Kind)
	assert.Equal(t, "admin", e.Operator)
	var ch app.PermissionChange
	require.NoError(t, json.Unmarshal(e.Data, &ch))
	assert.Equal(t, app.PermissionChange{Role: app.RoleOperator, Granted: []app.Action{app.ActRunIncident}, Revoked: []app.Action{app.ActAckAlarm}}, ch)
	assert.True(t, app.IsCode(perms.Set(ctx, admin, app.RoleOperator, app.RoleActions(app.RoleOperator)), app.CodeUnchanged))

	assert.Error(t, perms.Set(ctx, admin, app.RoleAdmin, nil), "the administrator's own rights stay")
	assert.NoError(t, app.Authorize(admin, app.ActManageOperators))

	// Another console (a restart) folds the table back from the store.
	app.ResetPermissions()
	require.NoError(t, app.Authorize(duty, app.ActAckAlarm))
	require.NoError(t, app.NewPermissions(st, app.NewRecorder(st, app.NewBus())).Load(ctx))
	assert.Error(t, app.Authorize(duty, app.ActAckAlarm), "the change is kept")
}
