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
)

func TestPlansCommandImportsAndRefusesWithReasons(t *testing.T) {
	data := t.TempDir()
	_, errOut, code := cli(t, nil, "plans", "--data", data)
	assert.Equal(t, exitFailure, code, "no database yet")
	assert.Contains(t, errOut, "there is no database")

	bad := filepath.Join(t.TempDir(), "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"id": "flood-b", "name": "车库进水", "roles": ["guard"], "steps": [
		{"id": "a", "phase": "alert", "title": "巡查", "role": "guard", "depends_on": ["b"]},
		{"id": "b", "phase": "respond", "title": "抽水", "role": "pump-man", "depends_on": ["zz"]}]}`), 0o600))
	_, errOut, code = cli(t, nil, "plans", "import", bad, "--data", data)
	assert.Equal(t, exitFailure, code)
	assert.Contains(t, errOut, "bad.json was refused")
	assert.Contains(t, errOut, "  - Step b is for role pump-man, which the plan does not list")
	assert.Contains(t, errOut, "  - Step b depends on unknown step zz")

	good := filepath.Join(t.TempDir(), "good.json")
	require.NoError(t, os.WriteFile(good, []byte(`{"id": "flood-b", "name": "车库进水", "name_en": "Garage flooding", "roles": ["guard", "engineer"], "steps": [
		{"id": "a", "phase": "alert", "title": "巡查", "role": "guard", "limit": "5m"},
		{"id": "b", "phase": "respond", "title": "抽水", "role": "engineer", "depends_on": ["a"], "supplies": ["water_pump"], "contacts": ["water"]}]}`), 0o600))
	out, errOut, code := cli(t, nil, "plans", "import", good, "--data", data)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "imported flood-b")

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

	out, _, code = cli(t, nil, "journal", "--data", data, "--subject", "plan:flood-b")
	require.Equal(t, 0, code)
	assert.True(t, strings.Contains(out, "plan.imported"), out)
}
