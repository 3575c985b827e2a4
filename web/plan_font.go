package web

import (
	"os"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
)

// The names on the plan are drawn with the system's Simplified Chinese face of Noto Sans
// CJK (Debian's fonts-noto-cjk, which the console needs too), read from its collection.
// Where it is missing the plan is drawn with Go's own fonts, which have no Chinese: the
// names are then the English ones (a name without an English one is drawn as it is).

// cjkCollections are where Debian keeps Noto Sans CJK (regular, bold).
var cjkCollections = [2]string{
	"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
	"/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
}

// cjkFamily is the face of the collections the plan uses.
const cjkFamily = "Noto Sans CJK SC"

type planFontSet struct {
	regular, bold *sfnt.Font
	cjk           bool // the faces draw Chinese

	mu    sync.Mutex // held while a plan is drawn
	faces map[faceKey]font.Face
}

type faceKey struct {
	size float64
	bold bool
}

var (
	planFontOnce sync.Once
	planFontsSet *planFontSet
)

// planFonts loads the faces once.
func planFonts() *planFontSet {
	planFontOnce.Do(func() {
		f := &planFontSet{faces: map[faceKey]font.Face{}}
		f.regular = cjkFace(cjkCollections[0])
		f.bold = cjkFace(cjkCollections[1])
		if f.regular != nil {
			f.cjk = true
			if f.bold == nil {
				f.bold = f.regular
			}
		} else {
			f.regular, _ = opentype.Parse(goregular.TTF)
			f.bold, _ = opentype.Parse(gobold.TTF)
		}
		planFontsSet = f
	})
	return planFontsSet
}

// cjkFace reads the Simplified Chinese face of a collection (nil when there is none).
func cjkFace(path string) *sfnt.Font {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	c, err := opentype.ParseCollection(b)
	if err != nil {
		return nil
	}
	var buf sfnt.Buffer
	for i := 0; i < c.NumFonts(); i++ {
		f, err := c.Font(i)
		if err != nil {
			continue
		}
		if name, err := f.Name(&buf, sfnt.NameIDFamily); err == nil && name == cjkFamily {
			return f
		}
	}
	return nil
}

// face is the face of a size in pixels. The faces are not safe for concurrent use: the
// caller holds f.mu while it measures and draws.
func (f *planFontSet) face(px float64, bold bool) font.Face {
	k := faceKey{px, bold}
	if fc, ok := f.faces[k]; ok {
		return fc
	}
	src := f.regular
	if bold {
		src = f.bold
	}
	fc, err := opentype.NewFace(src, &opentype.FaceOptions{Size: px, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		fc, _ = opentype.NewFace(f.regular, &opentype.FaceOptions{Size: px, DPI: 72})
	}
	f.faces[k] = fc
	return fc
}
