package notify

import "time"

// Rate is how many messages a channel may send in any window of Per (a rolling window: a
// send at t frees its slot at t+Per).
type Rate struct {
	N   int
	Per time.Duration
}

// RobotRate is the robots' documented limit: 20 messages a minute per robot.
var RobotRate = Rate{N: 20, Per: time.Minute}

func (r Rate) orDefault() Rate {
	if r.N <= 0 || r.Per <= 0 {
		return RobotRate
	}
	return r
}

// limiter counts a channel's sends against its Rate. It is told the time; it never reads a
// clock or sleeps, so its tests (and the Poster's) are exact.
type limiter struct {
	rate Rate
	sent []time.Time // the sends of the current window, oldest first
	// blockedUntil is set when the service itself says the limit is reached (its count may
	// differ from ours: another program on the same robot, a restart): nothing goes before.
	blockedUntil time.Time
}

func newLimiter(r Rate) *limiter { return &limiter{rate: r.orDefault()} }

// forget drops the sends that left the window at now.
func (l *limiter) forget(now time.Time) {
	i := 0
	for i < len(l.sent) && !l.sent[i].Add(l.rate.Per).After(now) {
		i++
	}
	l.sent = l.sent[i:]
}

// Remaining is how many messages may go at now.
func (l *limiter) Remaining(now time.Time) int {
	if now.Before(l.blockedUntil) {
		return 0
	}
	l.forget(now)
	return max(l.rate.N-len(l.sent), 0)
}

// NextFree is when the next message may go (now when one may go already).
func (l *limiter) NextFree(now time.Time) time.Time {
	if l.Remaining(now) > 0 {
		return now
	}
	next := l.blockedUntil
	if len(l.sent) >= l.rate.N {
		// The send that frees a slot: with N in the window, the oldest beyond N-1.
		if free := l.sent[len(l.sent)-l.rate.N].Add(l.rate.Per); free.After(next) {
			next = free
		}
	}
	if next.Before(now) {
		return now
	}
	return next
}

// Took counts an attempt made at now (a failed one too: it may have reached the service).
func (l *limiter) Took(now time.Time) {
	l.forget(now)
	l.sent = append(l.sent, now)
}

// Block holds everything back for a whole window from now: the service said the limit is
// reached.
func (l *limiter) Block(now time.Time) {
	l.blockedUntil = now.Add(l.rate.Per)
}
