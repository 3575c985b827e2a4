package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/store"
)

// An installer's round trip: export the plan of a running console, import it elsewhere;
// importing is refused while a console runs, and a bad file changes nothing.
func TestSiteExportAndImportAsGeoJSON(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	plan := filepath.Join(t.TempDir(), "plan.geojson")

	cmd, log := startHeadless(t, a, "--no-sim")
	out, errOut, code := cli(t, nil, "site", "export", "--geojson", plan, "--data", a)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "5 grids")
	data, err := os.ReadFile(plan)
	require.NoError(t, err)
	assert.Contains(t, string(data), `"FeatureCollection"`)

	_, errOut, code = cli(t, nil, "site", "import", plan, "--data", a, "--operator", "admin")
	assert.Equal(t, 1, code, "refused while the console runs")
	assert.Contains(t, errOut, "already running on this data directory")
	assert.Contains(t, errOut, "stop the console")
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, cmd.Wait(), "%s", log)

	// Nobody imports as the system: without an operator, a usage error; into an empty data
	// directory (no database, so no account), nothing, and no database is created.
	_, errOut, code = cli(t, nil, "site", "import", plan, "--data", b)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "--operator NAME")
	_, errOut, code = cli(t, nil, "site", "import", plan, "--data", b, "--operator", "admin")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "there is no database")
	assert.NoFileExists(t, filepath.Join(b, store.FileName))

	// Into a data directory that has only its accounts.
	withAccounts(t, b, app.Operator{Username: "admin", Name: "赵磊", Role: app.RoleAdmin})
	_, errOut, code = cli(t, nil, "site", "import", plan, "--data", b, "--operator", "duty")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "there is no operator duty")
	out, errOut, code = cliIn(t, "sunshine-admin\n", nil, "site", "import", plan, "--data", b, "--operator", "admin")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "imported, as 赵磊 (admin)")
	out, errOut, code = cli(t, nil, "site", "--json", "--data", b)
	require.Equal(t, 0, code, errOut)
	var site app.Site
	require.NoError(t, json.Unmarshal([]byte(out), &site))
	assert.Equal(t, "demo", site.ID)
	assert.Len(t, site.Grids, 5)
	out, _, _ = cli(t, nil, "journal", "--json", "--data", b, "--subject", "site:demo")
	assert.Contains(t, out, `"kind":"site.imported"`)
	assert.Contains(t, out, `"operator":"admin"`)
	assert.Zero(t, strings.Count(out, `"operator":"system"`), "nobody imports as the system")

	// A grid whose outline crosses itself: refused with the reason and the feature.
	var doc map[string]any
	require.NoError(t, json.Unmarshal(data, &doc))
	for _, f := range doc["features"].([]any) {
		if f.(map[string]any)["id"] == "g3" {
			ring := f.(map[string]any)["geometry"].(map[string]any)["coordinates"].([]any)[0].([]any)
			ring[1], ring[2] = ring[2], ring[1]
		}
	}
	bad, _ := json.MarshalIndent(doc, "", " ")
	badFile := filepath.Join(t.TempDir(), "bad.geojson")
	require.NoError(t, os.WriteFile(badFile, bad, 0o644))
	before, _, _ := cli(t, nil, "site", "--json", "--data", b)
	_, errOut, code = cliIn(t, "sunshine-admin\n", nil, "site", "import", badFile, "--data", b, "--operator", "admin")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "crosses itself")
	assert.Contains(t, errOut, "g3")
	assert.Regexp(t, `line \d+`, errOut)
	after, _, _ := cli(t, nil, "site", "--json", "--data", b)
	assert.Equal(t, before, after, "the site is untouched")

	// A duty operator is refused by the core's role check, and nothing is written; an
	// administrator's import is journaled as theirs.
	journal := journalOf(t, a)
	_, errOut, code = cliIn(t, "sunshine-demo\n", nil, "site", "import", plan, "--data", a, "--operator", "duty")
	assert.Equal(t, 1, code)
	assert.Equal(t, "watchpost site import: A Duty operator may not change the site\n", errOut)
	assert.Equal(t, journal, journalOf(t, a), "a refusal leaves no trace")
	_, errOut, code = cliIn(t, "sunshine-demo\n", nil, "site", "import", plan, "--data", a, "--operator", "admin")
	require.Equal(t, 0, code, errOut)
	out, _, _ = cli(t, nil, "journal", "--json", "--data", a, "--subject", "site:demo")
	assert.Equal(t, 1, strings.Count(out, `"operator":"admin"`))
}
