package devices_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/devices"
)

// durableSet is the Handler in front of the engine's ingest: it notes each reading once
// Handle has returned (once it is durable), so that a PUBACK can be checked against it at
// the moment it arrives.
type durableSet struct {
	devices.Handler
	mu  sync.Mutex
	seq map[int]bool
}

func (d *durableSet) Handle(ctx context.Context, r app.Reading, topic string) error {
	err := d.Handler.Handle(ctx, r, topic)
	if err == nil {
		if n, ok := r.Number("n"); ok {
			d.mu.Lock()
			d.seq[int(n)] = true
			d.mu.Unlock()
		}
	}
	return err
}

func (d *durableSet) has(seq int) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.seq[seq]
}

// A burst above the broker's in-flight limits (mochi's defaults: 1,024 messages in flight
// from one client, 8,192 stored for one): publishers that do not wait for each PUBACK, a
// subscriber that receives everything. Every message a publisher saw acknowledged was
// durable when its PUBACK came, and is in the journal.
func TestABurstIsJournaledBeforeItIsAcknowledged(t *testing.T) {
	e := newEngine(t)
	h := &durableSet{Handler: e.ingest, seq: map[int]bool{}}
	addr := startBrokerWith(t, e, h)

	// A subscriber on every device topic, as a tool like mosquitto_sub would be.
	var received atomic.Int64
	sub := paho.NewClient(paho.NewClientOptions().AddBroker("tcp://" + addr).SetClientID("watcher").SetUsername(user).SetPassword(password))
	tok := sub.Connect()
	require.True(t, tok.WaitTimeout(10*time.Second))
	require.NoError(t, tok.Error())
	defer sub.Disconnect(100)
	tok = sub.Subscribe("watchpost/demo/#", 1, func(paho.Client, paho.Message) { received.Add(1) })
	require.True(t, tok.WaitTimeout(10*time.Second))
	require.NoError(t, tok.Error())

	const publishers, each = 8, 1300 // 1,300 in flight from each, 10,400 in all
	devs := []string{"smoke-b03-u2-12", "smoke-b04-u1-16", "light-04", "sos-playground", "manhole-01", "light-01", "smoke-b01-u1-3", "sos-gate-e"}
	for _, id := range devs {
		_, ok := e.site.Device(id)
		require.True(t, ok, "device %s is in the demo", id)
	}
	var (
		mu          sync.Mutex
		acked       = map[int]bool{}
		notDurable  []int
		failed      []error
		wg          sync.WaitGroup
		inFlightMax atomic.Int64
		inFlight    atomic.Int64
	)
	for p := 0; p < publishers; p++ {
		c := paho.NewClient(paho.NewClientOptions().AddBroker("tcp://" + addr).SetClientID(fmt.Sprintf("burst-%d", p)).
			SetUsername(user).SetPassword(password).SetWriteTimeout(60 * time.Second))
		tok := c.Connect()
		require.True(t, tok.WaitTimeout(10*time.Second))
		require.NoError(t, tok.Error(), "publisher %d connects", p)
		defer c.Disconnect(100)
		topic := "watchpost/demo/" + devs[p] + "/heartbeat"
		for i := 0; i < each; i++ {
			seq := p*1_000_000 + i
			tok := c.Publish(topic, 1, false, heartbeat(seq))
			if n := inFlight.Add(1); n > inFlightMax.Load() {
				inFlightMax.Store(n)
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-tok.Done()
				inFlight.Add(-1)
				durable := h.has(seq) // at the moment the PUBACK arrived
				mu.Lock()
				defer mu.Unlock()
				if err := tok.Error(); err != nil {
					failed = append(failed, err)
					return
				}
				acked[seq] = true
				if !durable {
					notDurable = append(notDurable, seq)
				}
			}()
		}
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Minute):
		t.Fatalf("the burst was not acknowledged within 5 minutes: %d of %d", len(acked), publishers*each)
	}
	t.Logf("%d messages, at most %d in flight at once; the subscriber received %d", publishers*each, inFlightMax.Load(), received.Load())

	mu.Lock()
	defer mu.Unlock()
	assert.Empty(t, failed, "publish errors")
	assert.Len(t, acked, publishers*each, "every message acknowledged")
	assert.Empty(t, notDurable, "acknowledged before it was durable")
	got := seqsIn(t, e.store)
	missing := 0
	for seq := range acked {
		if !got[seq] {
			missing++
		}
	}
	assert.Zero(t, missing, "acknowledged messages missing from the journal")
	assert.LessOrEqual(t, len(acked), len(got), "acknowledged ≤ journaled")
}
