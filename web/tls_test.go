package web

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/tls"
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestTheMadeCertificateIsKeptPrivatelyAndNamesTheHosts(t *testing.T) {
	dir := t.TempDir()
	cfg := Config{Listen: "192.168.1.10:8443", AllowRemote: true, Hosts: []string{"watchpost.lan"}, BaseURL: "https://gate.watchpost.lan:8443"}
	c, err := loadCertificate(cfg, dir, start)
	if err != nil {
		t.Fatal(err)
	}
	leaf := c.tls.Leaf
	for _, h := range []string{"localhost", "127.0.0.1", "::1", "192.168.1.10", "watchpost.lan", "gate.watchpost.lan"} {
		if err := leaf.VerifyHostname(h); err != nil {
			t.Errorf("the certificate does not name %s: %v", h, err)
		}
	}
	if k, ok := leaf.PublicKey.(*ecdsa.PublicKey); !ok || k.Curve != elliptic.P256() {
		t.Errorf("the key is %T, want ECDSA P-256", leaf.PublicKey)
	}
	if d := leaf.NotAfter.Sub(start); d > CertValidity || d < CertValidity-2*time.Hour {
		t.Errorf("valid for %v", d)
	}
	if CertValidity > 825*24*time.Hour {
		t.Error("iOS refuses a server certificate valid for more than 825 days")
	}
	if len(leaf.ExtKeyUsage) != 1 || leaf.ExtKeyUsage[0] != x509.ExtKeyUsageServerAuth {
		t.Error("not a server certificate")
	}
	for path, want := range map[string]os.FileMode{
		filepath.Join(dir, CertDir):               0o700 | os.ModeDir,
		filepath.Join(dir, CertDir, CertFileName): 0o600,
		filepath.Join(dir, CertDir, KeyFileName):  0o600,
	} {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode() != want {
			t.Errorf("%s has mode %v, want %v", path, st.Mode(), want)
		}
	}
	if c.fingerprint != Fingerprint(leaf.Raw) || len(c.fingerprint) != 32*3-1 || strings.ToUpper(c.fingerprint) != c.fingerprint {
		t.Errorf("fingerprint %q", c.fingerprint)
	}
	// A restart keeps it: the phones that trusted it go on trusting it.
	again, err := loadCertificate(cfg, dir, start.Add(100*24*time.Hour))
	if err != nil || again.fingerprint != c.fingerprint {
		t.Errorf("kept certificate: %v, %s vs %s", err, again.fingerprint, c.fingerprint)
	}
	// A host added to the configuration makes a new one that names it.
	cfg.Hosts = append(cfg.Hosts, "10.0.0.5")
	added, err := loadCertificate(cfg, dir, start)
	if err != nil || added.fingerprint == c.fingerprint || added.tls.Leaf.VerifyHostname("10.0.0.5") != nil {
		t.Errorf("after adding a host: %v, same fingerprint %v", err, added.fingerprint == c.fingerprint)
	}
	// So does the approach of its end.
	late, err := loadCertificate(cfg, dir, start.Add(CertValidity-CertRenewBefore+time.Hour))
	if err != nil || late.fingerprint == added.fingerprint {
		t.Errorf("near its end: %v, renewed %v", err, late.fingerprint != added.fingerprint)
	}
	// A broken kept file is made again rather than refusing to start.
	os.WriteFile(filepath.Join(dir, CertDir, CertFileName), []byte("garbage"), 0o600)
	if _, err := loadCertificate(cfg, dir, start); err != nil {
		t.Errorf("after a broken file: %v", err)
	}
}

func TestTheInstallersCertificateIsServedAndItsFingerprintShown(t *testing.T) {
	dir := t.TempDir()
	certPEM, keyPEM, err := makeCertificate([]string{"127.0.0.1", "watchpost.example"}, start)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := filepath.Join(dir, "site.crt"), filepath.Join(dir, "site.key")
	os.WriteFile(certFile, certPEM, 0o600)
	os.WriteFile(keyFile, keyPEM, 0o600)
	e := newEnv(t, func(o *Options) { o.Config.CertFile, o.Config.KeyFile = certFile, keyFile })
	conn, err := tls.Dial("tcp", e.srv.Addr(), &tls.Config{RootCAs: e.pool, ServerName: "watchpost.example"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	served := conn.ConnectionState().PeerCertificates[0]
	if Fingerprint(served.Raw) != e.srv.Fingerprint() {
		t.Error("Fingerprint is not the served certificate's")
	}
	if _, err := os.Stat(filepath.Join(e.srv.cfg.CertFile)); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	for _, en := range entries {
		if en.Name() == CertDir {
			t.Error("the server made a certificate of its own beside the installer's")
		}
	}
	// A key that does not belong to the certificate is refused with both files named.
	_, otherKey, _ := makeCertificate([]string{"x"}, start)
	os.WriteFile(keyFile, otherKey, 0o600)
	if _, err := loadCertificate(Config{CertFile: certFile, KeyFile: keyFile}, dir, start); err == nil || !strings.Contains(err.Error(), "site.crt") || !strings.Contains(err.Error(), "site.key") {
		t.Errorf("a key of another certificate: %v", err)
	}
}

func TestConfigValidation(t *testing.T) {
	ok := []Config{
		{},
		{Listen: "127.0.0.1:8443"},
		{Listen: "localhost:9443"},
		{Listen: "[::1]:8443"},
		{Listen: "0.0.0.0:8443", AllowRemote: true, Hosts: []string{"192.168.1.10", "watchpost.lan"}},
		{Listen: ":8443", AllowRemote: true, BaseURL: "https://192.168.1.10:8443/"},
		{CertFile: "a.crt", KeyFile: "a.key"},
	}
	for _, c := range ok {
		if err := c.Validate(); err != nil {
			t.Errorf("%+v: %v", c, err)
		}
	}
	bad := map[string]Config{
		"every address":        {Listen: ":8443"},
		"a LAN address":        {Listen: "192.168.1.10:8443"},
		"a name":               {Listen: "watchpost.lan:8443"},
		"no port":              {Listen: "127.0.0.1"},
		"a port out of range":  {Listen: "127.0.0.1:70000"},
		"a certificate alone":  {CertFile: "a.crt"},
		"a key alone":          {KeyFile: "a.key"},
		"a bad host":           {Hosts: []string{"not a host"}},
		"an http base URL":     {BaseURL: "http://192.168.1.10:8443"},
		"a base URL with path": {BaseURL: "https://192.168.1.10:8443/phone"},
	}
	for name, c := range bad {
		if err := c.Validate(); err == nil {
			t.Errorf("%s (%+v) passes", name, c)
		}
	}
	if got := (Config{}).WithDefaults().Listen; got != DefaultListen || DefaultListen != "127.0.0.1:8443" {
		t.Errorf("default listen %q", got)
	}
}
