package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"watchpost/app"
	"watchpost/store"
)

var (
	ordersAdmin   = app.Operator{Username: "admin", Name: "赵磊", Role: app.RoleAdmin}
	ordersDuty    = app.Operator{Username: "duty", Name: "李明", Role: app.RoleOperator}
	ordersTrainer = app.Operator{Username: "trainer", Name: "陈静", Role: app.RoleTrainer}
	ordersGrid    = app.Operator{Username: "zhangwei", Name: "张伟", Role: app.RoleGridWorker, Phone: "13800138001"}
)

// withCore runs f on the data directory's core, opened for writing (as a console would).
func withCore(t *testing.T, dir string, f func(c *app.Core)) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dir, store.FileName), store.Options{Log: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	defer st.Close()
	core, err := app.NewCore(ctx, app.Ports{Store: st, Log: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	f(core)
}

// ordersSite is the demo community as a real site with two orders: a caller's phoned-in
// report in g1 (open), and a grid worker's in g2, cancelled.
func ordersSite(t *testing.T) string {
	t.Helper()
	dir := realSite(t, ordersAdmin, ordersDuty, ordersTrainer, ordersGrid)
	withCore(t, dir, func(c *app.Core) {
		ctx := context.Background()
		_, err := c.Orders.Report(ctx, &ordersDuty, app.OrderRequest{Category: app.CatFacility, Text: "5号楼门禁坏了，电话 13912345678",
			Place: app.OrderPlace{GridID: "g1"}, Via: app.FromIntake, ReporterName: "陈女士", ReporterPhone: "13912345678"})
		require.NoError(t, err)
		o, err := c.Orders.Report(ctx, &ordersGrid, app.OrderRequest{Category: app.CatClutter, Text: "楼道堆放纸箱", Place: app.OrderPlace{GridID: "g2"}})
		require.NoError(t, err)
		_, err = c.Orders.Cancel(ctx, &ordersDuty, o.ID, o.Version, "已自行清理")
		require.NoError(t, err)
	})
	return dir
}

// watchpost orders on a real site: for an operator who sees orders (a grid worker too, who
// has no console), never the trainer; a caller's name and phone masked in text and JSON,
// in the note too; --open and --grid select.
func TestOrdersCommandReadsARealSiteMasked(t *testing.T) {
	dir := ordersSite(t)
	_, errOut, code := runIn(Orders, "", "--data", dir)
	assert.Equal(t, ExitUsage, code)
	assert.Contains(t, errOut, "is a real site: sign in with --operator USER")
	_, errOut, code = runIn(Orders, "sunshine-trainer\n", "--data", dir, "--operator", "trainer")
	assert.Equal(t, ExitFailure, code)
	assert.Contains(t, errOut, "may not see work orders")

	out, errOut, code := runIn(Orders, "sunshine-zhangwei\n", "--data", dir, "--operator", "zhangwei")
	require.Equal(t, ExitOK, code, errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 2, out)
	assert.Contains(t, lines[0], "#2")
	assert.Contains(t, lines[0], "cancelled")
	assert.Contains(t, lines[0], "grid g2")
	assert.Contains(t, lines[0], "Corridor or exit clutter / phone zhangwei")
	assert.Contains(t, lines[1], "#1")
	assert.Contains(t, lines[1], "intake 陈* 139****5678")
	assert.Contains(t, lines[1], "电话 139****5678", "a number in the note is masked too")
	assert.NotContains(t, out, "13912345678")
	assert.NotContains(t, out, "陈女士")

	out, errOut, code = runIn(Orders, "sunshine-duty\n", "--json", "--open", "--data", dir, "--operator", "duty")
	require.Equal(t, ExitOK, code, errOut)
	var orders []app.WorkOrder
	require.NoError(t, json.Unmarshal([]byte(out), &orders))
	require.Len(t, orders, 1, "only the open one")
	assert.Equal(t, "陈*", orders[0].Reporter.Name)
	assert.Equal(t, "139****5678", orders[0].Reporter.Phone)

	out, errOut, code = runIn(Orders, "sunshine-duty\n", "--grid", "g2", "--data", dir, "--operator", "duty")
	require.Equal(t, ExitOK, code, errOut)
	assert.Equal(t, 1, strings.Count(out, "\n"), out)
	assert.Contains(t, out, "#2")
}

// The history of orders imported from JSON as an administrator: all or none, every bad row
// said with its number; journaled as the administrator's, historical times kept.
func TestOrdersImportFromJSON(t *testing.T) {
	dir := ordersSite(t)
	good := `[
	 {"ref": "GD-1", "category": "clutter", "state": "closed", "text": "楼道堆物", "place": {"building": "b01"},
	  "reported_by": "zhangwei", "assignee": "zhangwei", "created_at": "2025-10-08T09:00:00+08:00",
	  "accepted_at": "2025-10-08T09:20:00+08:00", "done_at": "2025-10-08T15:00:00+08:00", "closed_at": "2025-10-08T17:00:00+08:00", "stars": 5},
	 {"ref": "GD-2", "category": "other", "state": "cancelled", "text": "误报", "place": {"grid": "g2"},
	  "created_at": "2025-10-09T20:00:00+08:00", "closed_at": "2025-10-09T21:00:00+08:00", "note": "重复"}]`
	bad := strings.Replace(good, `"state": "cancelled"`, `"state": "open"`, 1)
	bad = strings.Replace(bad, `"stars": 5`, `"stars": 5, "starz": 1`, 1)
	file := filepath.Join(t.TempDir(), "history.json")

	require.NoError(t, os.WriteFile(file, []byte(bad), 0o600))
	before := journal(t, dir)
	out, errOut, code := runIn(Orders, "sunshine-admin\n", "import", file, "--operator", "admin", "--data", dir)
	assert.Equal(t, ExitFailure, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "is refused, nothing was imported")
	assert.Contains(t, errOut, `Row 1: unknown field "starz"`, "read before anything is asked")
	assert.Equal(t, before, journal(t, dir))

	bad = strings.Replace(good, `"state": "cancelled"`, `"state": "in_progress"`, 1)
	bad = strings.Replace(bad, `"category": "clutter"`, `"category": "leaks"`, 1)
	require.NoError(t, os.WriteFile(file, []byte(bad), 0o600))
	_, errOut, code = runIn(Orders, "sunshine-admin\n", "import", file, "--operator", "admin", "--data", dir)
	assert.Equal(t, ExitFailure, code)
	assert.Contains(t, errOut, "  Row 1: There is no category leaks\n")
	assert.Contains(t, errOut, "  Row 2: An imported order has ended: closed or cancelled (enter open orders in the console)\n")
	assert.Equal(t, before, journal(t, dir), "nothing stored")

	require.NoError(t, os.WriteFile(file, []byte(good), 0o600))
	_, errOut, code = runIn(Orders, "sunshine-duty\n", "import", file, "--operator", "duty", "--data", dir)
	assert.Equal(t, ExitFailure, code)
	assert.Contains(t, errOut, "may not edit order categories")
	out, errOut, code = runIn(Orders, "sunshine-admin\n", "import", file, "--operator", "admin", "--data", dir)
	require.Equal(t, ExitOK, code, errOut)
	assert.Equal(t, "2 orders imported (#3 to #4), as 赵磊 (admin)\n", out)
	j := journal(t, dir)
	assert.Equal(t, []string{"order.imported order:3 by admin", "order.imported order:4 by admin"}, j[len(j)-2:])

	out, errOut, code = runIn(Orders, "sunshine-duty\n", "--json", "--data", dir, "--operator", "duty")
	require.Equal(t, ExitOK, code, errOut)
	var orders []app.WorkOrder
	require.NoError(t, json.Unmarshal([]byte(out), &orders))
	require.Len(t, orders, 4)
	assert.True(t, orders[1].CreatedAt.Equal(time.Date(2025, 10, 8, 9, 0, 0, 0, time.FixedZone("", 8*3600))), "%v", orders[1].CreatedAt)
	assert.Equal(t, "g1", orders[1].Place.GridID)
}

// A workbook: the template written for the site, filled, imported; a bad cell refuses the
// file with its row and column. Refused while a console runs, before the password is read.
func TestOrdersImportFromAWorkbook(t *testing.T) {
	dir := ordersSite(t)
	book := filepath.Join(t.TempDir(), "history.xlsx")
	out, errOut, code := runIn(Orders, "sunshine-duty\n", "template", book, "--language", "en", "--data", dir, "--operator", "duty")
	require.Equal(t, ExitOK, code, errOut)
	assert.Contains(t, out, "written "+book)
	fi, err := os.Stat(book)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	f, err := excelize.OpenFile(book)
	require.NoError(t, err)
	heads, err := f.GetRows("Order history")
	require.NoError(t, err)
	fill := func(row int, cells map[string]string) {
		for i, h := range heads[0] {
			if v, ok := cells[strings.TrimSuffix(h, " *")]; ok {
				cell, _ := excelize.CoordinatesToCellName(i+1, row)
				require.NoError(t, f.SetCellStr("Order history", cell, v))
			}
		}
	}
	fill(3, map[string]string{"Old number": "A-17", "Category": "Fire hazard", "State": "closed", "What was reported": "消防通道堵塞",
		"Grid": "g3", "Reported at": "2025-09-01 10:00", "Done at": "2025-09-01 11:00", "Closed or cancelled at": "2025-09-01 12:00",
		"Done by (account)": "zhangwei"})
	fill(4, map[string]string{"Old number": "A-18", "Category": "other", "State": "closed", "What was reported": "路灯",
		"Grid": "g3", "Reported at": "2025-09-02 10:00", "Done at": "soon", "Closed or cancelled at": "2025-09-02 12:00"})
	require.NoError(t, f.SaveAs(book))

	before := journal(t, dir)
	_, errOut, code = runIn(Orders, "sunshine-admin\n", "import", book, "--operator", "admin", "--data", dir)
	assert.Equal(t, ExitFailure, code)
	assert.Contains(t, errOut, "  Order history, row 4, “Done at”: soon is not a time: write it as 2025-10-08 09:30\n")
	assert.Equal(t, before, journal(t, dir))

	fill(4, map[string]string{"Done at": "2025-09-02 11:30"})
	require.NoError(t, f.SaveAs(book))
	console, err := store.Open(context.Background(), filepath.Join(dir, store.FileName), store.Options{Log: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	stdin := strings.NewReader("sunshine-admin\n")
	var o, e bytes.Buffer
	code = Orders([]string{"import", book, "--operator", "admin", "--data", dir}, Streams{In: stdin, Out: &o, Err: &e})
	assert.Equal(t, ExitFailure, code)
	assert.Contains(t, e.String(), "stop the console before importing orders")
	assert.Equal(t, len("sunshine-admin\n"), stdin.Len(), "no password read")
	require.NoError(t, console.Close())

	out, errOut, code = runIn(Orders, "sunshine-admin\n", "import", book, "--operator", "admin", "--data", dir)
	require.Equal(t, ExitOK, code, errOut)
	assert.Equal(t, "2 orders imported (#3 to #4), as 赵磊 (admin)\n", out)
}

// watchpost operators takes the phone pages' roles, and its help names every role.
func TestOperatorsTakeThePhoneRoles(t *testing.T) {
	for _, r := range app.Roles {
		assert.Contains(t, operatorsUsage, string(r), "the help names the role")
	}
	dir := dataWithAccounts(t, ordersAdmin)
	for i, r := range []app.Role{app.RoleGridWorker, app.RoleProperty, app.RoleMaintenance} {
		user := "phone" + string(rune('1'+i))
		out, errOut, code := runIn(Operators, "sunshine-admin\nphone-pass-01\n", "add", user, "--name", "王芳", "--role", string(r),
			"--phone", "13800138001", "--operator", "admin", "--data", dir)
		require.Equal(t, ExitOK, code, errOut)
		assert.Equal(t, "added "+user+" (王芳), "+string(r)+", as admin\n", out)
	}
	out, errOut, code := runIn(Operators, "sunshine-admin\n", "role", "phone1", "maintenance", "--operator", "admin", "--data", dir)
	require.Equal(t, ExitOK, code, errOut)
	assert.Equal(t, "phone1 is now maintenance, as admin\n", out)
	_, errOut, code = runIn(Operators, "sunshine-admin\n", "role", "phone1", "janitor", "--operator", "admin", "--data", dir)
	assert.Equal(t, ExitFailure, code)
	assert.NotEmpty(t, errOut)
}
