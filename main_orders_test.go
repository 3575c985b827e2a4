package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// `watchpost orders` on the demo reads without a sign-in, a caller's name and phone masked;
// `watchpost orders import` stores the history as the administrator whose password is read
// from standard input. The help lists both.
func TestOrdersCommandOnTheDemo(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	core, st := newCore(t, dir)
	duty, err := core.Accounts.SignIn(ctx, "duty", "sunshine-demo")
	require.NoError(t, err)
	_, err = core.Orders.Report(ctx, duty, app.OrderRequest{Category: app.CatFacility, Text: "门禁坏了", Place: app.OrderPlace{GridID: "g1"},
		Via: app.FromIntake, ReporterName: "陈女士", ReporterPhone: "13912345678"})
	require.NoError(t, err)
	require.NoError(t, st.Close()) // the commands open the data directory

	out, errOut, code := cli(t, nil, "orders", "--data", dir)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "intake 陈* 139****5678")
	assert.NotContains(t, out, "13912345678")

	file := filepath.Join(t.TempDir(), "history.json")
	require.NoError(t, os.WriteFile(file, []byte(`[{"category": "other", "state": "cancelled", "text": "误报", "place": {"grid": "g2"},
		"created_at": "2025-10-09T20:00:00+08:00", "closed_at": "2025-10-09T21:00:00+08:00", "note": "重复"}]`), 0o600))
	out, errOut, code = cliIn(t, "sunshine-demo\n", nil, "orders", "import", file, "--operator", "admin", "--data", dir)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "1 order imported (#")
	assert.Contains(t, journalOf(t, dir), `"kind":"order.imported"`)

	out, _, code = cli(t, nil, "help")
	require.Equal(t, 0, code)
	assert.True(t, strings.Contains(out, "watchpost orders   [--data DIR]") && strings.Contains(out, "watchpost orders import FILE"), out)
}
