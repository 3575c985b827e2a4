package ui

import (
	"bytes"
	"testing"

	"fyne.io/fyne/v2"
	"github.com/go-text/typesetting/font"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The console draws Chinese with the Simplified Chinese face of Noto Sans CJK, taken out
// of Debian's collection: the face it gives Fyne is SC (not the collection's first, JP), and
// its character map differs from the JP face's where the two regions draw a character
// differently (骨). Looked at, drawn at 48 px: the SC face draws 户 with a dot, 直 and 骨 in
// their mainland forms; Fyne's own fallback drew them the Japanese way.
func TestTheThemeFontIsTheSimplifiedChineseFace(t *testing.T) {
	for _, style := range []fyne.TextStyle{{}, {Bold: true}, {Monospace: true}} {
		r := scFont(style)
		require.NotNil(t, r, "Noto Sans CJK SC is installed with fonts-noto-cjk (make test installs it): %+v", style)
		face, err := font.ParseTTF(bytes.NewReader(r.Content()))
		require.NoError(t, err, "a standalone font Fyne can load")
		assert.Equal(t, cjkFace[style], face.Describe().Family)
		if style.Bold {
			assert.Equal(t, font.WeightBold, face.Describe().Aspect.Weight)
		}
		for _, c := range "户网安Watchpost 0123" {
			_, ok := face.NominalGlyph(c)
			assert.True(t, ok, "%q", c)
		}
	}
	jpLoc, err := locateFace("Noto Sans CJK JP", font.Aspect{Style: font.StyleNormal, Weight: font.WeightNormal})
	require.NoError(t, err)
	jpBytes, err := extractFace(jpLoc.File, int(jpLoc.Index))
	require.NoError(t, err)
	jp, err := font.ParseTTF(bytes.NewReader(jpBytes))
	require.NoError(t, err)
	sc, err := font.ParseTTF(bytes.NewReader(scFont(fyne.TextStyle{}).Content()))
	require.NoError(t, err)
	gjp, _ := jp.NominalGlyph('骨')
	gsc, _ := sc.NominalGlyph('骨')
	assert.NotEqual(t, gjp, gsc, "骨 is drawn with the SC glyph, not the Japanese one")
	assert.Equal(t, scFont(fyne.TextStyle{}), (&consoleTheme{}).Font(fyne.TextStyle{}), "the theme uses it")
}
