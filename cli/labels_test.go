package cli

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/assets"
	"watchpost/store"
	"watchpost/testkit"
)

// watchpost labels prints the residents' QR label sheet with a real Chromium; the tests read
// its codes back from the printed pages (testkit: pdftoppm, zbarimg).

// demoData is a data directory holding the demo community, with config as its config.json
// ("" none).
func demoData(t *testing.T, config string) string {
	t.Helper()
	dir := t.TempDir()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dir, store.FileName), store.Options{Log: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	_, err = app.NewCore(ctx, app.Ports{Store: st, Log: slog.New(slog.DiscardHandler), PasswordCost: 4,
		Seeds: app.Seeds{DemoSite: assets.DemoSite, DemoAccounts: assets.DemoAccounts}})
	require.NoError(t, err)
	require.NoError(t, st.Close())
	if config != "" {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "config.json"), []byte(config), 0o600))
	}
	return dir
}

// firstPageCodes are the QR codes of the PDF file's first page.
func firstPageCodes(t *testing.T, file string) []string {
	t.Helper()
	pdf, err := os.ReadFile(file)
	require.NoError(t, err)
	return testkit.QRCodes(t, testkit.PDFPagePNG(t, pdf, 1, 100))
}

func TestLabelsCommandWritesTheSheetForTheConfiguredAddressPrivately(t *testing.T) {
	dir := demoData(t, `{"web": {"listen": "0.0.0.0:8443", "allow_remote": true, "base_url": "https://192.168.1.10:8443"}}`)
	file := filepath.Join(t.TempDir(), "labels.pdf")
	require.NoError(t, os.WriteFile(file, []byte("an older sheet"), 0o644))

	out, errOut, code := runIn(Labels, "", "--out", file, "--data", dir)
	require.Equal(t, ExitOK, code, errOut)
	assert.Contains(t, out, "16 labels on 4 pages, for https://192.168.1.10:8443")
	assert.Empty(t, errOut, "no warning: phones reach that address")
	fi, err := os.Stat(file)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "readable by its owner only, even over an older file")
	assert.Equal(t, []string{
		"https://192.168.1.10:8443/r?b=b01", "https://192.168.1.10:8443/r?b=b02",
		"https://192.168.1.10:8443/r?b=b03", "https://192.168.1.10:8443/r?b=b04",
	}, firstPageCodes(t, file))
}

func TestLabelsCommandTakesTheAddressGivenAndPrintsPerUnit(t *testing.T) {
	dir := demoData(t, "") // the default listening address: this machine only
	file := filepath.Join(t.TempDir(), "labels.pdf")
	out, errOut, code := runIn(Labels, "", "--per-unit", "--base", "https://watchpost.lan:8443/", "--out", file, "--data", dir)
	require.Equal(t, ExitOK, code, errOut)
	assert.Contains(t, out, "41 labels on 11 pages")
	assert.Equal(t, []string{
		"https://watchpost.lan:8443/r?b=b01&u=1", "https://watchpost.lan:8443/r?b=b01&u=2",
		"https://watchpost.lan:8443/r?b=b01&u=3", "https://watchpost.lan:8443/r?b=b02&u=1",
	}, firstPageCodes(t, file))
}

func TestLabelsCommandWarnsOfAnAddressPhonesCannotReach(t *testing.T) {
	dir := demoData(t, "")
	file := filepath.Join(t.TempDir(), "labels.pdf")
	out, errOut, code := runIn(Labels, "", "--out", file, "--data", dir)
	require.Equal(t, ExitOK, code, errOut)
	assert.Contains(t, out, "for https://127.0.0.1:8443/")
	assert.Contains(t, errOut, "warning: the labels carry https://127.0.0.1:8443/, which phones cannot reach")
	assert.Contains(t, firstPageCodes(t, file), "https://127.0.0.1:8443/r?b=b01")
}

func TestLabelsCommandRefusesAWrongCommandLine(t *testing.T) {
	dir := demoData(t, "")
	file := filepath.Join(t.TempDir(), "labels.pdf")
	for _, args := range [][]string{
		{"--data", dir},
		{"--out", file, "--data", dir, "--base", "192.168.1.10:8443"},
		{"--out", file, "--data", dir, "extra"},
	} {
		_, _, code := runIn(Labels, "", args...)
		assert.Equal(t, ExitUsage, code, args)
	}
	_, errOut, code := runIn(Labels, "", "--out", file, "--data", dir, "--base", "ftp://x.lan/")
	assert.Equal(t, ExitUsage, code)
	assert.Contains(t, errOut, "is not an address such as https://192.168.1.10:8443")
	_, err := os.Stat(file)
	assert.True(t, os.IsNotExist(err), "nothing written")
}

func TestLabelsCommandOnARealSiteNeedsWhoSetsUpTheWorkOrders(t *testing.T) {
	dir := realSite(t, app.Operator{Username: "admin", Name: "赵磊", Role: app.RoleAdmin},
		app.Operator{Username: "duty", Name: "李明", Role: app.RoleOperator})
	require.NoError(t, os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"web": {"listen": "192.168.1.10:8443", "allow_remote": true}}`), 0o600))
	file := filepath.Join(t.TempDir(), "labels.pdf")

	_, errOut, code := runIn(Labels, "", "--out", file, "--data", dir)
	assert.Equal(t, ExitUsage, code)
	assert.Contains(t, errOut, "is a real site: sign in with --operator USER")
	_, errOut, code = runIn(Labels, "sunshine-duty\n", "--out", file, "--data", dir, "--operator", "duty")
	assert.Equal(t, ExitFailure, code)
	assert.Contains(t, errOut, "may not")
	_, err := os.Stat(file)
	assert.True(t, os.IsNotExist(err), "nothing written")

	out, errOut, code := runIn(Labels, "sunshine-admin\n", "--out", file, "--data", dir, "--operator", "admin")
	require.Equal(t, ExitOK, code, errOut)
	assert.Contains(t, out, "for https://192.168.1.10:8443/", "the listening address, as the server makes it")
	assert.Contains(t, firstPageCodes(t, file), "https://192.168.1.10:8443/r?b=b01")
}
