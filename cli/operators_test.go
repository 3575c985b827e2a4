package cli

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/assets"
	"watchpost/store"
)

// Managing the operators from the command line takes an administrator's sign-in (password on
// standard input, never an argument); anyone else, or no password, is refused and nothing is
// written; every change is journaled as the administrator's.
func TestOperatorsCommandNeedsAnAdministrator(t *testing.T) {
	dir := dataWithAccounts(t, app.Operator{Username: "admin", Name: "赵磊", Role: app.RoleAdmin},
		app.Operator{Username: "duty", Name: "李明", Role: app.RoleOperator})
	add := []string{"add", "guard1", "--name", "孙浩", "--role", "operator", "--phone", "13812341234", "--data", dir}

	before := journal(t, dir)
	_, errOut, code := runIn(Operators, "", add...)
	assert.Equal(t, ExitUsage, code, "no administrator named")
	assert.Contains(t, errOut, "sign in with --operator USER")
	_, errOut, code = runIn(Operators, "", append(add, "--operator", "admin")...)
	assert.Equal(t, ExitUsage, code, "no password")
	assert.Contains(t, errOut, "give the password of admin")
	_, errOut, code = runIn(Operators, "sunshine-duty\nguard-pass-01\n", append(add, "--operator", "duty")...)
	assert.Equal(t, ExitFailure, code, "a duty operator is refused by the core")
	assert.Equal(t, "watchpost operators add: A Duty operator may not manage operators\n", errOut)
	assert.Equal(t, before, journal(t, dir), "nothing written")
	_, errOut, code = runIn(Operators, "wrong-password\nguard-pass-01\n", append(add, "--operator", "admin")...)
	assert.Equal(t, ExitFailure, code)
	assert.Contains(t, errOut, "Wrong user name or password")
	_, errOut, code = runIn(Operators, "sunshine-admin\nsunshine-demo\n", append(add, "--operator", "admin")...)
	assert.Equal(t, ExitFailure, code, "the policy holds here too")
	assert.Contains(t, errOut, "too well known")

	out, errOut, code := runIn(Operators, "sunshine-admin\nguard-pass-01\n", append(add, "--operator", "admin")...)
	require.Equal(t, ExitOK, code, errOut)
	assert.Equal(t, "added guard1 (孙浩), operator, as admin\n", out)
	j := journal(t, dir)
	assert.Equal(t, "operator.created operator:guard1 by admin", j[len(j)-1])

	// A reset: the operator cannot write before changing it, then can.
	out, errOut, code = runIn(Operators, "sunshine-admin\ngiven-at-desk\n", "reset", "guard1", "--operator", "admin", "--data", dir)
	require.Equal(t, ExitOK, code, errOut)
	assert.Contains(t, out, "they change it at their next sign-in")
	_, errOut, code = runIn(Operators, "given-at-desk\n", "disable", "duty", "--operator", "guard1", "--data", dir)
	assert.Equal(t, ExitFailure, code)
	assert.Contains(t, errOut, "reset the password of guard1: change it first")
	out, errOut, code = runIn(Operators, "given-at-desk\nmy-own-secret\n", "password", "--operator", "guard1", "--data", dir)
	require.Equal(t, ExitOK, code, errOut)
	assert.Equal(t, "the password of guard1 is changed\n", out)

	_, errOut, code = runIn(Operators, "sunshine-admin\n", "role", "guard1", "commander", "--operator", "admin", "--data", dir)
	require.Equal(t, ExitOK, code, errOut)
	_, errOut, code = runIn(Operators, "sunshine-admin\n", "disable", "guard1", "--operator", "admin", "--data", dir)
	require.Equal(t, ExitOK, code, errOut)
	_, errOut, code = runIn(Operators, "sunshine-admin\n", "disable", "admin", "--operator", "admin", "--data", dir)
	assert.Equal(t, ExitFailure, code)
	assert.Contains(t, errOut, "cannot disable your own account")

	out, errOut, code = runIn(Operators, "sunshine-admin\n", "list", "--operator", "admin", "--data", dir)
	require.Equal(t, ExitOK, code, errOut)
	assert.Regexp(t, `guard1 +孙浩 +commander +138\*\*\*\*1234 +disabled`, out)
	assert.NotContains(t, out, "13812341234", "phones masked")
	_, _, code = runIn(Operators, "sunshine-duty\n", "list", "--operator", "duty", "--data", dir)
	assert.Equal(t, ExitFailure, code)

	j = journal(t, dir)
	for _, e := range j[len(before):] {
		if strings.HasPrefix(e, "operator.updated") || strings.HasPrefix(e, "operator.created") {
			assert.True(t, strings.HasSuffix(e, " by admin"), e)
		}
	}
}

// realSite makes a data directory hold the demo community as a real site (not marked demo)
// with these accounts ("sunshine-" + user name).
func realSite(t *testing.T, ops ...app.Operator) string {
	t.Helper()
	dir := dataWithAccounts(t, ops...)
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dir, store.FileName), store.Options{Log: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	defer st.Close()
	core, err := app.NewCore(ctx, app.Ports{Store: st, Log: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	site, err := assets.DemoSite()
	require.NoError(t, err)
	site.Demo = false
	require.NoError(t, core.Inventory.ImportSite(ctx, &app.Operator{Username: "admin", Role: app.RoleAdmin}, site))
	return dir
}

// On a real site the read-only commands need a signed-in operator and mask personal fields;
// the demo's keep working without (the README's examples).
func TestReadingARealSiteNeedsASignInAndMasks(t *testing.T) {
	dir := realSite(t, app.Operator{Username: "admin", Name: "赵磊", Role: app.RoleAdmin},
		app.Operator{Username: "duty", Name: "李明", Role: app.RoleOperator})
	for _, args := range [][]string{{"site"}, {"journal", "--json"}, {"alarms"}} {
		cmd := map[string]Command{"site": Site, "journal": Journal, "alarms": Alarms}[args[0]]
		_, errOut, code := runIn(cmd, "", append(args[1:], "--data", dir)...)
		assert.Equal(t, ExitUsage, code, args)
		assert.Contains(t, errOut, "is a real site: sign in with --operator USER", args)
		_, errOut, code = runIn(cmd, "not-it-at-all\n", append(args[1:], "--data", dir, "--operator", "duty")...)
		assert.Equal(t, ExitFailure, code, args)
		assert.Contains(t, errOut, "Wrong user name or password", args)
	}
	_, errOut, code := runIn(Plans, "", "--data", dir)
	assert.Equal(t, ExitUsage, code)
	assert.Contains(t, errOut, "sign in")

	out, errOut, code := runIn(Site, "sunshine-duty\n", "--data", dir, "--operator", "duty")
	require.Equal(t, ExitOK, code, errOut)
	assert.Contains(t, out, "grid ")
	assert.NotRegexp(t, `1[3-9][0-9]{9}`, out, "no whole mobile number")
	assert.Regexp(t, `1[3-9][0-9]\*\*\*\*[0-9]{4}`, out, "grid workers' phones masked")
	assert.Contains(t, out, "7号楼1单元502室 手环", "a bracelet is named after its flat, not its wearer")
	assert.NotContains(t, out, "赵桂兰")

	out, errOut, code = runIn(Site, "sunshine-duty\n", "--json", "--data", dir, "--operator", "duty")
	require.Equal(t, ExitOK, code, errOut)
	assert.NotContains(t, out, "赵桂兰")
	assert.NotContains(t, out, "王丽", "the family member too")
	assert.NotContains(t, out, "高血压", "medical notes")
	assert.NotRegexp(t, `"1[3-9][0-9]{9}"`, out)
	out, errOut, code = runIn(Journal, "sunshine-duty\n", "--json", "--data", dir, "--operator", "duty")
	require.Equal(t, ExitOK, code, errOut)
	assert.Contains(t, out, "site.imported")
	assert.NotContains(t, out, "赵桂兰", "nor in the journal's copy of the site")

	// The demo: no sign-in, as before.
	demo := t.TempDir()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(demo, store.FileName), store.Options{Log: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	_, err = app.NewCore(ctx, app.Ports{Store: st, Log: slog.New(slog.DiscardHandler), PasswordCost: 4,
		Seeds: app.Seeds{DemoSite: assets.DemoSite, DemoAccounts: assets.DemoAccounts}})
	require.NoError(t, err)
	require.NoError(t, st.Close())
	out, errOut, code = runIn(Site, "", "--data", demo)
	require.Equal(t, ExitOK, code, errOut)
	assert.Contains(t, out, "阳光花园")
}

func TestAttackReadsTheDemoResidentsWithTheCommandLine(t *testing.T) {
	demo := t.TempDir()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(demo, store.FileName), store.Options{Log: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	_, err = app.NewCore(ctx, app.Ports{Store: st, Log: slog.New(slog.DiscardHandler), PasswordCost: 4,
		Seeds: app.Seeds{DemoSite: assets.DemoSite, DemoAccounts: assets.DemoAccounts}})
	require.NoError(t, err)
	require.NoError(t, st.Close())
	// No sign-in on the demo, but its residents are shown masked like a real site's.
	for _, args := range [][]string{{"--json"}, {}} {
		out, errOut, code := runIn(Site, "", append(args, "--data", demo)...)
		require.Equal(t, ExitOK, code, errOut)
		assert.Contains(t, out, "阳光花园")
		for _, s := range []string{"13912345601", "赵桂兰", "王丽", "高血压"} {
			assert.NotContains(t, out, s, "site %v", args)
		}
	}
	out, errOut, code := runIn(Journal, "", "--json", "--data", demo)
	require.Equal(t, ExitOK, code, errOut)
	assert.Contains(t, out, "site.seeded")
	for _, s := range []string{"13912345601", "赵桂兰", "王丽", "高血压"} {
		assert.NotContains(t, out, s, "journal")
	}
	file := filepath.Join(t.TempDir(), "site.geojson")
	_, errOut, code = runIn(Site, "", "export", "--geojson", file, "--data", demo)
	require.Equal(t, ExitOK, code, errOut)
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.NotContains(t, string(b), "13912345601", "an export is masked")
	fi, err := os.Stat(file)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "and readable by its owner only")
}

func TestMaskingWriterMasksPhonesAndNames(t *testing.T) {
	site, err := assets.DemoSite()
	require.NoError(t, err)
	m := app.NewMasker(site)
	assert.Equal(t, "赵*的手环 女儿 王* 139****5611, 110, 1700000000000000000", m.Mask("赵桂兰的手环 女儿 王丽 13912345611, 110, 1700000000000000000"))
	assert.Equal(t, "张*", app.MaskName("张三"))
	assert.Equal(t, "138****1234", app.MaskPhone("13812341234"))
}
