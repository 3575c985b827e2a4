package app_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"watchpost/app"
	"watchpost/assets"
)

// memPhotos keeps photos in memory by their content, as the store names them.
type memPhotos struct {
	mu     sync.Mutex
	photos map[string][]byte
}

func (p *memPhotos) SavePhoto(data []byte) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	sum := sha256.Sum256(data)
	name := hex.EncodeToString(sum[:16]) + ".jpg"
	if p.photos == nil {
		p.photos = map[string][]byte{}
	}
	p.photos[name] = data
	return name, nil
}

func (p *memPhotos) OpenPhoto(name string) ([]byte, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	b, ok := p.photos[name]
	if !ok {
		return nil, app.Errorf(app.CodeNotFound, "no photo")
	}
	return b, nil
}

// playDemoHistory seeds the demo community, its accounts and its order set-up in a memory
// store, then plays the demo's history up to now.
func playDemoHistory(t *testing.T, now time.Time) (*memStore, *memPhotos, int) {
	t.Helper()
	ctx := context.Background()
	st := newMemStore()
	rec := app.NewRecorder(st, app.NewBus())
	inv := app.NewInventory(st, rec)
	acc := app.NewAccounts(st, rec, &fakeClock{t: now})
	acc.Cost = bcrypt.MinCost
	site, err := assets.DemoSite()
	require.NoError(t, err)
	accounts, err := assets.DemoAccounts()
	require.NoError(t, err)
	require.NoError(t, app.SeedDemo(ctx, inv, acc, site, accounts))
	setup, err := assets.DemoOrderSetup()
	require.NoError(t, err)
	setup.Categories = app.DefaultOrderCategories()
	_, err = st.SaveOrderSetup(ctx, setup, app.NewEntry(app.KindOrderSetupChanged, "orders:setup", app.SystemActor, setup))
	require.NoError(t, err)
	script, err := assets.DemoOrderHistory()
	require.NoError(t, err)
	photos := &memPhotos{}
	n, err := app.SeedOrderHistory(ctx, app.HistoryDeps{Store: st, Recorder: rec, Inventory: inv, Photos: photos, Setup: setup, Now: now}, script)
	require.NoError(t, err)
	return st, photos, n
}

// demoStart is a first start: a Monday afternoon in the site's time zone.
var demoStart = time.Date(2026, 12, 7, 15, 20, 0, 0, time.FixedZone("CST", 8*3600))

// The demo's history is a few weeks of plausible work: a couple of hundred orders across the
// grids and categories, most accepted and done within their limits, some late, reopened,
// cancelled or merged, residents' ratings mostly good, a handful still open at the first
// start and a couple of them overdue; every step journaled at its own moment in the past, in
// time order, by the people concerned.
func TestDemoHistoryIsPlausible(t *testing.T) {
	st, photos, n := playDemoHistory(t, demoStart)
	orders, err := st.WorkOrders(context.Background(), app.OrderQuery{})
	require.NoError(t, err)
	require.Len(t, orders, n)
	assert.GreaterOrEqual(t, n, 150)
	assert.LessOrEqual(t, n, 300)

	grids, cats, vias := map[string]int{}, map[string]int{}, map[app.OrderSource]int{}
	gridDone, gridInTime := map[string]int{}, map[string]int{}
	var done, inTime, acceptedInTime, accepted, reopened, cancelled, merged, open, overdue, rated, low, high, escalated int
	first := demoStart
	for _, o := range orders {
		grids[o.Place.GridID]++
		cats[o.Category]++
		vias[o.Reporter.Via]++
		if !o.DoneAt.IsZero() {
			done++
			gridDone[o.Place.GridID]++
			if o.DoneInTime() {
				inTime++
				gridInTime[o.Place.GridID]++
			}
		}
		if !o.AcceptedAt.IsZero() {
			accepted++
			if o.AcceptedInTime() {
				acceptedInTime++
			}
		}
		if o.Reopened > 0 {
			reopened++
		}
		if len(o.Escalations) > 0 {
			escalated++
		}
		switch o.State {
		case app.OrderCancelled:
			cancelled++
		case app.OrderMerged:
			merged++
		}
		if o.State.Open() {
			open++
		}
		if o.Overdue(demoStart) {
			overdue++
		}
		if o.Rating != nil {
			rated++
			if o.Rating.Stars >= 4 {
				high++
			}
			if o.Rating.Stars <= 2 {
				low++
			}
			assert.Equal(t, app.FromResident, o.Reporter.Via, "only residents rate")
		}
		if o.Reporter.Via == app.FromResident {
			assert.NotEmpty(t, o.Receipt)
		}
		for i, s := range o.Steps {
			assert.True(t, s.At.Before(demoStart), "order %d: step %s before the first start", o.ID, s.Kind)
			if i > 0 {
				assert.False(t, s.At.Before(o.Steps[i-1].At), "order %d: steps in time order", o.ID)
			}
		}
		for _, p := range o.ProofPhotos {
			_, err := photos.OpenPhoto(p)
			assert.NoError(t, err, "order %d: its proof photo is stored", o.ID)
		}
		if o.CreatedAt.Before(first) {
			first = o.CreatedAt
		}
	}
	t.Logf("%d orders from %s: %d done (%d in time), %d accepted (%d in time), %d reopened, %d cancelled, %d merged, %d escalated, %d open (%d overdue), %d rated (%d ≥ 4, %d ≤ 2); by grid %v, by category %v, by source %v",
		n, first.Format(time.DateOnly), done, inTime, accepted, acceptedInTime, reopened, cancelled, merged, escalated, open, overdue, rated, high, low, grids, cats, vias)

	// Some grids do better than others: the assessment has something to tell.
	best, worst := 0.0, 1.0
	rates := map[string]string{}
	for g, n := range gridDone {
		r := float64(gridInTime[g]) / float64(n)
		best, worst = max(best, r), min(worst, r)
		rates[g] = fmt.Sprintf("%.0f%%", 100*r)
	}
	t.Logf("done within the limit by grid: %v", rates)
	assert.GreaterOrEqual(t, best-worst, 0.1, "the grids differ: %v", rates)

	days := demoStart.Sub(first).Hours() / 24
	assert.True(t, days >= 28 && days <= 42, "it reaches back four to six weeks: %.1f days", days)
	for _, g := range []string{"g1", "g2", "g3", "g4", "g5"} {
		assert.GreaterOrEqual(t, grids[g], 15, "grid %s has orders", g)
	}
	for _, c := range app.DefaultOrderCategories() {
		if c.ID != app.CatSupplies {
			assert.Positive(t, cats[c.ID], "category %s has orders", c.ID)
		}
	}
	for _, v := range []app.OrderSource{app.FromResident, app.FromInspection, app.FromIntake, app.FromConsole, app.FromDevice} {
		assert.Positive(t, vias[v], "orders come from %s", v)
	}
	assert.GreaterOrEqual(t, float64(inTime), 0.8*float64(done), "at least 80 %% done within the limit")
	assert.Less(t, float64(inTime), 0.97*float64(done), "some late")
	assert.GreaterOrEqual(t, float64(acceptedInTime), 0.8*float64(accepted))
	assert.Positive(t, reopened, "some reopened")
	assert.Positive(t, cancelled, "some cancelled")
	assert.Positive(t, merged, "some merged")
	assert.Positive(t, escalated, "the late ones escalated")
	assert.GreaterOrEqual(t, open, 4, "a handful open at the first start")
	assert.LessOrEqual(t, open, 15)
	assert.GreaterOrEqual(t, overdue, 2, "a couple overdue")
	assert.LessOrEqual(t, overdue, 4)
	assert.GreaterOrEqual(t, rated, 40, "residents rate")
	assert.GreaterOrEqual(t, float64(high), 0.7*float64(rated), "mostly four or five stars")
	assert.Positive(t, low, "some low")

	// Every entry of the history happened before the first start, and the journal is in
	// time order; the overdue orders' notices are on the desk, the others' handled.
	var last time.Time
	for _, e := range st.entries {
		if e.Kind.IsOrder() || e.Kind.IsAlarm() {
			assert.True(t, e.Time.Before(demoStart), "%s at %s", e.Kind, e.Time)
			assert.False(t, e.Time.Before(last), "entry %d in time order", e.Seq)
			last = e.Time
		}
	}
	var notices int
	byID := map[string]app.WorkOrder{}
	for _, o := range orders {
		byID[fmt.Sprint(o.ID)] = o
	}
	for _, a := range st.alarms {
		if a.Kind == app.AlarmOrderOverdue && a.State != app.AlarmResolved {
			notices++
			assert.Equal(t, app.AlarmAcknowledged, a.State, "the duty operator saw it")
			o := byID[a.Params[app.ParamOrder]]
			assert.True(t, o.State.Open() && o.State != app.OrderDone, "a notice left on the desk is of an order still to do: #%s is %s", a.Params[app.ParamOrder], o.State)
		}
	}
	assert.Positive(t, notices, "the overdue orders' notices wait on the desk")
}

// The same first start gives the same history (but the residents' receipt numbers, random
// by design); another day's first start gives the same history moved to its day.
func TestDemoHistoryIsDeterministic(t *testing.T) {
	norm := func(st *memStore, shift time.Duration) []string {
		orders, err := st.WorkOrders(context.Background(), app.OrderQuery{})
		require.NoError(t, err)
		sort.Slice(orders, func(i, j int) bool { return orders[i].ID < orders[j].ID })
		var out []string
		for _, o := range orders {
			o.Receipt = ""
			b, err := json.Marshal(o)
			require.NoError(t, err)
			var m any
			require.NoError(t, json.Unmarshal(b, &m))
			out = append(out, string(b))
		}
		return out
	}
	a, _, na := playDemoHistory(t, demoStart)
	b, _, nb := playDemoHistory(t, demoStart)
	require.Equal(t, na, nb)
	assert.Equal(t, norm(a, 0), norm(b, 0))

	// A week later at the same hour: the same orders, a week later.
	c, _, nc := playDemoHistory(t, demoStart.AddDate(0, 0, 7))
	require.Equal(t, na, nc)
	oa, _ := a.WorkOrders(context.Background(), app.OrderQuery{})
	oc, _ := c.WorkOrders(context.Background(), app.OrderQuery{})
	require.Equal(t, len(oa), len(oc))
	for i := range oa {
		assert.Equal(t, oa[i].Text, oc[i].Text)
		assert.Equal(t, oa[i].State, oc[i].State)
		assert.Equal(t, 7*24*time.Hour, oc[i].CreatedAt.Sub(oa[i].CreatedAt), "order %d", oa[i].ID)
	}
}
