package app_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"time"

	"watchpost/app"
)

// memStore is an in-memory journal and store for testing the core's rules. The real
// SQLite store is tested against the same behaviour in package store.
type memStore struct {
	mu        sync.Mutex
	entries   []app.Entry
	alarms    map[int64]app.Alarm
	operators map[string]app.Operator
	hashes    map[string][]byte
	site      *app.Site
	grants    []app.PermissionGrant
	failNext  error
	orders    map[int64]app.WorkOrder
	setup     *app.OrderSetup
}

func newMemStore() *memStore {
	return &memStore{alarms: map[int64]app.Alarm{}, operators: map[string]app.Operator{}, hashes: map[string][]byte{}}
}

func (m *memStore) Append(_ context.Context, es ...app.Entry) ([]app.Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failNext != nil {
		err := m.failNext
		m.failNext = nil
		return nil, err
	}
	out := make([]app.Entry, len(es))
	for i, e := range es {
		e.Seq = int64(len(m.entries) + 1)
		if e.Time.IsZero() {
			e.Time = time.Now()
		}
		if e.Kind == app.KindAlarmRaised {
			e.Subject = app.SubjectAlarm(e.Seq)
		}
		app.StampDrillRun(&e)
		app.StampHandover(&e)
		if e.Kind.IsAlarm() {
			var a app.Alarm
			_ = json.Unmarshal(e.Data, &a)
			if e.Kind == app.KindAlarmRaised {
				a.ID = e.Seq
			}
			m.alarms[a.ID] = a
		}
		if e.Kind.IsOrder() { // the store projects orders
			var o app.WorkOrder
			_ = json.Unmarshal(e.Data, &o)
			if m.orders == nil {
				m.orders = map[int64]app.WorkOrder{}
			}
			m.orders[o.ID] = o
		}
		if e.Kind == app.KindDeviceAdded && m.site != nil { // the store projects an adopted device into the site
			var d app.Device
			_ = json.Unmarshal(e.Data, &d)
			next := *m.site
			next.Devices = append(append([]app.Device(nil), m.site.Devices...), d)
			m.site = &next
		}
		m.entries = append(m.entries, e)
		out[i] = e
	}
	return out, nil
}

func (m *memStore) Query(_ context.Context, q app.JournalQuery) ([]app.Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []app.Entry
	for _, e := range m.entries {
		if q.Subject != "" && e.Subject != q.Subject && !(strings.HasSuffix(q.Subject, ":") && strings.HasPrefix(e.Subject, q.Subject)) {
			continue
		}
		if e.Seq <= q.AfterSeq {
			continue
		}
		out = append(out, e)
		if q.Limit > 0 && len(out) == q.Limit {
			break
		}
	}
	return out, nil
}

func (m *memStore) LastSeq(context.Context) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return int64(len(m.entries)), nil
}

func (m *memStore) Alarms(_ context.Context, q app.AlarmQuery) ([]app.Alarm, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []app.Alarm
	for _, a := range m.alarms {
		if q.OpenOnly && !a.State.Open() {
			continue
		}
		out = append(out, a)
	}
	return out, nil
}

func (m *memStore) Alarm(_ context.Context, id int64) (app.Alarm, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.alarms[id]
	if !ok {
		return a, app.Errorf(app.CodeNotFound, "no alarm")
	}
	return a, nil
}

func (m *memStore) LoadSite(context.Context) (*app.Site, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.site == nil {
		return nil, app.Errorf(app.CodeNotFound, "no site")
	}
	return m.site, nil
}

func (m *memStore) Operators(context.Context) ([]app.Operator, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []app.Operator
	for _, o := range m.operators {
		out = append(out, o)
	}
	return out, nil
}

func (m *memStore) Operator(_ context.Context, u string) (app.Operator, []byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	o, ok := m.operators[u]
	if !ok {
		return o, nil, app.Errorf(app.CodeNotFound, "no operator")
	}
	return o, m.hashes[u], nil
}

func (m *memStore) CreateOperator(ctx context.Context, op app.Operator, hash []byte, e app.Entry) (app.Entry, error) {
	out, err := m.Append(ctx, e)
	if err != nil {
		return e, err
	}
	m.mu.Lock()
	m.operators[op.Username] = op
	m.hashes[op.Username] = hash
	m.mu.Unlock()
	return out[0], nil
}

func (m *memStore) SetPassword(ctx context.Context, u string, hash []byte, e app.Entry) (app.Entry, error) {
	out, err := m.Append(ctx, e)
	if err != nil {
		return e, err
	}
	m.mu.Lock()
	m.hashes[u] = hash
	o := m.operators[u]
	o.MustChange = false
	m.operators[u] = o
	m.mu.Unlock()
	return out[0], nil
}

func (m *memStore) ResetPassword(ctx context.Context, u string, hash []byte, e app.Entry) (app.Entry, error) {
	out, err := m.Append(ctx, e)
	if err != nil {
		return e, err
	}
	m.mu.Lock()
	m.hashes[u] = hash
	o := m.operators[u]
	o.MustChange = true
	m.operators[u] = o
	m.mu.Unlock()
	return out[0], nil
}

func (m *memStore) UpdateOperator(ctx context.Context, op app.Operator, e app.Entry) (app.Entry, error) {
	out, err := m.Append(ctx, e)
	if err != nil {
		return e, err
	}
	m.mu.Lock()
	m.operators[op.Username] = op
	m.mu.Unlock()
	return out[0], nil
}

func (m *memStore) PermissionGrants(context.Context) ([]app.PermissionGrant, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]app.PermissionGrant(nil), m.grants...), nil
}

func (m *memStore) SavePermissionGrants(ctx context.Context, grants []app.PermissionGrant, e app.Entry) (app.Entry, error) {
	out, err := m.Append(ctx, e)
	if err != nil {
		return e, err
	}
	m.mu.Lock()
	m.grants = append([]app.PermissionGrant(nil), grants...)
	m.mu.Unlock()
	return out[0], nil
}

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)}
}

func (m *memStore) ReplaceSite(ctx context.Context, s *app.Site, e app.Entry) (app.Entry, error) {
	out, err := m.Append(ctx, e)
	if err != nil {
		return e, err
	}
	m.mu.Lock()
	m.site = s
	m.mu.Unlock()
	return out[0], nil
}

func (m *memStore) UpdateCamera(ctx context.Context, c app.Camera, e app.Entry) (app.Entry, error) {
	out, err := m.Append(ctx, e)
	if err != nil {
		return e, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	next := *m.site // a new site value, like the real store's LoadSite
	next.Cameras = append([]app.Camera(nil), m.site.Cameras...)
	for i := range next.Cameras {
		if next.Cameras[i].ID == c.ID {
			next.Cameras[i] = c
		}
	}
	m.site = &next
	return out[0], nil
}
