package video_test

import (
	"context"
	"fmt"
	"sync"
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
// cameras), so the differences are ours. The figure to reach: recorded − received ≤ 0.05
// core a camera.
func BenchmarkRecordingCPU(b *testing.B) {
	const cams = 8
	const window = 10 * time.Second
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
		f := newFeeds(b, video.Config{}, appCams...)
		defer f.Close()
		var wg sync.WaitGroup
		var taps []*video.Tap
		for _, id := range ids {
			t, err := f.Tap(id, true)
			if err != nil {
				b.Fatal(err)
			}
			taps = append(taps, t)
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range t.Packets() {
				}
			}()
		}
		time.Sleep(3 * time.Second) // connected and playing
		cpu := measure(window, nil)
		for _, t := range taps {
			t.Close()
		}
		wg.Wait()
		return cpu
	}

	// recorded: the recorder, with a clip of the whole window of every camera.
	recorded := func() (float64, int64) {
		f := newFeeds(b, video.Config{}, appCams...)
		defer f.Close()
		r, _ := newRecorder(b, f)
		defer r.Close()
		r.Keep(ids, true, window)
		for _, id := range ids {
			waitHeld(b, r, id, 2*time.Second)
		}
		var bytes int64
		var mu sync.Mutex
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
					mu.Unlock()
				}()
			}
			wg.Wait()
		})
		return cpu, bytes
	}

	// watched: decoded for a tile.
	watched := func() float64 {
		f := newFeeds(b, video.Config{}, appCams...)
		defer f.Close()
		var wg sync.WaitGroup
		var vs []app.Viewer
		done := make(chan struct{})
		for _, id := range ids {
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
						fr.Release()
					case <-done:
						return
					}
				}
			}()
		}
		time.Sleep(3 * time.Second)
		cpu := measure(window, nil)
		close(done) // a viewer's queue is not closed by Close
		wg.Wait()
		for _, v := range vs {
			v.Close()
		}
		return cpu
	}

	for i := 0; i < b.N; i++ {
		base := received()
		rec, bytes := recorded()
		dec := watched()
		perCam := (rec - base) / cams
		b.ReportMetric(perCam, "rec-core/cam")
		b.ReportMetric((dec-base)/cams, "decode-core/cam")
		fmt.Printf("recording bench: %d cameras, 720p 2 Mbit/s 15 fps, %s windows: received %.3f cores, recorded %.3f cores (%d clips, %.1f MB written), watched (decoded) %.3f cores\n",
			cams, window, base, rec, cams, float64(bytes)/1e6, dec)
		fmt.Printf("recording bench: recording adds %.4f core a camera (%.1f%% of a core; limit 5%%); decoding the same stream would add %.4f (recording costs %.0f%% of it)\n",
			perCam, perCam*100, (dec-base)/cams, 100*perCam/max((dec-base)/cams, 1e-9))
	}
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
