package devices_test

import (
	"context"
	"encoding/base64"
	"encoding/hex"
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

// A device's password is shown once and kept nowhere: the store keeps a keyed hash, the
// journal says who made credentials for which device and why, and regenerating makes the
// old password useless.
func TestDeviceCredentialsAreMadeOnceAndKeptAsKeyedHashes(t *testing.T) {
	e := newEngine(t)
	ctx := context.Background()
	dc := e.core.Credentials

	assert.True(t, dc.VerifyDevice(smoke, app.DemoDevicePassword(smoke)), "the demo's published password, until the device has its own")
	secrets, err := dc.Generate(ctx, admin, app.CredentialsAdded, smoke)
	require.NoError(t, err)
	require.Len(t, secrets, 1)
	pw := secrets[0].Password
	assert.Len(t, pw, 24, "120 random bits")
	assert.True(t, dc.VerifyDevice(smoke, pw))
	assert.False(t, dc.VerifyDevice(smoke, app.DemoDevicePassword(smoke)), "the demo password is gone once it has its own")
	assert.False(t, dc.VerifyDevice(light, pw), "a password is its device's only")

	es := e.journal(t, app.KindDeviceCredentials)
	require.Len(t, es, 1)
	assert.Equal(t, "admin", es[0].Operator)
	assert.Equal(t, app.SubjectDevice(smoke), es[0].Subject)
	var set app.CredentialsSet
	require.NoError(t, es[0].Decode(&set))
	assert.Equal(t, app.CredentialsSet{Devices: []string{smoke}, Reason: app.CredentialsAdded}, set)
	hash := e.store.DevicePasswordHash(smoke, pw)
	for _, enc := range []string{pw, hex.EncodeToString(hash), base64.StdEncoding.EncodeToString(hash)} {
		assert.NotContains(t, string(es[0].Data), enc, "neither the password nor its hash in the journal")
	}
	// Nowhere in the database's files.
	for _, f := range []string{e.path, e.path + "-wal"} {
		b, err := os.ReadFile(f)
		if err == nil {
			assert.NotContains(t, string(b), pw, "%s", filepath.Base(f))
		}
	}
	info, ok := dc.Info(smoke)
	require.True(t, ok)
	assert.Equal(t, "admin", info.SetBy)
	assert.Nil(t, info.Hash)

	// Another process on the same database (the command line) reads them from the table.
	other := engineOn(t, e.store, demoSite)
	assert.True(t, other.core.Credentials.VerifyDevice(smoke, pw))

	again, err := dc.Generate(ctx, admin, app.CredentialsRegenerated, smoke)
	require.NoError(t, err)
	assert.NotEqual(t, pw, again[0].Password)
	assert.False(t, dc.VerifyDevice(smoke, pw), "regenerating makes the old password useless")
	assert.True(t, dc.VerifyDevice(smoke, again[0].Password))

	// Only administrators, only registered devices.
	_, err = dc.Generate(ctx, &app.Operator{Username: "duty", Role: app.RoleOperator}, app.CredentialsRegenerated, smoke)
	assert.True(t, app.IsCode(err, app.CodeForbidden), "%v", err)
	_, err = dc.Generate(ctx, admin, app.CredentialsRegenerated, "no-such-device")
	assert.Error(t, err)
	assert.Len(t, e.journal(t, app.KindDeviceCredentials), 2, "refusals write nothing")

	// Adding a device makes its credentials.
	s, err := dc.AddDevice(ctx, admin, app.Device{ID: "smoke-new-1", Kind: app.KindSmoke, Names: app.Names{Name: "New"},
		Position: app.Point{X: 10, Y: 10}}, false)
	require.NoError(t, err)
	assert.Equal(t, "smoke-new-1", s.Username)
	assert.True(t, dc.VerifyDevice("smoke-new-1", s.Password))
}

// On a real site the demo's published passwords open nothing, and a site imported gets
// credentials for each of its devices, returned once.
func TestDemoDevicePasswordsOnlyOnTheDemo(t *testing.T) {
	// A real site (the demo's plan without its demo mark: an import never turns the demo
	// into a real site, nor a real site into the demo) set up first with one device, then
	// importing the whole plan.
	site, err := assets.DemoSite()
	require.NoError(t, err)
	site.Demo = false
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), store.FileName), store.Options{Log: quiet})
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	e := engineOn(t, st, app.Seeds{})
	first := *site
	d, ok := site.Device(light)
	require.True(t, ok)
	first.Devices = []app.Device{*d}
	_, err = e.core.Credentials.ImportSite(context.Background(), admin, &first)
	require.NoError(t, err)
	require.False(t, e.inv.Site().Demo)
	dc := e.core.Credentials
	kept, err := dc.Generate(context.Background(), admin, app.CredentialsAdded, light)
	require.NoError(t, err)
	secrets, err := dc.ImportSite(context.Background(), admin, site)
	require.NoError(t, err)
	require.False(t, e.inv.Site().Demo)
	assert.Len(t, secrets, len(site.Devices)-1, "every device but the one that had its own")
	assert.Empty(t, dc.Missing())
	for _, s := range secrets {
		assert.True(t, dc.VerifyDevice(s.DeviceID, s.Password))
	}
	assert.True(t, dc.VerifyDevice(light, kept[0].Password), "a device kept by the import keeps its credentials")
	assert.False(t, dc.VerifyDevice(smoke, app.DemoDevicePassword(smoke)))
	es := e.journal(t, app.KindDeviceCredentials)
	var set app.CredentialsSet
	require.NoError(t, es[len(es)-1].Decode(&set))
	assert.Equal(t, app.CredentialsImported, set.Reason)
	assert.NotContains(t, strings.Join(set.Devices, " "), light)
}
