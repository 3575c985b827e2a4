package video_test

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"watchpost/app"
	"watchpost/video"
	"watchpost/video/sim"
)

// Latency from the simulator's send time (carried in the stream) to the decoded frame, on
// loopback, for the sub stream (640x360) and the main stream (1280x720).
func BenchmarkLatencySendToDecoded(b *testing.B) {
	for _, tc := range []struct {
		name string
		main bool
	}{{"360p", false}, {"720p", true}} {
		b.Run(tc.name, func(b *testing.B) {
			s := startSim(b, sim.Config{Main: sim.MainProfile, Sub: sim.SubProfile})
			f := newFeeds(b, video.Config{}, camera("gate", s.URL("gate", "main"), s.URL("gate", "sub")))
			v, err := f.Watch("gate", tc.main, 320, 180)
			if err != nil {
				b.Fatal(err)
			}
			defer v.Close()
			waitFrame(b, v, 10*time.Second).Release()
			b.ResetTimer()
			var lat []time.Duration
			end := time.Now().Add(10 * time.Second)
			for time.Now().Before(end) {
				select {
				case fr := <-v.Frames():
					if !fr.Captured.IsZero() {
						lat = append(lat, fr.Decoded.Sub(fr.Captured))
					}
					fr.Release()
				case <-time.After(time.Second):
				}
			}
			b.StopTimer()
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			if len(lat) == 0 {
				b.Fatal("no frames")
			}
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50_ms")
			b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95_ms")
			b.ReportMetric(float64(len(lat))/10, "fps")
		})
	}
}

// BenchmarkReconnect stops the camera for a few seconds, five times, and measures how long
// after it comes back its stream plays again.
func BenchmarkReconnect(b *testing.B) {
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(b))
	cfg := sim.Config{Address: addr}
	s := startSim(b, cfg)
	f := newFeeds(b, video.Config{}, camera("gate", s.URL("gate", "main"), s.URL("gate", "sub")))
	v, err := f.Watch("gate", false, 160, 90)
	if err != nil {
		b.Fatal(err)
	}
	defer v.Close()
	waitState(b, v, app.StreamPlaying, 10*time.Second)
	b.ResetTimer()
	var worst, total time.Duration
	const rounds = 5
	for i := 0; i < rounds; i++ {
		s.stop()
		waitState(b, v, app.StreamFailed, 10*time.Second)
		time.Sleep(3 * time.Second)
		s = startSim(b, cfg)
		back := time.Now()
		waitState(b, v, app.StreamPlaying, 10*time.Second)
		d := time.Since(back)
		total += d
		worst = max(worst, d)
	}
	b.StopTimer()
	b.ReportMetric(float64(total.Milliseconds())/rounds, "mean_ms")
	b.ReportMetric(float64(worst.Milliseconds()), "worst_ms")
}
