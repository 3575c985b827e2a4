package main

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"watchpost/app"
	"watchpost/store"
)

// The camera wall measured for real: the console binary in a real window under Xvfb,
// showing N live tiles of simulated cameras (the simulator runs as a separate process,
// so its encoding is not counted). Figures: the console's CPU in cores, its resident
// memory, the frames it puts on screen per second, and the latency from the camera's
// send time to the frame handed to the screen (the wall's own stats, from its log).

func BenchmarkWall16(b *testing.B) { benchWall(b, 16) }
func BenchmarkWall36(b *testing.B) { benchWall(b, 36) }

func freeTCP(b *testing.B) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func benchWall(b *testing.B, n int) {
	for _, bin := range []string{"Xvfb", "ffmpeg"} {
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
	sim := exec.Command(binary, "sim", "--cameras", strconv.Itoa(n), "--listen", rtsp, "--distinct", "8")
	if err := sim.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { _ = sim.Process.Kill(); _ = sim.Wait() }()

	// A site with n cameras on the simulator; marked demo so the duty operator is signed in
	// and the wall (the first panel) shows them all.
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dir, store.FileName), store.Options{Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	rec := app.NewRecorder(st, app.NewBus())
	site := &app.Site{ID: "bench", Names: app.Names{Name: "bench"}, Demo: true, Boundary: app.Polygon{{X: 0, Y: 0}, {X: 100, Y: 0}, {X: 100, Y: 100}, {X: 0, Y: 100}}}
	for i := 1; i <= n; i++ {
		site.Cameras = append(site.Cameras, app.Camera{ID: fmt.Sprintf("cam%d", i), Names: app.Names{Name: fmt.Sprintf("Camera %d", i)},
			MainURL: fmt.Sprintf("rtsp://%s/cam%d/main", rtsp, i), SubURL: fmt.Sprintf("rtsp://%s/cam%d/sub", rtsp, i),
			Position: app.Point{X: 50, Y: 50}})
	}
	acc := app.NewAccounts(st, rec, app.SystemClock{})
	if err := app.SeedDemo(ctx, app.NewInventory(st, rec), acc, site,
		[]app.DemoAccount{{Operator: app.Operator{Username: "duty", Name: "值班员", Role: app.RoleOperator}, Password: "sunshine-demo"}}); err != nil {
		b.Fatal(err)
	}
	st.Close()
	cfg := filepath.Join(dir, "config.json")
	_ = os.WriteFile(cfg, []byte(fmt.Sprintf(`{"language":"en","broker":{"listen":"127.0.0.1:%d"}}`, freeTCP(b))), 0o600)

	console := exec.Command(binary, "--data", dir, "--config", cfg, "--no-sim")
	console.Env = append(os.Environ(), "DISPLAY="+display, "WATCHPOST_WALL_STATS=5s")
	if err := console.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { _ = console.Process.Kill(); _ = console.Wait() }()

	time.Sleep(15 * time.Second) // connect, first key frames, warm up
	b.ResetTimer()
	cpu0, t0 := procCPU(b, console.Process.Pid), time.Now()
	time.Sleep(20 * time.Second)
	cpu1, t1 := procCPU(b, console.Process.Pid), time.Now()
	b.StopTimer()
	b.ReportMetric((cpu1-cpu0)/t1.Sub(t0).Seconds(), "cores")
	b.ReportMetric(procRSS(b, console.Process.Pid), "rss_MB")
	stats := lastWallStats(b, filepath.Join(dir, "logs", "watchpost.log"))
	for _, k := range []string{"tiles", "fps", "captured_to_screen_p50_ms", "captured_to_screen_p95_ms", "decoded_to_screen_p95_ms", "ui_lag_p95_ms"} {
		if v, ok := stats[k]; ok {
			b.ReportMetric(v, k)
		}
	}
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
	return 0
}

var statAttr = regexp.MustCompile(`(\w+)=([0-9.]+)`)

// lastWallStats reads the last "wall stats" line of the console's log.
func lastWallStats(b *testing.B, log string) map[string]float64 {
	f, err := os.Open(log)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if !strings.Contains(sc.Text(), `msg="wall stats"`) {
			continue
		}
		out = map[string]float64{}
		for _, m := range statAttr.FindAllStringSubmatch(sc.Text(), -1) {
			v, _ := strconv.ParseFloat(m[2], 64)
			out[m[1]] = v
		}
	}
	return out
}
