package devices_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/mochi-mqtt/server/v2/packets"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/devices"
)

// The broker's limits against a client on the site's network that tries to exhaust the
// console (issue 15, point 3). Each limit is proved with small numbers; the heavy versions
// (100 MB payloads, thousands of sockets) are benchmarks (attack_bench_test.go).

// startLimited runs the embedded broker on a free loopback port with the given limits and a
// fresh BrokerWatch, and returns it with its watch.
func startLimited(t testing.TB, e *engine, lim app.BrokerLimits) (*devices.Broker, *app.BrokerWatch) {
	t.Helper()
	w := app.NewBrokerWatch()
	b, err := devices.NewBroker(devices.BrokerConfig{Listen: "127.0.0.1:0", Username: user, Password: password, Site: "demo", Log: quiet,
		Limits: lim, Watch: w}, e.ingest, e.kindOf, nil)
	require.NoError(t, err)
	run(t, b)
	return b, w
}

// rawConnect opens a TCP connection and sends a CONNECT (MQTT 3.1.1 or 5) with the test
// account, then reads the CONNACK.
func rawConnect(t testing.TB, addr, id string, version byte) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	name := []byte("MQTT")
	pk := packets.Packet{FixedHeader: packets.FixedHeader{Type: packets.Connect}, ProtocolVersion: version,
		Connect: packets.ConnectParams{ProtocolName: name, ClientIdentifier: id, Keepalive: 30, Clean: false,
			UsernameFlag: true, Username: []byte(user), PasswordFlag: true, Password: []byte(password)}}
	if version == 5 {
		pk.Properties.SessionExpiryInterval = 3600
		pk.Properties.SessionExpiryIntervalFlag = true
	}
	var buf bytes.Buffer
	require.NoError(t, pk.ConnectEncode(&buf))
	_, err = c.Write(buf.Bytes())
	require.NoError(t, err)
	require.NoError(t, c.SetReadDeadline(time.Now().Add(10*time.Second)))
	head := make([]byte, 2)
	_, err = io.ReadFull(c, head)
	require.NoError(t, err, "CONNACK")
	require.Equal(t, byte(0x20), head[0], "a CONNACK")
	rest := make([]byte, head[1])
	_, err = io.ReadFull(c, rest)
	require.NoError(t, err)
	require.Equal(t, byte(0), rest[1], "connection accepted")
	require.NoError(t, c.SetReadDeadline(time.Time{}))
	return c
}

// closedByPeer waits (15 s at most) for the other side to close c, discarding what it sends.
func closedByPeer(c net.Conn) bool {
	_ = c.SetReadDeadline(time.Now().Add(15 * time.Second))
	_, err := io.Copy(io.Discard, c)
	if err == nil {
		return true // EOF
	}
	ne, ok := err.(net.Error)
	return !(ok && ne.Timeout())
}

func TestBrokerLimitsDefaults(t *testing.T) {
	var l app.BrokerLimits
	assert.Equal(t, 64<<10, l.PacketBytes(), "packet 64 KiB")
	assert.Equal(t, 24*time.Hour, l.Expiry(), "offline session expiry 24 h")
	assert.Equal(t, 1024, l.Inflight(), "1,024 in flight per client")
	assert.Equal(t, 1<<20, l.RetainedBytes(), "1 MiB retained in all")
	assert.Equal(t, 1000, l.UnknownDevices(), "1,000 unknown devices kept")
	assert.Equal(t, 10*time.Second, l.Connect(), "CONNECT within 10 s")
	c, err := app.ParseConfig([]byte(`{"broker":{"limits":{"max_packet_bytes":2048,"session_expiry":"1h","max_inflight":10,"max_retained_bytes":100,"max_unknown_devices":5,"connect_timeout":"2s"}}}`))
	require.NoError(t, err)
	l = c.Broker.Limits
	assert.Equal(t, []any{2048, time.Hour, 10, 100, 5, 2 * time.Second}, []any{l.PacketBytes(), l.Expiry(), l.Inflight(), l.RetainedBytes(), l.UnknownDevices(), l.Connect()})
	_, err = app.ParseConfig([]byte(`{"broker":{"limits":{"max_packet_bytes":1}}}`))
	assert.Error(t, err, "a packet limit under 1 KiB")
}

// A packet that announces 100 MB is refused from its header: the client is disconnected
// at once, with only a few kilobytes of it sent (a broker that read it whole would wait for
// the rest, holding the buffer), and the refusal is counted for the device panel.
func TestAttackOversizedPacketRefusedBeforeItIsRead(t *testing.T) {
	e := newEngine(t)
	b, w := startLimited(t, e, app.BrokerLimits{})
	c := rawConnect(t, b.Addr(), "attacker-big", 4)
	topic := "watchpost/demo/smoke-b03-u2-12/event"
	head := []byte{0x32} // PUBLISH, QoS 1
	head = append(head, remainingLength(100<<20)...)
	head = append(head, byte(len(topic)>>8), byte(len(topic)))
	head = append(head, topic...)
	head = append(head, 0, 1) // packet ID
	_, err := c.Write(append(head, make([]byte, 4096)...))
	require.NoError(t, err)
	assert.True(t, closedByPeer(c), "the connection is closed without reading the 100 MB")
	assert.Eventually(t, func() bool { return w.Count(app.RefusedOversized) == 1 }, 15*time.Second, 10*time.Millisecond, "the refusal is counted")
	// A message within the limit still goes through.
	p := publisher(t, "tcp://"+b.Addr(), "ok-device")
	tok := p.Publish("watchpost/demo/smoke-b03-u2-12/heartbeat", 1, false, heartbeat(1))
	require.True(t, tok.WaitTimeout(10*time.Second))
	require.NoError(t, tok.Error())
}

func remainingLength(n int) []byte {
	var out []byte
	for {
		b := byte(n % 128)
		n /= 128
		if n > 0 {
			b |= 0x80
		}
		out = append(out, b)
		if n == 0 {
			return out
		}
	}
}

// A persistent subscriber to # that goes away for good: its session (and the queue the
// broker fills for it) is dropped at the session expiry, counted; it finds no session when
// it comes back.
func TestAttackOfflineSubscriberToEverythingExpires(t *testing.T) {
	e := newEngine(t)
	b, w := startLimited(t, e, app.BrokerLimits{SessionExpiry: app.Duration(time.Second)})
	connect := func() (paho.Client, bool) {
		opts := paho.NewClientOptions().AddBroker("tcp://" + b.Addr()).SetClientID("listener-#").SetUsername(user).SetPassword(password).
			SetCleanSession(false).SetAutoReconnect(false)
		c := paho.NewClient(opts)
		tok := c.Connect()
		require.True(t, tok.WaitTimeout(10*time.Second))
		require.NoError(t, tok.Error())
		return c, tok.(*paho.ConnectToken).SessionPresent()
	}
	sub, _ := connect()
	tok := sub.Subscribe("#", 1, func(paho.Client, paho.Message) {})
	require.True(t, tok.WaitTimeout(10*time.Second))
	require.NoError(t, tok.Error())
	sub.Disconnect(100)
	// Messages keep coming while it is away.
	p := publisher(t, "tcp://"+b.Addr(), "busy-device")
	for i := range 5 {
		p.Publish("watchpost/demo/light-04/heartbeat", 1, false, heartbeat(i)).WaitTimeout(10 * time.Second)
	}
	require.Eventually(t, func() bool { return w.Count(app.RefusedSessionExpiry) == 1 }, 15*time.Second, 20*time.Millisecond,
		"the offline session expires")
	back, present := connect()
	defer back.Disconnect(100)
	assert.False(t, present, "no session is kept for it")
	assert.Contains(t, w.Refusals()[0].Args["Client"], "listener-#")
}

// Retained messages on made-up topics: kept one per topic and within the budget in all;
// the rest is delivered but not retained, and counted.
func TestAttackRetainedFloodIsBounded(t *testing.T) {
	e := newEngine(t)
	b, w := startLimited(t, e, app.BrokerLimits{MaxRetainedBytes: 1000})
	p := publisher(t, "tcp://"+b.Addr(), "retainer")
	payload := bytes.Repeat([]byte("x"), 100)
	for i := range 20 {
		tok := p.Publish(fmt.Sprintf("watchpost/flood/t%02d/status", i), 1, true, payload)
		require.True(t, tok.WaitTimeout(10*time.Second))
		require.NoError(t, tok.Error())
	}
	// The same topic again replaces its message (one per topic), within the budget.
	tok := p.Publish("watchpost/flood/t00/status", 1, true, payload)
	require.True(t, tok.WaitTimeout(10*time.Second))
	assert.Equal(t, int64(10), w.Count(app.RefusedRetained), "10 × 100 bytes fit in 1,000; 10 refused")

	var mu sync.Mutex
	got := map[string]int{}
	done := make(chan struct{}, 100)
	s := publisher(t, "tcp://"+b.Addr(), "late-subscriber")
	tok = s.Subscribe("watchpost/flood/#", 1, func(_ paho.Client, m paho.Message) {
		// (The last publish may still reach it live: only retained messages count.)
		if m.Retained() {
			mu.Lock()
			got[m.Topic()]++
			mu.Unlock()
			done <- struct{}{}
		}
	})
	require.True(t, tok.WaitTimeout(10*time.Second))
	require.Eventually(t, func() bool { return len(done) >= 10 }, 15*time.Second, 10*time.Millisecond)
	assert.Never(t, func() bool { return len(done) > 10 }, 500*time.Millisecond, 50*time.Millisecond, "no more than the budget is retained")
	mu.Lock()
	defer mu.Unlock()
	assert.Len(t, got, 10)
	assert.Equal(t, 1, got["watchpost/flood/t00/status"], "one retained message per topic")
}

// Messages from thousands of made-up device IDs: at most the limit of unknown devices is
// kept (listed, journaled); the others are acknowledged, dropped and counted.
func TestAttackUnknownDeviceFloodIsBounded(t *testing.T) {
	e := newEngine(t)
	e.ingest.Monitor().SetUnknownLimit(5)
	b, _ := startLimited(t, e, app.BrokerLimits{})
	w := e.ingest.Monitor().Broker()
	p := publisher(t, "tcp://"+b.Addr(), "prober")
	for i := range 30 {
		tok := p.Publish(fmt.Sprintf("watchpost/demo/made-up-%03d/heartbeat", i), 1, false, heartbeat(i))
		require.True(t, tok.WaitTimeout(10*time.Second))
		require.NoError(t, tok.Error(), "acknowledged, kept or not")
	}
	assert.Len(t, e.ingest.Monitor().UnregisteredDevices(), 5)
	assert.Len(t, e.journal(t, app.KindDeviceUnregistered), 5)
	assert.Len(t, e.journal(t, app.KindDeviceReading), 5, "only the kept devices' messages are journaled")
	assert.Equal(t, int64(25), w.Count(app.RefusedUnknown))
	// A kept device goes on being journaled.
	tok := p.Publish("watchpost/demo/made-up-000/heartbeat", 1, false, heartbeat(99))
	require.True(t, tok.WaitTimeout(10*time.Second))
	assert.Len(t, e.journal(t, app.KindDeviceReading), 6)
}

// Connections that never send CONNECT are closed at the connect timeout, and counted.
func TestAttackSilentConnectionsAreClosed(t *testing.T) {
	e := newEngine(t)
	b, w := startLimited(t, e, app.BrokerLimits{ConnectTimeout: app.Duration(300 * time.Millisecond)})
	const n = 20
	conns := make([]net.Conn, n)
	for i := range conns {
		c, err := net.DialTimeout("tcp", b.Addr(), 5*time.Second)
		require.NoError(t, err)
		defer c.Close()
		conns[i] = c
	}
	for i, c := range conns {
		require.True(t, closedByPeer(c), "connection %d closed by the broker", i)
	}
	assert.Eventually(t, func() bool { return w.Count(app.RefusedNoConnect) == n }, 15*time.Second, 10*time.Millisecond)
	// A device that connects in time stays connected past the timeout.
	p := publisher(t, "tcp://"+b.Addr(), "prompt-device")
	time.Sleep(600 * time.Millisecond) // past the connect timeout: the deadline must be gone
	tok := p.Publish("watchpost/demo/light-04/heartbeat", 1, false, heartbeat(1))
	require.True(t, tok.WaitTimeout(10*time.Second))
	require.NoError(t, tok.Error())
	assert.True(t, p.IsConnectionOpen())
}

// A broker beyond loopback without TLS, or with a weak password, is refused; a plain
// listener is allowed only on the one address named in allow_plain_on.
func TestAttackPlainListenerBeyondLoopbackIsRefused(t *testing.T) {
	e := newEngine(t)
	cfg := func(listen, pw string) devices.BrokerConfig {
		return devices.BrokerConfig{Listen: listen, Username: user, Password: pw, Site: "demo", Log: quiet, DataDir: t.TempDir()}
	}
	_, err := devices.NewBroker(cfg("0.0.0.0:0", "1"), e.ingest, e.kindOf, nil)
	require.Error(t, err, "0.0.0.0 with the password 1 (the issue's case)")
	assert.Contains(t, err.Error(), "without encryption")
	_, err = devices.NewBroker(cfg("0.0.0.0:0", "a-long-and-random-password-42"), e.ingest, e.kindOf, nil)
	require.Error(t, err, "a strong password does not make a plain listener safe")
	c := cfg("127.0.0.1:0", "1")
	c.TLSListen = "0.0.0.0:0"
	_, err = devices.NewBroker(c, e.ingest, e.kindOf, nil)
	require.Error(t, err, "TLS beyond loopback with a weak password")
	assert.Contains(t, err.Error(), "password")
	c.Password = "sunshine-demo"
	_, err = devices.NewBroker(c, e.ingest, e.kindOf, nil)
	require.Error(t, err, "the demo's published password beyond loopback")

	// The rule itself, for an address of the device network (not on this test machine).
	lan := app.BrokerConfig{Listen: "192.168.10.2:1883"}
	assert.Error(t, lan.CheckExposure("a-long-and-random-password-42"))
	lan.AllowPlainOn = "192.168.10.2:1883"
	assert.NoError(t, lan.CheckExposure("a-long-and-random-password-42"), "allowed on purpose, on that address")
	assert.Error(t, lan.CheckExposure("1"), "never with a weak password")
	_, err = app.ParseConfig([]byte(`{"broker":{"listen":"0.0.0.0:1883","allow_plain_on":"0.0.0.0:1883"}}`))
	assert.Error(t, err, "allow_plain_on names one address, never 0.0.0.0")
	_, err = app.ParseConfig([]byte(`{"broker":{"listen":"192.168.10.2:1883","allow_plain_on":"192.168.10.3:1883"}}`))
	assert.Error(t, err, "allow_plain_on is the listen address")
	_, err = app.ParseConfig([]byte(`{"broker":{"listen":"192.168.10.2:1883","allow_plain_on":"192.168.10.2:1883"}}`))
	assert.NoError(t, err)
	_, err = app.ParseConfig([]byte(`{"broker":{"listen":"192.168.10.2:1883","allow_plain_on":"192.168.10.2:1883","password":"1"}}`))
	assert.ErrorContains(t, err, "password", "the settings refuse a weak password beyond loopback")
	_, err = app.ParseConfig([]byte(`{"broker":{"listen":"0.0.0.0:1883","password":"a-long-and-random-password-42"}}`))
	assert.ErrorContains(t, err, "without encryption", "the settings refuse a plain listener on every address")

	// TLS beyond loopback with a strong password starts.
	c.Password = "a-long-and-random-password-42"
	b, err := devices.NewBroker(c, e.ingest, e.kindOf, nil)
	require.NoError(t, err)
	run(t, b)
}

var _ = context.Background

// A plain listener allowed on purpose on one address of the device network: it starts, and
// says on every start, in the status bar and the device panel, that it is in clear.
func TestAPlainListenerAllowedOnOneAddressWarns(t *testing.T) {
	var lan string
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if ipn, ok := a.(*net.IPNet); ok && !ipn.IP.IsLoopback() && ipn.IP.To4() != nil {
			lan = ipn.IP.String()
			break
		}
	}
	if lan == "" {
		t.Skip("this machine has no address beyond loopback")
	}
	e := newEngine(t)
	health := app.NewHealth(nil, app.SystemClock{}, quiet)
	w := app.NewBrokerWatch()
	addr := net.JoinHostPort(lan, "0")
	b, err := devices.NewBroker(devices.BrokerConfig{Listen: addr, AllowPlainOn: addr, Username: user, Password: "a-long-and-random-password-42",
		Site: "demo", Log: quiet, Watch: w}, e.ingest, e.kindOf, health)
	require.NoError(t, err)
	run(t, b)
	_, plainOn := w.Exposure()
	assert.Equal(t, b.Addr(), plainOn, "shown in the device panel")
	require.Eventually(t, func() bool { st, ok := health.Get("broker"); return ok && st.State == app.StateDegraded }, 15*time.Second, 10*time.Millisecond)
	st, _ := health.Get("broker")
	assert.Contains(t, st.Error, "without encryption", "said in the status bar")
}
