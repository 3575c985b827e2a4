package notify

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestLimiterRollingWindow(t *testing.T) {
	t0 := newClock().Now()
	l := newLimiter(Rate{N: 3, Per: time.Minute})
	assert.Equal(t, 3, l.Remaining(t0))
	l.Took(t0)
	l.Took(t0.Add(10 * time.Second))
	l.Took(t0.Add(20 * time.Second))
	at := t0.Add(30 * time.Second)
	assert.Equal(t, 0, l.Remaining(at))
	assert.Equal(t, t0.Add(time.Minute), l.NextFree(at), "the oldest send leaves the window")
	assert.Equal(t, 0, l.Remaining(t0.Add(time.Minute-time.Nanosecond)))
	assert.Equal(t, 1, l.Remaining(t0.Add(time.Minute)))
	assert.Equal(t, 2, l.Remaining(t0.Add(70*time.Second)))
	assert.Equal(t, 3, l.Remaining(t0.Add(80*time.Second)))
}

func TestLimiterBlockedByTheService(t *testing.T) {
	t0 := newClock().Now()
	l := newLimiter(Rate{N: 20, Per: time.Minute})
	l.Took(t0)
	l.Block(t0)
	assert.Equal(t, 0, l.Remaining(t0.Add(59*time.Second)))
	assert.Equal(t, t0.Add(time.Minute), l.NextFree(t0.Add(time.Second)))
	assert.Equal(t, 20, l.Remaining(t0.Add(time.Minute)))
}

func TestRateDefaultsToTheRobotsLimit(t *testing.T) {
	assert.Equal(t, Rate{N: 20, Per: time.Minute}, Rate{}.orDefault())
	assert.Equal(t, Rate{N: 5, Per: time.Second}, Rate{N: 5, Per: time.Second}.orDefault())
}
