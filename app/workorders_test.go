package app_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// The people of the orders' tests: a grid team (two grid workers, one of them its leader),
// the property's repair crew, a property manager, the duty operator and an administrator.
var (
	woAdmin    = &app.Operator{Username: "admin", Name: "管理员", Role: app.RoleAdmin}
	woDuty     = &app.Operator{Username: "duty", Name: "李明", Role: app.RoleOperator}
	woTrainer  = &app.Operator{Username: "trainer", Name: "赵老师", Role: app.RoleTrainer}
	woGrid1    = &app.Operator{Username: "zhangwei", Name: "张伟", Role: app.RoleGridWorker}
	woGrid2    = &app.Operator{Username: "liuyang", Name: "刘洋", Role: app.RoleGridWorker}
	woRepair   = &app.Operator{Username: "repair1", Name: "孙师傅", Role: app.RoleMaintenance}
	woProperty = &app.Operator{Username: "wangjl", Name: "王经理", Role: app.RoleProperty}
)

type woEnv struct {
	st   *memStore
	clk  *fakeClock
	rec  *app.Recorder
	inv  *app.Inventory
	desk *app.AlarmDesk
	wo   *app.WorkOrders
}

// newWOEnv is the rule test site with teams and rules: clutter and fire hazards of grid g1
// go to the grid team, facility damage to the repair crew, and at night (22:00–07:00) every
// category to the duty person; what matches nothing waits for an operator.
func newWOEnv(t *testing.T) *woEnv {
	t.Helper()
	e := &woEnv{st: newMemStore(), clk: &fakeClock{t: time.Date(2026, 12, 7, 9, 0, 0, 0, app.DefaultLocation())}}
	for _, op := range []*app.Operator{woAdmin, woDuty, woTrainer, woGrid1, woGrid2, woRepair, woProperty} {
		e.st.operators[op.Username] = *op
	}
	e.rec = app.NewRecorder(e.st, app.NewBus())
	e.inv = app.NewInventory(e.st, e.rec)
	require.NoError(t, e.inv.Seed(context.Background(), ruleSite()))
	e.boot(t)
	require.NoError(t, e.wo.SaveSetup(context.Background(), woAdmin, app.OrderSetup{
		Categories: app.DefaultOrderCategories(),
		Teams: []app.Team{
			{ID: "grid1", Names: app.Names{Name: "第一网格"}, Members: []string{"zhangwei", "liuyang"}, Leader: "liuyang", Grids: []string{"g1"}},
			{ID: "repair", Names: app.Names{Name: "维修班"}, Members: []string{"repair1"}, Leader: "wangjl"},
		},
		Rules: []app.DispatchRule{
			{ID: "night", Hours: &app.Window{Days: allDays(), Start: 22 * 60, End: 7 * 60}, Person: "duty"},
			{ID: "grid-hazards", Categories: []string{app.CatClutter, app.CatFireHazard, app.CatEBike}, Grids: []string{"g1"}, Team: "grid1"},
			{ID: "repairs", Categories: []string{app.CatFacility, app.CatDevice}, Team: "repair"},
		},
		PropertyManager: "wangjl",
	}))
	return e
}

func tasks(t *testing.T, e *woEnv, op *app.Operator) []app.WorkOrder {
	t.Helper()
	out, err := e.wo.Tasks(op)
	require.NoError(t, err)
	return out
}

func sameTime(t *testing.T, want, got time.Time) {
	t.Helper()
	assert.True(t, want.Equal(got), "want %v, got %v", want, got)
}

func allDays() []time.Weekday {
	return []time.Weekday{time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday}
}

// boot builds the services on the store as a (re)start of the console does.
func (e *woEnv) boot(t *testing.T) {
	t.Helper()
	e.rec = app.NewRecorder(e.st, app.NewBus())
	e.inv = app.NewInventory(e.st, e.rec)
	require.NoError(t, e.inv.Load(context.Background()))
	e.desk = app.NewAlarmDesk(e.rec, e.st, e.clk)
	require.NoError(t, e.desk.Load(context.Background()))
	e.wo = app.NewWorkOrders(e.st, e.st, e.rec, e.inv, e.desk, e.clk)
	require.NoError(t, e.wo.Load(context.Background()))
}

func (e *woEnv) report(t *testing.T, by *app.Operator, cat string) app.WorkOrder {
	t.Helper()
	o, err := e.wo.Report(context.Background(), by, app.OrderRequest{Category: cat, Text: "3号楼2单元楼道堆放纸箱",
		Place: app.OrderPlace{Building: "b01", Unit: 0}, Photos: []string{"a1b2c3.jpg"}})
	require.NoError(t, err)
	return o
}

func kinds(entries []app.Entry) []app.EntryKind {
	var out []app.EntryKind
	for _, e := range entries {
		out = append(out, e.Kind)
	}
	return out
}

func TestWorkOrderLifecycleFromPhoneToClosed(t *testing.T) {
	ctx := context.Background()
	e := newWOEnv(t)
	o := e.report(t, woGrid1, app.CatClutter)
	assert.Equal(t, app.OrderAssigned, o.State, "the rule assigned it at once")
	assert.Equal(t, "grid1", o.Team)
	assert.Equal(t, "grid-hazards", o.Rule)
	assert.Equal(t, app.FromPhone, o.Reporter.Via)
	assert.Equal(t, "g1", o.Place.GridID, "the grid comes from the building")
	sameTime(t, e.clk.Now().Add(time.Hour), o.AcceptDue)
	sameTime(t, e.clk.Now().Add(24*time.Hour), o.DoneDue)

	// Both members see it; the first to accept takes it.
	assert.Len(t, tasks(t, e, woGrid1), 1)
	assert.Len(t, tasks(t, e, woGrid2), 1)
	assert.Empty(t, tasks(t, e, woRepair))
	e.clk.Add(10 * time.Minute)
	o, err := e.wo.Accept(ctx, woGrid1, o.ID, o.Version)
	require.NoError(t, err)
	assert.Equal(t, "zhangwei", o.Assignee)
	assert.Empty(t, tasks(t, e, woGrid2), "taken by a colleague")
	_, err = e.wo.View(ctx, woRepair, o.ID)
	assert.True(t, app.IsCode(err, app.CodeForbidden), "not the repair crew's to see: %v", err)
	_, err = e.wo.View(ctx, woGrid2, o.ID)
	assert.NoError(t, err, "the team's")

	_, err = e.wo.Done(ctx, woGrid1, o.ID, o.Version, "已清理", nil)
	assert.True(t, app.IsCode(err, app.CodeInvalid), "a clutter order needs a photo of the result: %v", err)
	o, err = e.wo.Progress(ctx, woGrid1, o.ID, o.Version, "已通知住户", []string{"p1.jpg"})
	require.NoError(t, err)
	assert.Equal(t, app.OrderInProgress, o.State)
	o, err = e.wo.Done(ctx, woGrid1, o.ID, o.Version, "纸箱已清走", []string{"p2.jpg"})
	require.NoError(t, err)
	assert.Equal(t, app.OrderDone, o.State)
	assert.True(t, o.DoneInTime())

	// Verified by the category's role (grid workers), never by the one who did it.
	_, err = e.wo.Verify(ctx, woGrid1, o.ID, o.Version, "")
	assert.True(t, app.IsCode(err, app.CodeForbidden), "%v", err)
	_, err = e.wo.Verify(ctx, woRepair, o.ID, o.Version, "")
	assert.True(t, app.IsCode(err, app.CodeForbidden), "maintenance does not verify: %v", err)
	o, err = e.wo.Verify(ctx, woGrid2, o.ID, o.Version, "现场确认")
	require.NoError(t, err)
	assert.Equal(t, app.OrderClosed, o.State)

	entries, err := e.st.Query(ctx, app.JournalQuery{Subject: o.Subject()})
	require.NoError(t, err)
	assert.Equal(t, []app.EntryKind{app.KindOrderCreated, app.KindOrderAccepted, app.KindOrderProgress, app.KindOrderDone, app.KindOrderClosed}, kinds(entries))
	assert.Equal(t, []string{"zhangwei", "zhangwei", "zhangwei", "zhangwei", "liuyang"}, []string{entries[0].Operator, entries[1].Operator,
		entries[2].Operator, entries[3].Operator, entries[4].Operator})
	assert.Len(t, o.Steps, 6, "reported, assigned by the rule, accepted, progress, done, closed")

	// A restart reads it back as it stands.
	e.boot(t)
	back, err := e.wo.Get(ctx, o.ID)
	require.NoError(t, err)
	assert.Equal(t, o.Version, back.Version)
	assert.Equal(t, app.OrderClosed, back.State)
}

func TestWorkOrderRolesAreCheckedInTheCore(t *testing.T) {
	ctx := context.Background()
	e := newWOEnv(t)
	_, err := e.wo.Report(ctx, woTrainer, app.OrderRequest{Category: app.CatOther, Text: "x", Place: app.OrderPlace{GridID: "g1"}})
	assert.True(t, app.IsCode(err, app.CodeForbidden), "a trainer does not report orders: %v", err)
	_, err = e.wo.Report(ctx, nil, app.OrderRequest{Category: app.CatOther, Text: "x", Place: app.OrderPlace{GridID: "g1"}})
	assert.True(t, app.IsCode(err, app.CodeUnauthenticated), "%v", err)

	o := e.report(t, woDuty, app.CatFacility)
	assert.Equal(t, "repair", o.Team)
	assert.Equal(t, app.FromConsole, o.Reporter.Via)
	_, err = e.wo.Accept(ctx, woDuty, o.ID, o.Version)
	assert.True(t, app.IsCode(err, app.CodeForbidden), "the duty operator dispatches, does not take orders: %v", err)
	_, err = e.wo.Accept(ctx, woGrid1, o.ID, o.Version)
	assert.True(t, app.IsCode(err, app.CodeForbidden), "not given to the grid worker: %v", err)
	_, err = e.wo.Assign(ctx, woRepair, o.ID, o.Version, "grid1", "", "")
	assert.True(t, app.IsCode(err, app.CodeForbidden), "the repair crew does not dispatch: %v", err)
	_, err = e.wo.Cancel(ctx, woGrid1, o.ID, o.Version, "重复")
	assert.True(t, app.IsCode(err, app.CodeForbidden), "%v", err)
	_, err = e.wo.Assign(ctx, woDuty, o.ID, o.Version, "", "trainer", "")
	assert.True(t, app.IsCode(err, app.CodeInvalid), "a trainer cannot take orders: %v", err)

	// The duty operator reassigns it to a person; only that person may take it now.
	o, err = e.wo.Assign(ctx, woDuty, o.ID, o.Version, "", "zhangwei", "顺路")
	require.NoError(t, err)
	_, err = e.wo.Accept(ctx, woRepair, o.ID, o.Version)
	assert.True(t, app.IsCode(err, app.CodeForbidden), "%v", err)
	o, err = e.wo.Accept(ctx, woGrid1, o.ID, o.Version)
	require.NoError(t, err)
	_, err = e.wo.Progress(ctx, woGrid2, o.ID, o.Version, "x", nil)
	assert.True(t, app.IsCode(err, app.CodeForbidden), "only the assignee works on it: %v", err)

	// The permission table is in force: an administrator can take a right away.
	app.ResetPermissions()
	t.Cleanup(app.ResetPermissions)
	perms := app.NewPermissions(e.st, e.rec)
	require.NoError(t, perms.Set(ctx, woAdmin, app.RoleGridWorker, []app.Action{app.ActOrderView, app.ActOrderWork}))
	_, err = e.wo.Report(ctx, woGrid1, app.OrderRequest{Category: app.CatOther, Text: "x", Place: app.OrderPlace{GridID: "g1"}})
	assert.True(t, app.IsCode(err, app.CodeForbidden), "%v", err)
}

func TestWorkOrderChangedMeanwhileIsRefusedAndNothingIsLost(t *testing.T) {
	ctx := context.Background()
	e := newWOEnv(t)
	o := e.report(t, woDuty, app.CatFacility)
	seen := o.Version // the phone and the console both show this version
	a, err := e.wo.Accept(ctx, woRepair, o.ID, seen)
	require.NoError(t, err)
	_, err = e.wo.Assign(ctx, woDuty, o.ID, seen, "grid1", "", "改派")
	require.Error(t, err)
	assert.True(t, app.IsCode(err, app.CodeConflict), "%v", err)
	assert.Contains(t, err.(*app.Error).Message, "changed meanwhile")
	now, err := e.wo.Get(ctx, o.ID)
	require.NoError(t, err)
	assert.Equal(t, a.Version, now.Version)
	assert.Equal(t, "repair1", now.Assignee, "the accept stands")
	// Looked at again, the reassignment goes through.
	_, err = e.wo.Assign(ctx, woDuty, o.ID, now.Version, "grid1", "", "改派")
	require.NoError(t, err)
}

func TestWorkOrderEscalationTimesAreExact(t *testing.T) {
	ctx := context.Background()
	e := newWOEnv(t)
	start := e.clk.Now()
	o := e.report(t, woGrid1, app.CatFireHazard) // accept within 30 min, done within 2 h
	require.Equal(t, "grid1", o.Team)

	e.clk.Add(30*time.Minute - time.Second)
	n, err := e.wo.Escalate(ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "one second before the limit")
	assert.Zero(t, e.wo.OverdueCount())

	e.clk.Add(time.Second + 7*time.Second) // the watch looks 7 s after it fell due
	n, err = e.wo.Escalate(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	o, _ = e.wo.Get(ctx, o.ID)
	require.Len(t, o.Escalations, 1)
	esc := o.Escalations[0]
	assert.Equal(t, app.StageAccept, esc.Stage)
	assert.Equal(t, 1, esc.Level)
	assert.Equal(t, "liuyang", esc.To, "to the grid's leader")
	sameTime(t, start.Add(30*time.Minute), esc.At) // at the instant it fell due
	notice, err := e.desk.Get(ctx, esc.Alarm)
	require.NoError(t, err)
	assert.Equal(t, app.AlarmOrderOverdue, notice.Kind)
	assert.Equal(t, app.P3, notice.Priority)
	sameTime(t, start.Add(30*time.Minute), notice.RaisedAt)
	assert.Equal(t, 1, e.wo.OverdueCount())

	n, _ = e.wo.Escalate(ctx)
	assert.Zero(t, n, "escalated once per level")
	e.clk.Set(start.Add(60*time.Minute - time.Second))
	n, _ = e.wo.Escalate(ctx)
	assert.Zero(t, n)
	e.clk.Set(start.Add(60 * time.Minute))
	n, _ = e.wo.Escalate(ctx)
	assert.Equal(t, 1, n)
	o, _ = e.wo.Get(ctx, o.ID)
	require.Len(t, o.Escalations, 2)
	assert.Equal(t, "wangjl", o.Escalations[1].To, "then the property manager")
	sameTime(t, start.Add(60*time.Minute), o.Escalations[1].At)

	// Accepted late: no more acceptance escalations; the time limit still runs from the report.
	o, err = e.wo.Accept(ctx, woGrid2, o.ID, o.Version)
	require.NoError(t, err)
	assert.False(t, o.AcceptedInTime())
	e.clk.Set(start.Add(2*time.Hour - time.Second))
	n, _ = e.wo.Escalate(ctx)
	assert.Zero(t, n)
	e.clk.Set(start.Add(2 * time.Hour))
	n, _ = e.wo.Escalate(ctx)
	assert.Equal(t, 1, n)
	o, _ = e.wo.Get(ctx, o.ID)
	last := o.Escalations[len(o.Escalations)-1]
	assert.Equal(t, app.StageDone, last.Stage)
	sameTime(t, start.Add(2*time.Hour), last.At)

	// Two late orders are two notices on the desk, not a repeat of one.
	other := e.report(t, woGrid1, app.CatFireHazard)
	e.clk.Add(31 * time.Minute)
	_, err = e.wo.Escalate(ctx)
	require.NoError(t, err)
	other, _ = e.wo.Get(ctx, other.ID)
	require.NotEmpty(t, other.Escalations)
	assert.NotEqual(t, esc.Alarm, other.Escalations[0].Alarm)
}

func TestWorkOrderNightRuleAndFallback(t *testing.T) {
	e := newWOEnv(t)
	e.clk.Set(time.Date(2026, 12, 7, 23, 10, 0, 0, app.DefaultLocation()))
	o := e.report(t, woGrid1, app.CatClutter)
	assert.Equal(t, "duty", o.Assignee, "at night every order goes to the duty person")
	assert.Equal(t, "night", o.Rule)
	e.clk.Set(time.Date(2026, 12, 8, 7, 0, 0, 0, app.DefaultLocation()))
	o = e.report(t, woGrid1, app.CatSanitation)
	assert.Equal(t, app.OrderNew, o.State, "no rule matches sanitation by day and there is no fallback")
	assert.Empty(t, o.Team)
}

func TestOrderSetupRefusesRulesThatCannotMatch(t *testing.T) {
	ctx := context.Background()
	e := newWOEnv(t)
	base := e.wo.Setup()
	cases := map[string]func(s *app.OrderSetup){
		"unknown team":     func(s *app.OrderSetup) { s.Rules[1].Team = "nobody" },
		"unknown category": func(s *app.OrderSetup) { s.Rules[1].Categories = []string{"flood"} },
		"unknown grid":     func(s *app.OrderSetup) { s.Rules[1].Grids = []string{"g9"} },
		"no days":          func(s *app.OrderSetup) { s.Rules[0].Hours.Days = nil },
		"disabled person":  func(s *app.OrderSetup) { s.Rules[0].Person = "ghost" },
		"team and person":  func(s *app.OrderSetup) { s.Rules[2].Person = "duty" },
		"empty team":       func(s *app.OrderSetup) { s.Teams[1].Members = nil },
		"bad robot":        func(s *app.OrderSetup) { s.Teams[0].Robot = &app.GroupRobot{Kind: "wecom", Webhook: "http://x"} },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			s := base
			s.Rules = append([]app.DispatchRule(nil), base.Rules...)
			h := *base.Rules[0].Hours
			s.Rules[0].Hours = &h
			s.Teams = append([]app.Team(nil), base.Teams...)
			mutate(&s)
			err := e.wo.SaveSetup(ctx, woAdmin, s)
			require.Error(t, err)
			assert.True(t, app.IsCode(err, app.CodeInvalid), "%v", err)
		})
	}
	err := e.wo.SaveSetup(ctx, woDuty, base)
	assert.True(t, app.IsCode(err, app.CodeForbidden), "only administrators edit the set-up: %v", err)
	// The journal's copy of a robot hides its key.
	s := base
	s.Teams = append([]app.Team(nil), base.Teams...)
	s.Teams[0].Robot = &app.GroupRobot{Kind: "dingtalk", Webhook: "https://oapi.dingtalk.com/robot/send?access_token=SECRET1", Secret: "SECsecret"}
	require.NoError(t, e.wo.SaveSetup(ctx, woAdmin, s))
	entries, _ := e.st.Query(ctx, app.JournalQuery{Kinds: []app.EntryKind{app.KindOrderSetupChanged}})
	last := string(entries[len(entries)-1].Data)
	assert.NotContains(t, last, "SECRET1")
	assert.NotContains(t, last, "SECsecret")
	assert.Equal(t, "SECsecret", e.wo.Setup().Teams[0].Robot.Secret, "the set-up in force keeps it")
}

func TestFaultAlarmsBecomeOneOrderEach(t *testing.T) {
	ctx := context.Background()
	e := newWOEnv(t)
	raise := func() app.Alarm {
		a, err := e.desk.Raise(ctx, nil, app.Alarm{Kind: app.AlarmLowBattery, Priority: app.P4, Fault: true, DeviceID: "smoke-1",
			GridID: "g1", Params: map[string]string{app.ParamBattery: "8"}})
		require.NoError(t, err)
		return a
	}
	a := raise()
	o, made, err := e.wo.AutoOrder(ctx, a)
	require.NoError(t, err)
	require.True(t, made)
	assert.Equal(t, app.CatDevice, o.Category)
	assert.Equal(t, "repair", o.Team, "device faults go to the repair crew")
	assert.Equal(t, []int64{a.ID}, o.Alarms)
	assert.Equal(t, app.FromDevice, o.Reporter.Via)
	back, err := e.desk.Get(ctx, a.ID)
	require.NoError(t, err)
	assert.Equal(t, app.AlarmResolved, back.State, "handed to the order, not left on the desk")
	assert.Equal(t, o.Subject(), back.Resolve.Note)

	again := raise()
	_, made, err = e.wo.AutoOrder(ctx, again)
	require.NoError(t, err)
	assert.False(t, made, "one open order per cause")
	assert.Len(t, e.wo.Open(), 1)

	// A fire is not a repair: no order.
	fire, err := e.desk.Raise(ctx, nil, app.Alarm{Kind: app.AlarmFire, Priority: app.P1, DeviceID: "smoke-1"})
	require.NoError(t, err)
	_, made, err = e.wo.AutoOrder(ctx, fire)
	require.NoError(t, err)
	assert.False(t, made)

	// The watch does it by itself as alarms are raised.
	w := e.wo.Watch(slog.New(slog.DiscardHandler))
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = w.Run(runCtx) }()
	t.Cleanup(func() { cancel(); <-done })
	_, err = e.desk.Raise(ctx, nil, app.Alarm{Kind: app.AlarmStreetlight, Priority: app.P4, Fault: true, DeviceID: "streetlight-1", GridID: "g1"})
	require.NoError(t, err)
	assert.Eventually(t, func() bool { return len(e.wo.Open()) == 2 }, 15*time.Second, 10*time.Millisecond)
}

func TestOfflineDevicesBecomeOrdersAfterTwoDays(t *testing.T) {
	ctx := context.Background()
	e := newWOEnv(t)
	_, err := e.desk.Raise(ctx, nil, app.Alarm{Kind: app.AlarmOffline, Priority: app.P3, Fault: true, DeviceID: "smoke-1"})
	require.NoError(t, err)
	e.clk.Add(app.OfflineOrderAfter - time.Second)
	n, err := e.wo.OfflineOrders(ctx)
	require.NoError(t, err)
	assert.Zero(t, n)
	e.clk.Add(time.Second)
	n, err = e.wo.OfflineOrders(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	n, _ = e.wo.OfflineOrders(ctx)
	assert.Zero(t, n)
}

func TestResidentReportReceiptAndRating(t *testing.T) {
	ctx := context.Background()
	e := newWOEnv(t)
	o, err := e.wo.ReportAsResident(ctx, app.OrderRequest{Category: app.CatFacility, Text: "单元门禁坏了",
		Place: app.OrderPlace{Building: "b01"}, ReporterName: "陈女士", ReporterPhone: "13912345678"})
	require.NoError(t, err)
	assert.Regexp(t, `^\d+-[A-Z2-9]{6}$`, o.Receipt)
	assert.Equal(t, o.Subject(), o.Reporter.Key, "the reporter's name and phone are sealed under the order's key")
	entries, _ := e.st.Query(ctx, app.JournalQuery{Subject: o.Subject()})
	assert.Equal(t, app.ResidentActor, entries[0].Operator)

	_, err = e.wo.ReportAsResident(ctx, app.OrderRequest{Category: app.CatFacility, Text: "x", Place: app.OrderPlace{Building: "b01"}, ReporterPhone: "12"})
	assert.True(t, app.IsCode(err, app.CodeInvalid), "%v", err)
	_, err = e.wo.ByReceipt(ctx, "1-AAAAAA")
	assert.True(t, app.IsCode(err, app.CodeNotFound), "a guessed receipt finds nothing: %v", err)

	_, err = e.wo.Rate(ctx, o.Receipt, 5, "")
	assert.True(t, app.IsCode(err, app.CodeConflict), "rated once closed: %v", err)
	o, err = e.wo.Accept(ctx, woRepair, o.ID, o.Version)
	require.NoError(t, err)
	o, err = e.wo.Done(ctx, woRepair, o.ID, o.Version, "已更换门禁控制器", []string{"fix.jpg"})
	require.NoError(t, err)
	o, err = e.wo.Verify(ctx, woProperty, o.ID, o.Version, "")
	require.NoError(t, err)
	_, err = e.wo.Rate(ctx, o.Receipt, 0, "")
	assert.True(t, app.IsCode(err, app.CodeInvalid), "%v", err)
	o, err = e.wo.Rate(ctx, o.Receipt, 4, "修得快")
	require.NoError(t, err)
	assert.Equal(t, 4, o.Rating.Stars)
	_, err = e.wo.Rate(ctx, o.Receipt, 1, "")
	assert.True(t, app.IsCode(err, app.CodeConflict), "once: %v", err)
}

func TestAlarmDispatchedAsAnOrderIsLinkedBothWays(t *testing.T) {
	ctx := context.Background()
	e := newWOEnv(t)
	a, err := e.desk.Raise(ctx, nil, app.Alarm{Kind: app.AlarmManhole, Priority: app.P2, DeviceID: "manhole-1", GridID: "g1"})
	require.NoError(t, err)
	o, err := e.wo.FromAlarm(ctx, woDuty, a.ID, app.CatFacility, "井盖移位，请维修")
	require.NoError(t, err)
	assert.Equal(t, []int64{a.ID}, o.Alarms)
	assert.Equal(t, app.FromAlarm, o.Reporter.Via)
	back, err := e.desk.Get(ctx, a.ID)
	require.NoError(t, err)
	assert.Equal(t, app.AlarmDispatched, back.State)
	assert.Equal(t, o.Subject(), back.Dispatch.To)
	assert.Len(t, e.wo.ForAlarm(a.ID), 1)
	_, err = e.wo.FromAlarm(ctx, woRepair, a.ID, app.CatFacility, "")
	assert.True(t, app.IsCode(err, app.CodeForbidden), "%v", err)
}

func TestMergeAndCancelAndReopen(t *testing.T) {
	ctx := context.Background()
	e := newWOEnv(t)
	first := e.report(t, woGrid1, app.CatClutter)
	dup := e.report(t, woGrid2, app.CatClutter)
	_, err := e.wo.Merge(ctx, woDuty, dup.ID, dup.Version, dup.ID, "重复")
	assert.True(t, app.IsCode(err, app.CodeInvalid), "%v", err)
	dup, err = e.wo.Merge(ctx, woDuty, dup.ID, dup.Version, first.ID, "同一处堆物")
	require.NoError(t, err)
	assert.Equal(t, app.OrderMerged, dup.State)
	first, _ = e.wo.Get(ctx, first.ID)
	assert.Equal(t, app.KindOrderLinked, first.Steps[len(first.Steps)-1].Kind)

	_, err = e.wo.Cancel(ctx, woDuty, first.ID, first.Version, " ")
	assert.True(t, app.IsCode(err, app.CodeInvalid), "a reason is needed: %v", err)

	first, err = e.wo.Accept(ctx, woGrid1, first.ID, first.Version)
	require.NoError(t, err)
	first, err = e.wo.Done(ctx, woGrid1, first.ID, first.Version, "清理完毕", []string{"x.jpg"})
	require.NoError(t, err)
	first, err = e.wo.Reopen(ctx, woGrid2, first.ID, first.Version, "仍有纸箱")
	require.NoError(t, err)
	assert.Equal(t, app.OrderAssigned, first.State)
	assert.Equal(t, "zhangwei", first.Assignee, "back to whoever did it")
	assert.Equal(t, 1, first.Reopened)
	sameTime(t, e.clk.Now().Add(24*time.Hour), first.DoneDue) // a new time limit
}

// Replay shows an order as it stood at each instant: the fold of its entries.
func TestReplayShowsAnOrderAsItStood(t *testing.T) {
	ctx := context.Background()
	e := newWOEnv(t)
	o := e.report(t, woGrid1, app.CatClutter)
	e.clk.Add(5 * time.Minute)
	o, err := e.wo.Accept(ctx, woGrid2, o.ID, o.Version)
	require.NoError(t, err)
	e.clk.Add(time.Hour)
	_, err = e.wo.Done(ctx, woGrid2, o.ID, o.Version, "清走了", []string{"d.jpg"})
	require.NoError(t, err)
	entries, err := e.st.Query(ctx, app.JournalQuery{})
	require.NoError(t, err)
	at := func(kind app.EntryKind) app.ReplayView {
		s := app.NewReplayState()
		for i := range entries {
			app.Fold(s, &entries[i])
			if entries[i].Kind == kind {
				break
			}
		}
		return s.View()
	}
	v := at(app.KindOrderAccepted)
	require.Len(t, v.Orders, 1)
	assert.Equal(t, app.OrderAccepted, v.Orders[0].State)
	assert.Equal(t, "liuyang", v.Orders[0].Assignee)
	v = at(app.KindOrderDone)
	assert.Equal(t, app.OrderDone, v.Orders[0].State)
	assert.Equal(t, "清走了", v.Orders[0].ProofNote)
}
