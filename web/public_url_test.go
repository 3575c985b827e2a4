package web

import "testing"

// The pages' address for links that leave the server, as the command line makes it
// without a running server (watchpost labels), and whether the pages reach the site's
// network.
func TestPublicURLAndRemoteFollowTheConfiguration(t *testing.T) {
	for _, c := range []struct {
		cfg       Config
		listening string
		url       string
		remote    bool
	}{
		{Config{}, "", "https://127.0.0.1:8443/", false},
		{Config{Listen: "localhost:9443"}, "", "https://localhost:9443/", false},
		{Config{Listen: "127.0.0.1:0"}, "127.0.0.1:40123", "https://127.0.0.1:40123/", false},
		{Config{Listen: "192.168.1.10:8443", AllowRemote: true}, "", "https://192.168.1.10:8443/", true},
		{Config{Listen: ":8443", AllowRemote: true}, "", "https://localhost:8443/", true},
		{Config{Listen: "0.0.0.0:8443", AllowRemote: true, BaseURL: "https://watchpost.lan:8443"}, "", "https://watchpost.lan:8443/", true},
		{Config{BaseURL: "https://watchpost.lan/"}, "", "https://watchpost.lan/", false},
	} {
		if got := c.cfg.PublicURL(c.listening); got != c.url {
			t.Errorf("%+v listening on %q: PublicURL %s, want %s", c.cfg, c.listening, got, c.url)
		}
		if got := c.cfg.Remote(); got != c.remote {
			t.Errorf("%+v: Remote %v, want %v", c.cfg, got, c.remote)
		}
	}
}
