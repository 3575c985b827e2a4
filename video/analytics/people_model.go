package analytics

/*
#cgo pkg-config: opencv4
#cgo CXXFLAGS: --std=c++11
#include "people_model.h"
*/
import "C"

import (
	"fmt"
	"unsafe"

	"gocv.io/x/gocv"
)

// peopleModel returns OpenCV's default people detector (the Dalal–Triggs SVM weights) as a
// 1×n float Mat that owns a copy of them.
//
// Not gocv.HOGDefaultPeopleDetector: in gocv v0.25.0 it wraps the std::vector that
// getDefaultPeopleDetector returns by value without copying it, so the Mat points at freed
// memory. Mostly the weights are still there; when the allocator has reused the block (more
// often on a busy machine) the detector finds no one at all — a fall or an intrusion
// missed at random.
func peopleModel() (gocv.Mat, error) {
	n := int(C.analytics_people_detector(nil, 0))
	if n <= 0 {
		return gocv.Mat{}, fmt.Errorf("OpenCV has no default people detector")
	}
	w := make([]float32, n)
	C.analytics_people_detector((*C.float)(unsafe.Pointer(&w[0])), C.int(n))
	// NewMatFromBytes keeps a pointer to the Go bytes; Clone copies them into OpenCV's memory.
	view, err := gocv.NewMatFromBytes(1, n, gocv.MatTypeCV32F, unsafe.Slice((*byte)(unsafe.Pointer(&w[0])), 4*n))
	if err != nil {
		return gocv.Mat{}, err
	}
	defer view.Close()
	return view.Clone(), nil
}
