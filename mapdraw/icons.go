package mapdraw

import (
	"bytes"
	"image"
	"sync"

	"github.com/fyne-io/oksvg"
	"github.com/srwiley/rasterx"
)

// Icons are the markers' symbols: SVG pictures (black on transparent) by name — a device
// kind or "camera" — rendered as masks, each size once. The symbols come from the caller
// (the console and the reports pass assets.SymbolSVG), so that this package needs nothing
// but app. One Icons may be shared by several renderers, on any goroutine.
type Icons struct {
	svg   func(name string) ([]byte, bool)
	mu    sync.Mutex
	cache map[iconKey]*image.Alpha
}

type iconKey struct {
	sym  string
	size int
}

// NewIcons returns the icons whose SVG source svg gives by name (false: no such symbol,
// the marker is drawn without one).
func NewIcons(svg func(name string) ([]byte, bool)) *Icons {
	return &Icons{svg: svg, cache: map[iconKey]*image.Alpha{}}
}

// mask is a symbol's coverage at size × size pixels (nil: no icons, no such symbol, or one
// that does not parse).
func (ic *Icons) mask(sym string, size int) *image.Alpha {
	if ic == nil || ic.svg == nil || size <= 0 {
		return nil
	}
	k := iconKey{sym, size}
	ic.mu.Lock()
	defer ic.mu.Unlock()
	if m, ok := ic.cache[k]; ok {
		return m
	}
	var out *image.Alpha
	if b, ok := ic.svg(sym); ok {
		func() {
			defer func() { recover() }() // a broken symbol draws none, never a crash
			icon, err := oksvg.ReadIconStream(bytes.NewReader(b))
			if err != nil {
				return
			}
			icon.SetTarget(0, 0, float64(size), float64(size))
			img := image.NewRGBA(image.Rect(0, 0, size, size))
			sc := rasterx.NewScannerGV(size, size, img, img.Bounds())
			icon.Draw(rasterx.NewDasher(size, size, sc), 1)
			out = image.NewAlpha(img.Rect)
			for i := range out.Pix {
				out.Pix[i] = img.Pix[4*i+3]
			}
		}()
	}
	ic.cache[k] = out
	return out
}
