package devices_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/mochi-mqtt/server/v2/packets"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/store"
)

// When the journal cannot be written, a device's message is not acknowledged: the device
// sends it again and the resend is journaled. The journal here is the real store behind a
// switch that makes the next appends fail, as a full disk would.

// failingJournal is the store whose next appends fail while armed.
type failingJournal struct {
	*store.Store
	fail   atomic.Int32 // appends still to fail
	failed atomic.Int32 // appends that failed
}

var errDiskFull = errors.New("disk full (injected by the test)")

func (j *failingJournal) Append(ctx context.Context, es ...app.Entry) ([]app.Entry, error) {
	for {
		n := j.fail.Load()
		if n <= 0 {
			return j.Store.Append(ctx, es...)
		}
		if j.fail.CompareAndSwap(n, n-1) {
			j.failed.Add(1)
			return nil, errDiskFull
		}
	}
}

// newFailingEngine is the engine of newEngine with its journal behind the switch: the
// core is built on the wrapper, whose appends (the recorder's) go through the switch.
func newFailingEngine(t *testing.T) (*engine, *failingJournal) {
	t.Helper()
	path := filepath.Join(t.TempDir(), store.FileName)
	st, err := store.Open(context.Background(), path, store.Options{Log: quiet})
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	j := &failingJournal{Store: st}
	e := engineThrough(t, st, j, demoSite)
	e.path = path
	return e, j
}

// device is a device's MQTT client as the simulator makes them: a persistent session, a
// Last Will, reconnecting by itself; its connection can be cut as a power cut would.
type device struct {
	client   paho.Client
	mu       sync.Mutex
	conn     net.Conn
	connects atomic.Int32
}

func connectDevice(t *testing.T, addr, id string, reconnect bool, wire *wireLog) *device {
	t.Helper()
	d := &device{}
	opts := paho.NewClientOptions().AddBroker("tcp://"+addr).SetClientID("dev-"+id).SetUsername(user).SetPassword(password).
		SetCleanSession(false).SetAutoReconnect(reconnect).SetConnectRetry(reconnect).
		SetConnectRetryInterval(100*time.Millisecond).SetMaxReconnectInterval(500*time.Millisecond).
		SetWill("watchpost/demo/"+id+"/status", "offline", 1, true).
		SetOnConnectHandler(func(paho.Client) { d.connects.Add(1) }).
		SetCustomOpenConnectionFn(func(u *url.URL, _ paho.ClientOptions) (net.Conn, error) {
			c, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
			if err != nil {
				return nil, err
			}
			d.mu.Lock()
			d.conn = c
			d.mu.Unlock()
			if wire != nil {
				return wire.watch(c), nil
			}
			return c, nil
		})
	d.client = paho.NewClient(opts)
	tok := d.client.Connect()
	require.True(t, tok.WaitTimeout(10*time.Second), "the device connects")
	require.NoError(t, tok.Error())
	t.Cleanup(func() { d.client.Disconnect(100) })
	return d
}

// cut drops the device's connection without a DISCONNECT (its power is gone).
func (d *device) cut() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.conn != nil {
		d.conn.Close()
	}
}

// readingsOf returns the seq fields of a device's journaled readings, with how often each is there.
func readingsOf(t *testing.T, st *store.Store, id string) map[int]int {
	t.Helper()
	es, err := st.Query(context.Background(), app.JournalQuery{Subject: app.SubjectDevice(id), Kinds: []app.EntryKind{app.KindDeviceReading}})
	require.NoError(t, err)
	out := map[int]int{}
	for _, e := range es {
		if m := seqField.FindSubmatch(e.Data); m != nil {
			n, _ := strconv.Atoi(string(m[1]))
			out[n]++
		}
	}
	return out
}

func TestAMessageTheJournalRefusedIsSentAgainAndJournaled(t *testing.T) {
	e, j := newFailingEngine(t)
	h := &durableSet{Handler: e.ingest, seq: map[int]bool{}}
	addr := startBrokerWith(t, e, h)
	const id = "smoke-b03-u2-12"
	wire := newWireLog()
	var mu sync.Mutex
	var early []string // PUBACKs of messages not yet durable
	wire.onPuback = func(ev pubackEvent) {
		if seq, ok := seqOf(ev.payload); !ok || !h.has(seq) {
			mu.Lock()
			early = append(early, ev.payload)
			mu.Unlock()
		}
	}
	d := connectDevice(t, addr, id, true, wire)
	topic := "watchpost/demo/" + id + "/heartbeat"
	ackedOn := func(seq int) (conns []int) {
		for _, ev := range wire.events() {
			if n, ok := seqOf(ev.payload); ok && n == seq {
				conns = append(conns, ev.conn)
			}
		}
		return conns
	}

	tok := d.client.Publish(topic, 1, false, heartbeat(0))
	require.True(t, tok.WaitTimeout(10*time.Second))
	require.NoError(t, tok.Error())
	require.Equal(t, []int{1}, ackedOn(0))

	// The next append fails. (paho's token is no witness here: a message it sends again
	// after reconnecting completes its first token at once; the wire log is.)
	j.fail.Store(1)
	d.client.Publish(topic, 1, false, heartbeat(1))
	require.Eventually(t, func() bool { return len(ackedOn(1)) > 0 }, 30*time.Second, 10*time.Millisecond, "the message is acknowledged in the end")
	assert.Equal(t, int32(1), j.failed.Load(), "its first append failed")
	assert.Equal(t, []int{2}, ackedOn(1),
		"no PUBACK on the connection whose message the journal refused; the broker dropped it, the device sent the message again on its next one, acknowledged there")
	mu.Lock()
	assert.Empty(t, early, "PUBACKs of messages not yet durable")
	mu.Unlock()
	assert.Equal(t, 1, readingsOf(t, e.store, id)[1], "the message sent again is journaled, once")

	// The device goes on; the broker's deliberate disconnect did not publish its Last
	// Will: it was never offline.
	tok = d.client.Publish(topic, 1, false, heartbeat(2))
	require.True(t, tok.WaitTimeout(10*time.Second))
	require.NoError(t, tok.Error())
	assert.Equal(t, 1, readingsOf(t, e.store, id)[2])
	assert.Equal(t, 2, wire.connections())
	assert.Empty(t, e.journal(t, app.KindDeviceOffline), "no Last Will for a device the broker disconnected itself")
	for _, a := range e.desk.Open() {
		assert.NotEqual(t, app.AlarmOffline, a.Kind, "no offline alarm: %+v", a)
	}
}

// seqOf reads the seq field of a test heartbeat.
func seqOf(payload string) (int, bool) {
	m := seqField.FindStringSubmatch(payload)
	if m == nil {
		return 0, false
	}
	n, err := strconv.Atoi(m[1])
	return n, err == nil
}

// A device that vanishes while the journal cannot be written: its Last Will (published by
// the broker, sent by nobody again) is journaled once the journal works again, and the
// device is shown offline.
func TestALastWillTheJournalRefusedIsJournaledLater(t *testing.T) {
	e, j := newFailingEngine(t)
	addr := e.startBroker(t)
	const id = "light-04"
	d := connectDevice(t, addr, id, false, nil)
	tok := d.client.Publish("watchpost/demo/"+id+"/heartbeat", 1, false, heartbeat(0))
	require.True(t, tok.WaitTimeout(10*time.Second))
	require.NoError(t, tok.Error())

	j.fail.Store(3) // the Will's first tries fail
	d.cut()
	require.Eventually(t, func() bool { return j.failed.Load() >= 1 }, 15*time.Second, 10*time.Millisecond,
		"the broker tried to journal the Last Will")
	require.Eventually(t, func() bool {
		for _, a := range e.desk.Open() {
			if a.DeviceID == id && a.Kind == app.AlarmOffline {
				return true
			}
		}
		return false
	}, 30*time.Second, 20*time.Millisecond, "the Last Will is journaled once the journal works again, and raises the fault")
	assert.Equal(t, int32(3), j.failed.Load(), "tried again until the journal took it")
	// The device's offline entry is journaled just after the alarm is raised (app.Ingest).
	var offline []app.Entry
	require.Eventually(t, func() bool {
		es, err := e.store.Query(context.Background(), app.JournalQuery{Kinds: []app.EntryKind{app.KindDeviceOffline}})
		offline = es
		return err == nil && len(es) > 0
	}, 15*time.Second, 10*time.Millisecond, "the device is journaled offline")
	require.Len(t, offline, 1)
	assert.Equal(t, app.SubjectDevice(id), offline[0].Subject)
	st, ok := e.ingest.Monitor().State(id)
	require.True(t, ok)
	assert.False(t, st.Online, "the device is shown offline")
}

// A device that comes back before the journal works again: its Last Will is out of date
// and is dropped rather than journaled after the device said it is online.
func TestALastWillIsDroppedWhenTheDeviceIsBack(t *testing.T) {
	e, j := newFailingEngine(t)
	addr := e.startBroker(t)
	const id = "light-04"
	d := connectDevice(t, addr, id, false, nil)
	j.fail.Store(1 << 20) // the journal is down
	d.cut()
	require.Eventually(t, func() bool { return j.failed.Load() >= 2 }, 15*time.Second, 10*time.Millisecond,
		"the broker keeps trying to journal the Last Will")
	back := connectDevice(t, addr, id, false, nil) // the same client ID: the device is back
	j.fail.Store(0)                                // and the journal works again
	tok := back.client.Publish("watchpost/demo/"+id+"/status", 1, true, "online")
	require.True(t, tok.WaitTimeout(10*time.Second))
	require.NoError(t, tok.Error())
	require.Eventually(t, func() bool { st, ok := e.ingest.Monitor().State(id); return ok && st.Online }, 10*time.Second, 10*time.Millisecond)
	// The Will's next try was due within a few hundred milliseconds: it must not come.
	assert.Never(t, func() bool {
		es, err := e.store.Query(context.Background(), app.JournalQuery{Kinds: []app.EntryKind{app.KindDeviceOffline}})
		return err != nil || len(es) > 0
	}, 3*time.Second, 50*time.Millisecond,
		"an out-of-date Last Will was journaled after the device came back")
	st, _ := e.ingest.Monitor().State(id)
	assert.True(t, st.Online, "the device is shown online")
}

// An MQTT 5 device whose message the journal refused is told why: a DISCONNECT with reason
// "server busy", and no PUBACK, so that the message stays in its session and is sent again
// when it reconnects (a negative PUBACK would end the message's exchange).
func TestAnMQTT5DeviceIsToldWhyWhenTheJournalRefuses(t *testing.T) {
	e, j := newFailingEngine(t)
	addr := e.startBroker(t)
	c := rawConnect(t, addr, "dev-v5", 5)
	j.fail.Store(1)
	topic := "watchpost/demo/smoke-b03-u2-12/heartbeat"
	pk := packets.Packet{FixedHeader: packets.FixedHeader{Type: packets.Publish, Qos: 1}, ProtocolVersion: 5, TopicName: topic, PacketID: 7, Payload: heartbeat(1)}
	var buf bytes.Buffer
	require.NoError(t, pk.PublishEncode(&buf))
	_, err := c.Write(buf.Bytes())
	require.NoError(t, err)
	require.NoError(t, c.SetReadDeadline(time.Now().Add(15*time.Second)))
	got, err := io.ReadAll(c)
	var ne net.Error
	require.False(t, errors.As(err, &ne) && ne.Timeout(), "the connection is closed by the broker")
	require.NotEmpty(t, got, "a DISCONNECT")
	assert.Equal(t, byte(0xE0), got[0], "a DISCONNECT, not a PUBACK: % x", got)
	assert.Equal(t, packets.ErrServerBusy.Code, got[2], "reason: server busy")
	assert.Equal(t, int32(1), j.failed.Load())
}
