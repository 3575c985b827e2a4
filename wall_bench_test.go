package main

import (
	"bytes"
	"fmt"
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
	"testing"
	"time"

	"watchpost/app"
	"watchpost/assets"
)

// The camera wall measured for real: the console binary in a real window under Xvfb,
// showing N live tiles of simulated cameras (the simulator runs as a separate process,
// so its encoding is not counted). Figures: the console's CPU in cores, its resident
// memory, the frames it puts on screen per second, and the latency from the camera's
// send time to the frame handed to the screen (the wall's own stats, from its log).
//
// The peer, in the same run on the same simulator and display: N ffplay windows of the
// tile's size, each playing one camera's sub stream (what a guard would get from a plain
// player): their CPU and memory in all, and the frames they dropped.
//
// It fails when its subject did not run: the console exited, or its wall logged no frames
// of all N tiles over the measured window; and when an ffplay exited or played nothing.

func BenchmarkWall16(b *testing.B) { benchWall(b, 16) }
func BenchmarkWall36(b *testing.B) { benchWall(b, 36) }

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
	dir := b.TempDir()
	display := startXvfb(b) // xvfb_test.go: Xvfb picks the display (-displayfd)

	rtsp := fmt.Sprintf("127.0.0.1:%d", freeTCP(b))
	// The simulator shares 8 encoded streams among the cameras, so that its own load (a
	// separate process on the same two cores) does not starve the console being measured;
	// the console still receives and decodes one stream per tile.
	sim := startChild(b, nil, binary, "sim", "--cameras", strconv.Itoa(n), "--listen", rtsp, "--distinct", "8")

	// A site with n cameras on the simulator; marked demo so the duty operator is signed in
	// and the wall (the first panel) shows them all. It keeps the demo's contacts: the
	// default plans call them, and a console whose plans are not valid does not start.
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
	// Only the site and its duty operator are set up here; the console sets up the rest at
	// its first start. The store is closed before the console opens the data directory.
	_, st := newCoreWith(b, dir, app.Ports{Seeds: app.Seeds{
		DemoSite: func() (*app.Site, error) { return site, nil },
		DemoAccounts: func() ([]app.DemoAccount, error) {
			return []app.DemoAccount{{Operator: app.Operator{Username: "duty", Name: "值班员", Role: app.RoleOperator}, Password: "sunshine-demo"}}, nil
		}}})
	if err := st.Close(); err != nil {
		b.Fatal(err)
	}
	cfg := filepath.Join(dir, "config.json")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(`{"language":"en","broker":{"listen":"127.0.0.1:%d"}}`, freeTCP(b))), 0o600); err != nil {
		b.Fatal(err)
	}
	logPath := filepath.Join(dir, "logs", "watchpost.log")

	console := startChild(b, []string{"DISPLAY=" + display, "WATCHPOST_WALL_STATS=5s"}, binary, "--data", dir, "--config", cfg, "--no-sim")
	failed := func(format string, args ...any) {
		b.Helper()
		b.Fatalf("%s\nconsole: %s; simulator: %s\nthe console's log ends:\n%s\nits standard error ends:\n%s",
			fmt.Sprintf(format, args...), console.why(), sim.why(), lastLines(readLog(logPath), 15), lastLines(console.output(), 15))
	}
	// Wait until the wall shows every tile playing (a stats line with all tiles and frames).
	deadline := time.Now().Add(wallWarmUp)
	for {
		if !console.alive() {
			failed("the console ended before its wall played")
		}
		if s := wallStats(readLog(logPath)); len(s) > 0 && s[len(s)-1]["tiles"] == float64(n) && s[len(s)-1]["fps"] > 0 {
			break
		}
		if time.Now().After(deadline) {
			failed("the wall did not show %d tiles playing within %s", n, wallWarmUp)
		}
		time.Sleep(500 * time.Millisecond)
	}
	b.ResetTimer()
	before := len(wallStats(readLog(logPath)))
	cpu0, t0 := procCPU(b, console.cmd.Process.Pid), time.Now()
	time.Sleep(wallMeasure)
	if !console.alive() {
		failed("the console ended while it was measured")
	}
	cpu1, t1 := procCPU(b, console.cmd.Process.Pid), time.Now()
	b.StopTimer()
	rss := procRSS(b, console.cmd.Process.Pid)
	// The stats lines logged during the window: every one with all tiles and frames on screen.
	window := wallStats(readLog(logPath))[before:]
	if len(window) < 2 {
		failed("the wall logged %d stats lines in %s (one each 5 s)", len(window), wallMeasure)
	}
	var fps, p50, p95 float64
	for _, s := range window {
		if s["tiles"] != float64(n) || s["fps"] <= 0 {
			failed("the wall stopped playing: %v", s)
		}
		fps += s["fps"] / float64(len(window))
		p50, p95 = max(p50, s["captured_to_screen_p50_ms"]), max(p95, s["captured_to_screen_p95_ms"])
	}
	cores := (cpu1 - cpu0) / t1.Sub(t0).Seconds()
	if cores <= 0 {
		failed("the console used no CPU while its wall played")
	}
	console.stop()

	// The peer: ffplay windows of the tile's size in the same grid, on the same streams.
	peer := measureFFplay(b, display, rtsp, n)

	b.ReportMetric(cores, "cores")
	b.ReportMetric(rss, "rss_MB")
	b.ReportMetric(fps, "fps")
	b.ReportMetric(p95, "captured_to_screen_p95_ms")
	b.ReportMetric(peer.cores, "ffplay_cores")
	b.ReportMetric(peer.rss, "ffplay_rss_MB")
	b.ReportMetric(float64(peer.dropped), "ffplay_dropped")
	b.ReportMetric(peer.fps, "ffplay_fps")
	b.ReportMetric(cores/peer.cores, "cores/ffplay")
	fmt.Printf("bench: wall of %d tiles under Xvfb, %s measured: watchpost %.2f cores, %.0f MB, %.1f frames/s on screen of %d sent (%d stats lines), send → screen p50 ≤ %.0f ms, p95 ≤ %.0f ms; "+
		"%d ffplay windows %dx%d on the same streams, same run: %.2f cores, %.0f MB in all, ≈%.0f frames/s on screen (%d dropped, %.0f s played each at least); watchpost/ffplay %.2f cores, %.2f of the frames\n",
		n, wallMeasure, cores, rss, fps, n*wallFPS, len(window), p50, p95, n, peer.w, peer.h, peer.cores, peer.rss, peer.fps, peer.dropped, peer.played, cores/peer.cores, fps/peer.fps)
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

var statAttr = regexp.MustCompile(`(\w+)=([0-9.]+)`)

// wallStats returns the figures of every "wall stats" line of the console's log, oldest first.
func wallStats(log string) []map[string]float64 {
	var out []map[string]float64
	for _, line := range strings.Split(log, "\n") {
		if !strings.Contains(line, `msg="wall stats"`) {
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
