package cli

import (
	"context"
	"encoding/csv"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/store"
)

// watchpost devices credentials: new credentials printed once as CSV (administrators), the
// site Mosquitto's files written beside, journaled without the password.
func TestDevicesCredentialsFromTheCommandLine(t *testing.T) {
	dir := realSite(t, app.Operator{Username: "admin", Name: "赵磊", Role: app.RoleAdmin},
		app.Operator{Username: "duty", Name: "李明", Role: app.RoleOperator})
	require.NoError(t, os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"broker": {"username": "console", "password": "console-secret-1"}}`), 0o600))
	mosq := filepath.Join(t.TempDir(), "mosquitto")

	before := journal(t, dir)
	out, errOut, code := runIn(Devices, "sunshine-duty\n", "credentials", "smoke-b03-u2-12", "--operator", "duty", "--data", dir)
	assert.Equal(t, ExitFailure, code, errOut)
	assert.Empty(t, out, "an operator makes no credentials")
	assert.Equal(t, before, journal(t, dir), "and journals nothing")

	out, errOut, code = runIn(Devices, "sunshine-admin\n", "credentials", "smoke-b03-u2-12", "light-04", "--operator", "admin",
		"--data", dir, "--mosquitto", mosq)
	require.Equal(t, ExitOK, code, errOut)
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 3, out)
	assert.Equal(t, []string{"id", "username", "password"}, rows[0])
	assert.Equal(t, []string{"light-04", "light-04"}, rows[1][:2])
	assert.Equal(t, []string{"smoke-b03-u2-12", "smoke-b03-u2-12"}, rows[2][:2])
	assert.Contains(t, errOut, "shown this once")
	entries := journal(t, dir)
	assert.Contains(t, entries, "device.credentials_set devices by admin")

	passwd, err := os.ReadFile(filepath.Join(mosq, "passwd"))
	require.NoError(t, err)
	for _, u := range []string{"console", "light-04", "smoke-b03-u2-12"} {
		assert.Contains(t, string(passwd), u+":$7$101$")
	}
	acl, err := os.ReadFile(filepath.Join(mosq, "acl"))
	require.NoError(t, err)
	assert.Contains(t, string(acl), "pattern write watchpost/demo/%u/#\npattern read watchpost/demo/%u/command\n")
	assert.Contains(t, string(acl), "user console\ntopic readwrite watchpost/#\n")

	// The printed passwords are the devices' own from now on; nothing keeps them.
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dir, store.FileName), store.Options{Log: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	defer st.Close()
	core, err := app.NewCore(ctx, app.Ports{Store: st, Log: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	assert.True(t, core.Credentials.VerifyDevice("smoke-b03-u2-12", rows[2][2]))
	assert.False(t, core.Credentials.VerifyDevice("smoke-b03-u2-12", rows[1][2]))

	_, errOut, code = runIn(Devices, "sunshine-admin\n", "credentials", "--all", "smoke-b03-u2-12", "--operator", "admin", "--data", dir)
	assert.Equal(t, ExitUsage, code, "either devices or --all: %s", errOut)
}
