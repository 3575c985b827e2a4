package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/assets"
	"watchpost/store"
)

// initArgs sets up 翠湖苑 with its administrator lin in data.
func initArgs(data string) []string {
	return []string{"init", "--data", data, "--site-name", "翠湖苑", "--site-name-en", "Cuihu Garden", "--site-id", "cuihu",
		"--timezone", "Asia/Shanghai", "--language", "en", "--admin", "lin", "--admin-name", "林晓"}
}

// A technician sets up a real site from a script: the password on standard input. It has
// its administrator and no demo account, no demo devices; the console starts on it (the
// default plans seeded although the site has no contacts yet, each shown incomplete with
// why); a second init on the same directory is refused and changes nothing.
func TestInitSetsUpARealSite(t *testing.T) {
	data := filepath.Join(t.TempDir(), "cuihu")
	out, errOut, code := cliIn(t, "Gate-7-evening\n", nil, initArgs(data)...)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "Open it with: watchpost --data "+data)
	fi, err := os.Stat(data)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), fi.Mode().Perm(), "the data directory is its owner's")
	for _, f := range []string{store.FileName, "config.json"} {
		fi, err := os.Stat(filepath.Join(data, f))
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), f)
	}
	cfg, err := store.ConfigFile{Path: filepath.Join(data, "config.json")}.Load(false)
	require.NoError(t, err)
	assert.Equal(t, "en", cfg.Language)

	// The site as the console builds it (with the console's first-start seeds: nothing of the demo comes in).
	func() {
		core, st := newCore(t, data)
		defer st.Close()
		ctx := context.Background()
		site := core.Inventory.Site()
		require.NotNil(t, site)
		assert.Equal(t, "cuihu", site.ID)
		assert.False(t, site.Demo)
		assert.Equal(t, "Asia/Shanghai", site.TimeZone)
		assert.Empty(t, site.Cameras)
		assert.Empty(t, site.Devices)
		require.NoError(t, site.Validate())
		assert.Empty(t, core.Supplies.Points(), "no demo supplies")
		for _, u := range []string{"duty", "admin", "commander", "lin"} {
			_, err := core.Accounts.SignIn(ctx, u, "sunshine-demo")
			assert.True(t, app.IsCode(err, app.CodeUnauthenticated), "%s with the demo's password: %v", u, err)
		}
		op, err := core.Accounts.SignIn(ctx, "lin", "Gate-7-evening")
		require.NoError(t, err)
		assert.Equal(t, app.RoleAdmin, op.Role)
		assert.Equal(t, "林晓", op.Name)
		_, err = core.Accounts.SignInDemo(ctx, site, app.DemoDutyOperator)
		assert.True(t, app.IsCode(err, app.CodeForbidden), "no automatic sign-in on a real site")
		require.Len(t, core.Plans.List(), 9, "the default plans")
	}()

	out, errOut, code = cliIn(t, "Gate-7-evening\n", nil, "plans", "--json", "--data", data, "--operator", "lin")
	require.Equal(t, 0, code, errOut)
	var plans []struct {
		ID         string   `json:"id"`
		Incomplete []string `json:"incomplete"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &plans))
	require.NotEmpty(t, plans)
	assert.Equal(t, "fire-residential", plans[0].ID)
	assert.Contains(t, plans[0].Incomplete, "Step call-119 calls Fire brigade: the site has no contact of that role yet")
	assert.Contains(t, plans[0].Incomplete, "Step cut-power-gas calls property-repair, which is not a contact of this site")
	out, _, _ = cliIn(t, "Gate-7-evening\n", nil, "plans", "--data", data, "--operator", "lin")
	assert.Contains(t, out, "incomplete: the site has no contact for Security patrol, Fire brigade")

	// A real site's journal is read signed in.
	journalOf := func(t *testing.T, dir string) string {
		t.Helper()
		out, errOut, code := cliIn(t, "Gate-7-evening\n", nil, "journal", "--json", "--data", dir, "--operator", "lin")
		require.Equal(t, 0, code, errOut)
		return out
	}
	journal := journalOf(t, data)
	assert.Contains(t, journal, `"kind":"site.set_up"`)
	assert.Contains(t, journal, `"operator":"lin"`, "the set-up is the new administrator's")
	assert.NotContains(t, journal, "Gate-7-evening", "no password in the journal")

	// A second init on the same directory: refused, nothing changed.
	_, errOut, code = cliIn(t, "Other-pass-99\n", nil, initArgs(data)...)
	assert.Equal(t, exitFailure, code)
	assert.Contains(t, errOut, "already holds the site 翠湖苑 (cuihu): nothing was changed")
	assert.Equal(t, journal, journalOf(t, data))

	// The site's device broker has a password of its own (the embedded broker does not start
	// on a real site without one), never the demo's.
	var written app.Config
	raw, err := os.ReadFile(filepath.Join(data, "config.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &written))
	assert.Len(t, written.Broker.Password, 24, "a random password of its own")
	assert.Equal(t, "watchpost", written.Broker.Username)

	// The console starts on it (headless), with no demo and no simulators; its broker on a
	// free port for the test, with the password the test's MQTT check knows.
	written.Broker.Listen, written.Broker.Password, written.Language = "127.0.0.1:0", "sunshine-demo", "en"
	raw, err = json.Marshal(written)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(data, "config.json"), raw, 0o600))
	cmd, log := startHeadless(t, data, "--no-sim")
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, cmd.Wait(), log.String())
	for _, demo := range []string{"demo community set up", "demo cameras simulated", "demo devices simulated", "demo supply points set up"} {
		assert.NotContains(t, log.String(), demo)
	}
	assert.Contains(t, log.String(), "site=翠湖苑")
}

// A set-up with problems says each with its flag and creates nothing; a password the
// policy refuses leaves nothing behind either; the password is never an argument.
func TestInitRefusesBadInputAndLeavesNothing(t *testing.T) {
	data := filepath.Join(t.TempDir(), "new")
	_, errOut, code := cliIn(t, "Gate-7-evening\n", nil, "init", "--data", data, "--site-name", " ", "--site-id", "cui hu",
		"--timezone", "Mars/Olympus", "--admin", "lin", "--admin-name", "林晓")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "--site-name: A name is required")
	assert.Contains(t, errOut, "--site-id: cui hu is not a valid ID")
	assert.Contains(t, errOut, "--timezone: Mars/Olympus is not a time zone")
	assert.NoDirExists(t, data)

	_, errOut, code = cliIn(t, "short\n", nil, initArgs(data)...)
	assert.Equal(t, exitFailure, code)
	assert.Contains(t, errOut, "password: A password needs at least")
	assert.NoDirExists(t, data, "a refused set-up leaves nothing")

	_, errOut, code = cliIn(t, "", nil, initArgs(data)...)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "give the new password of lin as the next line of standard input")
	assert.NoDirExists(t, data)

	// The demo's directory holds a site: refused, as any other.
	demo := t.TempDir()
	func() { _, st := newCore(t, demo, assets.Seeds()); st.Close() }()
	_, errOut, code = cliIn(t, "Gate-7-evening\n", nil, initArgs(demo)...)
	assert.Equal(t, exitFailure, code)
	assert.True(t, strings.Contains(errOut, "already holds the site 阳光花园社区 (demo)"), errOut)
}
