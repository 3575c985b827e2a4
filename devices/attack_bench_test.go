package devices_test

import (
	"fmt"
	"net"
	"runtime"
	"sync"
	"testing"
	"time"

	"watchpost/app"
)

// The heavy versions of the broker attacks (make bench): the sizes the issue measured.

// Four clients at once each send a PUBLISH of 100 MB: each is refused from its header and
// disconnected; the console's heap does not grow by the payloads.
func BenchmarkAttackHundredMegabytePayloads(b *testing.B) {
	e := newEngine(b)
	br, w := startLimited(b, e, app.BrokerLimits{})
	payload := make([]byte, 100<<20)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := rawConnect(b, br.Addr(), fmt.Sprintf("big-%d", i), 4)
			topic := "watchpost/demo/smoke-b03-u2-12/event"
			head := append([]byte{0x32}, remainingLength(len(payload)+len(topic)+4)...)
			head = append(head, byte(len(topic)>>8), byte(len(topic)))
			head = append(head, topic...)
			head = append(head, 0, 1)
			_, _ = c.Write(head)
			_, _ = c.Write(payload) // fails once the broker has closed the connection
			closedByPeer(c)
		}()
	}
	wg.Wait()
	took := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(payload)
	grew := int64(after.HeapInuse) - int64(before.HeapInuse) // the payload buffer was allocated before
	if n := w.Count(app.RefusedOversized); n != 4 {
		b.Fatalf("%d of 4 oversized packets refused", n)
	}
	b.ReportMetric(float64(grew)/(1<<20), "heap_MB")
	fmt.Printf("bench: 4 clients × 100 MB PUBLISH at once: all 4 refused from the header in %v; heap grew by %.1f MB (the issue measured +822 MB before the limit)\n",
		took.Round(time.Millisecond), float64(grew)/(1<<20))
}

// 3,000 connections that never send CONNECT: all closed at the connect timeout (2 s here,
// 10 s by default), none held.
func BenchmarkAttackThousandsOfSilentSockets(b *testing.B) {
	const n = 3000
	e := newEngine(b)
	br, w := startLimited(b, e, app.BrokerLimits{ConnectTimeout: app.Duration(2 * time.Second)})
	conns := make([]net.Conn, 0, n)
	for range n {
		c, err := net.DialTimeout("tcp", br.Addr(), 10*time.Second)
		if err != nil {
			b.Fatalf("after %d connections: %v", len(conns), err)
		}
		conns = append(conns, c)
	}
	start := time.Now()
	var wg sync.WaitGroup
	closed := make(chan bool, n)
	for _, c := range conns {
		wg.Add(1)
		go func() { defer wg.Done(); closed <- closedByPeer(c); c.Close() }()
	}
	wg.Wait()
	close(closed)
	held := 0
	for ok := range closed {
		if !ok {
			held++
		}
	}
	if held > 0 || w.Count(app.RefusedNoConnect) != n {
		b.Fatalf("%d connections still held; %d counted closed", held, w.Count(app.RefusedNoConnect))
	}
	fmt.Printf("bench: %d connections without CONNECT: all closed within %v of the last one opening (timeout 2 s)\n", n, time.Since(start).Round(time.Millisecond))
}
