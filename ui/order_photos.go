package ui

import (
	"bytes"
	"image"
	"image/jpeg"
	_ "image/png" // a PNG picked from a file is made a JPEG

	xdraw "golang.org/x/image/draw"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// A work order's photos (the report's, the proof of the result, those of each step) as
// thumbnails; a tap opens one large. They are read from the photo store off the UI thread.

var thumbSize = fyne.NewSize(112, 84)

// photoStrip shows photos as a row of thumbnails.
func photoStrip(c *Console, names []string) fyne.CanvasObject {
	box := container.NewHBox()
	for _, n := range names {
		box.Add(newPhotoThumb(c, n))
	}
	return box
}

// photoThumb is one thumbnail: a grey frame until the photo is read, the reason when it
// cannot be.
type photoThumb struct {
	widget.BaseWidget
	c    *Console
	name string
	img  *canvas.Image
	why  *widget.Label
	res  fyne.Resource
	box  fyne.CanvasObject
}

func newPhotoThumb(c *Console, name string) *photoThumb {
	t := &photoThumb{c: c, name: name, img: &canvas.Image{FillMode: canvas.ImageFillContain}, why: widget.NewLabel("")}
	t.img.SetMinSize(thumbSize)
	t.why.Wrapping = fyne.TextWrapWord
	t.why.SizeName = theme.SizeNameCaptionText
	t.why.Hide()
	bg := canvas.NewRectangle(themeColor(colorPanel))
	bg.CornerRadius = 4
	t.box = container.NewStack(bg, t.img, t.why)
	t.ExtendBaseWidget(t)
	if c.core.Photos == nil {
		t.fail(T("No photos are kept here"))
		return t
	}
	go func() {
		b, err := c.core.Photos.OpenPhoto(name)
		c.onUI(func() {
			if err != nil {
				t.fail(ErrText(err))
				return
			}
			t.res = fyne.NewStaticResource(name, b)
			t.img.Resource = t.res
			t.img.Refresh()
		})
	}()
	return t
}

func (t *photoThumb) fail(why string) {
	t.why.SetText(why)
	t.why.Show()
}

func (t *photoThumb) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(t.box) }

func (t *photoThumb) MinSize() fyne.Size { return thumbSize }

// Tapped opens the photo large.
func (t *photoThumb) Tapped(*fyne.PointEvent) {
	if t.res == nil {
		return
	}
	big := canvas.NewImageFromResource(t.res)
	big.FillMode = canvas.ImageFillContain
	big.SetMinSize(fyne.NewSize(800, 600))
	dialog.ShowCustom(T("Photo"), T("Close"), big, t.c.win)
}

// Cursor shows a hand over a photo that opens.
func (t *photoThumb) Cursor() desktop.Cursor { return desktop.PointerCursor }

// Photos picked from a file at the console: at most maxPhotoFile bytes read, made a JPEG of at
// most maxPhotoSide pixels a side (as the phone pages do; re-encoding also drops what the
// file said about where and when it was taken).
const (
	maxPhotoFile = 20 << 20
	maxPhotoSide = 1600
)

// savePhoto checks a picture, makes it a JPEG of a sensible size and keeps it in the store.
func savePhoto(store app.PhotoStore, data []byte) (string, error) {
	if len(data) > maxPhotoFile {
		return "", app.Errorf(app.CodeInvalid, "The picture is larger than {{.N}} MB", "N", maxPhotoFile>>20)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return "", app.Errorf(app.CodeInvalid, "This file is not a JPEG or PNG picture")
	}
	b := img.Bounds()
	if w, h := b.Dx(), b.Dy(); w > maxPhotoSide || h > maxPhotoSide {
		scale := float64(maxPhotoSide) / float64(max(w, h))
		dst := image.NewRGBA(image.Rect(0, 0, max(1, int(float64(w)*scale)), max(1, int(float64(h)*scale))))
		xdraw.CatmullRom.Scale(dst, dst.Bounds(), img, b, xdraw.Src, nil)
		img = dst
	}
	var out bytes.Buffer
	if err := jpeg.Encode(&out, img, &jpeg.Options{Quality: 85}); err != nil {
		return "", app.Errorf(app.CodeInvalid, "This file is not a JPEG or PNG picture")
	}
	return store.SavePhoto(out.Bytes())
}
