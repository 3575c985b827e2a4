package mapdraw

import (
	"fmt"
	"math"
	"math/rand"
	"syscall"
	"testing"
	"time"

	"watchpost/app"
)

// syntheticSite is a large community for the map's benchmarks: 1,600 × 900 m cut into
// 200 grids (20 × 10, each with a notch so they are not plain boxes), 600 buildings, roads
// between the grids, and 5,000 markers (500 cameras, 4,500 devices of every kind).
func syntheticSite(markers, grids int) *app.Site {
	rng := rand.New(rand.NewSource(1))
	const W, H = 1600.0, 900.0
	s := &app.Site{ID: "synthetic", Names: app.Names{Name: "Synthetic"}, Boundary: app.Polygon{{X: 0, Y: 0}, {X: W, Y: 0}, {X: W, Y: H}, {X: 0, Y: H}}}
	cols := 20
	rows := (grids + cols - 1) / cols
	gw, gh := W/float64(cols), H/float64(rows)
	colors := []string{"#6f8fb0", "#7fa36b", "#c2a15e", "#a87a92", "#6fa39b"}
	for k := 0; k < grids; k++ {
		x, y := float64(k%cols)*gw, float64(k/cols)*gh
		s.Grids = append(s.Grids, app.Grid{ID: fmt.Sprintf("g%d", k), Names: app.Names{Name: fmt.Sprintf("第%d网格", k+1), NameEn: fmt.Sprintf("Grid %d", k+1)},
			Area:   app.Polygon{{X: x, Y: y}, {X: x + gw, Y: y}, {X: x + gw, Y: y + gh*0.6}, {X: x + gw*0.8, Y: y + gh*0.6}, {X: x + gw*0.8, Y: y + gh}, {X: x, Y: y + gh}},
			Worker: app.GridWorker{Name: "网格员", Phone: "13800138000"}, Color: colors[k%len(colors)]})
		for b := 0; b < 3; b++ {
			bx, by := x+8+float64(b)*gw/3.2, y+10+float64(b%2)*gh/2.5
			s.Buildings = append(s.Buildings, app.Building{ID: fmt.Sprintf("b%d-%d", k, b), Names: app.Names{Name: fmt.Sprintf("%d号楼", 3*k+b+1)},
				Number: fmt.Sprint(3*k + b + 1), Footprint: app.Polygon{{X: bx, Y: by}, {X: bx + gw/4, Y: by}, {X: bx + gw/4, Y: by + 12}, {X: bx, Y: by + 12}}, GridID: fmt.Sprintf("g%d", k)})
		}
	}
	for c := 1; c < cols; c++ {
		s.Features = append(s.Features, app.Feature{ID: fmt.Sprintf("rv%d", c), Kind: app.FeatureRoad, Names: app.Names{Name: fmt.Sprintf("%d路", c)},
			Line: app.Polyline{{X: float64(c) * gw, Y: 0}, {X: float64(c) * gw, Y: H}}, Width: 6})
	}
	for r := 1; r < rows; r++ {
		s.Features = append(s.Features, app.Feature{ID: fmt.Sprintf("rh%d", r), Kind: app.FeatureRoad, Names: app.Names{Name: fmt.Sprintf("%d街", r)},
			Line: app.Polyline{{X: 0, Y: float64(r) * gh}, {X: W, Y: float64(r) * gh}}, Width: 8})
	}
	s.Features = append(s.Features, app.Feature{ID: "park", Kind: app.FeatureGreen, Names: app.Names{Name: "公园"}, Area: app.Polygon{{X: 700, Y: 400}, {X: 900, Y: 400}, {X: 900, Y: 520}, {X: 700, Y: 520}}},
		app.Feature{ID: "lake", Kind: app.FeatureWater, Names: app.Names{Name: "湖"}, Area: app.Polygon{{X: 750, Y: 430}, {X: 850, Y: 430}, {X: 860, Y: 480}, {X: 760, Y: 490}}})
	ncam := markers / 10
	for i := 0; i < ncam; i++ {
		s.Cameras = append(s.Cameras, app.Camera{ID: fmt.Sprintf("cam%d", i), Names: app.Names{Name: fmt.Sprintf("摄像机%d", i)}, Kind: app.CameraBullet,
			MainURL: "rtsp://127.0.0.1:8554/x", Position: app.Point{X: rng.Float64() * W, Y: rng.Float64() * H}, Direction: rng.Float64() * 359, FOV: 80, Range: 30})
	}
	for i := 0; i < markers-ncam; i++ {
		k := app.DeviceKinds[i%len(app.DeviceKinds)]
		d := app.Device{ID: fmt.Sprintf("dev%d", i), Kind: k, Names: app.Names{Name: fmt.Sprintf("设备%d", i)}, Position: app.Point{X: rng.Float64() * W, Y: rng.Float64() * H}}
		if k == app.KindBracelet {
			d.Person = &app.Person{Name: "老人"}
		}
		s.Devices = append(s.Devices, d)
	}
	return s
}

func benchRenderer(b *testing.B, markers, grids int) *Renderer {
	b.Helper()
	r := New(syntheticSite(markers, grids), Options{Icons: symbols})
	r.Resize(1600, 900)
	r.SetView(Fit(r.Bounds(), 1600, 900, 20))
	r.Render()
	return r
}

// BenchmarkMapFullRedraw: everything drawn from scratch (what a pan or zoom costs) at
// 1600×900 with 5,000 markers and 200 grids, at the fit-site zoom and zoomed in 3×.
func BenchmarkMapFullRedraw(b *testing.B) {
	for _, zoom := range []float64{1, 3} {
		b.Run(fmt.Sprintf("zoom%gx", zoom), func(b *testing.B) {
			r := benchRenderer(b, 5000, 200)
			r.SetView(r.View().ZoomAt(zoom, 800, 450))
			b.ResetTimer()
			start, cpu0 := time.Now(), cpuTime()
			for i := 0; i < b.N; i++ {
				r.Invalidate()
				r.Render()
			}
			b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "ms/frame")
			// CPU time per frame (both halves): what the frame costs whatever else runs on
			// the machine; on an idle machine a frame takes about half of it.
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/frame")
			b.ReportMetric(float64(r.stats.Markers), "markers/frame")
		})
	}
}

// cpuTime is the CPU time this process has used (user and system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkMapStaticCached: a frame whose plan layer is cached (markers and alarms only).
func BenchmarkMapStaticCached(b *testing.B) {
	r := benchRenderer(b, 5000, 200)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		r.Render()
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "ms/frame")
}

// BenchmarkMapBlink: 20 devices and 2 grids with new alarms blink; a blink redraws only
// their rectangles. It reports the pixels and markers a blink touches against a full frame.
func BenchmarkMapBlink(b *testing.B) {
	r := benchRenderer(b, 5000, 200)
	for i := 0; i < 20; i++ {
		r.setLook(i*97, LookBlink, app.P1)
	}
	r.SetGridMarks(map[string]GridMark{"g42": {Prio: app.P1, Blink: true}, "g117": {Prio: app.P2, Blink: true}})
	r.Render()
	full := r.Stats()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		r.Blink()
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "ms/blink")
	b.ReportMetric(float64(r.stats.Pixels), "px/blink")
	b.ReportMetric(float64(r.stats.Markers), "markers/blink")
	b.ReportMetric(float64(full.Pixels), "px/full")
	b.ReportMetric(float64(full.Markers), "markers/full")
}

// BenchmarkMapHitTest: finding the marker under a click among 5,000.
func BenchmarkMapHitTest(b *testing.B) {
	r := benchRenderer(b, 5000, 200)
	rng := rand.New(rand.NewSource(2))
	pts := make([][2]float64, 1024)
	for i := range pts {
		m := &r.scene.markers[rng.Intn(len(r.scene.markers))]
		c := r.View().Px(m.Pos)
		pts[i] = [2]float64{float64(c.X) + rng.Float64()*4, float64(c.Y) + rng.Float64()*4}
	}
	hits := 0
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		p := pts[i%len(pts)]
		if r.hitMarker(p[0], p[1]) >= 0 {
			hits++
		}
	}
	el := time.Since(start)
	b.ReportMetric(float64(el.Nanoseconds())/1000/float64(b.N), "µs/hit")
	b.ReportMetric(math.Round(100*float64(hits)/float64(b.N)), "%found")
}
