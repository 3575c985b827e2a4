package cli

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

func TestParseReplayAt(t *testing.T) {
	start := time.Date(2026, 11, 28, 9, 30, 0, 0, time.Local)
	target := &app.ReplayTarget{Start: start, End: start.Add(10 * time.Minute)}
	for in, want := range map[string]time.Time{
		"start":                     start,
		" END ":                     start.Add(10 * time.Minute),
		"+90s":                      start.Add(90 * time.Second),
		"2026-11-28T09:31:05+08:00": time.Date(2026, 11, 28, 9, 31, 5, 0, time.FixedZone("", 8*3600)),
		"2026-11-28 09:35:00":       start.Add(5 * time.Minute),
		"09:32:00":                  start.Add(2 * time.Minute), // on the target's day
	} {
		got, err := parseReplayAt(in, target)
		require.NoError(t, err, in)
		assert.True(t, want.Equal(got), "%q: %v, want %v", in, got, want)
	}
	_, err := parseReplayAt("yesterday-ish", target)
	assert.ErrorContains(t, err, "give a time")
}

func TestOffsetText(t *testing.T) {
	assert.Equal(t, "+1m30s", offsetText(90*time.Second+200*time.Millisecond))
	assert.Equal(t, "-5s", offsetText(-5*time.Second))
}
