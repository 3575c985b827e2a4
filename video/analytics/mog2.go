package analytics

/*
#cgo pkg-config: opencv4
#cgo CXXFLAGS: --std=c++11
#include "mog2.h"
*/
import "C"

import (
	"unsafe"

	"gocv.io/x/gocv"
)

// mog2 is OpenCV's MOG2 background subtractor with its learning rate in our hands. Left to
// itself MOG2 learns at 1/frames-so-far until it has seen history frames, so for the first
// minutes after a start someone who stops becomes background within a second or two; a
// loiterer would vanish. It learns fast only for a short warm-up, then at 1/history.
type mog2 struct {
	p       C.WPMog2
	history int
	frames  int
}

const mog2Warmup = 25 // frames learnt at 1/n: the scene as it is when analytics starts

func newMOG2(history int, varThreshold float64) *mog2 {
	return &mog2{p: C.wp_mog2_new(C.int(history), C.double(varThreshold)), history: history}
}

// apply updates the model with src and writes the foreground mask to dst.
func (m *mog2) apply(src gocv.Mat, dst *gocv.Mat) {
	m.frames++
	rate := 1 / float64(m.history)
	if m.frames <= mog2Warmup {
		rate = 1 / float64(m.frames)
	}
	C.wp_mog2_apply(m.p, unsafe.Pointer(src.Ptr()), unsafe.Pointer(dst.Ptr()), C.double(rate))
}

func (m *mog2) close() {
	if m.p != nil {
		C.wp_mog2_free(m.p)
		m.p = nil
	}
}
