package video_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/video"
	"watchpost/video/sim"
)

// Enlarging a recorded camera (the wall's enlarged view watches its main stream) plays on
// the recorder's connection, at once: its first picture is the current one, decoded from
// the last key frame the stream kept, even while the camera sends nothing new (paused
// here: it stays connected); then it goes on live. The simulator serves one session on
// that stream throughout, every time the view is enlarged.
func TestEnlargingARecordedCameraStartsFromItsRingOnItsSession(t *testing.T) {
	s := startSim(t, sim.Config{})
	f := newFeeds(t, video.Config{}, camera("gate", s.URL("gate", "main"), s.URL("gate", "sub")))
	rec, _ := newRecorder(t, f)
	rec.Keep([]string{"gate"}, true, time.Second)
	waitHeld(t, rec, "gate", time.Second)
	newest := followNewest(t, f, "gate", true)
	require.Eventually(t, func() bool { return newest.ns.Load() != 0 }, 15*time.Second, 10*time.Millisecond)
	require.Equal(t, 1, s.Readers("/gate/main"), "the recorder's session")

	for round := 0; round < 3; round++ {
		s.Pause("/gate/main", true) // the camera sends nothing until the view has its picture
		had := newest.at()          // the newest picture received before the view opens
		v, err := f.Watch("gate", true, 640, 360)
		require.NoError(t, err)
		fr := waitFrame(t, v, 15*time.Second)
		first := fr.Captured
		fr.Release()
		require.False(t, first.IsZero(), "the simulator's send time is carried")
		assert.False(t, first.Before(had), "round %d: the first picture is the current one (sent at %v), not one %v older",
			round, had, had.Sub(first))
		assert.Equal(t, 1, s.Readers("/gate/main"), "round %d: enlarging opened no session of its own", round)

		s.Pause("/gate/main", false)
		fr = waitFrame(t, v, 15*time.Second)
		assert.True(t, fr.Captured.After(first), "round %d: then it goes on live, with newer pictures", round)
		fr.Release()
		assert.Equal(t, 1, s.Readers("/gate/main"), "round %d", round)
		v.Close()
	}
}
