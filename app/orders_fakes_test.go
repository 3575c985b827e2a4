package app_test

import (
	"context"
	"encoding/json"
	"sort"
	"time"

	"watchpost/app"
)

// The memory store's work orders (app.OrderStore), projected from the journal by Append.

func (m *memStore) WorkOrders(_ context.Context, q app.OrderQuery) ([]app.WorkOrder, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []app.WorkOrder
	for _, o := range m.orders {
		switch {
		case q.OpenOnly && !o.State.Open(),
			!q.Since.IsZero() && o.CreatedAt.Before(q.Since),
			!q.Until.IsZero() && !o.CreatedAt.Before(q.Until),
			q.Grid != "" && o.Place.GridID != q.Grid:
			continue
		}
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	return out, nil
}

func (m *memStore) MaxOrderID(context.Context) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var max int64
	for id := range m.orders {
		max = maxInt(max, id)
	}
	return max, nil
}

func maxInt(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}

func (m *memStore) OrderSetup(context.Context) (app.OrderSetup, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.setup == nil {
		return app.OrderSetup{}, false, nil
	}
	var c app.OrderSetup // a copy, as a store's read is
	b, _ := json.Marshal(m.setup)
	_ = json.Unmarshal(b, &c)
	return c, true, nil
}

func (m *memStore) SaveOrderSetup(ctx context.Context, s app.OrderSetup, e app.Entry) (app.Entry, error) {
	out, err := m.Append(ctx, e)
	if err != nil {
		return e, err
	}
	m.mu.Lock()
	m.setup = &s
	m.mu.Unlock()
	return out[0], nil
}

func (c *fakeClock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }
