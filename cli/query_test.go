package cli

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.Local)
	for in, want := range map[string]time.Time{
		"24h":                       now.Add(-24 * time.Hour),
		"90m":                       now.Add(-90 * time.Minute),
		"2026-11-28T08:00:00+08:00": time.Date(2026, 11, 28, 8, 0, 0, 0, time.FixedZone("", 8*3600)),
		"2026-11-27":                time.Date(2026, 11, 27, 0, 0, 0, 0, time.Local),
		"2026-11-27 18:30:00":       time.Date(2026, 11, 27, 18, 30, 0, 0, time.Local),
	} {
		got, err := parseSince(in, now)
		require.NoError(t, err, in)
		assert.True(t, want.Equal(got), "%s: %v, want %v", in, got, want)
	}
	_, err := parseSince("yesterday-ish", now)
	assert.ErrorContains(t, err, `--since "yesterday-ish": give a time`)
}
