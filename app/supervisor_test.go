package app_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

var quiet = slog.New(slog.DiscardHandler)

// partLog keeps what the parts did, in order.
type partLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *partLog) add(s string) { l.mu.Lock(); l.lines = append(l.lines, s); l.mu.Unlock() }
func (l *partLog) get() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

// A part that runs until asked to stop, noting its start and its stop.
func steady(name string, l *partLog, started chan<- string) app.Runner {
	return app.RunFunc(func(ctx context.Context) error {
		l.add("start " + name)
		started <- name
		<-ctx.Done()
		l.add("stop " + name)
		return nil
	})
}

// The supervisor starts the parts in order and stops them in the reverse order, each one
// waited for before the one before it is asked to stop.
func TestSupervisorStopsInReverseOrder(t *testing.T) {
	var l partLog
	started := make(chan string, 3)
	s := app.NewSupervisor(nil, quiet)
	s.Add(app.Part{Name: "store-tail", Runner: steady("a", &l, started)},
		app.Part{Name: "broker", Runner: steady("b", &l, started)},
		app.Part{Name: "recording", Runner: steady("c", &l, started)})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	for range 3 {
		<-started
	}
	for _, st := range s.States() {
		assert.Equal(t, app.StateOK, st.State, st.Name)
	}
	cancel()
	require.NoError(t, <-done)
	assert.Equal(t, []string{"stop c", "stop b", "stop a"}, l.get()[3:], "the last started stops first")
	for _, st := range s.States() {
		assert.Equal(t, app.StateDown, st.State, st.Name)
	}
}

// A part that fails (an error, a panic, or returning by itself) is run again after the
// pause of its backoff, doubling; the status bar hears it is restarting and why.
func TestSupervisorRunsAFailedPartAgainAndSaysSo(t *testing.T) {
	health := app.NewHealth(nil, app.SystemClock{}, quiet)
	var runs atomic.Int32
	failing := app.RunFunc(func(ctx context.Context) error {
		switch runs.Add(1) {
		case 1:
			return app.Errorf(app.CodeUnavailable, "The device broker cannot listen on {{.Address}}", "Address", "127.0.0.1:1883")
		case 2:
			panic("a bug")
		case 3:
			return nil // returned by itself: a failure too
		}
		<-ctx.Done()
		return nil
	})
	s := app.NewSupervisor(health, quiet)
	s.Add(app.Part{Name: "broker", Label: "Device broker", Runner: failing,
		Backoff: app.Backoff{First: 10 * time.Millisecond, Max: 40 * time.Millisecond}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	require.Eventually(t, func() bool { return runs.Load() == 4 }, 15*time.Second, time.Millisecond, "run again after each failure")
	require.Eventually(t, func() bool { return s.States()[0].State == app.StateOK }, 15*time.Second, time.Millisecond)
	assert.Equal(t, 3, s.States()[0].Restarts)
	cancel()
	require.NoError(t, <-done)

	// While it waited to run again, the status bar said why.
	var seen []app.ComponentStatus
	for _, st := range health.All() {
		if st.Name == app.HealthPrefix+"broker" {
			seen = append(seen, st)
		}
	}
	require.Len(t, seen, 1)
	assert.True(t, seen[0].Internal)
}

// While a part waits to run again its state is degraded with the error's own words.
func TestSupervisorShowsARestartingPart(t *testing.T) {
	health := app.NewHealth(nil, app.SystemClock{}, quiet)
	failed := make(chan struct{}, 1)
	s := app.NewSupervisor(health, quiet)
	var runs atomic.Int32
	s.Add(app.Part{Name: "client", Label: "Device broker", Backoff: app.Backoff{First: time.Hour},
		Runner: app.RunFunc(func(ctx context.Context) error {
			if runs.Add(1) == 1 {
				failed <- struct{}{}
				return errors.New("dial tcp 10.0.0.9:8883: connection refused")
			}
			<-ctx.Done()
			return nil
		})})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	<-failed
	var st app.ComponentStatus
	require.Eventually(t, func() bool {
		for _, x := range health.All() {
			if x.Name == app.HealthPrefix+"client" {
				st = x
			}
		}
		return st.State == app.StateDegraded
	}, 15*time.Second, time.Millisecond)
	assert.Equal(t, "Restarting after: {{.Why}}", st.Error)
	assert.Equal(t, "dial tcp 10.0.0.9:8883: connection refused", st.Cause, "the network's own words, as detail")
	assert.Equal(t, int32(1), runs.Load(), "an hour's pause")
	s.RunNow("client")
	require.Eventually(t, func() bool { return runs.Load() == 2 }, 15*time.Second, time.Millisecond, "RunNow skips the pause")
	cancel()
	require.NoError(t, <-done)
}

// A part added after a signal (the console: its first screen painted) is not run before
// the signal and is shown as starting meanwhile; the others run at once. Once the signal
// comes it runs, and it stops in the reverse order of adding like the others; one whose
// signal never came stops all the same.
func TestSupervisorRunsLaterPartsAfterTheirSignal(t *testing.T) {
	var l partLog
	started := make(chan string, 4)
	health := app.NewHealth(nil, app.SystemClock{}, quiet)
	s := app.NewSupervisor(health, quiet)
	shown, never := make(chan struct{}), make(chan struct{})
	s.Add(app.Part{Name: "broker", Label: "Device broker", Runner: steady("broker", &l, started)})
	s.AddAfter(shown, app.Part{Name: "analytics", Label: "Video analytics", Runner: steady("analytics", &l, started)})
	s.AddAfter(never, app.Part{Name: "backup", Label: "Daily backup", Runner: steady("backup", &l, started)})
	s.Add(app.Part{Name: "cameras", Label: "Cameras", Runner: steady("cameras", &l, started)})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	assert.ElementsMatch(t, []string{"broker", "cameras"}, []string{<-started, <-started}, "the parts not held back run at once")
	state := func(name string) app.ComponentState {
		for _, st := range s.States() {
			if st.Name == name {
				return st.State
			}
		}
		return ""
	}
	require.Eventually(t, func() bool {
		st, ok := health.Get(app.HealthPrefix + "analytics")
		return ok && st.State == app.StateStarting
	}, 15*time.Second, 10*time.Millisecond, "a held-back part is shown as starting")
	assert.Equal(t, app.StateStarting, state("analytics"))
	assert.Equal(t, []string{"start broker", "start cameras"}, sortedStarts(l.get()), "nothing held back ran before its signal")

	close(shown)
	assert.Equal(t, "analytics", <-started)
	require.Eventually(t, func() bool { return state("analytics") == app.StateOK }, 15*time.Second, 10*time.Millisecond)
	assert.Equal(t, app.StateStarting, state("backup"))

	cancel()
	require.NoError(t, <-done)
	lines := l.get()
	assert.Equal(t, []string{"stop cameras", "stop analytics", "stop broker"}, lines[len(lines)-3:], "reverse order of adding")
	assert.Equal(t, app.StateDown, state("backup"), "a part whose signal never came is stopped too")
}

// sortedStarts returns the "start" lines sorted (parts started together start in any order).
func sortedStarts(lines []string) []string {
	var out []string
	for _, s := range lines {
		if strings.HasPrefix(s, "start ") {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}
