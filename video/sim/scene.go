package sim

import (
	"bufio"
	"context"
	"fmt"
	"image"
	"io"
	"math"
	"os"
	"os/exec"
	"strconv"
)

// DefaultFootage is real pedestrian video shipped by Debian's opencv-doc package.
const DefaultFootage = "/usr/share/doc/opencv-doc/examples/data/vtest.avi"

// scene produces the pictures of a simulated camera.
type scene interface {
	// next fills img (4:2:0, the scene's size) with the next picture.
	next(img *image.YCbCr) error
	close()
}

// footageScene plays a video file in a loop through the ffmpeg CLI, which decodes, crops,
// colours and scales it to raw 4:2:0 pictures at our frame rate. Each camera gets its own
// view of the footage (a different crop, mirror, time offset, day or night colours), so a
// wall of simulated cameras does not show thirteen identical pictures.
type footageScene struct {
	cmd *exec.Cmd
	out *bufio.Reader
	w   int
	h   int
}

// variantFilter returns the ffmpeg filters for view number n of the footage.
func variantFilter(n int) (filter string, offset float64) {
	crops := []string{
		"crop=iw:ih:0:0",
		"crop=iw*0.75:ih*0.75:iw*0.25:0",
		"crop=iw*0.7:ih*0.7:0:ih*0.3,hflip",
		"crop=iw*0.8:ih*0.8:iw*0.1:ih*0.1",
		"hflip",
		"crop=iw*0.65:ih*0.65:iw*0.35:ih*0.35",
	}
	colours := []string{
		"", "eq=saturation=0.85", "eq=brightness=-0.28:saturation=0.25:contrast=1.2", // night
		"eq=gamma=1.1", "hue=s=0", // monochrome
	}
	filter = crops[n%len(crops)]
	if c := colours[(n/2)%len(colours)]; c != "" {
		filter += "," + c
	}
	return filter, float64((n * 13) % 70)
}

// ViewFilter is the ffmpeg filter that makes view number variant of the footage at w×h, as
// the simulator serves it (tests analyse the same picture from a file). The stream's shape
// is kept: 4:3 footage on a 16:9 stream is cut to 16:9 around its centre rather than
// squeezed (people keep their proportions, which the people detector relies on).
func ViewFilter(variant, w, h int) string {
	filter, _ := variantFilter(variant)
	aspect := fmt.Sprintf("crop='min(iw,ih*%d/%d)':'min(ih,iw*%d/%d)'", w, h, h, w)
	return fmt.Sprintf("%s,%s,scale=%d:%d:flags=bilinear,setsar=1", filter, aspect, w, h)
}

func newFootageScene(ctx context.Context, file string, variant int, start float64, w, h, fps int) (*footageScene, error) {
	if _, err := os.Stat(file); err != nil {
		return nil, err
	}
	_, offset := variantFilter(variant)
	if start > 0 {
		offset = start
	}
	args := []string{
		"-hide_banner", "-loglevel", "error", "-nostdin",
		"-stream_loop", "-1", "-ss", strconv.FormatFloat(offset, 'f', 2, 64), "-i", file,
		"-vf", ViewFilter(variant, w, h) + fmt.Sprintf(",fps=%d", fps),
		"-pix_fmt", "yuv420p", "-f", "rawvideo", "-",
	}
	cmd := exec.CommandContext(ctx, "ffmpeg", args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("cannot start ffmpeg to play %s: %w", file, err)
	}
	return &footageScene{cmd: cmd, out: bufio.NewReaderSize(out, w*h*3/2), w: w, h: h}, nil
}

func (s *footageScene) next(img *image.YCbCr) error {
	if _, err := io.ReadFull(s.out, img.Y[:s.w*s.h]); err != nil {
		return err
	}
	if _, err := io.ReadFull(s.out, img.Cb[:s.w*s.h/4]); err != nil {
		return err
	}
	_, err := io.ReadFull(s.out, img.Cr[:s.w*s.h/4])
	return err
}

func (s *footageScene) close() {
	if s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
	}
	_ = s.cmd.Wait()
}

// syntheticScene draws a moving pattern where no footage is available: a slow colour
// gradient with a few bright objects crossing it, enough motion to exercise encoders,
// decoders and motion detection.
type syntheticScene struct {
	t       int
	variant int
}

func (s *syntheticScene) next(img *image.YCbCr) error {
	s.t++
	w, h := img.Rect.Dx(), img.Rect.Dy()
	phase := float64(s.t) / 40
	for y := 0; y < h; y++ {
		row := img.Y[y*img.YStride:]
		for x := 0; x < w; x++ {
			row[x] = uint8(60 + 40*math.Sin(float64(x)/97+phase) + 30*math.Cos(float64(y)/61-phase/2))
		}
	}
	for y := 0; y < h/2; y++ {
		for x := 0; x < w/2; x++ {
			img.Cb[y*img.CStride+x] = uint8(128 + 20*math.Sin(float64(x+y)/50+phase+float64(s.variant)))
			img.Cr[y*img.CStride+x] = 128
		}
	}
	for i := 0; i < 3; i++ {
		bx := (s.t*(3+i*2) + i*w/3) % (w + 80)
		by := h/4 + i*h/4
		for y := by; y < by+h/10 && y < h; y++ {
			for x := bx - 80; x < bx && x < w; x++ {
				if x >= 0 {
					img.Y[y*img.YStride+x] = 230
				}
			}
		}
	}
	return nil
}

func (s *syntheticScene) close() {}
