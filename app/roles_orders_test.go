package app_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// The work orders' rows of the role table. An order is prepared for each call so that an
// allowed role's call succeeds: given to the team "all" (everyone who may take orders), of a
// category its role verifies, worked on by "worker" (so the verifier is somebody else).

// roleOrderSetup has a team of everyone and a category verified by each verifying role.
func roleOrderSetup() app.OrderSetup {
	cats := app.DefaultOrderCategories()
	for _, r := range []app.Role{app.RoleOperator, app.RoleGridWorker, app.RoleProperty} {
		c := cats[0]
		c.ID, c.Name, c.VerifiedBy, c.PhotoRequired = "by-"+string(r), "由"+string(r)+"验收", r, false
		cats = append(cats, c)
	}
	return app.OrderSetup{Categories: cats,
		Teams: []app.Team{{ID: "all", Names: app.Names{Name: "全体"}, Members: []string{"duty", "commander", "trainer", "admin",
			"gridw", "prop", "fixer", "worker"}}},
		Rules: []app.DispatchRule{{ID: "everyone", Team: "all"}}}
}

// verifierCategory is the category op's role verifies (any one for the others).
func verifierCategory(op *app.Operator) string {
	if op == nil {
		return "by-operator"
	}
	switch op.Role {
	case app.RoleGridWorker, app.RoleProperty:
		return "by-" + string(op.Role)
	}
	return "by-operator"
}

var roleWorker = &app.Operator{Username: "worker", Name: "郑师傅", Role: app.RoleMaintenance}

// order reports an order as the system would have it (a grid worker on the phone) in
// category cat and brings it to state: assigned (to the team "all"), accepted or done by
// "worker".
func (c *roleCore) order(t *testing.T, cat string, state app.OrderState) app.WorkOrder {
	t.Helper()
	o, err := c.orders.Report(bg, roleGrid, app.OrderRequest{Category: cat, Text: "楼道堆物", Place: app.OrderPlace{GridID: "g1"}})
	require.NoError(t, err)
	if state == app.OrderAssigned {
		return o
	}
	o, err = c.orders.Accept(bg, roleWorker, o.ID, o.Version)
	require.NoError(t, err)
	if state == app.OrderAccepted {
		return o
	}
	o, err = c.orders.Done(bg, roleWorker, o.ID, o.Version, "已处理", nil)
	require.NoError(t, err)
	return o
}

func orderRows() []roleRow {
	return []roleRow{
		{method: "WorkOrders.Report", needs: []app.Action{app.ActOrderReport},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				return func() error {
					_, err := c.orders.Report(bg, op, app.OrderRequest{Category: app.CatOther, Text: "路灯不亮", Place: app.OrderPlace{GridID: "g1"}})
					return err
				}
			}},
		{method: "WorkOrders.FromAlarm", needs: []app.Action{app.ActOrderDispatch, app.ActAckAlarm, app.ActDispatchAlarm},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				id := c.alarm(t)
				return func() error { _, err := c.orders.FromAlarm(bg, op, id, app.CatFacility, "请维修"); return err }
			}},
		{method: "WorkOrders.Assign", needs: []app.Action{app.ActOrderDispatch},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				o := c.order(t, app.CatOther, app.OrderAssigned)
				return func() error { _, err := c.orders.Assign(bg, op, o.ID, o.Version, "", "worker", ""); return err }
			}},
		{method: "WorkOrders.Accept", needs: []app.Action{app.ActOrderWork},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				o := c.order(t, app.CatOther, app.OrderAssigned)
				return func() error { _, err := c.orders.Accept(bg, op, o.ID, o.Version); return err }
			}},
		{method: "WorkOrders.Progress", needs: []app.Action{app.ActOrderWork},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				o := c.order(t, app.CatOther, app.OrderAssigned)
				if op != nil && op.Role.Can(app.ActOrderWork) && !op.Disabled {
					var err error
					o, err = c.orders.Accept(bg, op, o.ID, o.Version)
					require.NoError(t, err)
				}
				return func() error { _, err := c.orders.Progress(bg, op, o.ID, o.Version, "已到现场", nil); return err }
			}},
		{method: "WorkOrders.Done", needs: []app.Action{app.ActOrderWork},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				o := c.order(t, app.CatOther, app.OrderAssigned) // done at once by whoever it is given to
				return func() error { _, err := c.orders.Done(bg, op, o.ID, o.Version, "已清理", nil); return err }
			}},
		{method: "WorkOrders.Verify", needs: []app.Action{app.ActOrderVerify},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				o := c.order(t, verifierCategory(op), app.OrderDone)
				return func() error { _, err := c.orders.Verify(bg, op, o.ID, o.Version, "验收合格"); return err }
			}},
		{method: "WorkOrders.Reopen", needs: []app.Action{app.ActOrderVerify},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				o := c.order(t, verifierCategory(op), app.OrderDone)
				return func() error { _, err := c.orders.Reopen(bg, op, o.ID, o.Version, "未清理干净"); return err }
			}},
		{method: "WorkOrders.Cancel", needs: []app.Action{app.ActOrderDispatch},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				o := c.order(t, app.CatOther, app.OrderAssigned)
				return func() error { _, err := c.orders.Cancel(bg, op, o.ID, o.Version, "误报"); return err }
			}},
		{method: "WorkOrders.Merge", needs: []app.Action{app.ActOrderDispatch},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				first := c.order(t, app.CatOther, app.OrderAssigned)
				dup := c.order(t, app.CatOther, app.OrderAssigned)
				return func() error { _, err := c.orders.Merge(bg, op, dup.ID, dup.Version, first.ID, "重复"); return err }
			}},
		{method: "WorkOrders.SaveSetup", needs: []app.Action{app.ActOrderSetup},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				s := roleOrderSetup()
				s.PropertyManager = "prop"
				return func() error { return c.orders.SaveSetup(bg, op, s) }
			}},
		{method: "WorkOrders.Tasks", needs: []app.Action{app.ActOrderWork},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				return func() error { _, err := c.orders.Tasks(op); return err }
			}},
		{method: "WorkOrders.Assess", needs: []app.Action{app.ActOrderView},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				c.order(t, app.CatOther, app.OrderDone)
				now := c.clk.Now()
				return func() error {
					_, err := c.orders.Assess(bg, op, now.Add(-24*time.Hour), now.Add(time.Hour))
					return err
				}
			}},
		{method: "WorkOrders.AssessmentExported", needs: []app.Action{app.ActOrderView},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				now := c.clk.Now()
				return func() error {
					return c.orders.AssessmentExported(bg, op, app.AssessmentExport{File: "/tmp/assessment.xlsx", Format: "xlsx", From: now.Add(-24 * time.Hour), To: now})
				}
			}},
		{method: "WorkOrders.ImportHistory", needs: []app.Action{app.ActOrderSetup},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				at := c.clk.Now().AddDate(-1, 0, 0)
				h := app.HistoricalOrder{Row: 2, Category: app.CatOther, State: app.OrderClosed, Text: "路灯不亮", Place: app.OrderPlace{GridID: "g1"},
					Assignee: "worker", CreatedAt: at, AcceptedAt: at.Add(time.Hour), DoneAt: at.Add(2 * time.Hour), ClosedAt: at.Add(3 * time.Hour)}
				return func() error { _, err := c.orders.ImportHistory(bg, op, []app.HistoricalOrder{h}); return err }
			}},
		{method: "WorkOrders.View", needs: []app.Action{app.ActOrderView},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				o := c.order(t, app.CatOther, app.OrderAssigned) // given to everyone's team
				return func() error { _, err := c.orders.View(bg, op, o.ID); return err }
			}},
	}
}
