package codec

import (
	"image"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
)

// Synthetic test picture: a moving grey gradient, a fixed red block and a moving white
// square, as limited-range BT.601 YUV (what x264/x265 assume for SD without VUI colour info).
const (
	redX0, redY0, redX1, redY1 = 32, 32, 160, 128
	sqSize                     = 64
	sqY                        = 200
)

func squareX(i, w int) int { return (i * 8) % (w - sqSize) &^ 1 }

func synthFrame(w, h, i int) *image.YCbCr {
	img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	sx := squareX(i, w)
	for y := range h {
		for x := range w {
			v := 16 + ((x+y+4*i)%w)*180/w
			switch {
			case x >= redX0 && x < redX1 && y >= redY0 && y < redY1:
				v = 81
			case x >= sx && x < sx+sqSize && y >= sqY && y < sqY+sqSize:
				v = 235
			}
			img.Y[y*img.YStride+x] = uint8(v)
		}
	}
	for y := range h / 2 {
		for x := range w / 2 {
			cb, cr := 128, 128
			if x*2 >= redX0 && x*2 < redX1 && y*2 >= redY0 && y*2 < redY1 {
				cb, cr = 90, 240
			}
			img.Cb[y*img.CStride+x] = uint8(cb)
			img.Cr[y*img.CStride+x] = uint8(cr)
		}
	}
	return img
}

// meanAbsLuma compares a decoded luma plane with the source's.
func meanAbsLuma(a *image.Gray, b *image.YCbCr) float64 {
	w, h := b.Rect.Dx(), b.Rect.Dy()
	var sum int
	for y := range h {
		for x := range w {
			d := int(a.Pix[y*a.Stride+x]) - int(b.Y[y*b.YStride+x])
			sum += max(d, -d)
		}
	}
	return float64(sum) / float64(w*h)
}

func needFFmpeg(tb testing.TB) {
	tb.Helper()
	for _, tool := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(tool); err != nil {
			tb.Skipf("%s not installed (Debian package ffmpeg; make deps-test installs it): %v", tool, err)
		}
	}
}

// runFFmpeg runs ffmpeg quietly and fails the test with its output on error.
func runFFmpeg(tb testing.TB, args ...string) {
	tb.Helper()
	cmd := exec.Command("ffmpeg", append([]string{"-hide_banner", "-v", "error", "-y"}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("ffmpeg %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// probeFrames asks ffprobe how many frames a file decodes to.
func probeFrames(tb testing.TB, path string) int {
	tb.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames",
		"-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", path).Output()
	if err != nil {
		tb.Fatalf("ffprobe %s: %v", path, err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		tb.Fatalf("ffprobe %s: %q: %v", path, out, err)
	}
	return n
}

// readAccessUnits splits an Annex-B file into access units (H.264 7.4.1.2.3, H.265
// 7.4.2.4.4): a unit ends before an AUD, a parameter set or a prefix SEI that follows a
// picture's slices, or before the first slice of the next picture (first_mb_in_slice == 0,
// whose ue(v) code is a single 1 bit; first_slice_segment_in_pic_flag for H.265).
func readAccessUnits(tb testing.TB, c Codec, path string) [][][]byte {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var nalus h264.AnnexB
	if err := nalus.Unmarshal(data); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	var aus [][][]byte
	var cur [][]byte
	hasVCL := false
	for _, n := range nalus {
		t := nalType(c, n)
		var vcl, firstSlice, prefix bool
		switch c {
		case H264:
			vcl = t >= 1 && t <= 5
			firstSlice = vcl && len(n) > 1 && n[1]&0x80 != 0
			prefix = t == 9 || t == 6 || t == 7 || t == 8 || (t >= 14 && t <= 18)
		case H265:
			vcl = t >= 0 && t <= 31
			firstSlice = vcl && len(n) > 2 && n[2]&0x80 != 0
			prefix = t == 35 || (t >= 32 && t <= 34) || t == 39 || (t >= 41 && t <= 44)
		}
		if hasVCL && (prefix || firstSlice) {
			aus = append(aus, cur)
			cur, hasVCL = nil, false
		}
		cur = append(cur, n)
		hasVCL = hasVCL || vcl
	}
	if len(cur) > 0 {
		aus = append(aus, cur)
	}
	return aus
}

// encodeAll encodes n synthetic frames.
func encodeAll(tb testing.TB, cfg EncoderConfig, n int) (aus [][][]byte, src []*image.YCbCr, enc *Encoder) {
	tb.Helper()
	enc, err := NewEncoder(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(enc.Close)
	for i := range n {
		img := synthFrame(cfg.Width, cfg.Height, i)
		au, _, err := enc.Encode(img, int64(i))
		if err != nil {
			tb.Fatalf("frame %d: %v", i, err)
		}
		if au == nil {
			tb.Fatalf("frame %d: zerolatency encoder returned nothing", i)
		}
		aus = append(aus, au)
		src = append(src, img)
	}
	return aus, src, enc
}
