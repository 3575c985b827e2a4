package cli

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"watchpost/app"
	"watchpost/store"
)

// dataWithAccounts is a data directory whose database holds only these accounts, each with
// the password "sunshine-" + user name.
func dataWithAccounts(t *testing.T, ops ...app.Operator) string {
	t.Helper()
	dir := t.TempDir()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dir, store.FileName), store.Options{Log: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	defer st.Close()
	core, err := app.NewCore(ctx, app.Ports{Store: st, Log: slog.New(slog.DiscardHandler)}) // no seeds: no site, no other account
	require.NoError(t, err)
	core.Accounts.Cost = bcrypt.MinCost
	for _, op := range ops {
		_, err := core.Accounts.Create(ctx, nil, op, "sunshine-"+op.Username)
		require.NoError(t, err)
	}
	return dir
}

// journal is the data directory's journal, as its kinds and subjects.
func journal(t *testing.T, dir string) []string {
	t.Helper()
	ctx := context.Background()
	st, err := OpenReadOnly(ctx, dir)
	require.NoError(t, err)
	defer st.Close()
	entries, err := st.Query(ctx, app.JournalQuery{})
	require.NoError(t, err)
	var out []string
	for _, e := range entries {
		out = append(out, string(e.Kind)+" "+e.Subject+" by "+e.Operator)
	}
	return out
}

func runIn(cmd Command, stdin string, args ...string) (stdout, stderr string, code int) {
	var o, e bytes.Buffer
	code = cmd(args, Streams{In: strings.NewReader(stdin), Out: &o, Err: &e})
	return o.String(), e.String(), code
}

const floodPlan = `{"id": "flood-b", "name": "车库进水", "roles": ["guard"], "steps": [
	{"id": "a", "phase": "alert", "title": "巡查", "role": "guard", "limit": "5m"}]}`

func TestAWriteIsDoneAsAnOperatorWhosePasswordIsChecked(t *testing.T) {
	dir := dataWithAccounts(t, app.Operator{Username: "trainer", Name: "陈静", Role: app.RoleTrainer})
	file := filepath.Join(t.TempDir(), "flood.json")
	require.NoError(t, os.WriteFile(file, []byte(floodPlan), 0o600))
	args := []string{"import", file, "--data", dir, "--operator", "trainer"}

	before := journal(t, dir)
	out, errOut, code := runIn(Plans, "not-it\n", args...)
	assert.Equal(t, ExitFailure, code)
	assert.Empty(t, out)
	assert.Equal(t, "watchpost plans import: Wrong user name or password\n", errOut)
	assert.Equal(t, append(before, "operator.sign_in_failed operator:trainer by system"), journal(t, dir),
		"journaled as a failed sign-in, and nothing else")

	before = journal(t, dir)
	out, errOut, code = runIn(Plans, "sunshine-trainer\n", args...)
	require.Equal(t, ExitOK, code, errOut)
	assert.Equal(t, "imported flood-b (车库进水), 1 steps, as 陈静 (trainer)\n", out)
	after := journal(t, dir)
	require.Greater(t, len(after), len(before))
	assert.Equal(t, "plan.imported plan:flood-b by trainer", after[len(after)-1])
	for _, e := range after[len(before):] {
		assert.NotContains(t, e, "signed_in", "a write opens no session")
	}
}

// While a console holds the store, a write is refused with what to do, before any password
// is asked.
func TestAWriteIsRefusedWhileAConsoleRuns(t *testing.T) {
	dir := dataWithAccounts(t, app.Operator{Username: "trainer", Name: "陈静", Role: app.RoleTrainer})
	file := filepath.Join(t.TempDir(), "flood.json")
	require.NoError(t, os.WriteFile(file, []byte(floodPlan), 0o600))
	console, err := store.Open(context.Background(), filepath.Join(dir, store.FileName), store.Options{Log: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	defer console.Close()

	stdin := strings.NewReader("sunshine-trainer\n")
	var out, errOut bytes.Buffer
	code := Plans([]string{"import", file, "--data", dir, "--operator", "trainer"}, Streams{In: stdin, Out: &out, Err: &errOut})
	assert.Equal(t, ExitFailure, code)
	assert.Contains(t, errOut.String(), "already running on this data directory: stop the console before importing a plan")
	assert.Equal(t, len("sunshine-trainer\n"), stdin.Len(), "no password read")

	// Reading works meanwhile.
	out.Reset()
	errOut.Reset()
	code = Plans([]string{"--json", "--data", dir}, Streams{Out: &out, Err: &errOut})
	require.Equal(t, ExitOK, code, errOut.String())
	assert.JSONEq(t, "[]", out.String())
}

// Without a password there is nothing to check: a usage error, and nothing written.
func TestAWriteWithoutAPasswordIsAUsageError(t *testing.T) {
	dir := dataWithAccounts(t, app.Operator{Username: "admin", Name: "赵磊", Role: app.RoleAdmin})
	file := filepath.Join(t.TempDir(), "flood.json")
	require.NoError(t, os.WriteFile(file, []byte(floodPlan), 0o600))
	before := journal(t, dir)
	_, errOut, code := runIn(Plans, "", "import", file, "--data", dir, "--operator", "admin")
	assert.Equal(t, ExitUsage, code)
	assert.Equal(t, "watchpost plans import: no password: give the password of admin on standard input (one line) or at the prompt\n", errOut)
	assert.Equal(t, before, journal(t, dir))
}

// No command of the command line takes an operator's password as an argument.
func TestNoCommandTakesAPassword(t *testing.T) {
	for _, args := range [][]string{
		{"site"}, {"site", "import", "f.geojson", "--operator", "admin"}, {"site", "export"}, {"alarms"}, {"journal"},
		{"plans"}, {"plans", "import", "f.json", "--operator", "admin"}, {"replay", "drill:1"}, {"probe"},
		{"operators", "list", "--operator", "admin"}, {"operators", "reset", "duty", "--operator", "admin"},
	} {
		cmd := map[string]Command{"site": Site, "alarms": Alarms, "journal": Journal, "plans": Plans, "replay": Replay, "probe": Probe, "operators": Operators}[args[0]]
		out, errOut, code := runIn(cmd, "", append(args[1:], "--password", "sunshine-admin")...)
		assert.Equal(t, ExitUsage, code, args)
		assert.Contains(t, errOut, "flag provided but not defined: -password", args)
		assert.Empty(t, out, args)
	}
}
