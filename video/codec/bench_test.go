package codec

import (
	"bytes"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The decode benchmarks compare our path (Decode + ConvertRGBA into a 640x360 tile) with
// `ffmpeg -threads 1 ... -f null` decoding the same Annex-B file, both as frames per
// CPU-second, so the figure does not depend on how busy the 2-core machine is.

// benchStream is one camera-like test stream: noisy (testsrc2 + temporal noise, so it does
// not compress trivially), 15 fps, 10 s, GOP 30, libx264 High profile (CABAC) without
// B-frames at a camera's bitrate.
type benchStream struct {
	aus     [][][]byte
	ffFPS   float64 // ffmpeg frames per CPU-second
	ffError error
}

var (
	benchOnce    sync.Once
	benchDir     string
	benchStreams map[string]*benchStream
	benchErr     error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// loadBenchStreams generates the streams once per process.
func loadBenchStreams(b *testing.B) {
	needFFmpeg(b)
	benchOnce.Do(func() {
		benchDir, benchErr = os.MkdirTemp("", "watchpost-codec-bench-")
		if benchErr != nil {
			return
		}
		benchStreams = map[string]*benchStream{}
		// Stays set if generation stops half-way (a Fatal inside Do), for later benchmarks.
		benchErr = fmt.Errorf("generating the benchmark streams in %s failed", benchDir)
		for _, s := range []struct{ name, size, rate string }{{"360p", "640x360", "1M"}, {"720p", "1280x720", "2500k"}} {
			path := filepath.Join(benchDir, s.name+".h264")
			runFFmpeg(b, "-f", "lavfi", "-i", "testsrc2=size="+s.size+":rate=15,noise=alls=20:allf=t,format=yuv420p",
				"-t", "10", "-c:v", "libx264", "-preset", "veryfast", "-bf", "0", "-g", "30",
				"-b:v", s.rate, "-maxrate", s.rate, "-bufsize", s.rate,
				"-bsf:v", "h264_mp4toannexb", "-f", "h264", path)
			bs := &benchStream{aus: readAccessUnits(b, H264, path)}
			bs.ffFPS, bs.ffError = ffmpegDecodeRate(path, len(bs.aus))
			benchStreams[s.name] = bs
		}
		benchErr = nil
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
}

var framesRE = regexp.MustCompile(`frame=\s*(\d+)`)

// ffmpegDecodeRate runs the ffmpeg CLI over the file repeated 4 times (raw H.264 cannot be
// looped with -stream_loop), so that its start-up is a few percent of the measurement.
func ffmpegDecodeRate(path string, frames int) (float64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	const repeat = 4
	long := path + ".x4"
	if err := os.WriteFile(long, bytes.Repeat(data, repeat), 0o644); err != nil {
		return 0, err
	}
	cmd := exec.Command("ffmpeg", "-hide_banner", "-v", "error", "-stats", "-threads", "1",
		"-i", long, "-f", "null", "-")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("ffmpeg: %v\n%s", err, out)
	}
	m := framesRE.FindAllSubmatch(out, -1)
	if len(m) == 0 {
		return 0, fmt.Errorf("ffmpeg printed no frame count:\n%s", out)
	}
	n, _ := strconv.Atoi(string(m[len(m)-1][1]))
	if n != repeat*frames {
		return 0, fmt.Errorf("ffmpeg decoded %d frames, want %d", n, repeat*frames)
	}
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return float64(n) / cpu.Seconds(), nil
}

// processCPU is the CPU time of this whole process (all threads, Go runtime included).
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func benchmarkDecode(b *testing.B, name string) {
	loadBenchStreams(b)
	s := benchStreams[name]
	d, err := NewDecoder(H264)
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	tile := image.NewRGBA(image.Rect(0, 0, 640, 360))
	pictures := 0
	b.ResetTimer()
	cpu0 := processCPU()
	// One op is one access unit; the stream starts over at its first IDR when it runs out.
	for i := range b.N {
		got, err := d.Decode(s.aus[i%len(s.aus)])
		if err != nil {
			b.Fatal(err)
		}
		if got {
			if err := d.ConvertRGBA(tile); err != nil {
				b.Fatal(err)
			}
			pictures++
		}
	}
	cpu := processCPU() - cpu0
	b.StopTimer()
	if pictures != b.N {
		b.Fatalf("%d pictures from %d access units", pictures, b.N)
	}
	if s.ffError != nil {
		b.Fatalf("the peer, ffmpeg decoding the same stream, failed: %v", s.ffError)
	}
	ours := float64(pictures) / cpu.Seconds()
	b.ReportMetric(ours, "ours_fps_per_cpu")
	b.ReportMetric(s.ffFPS, "ffmpeg_fps_per_cpu")
	b.ReportMetric(ours/s.ffFPS, "ratio")
}

func BenchmarkDecode360p(b *testing.B) { benchmarkDecode(b, "360p") }
func BenchmarkDecode720p(b *testing.B) { benchmarkDecode(b, "720p") }

// benchmarkEncode measures the simulator's encoder on the synthetic moving picture.
func benchmarkEncode(b *testing.B, c Codec) {
	cfg := EncoderConfig{Codec: c, Width: 640, Height: 360, FPS: 15, GOP: 30, BitrateKbps: 1000}
	e, err := NewEncoder(cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	frames := make([]*image.YCbCr, cfg.GOP)
	for i := range frames {
		frames[i] = synthFrame(cfg.Width, cfg.Height, i)
	}
	b.ResetTimer()
	cpu0 := processCPU()
	for i := range b.N {
		if _, _, err := e.Encode(frames[i%len(frames)], int64(i)); err != nil {
			b.Fatal(err)
		}
	}
	cpu := processCPU() - cpu0
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "frames/s")
	b.ReportMetric(float64(b.N)/cpu.Seconds(), "fps_per_cpu")
}

func BenchmarkEncode360p(b *testing.B)     { benchmarkEncode(b, H264) }
func BenchmarkEncode360pH265(b *testing.B) { benchmarkEncode(b, H265) }
