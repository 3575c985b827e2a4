package devices_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/devices"
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
	e := engineOn(b, st)
	require.NoError(b, app.SeedDemo(ctx, e.inv, nil, benchSite(n), nil))
	e.site = e.inv.Site()
	return e
}

func pct(d []time.Duration, p float64) float64 {
	if len(d) == 0 {
		return 0
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return float64(d[int(float64(len(d)-1)*p)].Microseconds()) / 1000
}

// BenchmarkAlarmLatency2000Devices: 2,000 smoke detectors, each its own MQTT connection,
// each publishing a smoke alarm once a second for 10 s. Measured from the publish (the send
// time in the payload) to the alarm durable in the journal (when the journal's subscribers
// are told: the UI gets it there, on its next frame).
func BenchmarkAlarmLatency2000Devices(b *testing.B) {
	const n, secs = 2000, 10
	e := benchEngine(b, n)
	addr := e.startBroker(b)
	sub := e.bus.Subscribe(1<<16, func(en *app.Entry) bool { return en.Kind == app.KindAlarmRaised || en.Kind == app.KindAlarmRepeated })
	var mu sync.Mutex
	var lat []time.Duration
	sent := sync.Map{} // device → send time of its pending message
	go func() {
		for en := range sub.C() {
			var a app.Alarm
			if json.Unmarshal(en.Data, &a) != nil {
				continue
			}
			if t, ok := sent.Load(a.DeviceID); ok {
				mu.Lock()
				lat = append(lat, time.Since(t.(time.Time)))
				mu.Unlock()
			}
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
	b.ResetTimer()
	start := time.Now()
	for i, c := range clients {
		if c == nil {
			b.Fatalf("device %d could not connect", i)
		}
		wg.Add(1)
		go func(i int, c paho.Client) {
			defer wg.Done()
			id := fmt.Sprintf("smoke-%04d", i)
			offset := time.Duration(i) * time.Second / n // spread the devices over the second
			time.Sleep(offset)
			for k := 0; k < secs; k++ {
				now := time.Now()
				sent.Store(id, now)
				payload := fmt.Sprintf(`{"type":"alarm","ts":%d,"smoke":true}`, now.UnixMilli())
				c.Publish("watchpost/demo/"+id+"/event", 1, false, payload).WaitTimeout(10 * time.Second)
				time.Sleep(time.Until(start.Add(offset + time.Duration(k+1)*time.Second)))
			}
		}(i, c)
	}
	wg.Wait()
	time.Sleep(200 * time.Millisecond)
	b.StopTimer()
	mu.Lock()
	defer mu.Unlock()
	b.ReportMetric(float64(len(lat))/float64(secs), "alarms/s")
	b.ReportMetric(pct(lat, 0.5), "p50_ms")
	b.ReportMetric(pct(lat, 0.99), "p99_ms")
	for _, c := range clients {
		c.Disconnect(0)
	}
}

// noIngest is a handler that journals nothing: the broker alone, for the baseline.
type noIngest struct{}

func (noIngest) Handle(context.Context, app.Reading, string) error { return nil }
func (noIngest) NoteMalformed(string, string, int)                 {}

// BenchmarkSustainedIngest: 40 publishers send heartbeats at QoS 1 as fast as the broker
// acknowledges them (each with up to 64 in flight) for 10 s. Figures: messages per second
// durable in our journal, and, with the same publishers against the broker without the
// journal, what an independent mosquitto_sub receives; and the ratio.
func BenchmarkSustainedIngest(b *testing.B) {
	need(b, "mosquitto_sub")
	const pubs, window, secs = 40, 64, 10
	run := func(h devices.Handler, e *engine) (published int64, subRate float64) {
		addr := fmt.Sprintf("127.0.0.1:%d", freePort(b))
		br, err := devices.StartBroker(devices.BrokerConfig{Listen: addr, Username: user, Password: password, Site: "demo", Log: quiet}, h, e.kindOf, nil)
		require.NoError(b, err)
		defer br.Close()
		waitListening(b, addr)
		var subCount atomic.Int64
		var sub *exec.Cmd
		if _, isBase := h.(noIngest); isBase {
			sub = exec.Command("mosquitto_sub", "-h", "127.0.0.1", "-p", addr[strings.LastIndex(addr, ":")+1:], "-u", user, "-P", password,
				"-q", "1", "-t", "watchpost/#")
			out, _ := sub.StdoutPipe()
			require.NoError(b, sub.Start())
			go func() {
				sc := bufio.NewScanner(out)
				for sc.Scan() {
					subCount.Add(1)
				}
			}()
			time.Sleep(300 * time.Millisecond)
		}
		var total atomic.Int64
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for p := 0; p < pubs; p++ {
			wg.Add(1)
			go func(p int) {
				defer wg.Done()
				c := paho.NewClient(paho.NewClientOptions().AddBroker("tcp://" + addr).SetClientID(fmt.Sprintf("pub-%d", p)).
					SetUsername(user).SetPassword(password).SetMaxResumePubInFlight(window))
				if tok := c.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
					return
				}
				defer c.Disconnect(0)
				id := fmt.Sprintf("smoke-%04d", p)
				toks := make(chan paho.Token, window)
				go func() {
					for t := range toks {
						if t.WaitTimeout(10*time.Second) && t.Error() == nil {
							total.Add(1)
						}
					}
				}()
				for {
					select {
					case <-stop:
						close(toks)
						return
					default:
					}
					toks <- c.Publish("watchpost/demo/"+id+"/heartbeat", 1, false,
						fmt.Sprintf(`{"type":"heartbeat","ts":%d,"battery":90}`, time.Now().UnixMilli()))
				}
			}(p)
		}
		time.Sleep(secs * time.Second)
		close(stop)
		wg.Wait()
		if sub != nil {
			time.Sleep(300 * time.Millisecond)
			_ = sub.Process.Kill()
			_ = sub.Wait()
		}
		return total.Load(), float64(subCount.Load()) / secs
	}
	e := benchEngine(b, pubs)
	b.ResetTimer()
	n, _ := run(e.ingest, e)
	journaled := len(e.journal(b, app.KindDeviceReading))
	_, base := run(noIngest{}, e)
	b.StopTimer()
	ours := float64(journaled) / secs
	b.ReportMetric(ours, "journaled/s")
	b.ReportMetric(base, "mosquitto_sub/s")
	b.ReportMetric(ours/base, "ratio")
	if int64(journaled) < n {
		b.Errorf("%d messages acknowledged but only %d journaled", n, journaled)
	}
}
