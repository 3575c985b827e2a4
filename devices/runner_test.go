package devices_test

import (
	"context"
	"fmt"
	"net"
	"runtime"
	"sync"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/devices"
)

// The broker, the site-broker client and the simulator are runners: Run returns when its
// context ends, with devices connected and messages in flight, and what it started has
// ended by then (DESIGN.md: one supervisor stops them all, in reverse order).

// goroutinesBack waits until the process runs no more goroutines than it did before the
// part was made: paho ends a client's own goroutines just after its Disconnect returns.
func goroutinesBack(t *testing.T, before int) {
	t.Helper()
	// Polled on the test's own goroutine: assert.Eventually would count its own.
	deadline := time.Now().Add(15 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Errorf("goroutines left behind: %d before, %d now:\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// flood has each of its MQTT clients publish heartbeats (seq p*1,000,000+i) to one device
// topic, windowed (20 in flight each), until stopped or its connection fails; it notes
// which were acknowledged.
type flood struct {
	mu      sync.Mutex
	acked   map[int]bool
	clients []paho.Client
	stop    chan struct{}
	wg      sync.WaitGroup
}

func startFlood(t *testing.T, url string, devs []string, persistent bool) *flood {
	t.Helper()
	f := &flood{acked: map[int]bool{}, stop: make(chan struct{})}
	for p, id := range devs {
		c := paho.NewClient(paho.NewClientOptions().AddBroker(url).SetClientID(fmt.Sprintf("flood-%d", p)).
			SetUsername(user).SetPassword(password).SetCleanSession(!persistent).SetAutoReconnect(false))
		tok := c.Connect()
		require.True(t, tok.WaitTimeout(10*time.Second))
		require.NoError(t, tok.Error(), "publisher %d connects", p)
		f.clients = append(f.clients, c)
		f.wg.Add(1)
		go func(p int, topic string) {
			defer f.wg.Done()
			for i := 0; ; i += 20 {
				select {
				case <-f.stop:
					return
				default:
				}
				toks := map[int]paho.Token{}
				for k := i; k < i+20; k++ {
					toks[p*1_000_000+k] = c.Publish(topic, 1, false, heartbeat(p*1_000_000+k))
				}
				for seq, tok := range toks {
					if !tok.WaitTimeout(30*time.Second) || tok.Error() != nil {
						return // the broker went away
					}
					f.mu.Lock()
					f.acked[seq] = true
					f.mu.Unlock()
				}
			}
		}(p, "watchpost/demo/"+id+"/heartbeat")
	}
	return f
}

func (f *flood) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.acked)
}

// end stops the publishers and disconnects them.
func (f *flood) end() {
	close(f.stop)
	f.wg.Wait()
	for _, c := range f.clients {
		c.Disconnect(100)
	}
}

func (d *durableSet) count() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.seq)
}

func TestBrokerRunReturnsWithDevicesConnectedAndMessagesInFlight(t *testing.T) {
	e := newEngine(t)
	h := &durableSet{Handler: e.ingest, seq: map[int]bool{}}
	before := runtime.NumGoroutine()
	b, err := devices.NewBroker(devices.BrokerConfig{Listen: "127.0.0.1:0", Username: user, Password: password, Site: "demo", Log: quiet},
		h, e.kindOf, nil)
	require.NoError(t, err)
	_, err = net.Listen("tcp", b.Addr())
	require.Error(t, err, "NewBroker has bound %s already", b.Addr())
	assert.LessOrEqual(t, runtime.NumGoroutine(), before, "NewBroker starts no goroutine (others may end meanwhile)")

	stop := run(t, b)
	f := startFlood(t, "tcp://"+b.Addr(), []string{"smoke-b03-u2-12", "light-04", "manhole-01", "sos-gate-e"}, false)
	require.Eventually(t, func() bool { return h.count() >= 400 }, 30*time.Second, 10*time.Millisecond, "the devices are publishing")
	require.EqualValues(t, 4, b.Clients())

	stop() // fails the test unless Run returns nil
	assert.Zero(t, b.Clients(), "no device is connected to a stopped broker")
	l, err := net.Listen("tcp", b.Addr())
	require.NoError(t, err, "the stopped broker's port is free again")
	require.NoError(t, l.Close())
	f.end()
	f.mu.Lock()
	for seq := range f.acked {
		assert.True(t, h.has(seq), "message %d acknowledged but not journaled", seq)
	}
	f.mu.Unlock()
	goroutinesBack(t, before)

	// The same broker runs again, on the same address.
	run(t, b)
	pub := publisher(t, "tcp://"+b.Addr(), "after-restart")
	tok := pub.Publish("watchpost/demo/light-04/heartbeat", 1, false, heartbeat(7_000_000))
	require.True(t, tok.WaitTimeout(15*time.Second))
	require.NoError(t, tok.Error())
	assert.True(t, h.has(7_000_000), "journaled by the second Run")
}

// stuckHandler never finishes journaling: Handle returns only when its context ends, and
// notes why it ended.
type stuckHandler struct {
	devices.Handler
	mu      sync.Mutex
	entered int
	ended   []error
}

func (s *stuckHandler) Handle(ctx context.Context, r app.Reading, topic string) error {
	s.mu.Lock()
	s.entered++
	s.mu.Unlock()
	<-ctx.Done()
	s.mu.Lock()
	s.ended = append(s.ended, ctx.Err())
	s.mu.Unlock()
	return ctx.Err()
}

func (s *stuckHandler) in() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.entered
}

// A journal that does not answer does not hold the stop: the messages being journaled are
// cut short after a grace (and not acknowledged), rather than after their own timeout.
func TestBrokerRunReturnsWhileTheJournalHangs(t *testing.T) {
	e := newEngine(t)
	h := &stuckHandler{Handler: e.ingest}
	b, err := devices.NewBroker(devices.BrokerConfig{Listen: "127.0.0.1:0", Username: user, Password: password, Site: "demo", Log: quiet},
		h, e.kindOf, nil)
	require.NoError(t, err)
	stop := run(t, b)
	pub := publisher(t, "tcp://"+b.Addr(), "stuck")
	tok := pub.Publish("watchpost/demo/light-04/heartbeat", 1, false, heartbeat(1))
	require.Eventually(t, func() bool { return h.in() == 1 }, 15*time.Second, 10*time.Millisecond, "the message reached the journal")
	stop()
	h.mu.Lock()
	require.Len(t, h.ended, 1)
	assert.ErrorIs(t, h.ended[0], context.Canceled, "the stopping Run ended the journal's wait (not its own 30 s timeout)")
	h.mu.Unlock()
	assert.False(t, tok.WaitTimeout(0) && tok.Error() == nil, "a message that was not journaled is not acknowledged")
}

// The same for the site-broker client: a journal that does not answer holds its stop only
// for the grace, and the message cut short is not acknowledged (Mosquitto keeps it).
func TestClientRunReturnsWhileTheJournalHangs(t *testing.T) {
	url, _ := mosquitto(t)
	e := newEngine(t)
	h := &stuckHandler{Handler: e.ingest}
	c, err := devices.NewClient(devices.ClientConfig{URL: url, Username: user, Password: password, ClientID: "watchpost-stuck", Site: "demo", Log: quiet},
		h, e.kindOf, nil)
	require.NoError(t, err)
	stop := run(t, c)
	waitFor(t, c.Ready(), "the console subscribes")
	pub := publisher(t, url, "dev-stuck")
	tok := pub.Publish("watchpost/demo/light-04/heartbeat", 1, false, heartbeat(1))
	require.True(t, tok.WaitTimeout(15*time.Second))
	require.NoError(t, tok.Error())
	require.Eventually(t, func() bool { return h.in() == 1 }, 15*time.Second, 10*time.Millisecond, "the message reached the journal")
	stop()
	h.mu.Lock()
	require.Len(t, h.ended, 1)
	assert.ErrorIs(t, h.ended[0], context.Canceled, "the stopping Run ended the journal's wait (not its own 30 s timeout)")
	h.mu.Unlock()

	// Not acknowledged: the next Run (with a journal that answers) gets it again.
	d := &durableSet{Handler: e.ingest, seq: map[int]bool{}}
	c2, err := devices.NewClient(devices.ClientConfig{URL: url, Username: user, Password: password, ClientID: "watchpost-stuck", Site: "demo", Log: quiet},
		d, e.kindOf, nil)
	require.NoError(t, err)
	run(t, c2)
	require.Eventually(t, func() bool { return d.has(1) }, 30*time.Second, 20*time.Millisecond,
		"the message cut short was delivered again and journaled")
}

// The site-broker client stops while Mosquitto delivers faster than it journals; the next
// Run of the same client takes in the rest: every message Mosquitto acknowledged to a
// device is journaled once the client ran again.
func TestClientRunReturnsWhileMessagesAreInFlightAndTheNextRunTakesTheRest(t *testing.T) {
	url, _ := mosquitto(t)
	e := newEngine(t)
	h := &durableSet{Handler: e.ingest, seq: map[int]bool{}}
	before := runtime.NumGoroutine()
	c, err := devices.NewClient(devices.ClientConfig{URL: url, Username: user, Password: password, ClientID: "watchpost-runner", Site: "demo",
		Workers: 4, Log: quiet}, h, e.kindOf, nil)
	require.NoError(t, err)
	assert.LessOrEqual(t, runtime.NumGoroutine(), before, "NewClient starts no goroutine (others may end meanwhile)")
	stop := run(t, c)
	waitFor(t, c.Ready(), "the console subscribes")

	f := startFlood(t, url, []string{"smoke-b03-u2-12", "light-04", "manhole-01"}, false)
	require.Eventually(t, func() bool { return h.count() >= 200 && f.count() > h.count()+100 }, 60*time.Second, 10*time.Millisecond,
		"the console journals behind the devices")
	stop() // fails the test unless Run returns nil
	journaled := h.count()
	f.end()
	goroutinesBack(t, before)

	run(t, c) // the same client, the same persistent session
	f.mu.Lock()
	defer f.mu.Unlock()
	require.Eventually(t, func() bool {
		for seq := range f.acked {
			if !h.has(seq) {
				return false
			}
		}
		return true
	}, 60*time.Second, 50*time.Millisecond, "every message Mosquitto acknowledged is journaled after the second Run")
	t.Logf("%d acknowledged by Mosquitto, %d journaled by the first Run", len(f.acked), journaled)
}

// A message the client could not journal is not acknowledged to the site broker: it comes
// again with the next connection (here, the next Run) and is journaled then.
func TestClientDoesNotAcknowledgeAMessageItCouldNotJournal(t *testing.T) {
	url, _ := mosquitto(t)
	e, j := newFailingEngine(t)
	c, err := devices.NewClient(devices.ClientConfig{URL: url, Username: user, Password: password, ClientID: "watchpost-refused", Site: "demo", Log: quiet},
		e.ingest, e.kindOf, nil)
	require.NoError(t, err)
	stop := run(t, c)
	waitFor(t, c.Ready(), "the console subscribes")
	const id = "smoke-b03-u2-12"
	pub := publisher(t, url, "dev-refused")
	publish := func(seq int) {
		tok := pub.Publish("watchpost/demo/"+id+"/heartbeat", 1, false, heartbeat(seq))
		require.True(t, tok.WaitTimeout(15*time.Second))
		require.NoError(t, tok.Error())
	}
	j.fail.Store(1)
	publish(1)
	require.Eventually(t, func() bool { return j.failed.Load() == 1 }, 15*time.Second, 10*time.Millisecond, "the journal refused the message")
	publish(2)
	require.Eventually(t, func() bool { return readingsOf(t, e.store, id)[2] == 1 }, 15*time.Second, 10*time.Millisecond, "the next message is journaled")
	assert.Zero(t, readingsOf(t, e.store, id)[1], "the refused message is not journaled")

	stop()
	run(t, c)
	require.Eventually(t, func() bool { return readingsOf(t, e.store, id)[1] == 1 }, 30*time.Second, 20*time.Millisecond,
		"the refused message was not acknowledged: Mosquitto delivered it again, and it is journaled")
	assert.Equal(t, 1, readingsOf(t, e.store, id)[2], "the acknowledged one is not delivered again")
}

func TestSimRunsUntilItsContextEndsAndDisconnectsItsDevicesCleanly(t *testing.T) {
	e := newEngine(t)
	health := app.NewHealth(nil, app.SystemClock{}, quiet)
	b, err := devices.NewBroker(devices.BrokerConfig{Listen: "127.0.0.1:0", Username: user, Password: password, Site: "demo", Log: quiet},
		e.ingest, e.kindOf, health)
	require.NoError(t, err)
	run(t, b)
	// The broker's own goroutines (its accept loop, mochi's housekeeping) have started once
	// it says it is up: only then is the count below the simulator's baseline.
	require.Eventually(t, func() bool { st, ok := health.Get("broker"); return ok && st.State == app.StateOK }, 15*time.Second, 10*time.Millisecond,
		"the broker is up")
	devs := append(oneDevice(e, "light-04"), oneDevice(e, "smoke-b03-u2-12")...)
	sim, err := devices.NewSim(devices.SimConfig{Broker: "tcp://" + b.Addr(), Username: user, Password: password, Site: "demo",
		Devices: devs, Log: quiet})
	require.NoError(t, err)
	_, err = sim.Play("fire")
	assert.ErrorIs(t, err, devices.ErrSimNotRunning, "Play before Run")

	before := runtime.NumGoroutine()
	stop := run(t, sim)
	waitFor(t, sim.Ready(), "the simulated devices connect")
	require.EqualValues(t, 2, b.Clients())
	_, err = sim.Play("fire")
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		for _, a := range e.desk.Open() {
			if a.Kind == app.AlarmFire && a.DeviceID == "smoke-b03-u2-12" {
				return true
			}
		}
		return false
	}, 15*time.Second, 20*time.Millisecond, "the scenario played while Run runs")

	stop() // fails the test unless Run returns nil
	_, err = sim.Play("fire")
	assert.ErrorIs(t, err, devices.ErrSimNotRunning, "Play after Run")
	require.Eventually(t, func() bool { return b.Clients() == 0 }, 15*time.Second, 10*time.Millisecond, "the devices disconnected")
	assert.Empty(t, e.journal(t, app.KindDeviceOffline), "a clean disconnect: no Last Will")
	for _, id := range []string{"light-04", "smoke-b03-u2-12"} {
		st, ok := e.ingest.Monitor().State(id)
		assert.True(t, ok && st.Online, "%s is not shown offline", id)
	}
	goroutinesBack(t, before)
}
