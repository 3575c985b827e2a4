package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"io"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"watchpost/app"
	"watchpost/assets"
	"watchpost/video"
)

// The camera wall measured for real: the console binary in a real window under Xvfb,
// showing N live tiles of simulated cameras (the simulator runs as a separate process,
// so its encoding is not counted). Figures, from one run on the same simulator and display:
//
//   - the wall: the console's CPU in cores and its resident memory, the frames painted into
//     the window per second (what the operator sees, not what is handed to the canvas) in
//     all and on its worst-served tile, camera send → painted p95, and how long the UI
//     thread made a batch of frames wait (p95): the wall's own stats, logged every 5 s; a
//     p95 is the worst of the 5-second windows measured;
//   - decode_cores: receiving and decoding the same streams at the tiles' size without a
//     window (video.Feeds in this benchmark's own process, which does nothing else then);
//   - floor_cores: the same console, window and tiles showing still pictures handed over at
//     the cameras' rate (WATCHPOST_WALL_STATIC, ui/wall_static.go): Fyne's own cost of
//     painting the wall, with nothing received or decoded;
//   - the peer: N ffplay windows of the tile's size, each playing one camera's sub stream
//     (what a guard would get from a plain player): their CPU and memory in all, and the
//     frames they dropped.
//
// It fails when a subject did not run: the console (live or still) exited, or its wall
// logged no frames of all N tiles; decoding delivered no frames; an ffplay exited or
// played nothing.

func BenchmarkWall16(b *testing.B) { benchWall(b, 16) }
func BenchmarkWall36(b *testing.B) { benchWall(b, 36) }

// BenchmarkWall64: more than two cores can decode and paint at full rate; what must hold is
// that the window stays responsive and every tile gets its share.
func BenchmarkWall64(b *testing.B) { benchWall(b, 64) }

const (
	wallWarmUp  = 60 * time.Second // the most the wall may take to show every tile playing
	wallMeasure = 20 * time.Second
	wallFPS     = 15 // the simulator's sub streams
)

func freeTCP(b *testing.B) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// child is a started process whose end is noticed (exited is closed when it ends) and
// whose standard error is kept.
type child struct {
	cmd    *exec.Cmd
	exited chan struct{}
	mu     sync.Mutex
	stderr bytes.Buffer
	err    error
}

func (p *child) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stderr.Len() < 1<<20 {
		p.stderr.Write(b)
	}
	return len(b), nil
}

func (p *child) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

func (p *child) alive() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// why says how the process ended (or that it runs).
func (p *child) why() string {
	if p.alive() {
		return "running"
	}
	return fmt.Sprintf("exited (%v)", p.err)
}

func startChild(b *testing.B, env []string, name string, args ...string) *child {
	p := &child{cmd: exec.Command(name, args...), exited: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stderr = p
	if err := p.cmd.Start(); err != nil {
		b.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.exited) }()
	b.Cleanup(p.stop)
	return p
}

func (p *child) stop() {
	if p.alive() {
		_ = p.cmd.Process.Kill()
	}
	<-p.exited
}

func benchWall(b *testing.B, n int) {
	for _, bin := range []string{"Xvfb", "ffmpeg", "ffplay"} {
		if _, err := exec.LookPath(bin); err != nil {
			b.Skipf("%s is not installed (make bench installs it)", bin)
		}
	}
	display := startXvfb(b) // xvfb_test.go: Xvfb picks the display (-displayfd)

	rtsp := fmt.Sprintf("127.0.0.1:%d", freeTCP(b))
	// The simulator shares 8 encoded streams among the cameras, so that its own load (a
	// separate process on the same two cores) does not starve the console being measured;
	// the console still receives and decodes one stream per tile.
	sim := startChild(b, nil, binary, "sim", "--cameras", strconv.Itoa(n), "--listen", rtsp, "--distinct", "8")

	site := benchSite(b, rtsp, n)

	wall := measureConsole(b, "the wall", display, site, sim, n, nil)
	floor := measureConsole(b, "the painting floor (still pictures)", display, site, sim, n, []string{"WATCHPOST_WALL_STATIC=" + strconv.Itoa(wallFPS)})
	decode := measureDecode(b, site.Cameras, wall.tile)
	// The peer: ffplay windows of the tile's size in the same grid, on the same streams.
	peer := measureFFplay(b, display, rtsp, n)

	b.ReportMetric(wall.cores, "cores")
	b.ReportMetric(wall.painted, "painted_fps")
	b.ReportMetric(wall.p95, "captured_to_screen_p95_ms")
	b.ReportMetric(wall.lag, "ui_lag_p95_ms")
	b.ReportMetric(wall.rss, "rss_MB")
	b.ReportMetric(wall.minTile, "min_tile_fps")
	b.ReportMetric(wall.minTile/(wall.painted/float64(n)), "min_tile_share") // of the mean tile's rate
	b.ReportMetric(decode.cores, "decode_cores")
	b.ReportMetric(floor.cores, "floor_cores")
	b.ReportMetric(peer.cores, "ffplay_cores")
	b.ReportMetric(peer.rss, "ffplay_rss_MB")
	b.ReportMetric(float64(peer.dropped), "ffplay_dropped")
	b.ReportMetric(peer.fps, "ffplay_fps")
	fmt.Printf("bench: wall of %d tiles (%dx%d px each) under Xvfb, %s measured each, one run (the simulator took %.2f cores of the same machine meanwhile):\n"+
		"bench:   watchpost   %.2f cores, %.0f MB, %.1f of %d frames/s painted (worst tile %.1f), %.1f window paints/s, send → painted p50 ≤ %.0f ms, p95 ≤ %.0f ms, UI lag p95 ≤ %.0f ms (handed to the canvas %.1f frames/s)\n"+
		"bench:   decoding alone (no window) %.2f cores, %.1f frames/s decoded\n"+
		"bench:   painting floor (still pictures, same window) %.2f cores, %.0f MB, %.1f frames/s painted, %.1f window paints/s, handed → painted p95 ≤ %.0f ms, UI lag p95 ≤ %.0f ms; decode + floor = %.2f cores, watchpost − (decode + floor) = %+.2f\n"+
		"bench:   %d ffplay windows %dx%d on the same streams: %.2f cores, %.0f MB in all, ≈%.0f frames/s on screen (%d dropped, %.0f s played each at least); watchpost/ffplay %.2f cores\n",
		n, wall.tile.X, wall.tile.Y, wallMeasure, wall.sim,
		wall.cores, wall.rss, wall.painted, n*wallFPS, wall.minTile, wall.paints, wall.p50, wall.p95, wall.lag, wall.handed,
		decode.cores, decode.fps,
		floor.cores, floor.rss, floor.painted, floor.paints, floor.p95, floor.lag, decode.cores+floor.cores, wall.cores-decode.cores-floor.cores,
		n, peer.w, peer.h, peer.cores, peer.rss, peer.fps, peer.dropped, peer.played, wall.cores/peer.cores)
	// Checked after the figures are printed, so that a floor that fails still says what it did.
	if floor.painted < float64(n*wallFPS)/2 {
		b.Fatalf("the painting floor painted %.1f frames/s of the %d handed to it: the still pictures did not reach the screen, its cost would be understated", floor.painted, n*wallFPS)
	}
}

// consoleFigures are a console's figures over the measured window.
type consoleFigures struct {
	cores, rss               float64
	painted, handed, minTile float64 // frames per second
	paints                   float64 // window paints per second that put new frames on screen
	p50, p95, lag            float64 // ms: the worst 5-second window's
	tile                     image.Point
	sim                      float64 // the simulator's cores meanwhile (not counted: the cameras' work)
}

// measureConsole starts a console on its own data directory with the site, waits until its
// wall paints every tile, and measures it; the console is stopped when it returns.
func measureConsole(b *testing.B, what, display string, site *app.Site, sim *child, n int, env []string) consoleFigures {
	// The console records the sub streams it already receives (as the demo does): recording
	// the main streams would make the simulator encode n 720p streams on the same two cores
	// (a cost a real site's cameras bear), and keep their last 15 s in the console's memory.
	dir, cfg := benchDataDir(b, site, "sub")
	logPath := filepath.Join(dir, "logs", "watchpost.log")

	console := startChild(b, append([]string{"DISPLAY=" + display, "WATCHPOST_WALL_STATS=5s"}, env...), binary, "--data", dir, "--config", cfg, "--no-sim")
	defer console.stop()
	failed := func(format string, args ...any) {
		b.Helper()
		b.Fatalf("%s: %s\nconsole: %s; simulator: %s\nthe console's log ends:\n%s\nits standard error ends:\n%s",
			what, fmt.Sprintf(format, args...), console.why(), sim.why(), lastLines(readLog(logPath), 15), lastLines(console.output(), 15))
	}
	playing := func(s map[string]float64) bool {
		return s["tiles"] == float64(n) && s["painted_fps"] > 0 && s["min_tile_fps"] > 0
	}
	// Wait until the wall paints every tile (a stats line with all tiles painting).
	deadline := time.Now().Add(wallWarmUp)
	for {
		if !console.alive() {
			failed("the console ended before its wall played")
		}
		if s := wallStats(readLog(logPath)); len(s) > 0 && playing(s[len(s)-1]) {
			break
		}
		if time.Now().After(deadline) {
			failed("the wall did not paint %d tiles within %s", n, wallWarmUp)
		}
		time.Sleep(500 * time.Millisecond)
	}
	b.ResetTimer()
	before := len(wallStats(readLog(logPath)))
	sim0 := treeCPU(sim.cmd.Process.Pid)
	cpu0, t0 := procCPU(b, console.cmd.Process.Pid), time.Now()
	time.Sleep(wallMeasure)
	if !console.alive() {
		failed("the console ended while it was measured")
	}
	cpu1, t1 := procCPU(b, console.cmd.Process.Pid), time.Now()
	simCores := (treeCPU(sim.cmd.Process.Pid) - sim0) / t1.Sub(t0).Seconds()
	b.StopTimer()
	f := consoleFigures{rss: procRSS(b, console.cmd.Process.Pid), cores: (cpu1 - cpu0) / t1.Sub(t0).Seconds(), minTile: math.Inf(1), sim: simCores}
	// The stats lines logged during the window: every one with all tiles painting.
	window := wallStats(readLog(logPath))[before:]
	if len(window) < 2 {
		failed("the wall logged %d stats lines in %s (one each 5 s)", len(window), wallMeasure)
	}
	for _, s := range window {
		if !playing(s) {
			failed("the wall stopped painting a tile: %v", s)
		}
		k := float64(len(window))
		f.painted += s["painted_fps"] / k
		f.handed += s["handed_fps"] / k
		f.paints += s["paints_per_s"] / k
		f.minTile = min(f.minTile, s["min_tile_fps"])
		f.p50, f.p95 = max(f.p50, s["captured_to_screen_p50_ms"]), max(f.p95, s["captured_to_screen_p95_ms"])
		f.lag = max(f.lag, s["ui_lag_p95_ms"])
		f.tile = image.Pt(int(s["tile_w"]), int(s["tile_h"]))
	}
	if f.cores <= 0 {
		failed("the console used no CPU while its wall played")
	}
	if f.tile.X <= 0 || f.tile.Y <= 0 {
		failed("the wall logged no tile size")
	}
	return f
}

type decodeFigures struct{ cores, fps float64 }

// measureDecode receives and decodes the cameras' sub streams at the tiles' size, as the
// wall's viewers do but without a window, in this process (which does nothing else in the
// meantime: its CPU is the decoding's), and takes every frame as soon as it is delivered.
func measureDecode(b *testing.B, cams []app.Camera, size image.Point) decodeFigures {
	feeds := video.NewFeeds(cams, video.Config{}, nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{})
	go func() { _ = feeds.Run(ctx); close(ran) }()
	defer func() { cancel(); <-ran }()
	if err := feeds.WaitRunning(ctx); err != nil {
		b.Fatal(err)
	}
	counts := make([]atomic.Int64, len(cams))
	var drained sync.WaitGroup
	defer drained.Wait()
	defer cancel()
	for i, cam := range cams {
		v, err := feeds.Watch(cam.ID, false, size.X, size.Y)
		if err != nil {
			b.Fatalf("decoding alone: %s: %v", cam.ID, err)
		}
		drained.Add(1)
		go func() {
			defer drained.Done()
			defer v.Close()
			for {
				select {
				case f := <-v.Frames():
					if f != nil && f.Image != nil && f.Image.Rect.Size() == size {
						counts[i].Add(1)
					}
					f.Release()
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	deadline := time.Now().Add(wallWarmUp)
	for i := range cams {
		for counts[i].Load() < wallFPS {
			if time.Now().After(deadline) {
				b.Fatalf("decoding alone: %s delivered %d frames of %v in %s", cams[i].ID, counts[i].Load(), size, wallWarmUp)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	total := func() (n int64) {
		for i := range counts {
			n += counts[i].Load()
		}
		return n
	}
	n0, cpu0, t0 := total(), procCPU(b, os.Getpid()), time.Now()
	time.Sleep(wallMeasure)
	n1, cpu1, t1 := total(), procCPU(b, os.Getpid()), time.Now()
	f := decodeFigures{cores: (cpu1 - cpu0) / t1.Sub(t0).Seconds(), fps: float64(n1-n0) / t1.Sub(t0).Seconds()}
	if f.fps < float64(len(cams)*wallFPS)/2 {
		b.Fatalf("decoding alone delivered %.1f frames/s of %d sent", f.fps, len(cams)*wallFPS)
	}
	return f
}

type ffplayFigures struct {
	w, h       int
	cores, rss float64
	dropped    int
	played     float64 // the least any window played during the measurement, in seconds
	fps        float64 // frames on screen per second in all: played at the stream's rate, less those dropped
}

// ffplay prints, with -stats, a status line per refresh: its clock and the frames it dropped.
var ffplayStatus = regexp.MustCompile(`(-?[0-9.]+) [AMV]-[AMV]: *-?[0-9.]+ fd= *(\d+)`)

// ffplayStatusOf returns the last clock and dropped count an ffplay printed (ok false: none yet).
func ffplayStatusOf(out string) (clock float64, dropped int, ok bool) {
	m := ffplayStatus.FindAllStringSubmatch(out, -1)
	if len(m) == 0 {
		return 0, 0, false
	}
	last := m[len(m)-1]
	clock, _ = strconv.ParseFloat(last[1], 64)
	dropped, _ = strconv.Atoi(last[2])
	return clock, dropped, true
}

func measureFFplay(b *testing.B, display, rtsp string, n int) ffplayFigures {
	cols := int(math.Ceil(math.Sqrt(float64(n))))
	f := ffplayFigures{w: 1600 / cols, h: 1600 / cols * 9 / 16}
	players := make([]*child, n)
	for i := range players {
		players[i] = startChild(b, []string{"DISPLAY=" + display}, "ffplay", "-hide_banner", "-loglevel", "error", "-stats", "-an", "-sn",
			"-rtsp_transport", "tcp", "-noborder", "-x", strconv.Itoa(f.w), "-y", strconv.Itoa(f.h),
			"-left", strconv.Itoa(i%cols*f.w), "-top", strconv.Itoa(i/cols*f.h),
			fmt.Sprintf("rtsp://%s/cam%d/sub", rtsp, i+1))
	}
	failed := func(i int, format string, args ...any) {
		b.Helper()
		b.Fatalf("ffplay %d: %s (%s); its standard error ends:\n%s", i+1, fmt.Sprintf(format, args...), players[i].why(), lastLines(players[i].output(), 5))
	}
	deadline := time.Now().Add(wallWarmUp)
	for i, p := range players {
		for {
			if !p.alive() {
				failed(i, "ended before it played")
			}
			if c, _, ok := ffplayStatusOf(p.output()); ok && c > 1 {
				break
			}
			if time.Now().After(deadline) {
				failed(i, "played nothing within %s", wallWarmUp)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	clock0 := make([]float64, n)
	drop0 := make([]int, n)
	for i, p := range players {
		clock0[i], drop0[i], _ = ffplayStatusOf(p.output())
	}
	cpu := func() (sum float64) {
		for _, p := range players {
			sum += procCPU(b, p.cmd.Process.Pid)
		}
		return sum
	}
	cpu0, t0 := cpu(), time.Now()
	time.Sleep(wallMeasure)
	for i, p := range players {
		if !p.alive() {
			failed(i, "ended while it was measured")
		}
	}
	cpu1, t1 := cpu(), time.Now()
	f.cores = (cpu1 - cpu0) / t1.Sub(t0).Seconds()
	f.played = math.Inf(1)
	for i, p := range players {
		f.rss += procRSS(b, p.cmd.Process.Pid)
		clock, dropped, _ := ffplayStatusOf(p.output())
		if clock-clock0[i] < wallMeasure.Seconds()/2 {
			failed(i, "played %.1f s of %s", clock-clock0[i], wallMeasure)
		}
		f.played = min(f.played, clock-clock0[i])
		f.dropped += dropped - drop0[i]
		f.fps += (clock - clock0[i]) * wallFPS
	}
	f.fps = (f.fps - float64(f.dropped)) / t1.Sub(t0).Seconds()
	for _, p := range players {
		p.stop()
	}
	return f
}

// treeCPU returns the CPU seconds of a process and of its children (the simulator's ffmpeg
// processes) that run; 0 for a process that is gone.
func treeCPU(pid int) float64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+2:]))
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	sum := (ut + st) / 100
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	for _, t := range tasks {
		kids, _ := os.ReadFile(t)
		for _, k := range strings.Fields(string(kids)) {
			if c, err := strconv.Atoi(k); err == nil {
				sum += treeCPU(c)
			}
		}
	}
	return sum
}

// procCPU returns the user+system CPU seconds of a process.
func procCPU(b *testing.B, pid int) float64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatal(err)
	}
	f := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+2:]))
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100 // clock ticks (USER_HZ = 100)
}

func procRSS(b *testing.B, pid int) float64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			kb, _ := strconv.ParseFloat(strings.Fields(line)[1], 64)
			return kb / 1024
		}
	}
	b.Fatalf("no VmRSS for process %d", pid)
	return 0
}

var statAttr = regexp.MustCompile(`(\w+)=(-?[0-9.]+)`)

// wallStats returns the figures of every "wall stats" line of the console's log, oldest first.
func wallStats(log string) []map[string]float64 { return logFigures(log, "wall stats") }

// logFigures returns the numeric attributes of the log's lines with message msg, oldest
// first (a negative number is read as such).
func logFigures(log, msg string) []map[string]float64 {
	var out []map[string]float64
	for _, line := range strings.Split(log, "\n") {
		if !strings.Contains(line, `msg="`+msg+`"`) {
			continue
		}
		s := map[string]float64{}
		for _, m := range statAttr.FindAllStringSubmatch(line, -1) {
			v, _ := strconv.ParseFloat(m[2], 64)
			s[m[1]] = v
		}
		out = append(out, s)
	}
	return out
}

func readLog(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	b, _ := io.ReadAll(f)
	return string(b)
}

// lastLines returns the last n lines of s, after its first few (where a refused start
// says why) when it is longer.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) <= n+5 {
		return strings.Join(lines, "\n")
	}
	return strings.Join(lines[:5], "\n") + "\n…\n" + strings.Join(lines[len(lines)-n:], "\n")
}

// benchSite is a site of n cameras on the simulator at rtsp; marked demo so that the duty
// operator is signed in and the wall (the first panel) shows them all.
func benchSite(b *testing.B, rtsp string, n int) *app.Site {
	demo, err := assets.DemoSite()
	if err != nil {
		b.Fatal(err)
	}
	site := &app.Site{ID: "bench", Names: app.Names{Name: "bench"}, Demo: true, Boundary: app.Polygon{{X: 0, Y: 0}, {X: 100, Y: 0}, {X: 100, Y: 100}, {X: 0, Y: 100}}}
	for i := 1; i <= n; i++ {
		site.Cameras = append(site.Cameras, app.Camera{ID: fmt.Sprintf("cam%d", i), Names: app.Names{Name: fmt.Sprintf("Camera %d", i)},
			MainURL: fmt.Sprintf("rtsp://%s/cam%d/main", rtsp, i), SubURL: fmt.Sprintf("rtsp://%s/cam%d/sub", rtsp, i),
			Position: app.Point{X: 50, Y: 50}})
	}
	site.Contacts = demo.Contacts
	return site
}

// benchDataDir is a data directory with only the site and its duty operator set up (the
// console sets up the rest at its first start; the store is closed before it opens it), and
// a configuration that records the cameras' recording ("main" or "sub") streams.
func benchDataDir(b *testing.B, site *app.Site, recording string) (dir, cfg string) {
	dir = b.TempDir()
	_, st := newCoreWith(b, dir, app.Ports{Seeds: app.Seeds{
		DemoSite: func() (*app.Site, error) { return site, nil },
		DemoAccounts: func() ([]app.DemoAccount, error) {
			return []app.DemoAccount{{Operator: app.Operator{Username: "duty", Name: "值班员", Role: app.RoleOperator}, Password: "sunshine-demo"}}, nil
		}}})
	if err := st.Close(); err != nil {
		b.Fatal(err)
	}
	cfg = filepath.Join(dir, "config.json")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(`{"language":"en","broker":{"listen":"127.0.0.1:%d"},"recording":{"stream":%q}}`, freeTCP(b), recording)), 0o600); err != nil {
		b.Fatal(err)
	}
	return dir, cfg
}
