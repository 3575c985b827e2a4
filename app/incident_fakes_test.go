package app_test

import (
	"context"
	"sort"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/assets"
)

// commandStore keeps plans, incidents, supply points and contacts in memory on top of the
// memStore journal, like the SQLite store does in one transaction per write.
type commandStore struct {
	*memStore
	mu        sync.Mutex
	plans     []app.Plan
	incidents map[int64]app.Incident
	points    []app.SupplyPoint
	contacts  []app.Contact
}

func newCommandStore() *commandStore {
	return &commandStore{memStore: newMemStore(), incidents: map[int64]app.Incident{}}
}

func (m *commandStore) one(ctx context.Context, e app.Entry) (app.Entry, error) {
	out, err := m.Append(ctx, e)
	if err != nil {
		return e, err
	}
	return out[0], nil
}

func (m *commandStore) Plans(context.Context) ([]app.Plan, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]app.Plan(nil), m.plans...), nil
}

func (m *commandStore) SavePlans(ctx context.Context, ps []app.Plan, es ...app.Entry) ([]app.Entry, error) {
	out, err := m.Append(ctx, es...)
	if err != nil {
		return out, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
next:
	for _, p := range ps {
		for i := range m.plans {
			if m.plans[i].ID == p.ID {
				m.plans[i] = p
				continue next
			}
		}
		m.plans = append(m.plans, p)
	}
	return out, nil
}

func (m *commandStore) DeletePlan(ctx context.Context, id string, e app.Entry) (app.Entry, error) {
	out, err := m.one(ctx, e)
	if err != nil {
		return out, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.plans {
		if m.plans[i].ID == id {
			m.plans = append(m.plans[:i], m.plans[i+1:]...)
			break
		}
	}
	return out, nil
}

func (m *commandStore) Incidents(_ context.Context, q app.IncidentQuery) ([]app.Incident, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []app.Incident
	for _, in := range m.incidents {
		if q.OpenOnly && in.State != app.IncidentOpen {
			continue
		}
		if q.Alarm != 0 && !in.HasAlarm(q.Alarm) {
			continue
		}
		out = append(out, in)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

func (m *commandStore) Incident(_ context.Context, id int64) (app.Incident, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	in, ok := m.incidents[id]
	if !ok {
		return in, app.Errorf(app.CodeNotFound, "There is no incident {{.ID}}", "ID", id)
	}
	return in, nil
}

func (m *commandStore) MaxIncidentID(context.Context) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var max int64
	for id := range m.incidents {
		if id > max {
			max = id
		}
	}
	return max, nil
}

func (m *commandStore) SaveIncident(ctx context.Context, in app.Incident, e app.Entry) (app.Entry, error) {
	out, err := m.one(ctx, e)
	if err != nil {
		return out, err
	}
	m.mu.Lock()
	m.incidents[in.ID] = in
	m.mu.Unlock()
	return out, nil
}

func (m *commandStore) SupplyPoints(context.Context) ([]app.SupplyPoint, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]app.SupplyPoint(nil), m.points...), nil
}

func (m *commandStore) SaveSupplyPoints(ctx context.Context, ps []app.SupplyPoint, e app.Entry) (app.Entry, error) {
	out, err := m.one(ctx, e)
	if err != nil {
		return out, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
next:
	for _, p := range ps {
		for i := range m.points {
			if m.points[i].ID == p.ID {
				m.points[i] = p
				continue next
			}
		}
		m.points = append(m.points, p)
	}
	return out, nil
}

func (m *commandStore) DeleteSupplyPoint(ctx context.Context, id string, e app.Entry) (app.Entry, error) {
	out, err := m.one(ctx, e)
	if err != nil {
		return out, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.points {
		if m.points[i].ID == id {
			m.points = append(m.points[:i], m.points[i+1:]...)
			break
		}
	}
	return out, nil
}

func (m *commandStore) SaveContacts(ctx context.Context, cs []app.Contact, e app.Entry) (app.Entry, error) {
	out, err := m.one(ctx, e)
	if err != nil {
		return out, err
	}
	m.mu.Lock()
	m.contacts = cs
	m.mu.Unlock()
	m.memStore.mu.Lock() // the contacts are the site's, as in the real store
	next := *m.site
	next.Contacts = append([]app.Contact(nil), cs...)
	m.site = &next
	m.memStore.mu.Unlock()
	return out, nil
}

// command is the incident side of the core on the demo site, with a fake clock.
type command struct {
	st        *commandStore
	clk       *fakeClock
	rec       *app.Recorder
	inv       *app.Inventory
	desk      *app.AlarmDesk
	plans     *app.Plans
	incidents *app.Incidents
	supplies  *app.Supplies
	contacts  *app.ContactBook
}

var (
	commander = &app.Operator{Username: "commander", Name: "王强", Role: app.RoleCommander}
	admin     = &app.Operator{Username: "admin", Name: "赵磊", Role: app.RoleAdmin}
)

func newCommand(t *testing.T) *command {
	t.Helper()
	ctx := context.Background()
	c := &command{st: newCommandStore(), clk: newClock()}
	c.rec = app.NewRecorder(c.st, app.NewBus())
	c.inv = app.NewInventory(c.st, c.rec)
	site, err := assets.DemoSite()
	require.NoError(t, err)
	require.NoError(t, c.inv.Seed(ctx, site))
	c.desk = app.NewAlarmDesk(c.rec, c.st, c.clk)
	require.NoError(t, c.desk.Load(ctx))
	c.plans = app.NewPlans(c.st, c.rec, c.inv, c.clk)
	require.NoError(t, c.plans.Load(ctx))
	defaults, err := assets.DefaultPlans()
	require.NoError(t, err)
	n, err := c.plans.Seed(ctx, defaults)
	require.NoError(t, err)
	require.Equal(t, len(defaults), n)
	c.incidents = app.NewIncidents(c.st, c.rec, c.plans, c.desk, c.inv, c.clk)
	require.NoError(t, c.incidents.Load(ctx))
	c.supplies = app.NewSupplies(c.st, c.rec, c.desk, c.inv, c.clk)
	require.NoError(t, c.supplies.Load(ctx))
	c.contacts = app.NewContactBook(c.inv, c.st, c.rec)
	return c
}

// entriesOf returns the journal entries of a subject.
func (c *command) entriesOf(t *testing.T, subject string) []app.Entry {
	t.Helper()
	es, err := c.st.Query(context.Background(), app.JournalQuery{Subject: subject})
	require.NoError(t, err)
	return es
}
