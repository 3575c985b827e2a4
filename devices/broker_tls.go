package devices

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
	"errors"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"watchpost/app"
)

// The broker's TLS certificate: the administrator's files (broker.tls_cert_file and
// tls_key_file), or, when TLS is asked for without them, a self-signed certificate made on
// first use and kept in the data directory (key 0600), so that its fingerprint stays the
// same across restarts and installers can pin it on devices.

// Self-signed certificate files in the data directory.
const (
	SelfSignedCert = "broker-cert.pem"
	SelfSignedKey  = "broker-key.pem"
)

// loadCertificate returns the TLS certificate and its SHA-256 fingerprint (hex, colon
// separated, as installers compare it with openssl x509 -fingerprint -sha256).
func loadCertificate(certFile, keyFile, dataDir, host string) (tls.Certificate, string, error) {
	if certFile == "" {
		if dataDir == "" {
			return tls.Certificate{}, "", errors.New("devices: a self-signed certificate needs the data directory")
		}
		certFile, keyFile = filepath.Join(dataDir, SelfSignedCert), filepath.Join(dataDir, SelfSignedKey)
		if _, err := os.Stat(certFile); errors.Is(err, fs.ErrNotExist) {
			if err := makeSelfSigned(certFile, keyFile, host); err != nil {
				return tls.Certificate{}, "", app.Errorf(app.CodeUnavailable, "The broker's self-signed certificate cannot be written in {{.Dir}}", "Dir", dataDir).Wrap(err)
			}
		}
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return tls.Certificate{}, "", app.Errorf(app.CodeInvalid, "The broker's certificate {{.Cert}} and key {{.Key}} cannot be read", "Cert", certFile, "Key", keyFile).Wrap(err)
	}
	return cert, Fingerprint(cert.Certificate[0]), nil
}

// Fingerprint is the SHA-256 fingerprint of a DER certificate, as AA:BB:….
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	h := strings.ToUpper(hex.EncodeToString(sum[:]))
	var b strings.Builder
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(h[i : i+2])
	}
	return b.String()
}

// makeSelfSigned writes a P-256 certificate valid for ten years, for the listener's host
// (and localhost), with its key 0600.
func makeSelfSigned(certFile, keyFile, host string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "Watchpost device broker", Organization: []string{"Watchpost"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(10, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	if ip := net.ParseIP(host); ip != nil && !ip.IsUnspecified() && !ip.IsLoopback() {
		tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
	} else if host != "" && ip == nil && host != "localhost" {
		tmpl.DNSNames = append(tmpl.DNSNames, host)
	}
	if h, err := os.Hostname(); err == nil && h != "" && h != "localhost" {
		tmpl.DNSNames = append(tmpl.DNSNames, h)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	// The key first: a certificate without its key would be taken as the administrator's.
	if err := writeFile0600(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})); err != nil {
		return err
	}
	return writeFile0600(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// writeFile0600 writes a file whole (a temporary file renamed), mode 0600.
func writeFile0600(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
