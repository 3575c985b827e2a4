package ui

import (
	"path/filepath"
	"sync"

	"github.com/go-text/typesetting/fontscan"
)

// Fyne draws with its own Latin font and falls back to the system's fonts (through
// go-text's fontscan) for other scripts, so Chinese renders only where a CJK font is
// installed. fontCheck finds out, the same way Fyne will, so the console can say so
// clearly instead of drawing boxes.

// FontStatus says whether Chinese text can be drawn, and with which font.
type FontStatus struct {
	Checked bool
	Found   bool
	Family  string
	File    string
}

var (
	fontOnce   sync.Once
	fontResult FontStatus
)

type quietLogger struct{}

func (quietLogger) Printf(string, ...any) {}

// CJKFont scans the system fonts once (fontscan keeps an index in the user cache
// directory, so later starts are quick) and reports the font used for Chinese.
func CJKFont() FontStatus {
	fontOnce.Do(func() {
		fm := fontscan.NewFontMap(quietLogger{})
		fontResult.Checked = true
		if err := fm.UseSystemFonts(""); err != nil {
			return
		}
		fm.SetQuery(fontscan.Query{Families: []string{fontscan.SansSerif}})
		face := fm.ResolveFace('安')
		if face == nil {
			return
		}
		// ResolveFace returns some face even when none covers the rune: check it does.
		if _, ok := face.NominalGlyph('安'); !ok {
			return
		}
		if _, ok := face.NominalGlyph('网'); !ok {
			return
		}
		fontResult.Found = true
		fontResult.Family, _ = fm.FontMetadata(face.Font)
		fontResult.File = filepath.Clean(fm.FontLocation(face.Font).File)
	})
	return fontResult
}
