package photo

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand"
	"os"
	"strings"
	"testing"

	"watchpost/app"
	"watchpost/assets/i18n"
)

// The pictures of these tests are four coloured quadrants, as they are meant to be seen:
// red top left, green top right, blue bottom left, yellow bottom right, twice as wide as
// high. Each orientation's stored picture is made from EXIF's own definition of the tag
// (which side of the picture as seen its first row and first column are), not from the
// code under test, so a turn the wrong way round fails.

var (
	red, green, blue, yellow = color.RGBA{255, 0, 0, 255}, color.RGBA{0, 255, 0, 255}, color.RGBA{0, 0, 255, 255}, color.RGBA{255, 255, 0, 255}
)

const seenW, seenH = 64, 32

// seen is the picture as it is meant to be seen.
func seen() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, seenW, seenH))
	for y := 0; y < seenH; y++ {
		for x := 0; x < seenW; x++ {
			c := red
			switch {
			case x >= seenW/2 && y < seenH/2:
				c = green
			case x < seenW/2 && y >= seenH/2:
				c = blue
			case x >= seenW/2 && y >= seenH/2:
				c = yellow
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

// exifSides is EXIF's table for the Orientation tag: the side of the picture as seen that
// the stored picture's first row shows, and the side its first column shows.
var exifSides = map[int][2]string{
	1: {"top", "left"}, 2: {"top", "right"}, 3: {"bottom", "right"}, 4: {"bottom", "left"},
	5: {"left", "top"}, 6: {"right", "top"}, 7: {"right", "bottom"}, 8: {"left", "bottom"},
}

// stored is how a camera stores the picture v with orientation o.
func stored(v *image.RGBA, o int) *image.RGBA {
	W, H := v.Bounds().Dx(), v.Bounds().Dy()
	row, col := exifSides[o][0], exifSides[o][1]
	sw, sh := W, H
	if row == "left" || row == "right" {
		sw, sh = H, W
	}
	s := image.NewRGBA(image.Rect(0, 0, sw, sh))
	for r := 0; r < sh; r++ {
		for c := 0; c < sw; c++ {
			var x, y int
			switch row { // row r is a line of the picture as seen, parallel to that side
			case "top":
				y = r
			case "bottom":
				y = H - 1 - r
			case "left":
				x = r
			case "right":
				x = W - 1 - r
			}
			switch col { // column c runs from that side
			case "left":
				x = c
			case "right":
				x = W - 1 - c
			case "top":
				y = c
			case "bottom":
				y = H - 1 - c
			}
			s.SetRGBA(c, r, v.RGBAAt(x, y))
		}
	}
	return s
}

// tiffBlock is an EXIF TIFF block with IFD0 holding the orientation (0: none) and a GPS IFD
// with a latitude, and a camera model to find in the output if it leaked.
func tiffBlock(o int, big bool) []byte {
	var bo binary.AppendByteOrder = binary.LittleEndian
	head := []byte("II*\x00")
	if big {
		bo, head = binary.BigEndian, []byte("MM\x00*")
	}
	b := append([]byte(nil), head...)
	b = bo.AppendUint32(b, 8)
	model := "SECRET-PHONE-MODEL\x00"
	entries := [][]uint32{} // tag, type, count, value
	if o != 0 {
		entries = append(entries, []uint32{tagOrientation, 3, 1, uint32(o)})
	}
	ifd0 := 8
	ifd0Len := 2 + 12*(len(entries)+2) + 4
	modelAt := ifd0 + ifd0Len
	gpsAt := modelAt + len(model)
	entries = append(entries, []uint32{0x0110, 2, uint32(len(model)), uint32(modelAt)}, []uint32{0x8825, 4, 1, uint32(gpsAt)})
	b = bo.AppendUint16(b, uint16(len(entries)))
	for _, e := range entries {
		b = bo.AppendUint16(b, uint16(e[0]))
		b = bo.AppendUint16(b, uint16(e[1]))
		b = bo.AppendUint32(b, e[2])
		if e[1] == 3 {
			b = bo.AppendUint16(b, uint16(e[3]))
			b = append(b, 0, 0)
		} else {
			b = bo.AppendUint32(b, e[3])
		}
	}
	b = bo.AppendUint32(b, 0) // no IFD1
	b = append(b, model...)
	// GPS IFD: GPSLatitudeRef "N", GPSLatitude 31/1 13/1 5123/100
	ratAt := gpsAt + 2 + 12*2 + 4
	b = bo.AppendUint16(b, 2)
	b = bo.AppendUint16(b, 1)
	b = bo.AppendUint16(b, 2)
	b = bo.AppendUint32(b, 2)
	b = append(b, 'N', 0, 0, 0)
	b = bo.AppendUint16(b, 2)
	b = bo.AppendUint16(b, 5)
	b = bo.AppendUint32(b, 3)
	b = bo.AppendUint32(b, uint32(ratAt))
	b = bo.AppendUint32(b, 0)
	for _, v := range []uint32{31, 1, 13, 1, 5123, 100} {
		b = bo.AppendUint32(b, v)
	}
	return b
}

// jpegWithExif encodes img as JPEG with an APP1 Exif segment after the SOI.
func jpegWithExif(t *testing.T, img image.Image, o int, big bool) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	seg := append([]byte("Exif\x00\x00"), tiffBlock(o, big)...)
	app1 := []byte{0xFF, 0xE1, byte((len(seg) + 2) >> 8), byte(len(seg) + 2)}
	out := append([]byte{}, b.Bytes()[:2]...)
	out = append(out, app1...)
	out = append(out, seg...)
	return append(out, b.Bytes()[2:]...)
}

// quadrants checks that p shows the picture as seen: its size, and each quadrant's colour.
func quadrants(t *testing.T, p Photo, what string) {
	t.Helper()
	if p.Width != seenW || p.Height != seenH {
		t.Fatalf("%s: %d×%d, want %d×%d", what, p.Width, p.Height, seenW, seenH)
	}
	img, err := jpeg.Decode(bytes.NewReader(p.JPEG))
	if err != nil {
		t.Fatalf("%s: the output is not a JPEG: %v", what, err)
	}
	for _, q := range []struct {
		x, y int
		want color.RGBA
		name string
	}{{seenW / 4, seenH / 4, red, "top left"}, {3 * seenW / 4, seenH / 4, green, "top right"},
		{seenW / 4, 3 * seenH / 4, blue, "bottom left"}, {3 * seenW / 4, 3 * seenH / 4, yellow, "bottom right"}} {
		r, g, b, _ := img.At(q.x, q.y).RGBA()
		got := color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), 255}
		if !near(got, q.want) {
			t.Errorf("%s: the %s quadrant is %v, want %v", what, q.name, got, q.want)
		}
	}
}

func near(a, b color.RGBA) bool {
	d := func(x, y uint8) int {
		if x > y {
			return int(x - y)
		}
		return int(y - x)
	}
	return d(a.R, b.R) < 60 && d(a.G, b.G) < 60 && d(a.B, b.B) < 60
}

// noMetadata checks that a JPEG carries no APP segment but JFIF's, and none of the EXIF
// block's contents.
func noMetadata(t *testing.T, jpg []byte, what string) {
	t.Helper()
	for _, leak := range []string{"Exif", "SECRET-PHONE-MODEL", "MM\x00*", "II*\x00"} {
		if bytes.Contains(jpg, []byte(leak)) {
			t.Errorf("%s: the output still holds %q", what, leak)
		}
	}
	for i := 2; i+4 <= len(jpg) && jpg[i] == 0xFF && jpg[i+1] != 0xDA; {
		m := jpg[i+1]
		if m >= 0xE1 && m <= 0xEF {
			t.Errorf("%s: the output has an APP%d segment", what, m-0xE0)
		}
		i += 2 + int(binary.BigEndian.Uint16(jpg[i+2:]))
	}
	if tiffOrientation(jpegExif(jpg)) != 0 {
		t.Errorf("%s: the output still has an orientation", what)
	}
}

func TestEveryOrientationIsTurnedUpright(t *testing.T) {
	v := seen()
	for o := 1; o <= 8; o++ {
		for _, big := range []bool{false, true} {
			data := jpegWithExif(t, stored(v, o), o, big)
			if got := orientation(data); got != o {
				t.Fatalf("orientation %d (big-endian %v) read as %d", o, big, got)
			}
			p, err := Process(data, "IMG_0001.JPG")
			if err != nil {
				t.Fatalf("orientation %d: %v", o, err)
			}
			what := "orientation " + string(rune('0'+o))
			quadrants(t, p, what)
			noMetadata(t, p.JPEG, what)
		}
	}
}

func TestAPNGWithAnExifChunkIsTurnedToo(t *testing.T) {
	var b bytes.Buffer
	if err := png.Encode(&b, stored(seen(), 8)); err != nil {
		t.Fatal(err)
	}
	// eXIf goes before IDAT: after the signature and IHDR (8 + 25 bytes).
	raw := b.Bytes()
	tiff := tiffBlock(8, true)
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(tiff)))
	chunk = append(chunk, "eXIf"...)
	chunk = append(chunk, tiff...)
	chunk = append(chunk, crc("eXIf", tiff)...)
	data := append(append(append([]byte{}, raw[:33]...), chunk...), raw[33:]...)
	p, err := Process(data, "screenshot.png")
	if err != nil {
		t.Fatal(err)
	}
	quadrants(t, p, "PNG orientation 8")
	noMetadata(t, p.JPEG, "PNG")
}

func TestAWebPIsReadAndTurned(t *testing.T) {
	raw, err := os.ReadFile("testdata/quadrants-stored-for-6.webp") // convert q.png -rotate -90
	if err != nil {
		t.Fatal(err)
	}
	if p, err := Process(raw, "a.webp"); err != nil || p.Width != seenH || p.Height != seenW {
		t.Fatalf("the plain WebP: %d×%d, %v", p.Width, p.Height, err)
	}
	// The extended format: VP8X (with the EXIF flag), the image chunk, then EXIF.
	vp8 := raw[12:]
	vp8x := []byte("VP8X")
	vp8x = binary.LittleEndian.AppendUint32(vp8x, 10)
	vp8x = append(vp8x, 0x08, 0, 0, 0)
	vp8x = append(vp8x, byte(seenH-1), 0, 0, byte(seenW-1), 0, 0)
	tiff := tiffBlock(6, false)
	exif := binary.LittleEndian.AppendUint32([]byte("EXIF"), uint32(len(tiff)))
	exif = append(exif, tiff...)
	if len(tiff)%2 == 1 {
		exif = append(exif, 0)
	}
	body := append(append(append([]byte("WEBP"), vp8x...), vp8...), exif...)
	data := append(binary.LittleEndian.AppendUint32([]byte("RIFF"), uint32(len(body))), body...)
	if o := orientation(data); o != 6 {
		t.Fatalf("the WebP's orientation read as %d", o)
	}
	p, err := Process(data, "a.webp")
	if err != nil {
		t.Fatal(err)
	}
	quadrants(t, p, "WebP orientation 6")
	noMetadata(t, p.JPEG, "WebP")
}

func TestALargePhotoIsScaledToTheLongEdge(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 4000, 3000))
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	p, err := Process(b.Bytes(), "big.jpg")
	if err != nil {
		t.Fatal(err)
	}
	if p.Width != MaxEdge || p.Height != 1200 {
		t.Fatalf("scaled to %d×%d, want %d×1200", p.Width, p.Height, MaxEdge)
	}
	// Upright by orientation 6: the long edge is then the height.
	p, err = Process(jpegWithExif(t, img, 6, false), "big.jpg")
	if err != nil {
		t.Fatal(err)
	}
	if p.Width != 1200 || p.Height != MaxEdge {
		t.Fatalf("turned and scaled to %d×%d, want 1200×%d", p.Width, p.Height, MaxEdge)
	}
}

// message is an error's English text and its Chinese, which must differ (translated).
func message(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	var e *app.Error
	if !isAppError(err, &e) || e.Code != app.CodeInvalid {
		t.Fatalf("want an invalid-input error, got %#v", err)
	}
	if zh := i18n.For("zh-CN").ErrText(err); zh == e.Text() {
		t.Errorf("%q has no Chinese translation", e.Message)
	}
	return e.Text()
}

func isAppError(err error, e **app.Error) bool {
	x, ok := err.(*app.Error)
	*e = x
	return ok
}

func TestWhatTheServerCannotReadIsRefusedClearly(t *testing.T) {
	heic, err := os.ReadFile("testdata/quadrants.heic") // convert q.png q.heic (ImageMagick, libheif)
	if err != nil {
		t.Fatal(err)
	}
	avif, _ := os.ReadFile("testdata/quadrants.avif")
	gif, _ := os.ReadFile("testdata/quadrants.gif")
	var b bytes.Buffer
	_ = jpeg.Encode(&b, seen(), nil)
	cut := b.Bytes()[:b.Len()/3]
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"IMG_0042.HEIC", heic, "IMG_0042.HEIC is HEIC, which the server cannot read: choose 'Most Compatible'"},
		{"a.avif", avif, "cannot read AVIF pictures"},
		{"a.gif", gif, "cannot read GIF pictures"},
		{"notes.txt", []byte("just some text, not a picture at all"), "notes.txt is not a photo"},
		{"report.pdf", []byte("%PDF-1.7\n..."), "cannot read PDF pictures"},
		{"empty.jpg", nil, "empty.jpg is empty"},
		{"cut.jpg", cut, "cut.jpg could not be read: it may be damaged"},
		{`C:\fakepath\x.txt`, []byte("hello"), "x.txt is not a photo"},
	} {
		_, err := Process(c.data, c.name)
		if got := message(t, err); !strings.Contains(got, c.want) {
			t.Errorf("%s: %q, want it to say %q", c.name, got, c.want)
		}
	}
}

func TestAFileOverTheLimitIsRefusedUnread(t *testing.T) {
	data := make([]byte, MaxBytes+1)
	copy(data, jpegMagic)
	_, err := Read(bytes.NewReader(data), "huge.jpg")
	if got := message(t, err); !strings.Contains(got, "huge.jpg is larger than 15 MB") {
		t.Errorf("got %q", got)
	}
	// Read stops at the limit: a reader that never ends is refused all the same.
	_, err = Read(rand.New(rand.NewSource(1)), "endless.jpg")
	if got := message(t, err); !strings.Contains(got, "larger than") {
		t.Errorf("got %q", got)
	}
}

func TestAPictureClaimingTooManyPixelsIsRefusedBeforeDecoding(t *testing.T) {
	// A PNG header claiming 10,000 × 10,000 pixels and no image data: decoding it would
	// fail, so the message shows the dimensions were refused first.
	var b bytes.Buffer
	b.Write(pngMagic)
	ihdr := binary.BigEndian.AppendUint32(nil, 10000)
	ihdr = binary.BigEndian.AppendUint32(ihdr, 10000)
	ihdr = append(ihdr, 8, 2, 0, 0, 0)
	b.Write(binary.BigEndian.AppendUint32(nil, uint32(len(ihdr))))
	b.WriteString("IHDR")
	b.Write(ihdr)
	b.Write(crc("IHDR", ihdr))
	_, err := Process(b.Bytes(), "bomb.png")
	if got := message(t, err); !strings.Contains(got, "has 100 megapixels, more than the 50") {
		t.Errorf("got %q", got)
	}
	// Just under the limit is taken (checked on the header only: no such picture is made).
	if int64(7000)*7000 > MaxPixels || int64(7100)*7100 <= MaxPixels {
		t.Fatal("the limit moved: update the test")
	}
}

func crc(typ string, data []byte) []byte {
	// png's CRC-32 (IEEE) over the type and the data.
	return binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(append([]byte(typ), data...)))
}

func TestDisplayNameKeepsTheLastPartShort(t *testing.T) {
	for in, want := range map[string]string{
		"IMG_1.jpg": "IMG_1.jpg", "/a/b/c.png": "c.png", `C:\x\y.jpg`: "y.jpg", "": NoName, "  ": NoName,
		strings.Repeat("长", 80): strings.Repeat("长", 57) + "…", "bad\xffname": NoName,
	} {
		if got := DisplayName(in); got != want {
			t.Errorf("DisplayName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOrientationOfBrokenExifIsUpright(t *testing.T) {
	good := tiffBlock(6, false)
	for i := 0; i < len(good); i++ {
		// Every truncation of the block is read without a panic.
		_ = tiffOrientation(good[:i])
	}
	for _, data := range [][]byte{
		{0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF, 'E'},            // a segment longer than the file
		{0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x01},                 // a length under 2
		append([]byte("RIFF\x00\x00\x00\x00WEBPEXIF"), 0xFF), // a chunk cut short
	} {
		if o := orientation(data); o != 1 {
			t.Errorf("%x: orientation %d, want 1", data, o)
		}
	}
	if tiffOrientation(tiffBlock(9, false)) != 9 || orientation(append([]byte{0xFF, 0xD8, 0xFF, 0xE1, 0, byte(2 + 6 + len(good))}, append([]byte("Exif\x00\x00"), tiffBlock(9, false)...)...)) != 1 {
		t.Error("an orientation outside 1–8 must read as 1")
	}
}
