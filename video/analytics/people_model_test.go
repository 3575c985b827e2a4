package analytics

import (
	"testing"

	"github.com/stretchr/testify/require"
	"gocv.io/x/gocv"
)

// The people detector's weights belong to the Mat: memory freed and reused after it was
// made does not change them (gocv's own HOGDefaultPeopleDetector points at freed memory,
// which made the people detector find no one now and then).
func TestPeopleModelOwnsItsWeights(t *testing.T) {
	m, err := peopleModel()
	require.NoError(t, err)
	defer m.Close()
	require.Equal(t, 3781, m.Total(), "64×128 window: 3780 weights and the bias")
	want, err := m.DataPtrFloat32()
	require.NoError(t, err)
	want = append([]float32(nil), want...)

	// Blocks of the weights' size are allocated, filled and freed, as a busy process does.
	for i := 0; i < 64; i++ {
		junk := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(7, 7, 7, 7), 1, m.Total(), gocv.MatTypeCV32F)
		junk.Close()
	}
	got, err := m.DataPtrFloat32()
	require.NoError(t, err)
	require.Equal(t, want, got)
	nonzero := 0
	for _, v := range got {
		if v != 0 && v != 7 {
			nonzero++
		}
	}
	require.Greater(t, nonzero, 3000, "real weights, not a reused block")
}
