// Package firstpaint tells when a window's content has been painted: the start's measure
// (BenchmarkStart) and the console's log line say "the first screen is on the window" only
// once it was drawn, not when it was built or handed to the canvas.
//
// The probe is a canvas.Raster of one transparent pixel in the window's top-left corner.
// Fyne calls a raster's generator only while it paints the frame that draws it, so the
// first call means the window's content is being painted; the callback then waits for the
// UI thread's next turn, which comes after that frame was handed to the screen (the frame's
// buffer swap), and hides the probe so that later frames do not draw it.
package firstpaint

import (
	"image"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
)

// Over returns content with the probe over it. painted is called once, on the UI thread,
// after the first frame that drew content (and the probe) was painted, with the time the
// painting of that frame reached the probe.
func Over(content fyne.CanvasObject, painted func(at time.Time)) fyne.CanvasObject {
	var once sync.Once
	var probe *canvas.Raster
	probe = canvas.NewRaster(func(w, h int) image.Image {
		once.Do(func() {
			at := time.Now()
			fyne.Do(func() { // after this frame: the UI thread is painting it now
				probe.Hide()
				painted(at)
			})
		})
		return image.NewNRGBA(image.Rect(0, 0, max(w, 1), max(h, 1))) // transparent
	})
	probe.Resize(fyne.NewSize(1, 1))
	// Without a layout the probe keeps its one pixel: the stack sizes the holder, not it.
	return container.NewStack(content, container.NewWithoutLayout(probe))
}
