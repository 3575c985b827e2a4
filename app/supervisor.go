package app

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Everything that runs — a camera feed, the device broker, supervision of devices, video
// analytics, recording, drills, the journal's tail, the web server later — is a runner: it
// runs until its context ends and then returns, having stopped what it started. One
// Supervisor runs them all: it starts them in the order given, runs a failed one again after
// a pause that grows (one policy, numbers per part only where a part needs them), shows each
// one's state on the status bar through Health, and stops them in the reverse order.

// Runner is a part that runs until ctx ends. An error means it failed and should be run
// again; nil after ctx ended means it stopped as asked.
type Runner interface {
	Run(ctx context.Context) error
}

// RunFunc makes a function a Runner.
type RunFunc func(ctx context.Context) error

// Run calls f.
func (f RunFunc) Run(ctx context.Context) error { return f(ctx) }

// Part is a runner with its name (for the log and the health's key), the label operators
// read (English, the translation key) and, where it needs other numbers, its backoff.
type Part struct {
	Name    string
	Label   string
	Runner  Runner
	Backoff Backoff // zero: DefaultBackoff
}

// Backoff is how long the supervisor waits before running a failed part again: First,
// doubling up to Max; a part that ran longer than Reset before failing starts again from
// First.
type Backoff struct {
	First, Max, Reset time.Duration
}

// DefaultBackoff is the one policy: 1 s doubling to 30 s, afresh after a minute of running.
var DefaultBackoff = Backoff{First: time.Second, Max: 30 * time.Second, Reset: time.Minute}

func (b Backoff) orDefault() Backoff {
	if b.First <= 0 {
		b.First = DefaultBackoff.First
	}
	if b.Max < b.First {
		b.Max = max(DefaultBackoff.Max, b.First)
	}
	if b.Reset <= 0 {
		b.Reset = DefaultBackoff.Reset
	}
	return b
}

// next is the pause after a failure, given the last pause and how long the part ran.
func (b Backoff) next(last, ran time.Duration) time.Duration {
	if last == 0 || ran >= b.Reset {
		return b.First
	}
	return min(last*2, b.Max)
}

// PartState is where a part stands, for the status bar and the tests.
type PartState struct {
	Name     string
	State    ComponentState // starting (not yet run, or waiting to run again), ok (running), down (stopped)
	Restarts int
	LastErr  error
}

// HealthPrefix names the parts' entries in Health ("run:recording"); the status bar shows
// them only when they are in trouble.
const HealthPrefix = "run:"

// Supervisor runs parts. Add them, then Run.
type Supervisor struct {
	health *Health
	log    *slog.Logger
	clock  Clock

	mu     sync.Mutex
	parts  []Part
	states map[string]*PartState
	wake   map[string]chan struct{}   // RunNow: skip the pause of a waiting part
	after  map[string]<-chan struct{} // AddAfter: what a part waits for before its first run
}

// NewSupervisor builds a supervisor; health may be nil.
func NewSupervisor(health *Health, log *slog.Logger) *Supervisor {
	if log == nil {
		log = slog.Default()
	}
	return &Supervisor{health: health, log: log, clock: SystemClock{}, states: map[string]*PartState{}, wake: map[string]chan struct{}{},
		after: map[string]<-chan struct{}{}}
}

// Add appends parts; they start in the order added and stop in the reverse order. Names
// must be unique.
func (s *Supervisor) Add(parts ...Part) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range parts {
		if p.Runner == nil {
			continue
		}
		if _, dup := s.states[p.Name]; dup {
			panic("supervisor: two parts named " + p.Name) // a wiring mistake
		}
		s.parts = append(s.parts, p)
		s.states[p.Name] = &PartState{Name: p.Name, State: StateStarting}
		s.wake[p.Name] = make(chan struct{}, 1)
	}
}

// AddAfter appends parts that are first run once ready is closed (the console: once its
// window shows its first screen), so that what the operator does not need to see that
// screen does not compete with it for the processor. Until then each is "starting" on the
// health; it stops, in the reverse order of adding like the others, whether it ran or not.
func (s *Supervisor) AddAfter(ready <-chan struct{}, parts ...Part) {
	s.Add(parts...)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range parts {
		if p.Runner != nil {
			s.after[p.Name] = ready
		}
	}
}

// States returns every part's state, in the order they were added.
func (s *Supervisor) States() []PartState {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]PartState, 0, len(s.parts))
	for _, p := range s.parts {
		out = append(out, *s.states[p.Name])
	}
	return out
}

// RunNow runs a part waiting to be run again at once (its pause is skipped).
func (s *Supervisor) RunNow(name string) {
	s.mu.Lock()
	ch := s.wake[name]
	s.mu.Unlock()
	if ch != nil {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// Run starts every part and returns when ctx ends and every part has returned: the last
// added is stopped first, and each is waited for before the one before it is stopped.
func (s *Supervisor) Run(ctx context.Context) error {
	s.mu.Lock()
	parts := append([]Part(nil), s.parts...)
	s.mu.Unlock()
	type running struct {
		cancel context.CancelFunc
		done   chan struct{}
	}
	runs := make([]running, len(parts))
	for i, p := range parts {
		pctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		runs[i] = running{cancel, done}
		go func() {
			defer close(done)
			s.keep(pctx, p)
		}()
	}
	<-ctx.Done()
	for i := len(runs) - 1; i >= 0; i-- {
		runs[i].cancel()
		<-runs[i].done
	}
	return nil
}

// keep runs one part until ctx ends, running it again after each failure.
func (s *Supervisor) keep(ctx context.Context, p Part) {
	b := p.Backoff.orDefault()
	var pause time.Duration
	s.mu.Lock()
	ready := s.after[p.Name]
	s.mu.Unlock()
	if ready != nil {
		s.set(p, StateStarting, nil, false)
		select {
		case <-ctx.Done():
			s.set(p, StateDown, nil, false)
			return
		case <-ready:
		}
	}
	for {
		s.set(p, StateOK, nil, false)
		started := time.Now()
		err := s.runSafely(ctx, p)
		if ctx.Err() != nil {
			s.set(p, StateDown, nil, false)
			return
		}
		if err == nil {
			err = Errorf(CodeInternal, "It stopped by itself")
		}
		pause = b.next(pause, time.Since(started))
		s.log.Warn("part stopped; running it again", "part", p.Name, "err", err, "in", pause)
		s.set(p, StateStarting, err, true)
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			s.set(p, StateDown, nil, false)
			return
		case <-t.C:
		case <-s.wake[p.Name]:
			t.Stop()
		}
	}
}

// runSafely runs the part; a panic is a failure of that part, not of the console.
func (s *Supervisor) runSafely(ctx context.Context, p Part) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return p.Runner.Run(ctx)
}

func (s *Supervisor) set(p Part, state ComponentState, err error, restart bool) {
	s.mu.Lock()
	st := s.states[p.Name]
	st.State, st.LastErr = state, err
	if restart {
		st.Restarts++
	}
	s.mu.Unlock()
	if s.health == nil {
		return
	}
	cs := ComponentStatus{Name: HealthPrefix + p.Name, Label: p.Label, State: state, Internal: true}
	if err != nil {
		cs.State = StateDegraded
		cs.SetError(err)
		cs.Error, cs.ErrorArgs = "Restarting after: {{.Why}}", map[string]any{"Why": Message{Key: cs.Error, Args: cs.ErrorArgs}}
	}
	s.health.Set(cs)
}
