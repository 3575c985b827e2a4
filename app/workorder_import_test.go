package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// historicalOrders are two orders of last year from the old records: one closed (reported
// by a grid worker in building b01, taken by another, rated), one cancelled (a caller's).
func historicalOrders() []app.HistoricalOrder {
	at := func(day, h, m int) time.Time { return time.Date(2025, 10, day, h, m, 0, 0, app.DefaultLocation()) }
	return []app.HistoricalOrder{
		{Row: 2, Ref: "GD-2025-0017", Category: app.CatClutter, State: app.OrderClosed, Text: "3单元楼道堆放纸箱",
			Place: app.OrderPlace{Building: "b01", Unit: 0}, Via: app.FromPhone, ReportedBy: "zhangwei", Team: "grid1", Assignee: "liuyang",
			CreatedAt: at(8, 9, 0), AssignedAt: at(8, 9, 5), AcceptedAt: at(8, 9, 20), DoneAt: at(8, 15, 0), ClosedAt: at(8, 17, 0),
			Note: "已清理", Reopened: 1, Stars: 4, Comment: "及时"},
		{Row: 3, Category: app.CatOther, State: app.OrderCancelled, Text: "路灯不亮", Place: app.OrderPlace{GridID: "g1"},
			ReporterName: "陈女士", ReporterPhone: "13912345678", CreatedAt: at(9, 20, 0), ClosedAt: at(9, 21, 0), Note: "重复报告"},
	}
}

// An administrator imports the history: each order gets the next number, keeps its times,
// gets its category's limits from them, and is journaled as the administrator's; the
// assessment of last October counts them.
func TestImportHistoryKeepsTheTimesAndJournalsAsTheAdministrator(t *testing.T) {
	ctx := context.Background()
	e := newWOEnv(t)
	live, err := e.wo.Report(ctx, woDuty, app.OrderRequest{Category: app.CatOther, Text: "井盖松动", Place: app.OrderPlace{GridID: "g1"}})
	require.NoError(t, err)
	seq, _ := e.st.LastSeq(ctx)

	got, err := e.wo.ImportHistory(ctx, woAdmin, historicalOrders())
	require.NoError(t, err)
	require.Len(t, got, 2)
	closed, cancelled := got[0], got[1]
	assert.Equal(t, live.ID+1, closed.ID)
	assert.Equal(t, live.ID+2, cancelled.ID)
	assert.Equal(t, app.OrderClosed, closed.State)
	assert.Equal(t, "g1", closed.Place.GridID, "the grid from the building")
	sameTime(t, time.Date(2025, 10, 8, 9, 20, 0, 0, app.DefaultLocation()), closed.AcceptedAt)
	sameTime(t, time.Date(2025, 10, 8, 10, 5, 0, 0, app.DefaultLocation()), closed.AcceptDue) // clutter: 1 h from the assignment
	sameTime(t, time.Date(2025, 10, 9, 9, 0, 0, 0, app.DefaultLocation()), closed.DoneDue)    // and 24 h from the report
	assert.True(t, closed.AcceptedInTime())
	assert.True(t, closed.DoneInTime())
	assert.Equal(t, 1, closed.Reopened)
	require.NotNil(t, closed.Rating)
	assert.Equal(t, 4, closed.Rating.Stars)
	assert.Equal(t, "已清理", closed.ProofNote)
	var kinds []string
	for _, s := range closed.Steps {
		kinds = append(kinds, string(s.Kind)+" by "+s.By)
	}
	assert.Equal(t, []string{"order.created by zhangwei", "order.assigned by admin", "order.accepted by liuyang", "order.done by liuyang",
		"order.closed by admin", "order.imported by admin"}, kinds)
	assert.Equal(t, "ref:GD-2025-0017", closed.Steps[len(closed.Steps)-1].Note)
	assert.Equal(t, app.FromIntake, cancelled.Reporter.Via, "a caller named: phoned in")
	assert.Equal(t, cancelled.Subject(), cancelled.Reporter.Key, "the caller's name and phone are sealed")
	assert.Equal(t, "重复报告", cancelled.Steps[len(cancelled.Steps)-2].Note)

	added, err := e.st.Query(ctx, app.JournalQuery{AfterSeq: seq})
	require.NoError(t, err)
	require.Len(t, added, 2)
	for _, en := range added {
		assert.Equal(t, app.KindOrderImported, en.Kind)
		assert.Equal(t, "admin", en.Operator)
	}
	stored, err := e.wo.Get(ctx, closed.ID)
	require.NoError(t, err)
	assert.Equal(t, closed.Text, stored.Text)
	for _, o := range e.wo.List() {
		assert.NotEqual(t, closed.ID, o.ID, "closed a year ago: not in memory with the recent orders")
	}

	a, err := e.wo.Assess(ctx, woDuty, time.Date(2025, 10, 1, 0, 0, 0, 0, app.DefaultLocation()), time.Date(2025, 11, 1, 0, 0, 0, 0, app.DefaultLocation()))
	require.NoError(t, err)
	assert.Equal(t, 1, a.Grids[0].Received)
	assert.Equal(t, 1, a.Grids[0].LeftOut, "the cancelled one")
	assert.Equal(t, 1, a.Grids[0].FoundByOwn)
	assert.Equal(t, 15*time.Minute, a.Grids[0].MedianAccept)
	assert.Equal(t, 8*time.Hour, a.Grids[0].MedianClose)
}

// One bad row refuses the whole file: every problem is said with its row, nothing is stored.
func TestImportHistoryRefusesBadRowsWithTheirNumbers(t *testing.T) {
	ctx := context.Background()
	e := newWOEnv(t)
	rows := historicalOrders()
	rows = append(rows,
		app.HistoricalOrder{Row: 4, Category: "leaks", State: app.OrderClosed, Text: "漏水", Place: app.OrderPlace{GridID: "g7"},
			Assignee: "nobody", CreatedAt: time.Date(2025, 10, 9, 8, 0, 0, 0, time.UTC), DoneAt: time.Date(2025, 10, 9, 7, 0, 0, 0, time.UTC),
			ClosedAt: time.Date(2025, 10, 9, 9, 0, 0, 0, time.UTC), Stars: 6},
		app.HistoricalOrder{Row: 5, Category: app.CatOther, State: app.OrderInProgress, Text: "门禁坏了", Place: app.OrderPlace{Building: "b01"},
			CreatedAt: e.clk.Now().Add(time.Hour)},
		app.HistoricalOrder{Row: 6, Category: app.CatOther, State: app.OrderCancelled, Text: "误报", Place: app.OrderPlace{Building: "b01"},
			CreatedAt: time.Date(2025, 10, 9, 8, 0, 0, 0, time.UTC), ClosedAt: time.Date(2025, 10, 9, 9, 0, 0, 0, time.UTC)},
	)
	before, _ := e.st.LastSeq(ctx)
	max := e.wo.List()
	_, err := e.wo.ImportHistory(ctx, woAdmin, rows)
	require.Error(t, err)
	var lines []string
	for _, p := range app.ProblemsOf(err) {
		lines = append(lines, p.Text())
	}
	assert.Equal(t, []string{
		"Row 4: There is no category leaks",
		"Row 4: There is no grid g7",
		"Row 4: There is no account nobody",
		"Row 4: The times are out of order: done_at is before created_at",
		"Row 4: Choose one to five stars",
		"Row 5: An imported order has ended: closed or cancelled (enter open orders in the console)",
		"Row 5: When it was closed or cancelled is required",
		"Row 5: created_at is in the future",
		"Row 6: Say what it is about",
	}, lines, strings.Join(lines, "\n"))
	after, _ := e.st.LastSeq(ctx)
	assert.Equal(t, before, after, "nothing journaled")
	assert.Equal(t, max, e.wo.List())

	_, err = e.wo.ImportHistory(ctx, woAdmin, nil)
	assert.True(t, app.IsCode(err, app.CodeInvalid))
	_, err = e.wo.ImportHistory(ctx, woDuty, historicalOrders())
	assert.True(t, app.IsCode(err, app.CodeForbidden), "a duty operator does not set up orders: %v", err)
}
