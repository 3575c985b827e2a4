// Package photo turns a picture sent from a phone into one the console can keep: the type
// checked from its content (JPEG, PNG, WebP; a type the server cannot read refused with a
// message that says what to do), its size checked before it is decoded (a small file can
// claim a huge picture), turned upright by its EXIF orientation, scaled so that its long
// edge is at most MaxEdge pixels and encoded again as JPEG, which keeps none of the EXIF
// fields: the phone's model, the time and the GPS location do not reach the store.
package photo

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"path"
	"strings"
	"unicode/utf8"

	"golang.org/x/image/draw"
	"golang.org/x/image/webp"

	"watchpost/app"
)

// Limits of one photo.
const (
	// MaxBytes is the largest file taken: a 48-megapixel phone photo is 8–12 MB as JPEG.
	MaxBytes = 15 << 20
	// MaxPixels refuses a picture whose header claims more pixels than a phone takes,
	// before it is decoded (a decompression bomb: a few KB of PNG can claim 100,000 × 100,000
	// pixels, 40 GB once decoded). 50 megapixels decode to 200 MB at most.
	MaxPixels = 50_000_000
	// MaxEdge is the long edge of the kept photo: enough to read a meter or a crack on a
	// phone or in a report, ~300–600 KB as JPEG.
	MaxEdge = 1600
	// Quality is the JPEG quality of the kept photo.
	Quality = 85
	// MaxDecoding is how many photos are decoded at once (each may hold up to ~200 MB while
	// it is): more wait their turn rather than run the engine out of memory.
	MaxDecoding = 2
)

// Photo is a photo ready to be stored: JPEG bytes without metadata, and its size.
type Photo struct {
	JPEG          []byte
	Width, Height int
}

var (
	jpegMagic = []byte{0xFF, 0xD8, 0xFF}
	pngMagic  = []byte("\x89PNG\r\n\x1a\n")
)

func isWebP(b []byte) bool {
	return len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP"
}

// kind is a type the server reads.
type kind int

const (
	kindJPEG kind = iota + 1
	kindPNG
	kindWebP
)

// decoding holds a slot for each photo being decoded (MaxDecoding).
var decoding = make(chan struct{}, MaxDecoding)

// Read reads one photo of at most MaxBytes from r and processes it (Process). name is the
// file's name as the phone sent it, for the messages.
func Read(r io.Reader, name string) (Photo, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return Photo{}, app.Errorf(app.CodeInvalid, "The photo {{.Name}} did not arrive whole: send it again", "Name", DisplayName(name)).Wrap(err)
	}
	return Process(data, name)
}

// Process checks a photo file and makes the photo to keep from it.
func Process(data []byte, name string) (Photo, error) {
	name = DisplayName(name)
	if len(data) > MaxBytes {
		return Photo{}, TooLarge(name)
	}
	k, err := sniff(data, name)
	if err != nil {
		return Photo{}, err
	}
	cfg, err := decodeConfig(k, data)
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return Photo{}, damaged(name, err)
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return Photo{}, app.Errorf(app.CodeInvalid, "The photo {{.Name}} has {{.MP}} megapixels, more than the {{.Max}} the server takes",
			"Name", name, "MP", int64(cfg.Width)*int64(cfg.Height)/1_000_000, "Max", MaxPixels/1_000_000)
	}
	decoding <- struct{}{}
	defer func() { <-decoding }()
	img, err := decode(k, data)
	if err != nil {
		return Photo{}, damaged(name, err)
	}
	out := orient(scale(img, MaxEdge), orientation(data))
	var b bytes.Buffer
	if err := jpeg.Encode(&b, out, &jpeg.Options{Quality: Quality}); err != nil {
		return Photo{}, app.Errorf(app.CodeInternal, "The photo {{.Name}} could not be saved as JPEG", "Name", name).Wrap(err)
	}
	bounds := out.Bounds()
	return Photo{JPEG: b.Bytes(), Width: bounds.Dx(), Height: bounds.Dy()}, nil
}

// TooLarge is the error of a photo file over MaxBytes (the web pages check a part's size
// before they read it).
func TooLarge(name string) error {
	return app.Errorf(app.CodeInvalid, "The photo {{.Name}} is larger than {{.MB}} MB: take it at a lower resolution, or send a screenshot",
		"Name", DisplayName(name), "MB", MaxBytes>>20)
}

func damaged(name string, err error) error {
	return app.Errorf(app.CodeInvalid, "The photo {{.Name}} could not be read: it may be damaged or cut short", "Name", name).Wrap(err)
}

// NoName stands for a file sent without a name (a translation key, like every message).
const NoName = "(no name)"

// DisplayName is the last part of a file name as a phone sent it, cut to 60 characters,
// for messages.
func DisplayName(name string) string {
	name = strings.TrimSpace(path.Base(strings.ReplaceAll(name, `\`, "/")))
	if name == "" || name == "." || name == "/" || !utf8.ValidString(name) {
		return NoName
	}
	if r := []rune(name); len(r) > 60 {
		name = string(r[:57]) + "…"
	}
	return name
}

// sniff tells the type from the first bytes, whatever name or type the phone claimed.
func sniff(b []byte, name string) (kind, error) {
	switch {
	case len(b) == 0:
		return 0, app.Errorf(app.CodeInvalid, "The photo {{.Name}} is empty", "Name", name)
	case bytes.HasPrefix(b, jpegMagic):
		return kindJPEG, nil
	case bytes.HasPrefix(b, pngMagic):
		return kindPNG, nil
	case isWebP(b):
		return kindWebP, nil
	}
	if brand, ok := isoBrand(b); ok {
		if brand == "HEIC" {
			return 0, app.Errorf(app.CodeInvalid, "The photo {{.Name}} is HEIC, which the server cannot read: choose 'Most Compatible' in the camera settings (Settings → Camera → Formats), or send a screenshot", "Name", name)
		}
		return 0, unreadable(name, brand)
	}
	for _, m := range otherImages {
		if bytes.HasPrefix(b, []byte(m.magic)) {
			return 0, unreadable(name, m.name)
		}
	}
	return 0, app.Errorf(app.CodeInvalid, "{{.Name}} is not a photo: send a JPEG, PNG or WebP picture", "Name", name)
}

func unreadable(name, typ string) error {
	return app.Errorf(app.CodeInvalid, "The server cannot read {{.Type}} pictures ({{.Name}}): send a JPEG, PNG or WebP photo", "Type", typ, "Name", name)
}

// otherImages are picture types a phone or a computer may send that the server does not read.
var otherImages = []struct{ magic, name string }{
	{"GIF87a", "GIF"}, {"GIF89a", "GIF"}, {"BM", "BMP"}, {"II*\x00", "TIFF"}, {"MM\x00*", "TIFF"},
	{"\x00\x00\x00\x0CjP  ", "JPEG 2000"}, {"%PDF", "PDF"},
}

// isoBrand reads the brand of an ISO base media file ("ftyp" box): HEIC (what iPhones take
// by default), AVIF, or a video.
func isoBrand(b []byte) (string, bool) {
	if len(b) < 16 || string(b[4:8]) != "ftyp" {
		return "", false
	}
	size := int(b[0])<<24 | int(b[1])<<16 | int(b[2])<<8 | int(b[3])
	if size < 16 || size > len(b) {
		size = min(len(b), 64)
	}
	brands := []string{string(b[8:12])}
	for i := 16; i+4 <= size; i += 4 { // the compatible brands
		brands = append(brands, string(b[i:i+4]))
	}
	heic, avif := false, false
	for _, br := range brands {
		switch br {
		case "heic", "heix", "hevc", "hevx", "heim", "heis", "hevm", "hevs":
			heic = true
		case "avif", "avis":
			avif = true
		}
	}
	switch {
	case avif:
		return "AVIF", true
	case heic || brands[0] == "mif1" || brands[0] == "msf1":
		return "HEIC", true
	}
	return "MP4/MOV", true
}

func decodeConfig(k kind, data []byte) (image.Config, error) {
	r := bytes.NewReader(data)
	switch k {
	case kindJPEG:
		return jpeg.DecodeConfig(r)
	case kindPNG:
		return png.DecodeConfig(r)
	default:
		return webp.DecodeConfig(r)
	}
}

func decode(k kind, data []byte) (image.Image, error) {
	r := bytes.NewReader(data)
	switch k {
	case kindJPEG:
		return jpeg.Decode(r)
	case kindPNG:
		return png.Decode(r)
	default:
		return webp.Decode(r)
	}
}

// scale returns img with its long edge at most edge pixels, drawn over white (JPEG has no
// transparency: a screenshot's transparent parts would turn black).
func scale(img image.Image, edge int) *image.RGBA {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if long := max(w, h); long > edge {
		w, h = max(1, w*edge/long), max(1, h*edge/long)
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	if w == b.Dx() && h == b.Dy() {
		draw.Draw(dst, dst.Bounds(), img, b.Min, draw.Over)
		return dst
	}
	// CatmullRom widens its kernel when it shrinks, so fine detail (a meter's digits, a
	// crack) does not alias; 12 megapixels take ~0.5 s here.
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Over, nil)
	return dst
}
