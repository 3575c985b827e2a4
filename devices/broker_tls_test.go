package devices_test

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/devices"
)

// The TLS listener with no certificate given: a self-signed one is made on first use in the
// data directory (key 0600), kept across restarts (same fingerprint, which the log and the
// device panel show so that installers can pin it), and devices that pin it publish over
// TLS into the journal.
func TestBrokerTLSWithASelfSignedCertificate(t *testing.T) {
	e := newEngine(t)
	dir := t.TempDir()
	start := func() (*devices.Broker, *app.BrokerWatch, func()) {
		w := app.NewBrokerWatch()
		b, err := devices.NewBroker(devices.BrokerConfig{Listen: "127.0.0.1:0", TLSListen: "127.0.0.1:0", Username: user, Password: password,
			Site: "demo", Log: quiet, DataDir: dir, Watch: w}, e.ingest, e.kindOf, nil)
		require.NoError(t, err)
		return b, w, run(t, b)
	}
	b, w, stop := start()
	fp, plain := w.Exposure()
	assert.Empty(t, plain, "the plain listener is on loopback")
	require.Regexp(t, `^([0-9A-F]{2}:){31}[0-9A-F]{2}$`, fp)
	for _, f := range []string{devices.SelfSignedCert, devices.SelfSignedKey} {
		fi, err := os.Stat(filepath.Join(dir, f))
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), f)
	}

	// A device pinning the fingerprint publishes over TLS.
	pinned := &tls.Config{InsecureSkipVerify: true, VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
		if devices.Fingerprint(raw[0]) != fp {
			return errors.New("not the pinned certificate")
		}
		return nil
	}}
	c := paho.NewClient(paho.NewClientOptions().AddBroker("ssl://" + b.TLSAddr()).SetClientID("tls-device").SetUsername(user).SetPassword(password).
		SetTLSConfig(pinned).SetAutoReconnect(false))
	tok := c.Connect()
	require.True(t, tok.WaitTimeout(10*time.Second))
	require.NoError(t, tok.Error())
	tok = c.Publish("watchpost/demo/light-04/heartbeat", 1, false, heartbeat(7))
	require.True(t, tok.WaitTimeout(10*time.Second))
	require.NoError(t, tok.Error())
	c.Disconnect(100)
	assert.True(t, seqsIn(t, e.store)[7], "journaled")

	// A plain client on the TLS port gets nothing.
	bad := paho.NewClient(paho.NewClientOptions().AddBroker("tcp://" + b.TLSAddr()).SetClientID("plain").SetUsername(user).SetPassword(password).
		SetAutoReconnect(false).SetConnectTimeout(3 * time.Second))
	tok = bad.Connect()
	tok.WaitTimeout(15 * time.Second)
	assert.Error(t, tok.Error(), "plain MQTT on the TLS listener")

	stop()
	cert, _ := os.ReadFile(filepath.Join(dir, devices.SelfSignedCert))
	_, w2, _ := start()
	fp2, _ := w2.Exposure()
	assert.Equal(t, fp, fp2, "the same certificate after a restart")
	cert2, _ := os.ReadFile(filepath.Join(dir, devices.SelfSignedCert))
	assert.True(t, bytes.Equal(cert, cert2))
}

// Certificate files that cannot be read stop the broker with a clear message.
func TestBrokerTLSFilesThatCannotBeRead(t *testing.T) {
	e := newEngine(t)
	_, err := devices.NewBroker(devices.BrokerConfig{Listen: "127.0.0.1:0", TLSListen: "127.0.0.1:0", TLSCertFile: "/nonexistent/c.pem", TLSKeyFile: "/nonexistent/k.pem",
		Username: user, Password: password, Site: "demo", Log: quiet}, e.ingest, e.kindOf, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "/nonexistent/c.pem")
}
