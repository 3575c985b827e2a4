package video

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"watchpost/app"
)

// The pauses between connection attempts, as the source takes them: short and growing to
// backoffMax while a camera is unreachable (it plays again within about 2 s of coming
// back), afresh after a connection that played a while, long for what needs someone to
// change something.
func TestBackoffBetweenConnectionAttempts(t *testing.T) {
	var pauses []time.Duration
	wait := backoffFirst
	for range 5 {
		var pause time.Duration
		pause, wait = backoff(wait, app.ReasonUnreachable, 50*time.Millisecond)
		pauses = append(pauses, pause)
	}
	assert.Equal(t, []time.Duration{800 * time.Millisecond, 1200 * time.Millisecond, 1500 * time.Millisecond, 1500 * time.Millisecond, 1500 * time.Millisecond},
		pauses, "an unreachable camera is tried again soon, never more than 1.5 s apart")

	pause, next := backoff(wait, app.ReasonUnreachable, 11*time.Second)
	assert.Equal(t, 800*time.Millisecond, pause, "a camera that played a while and dropped is tried again at once")
	assert.Equal(t, 1200*time.Millisecond, next)

	for _, reason := range []string{app.ReasonWrongPassword, app.ReasonNoCodec, app.ReasonBadURL, app.ReasonRefused} {
		pause, _ := backoff(backoffFirst, reason, time.Second)
		assert.Equal(t, 10*time.Second, pause, "%s needs someone to change something: tried again after 10 s", reason)
	}
	pause, _ = backoff(backoffFirst, app.ReasonTimeout, time.Second)
	assert.Equal(t, 800*time.Millisecond, pause, "a timeout is a network failure")
}
