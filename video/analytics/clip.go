package analytics

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// ClipSize returns the size of a video file's first video stream (ffprobe).
func ClipSize(ctx context.Context, file string) (image.Point, error) {
	out, err := exec.CommandContext(ctx, "ffprobe", "-v", "error", "-select_streams", "v:0",
		"-show_entries", "stream=width,height", "-of", "csv=p=0:s=x", file).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && len(ee.Stderr) > 0 {
			return image.Point{}, fmt.Errorf("%s cannot be read: %s", file, strings.TrimSpace(string(ee.Stderr)))
		}
		return image.Point{}, fmt.Errorf("%s cannot be read: %w", file, err)
	}
	var w, h int
	line := strings.TrimSpace(string(bytes.SplitN(out, []byte("\n"), 2)[0]))
	if _, err := fmt.Sscanf(line, "%dx%d", &w, &h); err != nil || w <= 0 || h <= 0 {
		return image.Point{}, fmt.Errorf("%s has no video stream", file)
	}
	return image.Pt(w, h), nil
}

// AnalysisSize is the picture analytics works on for a source of size src: width 640
// (never enlarged), the source's shape kept, both even.
func AnalysisSize(src image.Point) image.Point {
	w := min(640, src.X)
	h := int(float64(src.Y)*float64(w)/float64(src.X)+0.5) &^ 1
	return image.Pt(w&^1, max(h, 2))
}

// ReadClip decodes a video file (any format FFmpeg reads) with the ffmpeg CLI into luma
// pictures of AnalysisSize at fps, and calls fn with each and its time in the clip.
func ReadClip(ctx context.Context, file string, fps float64, fn func(img *image.Gray, at time.Duration) error) error {
	src, err := ClipSize(ctx, file)
	if err != nil {
		return err
	}
	size := AnalysisSize(src)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-i", file,
		"-vf", fmt.Sprintf("fps=%s,scale=%d:%d:flags=area", strconv.FormatFloat(fps, 'f', -1, 64), size.X, size.Y),
		"-pix_fmt", "gray", "-f", "rawvideo", "-")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("cannot start ffmpeg: %w", err)
	}
	r := bufio.NewReaderSize(pipe, size.X*size.Y)
	img := image.NewGray(image.Rectangle{Max: size})
	var fnErr error
	for n := 0; ; n++ {
		if _, err := io.ReadFull(r, img.Pix); err != nil {
			break
		}
		if fnErr = fn(img, time.Duration(float64(n)/fps*float64(time.Second))); fnErr != nil {
			cancel()
			break
		}
	}
	werr := cmd.Wait()
	if fnErr != nil {
		return fnErr
	}
	if werr != nil && ctx.Err() == nil {
		return fmt.Errorf("ffmpeg could not decode %s: %s", file, strings.TrimSpace(stderr.String()))
	}
	return ctx.Err()
}
