package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"github.com/go-text/typesetting/font"
	"github.com/go-text/typesetting/fontscan"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The console's faces are looked up and copied out before the window asks for them
// (PrepareFonts, on a goroutine at the start), from one reading of the system's font index:
// the window then takes them as they are.
func TestPrepareFontsHasTheConsoleFacesReady(t *testing.T) {
	scMu.Lock()
	saved := [...]any{scFonts, scTried, scIndex, scIndexErr}
	scFonts, scTried, scIndex, scIndexErr = map[fyne.TextStyle]fyne.Resource{}, map[fyne.TextStyle]bool{}, nil, nil
	scMu.Unlock()
	t.Cleanup(func() {
		scMu.Lock()
		scFonts, scTried = saved[0].(map[fyne.TextStyle]fyne.Resource), saved[1].(map[fyne.TextStyle]bool)
		scIndex, _ = saved[2].(*fontscan.FontMap)
		scIndexErr, _ = saved[3].(error)
		scMu.Unlock()
	})

	PrepareFonts()
	scMu.Lock()
	defer scMu.Unlock()
	require.NoError(t, scIndexErr)
	index := scIndex
	require.NotNil(t, index, "the system's font index was read")
	for _, style := range []fyne.TextStyle{{}, {Bold: true}, {Monospace: true}} {
		assert.NotNil(t, scFonts[style], "Noto Sans CJK SC is installed with fonts-noto-cjk (make test installs it); ready: %+v", style)
	}
	_, err := locateFace(cjkFace[fyne.TextStyle{}], font.Aspect{Style: font.StyleNormal, Weight: font.WeightNormal})
	require.NoError(t, err)
	assert.Same(t, index, scIndex, "one reading of the index serves every face")
}
