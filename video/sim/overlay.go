package sim

import (
	"image"
	"os"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gomonobold"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// The overlay burns the camera's name and a running clock into the picture, as real
// cameras do (OSD). Text is drawn into an alpha mask once per change and then blended into
// the luma plane (white on a dark band), chroma set neutral under it.

var cjkFonts = []string{
	"/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
	"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
}

var (
	fontOnce sync.Once
	cjk      *opentype.Font // may be nil: names are then drawn in Latin
	mono     *opentype.Font
)

func loadFonts() {
	fontOnce.Do(func() {
		mono, _ = opentype.Parse(gomonobold.TTF)
		for _, p := range cjkFonts {
			b, err := os.ReadFile(p)
			if err != nil {
				continue
			}
			coll, err := opentype.ParseCollection(b)
			if err != nil || coll.NumFonts() == 0 {
				continue
			}
			// The collection's order is JP, KR, SC, TC…: take SC for Chinese names.
			idx := 0
			if coll.NumFonts() > 2 {
				idx = 2
			}
			if f, err := coll.Font(idx); err == nil {
				cjk = f
				return
			}
		}
	})
}

// textMask renders text into an alpha mask of the given pixel size.
func textMask(text string, f *opentype.Font, size float64) *image.Alpha {
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return image.NewAlpha(image.Rect(0, 0, 1, 1))
	}
	defer face.Close()
	d := &font.Drawer{Face: face}
	w := d.MeasureString(text).Ceil() + 4
	m := face.Metrics()
	h := (m.Ascent + m.Descent).Ceil() + 4
	mask := image.NewAlpha(image.Rect(0, 0, w, h))
	d.Dst = mask
	d.Src = image.Opaque
	d.Dot = fixed.P(2, m.Ascent.Ceil()+2)
	d.DrawString(text)
	return mask
}

// overlay holds the rendered name and the last clock text.
type overlay struct {
	name      *image.Alpha
	clockText string
	clock     *image.Alpha
	size      float64
}

func newOverlay(name string, height int) *overlay {
	loadFonts()
	size := float64(height) / 20
	f := mono
	if cjk != nil {
		f = cjk
	}
	return &overlay{name: textMask(name, f, size), size: size}
}

// draw burns the name (top left) and the clock (top right) into img.
func (o *overlay) draw(img *image.YCbCr, clockText string) {
	if clockText != o.clockText {
		o.clockText = clockText
		o.clock = textMask(clockText, mono, o.size)
	}
	pad := int(o.size / 2)
	blend(img, o.name, image.Pt(pad, pad))
	blend(img, o.clock, image.Pt(img.Rect.Dx()-o.clock.Rect.Dx()-pad, pad))
}

// blend darkens a band under the mask and writes the text white into the luma plane.
func blend(img *image.YCbCr, mask *image.Alpha, at image.Point) {
	r := mask.Rect.Add(at).Intersect(img.Rect)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			a := int(mask.Pix[(y-at.Y)*mask.Stride+(x-at.X)])
			yi := y*img.YStride + x
			bg := int(img.Y[yi]) * 2 / 5 // a dark band keeps the text readable on any scene
			img.Y[yi] = uint8((bg*(255-a) + 235*a) / 255)
		}
	}
	for y := r.Min.Y / 2; y < (r.Max.Y+1)/2; y++ {
		for x := r.Min.X / 2; x < (r.Max.X+1)/2; x++ {
			ci := y*img.CStride + x
			img.Cb[ci], img.Cr[ci] = 128, 128
		}
	}
}
