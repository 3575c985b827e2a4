package web

import (
	"net"
	"net/url"
	"strings"
)

// PublicURL is the pages' address for links that leave the server (a QR code on a label, a
// link in a notification), with a trailing slash: BaseURL when set, else one made from
// listening (the address the server listens on once it runs; "" before: Listen). An
// unspecified host (":8443", "0.0.0.0") is written as localhost: only BaseURL names the
// address phones use then. The command line uses it without a running server.
func (c Config) PublicURL(listening string) string {
	if c.BaseURL != "" {
		return strings.TrimSuffix(c.BaseURL, "/") + "/"
	}
	addr := listening
	if addr == "" {
		addr = c.WithDefaults().Listen
	}
	host, port, _ := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return (&url.URL{Scheme: "https", Host: net.JoinHostPort(host, port), Path: "/"}).String()
}

// Remote reports whether the pages are served beyond this machine: the listening address
// is not a loopback one (Validate has refused that unless AllowRemote).
func (c Config) Remote() bool {
	host, _, err := net.SplitHostPort(c.WithDefaults().Listen)
	return err == nil && !loopback(host)
}
