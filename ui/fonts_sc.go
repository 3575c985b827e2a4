package ui

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sync"

	"fyne.io/fyne/v2"
	"github.com/go-text/typesetting/font"
	"github.com/go-text/typesetting/fontscan"
)

// Chinese text is drawn with the Simplified Chinese face of Noto Sans CJK. Debian ships it
// only inside collections (NotoSansCJK-*.ttc: JP, KR, SC, TC and HK faces over one set of
// glyphs, each face with its own character map); Fyne's fallback picks the first face that
// covers a character, the Japanese one, which draws some hanzi the Japanese way (户 with a
// slanted first stroke, 边, 骨…). So the console's theme font is the SC face itself, copied
// out of the collection into a standalone font (its own table directory pointing at the
// same tables): Latin text is drawn by its Latin glyphs, Chinese by the SC forms, in both
// languages (an English console shows Chinese names too). Where the font is missing the
// console falls back to Fyne's own and the status bar says so (fonts.go).

// cjkFace names the faces the console uses for each style.
var cjkFace = map[fyne.TextStyle]string{
	{}:                            "Noto Sans CJK SC",
	{Bold: true}:                  "Noto Sans CJK SC",
	{Monospace: true}:             "Noto Sans Mono CJK SC",
	{Monospace: true, Bold: true}: "Noto Sans Mono CJK SC",
}

var (
	scMu    sync.Mutex
	scFonts = map[fyne.TextStyle]fyne.Resource{}
	scTried = map[fyne.TextStyle]bool{}
	// scIndex is the system's font index, loaded once for every face looked up (with scMu
	// held: a FontMap is not safe for concurrent use); scIndexErr is why it could not be.
	scIndex    *fontscan.FontMap
	scIndexErr error
)

// PrepareFonts looks up and copies out the faces the console draws with (regular, bold,
// monospace), so that the window, built a moment later, finds them ready: the lookups read
// two 20 MB collections and took a quarter of a second of the window's start on its own
// thread. The console calls it on a goroutine of its own at once, while the store opens.
func PrepareFonts() {
	for _, style := range []fyne.TextStyle{{Bold: true}, {}, {Monospace: true}} { // the order the window asks
		scFont(style)
	}
}

// scFont returns the Simplified Chinese face for a style (italic is drawn upright: CJK
// fonts have no italics), or nil when the system has none.
func scFont(style fyne.TextStyle) fyne.Resource {
	key := fyne.TextStyle{Bold: style.Bold, Monospace: style.Monospace}
	scMu.Lock()
	defer scMu.Unlock()
	if r, ok := scFonts[key]; ok || scTried[key] {
		return r
	}
	scTried[key] = true
	family := cjkFace[key]
	aspect := font.Aspect{Style: font.StyleNormal, Weight: font.WeightNormal}
	if key.Bold {
		aspect.Weight = font.WeightBold
	}
	loc, err := locateFace(family, aspect)
	if err != nil {
		return nil
	}
	b, err := extractFace(loc.File, int(loc.Index))
	if err != nil {
		return nil
	}
	emptyUnusedLookups(b) // fonts_gsub.go: what Fyne prepares for every string
	r := fyne.NewStaticResource(fmt.Sprintf("%s-%.0f.otf", family, float64(aspect.Weight)), b)
	scFonts[key] = r
	return r
}

// locateFace finds a face by family and aspect among the system's fonts (with scMu held).
func locateFace(family string, aspect font.Aspect) (font.FontID, error) {
	if scIndex == nil && scIndexErr == nil {
		fm := fontscan.NewFontMap(quietLogger{})
		if scIndexErr = fm.UseSystemFonts(""); scIndexErr == nil {
			scIndex = fm
		}
	}
	if scIndexErr != nil {
		return font.FontID{}, scIndexErr
	}
	fm := scIndex
	fm.SetQuery(fontscan.Query{Families: []string{family}, Aspect: aspect})
	face := fm.ResolveFace('户')
	if face == nil {
		return font.FontID{}, errors.New("no face")
	}
	got, gotAspect := fm.FontMetadata(face.Font)
	if font.NormalizeFamily(got) != font.NormalizeFamily(family) || gotAspect.Weight != aspect.Weight {
		return font.FontID{}, fmt.Errorf("%s is not installed (found %s)", family, got)
	}
	return fm.FontLocation(face.Font), nil
}

// extractFace copies face index of a font collection (or a single font file) into a
// standalone OpenType font.
func extractFace(path string, index int) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return sfntOf(data, index)
}

// sfntOf builds the standalone font of face index in data (a 'ttcf' collection, or a
// single font when index is 0).
func sfntOf(data []byte, index int) ([]byte, error) {
	u32 := func(off int) (uint32, error) {
		if off < 0 || off+4 > len(data) {
			return 0, errors.New("truncated font file")
		}
		return binary.BigEndian.Uint32(data[off:]), nil
	}
	start := 0
	if string(data[:min(4, len(data))]) == "ttcf" {
		n, err := u32(8)
		if err != nil {
			return nil, err
		}
		if index < 0 || uint32(index) >= n {
			return nil, fmt.Errorf("the collection has %d faces, not %d", n, index+1)
		}
		off, err := u32(12 + 4*index)
		if err != nil {
			return nil, err
		}
		start = int(off)
	} else if index != 0 {
		return nil, errors.New("not a font collection")
	}
	if start+12 > len(data) {
		return nil, errors.New("truncated font file")
	}
	numTables := int(binary.BigEndian.Uint16(data[start+4:]))
	dir := start + 12
	if dir+16*numTables > len(data) {
		return nil, errors.New("truncated table directory")
	}
	type table struct{ tag, sum, off, length uint32 }
	tables := make([]table, numTables)
	size := 12 + 16*numTables
	for i := range tables {
		r := dir + 16*i
		t := table{binary.BigEndian.Uint32(data[r:]), binary.BigEndian.Uint32(data[r+4:]),
			binary.BigEndian.Uint32(data[r+8:]), binary.BigEndian.Uint32(data[r+12:])}
		if int(t.off)+int(t.length) > len(data) {
			return nil, errors.New("a table lies outside the file")
		}
		tables[i] = t
		size += (int(t.length) + 3) &^ 3
	}
	out := make([]byte, size)
	copy(out, data[start:start+12]) // sfnt version, numTables, search hints
	pos := 12 + 16*numTables
	for i, t := range tables {
		r := 12 + 16*i
		binary.BigEndian.PutUint32(out[r:], t.tag)
		binary.BigEndian.PutUint32(out[r+4:], t.sum)
		binary.BigEndian.PutUint32(out[r+8:], uint32(pos))
		binary.BigEndian.PutUint32(out[r+12:], t.length)
		copy(out[pos:], data[t.off:t.off+t.length])
		pos += (int(t.length) + 3) &^ 3
	}
	return out, nil
}
