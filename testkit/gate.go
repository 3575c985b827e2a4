package testkit

import (
	"context"
	"sync"

	"watchpost/app"
	"watchpost/store"
)

// Gate stands between the core and its disk: held, every write waits at it (a slow disk,
// so that a test sees what the window does meanwhile); failing, every write fails (a full
// disk). It holds the journal's appends and the configuration's saves; open, it passes
// them straight through.
type Gate struct {
	mu      sync.Mutex
	held    chan struct{} // closed by Release; nil while open
	waiting int
	fail    error
}

// Hold makes the writes from now on wait until Release.
func (g *Gate) Hold() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.held == nil {
		g.held = make(chan struct{})
	}
}

// Release lets the waiting writes and those to come through.
func (g *Gate) Release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.held != nil {
		close(g.held)
		g.held = nil
	}
}

// Waiting is how many writes wait at the gate now.
func (g *Gate) Waiting() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.waiting
}

// Fail makes the writes from now on fail with err (nil: they succeed again).
func (g *Gate) Fail(err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.fail = err
}

// pass waits while the gate is held, then says whether the write may go on.
func (g *Gate) pass(ctx context.Context) error {
	g.mu.Lock()
	held := g.held
	if held != nil {
		g.waiting++
	}
	g.mu.Unlock()
	if held != nil {
		select {
		case <-held:
		case <-ctx.Done():
		}
		g.mu.Lock()
		g.waiting--
		g.mu.Unlock()
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.fail
}

// gatedStore is the SQLite store with its journal's appends behind a gate.
type gatedStore struct {
	*store.Store
	gate *Gate
}

func (s gatedStore) Append(ctx context.Context, entries ...app.Entry) ([]app.Entry, error) {
	if err := s.gate.pass(ctx); err != nil {
		return nil, err
	}
	return s.Store.Append(ctx, entries...)
}
