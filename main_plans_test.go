package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/store"
)

func TestPlansCommandImportsAndRefusesWithReasons(t *testing.T) {
	data := t.TempDir()
	_, errOut, code := cli(t, nil, "plans", "--data", data)
	assert.Equal(t, exitFailure, code, "no database yet")
	assert.Contains(t, errOut, "there is no database")

	good := filepath.Join(t.TempDir(), "good.json")
	require.NoError(t, os.WriteFile(good, []byte(`{"id": "flood-b", "name": "车库进水", "name_en": "Garage flooding", "roles": ["guard", "engineer"], "steps": [
		{"id": "a", "phase": "alert", "title": "巡查", "role": "guard", "limit": "5m"},
		{"id": "b", "phase": "respond", "title": "抽水", "role": "engineer", "depends_on": ["a"], "supplies": ["water_pump"], "contacts": ["water"]}]}`), 0o600))

	// Nobody imports as the system: without an operator, a usage error; in a data directory
	// without a database there is no account, and nothing is created.
	_, errOut, code = cli(t, nil, "plans", "import", good, "--data", data)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "--operator NAME")
	_, errOut, code = cli(t, nil, "plans", "import", good, "--data", data, "--operator", "trainer")
	assert.Equal(t, exitFailure, code)
	assert.Contains(t, errOut, "there is no database")
	assert.NoFileExists(t, filepath.Join(data, store.FileName))

	withAccounts(t, data, app.Operator{Username: "trainer", Name: "陈静", Role: app.RoleTrainer},
		app.Operator{Username: "duty", Name: "李明", Role: app.RoleOperator})
	_, errOut, code = cli(t, nil, "plans", "import", good, "--data", data, "--operator", "nobody")
	assert.Equal(t, exitFailure, code)
	assert.Contains(t, errOut, "there is no operator nobody")
	// A duty operator is refused by the core's role check, and nothing is written (not even
	// the default plans a first import sets up).
	before := journalOf(t, data)
	_, errOut, code = cliIn(t, "sunshine-duty\n", nil, "plans", "import", good, "--data", data, "--operator", "duty")
	assert.Equal(t, exitFailure, code)
	assert.Equal(t, "watchpost plans import: A Duty operator may not edit plans and drills\n", errOut)
	assert.Equal(t, before, journalOf(t, data), "a refusal leaves no trace")

	bad := filepath.Join(t.TempDir(), "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"id": "flood-b", "name": "车库进水", "roles": ["guard"], "steps": [
		{"id": "a", "phase": "alert", "title": "巡查", "role": "guard", "depends_on": ["b"]},
		{"id": "b", "phase": "respond", "title": "抽水", "role": "pump-man", "depends_on": ["zz"]}]}`), 0o600))
	_, errOut, code = cliIn(t, "sunshine-trainer\n", nil, "plans", "import", bad, "--data", data, "--operator", "trainer")
	assert.Equal(t, exitFailure, code)
	assert.Contains(t, errOut, "bad.json was refused")
	assert.Contains(t, errOut, "  - Step b is for role pump-man, which the plan does not list")
	assert.Contains(t, errOut, "  - Step b depends on unknown step zz")

	out, errOut, code := cliIn(t, "sunshine-trainer\n", nil, "plans", "import", good, "--data", data, "--operator", "trainer")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "imported flood-b")
	assert.Contains(t, out, "as 陈静 (trainer)")

	out, errOut, code = cli(t, nil, "plans", "--json", "--data", data)
	require.Equal(t, 0, code, errOut)
	var plans []app.Plan
	require.NoError(t, json.Unmarshal([]byte(out), &plans))
	require.Len(t, plans, 10, "the default plans, then the imported one")
	assert.Equal(t, "fire-residential", plans[0].ID)
	assert.Equal(t, "flood-b", plans[9].ID)

	out, _, code = cli(t, nil, "plans", "export", "flood-b", "--data", data)
	require.Equal(t, 0, code)
	p, err := app.ParsePlan([]byte(out))
	require.NoError(t, err)
	assert.Equal(t, "Garage flooding", p.NameEn)

	out, _, code = cli(t, nil, "journal", "--json", "--data", data, "--subject", "plan:flood-b")
	require.Equal(t, 0, code)
	assert.True(t, strings.Contains(out, `"kind":"plan.imported"`), out)
	assert.Contains(t, out, `"operator":"trainer"`, "journaled as the operator who imported it")
	assert.Contains(t, out, `"via":"cli"`)

	// With the plans set up, the refusal is the core's own (Plans.Import checks the role).
	b, err := os.ReadFile(good)
	require.NoError(t, err)
	other := filepath.Join(t.TempDir(), "other.json")
	require.NoError(t, os.WriteFile(other, []byte(strings.Replace(string(b), "flood-b", "flood-c", 1)), 0o600))
	before = journalOf(t, data)
	_, errOut, code = cliIn(t, "sunshine-duty\n", nil, "plans", "import", other, "--data", data, "--operator", "duty")
	assert.Equal(t, exitFailure, code)
	assert.Equal(t, "watchpost plans import: A Duty operator may not edit plans and drills\n", errOut)
	assert.Equal(t, before, journalOf(t, data), "a refusal leaves no trace")
}
