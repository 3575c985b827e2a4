package sim

import (
	"math"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A camera's two streams show the same moment: a stream's encoder starts at its first
// reader (an enlarged view opens the main stream minutes after the sub stream began), so
// it starts where the footage has got to since the simulator began, not at the clip's
// start. Otherwise the main stream would show other people than the sub stream, and the
// analytics boxes (found on the sub stream) would not match the enlarged picture.

// clock is when the simulator began: the footage of every camera plays on from then.
type clock struct {
	began time.Time
	mu    sync.Mutex
	known map[string]float64 // footage file → its length in seconds (0: unknown)
}

func newClock(now time.Time) *clock { return &clock{began: now, known: map[string]float64{}} }

// position is where in the footage a stream starting now begins: the camera's own offset
// plus the time since the simulator began, within the footage's length (0 when the length
// is not known: the scene then starts at the offset).
func (c *clock) position(file string, offset float64, now time.Time) float64 {
	length := c.length(file)
	return livePosition(offset, now.Sub(c.began), length)
}

// livePosition is offset + elapsed within a footage of length seconds (0 when unknown).
func livePosition(offset float64, elapsed time.Duration, length float64) float64 {
	if length <= 0 || elapsed < 0 {
		return 0
	}
	return math.Mod(offset+elapsed.Seconds(), length)
}

// length asks ffprobe once per file how long the footage is.
func (c *clock) length(file string) float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if l, ok := c.known[file]; ok {
		return l
	}
	out, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", file).Output()
	l := 0.0
	if err == nil {
		l, _ = strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	}
	c.known[file] = l
	return l
}
