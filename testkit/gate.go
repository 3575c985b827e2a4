package testkit

import (
	"context"
	"sync"

	"watchpost/app"
	"watchpost/store"
)

// Gate stands between the core and its disk: held, every write waits at it (a slow disk,
// so that a test sees what the window does meanwhile); failing, every write fails (a full
// disk). It stands before every write that journals (the journal's appends and the store's
// own writes with their entry) and the configuration's saves; open, it passes them straight
// through.
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

// gatedStore is the SQLite store with every write of a journal entry behind a gate (the
// journal's appends and the store's own writes that journal in the same transaction); with
// a clock of the test's, the entries are stamped by it (the journal's times then stand
// still too).
type gatedStore struct {
	*store.Store
	gate  *Gate
	clock app.Clock
}

// before passes the gate and stamps the entry with the test's clock (when there is one).
func (s gatedStore) before(ctx context.Context, e *app.Entry) error {
	if err := s.gate.pass(ctx); err != nil {
		return err
	}
	if s.clock != nil && e.Time.IsZero() {
		e.Time = s.clock.Now()
	}
	return nil
}

func (s gatedStore) Append(ctx context.Context, entries ...app.Entry) ([]app.Entry, error) {
	return s.appendAll(ctx, entries, func(entries []app.Entry) ([]app.Entry, error) { return s.Store.Append(ctx, entries...) })
}

func (s gatedStore) SavePlans(ctx context.Context, plans []app.Plan, entries ...app.Entry) ([]app.Entry, error) {
	return s.appendAll(ctx, entries, func(entries []app.Entry) ([]app.Entry, error) { return s.Store.SavePlans(ctx, plans, entries...) })
}

func (s gatedStore) appendAll(ctx context.Context, entries []app.Entry, write func([]app.Entry) ([]app.Entry, error)) ([]app.Entry, error) {
	entries = append([]app.Entry(nil), entries...)
	for i := range entries {
		if err := s.before(ctx, &entries[i]); err != nil {
			return nil, err
		}
	}
	return write(entries)
}

// The store's own writes, each with its journal entry in the same transaction.

func (s gatedStore) SaveIncident(ctx context.Context, in app.Incident, e app.Entry) (app.Entry, error) {
	if err := s.before(ctx, &e); err != nil {
		return app.Entry{}, err
	}
	return s.Store.SaveIncident(ctx, in, e)
}

func (s gatedStore) CreateOperator(ctx context.Context, op app.Operator, hash []byte, e app.Entry) (app.Entry, error) {
	if err := s.before(ctx, &e); err != nil {
		return app.Entry{}, err
	}
	return s.Store.CreateOperator(ctx, op, hash, e)
}

func (s gatedStore) SetPassword(ctx context.Context, username string, hash []byte, e app.Entry) (app.Entry, error) {
	if err := s.before(ctx, &e); err != nil {
		return app.Entry{}, err
	}
	return s.Store.SetPassword(ctx, username, hash, e)
}

func (s gatedStore) ResetPassword(ctx context.Context, username string, hash []byte, e app.Entry) (app.Entry, error) {
	if err := s.before(ctx, &e); err != nil {
		return app.Entry{}, err
	}
	return s.Store.ResetPassword(ctx, username, hash, e)
}

func (s gatedStore) UpdateOperator(ctx context.Context, op app.Operator, e app.Entry) (app.Entry, error) {
	if err := s.before(ctx, &e); err != nil {
		return app.Entry{}, err
	}
	return s.Store.UpdateOperator(ctx, op, e)
}

func (s gatedStore) SavePermissionGrants(ctx context.Context, grants []app.PermissionGrant, e app.Entry) (app.Entry, error) {
	if err := s.before(ctx, &e); err != nil {
		return app.Entry{}, err
	}
	return s.Store.SavePermissionGrants(ctx, grants, e)
}

func (s gatedStore) DeletePlan(ctx context.Context, id string, e app.Entry) (app.Entry, error) {
	if err := s.before(ctx, &e); err != nil {
		return app.Entry{}, err
	}
	return s.Store.DeletePlan(ctx, id, e)
}

func (s gatedStore) SaveSupplyPoints(ctx context.Context, points []app.SupplyPoint, e app.Entry) (app.Entry, error) {
	if err := s.before(ctx, &e); err != nil {
		return app.Entry{}, err
	}
	return s.Store.SaveSupplyPoints(ctx, points, e)
}

func (s gatedStore) DeleteSupplyPoint(ctx context.Context, id string, e app.Entry) (app.Entry, error) {
	if err := s.before(ctx, &e); err != nil {
		return app.Entry{}, err
	}
	return s.Store.DeleteSupplyPoint(ctx, id, e)
}

func (s gatedStore) SaveContacts(ctx context.Context, contacts []app.Contact, e app.Entry) (app.Entry, error) {
	if err := s.before(ctx, &e); err != nil {
		return app.Entry{}, err
	}
	return s.Store.SaveContacts(ctx, contacts, e)
}

func (s gatedStore) ReplaceSite(ctx context.Context, site *app.Site, e app.Entry) (app.Entry, error) {
	if err := s.before(ctx, &e); err != nil {
		return app.Entry{}, err
	}
	return s.Store.ReplaceSite(ctx, site, e)
}

func (s gatedStore) UpdateCamera(ctx context.Context, c app.Camera, e app.Entry) (app.Entry, error) {
	if err := s.before(ctx, &e); err != nil {
		return app.Entry{}, err
	}
	return s.Store.UpdateCamera(ctx, c, e)
}

func (s gatedStore) SaveGrid(ctx context.Context, g app.Grid, e app.Entry) (app.Entry, error) {
	if err := s.before(ctx, &e); err != nil {
		return app.Entry{}, err
	}
	return s.Store.SaveGrid(ctx, g, e)
}

func (s gatedStore) UpdateDevice(ctx context.Context, d app.Device, e app.Entry) (app.Entry, error) {
	if err := s.before(ctx, &e); err != nil {
		return app.Entry{}, err
	}
	return s.Store.UpdateDevice(ctx, d, e)
}

func (s gatedStore) SetBackground(ctx context.Context, bg *app.Background, image []byte, e app.Entry) (app.Entry, error) {
	if err := s.before(ctx, &e); err != nil {
		return app.Entry{}, err
	}
	return s.Store.SetBackground(ctx, bg, image, e)
}

func (s gatedStore) SaveView(ctx context.Context, v app.WallView, e app.Entry) (app.Entry, error) {
	if err := s.before(ctx, &e); err != nil {
		return app.Entry{}, err
	}
	return s.Store.SaveView(ctx, v, e)
}

func (s gatedStore) DeleteView(ctx context.Context, operator, name string, e app.Entry) (app.Entry, error) {
	if err := s.before(ctx, &e); err != nil {
		return app.Entry{}, err
	}
	return s.Store.DeleteView(ctx, operator, name, e)
}
