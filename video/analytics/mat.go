package analytics

import (
	"image"

	"gocv.io/x/gocv"
)

// grayMat is a reusable OpenCV matrix that luma pictures are copied into. gocv v0.25.0's
// NewMatFromBytes would point the Mat into Go memory (against cgo's rules), so the Mat is
// allocated by OpenCV and the picture copied into it (DESIGN.md, known pitfalls).
type grayMat struct {
	m    gocv.Mat
	size image.Point
}

// load copies img into the matrix, reallocating it when the size changed.
func (g *grayMat) load(img *image.Gray) gocv.Mat {
	size := img.Rect.Size()
	if g.size != size {
		g.close()
		g.m = gocv.NewMatWithSize(size.Y, size.X, gocv.MatTypeCV8U)
		g.size = size
	}
	dst := g.m.DataPtrUint8()
	if img.Stride == size.X {
		copy(dst, img.Pix[:size.X*size.Y])
	} else {
		for y := 0; y < size.Y; y++ {
			copy(dst[y*size.X:(y+1)*size.X], img.Pix[y*img.Stride:y*img.Stride+size.X])
		}
	}
	return g.m
}

func (g *grayMat) close() {
	if g.size != (image.Point{}) {
		g.m.Close()
		g.size = image.Point{}
	}
}

// clip returns r inside bounds (possibly empty).
func clip(r, bounds image.Rectangle) image.Rectangle { return r.Intersect(bounds) }

// grow returns r enlarged by fx of its width on each side and fy of its height above and below.
func grow(r image.Rectangle, fx, fy float64) image.Rectangle {
	dx := int(float64(r.Dx())*fx + 0.5)
	dy := int(float64(r.Dy())*fy + 0.5)
	return image.Rect(r.Min.X-dx, r.Min.Y-dy, r.Max.X+dx, r.Max.Y+dy)
}

// iou is the overlap of two boxes (intersection over union).
func iou(a, b image.Rectangle) float64 {
	in := a.Intersect(b)
	if in.Empty() {
		return 0
	}
	ia := float64(in.Dx() * in.Dy())
	return ia / (float64(a.Dx()*a.Dy()) + float64(b.Dx()*b.Dy()) - ia)
}
