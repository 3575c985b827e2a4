package ui

import (
	"bytes"
	"testing"

	"fyne.io/fyne/v2"
	"github.com/go-text/typesetting/di"
	"github.com/go-text/typesetting/font"
	"github.com/go-text/typesetting/language"
	"github.com/go-text/typesetting/shaping"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/image/math/fixed"
)

// The console's copy of each face leaves out the GSUB lookups Fyne cannot apply (vertical
// text, alternates applied only on request, other languages' forms: Fyne prepares every
// lookup for every string it shapes), and shapes horizontal text exactly as the face it was
// copied from: the same glyphs, positions and advances, in Chinese, English, digits and the
// punctuation of both, as Fyne shapes it (no language) and with the console's languages.
func TestTheConsoleFacesShapeAsTheirCollectionWithoutWhatFyneCannotApply(t *testing.T) {
	texts := []string{
		"守望 消防 户网安骨直边 报警 已确认", "Watchpost: office fi fl ffi ff — 0123456789 %",
		"（全角）「引号」、。！？：；", "3号楼 2单元 烟感 P1 15:04:05", "カメラ 한국어 Ωμ",
	}
	for _, style := range []fyne.TextStyle{{}, {Bold: true}, {Monospace: true}} {
		family := cjkFace[style]
		aspect := font.Aspect{Style: font.StyleNormal, Weight: font.WeightNormal}
		if style.Bold {
			aspect.Weight = font.WeightBold
		}
		scMu.Lock()
		loc, err := locateFace(family, aspect)
		scMu.Unlock()
		require.NoError(t, err, "%s is installed with fonts-noto-cjk (make test installs it)", family)
		whole, err := extractFace(loc.File, int(loc.Index))
		require.NoError(t, err)
		trimmed := append([]byte(nil), whole...)
		emptied := emptyUnusedLookups(trimmed)
		assert.Positive(t, emptied, "%s: the lookups Fyne cannot apply are emptied", family)
		assert.True(t, bytes.Equal(trimmed, scFont(style).Content()), "the theme's face is the trimmed copy")

		wf, err := font.ParseTTF(bytes.NewReader(whole))
		require.NoError(t, err)
		tf, err := font.ParseTTF(bytes.NewReader(trimmed))
		require.NoError(t, err, "a font Fyne can load")
		for _, lang := range []language.Language{"", "zh-cn", "en"} {
			for _, text := range texts {
				want, got := shapeAsFyne(wf, text, lang), shapeAsFyne(tf, text, lang)
				require.Equal(t, len(want), len(got), "%s %q %q", family, text, lang)
				for i := range want {
					assert.Equal(t, want[i].Advance, got[i].Advance, "%s %q %q", family, text, lang)
					assert.Equal(t, want[i].Glyphs, got[i].Glyphs, "%s %q %q", family, text, lang)
				}
			}
		}
	}
}

// oneFace is a font map of one face (Fyne's holds the theme's face first).
type oneFace struct{ f *font.Face }

func (o oneFace) ResolveFace(rune) *font.Face { return o.f }

// shapeAsFyne shapes text as Fyne's painter does (internal/painter/font.go: split into runs
// by script and direction, each shaped on its own, no language), or in the language given.
func shapeAsFyne(face *font.Face, text string, lang language.Language) []shaping.Output {
	runes := []rune(text)
	in := shaping.Input{Text: runes, RunEnd: len(runes), Direction: di.DirectionLTR, Face: face, Size: fixed.I(14), Language: lang}
	shaper := &shaping.HarfbuzzShaper{}
	var out []shaping.Output
	for _, run := range (&shaping.Segmenter{}).Split(in, oneFace{face}) {
		out = append(out, shaper.Shape(run))
	}
	return out
}
