package devices

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// The throttle's rule on a clock of the test's: 10 failures free, then 5 attempts a second
// from that address (the excess refused unchecked), other addresses untouched, and an
// address left alone for 10 minutes starts afresh.
func TestAuthThrottleAfterTenFailuresFiveASecond(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	th := newAuthThrottle(func() time.Time { return now })
	logged := 0
	th.log = func(string, int) { logged++ }
	for i := range 10 {
		assert.True(t, th.allow("10.0.0.9"), "try %d", i+1)
		th.failed("10.0.0.9")
	}
	assert.False(t, th.allow("10.0.0.9"), "after 10 failures: nothing at once")
	assert.True(t, th.allow("10.0.0.10"), "another address is not held back")
	allowed := 0
	for range 100 { // one second, in steps of 10 ms
		now = now.Add(10 * time.Millisecond)
		if th.allow("10.0.0.9") {
			allowed++
			th.failed("10.0.0.9")
		}
	}
	assert.Equal(t, 5, allowed, "5 a second")
	assert.Equal(t, 1, logged, "the refusals are said once per 10 s, not each")
	now = now.Add(authForgetAfter + time.Second)
	for i := range 10 {
		assert.True(t, th.allow("10.0.0.9"), "forgotten after a quiet while: try %d", i+1)
	}
}
