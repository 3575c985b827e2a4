package sim

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// A stream that starts later starts where the footage has got to, so that a camera's main
// and sub streams show the same moment, and it wraps around the footage's end.
func TestAStreamStartingLaterStartsWhereTheFootageHasGotTo(t *testing.T) {
	assert.InDelta(t, 13.0, livePosition(13, 0, 79.5), 1e-9, "at once: the camera's offset")
	assert.InDelta(t, 13.0+120, livePosition(13, 120*time.Second, 300), 1e-9, "two minutes later: two minutes on")
	assert.InDelta(t, 13.0+100-79.5, livePosition(13, 100*time.Second, 79.5), 1e-9, "past the end: around again")
	assert.Zero(t, livePosition(13, 100*time.Second, 0), "length unknown: the scene's own offset")
}

func TestTheFootagesLengthIsAskedOfFfprobeOnce(t *testing.T) {
	if _, err := os.Stat(DefaultFootage); err != nil {
		t.Skip("the footage is not installed (make test installs opencv-doc)")
	}
	began := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	c := newClock(began)
	assert.InDelta(t, 13+60.0, c.position(DefaultFootage, 13, began.Add(time.Minute)), 1e-9)
	assert.InDelta(t, 79.5, c.known[DefaultFootage], 0.5, "vtest.avi is 79.5 s long")
	assert.Zero(t, c.position("/nonexistent.avi", 13, began.Add(time.Minute)), "no length: the offset")
}
