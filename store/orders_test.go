package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// A resident's report keeps their name and phone sealed in the orders' table and the journal,
// the robots' webhook keys and secrets in the set-up too, and all of it reads back whole.
func TestAttackReadsAReportersPhoneAndARobotsKeyFromTheDatabaseFile(t *testing.T) {
	ctx := context.Background()
	s, inv, path := seeded(t)
	rec := app.NewRecorder(s, app.NewBus())
	clk := app.SystemClock{}
	acc := app.NewAccounts(s, rec, clk)
	acc.Cost = 4
	_, err := acc.Create(ctx, nil, app.Operator{Username: "admin", Name: "赵磊", Role: app.RoleAdmin}, "first-admin-pw")
	require.NoError(t, err)
	_, err = acc.Create(ctx, nil, app.Operator{Username: "fixer", Name: "吴师傅", Role: app.RoleMaintenance}, "first-fixer-pw")
	require.NoError(t, err)
	desk := app.NewAlarmDesk(rec, s, clk)
	require.NoError(t, desk.Load(ctx))
	wo := app.NewWorkOrders(s, s, rec, inv, desk, clk)
	require.NoError(t, wo.Load(ctx))
	require.NoError(t, wo.SaveSetup(ctx, admin, app.OrderSetup{Categories: app.DefaultOrderCategories(),
		Teams: []app.Team{{ID: "repair", Names: app.Names{Name: "维修班"}, Members: []string{"fixer"},
			Robot: &app.GroupRobot{Kind: "dingtalk", Webhook: "https://oapi.dingtalk.com/robot/send?access_token=tok3nvalue", Secret: "SECdingsecret"}}},
		Rules: []app.DispatchRule{{ID: "all", Team: "repair"}}}))
	o, err := wo.ReportAsResident(ctx, app.OrderRequest{Category: app.CatFacility, Text: "单元门禁坏了",
		Place: app.OrderPlace{Building: inv.Site().Buildings[0].ID}, ReporterName: "陈美玲", ReporterPhone: "13977770001"})
	require.NoError(t, err)
	assertNoSecrets(t, rawFiles(t, path), []string{"13977770001", "陈美玲", "tok3nvalue", "SECdingsecret"}, "after a resident's report")

	list, err := s.WorkOrders(ctx, app.OrderQuery{OpenOnly: true})
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, "13977770001", list[0].Reporter.Phone, "sealed, not lost")
	assert.Equal(t, o.Receipt, list[0].Receipt)
	assert.Equal(t, "repair", list[0].Team)
	setup, ok, err := s.OrderSetup(ctx)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "SECdingsecret", setup.Teams[0].Robot.Secret)
	max, err := s.MaxOrderID(ctx)
	require.NoError(t, err)
	assert.Equal(t, o.ID, max)

	// A restart reads the order and the set-up back.
	wo2 := app.NewWorkOrders(s, s, app.NewRecorder(s, app.NewBus()), inv, desk, clk)
	require.NoError(t, wo2.Load(ctx))
	back, err := wo2.ByReceipt(ctx, o.Receipt)
	require.NoError(t, err)
	assert.Equal(t, o.ID, back.ID)
	assert.Equal(t, "tok3nvalue", wo2.Setup().Teams[0].Robot.Webhook[len(wo2.Setup().Teams[0].Robot.Webhook)-10:])
}
