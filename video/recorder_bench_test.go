package video_test

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"watchpost/app"
	"watchpost/video"
	"watchpost/video/sim"
)

// BenchmarkRecordingCPU: what recording costs a camera, in cores, measured as the process's
// CPU time (getrusage) over the same window in three phases on the same 8 cameras (720p
// main streams at 2 Mbit/s, 15 fps, from the simulator in this process):
//
//	received  each camera's stream received through a tap whose reader throws the
//	          packets away (RTSP, depacketizing: what any use of a camera costs)
//	recorded  the recorder: the same taps filing every packet into its ring buffer,
//	          plus a clip of the whole window written for every camera (a drill's load)
//	watched   the same streams decoded for a wall tile (the cost recording avoids by
//	          never decoding or encoding)
//
// The simulator's encoding is in every phase alike (one distinct stream, shared by the
// cameras), so the differences are ours. The phases are interleaved, three rounds of the
// three, and the spread over the rounds is printed beside each figure: a difference
// smaller than the spread of the received phase itself is noise. The figure to reach:
// recorded − received ≤ 0.05 core a camera. It fails when a camera's packets did not
// arrive (received), its clip does not hold the window's frames (recorded, counted by
// ffprobe), or no frame was decoded (watched).
func BenchmarkRecordingCPU(b *testing.B) {
	needFFprobe(b)
	const cams, rounds = 8, 3
	const window = 10 * time.Second
	const fps = 15
	least := int64(window.Seconds() * fps / 2) // frames each camera must deliver in a window at least
	var simCams []sim.Camera
	for i := range cams {
		simCams = append(simCams, sim.Camera{ID: fmt.Sprintf("cam%d", i), Name: fmt.Sprintf("cam %d", i)})
	}
	s := startSim(b, sim.Config{Cameras: simCams, Distinct: 1, Main: sim.MainProfile, Sub: sim.SubProfile})
	var appCams []app.Camera
	var ids []string
	for _, c := range simCams {
		appCams = append(appCams, camera(c.ID, s.URL(c.ID, "main"), s.URL(c.ID, "sub")))
		ids = append(ids, c.ID)
	}

	// received: taps that throw the packets away.
	received := func() float64 {
		f, stop := startFeeds(b, video.NewFeeds(appCams, video.Config{}, nil, nil))
		defer stop()
		var wg sync.WaitGroup
		var taps []*video.Tap
		counts := make([]atomic.Int64, cams)
		for i, id := range ids {
			t, err := f.Tap(id, true)
			if err != nil {
				b.Fatal(err)
			}
			taps = append(taps, t)
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range t.Packets() {
					counts[i].Add(1)
				}
			}()
		}
		time.Sleep(3 * time.Second) // connected and playing
		before := make([]int64, cams)
		for i := range counts {
			before[i] = counts[i].Load()
		}
		cpu := measure(window, nil)
		for i := range counts {
			if got := counts[i].Load() - before[i]; got < least {
				b.Fatalf("received: %s delivered %d packets in %s (%d fps sent)", ids[i], got, window, fps)
			}
		}
		for _, t := range taps {
			t.Close()
		}
		wg.Wait()
		return cpu
	}

	// recorded: the recorder, with a clip of the whole window of every camera.
	recorded := func() (float64, int64) {
		f, stop := startFeeds(b, video.NewFeeds(appCams, video.Config{}, nil, nil))
		defer stop()
		r := video.NewRecorder(f, video.RecorderConfig{Dir: filepath.Join(b.TempDir(), "clips"), Log: quiet})
		defer run(b, r)()
		r.Keep(ids, true, window)
		for _, id := range ids {
			waitHeld(b, r, id, 2*time.Second)
		}
		var bytes int64
		var mu sync.Mutex
		var files []string
		cpu := measure(window, func(from, to time.Time) {
			var wg sync.WaitGroup
			for _, id := range ids {
				wg.Add(1)
				go func() {
					defer wg.Done()
					clip, err := r.Clip(context.Background(), app.ClipRequest{CameraID: id, From: from, To: to, Name: id + "-bench"})
					if err != nil {
						b.Error(err)
						return
					}
					mu.Lock()
					bytes += clip.Bytes
					files = append(files, clip.File)
					mu.Unlock()
				}()
			}
			wg.Wait()
		})
		if len(files) != cams {
			b.Fatalf("recorded: %d clips written for %d cameras", len(files), cams)
		}
		for _, file := range files {
			if n := clipPackets(b, file); n < least {
				b.Fatalf("recorded: %s holds %d frames of a %s window (%d fps sent)", file, n, window, fps)
			}
		}
		return cpu, bytes
	}

	// watched: decoded for a tile.
	watched := func() (float64, int64) {
		f, stop := startFeeds(b, video.NewFeeds(appCams, video.Config{}, nil, nil))
		defer stop()
		var wg sync.WaitGroup
		var vs []app.Viewer
		done := make(chan struct{})
		counts := make([]atomic.Int64, cams)
		for i, id := range ids {
			v, err := f.Watch(id, true, 320, 180)
			if err != nil {
				b.Fatal(err)
			}
			vs = append(vs, v)
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case fr := <-v.Frames():
						counts[i].Add(1)
						fr.Release()
					case <-done:
						return
					}
				}
			}()
		}
		time.Sleep(3 * time.Second)
		before := make([]int64, cams)
		for i := range counts {
			before[i] = counts[i].Load()
		}
		cpu := measure(window, nil)
		var frames int64
		for i := range counts {
			got := counts[i].Load() - before[i]
			if got == 0 {
				b.Fatalf("watched: no frame of %s decoded in %s", ids[i], window)
			}
			frames += got
		}
		close(done) // a viewer's queue is not closed by Close
		wg.Wait()
		for _, v := range vs {
			v.Close()
		}
		return cpu, frames
	}

	for i := 0; i < b.N; i++ {
		var base, rec, dec, recAdds, decAdds []float64
		var bytes, frames int64
		for range rounds {
			bs := received()
			rc, by := recorded()
			dc, fr := watched()
			base, rec, dec = append(base, bs), append(rec, rc), append(dec, dc)
			recAdds, decAdds = append(recAdds, (rc-bs)/cams), append(decAdds, (dc-bs)/cams)
			bytes, frames = bytes+by, frames+fr
		}
		b.ReportMetric(median(recAdds), "rec-core/cam")
		b.ReportMetric(median(decAdds), "decode-core/cam")
		b.ReportMetric(rangeOf(base)/cams, "received-spread-core/cam")
		fmt.Printf("bench: recording, %d cameras 720p 2 Mbit/s 15 fps, %d rounds of %s windows (median, min–max): received %s cores, recorded %s cores (%d clips, %.1f MB written), watched (decoded, %.0f frames/s) %s cores\n",
			cams, rounds, window, mmm(base), mmm(rec), cams*rounds, float64(bytes)/1e6, float64(frames)/float64(rounds)/window.Seconds(), mmm(dec))
		fmt.Printf("bench: recording adds %s core a camera (limit 0.05); decoding the same stream would add %s; the received phase alone varies by %.4f core a camera between rounds\n",
			mmm(recAdds), mmm(decAdds), rangeOf(base)/cams)
	}
}

// clipPackets counts the video packets (frames) of a clip with ffprobe (no decoding).
func clipPackets(b *testing.B, file string) int64 {
	out, err := exec.Command("ffprobe", "-v", "error", "-count_packets", "-select_streams", "v:0",
		"-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", file).Output()
	if err != nil {
		b.Fatalf("ffprobe %s: %v", file, err)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
	if err != nil {
		b.Fatalf("ffprobe %s: %q", file, out)
	}
	return n
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func rangeOf(xs []float64) float64 { return slices.Max(xs) - slices.Min(xs) }

// mmm is "median (min–max)".
func mmm(xs []float64) string {
	return fmt.Sprintf("%.4f (%.4f–%.4f)", median(xs), slices.Min(xs), slices.Max(xs))
}

// measure returns the process's CPU (cores) over a window of d; during, when not nil, runs
// in the window with its bounds and is waited for (its CPU is counted).
func measure(d time.Duration, during func(from, to time.Time)) float64 {
	cpu0, t0 := cpuTime(), time.Now()
	if during != nil {
		during(t0, t0.Add(d))
	} else {
		time.Sleep(d)
	}
	return (cpuTime() - cpu0).Seconds() / time.Since(t0).Seconds()
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
