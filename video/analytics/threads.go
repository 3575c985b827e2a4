package analytics

/*
#cgo pkg-config: opencv4
#cgo CXXFLAGS: --std=c++11
#include "threads.h"
*/
import "C"

// SetOpenCVThreads sets the size of OpenCV's own thread pool. The Manager runs one
// goroutine per camera, so letting each OpenCV call also fan out over every core only adds
// contention (and makes a camera's cost per frame unmeasurable): it sets 1. gocv v0.25.0
// has no binding for cv::setNumThreads, hence this small one.
func SetOpenCVThreads(n int) { C.analytics_set_num_threads(C.int(n)) }

// OpenCVThreads returns the size of OpenCV's thread pool.
func OpenCVThreads() int { return int(C.analytics_get_num_threads()) }
