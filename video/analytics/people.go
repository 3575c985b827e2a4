package analytics

import (
	"image"
	"image/color"

	"gocv.io/x/gocv"
)

// peopleStage tells people from other moving things with OpenCV's HOG people detector
// (the Dalal–Triggs model that ships inside OpenCV, so nothing is downloaded). HOG over a
// whole 640×360 picture costs ~460 ms here and misses people under 128 pixels, so it runs
// only on the box of a moving region, scaled so that a person filling it stands about 110
// pixels tall (the model's people are 96 pixels in a 64×128 window).
type peopleStage struct {
	hog      gocv.HOGDescriptor
	det      gocv.Mat
	roi      gocv.Mat
	scaled   gocv.Mat
	padded   gocv.Mat
	hitThres float64
	checks   int
}

const personPixels = 110 // a region's height after scaling

func newPeopleStage(hitThreshold float64) (*peopleStage, error) {
	det, err := peopleModel()
	if err != nil {
		return nil, err
	}
	p := &peopleStage{hog: gocv.NewHOGDescriptor(), det: det,
		roi: gocv.NewMat(), scaled: gocv.NewMat(), padded: gocv.NewMat(), hitThres: hitThreshold}
	if err := p.hog.SetSVMDetector(p.det); err != nil {
		p.closeAll()
		return nil, err
	}
	return p, nil
}

// find returns the people in region r of full (analysis picture coordinates), where a
// person is expected to be personH pixels tall.
func (p *peopleStage) find(full gocv.Mat, r image.Rectangle, personH int) []image.Rectangle {
	bounds := image.Rect(0, 0, full.Cols(), full.Rows())
	want := grow(r, 0.35, 0.2)
	area := clip(want, bounds)
	if area.Dx() < 8 || area.Dy() < 16 {
		return nil
	}
	s := float64(personPixels) / float64(max(personH, 1))
	s = min(max(s, 0.4), 4)
	size := image.Pt(int(float64(area.Dx())*s+0.5), int(float64(area.Dy())*s+0.5))
	// A wide region (a group) would make a large picture: cap its width.
	if size.X > 480 {
		k := 480 / float64(size.X)
		s *= k
		size = image.Pt(480, int(float64(size.Y)*k+0.5))
	}
	region := full.Region(area)
	defer region.Close()
	gocv.Resize(region, &p.scaled, size, 0, 0, gocv.InterpolationLinear)
	// The model's window has a margin around the body: someone at the picture's edge (feet
	// on the bottom row as they walk in) has none on that side, so the edge's own pixels
	// stand in for what the picture cut off. And the window must fit: pad a small region.
	cut := func(n int) int { return int(float64(max(n, 0))*s + 0.5) }
	top, bottom := cut(area.Min.Y-want.Min.Y), cut(want.Max.Y-area.Max.Y)
	left, right := cut(area.Min.X-want.Min.X), cut(want.Max.X-area.Max.X)
	if fitY := (144 - (size.Y + top + bottom) + 1) / 2; fitY > 0 {
		top, bottom = top+fitY, bottom+fitY
	}
	if fitX := (80 - (size.X + left + right) + 1) / 2; fitX > 0 {
		left, right = left+fitX, right+fitX
	}
	padX, padY := left, top
	img := p.scaled
	if top > 0 || bottom > 0 || left > 0 || right > 0 {
		gocv.CopyMakeBorder(p.scaled, &p.padded, top, bottom, left, right, gocv.BorderReplicate, color.RGBA{})
		img = p.padded
	}
	p.checks++
	found := p.hog.DetectMultiScaleWithParams(img, p.hitThres, image.Pt(8, 8), image.Pt(8, 8), 1.08, 2, false)
	out := found[:0]
	for _, f := range found {
		// Back to the full picture; the model's box has a margin around the body.
		f = f.Sub(image.Pt(padX, padY))
		b := image.Rect(
			area.Min.X+int(float64(f.Min.X)/s), area.Min.Y+int(float64(f.Min.Y)/s),
			area.Min.X+int(float64(f.Max.X)/s), area.Min.Y+int(float64(f.Max.Y)/s))
		b = shrinkHOGBox(b).Intersect(bounds)
		if !b.Empty() {
			out = append(out, b)
		}
	}
	return out
}

// shrinkHOGBox trims the margin of a 64×128 detection window to the body in it (about
// 32×96 of the window, centred).
func shrinkHOGBox(r image.Rectangle) image.Rectangle {
	dx := r.Dx() / 4
	dy := r.Dy() / 8
	return image.Rect(r.Min.X+dx, r.Min.Y+dy, r.Max.X-dx, r.Max.Y-dy)
}

func (p *peopleStage) closeAll() {
	p.hog.Close()
	p.det.Close()
	p.roi.Close()
	p.scaled.Close()
	p.padded.Close()
}
