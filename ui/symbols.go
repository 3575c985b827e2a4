package ui

import (
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"watchpost/app"
	"watchpost/assets"
)

var (
	symbolMu    sync.Mutex
	symbolCache = map[string]fyne.Resource{}
)

// symbol returns a themed icon for a device kind, "camera", "building" or "grid" (tinted
// with the theme's foreground colour, like Fyne's own icons).
func symbol(name string) fyne.Resource {
	symbolMu.Lock()
	defer symbolMu.Unlock()
	if r, ok := symbolCache[name]; ok {
		return r
	}
	var r fyne.Resource = theme.QuestionIcon()
	if b, ok := assets.SymbolSVG(name); ok {
		r = theme.NewThemedResource(fyne.NewStaticResource(name+".svg", b))
	}
	symbolCache[name] = r
	return r
}

// kindSymbol returns the icon of a device kind.
func kindSymbol(k app.DeviceKind) fyne.Resource { return symbol(string(k)) }
