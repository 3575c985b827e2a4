package devices_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/store"
)

// Benchmarks of the device path for `make bench`. Each runs once for a fixed time and
// reports its figures as metrics.

// benchSite is a site of n smoke detectors.
func benchSite(n int) *app.Site {
	s := &app.Site{ID: "demo", Names: app.Names{Name: "bench"}, Demo: true,
		Boundary: app.Polygon{{X: 0, Y: 0}, {X: 1000, Y: 0}, {X: 1000, Y: 1000}, {X: 0, Y: 1000}}}
	for i := 0; i < n; i++ {
		s.Devices = append(s.Devices, app.Device{ID: fmt.Sprintf("smoke-%04d", i), Kind: app.KindSmoke,
			Names: app.Names{Name: fmt.Sprintf("烟感 %d", i)}, Position: app.Point{X: float64(i % 1000), Y: float64(i / 1000)}})
	}
	return s
}

func benchEngine(b *testing.B, n int) *engine {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), store.FileName), store.Options{Log: quiet})
	require.NoError(b, err)
	b.Cleanup(func() { st.Close() })
	return engineOn(b, st, app.Seeds{DemoSite: func() (*app.Site, error) { return benchSite(n), nil }})
}

// pct returns the p-th percentile of d in milliseconds (d is sorted in place; not empty).
func pct(d []time.Duration, p float64) float64 {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return float64(d[int(float64(len(d)-1)*p)].Microseconds()) / 1000
}

// BenchmarkAlarmLatency2000Devices: 2,000 smoke detectors, each its own MQTT connection,
// each publishing a smoke alarm once a second for 10 s. Measured from the publish (the send
// time in the payload's "ts", kept in the journaled reading) to the alarm durable in the
// journal (when the journal's subscribers are told: the UI gets it there, on its next
// frame). The reading and its alarm are one transaction: the alarm is the entry after its
// reading. It fails on a device that cannot connect, a publish that is not acknowledged, or
// an alarm that does not arrive: all 20,000 must.
func BenchmarkAlarmLatency2000Devices(b *testing.B) {
	const n, secs = 2000, 10
	const want = n * secs
	e := benchEngine(b, n)
	addr := e.startBroker(b)
	sub := e.bus.Subscribe(1<<16, func(en *app.Entry) bool {
		return en.Kind == app.KindDeviceReading || en.Kind == app.KindAlarmRaised || en.Kind == app.KindAlarmRepeated
	})
	defer sub.Close()
	var mu sync.Mutex
	var lat []time.Duration
	var problems []string
	received := make(chan struct{})
	go func() {
		sentAt := map[int64]app.Reading{} // a reading's seq → the reading (its Time: the send time)
		for en := range sub.C() {
			now := time.Now()
			if en.Kind == app.KindDeviceReading {
				var r app.Reading
				if err := json.Unmarshal(en.Data, &r); err != nil || !r.DeviceClock {
					mu.Lock()
					problems = append(problems, fmt.Sprintf("reading %d without the device's send time (%v)", en.Seq, err))
					mu.Unlock()
					continue
				}
				sentAt[en.Seq] = r
				continue
			}
			var a app.Alarm
			err := json.Unmarshal(en.Data, &a)
			r, ok := sentAt[en.Seq-1]
			delete(sentAt, en.Seq-1)
			mu.Lock()
			switch {
			case err != nil || !ok || r.DeviceID != a.DeviceID:
				problems = append(problems, fmt.Sprintf("alarm entry %d (%s) does not follow its reading (%v)", en.Seq, a.DeviceID, err))
			default:
				lat = append(lat, now.Sub(r.Time))
				if len(lat) == want {
					close(received)
				}
			}
			mu.Unlock()
		}
	}()
	clients := make([]paho.Client, n)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c := paho.NewClient(paho.NewClientOptions().AddBroker("tcp://" + addr).SetClientID(fmt.Sprintf("dev-%d", i)).
				SetUsername(user).SetPassword(password).SetConnectTimeout(30 * time.Second))
			if tok := c.Connect(); tok.WaitTimeout(60*time.Second) && tok.Error() == nil {
				clients[i] = c
			}
		}(i)
	}
	wg.Wait()
	for i, c := range clients {
		if c == nil {
			b.Fatalf("device %d could not connect", i)
		}
		defer c.Disconnect(0)
	}
	var unacked atomic.Int64
	var firstErr atomic.Value
	b.ResetTimer()
	start := time.Now()
	for i, c := range clients {
		wg.Add(1)
		go func(i int, c paho.Client) {
			defer wg.Done()
			id := fmt.Sprintf("smoke-%04d", i)
			offset := time.Duration(i) * time.Second / n // spread the devices over the second
			time.Sleep(offset)
			for k := 0; k < secs; k++ {
				payload := fmt.Sprintf(`{"type":"alarm","ts":"%s","smoke":true}`, time.Now().UTC().Format(time.RFC3339Nano))
				tok := c.Publish("watchpost/demo/"+id+"/event", 1, false, payload)
				if !tok.WaitTimeout(10 * time.Second) {
					unacked.Add(1)
					firstErr.CompareAndSwap(nil, fmt.Sprintf("%s: no PUBACK within 10 s", id))
				} else if err := tok.Error(); err != nil {
					unacked.Add(1)
					firstErr.CompareAndSwap(nil, fmt.Sprintf("%s: %v", id, err))
				}
				time.Sleep(time.Until(start.Add(offset + time.Duration(k+1)*time.Second)))
			}
		}(i, c)
	}
	wg.Wait()
	select {
	case <-received:
	case <-time.After(30 * time.Second):
	}
	b.StopTimer()
	mu.Lock()
	defer mu.Unlock()
	if u := unacked.Load(); u > 0 {
		b.Fatalf("%d of %d publishes not acknowledged; the first: %v", u, want, firstErr.Load())
	}
	if len(problems) > 0 {
		b.Fatalf("%d entries out of order or without a send time; the first: %s", len(problems), problems[0])
	}
	if d := sub.Dropped(); d > 0 {
		b.Fatalf("the benchmark's subscriber fell behind and lost %d entries", d)
	}
	if len(lat) != want {
		b.Fatalf("%d of %d alarms reached the journal's subscribers", len(lat), want)
	}
	p50, p95, p99, worst := pct(lat, 0.5), pct(lat, 0.95), pct(lat, 0.99), pct(lat, 1)
	b.ReportMetric(float64(len(lat))/secs, "alarms/s")
	b.ReportMetric(p50, "p50_ms")
	b.ReportMetric(p95, "p95_ms")
	b.ReportMetric(p99, "p99_ms")
	fmt.Printf("bench: alarm latency, %d smoke detectors on their own connections, one alarm a second each for %d s: %d of %d alarms durable and told, publish → durable p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms\n",
		n, secs, len(lat), want, p50, p95, p99, worst)
}

// BenchmarkSustainedIngest: 40 smoke detectors send alarm events at QoS 1 for 10 s, each
// sending its next as soon as its last is acknowledged (one in flight each), first to our
// broker, which journals each message (the reading and its alarm, fsynced) before its
// PUBACK, then to a real Mosquitto (Debian's, started here on a free port with a
// configuration of its own, no persistence: it acknowledges and keeps nothing) under the
// same publishers. Figures: our durable messages per second next to Mosquitto's
// acknowledged ones. It fails when a publisher cannot connect, a publish fails, or the
// counts do not add up (acknowledged but not journaled, an alarm missing for a reading).
func BenchmarkSustainedIngest(b *testing.B) {
	const pubs, secs = 40, 10
	e := benchEngine(b, pubs)
	addr := e.startBroker(b)
	b.ResetTimer()
	ours := publishFor(b, "tcp://"+addr, pubs, secs*time.Second)
	mq, stopMosquitto := mosquitto(b)
	defer stopMosquitto()
	peer := publishFor(b, mq, pubs, secs*time.Second)
	b.StopTimer()
	journaled := len(e.journal(b, app.KindDeviceReading))
	alarms := len(e.journal(b, app.KindAlarmRaised, app.KindAlarmRepeated))
	for _, r := range []struct {
		name string
		load ingestLoad
	}{{"watchpost", ours}, {"mosquitto", peer}} {
		if r.load.failed > 0 {
			b.Fatalf("%s: %d of %d publishes failed; the first: %s", r.name, r.load.failed, r.load.sent, r.load.firstErr)
		}
		if r.load.acked == 0 || r.load.acked > r.load.sent {
			b.Fatalf("%s: %d acknowledged of %d sent", r.name, r.load.acked, r.load.sent)
		}
	}
	if int64(journaled) < ours.acked || int64(journaled) > ours.sent {
		b.Fatalf("%d messages sent, %d acknowledged, %d journaled: every acknowledged one must be journaled, and none that was not sent", ours.sent, ours.acked, journaled)
	}
	if alarms != journaled {
		b.Fatalf("%d alarm events journaled but %d alarm entries", journaled, alarms)
	}
	durable := float64(journaled) / ours.took.Seconds()
	acked := float64(peer.acked) / peer.took.Seconds()
	b.ReportMetric(durable, "journaled/s")
	b.ReportMetric(acked, "mosquitto_acked/s")
	b.ReportMetric(durable/acked, "ratio")
	fmt.Printf("bench: sustained ingest, %d smoke detectors sending alarm events at QoS 1, one in flight each, %d s: watchpost %.0f durable (journaled, %d of %d sent) messages/s; Mosquitto %.0f acknowledged messages/s (%d), same publishers, same run; ratio %.3f\n",
		pubs, secs, durable, journaled, ours.sent, acked, peer.acked, durable/acked)
}

// ingestLoad is what publishFor sent and what came back.
type ingestLoad struct {
	sent, acked, failed int64
	firstErr            string
	took                time.Duration // from the start until the last publisher's last PUBACK
}

// publishFor connects pubs smoke detectors to the broker at url (every one must connect)
// and has each send alarm events for d, one in flight: the next when the last is acknowledged.
func publishFor(b *testing.B, url string, pubs int, d time.Duration) ingestLoad {
	clients := make([]paho.Client, pubs)
	for p := range clients {
		c := paho.NewClient(paho.NewClientOptions().AddBroker(url).SetClientID(fmt.Sprintf("pub-%d", p)).
			SetUsername(user).SetPassword(password))
		if tok := c.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
			b.Fatalf("publisher %d could not connect to %s: %v", p, url, tok.Error())
		}
		clients[p] = c
		defer c.Disconnect(0)
	}
	var load ingestLoad
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	end := start.Add(d)
	for p, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprintf("smoke-%04d", p)
			var sent, acked, failed int64
			firstErr := ""
			for time.Now().Before(end) {
				tok := c.Publish("watchpost/demo/"+id+"/event", 1, false, fmt.Sprintf(`{"type":"alarm","ts":%d,"smoke":true}`, time.Now().UnixMilli()))
				sent++
				switch {
				case !tok.WaitTimeout(10 * time.Second):
					failed++
					firstErr = cmp.Or(firstErr, id+": no PUBACK within 10 s")
				case tok.Error() != nil:
					failed++
					firstErr = cmp.Or(firstErr, id+": "+tok.Error().Error())
				default:
					acked++
				}
			}
			mu.Lock()
			load.sent, load.acked, load.failed = load.sent+sent, load.acked+acked, load.failed+failed
			load.firstErr = cmp.Or(load.firstErr, firstErr)
			mu.Unlock()
		}()
	}
	wg.Wait()
	load.took = time.Since(start)
	return load
}
