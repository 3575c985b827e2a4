package main

import (
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/testkit"
)

// The console's settings show the phone pages' server as it runs, and print the residents'
// labels for the address it serves: the codes of the printed sheet hold that address.
func TestConsolePrintsLabelsForTheAddressItServes(t *testing.T) {
	env := testkit.New(t, testkit.Options{})
	cfg := app.Config{Web: app.WebConfig{Listen: "127.0.0.1:0", BaseURL: "https://192.168.1.10:8443"}}
	_, srv, err := webParts(cfg, env.Core, env.Dir, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	info, labels := phonePagesExtras(env.Core, srv)

	url, fp, remote := info()
	assert.Equal(t, "https://192.168.1.10:8443/", url)
	assert.Equal(t, srv.Fingerprint(), fp)
	assert.Len(t, fp, 95, "SHA-256 as AB:CD:…")
	assert.False(t, remote, "served on loopback")

	pdf, n, err := labels(context.Background(), false)
	require.NoError(t, err)
	assert.Equal(t, len(env.Core.Inventory.Site().Buildings), n)
	assert.Equal(t, []string{
		"https://192.168.1.10:8443/r?b=b01", "https://192.168.1.10:8443/r?b=b02",
		"https://192.168.1.10:8443/r?b=b03", "https://192.168.1.10:8443/r?b=b04",
	}, testkit.QRCodes(t, testkit.PDFPagePNG(t, pdf, 1, 100)))
}
