package analytics

import (
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	// One OpenCV thread, as the Manager runs it: results do not depend on how its
	// threads happened to interleave (HOG groups its finds in the order they come).
	SetOpenCVThreads(1)
	code := m.Run()
	if clipDir.dir != "" {
		os.RemoveAll(clipDir.dir)
	}
	os.Exit(code)
}
