package devices_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/devices"
)

type nopHandler struct{}

func (nopHandler) Handle(context.Context, app.Reading, string) error { return nil }
func (nopHandler) NoteMalformed(string, string, int)                 {}

// brokerStatus runs a site-broker client against url until its status says why it cannot
// connect, and returns that status.
func brokerStatus(t *testing.T, url string) app.ComponentStatus {
	t.Helper()
	health := app.NewHealth(nil, app.SystemClock{}, quiet)
	c, err := devices.NewClient(devices.ClientConfig{URL: url, Username: "watchpost", Password: "a-long-password", Site: "demo", Log: quiet},
		nopHandler{}, func(string) app.DeviceKind { return "" }, health)
	require.NoError(t, err)
	run(t, c)
	var st app.ComponentStatus
	require.Eventually(t, func() bool {
		st, _ = health.Get("broker")
		return st.State == app.StateDown && st.Error != ""
	}, 15*time.Second, 20*time.Millisecond, "the status says why (it stays %q otherwise)", st.State)
	return st
}

// The site's broker cannot be reached as configured: the status bar says why (an untrusted
// certificate, a server that is no MQTT broker, nothing listening) instead of "starting".
func TestAttackSiteBrokerFailuresAreShownWithTheirReason(t *testing.T) {
	t.Run("a TLS certificate nobody trusts", func(t *testing.T) {
		srv := httptest.NewTLSServer(http.NotFoundHandler()) // a self-signed certificate
		t.Cleanup(srv.Close)
		st := brokerStatus(t, "ssl://"+strings.TrimPrefix(srv.URL, "https://"))
		assert.Equal(t, "The broker's TLS certificate is not trusted: give the CA that signed it in broker.ca_file", st.Error, st.Cause)
	})
	t.Run("a server that answers garbage", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		t.Cleanup(func() { ln.Close() })
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				_, _ = c.Write([]byte("SSH-2.0-OpenSSH_9.2\r\n"))
				c.Close()
			}
		}()
		st := brokerStatus(t, "tcp://"+ln.Addr().String())
		assert.Contains(t, st.Error, "closed the connection: is it an MQTT broker", st.Cause)
	})
	t.Run("nothing listening", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := ln.Addr().String()
		ln.Close()
		st := brokerStatus(t, "tcp://"+addr)
		assert.Equal(t, "Nothing listens at the broker's address (connection refused)", st.Error, st.Cause)
	})
}
