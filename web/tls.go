package web

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"watchpost/app"
)

// Phones give a page their camera only in a secure context, so the pages are served over
// HTTPS even on a site's own network. An installer may give a certificate (from the site's
// own CA, which the phones trust); otherwise the server makes one once, self-signed, and
// keeps it, so that a phone that trusted it (or whose user compared its fingerprint with
// the console's) keeps trusting it after a restart.

// The certificate the server makes.
const (
	// CertDir is the folder of the data directory that holds it (0700).
	CertDir = "web"
	// CertFileName and KeyFileName are its files in CertDir (0600).
	CertFileName = "cert.pem"
	KeyFileName  = "key.pem"
	// CertValidity is how long it is valid: iOS refuses a server certificate valid for more
	// than 825 days.
	CertValidity = 825 * 24 * time.Hour
	// CertRenewBefore: a kept certificate that ends sooner than this is made again.
	CertRenewBefore = 30 * 24 * time.Hour
)

// certificate is the served certificate and its fingerprint.
type certificate struct {
	tls         tls.Certificate
	fingerprint string
}

// config is the TLS configuration that serves the certificate: TLS 1.2 at least (every
// phone browser of the last years speaks 1.3; some older Android WebViews only 1.2).
func (c certificate) config() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{c.tls}}
}

// loadCertificate reads the installer's certificate, or the one kept in dataDir, or makes
// one there when there is none or the kept one no longer fits (it ends soon, or does not
// name every host the configuration names).
func loadCertificate(c Config, dataDir string, now time.Time) (certificate, error) {
	if c.CertFile != "" {
		pair, err := tls.LoadX509KeyPair(c.CertFile, c.KeyFile)
		if err != nil {
			return certificate{}, app.Errorf(app.CodeInvalid, "The phone pages' certificate {{.C}} and key {{.K}} cannot be used", "C", c.CertFile, "K", c.KeyFile).Wrap(err)
		}
		return certificate{tls: pair, fingerprint: Fingerprint(pair.Leaf.Raw)}, nil
	}
	if dataDir == "" {
		return certificate{}, app.Errorf(app.CodeInvalid, "The phone pages need a data directory to keep their certificate in")
	}
	dir := filepath.Join(dataDir, CertDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return certificate{}, app.Errorf(app.CodeUnavailable, "Cannot create {{.D}} for the phone pages' certificate", "D", dir).Wrap(err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return certificate{}, app.Errorf(app.CodeUnavailable, "Cannot create {{.D}} for the phone pages' certificate", "D", dir).Wrap(err)
	}
	certPath, keyPath := filepath.Join(dir, CertFileName), filepath.Join(dir, KeyFileName)
	names := requiredHosts(c)
	if pair, err := tls.LoadX509KeyPair(certPath, keyPath); err == nil && fits(pair.Leaf, names, now) {
		return certificate{tls: pair, fingerprint: Fingerprint(pair.Leaf.Raw)}, nil
	}
	certPEM, keyPEM, err := makeCertificate(append(names, interfaceHosts(c)...), now)
	if err != nil {
		return certificate{}, app.Errorf(app.CodeInternal, "Cannot make a certificate for the phone pages").Wrap(err)
	}
	// The key first: a certificate without its key would be read back as broken and made
	// again, a key without its certificate likewise.
	if err := writePrivate(keyPath, keyPEM); err != nil {
		return certificate{}, err
	}
	if err := writePrivate(certPath, certPEM); err != nil {
		return certificate{}, err
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return certificate{}, app.Errorf(app.CodeInternal, "Cannot make a certificate for the phone pages").Wrap(err)
	}
	return certificate{tls: pair, fingerprint: Fingerprint(pair.Leaf.Raw)}, nil
}

// Fingerprint is the SHA-256 of a certificate (DER) as browsers show it: "AB:CD:…".
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	h := strings.ToUpper(hex.EncodeToString(sum[:]))
	parts := make([]string, 0, len(sum))
	for i := 0; i < len(h); i += 2 {
		parts = append(parts, h[i:i+2])
	}
	return strings.Join(parts, ":")
}

// requiredHosts are the names the made certificate must hold: localhost, the configured
// hosts, the listening address when it is one, and the public address's host.
func requiredHosts(c Config) []string {
	names := []string{"localhost", "127.0.0.1", "::1"}
	add := func(h string) {
		h = strings.Trim(h, "[]")
		if h != "" && !slices.Contains(names, h) {
			names = append(names, h)
		}
	}
	for _, h := range c.Hosts {
		add(h)
	}
	if host, _, err := net.SplitHostPort(c.WithDefaults().Listen); err == nil {
		if ip := net.ParseIP(host); host != "" && (ip == nil || !ip.IsUnspecified()) {
			add(host)
		}
	}
	if u, err := url.Parse(c.BaseURL); err == nil && c.BaseURL != "" {
		add(u.Hostname())
	}
	return names
}

// interfaceHosts are this machine's addresses on the site's network when the server
// listens on all of them: phones typing the address they were told find it in the
// certificate. They are not required of a kept certificate (a new DHCP lease would make a
// new certificate, and every phone would be asked to trust it again).
func interfaceHosts(c Config) []string {
	host, _, err := net.SplitHostPort(c.WithDefaults().Listen)
	if err != nil || !c.AllowRemote {
		return nil
	}
	if ip := net.ParseIP(host); host != "" && (ip == nil || !ip.IsUnspecified()) {
		return nil
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil
	}
	var out []string
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.IsGlobalUnicast() || ok && n.IP.IsPrivate() {
			out = append(out, n.IP.String())
		}
	}
	return out
}

// fits reports whether a kept certificate still serves: valid for a while yet and naming
// every required host.
func fits(leaf *x509.Certificate, names []string, now time.Time) bool {
	if leaf == nil || now.Before(leaf.NotBefore) || now.Add(CertRenewBefore).After(leaf.NotAfter) {
		return false
	}
	for _, n := range names {
		if leaf.VerifyHostname(n) != nil {
			return false
		}
	}
	return true
}

// makeCertificate makes a self-signed ECDSA P-256 certificate for the names, valid from an
// hour ago (a phone's clock a little behind) for CertValidity.
func makeCertificate(names []string, now time.Time) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 126))
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "Watchpost phone pages", Organization: []string{"Watchpost"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(CertValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), nil
}

// writePrivate writes a file readable by this user only, whole or not at all.
func writePrivate(path string, data []byte) error {
	tmp := path + ".tmp"
	err := os.WriteFile(tmp, data, 0o600)
	if err == nil {
		err = os.Chmod(tmp, 0o600) // WriteFile keeps the mode of a file left from a crash
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return app.Errorf(app.CodeUnavailable, "Cannot write {{.F}}", "F", path).Wrap(err)
	}
	return nil
}
