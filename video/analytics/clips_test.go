package analytics

import (
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// Test clips made from real pictures with the ffmpeg CLI. Where a detector is about people
// the clips use real footage: vtest.avi itself, its empty background (the median of frames
// spread over the clip, which no passer-by stays in), and a real person cut out of one of
// its frames. Faces come from the photograph gocv ships.

var clipDir struct {
	once sync.Once
	dir  string
	err  error
}

// sharedClipDir is a folder for the clips, made once per test binary (several tests use
// the same clips; encoding them is the slow part).
func sharedClipDir(t testing.TB) string {
	clipDir.once.Do(func() { clipDir.dir, clipDir.err = os.MkdirTemp("", "watchpost-clips-") })
	if clipDir.err != nil {
		t.Fatal(clipDir.err)
	}
	return clipDir.dir
}

var clipLocks sync.Map

// madeClip returns the file name in the shared folder, making it with ffmpeg once.
func madeClip(t testing.TB, name string, args ...string) string {
	t.Helper()
	out := filepath.Join(sharedClipDir(t), name)
	mu, _ := clipLocks.LoadOrStore(name, &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()
	if _, err := os.Stat(out); err == nil {
		return out
	}
	tmp := ffmpegClip(t, name, args...)
	if err := os.Rename(tmp, out); err != nil {
		// another file system: copy
		b, err := os.ReadFile(tmp)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(out, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// background is vtest's empty scene: the per-pixel median of 49 frames taken every 1.6 s.
func background(t testing.TB) string {
	t.Helper()
	out := filepath.Join(sharedClipDir(t), "background.png")
	mu, _ := clipLocks.LoadOrStore("background.png", &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()
	if _, err := os.Stat(out); err == nil {
		return out
	}
	const w, h, n = 768, 576, 49
	raw, err := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-i", vtest,
		"-vf", "select='not(mod(n\\,16))'", "-vsync", "passthrough", "-frames:v", fmt.Sprint(n),
		"-pix_fmt", "rgb24", "-f", "rawvideo", "-").Output()
	if err != nil || len(raw) != w*h*3*n {
		t.Fatalf("frames for the background: %v (%d bytes)", err, len(raw))
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	vals := make([]byte, n)
	for i := 0; i < w*h; i++ {
		for c := 0; c < 3; c++ {
			for k := 0; k < n; k++ {
				vals[k] = raw[k*w*h*3+i*3+c]
			}
			slices.Sort(vals)
			img.Pix[i*4+c] = vals[n/2]
		}
		img.Pix[i*4+3] = 255
	}
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	return out
}

// emptyScene is the empty background for secs seconds with the sensor noise of a camera.
func emptyScene(t testing.TB, secs int) string {
	return madeClip(t, fmt.Sprintf("empty-%d.mkv", secs), "-loop", "1", "-framerate", "10", "-t", fmt.Sprint(secs), "-i", background(t),
		"-vf", "noise=alls=6:allf=t,format=yuv420p", "-c:v", "libx264", "-preset", "ultrafast", "-qp", "20")
}

// The person cut out of vtest: the man in the red jacket standing on the lawn at 59 s,
// 48×124 pixels from (338, 316).
const (
	personX, personY, personW, personH = 338, 316, 48, 124
)

func person(t testing.TB) string {
	return madeClip(t, "person.png", "-ss", "59", "-i", vtest,
		"-vf", fmt.Sprintf("crop=%d:%d:%d:%d", personW, personH, personX, personY), "-frames:v", "1")
}

// fallClip: the empty scene; at 8 s the man walks in from the left (35 px/s) to where he
// stood; at 12 s he is down on the lawn, lying where his feet were, and stays down to the
// end (25 s). With fall false, he stops and keeps standing instead.
func fallClip(t testing.TB, fall bool) string {
	name, split := "fall.mkv", "[1]split[p1][p3];[p3]transpose=1[p2]"
	second := fmt.Sprintf("[s][p2]overlay=x=%d:y=%d:enable='gte(t,12)'", personX+personW/2-personH/2, personY+personH-personW)
	if !fall {
		name, split = "stand.mkv", "[1]split[p1][p2]"
		second = fmt.Sprintf("[s][p2]overlay=x=%d:y=%d:enable='gte(t,12)'", personX, personY)
	}
	filter := fmt.Sprintf("%s;[0][p1]overlay=x='%d+(t-8)*35':y=%d:enable='between(t,8,11.99)'[s];%s,noise=alls=4:allf=t,format=yuv420p",
		split, personX-140, personY, second)
	return madeClip(t, name, "-loop", "1", "-framerate", "10", "-t", "25", "-i", background(t),
		"-loop", "1", "-framerate", "10", "-t", "25", "-i", person(t),
		"-filter_complex", filter, "-c:v", "libx264", "-preset", "ultrafast", "-qp", "20")
}

// faceFile is gocv's photograph of a face (640×480; the face about x 265–440, y 150–390).
func faceFile(t testing.TB) string {
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(strings.TrimSpace(string(out)), "gocv.io", "x", "gocv@v0.25.0", "images", "face.jpg")
	if _, err := os.Stat(f); err != nil {
		t.Fatalf("gocv's face photograph is missing (%v): run go mod download", err)
	}
	return f
}

// faceClip: the empty scene at a door for 6 s, then a visitor (head and shoulders, 180×252,
// cut from the photograph) comes in from the right and stops at x 300 at 8 s, staying to 14 s.
// The face is then at about (391, 206) of the 768×576 picture.
func faceClip(t testing.TB) string {
	filter := "[1]crop=300:420:200:60,scale=180:252[v];[0][v]overlay=x='if(lt(t,8),768-(t-6)*234,300)':y=80:enable='gte(t,6)',noise=alls=4:allf=t,format=yuv420p"
	return madeClip(t, "face.mkv", "-loop", "1", "-framerate", "10", "-t", "14", "-i", background(t),
		"-loop", "1", "-framerate", "10", "-t", "14", "-i", faceFile(t),
		"-filter_complex", filter, "-c:v", "libx264", "-preset", "ultrafast", "-qp", "20")
}
