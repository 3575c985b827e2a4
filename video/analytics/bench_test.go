package analytics

import (
	"context"
	"fmt"
	"image"
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
func BenchmarkMotion16Cameras(b *testing.B) {
	pics := widePictures(b, 200)
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

	var ours, base time.Duration
	frames := 0
	at := time.Unix(0, 0)
	for n := 0; n < b.N; n++ {
		for k := range pics {
			at = at.Add(200 * time.Millisecond)
			t0 := time.Now()
			for c := range engines {
				engines[c].Process(pics[(k+c*11)%len(pics)], at)
			}
			t1 := time.Now()
			for c := range bare {
				bare[c].apply(small[(k+c*11)%len(pics)], &mask)
			}
			ours += t1.Sub(t0)
			base += time.Since(t1)
			frames++
		}
	}
	perCam := func(d time.Duration) float64 { return d.Seconds() / float64(frames*cams) * 1000 }
	coresAt := func(d time.Duration) float64 { return perCam(d) / 1000 * fps * cams }
	b.ReportMetric(perCam(ours), "ms/frame")
	b.ReportMetric(coresAt(ours), "cores@16x5fps")
	b.ReportMetric(coresAt(base), "bare-MOG2-cores")
	fmt.Printf("motion on 16 cameras at 5 fps (640×360 luma, vtest): %.3f cores (limit 0.3), %.2f ms a frame; bare OpenCV MOG2 on the same frames: %.3f cores (%.2f ms); ours/bare %.2f\n",
		coresAt(ours), perCam(ours), coresAt(base), perCam(base), float64(ours)/float64(base))
}

// BenchmarkDetectorsOnLabeledFootage prints each detector's precision and recall against
// the labels written for the real footage, and the cost of the full set of detectors.
func BenchmarkDetectorsOnLabeledFootage(b *testing.B) {
	l := loadLabels(b)
	for n := 0; n < b.N; n++ {
		r := runClip(b, vtest, labeledConfig(l, fullView), 5)
		ppl := scorePeople(l, r, fullView)
		intr := scoreIntervals([][2]float64{l.LawnOccupied}, [][2]float64{l.LawnEdge}, r.of(app.DetectIntrusion), 3)
		loit := scoreIntervals(l.Loitering, nil, r.of(app.DetectLoitering), 0)
		line := scoreEvents(l.Crossings, l.Ambiguous, r.of(app.DetectLine), func(d app.Detection) string { return d.Detail }, 1.5)
		crowd := scoreIntervals(l.Crowded, l.CrowdedAmbig, r.of(app.DetectCrowd), 0)
		ms := float64(r.cost.Microseconds()) / 1000 / float64(r.frames)
		fmt.Printf("vtest.avi, 5 fps, labels in testdata/vtest-labels.json (%.1f ms a frame with intrusion, loitering, crowd, line on):\n", ms)
		for _, x := range []struct {
			name string
			s    tally
		}{{"people (HOG on moving regions)", ppl}, {"intrusion (lawn)", intr}, {"loitering (lawn, 8 s)", loit}, {"line crossing", line}, {"crowd (>2 at the sign, 1.5 s)", crowd}} {
			fmt.Printf("  %-32s %v\n", x.name, x.s)
		}
		b.ReportMetric(ppl.precision(), "people-precision")
		b.ReportMetric(ppl.recall(), "people-recall")
		b.ReportMetric(line.recall(), "line-recall")

		falls := runClip(b, fallClip(b, true), app.CameraAnalytics{Detectors: []app.DetectorConfig{{Kind: app.DetectFall, Enabled: true, Seconds: 3}}}, 5).of(app.DetectFall)
		stands := runClip(b, fallClip(b, false), app.CameraAnalytics{Detectors: []app.DetectorConfig{{Kind: app.DetectFall, Enabled: true, Seconds: 3}}}, 5).of(app.DetectFall)
		faces := runClip(b, faceClip(b), app.CameraAnalytics{Detectors: []app.DetectorConfig{{Kind: app.DetectFace, Enabled: true}}}, 5).of(app.DetectFace)
		fmt.Printf("  %-32s %d on the clip where the man falls (1 expected), %d where he stands (0 expected)\n", "fall (composed from vtest)", len(falls), len(stands))
		fmt.Printf("  %-32s %d for one visitor (1–2 expected)\n", "faces (gocv's photograph)", len(faces))
	}
}
