package testkit

import (
	"context"
	"log/slog"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"watchpost/app"
	"watchpost/assets"
	"watchpost/store"
)

// The demo's first start on the real store sets up its work orders (teams, dispatch rules,
// the property manager) and weeks of their history, which the core's services then read as
// any other: the board's open orders, the overdue ones with their notices on the desk, the
// history of the assessment, the phone's tasks, the proof photos. A second start adds
// nothing.
func TestTheDemosFirstStartSeedsItsOrdersOnce(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	now := time.Date(2026, 12, 7, 10, 30, 0, 0, time.FixedZone("CST", 8*3600))
	start := func() (*app.Core, *store.Store, time.Duration) {
		st, err := store.Open(ctx, filepath.Join(dir, store.FileName), store.Options{Log: slog.New(slog.DiscardHandler)})
		require.NoError(t, err)
		began := time.Now()
		core, err := app.NewCore(ctx, app.Ports{Store: st, Clock: NewClock(now), Log: slog.New(slog.DiscardHandler), Seeds: assets.Seeds(),
			PasswordCost: bcrypt.MinCost, Files: app.Files{Photos: store.Photos{Dir: filepath.Join(dir, "photos")}}})
		require.NoError(t, err)
		return core, st, time.Since(began)
	}
	core, st, first := start()

	setup := core.Orders.Setup()
	assert.Len(t, setup.Teams, 7, "a team for each grid, the repair crew, the front desk")
	assert.Len(t, setup.Rules, 8)
	assert.Equal(t, "zhouwei", setup.PropertyManager)
	assert.Len(t, setup.Categories, len(app.DefaultOrderCategories()))
	team, ok := setup.GridTeam("g3")
	require.True(t, ok)
	assert.Equal(t, []string{"wangfang"}, team.Members)
	assert.Equal(t, "wangfang", team.Leader)

	past, err := core.Orders.History(ctx, now.AddDate(0, 0, -60), now)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, len(past), 150, "weeks of history")
	open := core.Orders.Open()
	assert.GreaterOrEqual(t, len(open), 4, "a handful open on the board")
	assert.GreaterOrEqual(t, core.Orders.OverdueCount(), 2, "a couple overdue: the header's counter")
	assert.NotEmpty(t, core.Orders.List(), "the last 30 days in memory")
	notices := 0
	for _, a := range core.Desk.Open() {
		if a.Kind == app.AlarmOrderOverdue {
			notices++
		}
	}
	assert.Positive(t, notices, "the overdue orders' notices are on the desk")

	tasks := 0
	for _, u := range []string{"lixiuying", "zhangjianguo", "wangfang", "liudeming", "chenlihua", "majianjun", "huangzhiqiang", "gaofeng", "sunli"} {
		op, err := core.Accounts.Get(ctx, u)
		require.NoError(t, err)
		list, err := core.Orders.Tasks(&op)
		require.NoError(t, err)
		tasks += len(list)
	}
	assert.Positive(t, tasks, "the phone pages' people have work")

	photos := 0
	for _, o := range past {
		for _, p := range o.ProofPhotos {
			_, err := core.Photos.OpenPhoto(p)
			require.NoError(t, err, "order %d's proof photo", o.ID)
			photos++
		}
	}
	assert.Positive(t, photos)
	last, err := st.LastSeq(ctx)
	require.NoError(t, err)
	entries, err := st.Query(ctx, app.JournalQuery{Since: now.AddDate(0, 0, -60), Until: now.AddDate(0, 0, -1)})
	require.NoError(t, err)
	assert.Greater(t, len(entries), 5*len(past)/2, "every step journaled at its moment in the past")
	require.NoError(t, st.Close())

	core, st, second := start()
	defer st.Close()
	again, err := st.LastSeq(ctx)
	require.NoError(t, err)
	assert.Equal(t, last, again, "a second start adds nothing")
	past2, err := core.Orders.History(ctx, now.AddDate(0, 0, -60), now)
	require.NoError(t, err)
	assert.Len(t, past2, len(past))
	t.Logf("bench: demo first start's core %v (%d orders, %d journal entries), a second start's %v", first.Round(time.Millisecond), len(past), last, second.Round(time.Millisecond))
}

// BenchmarkDemoFirstStart is the core's part of the demo's first start (app.NewCore on an
// empty store, the console's seeds and password cost), with and without its work orders, in
// turn: what the orders' set-up and weeks of history add to the first start.
func BenchmarkDemoFirstStart(b *testing.B) {
	ctx := context.Background()
	without := assets.Seeds()
	without.DemoOrderSetup, without.DemoOrderHistory = nil, nil
	var with, bare []time.Duration
	for i := 0; i < b.N; i++ {
		for _, s := range []struct {
			seeds app.Seeds
			into  *[]time.Duration
		}{{assets.Seeds(), &with}, {without, &bare}} {
			dir := b.TempDir()
			st, err := store.Open(ctx, filepath.Join(dir, store.FileName), store.Options{Log: slog.New(slog.DiscardHandler)})
			require.NoError(b, err)
			began := time.Now()
			_, err = app.NewCore(ctx, app.Ports{Store: st, Log: slog.New(slog.DiscardHandler), Seeds: s.seeds,
				Files: app.Files{Photos: store.Photos{Dir: filepath.Join(dir, "photos")}}})
			*s.into = append(*s.into, time.Since(began))
			require.NoError(b, err)
			require.NoError(b, st.Close())
		}
	}
	median := func(d []time.Duration) float64 {
		slices.Sort(d)
		return float64(d[len(d)/2].Milliseconds())
	}
	b.ReportMetric(median(with), "with_orders_ms")
	b.ReportMetric(median(bare), "without_orders_ms")
}
