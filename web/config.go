package web

import (
	"net"
	"net/url"
	"strconv"
	"strings"

	"watchpost/app"
)

// DefaultListen is where the phone pages are served unless the configuration says
// otherwise: this machine only. Phones reach them once an installer sets a site address and
// AllowRemote.
const DefaultListen = "127.0.0.1:8443"

// Config is the phone pages' part of the configuration. The zero value serves on
// DefaultListen with a certificate the server makes itself.
type Config struct {
	// Listen is the address and port to serve on ("192.168.1.10:8443", ":8443" for every
	// address of the machine). Empty: DefaultListen. Port 0 takes any free port (tests;
	// Addr then says which).
	Listen string `json:"listen,omitempty"`
	// AllowRemote must be true to serve on anything but a loopback address: the pages
	// reach the site's network only when an installer says so, never by a typo.
	AllowRemote bool `json:"allow_remote,omitempty"`
	// CertFile and KeyFile are the installer's certificate (PEM, the chain after the leaf)
	// and its private key. Both or neither: without them the server makes its own once and
	// keeps it in the data directory (phones then ask to trust it; the console shows its
	// fingerprint so the person at the phone can compare).
	CertFile string `json:"cert_file,omitempty"`
	KeyFile  string `json:"key_file,omitempty"`
	// Hosts are the names and addresses phones use to reach the server ("watchpost.lan",
	// "192.168.1.10"); the certificate the server makes names them, with localhost.
	Hosts []string `json:"hosts,omitempty"`
	// BaseURL is the address written into links that leave the server (a QR code on a
	// label, a link in a notification): "https://192.168.1.10:8443". Empty: made from
	// Listen, which is right only when Listen names the address phones use.
	BaseURL string `json:"base_url,omitempty"`
}

// WithDefaults fills what is left empty.
func (c Config) WithDefaults() Config {
	if strings.TrimSpace(c.Listen) == "" {
		c.Listen = DefaultListen
	}
	return c
}

// Validate reports every problem of the configuration at once.
func (c Config) Validate() error {
	c = c.WithDefaults()
	var p app.Problems
	host, port, err := net.SplitHostPort(c.Listen)
	if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 0 || n > 65535 {
		p.Add("listen", "The phone pages' address {{.A}} is not an address and port such as 127.0.0.1:8443", "A", c.Listen)
	} else if !loopback(host) && !c.AllowRemote {
		p.Add("listen", "The phone pages would be served beyond this machine on {{.A}}: set allow_remote to serve them on the site's network", "A", c.Listen)
	}
	if (c.CertFile == "") != (c.KeyFile == "") {
		p.Add("cert_file", "Give both the certificate and its key file, or neither (the server then makes its own)")
	}
	for _, h := range c.Hosts {
		if !validHost(h) {
			p.Add("hosts", "{{.H}} is not a host name or an IP address", "H", h)
		}
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || (u.Path != "" && u.Path != "/") {
			p.Add("base_url", "The phone pages' public address {{.U}} must be an https address such as https://192.168.1.10:8443", "U", c.BaseURL)
		}
	}
	return p.Err()
}

// loopback reports whether a listening host reaches this machine only. An empty host or
// 0.0.0.0 is every address of the machine; a name other than localhost may resolve to
// anything.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// validHost accepts an IP address or a DNS name.
func validHost(h string) bool {
	if net.ParseIP(h) != nil {
		return true
	}
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(h, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}
