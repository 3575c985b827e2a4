package codec

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand"
	"path/filepath"
	"testing"
	"time"
)

var testCfg = EncoderConfig{Width: 640, Height: 360, FPS: 15, GOP: 30, BitrateKbps: 1500}

func forCodecs(t *testing.T, f func(t *testing.T, c Codec)) {
	for _, c := range []Codec{H264, H265} {
		t.Run(c.String(), func(t *testing.T) { f(t, c) })
	}
}

func newDecoder(t testing.TB, c Codec) *Decoder {
	t.Helper()
	d, err := NewDecoder(c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	return d
}

// TestRoundTrip encodes synthetic pictures with our encoder and decodes them with our decoder.
func TestRoundTrip(t *testing.T) {
	forCodecs(t, func(t *testing.T, c Codec) {
		cfg := testCfg
		cfg.Codec = c
		aus, src, enc := encodeAll(t, cfg, 60)

		// The first unit is a key frame carrying its parameter sets in-band, the same as
		// the ones ParameterSets gives for the SDP; then a key frame every GOP frames.
		vps, sps, pps := enc.ParameterSets()
		if sps == nil || pps == nil || (c == H265) != (vps != nil) {
			t.Fatalf("parameter sets: vps %d sps %d pps %d bytes", len(vps), len(sps), len(pps))
		}
		for i, au := range aus {
			if want := i%cfg.GOP == 0; IsKeyFrame(c, au) != want {
				t.Errorf("AU %d: key frame %v, want %v", i, !want, want)
			}
		}
		for _, ps := range [][]byte{vps, sps, pps} {
			if ps != nil && !containsNAL(aus[0], ps) {
				t.Errorf("first AU lacks in-band parameter set % x", ps[:2])
			}
			if ps != nil && !containsNAL(aus[cfg.GOP], ps) {
				t.Errorf("second key frame lacks in-band parameter set % x", ps[:2])
			}
		}

		d := newDecoder(t, c)
		gray := image.NewGray(image.Rect(0, 0, cfg.Width, cfg.Height))
		var worst float64
		bytesOut := 0
		for i, au := range aus {
			for _, n := range au {
				bytesOut += len(n)
			}
			got, err := d.Decode(au)
			if err != nil || !got {
				t.Fatalf("AU %d: picture %v, err %v", i, got, err)
			}
			if w, h := d.Size(); w != cfg.Width || h != cfg.Height {
				t.Fatalf("AU %d: size %dx%d", i, w, h)
			}
			if err := d.ConvertGray(gray); err != nil {
				t.Fatal(err)
			}
			mae := meanAbsLuma(gray, src[i])
			worst = max(worst, mae)
			// Zero delay: each unit's picture is its own source frame, not a neighbour.
			if i+1 < len(src) && mae >= meanAbsLuma(gray, src[i+1]) {
				t.Errorf("AU %d decodes closer to source frame %d", i, i+1)
			}
		}
		if d.Frames() != 60 {
			t.Errorf("decoded %d frames, want 60", d.Frames())
		}
		// Nothing is held back without B-frames; after a flush the decoder starts again.
		if got, err := d.Flush(); got || err != nil {
			t.Errorf("Flush: picture %v, err %v", got, err)
		}
		if got, err := d.Decode(aus[0]); !got || err != nil {
			t.Errorf("key frame after Flush: picture %v, err %v", got, err)
		}
		t.Logf("%v: worst mean absolute luma error %.2f, %d kbit/s", c, worst, bytesOut*8*cfg.FPS/len(aus)/1000)
		if worst >= 12 {
			t.Errorf("decoded pictures differ from the source: mean absolute luma error %.2f", worst)
		}
	})
}

func containsNAL(au [][]byte, n []byte) bool {
	for _, x := range au {
		if bytes.Equal(x, n) {
			return true
		}
	}
	return false
}

// TestConvertRGBA scales into tiles smaller, larger and of odd size and checks known colours.
func TestConvertRGBA(t *testing.T) {
	aus, _, _ := encodeAll(t, EncoderConfig{Codec: H264, Width: 640, Height: 360, FPS: 15, GOP: 30, BitrateKbps: 1500}, 1)
	d := newDecoder(t, H264)
	if got, err := d.Decode(aus[0]); !got || err != nil {
		t.Fatalf("decode: %v %v", got, err)
	}
	for _, size := range []image.Point{{320, 180}, {1280, 720}, {333, 187}, {640, 360}} {
		dst, guard := guardedRGBA(size)
		if err := d.ConvertRGBA(dst); err != nil {
			t.Fatal(err)
		}
		checkGuard(t, size, guard)
		gray := image.NewGray(image.Rectangle{Max: size})
		gray.Pix, guard = guarded(len(gray.Pix))
		if err := d.ConvertGray(gray); err != nil {
			t.Fatal(err)
		}
		checkGuard(t, size, guard)
		sx, sy := float64(size.X)/640, float64(size.Y)/360
		at := func(x, y int) color.RGBA { return dst.RGBAAt(int(float64(x)*sx), int(float64(y)*sy)) }
		red := at((redX0+redX1)/2, (redY0+redY1)/2)
		white := at(squareX(0, 640)+sqSize/2, sqY+sqSize/2)
		if !near(red, color.RGBA{255, 0, 0, 255}, 24) || !near(white, color.RGBA{255, 255, 255, 255}, 24) {
			t.Errorf("%v: red block %v, white square %v", size, red, white)
		}
		last := dst.RGBAAt(size.X-1, size.Y-1) // the last pixel is written too
		if last.A != 255 {
			t.Errorf("%v: last pixel %v not written", size, last)
		}
	}
	// A sub-image (Pix starts at its corner, stride of the parent) is written in place.
	parent := image.NewRGBA(image.Rect(0, 0, 400, 300))
	sub := parent.SubImage(image.Rect(40, 30, 360, 210)).(*image.RGBA)
	if err := d.ConvertRGBA(sub); err != nil {
		t.Fatal(err)
	}
	if parent.RGBAAt(39, 30).A != 0 || parent.RGBAAt(360, 209).A != 0 || parent.RGBAAt(40, 30).A != 255 {
		t.Error("conversion into a sub-image wrote outside it")
	}
}

// guarded allocates n bytes followed by a guard area, so that a write past the end of an
// image (C code writing into Go memory) is caught instead of corrupting the heap silently.
func guarded(n int) (pix, guard []byte) {
	buf := make([]byte, n+256)
	for i := n; i < len(buf); i++ {
		buf[i] = 0xab
	}
	return buf[:n:n], buf[n:]
}

func guardedRGBA(size image.Point) (*image.RGBA, []byte) {
	img := image.NewRGBA(image.Rectangle{Max: size})
	var guard []byte
	img.Pix, guard = guarded(len(img.Pix))
	return img, guard
}

func checkGuard(t *testing.T, size image.Point, guard []byte) {
	t.Helper()
	for _, b := range guard {
		if b != 0xab {
			t.Fatalf("%v: conversion wrote past the end of the image", size)
		}
	}
}

func near(a, b color.RGBA, tol int) bool {
	d := func(x, y uint8) bool { v := int(x) - int(y); return v <= tol && v >= -tol }
	return d(a.R, b.R) && d(a.G, b.G) && d(a.B, b.B) && a.A == b.A
}

// TestStamp: the send time survives building and parsing, emulation prevention included,
// and decoders ignore the stamp.
func TestStamp(t *testing.T) {
	forCodecs(t, func(t *testing.T, c Codec) {
		times := []time.Time{
			time.Now(),
			time.Unix(0, 0x1800000102000003), // bytes 00 00 01 and 00 00 03 need prevention
			time.Unix(0, 0),                  // eight zero bytes
		}
		for _, ts := range times {
			nal := StampNAL(c, ts)
			for i := 2; i < len(nal); i++ {
				if nal[i-2] == 0 && nal[i-1] == 0 && nal[i] <= 2 {
					t.Fatalf("stamp % x imitates a start code at %d", nal, i)
				}
			}
			got, ok := SendTime(c, [][]byte{{0x09, 0xf0}, nal, {0x65, 0x88}})
			if !ok || !got.Equal(ts) {
				t.Errorf("SendTime = %v %v, want %v", got, ok, ts)
			}
		}
		if _, ok := SendTime(c, [][]byte{{0x67, 0x42}, {}, {0x06, 0x05, 0x01}}); ok {
			t.Error("found a stamp in an access unit without one")
		}

		cfg := testCfg
		cfg.Codec = c
		aus, _, _ := encodeAll(t, cfg, 5)
		if _, ok := SendTime(c, aus[0]); ok { // x264/x265 write their own unregistered SEI
			t.Error("took the encoder's SEI for a stamp")
		}
		d := newDecoder(t, c)
		for i, au := range aus {
			ts := time.Now()
			stamped := append([][]byte{StampNAL(c, ts)}, au...)
			if got, ok := SendTime(c, stamped); !ok || !got.Equal(ts) {
				t.Errorf("AU %d: SendTime %v %v", i, got, ok)
			}
			if got, err := d.Decode(stamped); !got || err != nil {
				t.Fatalf("AU %d with stamp: picture %v, err %v", i, got, err)
			}
		}
	})
	if _, ok := SendTime(MJPEG, [][]byte{StampNAL(H264, time.Now())}); ok {
		t.Error("MJPEG has no stamps")
	}
}

// TestCorrupt feeds garbage: errors or no pictures, never a crash; then a key frame decodes.
func TestCorrupt(t *testing.T) {
	forCodecs(t, func(t *testing.T, c Codec) {
		cfg := testCfg
		cfg.Codec = c
		aus, _, _ := encodeAll(t, cfg, 2)
		d := newDecoder(t, c)
		rng := rand.New(rand.NewSource(1))
		errs := 0
		for i := range 200 {
			var au [][]byte
			for range 1 + rng.Intn(4) {
				n := make([]byte, 1+rng.Intn(2000))
				rng.Read(n)
				au = append(au, n)
			}
			if i%10 == 0 { // a real key frame, cut short and bit-flipped
				key := bytes.Clone(aus[0][len(aus[0])-1])
				key = key[:len(key)/2]
				key[len(key)/3] ^= 0x5a
				au = append(aus[0][:len(aus[0])-1:len(aus[0])-1], key)
			}
			if _, err := d.Decode(au); err != nil {
				errs++
				if !errors.Is(err, ErrCorrupt) {
					t.Fatalf("error does not wrap ErrCorrupt: %v", err)
				}
			}
		}
		t.Logf("%v: %d of 200 garbage units reported corrupt", c, errs)
		for i, au := range aus {
			if got, err := d.Decode(au); !got || err != nil {
				t.Fatalf("valid AU %d after garbage: picture %v, err %v", i, got, err)
			}
		}
		if w, h := d.Size(); w != 640 || h != 360 {
			t.Errorf("size %dx%d", w, h)
		}
	})
	d := newDecoder(t, MJPEG)
	if got, err := d.Decode([][]byte{[]byte("not a jpeg at all")}); got || !errors.Is(err, ErrCorrupt) {
		t.Errorf("MJPEG garbage: picture %v, err %v", got, err)
	}
}

// TestFFmpegStreams decodes what the independent ffmpeg CLI encodes (B-frames, CABAC,
// x264's and x265's defaults) and counts frames against ffprobe.
func TestFFmpegStreams(t *testing.T) {
	needFFmpeg(t)
	if testing.Short() {
		t.Skip("encodes 720p with ffmpeg")
	}
	for _, tc := range []struct {
		c               Codec
		lib, bsf, muxer string
	}{{H264, "libx264", "h264_mp4toannexb", "h264"}, {H265, "libx265", "hevc_mp4toannexb", "hevc"}} {
		t.Run(tc.c.String(), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "a."+tc.muxer)
			args := []string{"-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25", "-t", "4", "-c:v", tc.lib}
			if tc.c == H265 {
				args = append(args, "-x265-params", "log-level=error")
			}
			runFFmpeg(t, append(args, "-bsf:v", tc.bsf, "-f", tc.muxer, path)...)
			want := probeFrames(t, path)
			aus := readAccessUnits(t, tc.c, path)
			d := newDecoder(t, tc.c)
			for i, au := range aus {
				if _, err := d.Decode(au); err != nil {
					t.Fatalf("AU %d: %v", i, err)
				}
			}
			if _, err := d.Flush(); err != nil {
				t.Fatal(err)
			}
			if w, h := d.Size(); w != 1280 || h != 720 {
				t.Errorf("size %dx%d", w, h)
			}
			if int(d.Frames()) != want || len(aus) != want {
				t.Errorf("%d access units, %d frames decoded; ffprobe counts %d", len(aus), d.Frames(), want)
			}
		})
	}
}

// TestMJPEG decodes a JPEG written by Go's encoder.
func TestMJPEG(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 320, 240))
	for i := range img.Pix {
		img.Pix[i] = []uint8{0, 0, 255, 255}[i%4] // blue
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	d := newDecoder(t, MJPEG)
	if got, err := d.Decode([][]byte{buf.Bytes()}); !got || err != nil {
		t.Fatalf("picture %v, err %v", got, err)
	}
	if w, h := d.Size(); w != 320 || h != 240 {
		t.Fatalf("size %dx%d", w, h)
	}
	dst := image.NewRGBA(image.Rect(0, 0, 160, 120))
	if err := d.ConvertRGBA(dst); err != nil {
		t.Fatal(err)
	}
	if c := dst.RGBAAt(80, 60); !near(c, color.RGBA{0, 0, 255, 255}, 12) {
		t.Errorf("blue JPEG converts to %v", c)
	}
}

// TestErrors: the sentinel errors an operator-facing layer relies on.
func TestErrors(t *testing.T) {
	if _, err := NewDecoder(Codec(42)); !errors.Is(err, ErrUnsupported) {
		t.Errorf("NewDecoder(42): %v", err)
	}
	if _, err := NewEncoder(EncoderConfig{Codec: MJPEG, Width: 64, Height: 64, FPS: 1, BitrateKbps: 1}); !errors.Is(err, ErrUnsupported) {
		t.Errorf("NewEncoder(MJPEG): %v", err)
	}
	d := newDecoder(t, H264)
	if err := d.ConvertRGBA(image.NewRGBA(image.Rect(0, 0, 4, 4))); !errors.Is(err, ErrNoPicture) {
		t.Errorf("ConvertRGBA before a picture: %v", err)
	}
	if got, err := d.Decode(nil); got || err != nil {
		t.Errorf("empty AU: %v %v", got, err)
	}
	d.Close()
	d.Close()
	if _, err := d.Decode([][]byte{{0x65}}); !errors.Is(err, ErrClosed) {
		t.Errorf("Decode after Close: %v", err)
	}
	for c, want := range map[Codec]string{H264: "H.264", H265: "H.265", MJPEG: "MJPEG"} {
		if c.String() != want {
			t.Errorf("%d.String() = %q", int(c), c.String())
		}
	}
}

func TestIsKeyFrame(t *testing.T) {
	for _, tc := range []struct {
		c    Codec
		au   [][]byte
		want bool
	}{
		{H264, [][]byte{{0x67}, {0x68}, {0x65, 0x88}}, true},
		{H264, [][]byte{{}, {0x41, 0x9a}}, false},
		{H265, [][]byte{{0x40, 0x01}, {0x26, 0x01}}, true}, // VPS, IDR_W_RADL
		{H265, [][]byte{{0x2a, 0x01}}, true},               // CRA
		{H265, [][]byte{{0x02, 0x01}, {0x26}}, false},      // TRAIL_R, truncated header
		{MJPEG, [][]byte{{0xff, 0xd8}}, true},
	} {
		if got := IsKeyFrame(tc.c, tc.au); got != tc.want {
			t.Errorf("IsKeyFrame(%v, % x) = %v", tc.c, tc.au, got)
		}
	}
}

func TestEmulationPrevention(t *testing.T) {
	for _, tc := range []struct{ raw, esc []byte }{
		{[]byte{0, 0, 0}, []byte{0, 0, 3, 0}},
		{[]byte{0, 0, 1, 0, 0, 2}, []byte{0, 0, 3, 1, 0, 0, 3, 2}},
		{[]byte{0, 0, 3, 0, 0, 4}, []byte{0, 0, 3, 3, 0, 0, 4}},
		{[]byte{0, 0, 0, 0}, []byte{0, 0, 3, 0, 0}},
	} {
		if got := addEmulationPrevention(nil, tc.raw); !bytes.Equal(got, tc.esc) {
			t.Errorf("add(% x) = % x, want % x", tc.raw, got, tc.esc)
		}
		if got := removeEmulationPrevention(tc.esc); !bytes.Equal(got, tc.raw) {
			t.Errorf("remove(% x) = % x, want % x", tc.esc, got, tc.raw)
		}
	}
}

// FuzzSendTime: malformed SEI never panics (go test runs the seeds; go test -fuzz explores).
func FuzzSendTime(f *testing.F) {
	f.Add([]byte{0x06, 0x05, 0xff})
	f.Add([]byte{0x06, 0xff, 0xff, 0xff})
	f.Add(StampNAL(H264, time.Unix(0, 0x1800000102000003)))
	f.Add(StampNAL(H265, time.Now())[1:])
	f.Fuzz(func(t *testing.T, nal []byte) {
		SendTime(H264, [][]byte{nal})
		SendTime(H265, [][]byte{nal})
	})
}
