package web

import (
	"strconv"
	"testing"
	"time"

	"watchpost/testkit"
)

func TestThrottleCountsFailuresWithinItsWindow(t *testing.T) {
	clock := testkit.NewClock(start)
	th := newThrottle(clock)
	for i := 0; i < ThrottleFailures-1; i++ {
		th.fail("10.0.0.7")
		clock.Add(time.Minute)
	}
	if th.wait("10.0.0.7") != 0 {
		t.Fatal("throttled before ThrottleFailures failures")
	}
	th.fail("10.0.0.7")
	// The first failure was 9 minutes ago: the wait ends when it leaves the window.
	if got, want := th.wait("10.0.0.7"), ThrottleWindow-time.Duration(ThrottleFailures-1)*time.Minute; got != want {
		t.Fatalf("wait %v, want %v", got, want)
	}
	if th.wait("10.0.0.8") != 0 {
		t.Error("another address is throttled too")
	}
	clock.Add(ThrottleWindow - time.Duration(ThrottleFailures-1)*time.Minute)
	if th.wait("10.0.0.7") != 0 {
		t.Error("still throttled once the first failure left the window")
	}
}

func TestThrottleRemembersABoundedNumberOfAddresses(t *testing.T) {
	clock := testkit.NewClock(start)
	th := newThrottle(clock)
	for i := 0; i < ThrottleFailures; i++ {
		th.fail("10.9.9.9") // the oldest: throttled
	}
	clock.Add(time.Second)
	for i := 0; i < MaxThrottled+50; i++ {
		th.fail("10.1." + strconv.Itoa(i/256) + "." + strconv.Itoa(i%256))
	}
	if n := th.size(); n > MaxThrottled {
		t.Fatalf("%d addresses remembered, at most %d", n, MaxThrottled)
	}
	// Addresses whose failures left the window are forgotten first.
	clock.Add(ThrottleWindow)
	th.fail("10.2.0.1")
	if n := th.size(); n != 1 {
		t.Errorf("%d addresses remembered after the window, want 1", n)
	}
}

func TestClientKeys(t *testing.T) {
	for in, want := range map[string]string{
		"192.168.1.20:52311":               "192.168.1.20",
		"[::ffff:192.168.1.20]:52311":      "192.168.1.20",
		"[2001:db8:1:2:aaaa::1]:4000":      "2001:db8:1:2::/64",
		"[2001:db8:1:2:bbbb:cccc::9]:4000": "2001:db8:1:2::/64",
	} {
		if got := clientKey(in); got != want {
			t.Errorf("clientKey(%q) = %q, want %q", in, got, want)
		}
	}
}
