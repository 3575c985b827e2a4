package app_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"watchpost/app"
)

// Logs and the journal are kept at least 180 days (网络安全法): whatever deletes log files
// keeps those written since, and a shorter retention setting is refused.
func TestAttackLogsAreKeptAtLeast180Days(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	assert.Equal(t, 180*24*time.Hour, app.MinAuditRetention)
	assert.True(t, app.AuditRetained(now.Add(-179*24*time.Hour), now))
	assert.True(t, app.AuditRetained(now.Add(-180*24*time.Hour+time.Minute), now))
	assert.False(t, app.AuditRetained(now.Add(-181*24*time.Hour), now))
	for _, d := range []time.Duration{time.Hour, 30 * 24 * time.Hour, 179 * 24 * time.Hour} {
		err := app.CheckAuditRetention(d)
		assert.True(t, app.IsCode(err, app.CodeInvalid), "%v: %v", d, err)
	}
	assert.NoError(t, app.CheckAuditRetention(180*24*time.Hour))
	assert.NoError(t, app.CheckAuditRetention(0), "kept for ever")
}
