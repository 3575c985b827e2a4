package analytics

import (
	"context"
	"fmt"
	"image"
	"runtime"
	"syscall"
	"testing"
	"time"

	"gocv.io/x/gocv"

	"watchpost/app"
)

// Figures for `make bench` (compare within one run: the machines are shared).

// widePictures decodes n luma pictures of vtest as the simulator's 640×360 sub stream shows it.
func widePictures(b *testing.B, n int) []*image.Gray {
	b.Helper()
	wide := ffmpegClip(b, "wide.mkv", "-i", vtest, "-vf", "crop=768:432,scale=640:360", "-c:v", "libx264", "-preset", "ultrafast", "-qp", "18")
	var out []*image.Gray
	err := ReadClip(context.Background(), wide, 5, func(img *image.Gray, _ time.Duration) error {
		if len(out) < n {
			c := image.NewGray(img.Rect)
			copy(c.Pix, img.Pix)
			out = append(out, c)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return out
}

// BenchmarkMotion16Cameras: motion detection on 16 cameras at 5 frames a second, next to
// the cost of bare OpenCV background subtraction on the same frames (the limit: our path
// adds the copy into OpenCV, the downscale, the clean-up, contours and tracking).
//
// Cost is the CPU time of the benchmark's own thread (getrusage RUSAGE_THREAD): the
// goroutine is locked to its OS thread and OpenCV runs on one thread (TestMain, as the
// Manager runs it), so every engine call and every bare MOG2 call is on that thread; the
// Go runtime's background work (GC workers) on other threads is left out, and printed
// apart as the rest of the process's CPU. It fails when a frame was not analysed, a
// detector failed, or a camera saw no motion in footage full of walking people.
func BenchmarkMotion16Cameras(b *testing.B) {
	pics := widePictures(b, 200)
	if len(pics) < 100 {
		b.Fatalf("%d pictures decoded from vtest, want 200", len(pics))
	}
	const cams, fps = 16, 5.0
	cfg := app.CameraAnalytics{Detectors: []app.DetectorConfig{{Kind: app.DetectMotion, Enabled: true}}}
	engines := make([]*Engine, cams)
	for i := range engines {
		engines[i] = NewEngine(fmt.Sprint(i), cfg, Options{IgnoreSchedule: true})
		defer engines[i].Close()
	}
	// Bare MOG2 on the same pictures, already at its 320×180 (what our path hands it).
	bare := make([]*mog2, cams)
	small := make([]gocv.Mat, len(pics))
	var gm grayMat
	for i, p := range pics {
		small[i] = gocv.NewMat()
		gocv.Resize(gm.load(p), &small[i], image.Pt(320, 180), 0, 0, gocv.InterpolationArea)
		defer small[i].Close()
	}
	gm.close()
	for i := range bare {
		bare[i] = newMOG2(1905, 16) // the history the engine uses at 5 fps
		defer bare[i].close()
	}
	mask := gocv.NewMat()
	defer mask.Close()

	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var ours, base time.Duration
	frames, foreground := 0, 0
	detections := make([]int, cams)
	at := time.Unix(0, 0)
	proc0, wall0 := processCPU(b), time.Now()
	for n := 0; n < b.N; n++ {
		for k := range pics {
			at = at.Add(200 * time.Millisecond)
			t0 := threadCPU(b)
			for c := range engines {
				detections[c] += len(engines[c].Process(pics[(k+c*11)%len(pics)], at).Detections)
			}
			t1 := threadCPU(b)
			for c := range bare {
				bare[c].apply(small[(k+c*11)%len(pics)], &mask)
			}
			t2 := threadCPU(b)
			foreground += gocv.CountNonZero(mask) // the last camera's: the peer ran
			ours += t1 - t0
			base += t2 - t1
			frames++
		}
	}
	proc, wall := processCPU(b)-proc0, time.Since(wall0)
	b.StopTimer()
	total := 0
	for c, e := range engines {
		if e.Frames() != frames {
			b.Errorf("camera %d analysed %d of %d frames", c, e.Frames(), frames)
		}
		for _, st := range e.Statuses(at) {
			if st.Failed != "" {
				b.Errorf("camera %d: detector %s failed: %s", c, st.Kind, st.Failed)
			}
		}
		if detections[c] == 0 {
			b.Errorf("camera %d reported no motion in %d frames of people walking", c, frames)
		}
		total += detections[c]
	}
	if foreground == 0 {
		b.Error("bare MOG2 found no foreground at all")
	}
	if ours <= 0 || base <= 0 {
		b.Errorf("no thread CPU measured (ours %v, bare %v)", ours, base)
	}
	if b.Failed() {
		return // no figure of a run that did not happen
	}
	perCam := func(d time.Duration) float64 { return d.Seconds() / float64(frames*cams) * 1000 }
	coresAt := func(d time.Duration) float64 { return perCam(d) / 1000 * fps * cams }
	b.ReportMetric(perCam(ours), "cpu-ms/frame")
	b.ReportMetric(coresAt(ours), "cores@16x5fps")
	b.ReportMetric(coresAt(base), "bare-MOG2-cores")
	b.ReportMetric(float64(ours)/float64(base), "ours/bare")
	b.ReportMetric(float64(frames*cams), "frames")
	b.ReportMetric(float64(total), "motion-reports")
	fmt.Printf("bench: motion on 16 cameras at 5 fps (640×360 luma, vtest, %d frames, %d motion reports): %.3f cores (limit 0.3), %.2f CPU ms a frame; bare OpenCV MOG2 on the same frames: %.3f cores (%.2f ms); ours/bare %.2f (thread CPU; the rest of the process: %.2f s of %.2f s wall)\n",
		frames*cams, total, coresAt(ours), perCam(ours), coresAt(base), perCam(base), float64(ours)/float64(base), (proc - ours - base).Seconds(), wall.Seconds())
}

// threadCPU is the CPU time of the calling OS thread (the caller locks its goroutine to it).
func threadCPU(b *testing.B) time.Duration {
	const rusageThread = 1 // RUSAGE_THREAD (Linux)
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// processCPU is the CPU time of the whole process (every thread).
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkDetectorsOnLabeledFootage prints each detector's precision and recall against
// the labels written for the real footage, with the number of labeled cases each rests on,
// and the cost of the full set of detectors. It fails when a clip was not analysed or a
// detector failed (runClip), or when the people detector found nobody at all.
func BenchmarkDetectorsOnLabeledFootage(b *testing.B) {
	l := loadLabels(b)
	for n := 0; n < b.N; n++ {
		r := runClip(b, vtest, labeledConfig(l, fullView), 5)
		ppl := scorePeople(l, r, fullView)
		if r.frames == 0 || ppl.tp == 0 {
			b.Fatalf("the detectors did not run on vtest (%d frames analysed, %d people found)", r.frames, ppl.tp)
		}
		intr := scoreIntervals([][2]float64{l.LawnOccupied}, [][2]float64{l.LawnEdge}, r.of(app.DetectIntrusion), 3)
		loit := scoreIntervals(l.Loitering, nil, r.of(app.DetectLoitering), 0)
		line := scoreEvents(l.Crossings, l.Ambiguous, r.of(app.DetectLine), func(d app.Detection) string { return d.Detail }, 1.5)
		crowd := scoreIntervals(l.Crowded, l.CrowdedAmbig, r.of(app.DetectCrowd), 0)
		ms := float64(r.cost.Microseconds()) / 1000 / float64(r.frames)
		fmt.Printf("bench: detectors on vtest.avi, 5 fps, %d frames, labels in testdata/vtest-labels.json (%.1f ms a frame with intrusion, loitering, crowd, line on):\n", r.frames, ms)
		for _, x := range []struct {
			name, metric, cases string
			s                   tally
		}{
			{"people (HOG on moving regions)", "people", "labeled people in 1-s samples", ppl},
			{"intrusion (lawn)", "intrusion", "labeled interval", intr},
			{"loitering (lawn, 8 s)", "loitering", "labeled interval", loit},
			{"line crossing", "line", "labeled crossings", line},
			{"crowd (>2 at the sign, 1.5 s)", "crowd", "labeled intervals", crowd},
		} {
			fmt.Printf("bench:   %-32s %v; %d %s\n", x.name, x.s, x.s.tp+x.s.fn, x.cases)
			b.ReportMetric(x.s.precision(), x.metric+"-precision")
			b.ReportMetric(x.s.recall(), x.metric+"-recall")
			b.ReportMetric(float64(x.s.tp+x.s.fn), x.metric+"-labeled")
		}

		fall := app.CameraAnalytics{Detectors: []app.DetectorConfig{{Kind: app.DetectFall, Enabled: true, Seconds: 3}}}
		fr, sr := runClip(b, fallClip(b, true), fall, 5), runClip(b, fallClip(b, false), fall, 5)
		fc := runClip(b, faceClip(b), app.CameraAnalytics{Detectors: []app.DetectorConfig{{Kind: app.DetectFace, Enabled: true}}}, 5)
		if fr.frames == 0 || sr.frames == 0 || fc.frames == 0 {
			b.Fatalf("a clip was not analysed (fall %d, stand %d, face %d frames)", fr.frames, sr.frames, fc.frames)
		}
		falls, stands, faces := len(fr.of(app.DetectFall)), len(sr.of(app.DetectFall)), len(fc.of(app.DetectFace))
		fmt.Printf("bench:   %-32s %d on the clip where the man falls (1 expected), %d where he stands (0 expected); 1 clip each\n", "fall (composed from vtest)", falls, stands)
		fmt.Printf("bench:   %-32s %d for one visitor (1–2 expected); 1 clip\n", "faces (gocv's photograph)", faces)
		b.ReportMetric(float64(falls), "falls-on-fall-clip")
		b.ReportMetric(float64(stands), "falls-on-stand-clip")
		b.ReportMetric(float64(faces), "faces-for-1-visitor")
	}
}
