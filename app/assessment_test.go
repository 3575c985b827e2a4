package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// The assessment's site: four grids, each with its worker; g4 never has an order. The
// grid team of g1 (张伟, 刘洋) and the repair crew (孙师傅) are the set-up's teams; 王芳 is
// g2's worker (found by her phone, written differently), 赵六 g3's (found by his name: the
// site has no phone for him).
func assessSite() *app.Site {
	return &app.Site{ID: "s", Grids: []app.Grid{
		{ID: "g1", Names: app.Names{Name: "第一网格", NameEn: "Grid 1"}, Worker: app.GridWorker{Name: "张伟", Phone: "13800001111"}},
		{ID: "g2", Names: app.Names{Name: "第二网格"}, Worker: app.GridWorker{Name: "王芳", Phone: "13800002222"}},
		{ID: "g3", Names: app.Names{Name: "第三网格"}, Worker: app.GridWorker{Name: "赵六"}},
		{ID: "g4", Names: app.Names{Name: "第四网格"}, Worker: app.GridWorker{Name: "钱七", Phone: "13800004444"}},
	}}
}

func assessSetup() *app.OrderSetup {
	return &app.OrderSetup{Categories: app.DefaultOrderCategories(), Teams: []app.Team{
		{ID: "grid1", Names: app.Names{Name: "第一网格组"}, Members: []string{"zhangwei", "liuyang"}, Grids: []string{"g1"}},
		{ID: "repair", Names: app.Names{Name: "维修班"}, Members: []string{"repair1"}},
	}}
}

var assessAccounts = []app.Operator{
	{Username: "duty", Name: "李明", Role: app.RoleOperator},
	{Username: "zhangwei", Name: "张伟", Role: app.RoleGridWorker, Phone: "13800001111"},
	{Username: "liuyang", Name: "刘洋", Role: app.RoleGridWorker},
	{Username: "wangfang", Name: "王芳", Role: app.RoleGridWorker, Phone: "138 0000 2222"},
	{Username: "zhaoliu", Name: "赵六", Role: app.RoleGridWorker},
	{Username: "repair1", Name: "孙师傅", Role: app.RoleMaintenance},
}

// nov is an instant of November 2026 in the site's time zone.
func nov(day, h, m int) time.Time {
	return time.Date(2026, 11, day, h, m, 0, 0, app.DefaultLocation())
}

// The period assessed: November, the figures taken on 5 December.
var assessPeriod = app.AssessmentPeriod{From: nov(1, 0, 0), To: nov(31, 0, 0), AsOf: time.Date(2026, 12, 5, 0, 0, 0, 0, app.DefaultLocation())}

// assessOrders is a month of orders, each as its latest record stands.
func assessOrders() []app.WorkOrder {
	rep := func(via app.OrderSource, by string) app.Reporter { return app.Reporter{Via: via, By: by} }
	return []app.WorkOrder{
		// g1: reported by its own grid worker, accepted in 10 min, done in time, closed after 2 h, 5 stars.
		{ID: 1, State: app.OrderClosed, Place: app.OrderPlace{GridID: "g1"}, Reporter: rep(app.FromPhone, "zhangwei"), Assignee: "zhangwei",
			CreatedAt: nov(2, 9, 0), AssignedAt: nov(2, 9, 0), AcceptDue: nov(2, 9, 30), AcceptedAt: nov(2, 9, 10),
			DoneDue: nov(2, 11, 0), DoneAt: nov(2, 10, 30), ClosedAt: nov(2, 11, 0), Rating: &app.Rating{Stars: 5}},
		// g1: a resident's, accepted at its limit exactly (in time), done late, reopened once, closed after 5 h, 3 stars.
		{ID: 2, State: app.OrderClosed, Place: app.OrderPlace{GridID: "g1"}, Reporter: rep(app.FromResident, ""), Assignee: "liuyang", Reopened: 1,
			CreatedAt: nov(3, 8, 0), AssignedAt: nov(3, 8, 0), AcceptDue: nov(3, 8, 30), AcceptedAt: nov(3, 8, 30),
			DoneDue: nov(3, 10, 0), DoneAt: nov(3, 12, 0), ClosedAt: nov(3, 13, 0), Rating: &app.Rating{Stars: 3}},
		// g1: the duty operator's, given to the team, nobody took it: both limits ran out by the 5th.
		{ID: 3, State: app.OrderAssigned, Place: app.OrderPlace{GridID: "g1"}, Reporter: rep(app.FromConsole, "duty"), Team: "grid1",
			CreatedAt: nov(30, 20, 0), AssignedAt: nov(30, 20, 0), AcceptDue: nov(30, 20, 30), DoneDue: nov(30, 22, 0)},
		// g1: a duplicate merged into #1, and a cancelled false report of 张伟's: left out.
		{ID: 4, State: app.OrderMerged, MergedInto: 1, Place: app.OrderPlace{GridID: "g1"}, Reporter: rep(app.FromPhone, "zhangwei"),
			CreatedAt: nov(2, 9, 5), AcceptDue: nov(2, 9, 35), DoneDue: nov(2, 11, 5)},
		{ID: 5, State: app.OrderCancelled, Place: app.OrderPlace{GridID: "g1"}, Reporter: rep(app.FromResident, ""), Assignee: "zhangwei",
			CreatedAt: nov(4, 9, 0), AssignedAt: nov(4, 9, 0), AcceptDue: nov(4, 9, 30), DoneDue: nov(4, 11, 0), ClosedAt: nov(4, 9, 20)},
		// Outside the period: the last minute of October, and the first instant of December.
		{ID: 6, State: app.OrderClosed, Place: app.OrderPlace{GridID: "g1"}, Reporter: rep(app.FromPhone, "zhangwei"), Assignee: "zhangwei",
			CreatedAt: nov(1, 0, 0).Add(-time.Minute), AcceptedAt: nov(1, 0, 5), DoneAt: nov(1, 1, 0), ClosedAt: nov(1, 2, 0)},
		{ID: 7, State: app.OrderNew, Place: app.OrderPlace{GridID: "g1"}, Reporter: rep(app.FromPhone, "zhangwei"),
			CreatedAt: nov(31, 0, 0), AcceptDue: nov(31, 0, 30), DoneDue: nov(31, 2, 0)},
		// g2: found by its worker (her account has the phone written with spaces), taken by the
		// repair crew 45 min after assignment (late), in progress past its limit.
		{ID: 8, State: app.OrderInProgress, Place: app.OrderPlace{GridID: "g2"}, Reporter: rep(app.FromPhone, "wangfang"), Team: "repair", Assignee: "repair1",
			CreatedAt: nov(10, 8, 0), AssignedAt: nov(10, 9, 0), AcceptDue: nov(10, 9, 30), AcceptedAt: nov(10, 9, 45), DoneDue: nov(12, 9, 0)},
		// g2: a device's fault on the 29th, waiting for an operator, not due until after the 5th.
		{ID: 9, State: app.OrderNew, Place: app.OrderPlace{GridID: "g2"}, Reporter: rep(app.FromDevice, "device:streetlight-1"),
			CreatedAt: nov(29, 10, 0), AcceptDue: time.Date(2026, 12, 6, 10, 0, 0, 0, app.DefaultLocation()), DoneDue: time.Date(2026, 12, 10, 0, 0, 0, 0, app.DefaultLocation())},
		// A grid the site no longer has: imported without limits or an assignment time.
		{ID: 10, State: app.OrderDone, Place: app.OrderPlace{GridID: "g9"}, Reporter: rep(app.FromPhone, "zhaoliu"), Assignee: "zhaoliu",
			CreatedAt: nov(5, 9, 0), AcceptedAt: nov(5, 10, 0), DoneAt: nov(5, 12, 0)},
		// No grid: a phoned-in report, the repair crew in 20 min, closed after 2 h, 4 stars.
		{ID: 11, State: app.OrderClosed, Reporter: rep(app.FromIntake, "duty"), Assignee: "repair1",
			CreatedAt: nov(6, 8, 0), AssignedAt: nov(6, 8, 0), AcceptDue: nov(6, 10, 0), AcceptedAt: nov(6, 8, 20),
			DoneDue: nov(6, 20, 0), DoneAt: nov(6, 9, 0), ClosedAt: nov(6, 10, 0), Rating: &app.Rating{Stars: 4}},
		// g3: found by its worker (his account has his name), accepted in 5 min, not due yet.
		{ID: 12, State: app.OrderAccepted, Place: app.OrderPlace{GridID: "g3"}, Reporter: rep(app.FromInspection, "zhaoliu"), Assignee: "zhaoliu",
			CreatedAt: nov(20, 9, 0), AssignedAt: nov(20, 9, 0), AcceptDue: nov(20, 9, 30), AcceptedAt: nov(20, 9, 5),
			DoneDue: time.Date(2026, 12, 20, 0, 0, 0, 0, app.DefaultLocation())},
	}
}

func TestAssessOrders(t *testing.T) {
	names := func(n string) app.Names { return app.Names{Name: n} }
	emptyGrids := []app.AssessmentRow{
		{ID: "g1", Names: app.Names{Name: "第一网格", NameEn: "Grid 1"}},
		{ID: "g2", Names: names("第二网格")},
		{ID: "g3", Names: names("第三网格")},
		{ID: "g4", Names: names("第四网格")},
	}
	// The teams' members have a row even without orders.
	emptyPeople := []app.AssessmentRow{{ID: "liuyang", Names: names("刘洋")}, {ID: "repair1", Names: names("孙师傅")}, {ID: "zhangwei", Names: names("张伟")}}
	min := time.Minute
	cases := []struct {
		name   string
		orders []app.WorkOrder
		grids  []app.AssessmentRow
		people []app.AssessmentRow
	}{
		{name: "an empty period", orders: nil, grids: emptyGrids, people: emptyPeople},
		{name: "orders only outside the period", orders: assessOrders()[5:7], grids: emptyGrids, people: emptyPeople},
		{name: "a month of orders", orders: assessOrders(),
			grids: []app.AssessmentRow{
				// #1 #2 #3 count (#3: both limits ran out unaccepted); #4 merged and #5 cancelled are left out.
				// Medians of two: accepted in 10 and 30 min → 20 min; closed after 2 h and 5 h → 3 h 30.
				{ID: "g1", Names: app.Names{Name: "第一网格", NameEn: "Grid 1"}, Received: 3,
					Accepted: 2, AcceptJudged: 3, AcceptedInTime: 2, Done: 2, DoneJudged: 3, DoneInTime: 1, Reopened: 1, Closed: 2,
					MedianAccept: 20 * min, MedianClose: 210 * min, FoundByOwn: 1, FoundByOthers: 2, Ratings: 2, StarsSum: 8, LeftOut: 2},
				// #8 late and overdue; #9 not due yet: judged on neither limit.
				{ID: "g2", Names: names("第二网格"), Received: 2,
					Accepted: 1, AcceptJudged: 1, AcceptedInTime: 0, Done: 0, DoneJudged: 1, DoneInTime: 0,
					MedianAccept: 45 * min, FoundByOwn: 1, FoundByOthers: 1},
				{ID: "g3", Names: names("第三网格"), Received: 1, Accepted: 1, AcceptJudged: 1, AcceptedInTime: 1,
					MedianAccept: 5 * min, FoundByOwn: 1},
				{ID: "g4", Names: names("第四网格")},
				// No limits: in time; no assignment time: from the report.
				{ID: "g9", Names: names("g9"), Received: 1, Accepted: 1, AcceptJudged: 1, AcceptedInTime: 1, Done: 1, DoneJudged: 1, DoneInTime: 1,
					MedianAccept: 60 * min, FoundByOthers: 1},
				{ID: "", Names: names(""), Received: 1, Accepted: 1, AcceptJudged: 1, AcceptedInTime: 1, Done: 1, DoneJudged: 1, DoneInTime: 1, Closed: 1,
					MedianAccept: 20 * min, MedianClose: 120 * min, FoundByOthers: 1, Ratings: 1, StarsSum: 4},
			},
			people: []app.AssessmentRow{
				{ID: "duty", Names: names("李明"), Reported: 2},
				{ID: "liuyang", Names: names("刘洋"), Received: 1, Accepted: 1, AcceptJudged: 1, AcceptedInTime: 1, Done: 1, DoneJudged: 1,
					Reopened: 1, Closed: 1, MedianAccept: 30 * min, MedianClose: 300 * min, Ratings: 1, StarsSum: 3},
				// Two acceptances, 45 and 20 min: the median is 32 min 30 s.
				{ID: "repair1", Names: names("孙师傅"), Received: 2, Accepted: 2, AcceptJudged: 2, AcceptedInTime: 1, Done: 1, DoneJudged: 2, DoneInTime: 1,
					Closed: 1, MedianAccept: 32*min + 30*time.Second, MedianClose: 120 * min, Ratings: 1, StarsSum: 4},
				{ID: "wangfang", Names: names("王芳"), Reported: 1},
				{ID: "zhangwei", Names: names("张伟"), Received: 1, Accepted: 1, AcceptJudged: 1, AcceptedInTime: 1, Done: 1, DoneJudged: 1, DoneInTime: 1,
					Closed: 1, MedianAccept: 10 * min, MedianClose: 120 * min, Reported: 1, Ratings: 1, StarsSum: 5, LeftOut: 1},
				{ID: "zhaoliu", Names: names("赵六"), Received: 2, Accepted: 2, AcceptJudged: 2, AcceptedInTime: 2, Done: 1, DoneJudged: 1, DoneInTime: 1,
					MedianAccept: 32*min + 30*time.Second, Reported: 2},
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := app.AssessOrders(tc.orders, assessSite(), assessSetup(), assessAccounts, assessPeriod)
			assert.Equal(t, assessPeriod, a.Period)
			assert.Equal(t, tc.grids, a.Grids)
			assert.Equal(t, tc.people, a.People)
		})
	}
}

func TestAssessmentShares(t *testing.T) {
	r := app.AssessmentRow{AcceptedInTime: 2, AcceptJudged: 3, DoneInTime: 1, DoneJudged: 4, Ratings: 2, StarsSum: 9}
	share, ok := r.AcceptedShare()
	assert.True(t, ok)
	assert.InDelta(t, 2.0/3, share, 1e-9)
	share, ok = r.DoneShare()
	assert.True(t, ok)
	assert.InDelta(t, 0.25, share, 1e-9)
	stars, ok := r.Satisfaction()
	assert.True(t, ok)
	assert.InDelta(t, 4.5, stars, 1e-9)
	_, ok = app.AssessmentRow{}.AcceptedShare()
	assert.False(t, ok, "nothing judged: no share (not 0 %)")
	_, ok = app.AssessmentRow{}.Satisfaction()
	assert.False(t, ok, "nobody rated: no satisfaction")
}

// The service reads the period's orders from the store as they stand now, for whoever sees
// orders, and journals an export as its operator.
func TestAssessReadsThePeriodFromTheStore(t *testing.T) {
	ctx := context.Background()
	e := newWOEnv(t)
	o, err := e.wo.Report(ctx, woGrid1, app.OrderRequest{Category: app.CatClutter, Text: "楼道堆放纸箱", Place: app.OrderPlace{GridID: "g1"}})
	require.NoError(t, err)
	e.clk.Set(e.clk.Now().Add(10 * time.Minute))
	_, err = e.wo.Accept(ctx, woGrid2, o.ID, o.Version)
	require.NoError(t, err)

	day := e.clk.Now().Truncate(24 * time.Hour)
	a, err := e.wo.Assess(ctx, woDuty, day.Add(-24*time.Hour), day.Add(48*time.Hour))
	require.NoError(t, err)
	g1 := a.Grids[0]
	require.Equal(t, "g1", g1.ID)
	assert.Equal(t, 1, g1.Received)
	assert.Equal(t, 1, g1.AcceptedInTime)
	assert.Equal(t, 10*time.Minute, g1.MedianAccept)
	assert.Equal(t, 1, g1.FoundByOwn, "张伟 is in g1's team")
	var liu *app.AssessmentRow
	for i := range a.People {
		if a.People[i].ID == "liuyang" {
			liu = &a.People[i]
		}
	}
	require.NotNil(t, liu)
	assert.Equal(t, "刘洋", liu.Names.Name)
	assert.Equal(t, 1, liu.Accepted)

	_, err = e.wo.Assess(ctx, woDuty, day, day)
	assert.True(t, app.IsCode(err, app.CodeInvalid), "an empty period is refused: %v", err)
	_, err = e.wo.Assess(ctx, woTrainer, day, day.Add(time.Hour))
	assert.True(t, app.IsCode(err, app.CodeForbidden), "a trainer does not see orders: %v", err)

	require.NoError(t, e.wo.AssessmentExported(ctx, woDuty, app.AssessmentExport{File: "/tmp/a.xlsx", Format: "xlsx", From: day, To: day.Add(time.Hour)}))
	es, err := e.rec.Journal.Query(ctx, app.JournalQuery{})
	require.NoError(t, err)
	last := es[len(es)-1]
	assert.Equal(t, app.KindAssessmentExported, last.Kind)
	assert.Equal(t, "duty", last.Operator)
	assert.Contains(t, string(last.Data), `"file":"/tmp/a.xlsx"`)
}
