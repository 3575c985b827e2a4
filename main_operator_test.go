package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/assets"
	cmdline "watchpost/cli"
)

// withAccounts gives a data directory a database holding only these accounts (what a new
// site has before anything is imported), each with the password "sunshine-" + user name.
func withAccounts(t *testing.T, dir string, ops ...app.Operator) {
	t.Helper()
	core, st := newCoreWith(t, dir, app.Ports{}) // no seeds: no site, no other account
	for _, op := range ops {
		_, err := core.Accounts.Create(context.Background(), nil, op, "sunshine-"+op.Username)
		require.NoError(t, err)
	}
	require.NoError(t, st.Close()) // the commands of the test open the data directory
}

// journalOf prints a data directory's whole journal (JSON lines).
func journalOf(t *testing.T, dir string) string {
	t.Helper()
	out, errOut, code := cli(t, nil, "journal", "--json", "--data", dir)
	require.Equal(t, 0, code, errOut)
	return out
}

// A command-line write is done as an operator whose password is read from standard input
// (or a prompt without echo), never from an argument: a wrong one is refused with the
// core's message and journaled as a failed sign-in, as the console's sign-in journals it,
// and nothing else is written; without one, it is a usage error that writes nothing.
func TestACommandLineWriteChecksTheOperatorsPassword(t *testing.T) {
	data := t.TempDir()
	withAccounts(t, data, app.Operator{Username: "admin", Name: "赵磊", Role: app.RoleAdmin})
	demo, err := assets.DemoSite()
	require.NoError(t, err)
	geo, err := app.ExportGeoJSON(demo)
	require.NoError(t, err)
	siteFile := filepath.Join(t.TempDir(), "plan.geojson")
	require.NoError(t, os.WriteFile(siteFile, geo, 0o600))
	planFile := filepath.Join(t.TempDir(), "flood.json")
	require.NoError(t, os.WriteFile(planFile, []byte(`{"id": "flood-b", "name": "车库进水", "roles": ["guard"], "steps": [
		{"id": "a", "phase": "alert", "title": "巡查", "role": "guard", "limit": "5m"}]}`), 0o600))

	for _, write := range [][]string{{"site", "import", siteFile}, {"plans", "import", planFile}} {
		args := append(write, "--data", data, "--operator", "admin")
		name := "watchpost " + write[0] + " " + write[1]

		before := journalOf(t, data)
		out, errOut, code := cliIn(t, "sunshine-wrong\n", nil, args...)
		assert.Equal(t, exitFailure, code, errOut)
		assert.Equal(t, name+": Wrong user name or password\n", errOut, "the core's message")
		assert.Empty(t, out)
		added := strings.Split(strings.TrimSpace(strings.TrimPrefix(journalOf(t, data), before)), "\n")
		require.Len(t, added, 1, "only the failed sign-in is journaled")
		var e app.Entry
		require.NoError(t, json.Unmarshal([]byte(added[0]), &e))
		assert.Equal(t, app.KindSignInFailed, e.Kind)
		assert.Equal(t, "operator:admin", e.Subject)
		assert.NotContains(t, added[0], "sunshine", "no password in the journal")

		before = journalOf(t, data)
		_, errOut, code = cliIn(t, "", nil, args...)
		assert.Equal(t, exitUsage, code, errOut)
		assert.Contains(t, errOut, "give the password of admin on standard input")
		_, errOut, code = cliIn(t, "sunshine-admin\n", nil, append(args, "--password", "sunshine-admin")...)
		assert.Equal(t, exitUsage, code, errOut)
		assert.Contains(t, errOut, "flag provided but not defined: -password")
		assert.NotContains(t, errOut, "sunshine-admin")
		assert.Equal(t, before, journalOf(t, data), "nothing written without a password")
	}
	_, _, code := cli(t, nil, "site", "--data", data)
	assert.Equal(t, exitFailure, code, "no site was imported")
	out, errOut, code := cli(t, nil, "plans", "--json", "--data", data)
	require.Equal(t, 0, code, errOut)
	assert.JSONEq(t, "[]", out, "no plan was imported (not even the defaults)")

	// The right password, on standard input as a script gives it (a Windows line end too).
	out, errOut, code = cliIn(t, "sunshine-admin\r\n", nil, "site", "import", siteFile, "--data", data, "--operator", "admin")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "imported, as 赵磊 (admin)")
	out, _, _ = cli(t, nil, "journal", "--json", "--data", data, "--subject", "operator:admin")
	assert.NotContains(t, out, string(app.KindSignedIn), "a command-line write opens no session")
}

// No command takes a password as an argument, where other users of the machine would read
// it in the process list: not an operator's, nor the simulated cameras' or the broker's that
// sim uses. help and version take no flags.
func TestNoCommandTakesAPasswordArgument(t *testing.T) {
	for name := range commands {
		if name == "help" || name == "version" {
			continue
		}
		var out, errOut bytes.Buffer
		code := run([]string{name, "--password", "sunshine-demo"}, cmdline.Streams{In: strings.NewReader(""), Out: &out, Err: &errOut})
		assert.Equal(t, exitUsage, code, name)
		assert.Contains(t, errOut.String(), "flag provided but not defined: -password", name)
	}
	for _, args := range [][]string{{"site", "import"}, {"site", "export"}, {"plans", "import"}, {"plans", "export"}, {"sim", "--devices"}} {
		var out, errOut bytes.Buffer
		code := run(append(args, "--password", "sunshine-demo"), cmdline.Streams{In: strings.NewReader(""), Out: &out, Err: &errOut})
		assert.Equal(t, exitUsage, code, args)
		assert.Contains(t, errOut.String(), "flag provided but not defined: -password", args)
	}
}
