package analytics

import (
	"image"
	"os"

	"gocv.io/x/gocv"

	"watchpost/app"
)

// DefaultFaceModel is the Haar cascade for frontal faces from Debian's opencv-data.
const DefaultFaceModel = "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml"

// faceStage finds frontal faces with a Haar cascade, on moving regions only (a face at a
// door comes with a person walking up to it). Faces under 24 pixels are not found, so it
// suits cameras at doors and gates rather than wide views.
type faceStage struct {
	cc     gocv.CascadeClassifier
	scaled gocv.Mat
}

func newFaceStage(model string) (*faceStage, error) {
	if model == "" {
		model = DefaultFaceModel
	}
	if _, err := os.Stat(model); err != nil {
		return nil, &modelError{"The face model {{.File}} is missing (install opencv-data)", model}
	}
	f := &faceStage{cc: gocv.NewCascadeClassifier(), scaled: gocv.NewMat()}
	if !f.cc.Load(model) {
		f.closeAll()
		return nil, &modelError{"The face model {{.File}} cannot be read by OpenCV", model}
	}
	return f, nil
}

// modelError says which model file is the trouble.
type modelError struct{ msg, file string }

func (m *modelError) Error() string { return app.RenderTemplate(m.msg, map[string]any{"File": m.file}) }

func faceFailure(err error) reason {
	if m, ok := err.(*modelError); ok {
		return because(m.msg, "File", m.file)
	}
	return because("The face detector could not start: {{.Err}}", "Err", err.Error())
}

// find returns the faces in region r of full.
func (f *faceStage) find(full gocv.Mat, r image.Rectangle, minFace int) []image.Rectangle {
	bounds := image.Rect(0, 0, full.Cols(), full.Rows())
	area := clip(grow(r, 0.1, 0.1), bounds)
	if area.Dx() < 24 || area.Dy() < 24 {
		return nil
	}
	region := full.Region(area)
	defer region.Close()
	// Large regions are scaled down: faces stay above the cascade's 24 pixels when the
	// smallest wanted face is larger.
	s := 1.0
	if minFace > 32 {
		s = 32 / float64(minFace)
	}
	if lim := 360.0 / float64(max(area.Dx(), area.Dy())); lim < s {
		s = lim
	}
	img := region
	if s < 0.99 {
		gocv.Resize(region, &f.scaled, image.Pt(int(float64(area.Dx())*s), int(float64(area.Dy())*s)), 0, 0, gocv.InterpolationArea)
		img = f.scaled
	}
	minSize := max(24, int(float64(minFace)*s))
	found := f.cc.DetectMultiScaleWithParams(img, 1.15, 5, 0, image.Pt(minSize, minSize), image.Pt(0, 0))
	out := found[:0]
	for _, b := range found {
		out = append(out, image.Rect(area.Min.X+int(float64(b.Min.X)/s), area.Min.Y+int(float64(b.Min.Y)/s),
			area.Min.X+int(float64(b.Max.X)/s), area.Min.Y+int(float64(b.Max.Y)/s)))
	}
	return out
}

func (f *faceStage) closeAll() {
	f.cc.Close()
	f.scaled.Close()
}
