package analytics

import (
	"image"
	"image/color"

	"watchpost/app"

	"gocv.io/x/gocv"
)

// motionStage finds what moves: MOG2 background subtraction on a half-size copy of the
// picture (0.75 ms a frame at 320×180 against 2.8 ms on colour 640×360, DESIGN.md), shadows
// dropped by the threshold, specks removed by an opening, the parts of one body joined by a
// closing, and the outer contours' boxes kept when tall enough. MOG2's shadow detection is
// off: on luma alone it takes anything darker than the ground (jeans on a grey road) for
// a shadow.
type motionStage struct {
	mog     *mog2
	small   gocv.Mat
	mask    gocv.Mat
	open    gocv.Mat // 3×3 kernel
	close   gocv.Mat // 5×9 kernel: bodies are tall, a head and its legs join up
	size    image.Point
	minH    int      // smallest box kept, in rows of the small picture
	keep    gocv.Mat // 255 where motion counts, 0 in the masks (empty: no masks)
	frames  int
	history int
}

// motionBlob is a moving region, in the coordinates of the full analysis picture.
type motionBlob struct {
	box  image.Rectangle
	area int // foreground pixels (of the small picture)
}

// newMotionStage sets up background subtraction for pictures of full size; history is in
// frames (how long a thing that stops moving stays foreground: about a tenth of it),
// varThreshold is MOG2's (lower is more sensitive).
func newMotionStage(full image.Point, history int, varThreshold float64, minH int) *motionStage {
	size := image.Pt(full.X/2, full.Y/2)
	return &motionStage{
		mog:     newMOG2(history, varThreshold),
		small:   gocv.NewMatWithSize(size.Y, size.X, gocv.MatTypeCV8U),
		mask:    gocv.NewMat(),
		keep:    gocv.NewMat(),
		open:    gocv.GetStructuringElement(gocv.MorphRect, image.Pt(3, 3)),
		close:   gocv.GetStructuringElement(gocv.MorphEllipse, image.Pt(5, 9)),
		size:    size,
		minH:    max(minH/2, 3),
		history: history,
	}
}

// apply updates the background with full (the analysis picture) and returns the moving
// regions. The first frames only teach the background.
func (m *motionStage) apply(full gocv.Mat) []motionBlob {
	gocv.Resize(full, &m.small, m.size, 0, 0, gocv.InterpolationArea)
	m.mog.apply(m.small, &m.mask)
	if !m.keep.Empty() {
		gocv.BitwiseAnd(m.mask, m.keep, &m.mask)
	}
	m.frames++
	if m.frames < 3 {
		return nil
	}
	gocv.MorphologyEx(m.mask, &m.mask, gocv.MorphOpen, m.open)
	gocv.MorphologyEx(m.mask, &m.mask, gocv.MorphClose, m.close)
	contours := gocv.FindContours(m.mask, gocv.RetrievalExternal, gocv.ChainApproxSimple)
	total := m.size.X * m.size.Y
	var blobs []motionBlob
	for _, c := range contours {
		r := gocv.BoundingRect(c)
		if r.Dy() < m.minH || r.Dx() < 2 {
			continue
		}
		area := int(gocv.ContourArea(c))
		if area*2 > total {
			continue // half the picture changed at once: light, not a thing that moves
		}
		blobs = append(blobs, motionBlob{box: image.Rect(r.Min.X*2, r.Min.Y*2, r.Max.X*2, r.Max.Y*2), area: area})
	}
	return blobs
}

// setMasks blanks the excluded zones (0–1 polygons) out of every foreground mask.
func (m *motionStage) setMasks(zones []app.Zone) {
	var polys [][]image.Point
	for _, z := range zones {
		if !z.Exclude || len(z.Points) < 3 {
			continue
		}
		var pts []image.Point
		for _, p := range z.Points {
			pts = append(pts, image.Pt(int(p.X*float64(m.size.X)+0.5), int(p.Y*float64(m.size.Y)+0.5)))
		}
		polys = append(polys, pts)
	}
	if len(polys) == 0 {
		return
	}
	m.keep.Close()
	m.keep = gocv.NewMatWithSizeFromScalar(gocv.NewScalar(255, 0, 0, 0), m.size.Y, m.size.X, gocv.MatTypeCV8U)
	gocv.FillPoly(&m.keep, polys, color.RGBA{})
}

// foregroundShare is the share of r (full picture coordinates) that the last frame found
// different from the background.
func (m *motionStage) foregroundShare(r image.Rectangle) float64 {
	r = image.Rect(r.Min.X/2, r.Min.Y/2, (r.Max.X+1)/2, (r.Max.Y+1)/2).Intersect(image.Rectangle{Max: m.size})
	if r.Empty() || m.mask.Empty() {
		return 0
	}
	reg := m.mask.Region(r)
	defer reg.Close()
	return float64(gocv.CountNonZero(reg)) / float64(r.Dx()*r.Dy())
}

func (m *motionStage) closeAll() {
	m.mog.close()
	m.small.Close()
	m.mask.Close()
	m.open.Close()
	m.close.Close()
	m.keep.Close()
}
