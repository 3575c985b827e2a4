package app_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"watchpost/app"
)

func newAccounts(t *testing.T) (*app.Accounts, *memStore, *fakeClock) {
	st, clk := newMemStore(), newClock()
	a := app.NewAccounts(st, app.NewRecorder(st, app.NewBus()), clk)
	a.Cost = bcrypt.MinCost
	_, err := a.Create(context.Background(), nil, app.Operator{Username: "admin", Name: "管理员", Role: app.RoleAdmin}, "sunshine-admin")
	require.NoError(t, err)
	return a, st, clk
}

func TestSignIn(t *testing.T) {
	ctx := context.Background()
	a, st, _ := newAccounts(t)
	op, err := a.SignIn(ctx, "admin", "sunshine-admin")
	require.NoError(t, err)
	assert.Equal(t, app.RoleAdmin, op.Role)

	_, err = a.SignIn(ctx, "admin", "wrong")
	assert.True(t, app.IsCode(err, app.CodeUnauthenticated))
	assert.Equal(t, "Wrong user name or password", err.Error())
	_, err = a.SignIn(ctx, "nobody", "wrong")
	assert.Equal(t, "Wrong user name or password", err.Error(), "an unknown name reads like a wrong password")

	last := st.entries[len(st.entries)-1]
	assert.Equal(t, app.KindSignInFailed, last.Kind)
	assert.True(t, strings.HasPrefix(last.Subject, app.UnknownNamePrefix), "an unknown name under its keyed hash: %s", last.Subject)
	assert.NotContains(t, last.Subject, "nobody")
	assert.JSONEq(t, `{"unknown": true, "masked": "n*****"}`, string(last.Data))
	for _, e := range st.entries {
		assert.NotContains(t, string(e.Data), "sunshine", "no password in the journal")
		assert.NotContains(t, string(e.Data), "$2a$", "no hash in the journal")
	}
}

// A command-line write checks the password like a sign-in: a refusal is journaled as a
// failed sign-in, a success opens no session (nothing is journaled but the write itself).
func TestAuthenticateJournalsOnlyTheRefusal(t *testing.T) {
	ctx := context.Background()
	a, st, _ := newAccounts(t)
	before := len(st.entries)
	op, err := a.Authenticate(ctx, "admin", "sunshine-admin")
	require.NoError(t, err)
	assert.Equal(t, "admin", op.Username)
	assert.Len(t, st.entries, before, "no sign-in journaled")

	_, err = a.Authenticate(ctx, "admin", "wrong")
	assert.True(t, app.IsCode(err, app.CodeUnauthenticated))
	assert.Equal(t, "Wrong user name or password", err.Error())
	require.Len(t, st.entries, before+1)
	assert.Equal(t, app.KindSignInFailed, st.entries[before].Kind)
	assert.Equal(t, "operator:admin", st.entries[before].Subject)
}

func TestSignInLockout(t *testing.T) {
	ctx := context.Background()
	a, _, clk := newAccounts(t)
	for i := 0; i < app.MaxSignInFailures; i++ {
		_, err := a.SignIn(ctx, "admin", "nope")
		require.Error(t, err)
	}
	_, err := a.SignIn(ctx, "admin", "sunshine-admin")
	assert.ErrorContains(t, err, "Too many failed attempts", "even the right password waits")
	clk.Add(app.SignInLockout + time.Second)
	_, err = a.SignIn(ctx, "admin", "sunshine-admin")
	assert.NoError(t, err)
}

// The lockout is read back from the journal's failed sign-ins: a restart (a new process,
// whose memory knows nothing) does not give an attacker five more guesses, for a known
// name nor for an unknown one (which must not answer differently).
func TestAttackRestartDoesNotLiftTheLockout(t *testing.T) {
	ctx := context.Background()
	a, st, clk := newAccounts(t)
	a.SetNameKey([]byte("site key"))
	for i := 0; i < app.MaxSignInFailures; i++ {
		_, err := a.SignIn(ctx, "admin", "guess")
		require.Error(t, err)
		_, err = a.SignIn(ctx, "nobody", "guess")
		require.Error(t, err)
	}
	restarted := func() *app.Accounts {
		b := app.NewAccounts(st, app.NewRecorder(st, app.NewBus()), clk)
		b.Cost = bcrypt.MinCost
		b.SetNameKey([]byte("site key"))
		return b
	}
	b := restarted()
	_, err := b.SignIn(ctx, "admin", "sunshine-admin")
	assert.ErrorContains(t, err, "Too many failed attempts", "the right password still waits after a restart")
	_, err = b.SignIn(ctx, "nobody", "guess")
	assert.ErrorContains(t, err, "Too many failed attempts", "an unknown name is locked the same way")

	clk.Add(app.SignInLockout + time.Second)
	b = restarted()
	_, err = b.SignIn(ctx, "admin", "sunshine-admin")
	assert.NoError(t, err, "the lockout ends on time")

	// A sign-in clears the failures before it, after a restart too.
	_, err = b.SignIn(ctx, "admin", "guess")
	require.Error(t, err)
	_, err = restarted().SignIn(ctx, "admin", "sunshine-admin")
	assert.NoError(t, err)
}

func TestAccountManagement(t *testing.T) {
	ctx := context.Background()
	a, _, _ := newAccounts(t)
	admin, err := a.SignIn(ctx, "admin", "sunshine-admin")
	require.NoError(t, err)
	_, err = a.Create(ctx, admin, app.Operator{Username: "duty", Name: "值班员", Role: app.RoleOperator}, "short")
	assert.True(t, app.IsCode(err, app.CodeInvalid), "%v", err)
	_, err = a.Create(ctx, admin, app.Operator{Username: "duty", Name: "值班员", Role: app.RoleOperator}, "sunshine-duty")
	require.NoError(t, err)
	_, err = a.Create(ctx, admin, app.Operator{Username: "duty", Name: "again", Role: app.RoleOperator}, "sunshine-duty")
	assert.True(t, app.IsCode(err, app.CodeConflict))

	d, err := a.SignIn(ctx, "duty", "sunshine-duty")
	require.NoError(t, err)
	_, err = a.Create(ctx, d, app.Operator{Username: "x", Name: "x", Role: app.RoleAdmin}, "whatever-long")
	assert.True(t, app.IsCode(err, app.CodeForbidden), "an operator cannot create accounts")
	_, err = a.List(ctx, d)
	assert.True(t, app.IsCode(err, app.CodeForbidden))

	assert.Error(t, a.ChangePassword(ctx, d, "duty", "wrong-old", "new-password-1"))
	require.NoError(t, a.ChangePassword(ctx, d, "duty", "sunshine-duty", "new-password-1"))
	_, err = a.SignIn(ctx, "duty", "new-password-1")
	assert.NoError(t, err)
	assert.True(t, app.IsCode(a.ChangePassword(ctx, d, "admin", "", "new-password-2"), app.CodeForbidden))
	require.NoError(t, a.ChangePassword(ctx, admin, "duty", "", "reset-by-admin"))
}

func TestBusDropsOldestForASlowSubscriber(t *testing.T) {
	b := app.NewBus()
	slow := b.Subscribe(3, nil)
	fast := b.Subscribe(100, func(e *app.Entry) bool { return e.Kind == app.KindAlarmRaised })
	for i := 1; i <= 10; i++ {
		b.Publish(app.Entry{Seq: int64(i), Kind: app.KindAlarmRaised})
	}
	b.Publish(app.Entry{Seq: 11, Kind: app.KindSignedIn})
	assert.Equal(t, int64(8), slow.Dropped())
	got := []int64{(<-slow.C()).Seq, (<-slow.C()).Seq, (<-slow.C()).Seq}
	assert.Equal(t, []int64{9, 10, 11}, got, "the newest entries are kept")
	assert.Len(t, fast.C(), 10)
	assert.Zero(t, fast.Dropped())
	slow.Close()
	slow.Close()
	_, open := <-slow.C()
	assert.False(t, open)
	b.Publish(app.Entry{Seq: 12})
}

func TestBusConcurrentPublishers(t *testing.T) {
	b := app.NewBus()
	s := b.Subscribe(5, nil)
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				b.Publish(app.Entry{Seq: int64(i)})
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, int64(8000-5), s.Dropped()+0, "every entry is either queued or counted")
}

func TestConfig(t *testing.T) {
	c, err := app.ParseConfig([]byte(`{"language":"zh-CN","broker":{"listen":"127.0.0.1:2883"}}`))
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:2883", c.Broker.ListenAddr())
	assert.True(t, c.Broker.IsEmbedded())
	assert.Equal(t, "dark", c.ThemeName())

	for _, bad := range []string{"1883", "host:", "host:99999", "::1:1883"} {
		_, err = app.ParseConfig([]byte(`{"broker":{"listen":"` + bad + `"}}`))
		assert.ErrorContains(t, err, "host:port", bad)
	}
	for _, good := range []string{"[::1]:1883", "localhost:1883", "127.0.0.1:0"} {
		_, err = app.ParseConfig([]byte(`{"broker":{"listen":"` + good + `"}}`))
		assert.NoError(t, err, good)
	}
	// Beyond loopback in clear only on one address allowed on purpose (issue 15).
	for _, exposed := range []string{"0.0.0.0:1883", ":1883", "192.168.10.2:1883"} {
		_, err = app.ParseConfig([]byte(`{"broker":{"listen":"` + exposed + `"}}`))
		assert.ErrorContains(t, err, "without encryption", exposed)
	}
	_, err = app.ParseConfig([]byte(`{"langauge":"en"}`))
	assert.EqualError(t, err, `Unknown setting langauge in the configuration: json: unknown field "langauge"`)
	_, err = app.ParseConfig([]byte(`{"language":`))
	assert.ErrorContains(t, err, "not valid JSON")
	_, err = app.ParseConfig([]byte(`{"theme":3}`))
	assert.ErrorContains(t, err, "wrong type")
	_, err = app.ParseConfig([]byte(`{"language":"fr"}`))
	assert.ErrorContains(t, err, "not available")
	_, err = app.ParseConfig([]byte(`{"broker":{"embedded":false}}`))
	assert.ErrorContains(t, err, "address of the site's broker")
	_, err = app.ParseConfig([]byte(`{"broker":{"embedded":false,"url":"http://x:1"}}`))
	assert.ErrorContains(t, err, "tcp://")
	_, err = app.ParseConfig([]byte(`{} {}`))
	assert.Error(t, err)
	c, err = app.ParseConfig(nil)
	require.NoError(t, err)
	back, err := app.ParseConfig(app.MarshalConfig(c))
	require.NoError(t, err)
	assert.Equal(t, c, back)
}

func TestInventorySeedAndSearch(t *testing.T) {
	ctx := context.Background()
	st := newMemStore()
	inv := app.NewInventory(st, app.NewRecorder(st, app.NewBus()))
	assert.True(t, app.IsCode(inv.Load(ctx), app.CodeNotFound))
	s := validSite()
	s.Buildings[0].GridID = ""
	require.NoError(t, inv.Seed(ctx, s))
	assert.Equal(t, "g1", inv.Site().Buildings[0].GridID, "grids are assigned on seeding")
	assert.True(t, app.IsCode(inv.Seed(ctx, validSite()), app.CodeConflict))
	assert.Equal(t, app.KindSiteSeeded, st.entries[0].Kind)

	inv2 := app.NewInventory(st, app.NewRecorder(st, app.NewBus()))
	require.NoError(t, inv2.Load(ctx))
	assert.Equal(t, "阳光花园社区", inv2.Site().Name)

	hits := inv.Search("张伟", false)
	require.Len(t, hits, 1, "a grid is found by its worker")
	assert.Equal(t, app.ItemGrid, hits[0].Kind)
	hits = inv.Search("SMOKE", true)
	require.Len(t, hits, 1)
	assert.Equal(t, "smoke-1", hits[0].ID)
	assert.Len(t, inv.Search("", false), 4)
	assert.Empty(t, inv.Search("nothing-like-this", false))
}

func TestHealthJournalsStateChangesOnly(t *testing.T) {
	st := newMemStore()
	h := app.NewHealth(app.NewRecorder(st, app.NewBus()), newClock(), slog.New(slog.DiscardHandler))
	h.Set(app.ComponentStatus{Name: "database", Label: "Database", State: app.StateOK, Detail: "a"})
	h.Set(app.ComponentStatus{Name: "database", Label: "Database", State: app.StateOK, Detail: "b"})
	h.Set(app.ComponentStatus{Name: "broker", Label: "Broker", State: app.StateDown, Error: "port in use"})
	assert.Len(t, st.entries, 2)
	all := h.All()
	require.Len(t, all, 2)
	assert.Equal(t, "broker", all[0].Name)
	assert.Equal(t, "b", all[1].Detail)
}

type memConfig struct{ saved []app.Config }

func (m *memConfig) SaveConfig(c app.Config) error { m.saved = append(m.saved, c); return nil }
func (m *memConfig) LoadConfig() (app.Config, error) {
	if len(m.saved) == 0 {
		return app.Config{}, nil
	}
	return m.saved[len(m.saved)-1], nil
}

func TestSettingsRolesAndJournal(t *testing.T) {
	ctx := context.Background()
	st, cs := newMemStore(), &memConfig{}
	s := app.NewSettings(app.Config{}, cs, app.NewRecorder(st, app.NewBus()))
	next := s.Get()
	next.Language = "en"
	require.NoError(t, s.Update(ctx, duty, next), "anyone may change the language")
	next.Broker.Password = "s3cret"
	err := s.Update(ctx, duty, next)
	assert.True(t, app.IsCode(err, app.CodeForbidden), "only admins change the broker: %v", err)
	admin := &app.Operator{Username: "admin", Name: "a", Role: app.RoleAdmin}
	require.NoError(t, s.Update(ctx, admin, next))
	assert.Equal(t, "s3cret", s.Get().Broker.Password)
	require.Len(t, cs.saved, 2)
	require.Len(t, st.entries, 2)
	assert.JSONEq(t, `{"keys":["broker.password"]}`, string(st.entries[1].Data), "the key, never the value")
	assert.Equal(t, "admin", st.entries[1].Operator)
	// Each operator changes their own preferences; only an administrator another's.
	mine := s.Get().WithPrefs("duty", app.OperatorPrefs{WallFollowsAlarms: true})
	require.NoError(t, s.Update(ctx, duty, mine), "an operator's own preference is theirs to change")
	assert.True(t, s.Get().PrefsOf("duty").WallFollowsAlarms)
	assert.False(t, s.Get().PrefsOf("admin").WallFollowsAlarms)
	assert.JSONEq(t, `{"keys":["operators.duty"]}`, string(st.entries[len(st.entries)-1].Data))
	theirs := s.Get().WithPrefs("admin", app.OperatorPrefs{WallFollowsAlarms: true})
	assert.True(t, app.IsCode(s.Update(ctx, duty, theirs), app.CodeForbidden), "not another's")
	off := s.Get().WithPrefs("duty", app.OperatorPrefs{})
	require.NoError(t, s.Update(ctx, duty, off))
	assert.Nil(t, s.Get().Operators, "no empty entries are kept")
	badUser := s.Get().WithPrefs("no one", app.OperatorPrefs{WallFollowsAlarms: true})
	assert.True(t, app.IsCode(s.Update(ctx, admin, badUser), app.CodeInvalid))

	bad := next
	bad.Theme = "neon"
	assert.True(t, app.IsCode(s.Update(ctx, admin, bad), app.CodeInvalid))
}

func TestSeedDemoIsIdempotentAndAutoSignInIsDemoOnly(t *testing.T) {
	ctx := context.Background()
	st := newMemStore()
	rec := app.NewRecorder(st, app.NewBus())
	inv := app.NewInventory(st, rec)
	acc := app.NewAccounts(st, rec, newClock())
	acc.Cost = bcrypt.MinCost
	accounts := []app.DemoAccount{{Operator: app.Operator{Username: "duty", Name: "值班员", Role: app.RoleOperator}, Password: "sunshine-demo"}}
	site := validSite()
	assert.Error(t, app.SeedDemo(ctx, inv, acc, site, accounts), "only a demo site is seeded as the demo")
	site.Demo = true
	require.NoError(t, app.SeedDemo(ctx, inv, acc, site, accounts))
	require.NoError(t, app.SeedDemo(ctx, inv, acc, site, accounts), "running it again changes nothing")
	n, _ := acc.Count(ctx)
	assert.Equal(t, 1, n)

	op, err := acc.SignInDemo(ctx, inv.Site(), "duty")
	require.NoError(t, err)
	assert.Equal(t, "duty", op.Username)
	real := validSite()
	_, err = acc.SignInDemo(ctx, real, "duty")
	assert.True(t, app.IsCode(err, app.CodeForbidden), "no password-less sign-in on a real site")
}

func TestAddDeviceAdoptsAnUnregisteredOne(t *testing.T) {
	ctx := context.Background()
	st := newMemStore()
	inv := app.NewInventory(st, app.NewRecorder(st, app.NewBus()))
	require.NoError(t, inv.Seed(ctx, validSite()))
	d := app.Device{ID: "smoke-99", Kind: app.KindSmoke, Names: app.Names{Name: "新烟感"}, Position: app.Point{X: 50, Y: 50}}
	assert.True(t, app.IsCode(inv.AddDevice(ctx, duty, d), app.CodeForbidden), "operators do not change the inventory")
	admin := &app.Operator{Username: "admin", Name: "a", Role: app.RoleAdmin}
	require.NoError(t, inv.AddDevice(ctx, admin, d))
	got, ok := inv.Device("smoke-99")
	require.True(t, ok)
	assert.Equal(t, "g1", got.GridID, "the grid follows from the position")
	assert.True(t, app.IsCode(inv.AddDevice(ctx, admin, d), app.CodeConflict))
	assert.Equal(t, app.KindDeviceAdded, st.entries[len(st.entries)-1].Kind)
}

func TestSupervisionWindowsPerKind(t *testing.T) {
	c, err := app.ParseConfig([]byte(`{"rules":{"supervision":{"smoke":"2h","door":"30s"}}}`))
	require.NoError(t, err)
	smoke := app.Device{Kind: app.KindSmoke}
	own := app.Device{Kind: app.KindSmoke, Supervision: app.Duration(20 * time.Minute)}
	light := app.Device{Kind: app.KindStreetlight}
	assert.Equal(t, 2*time.Hour, c.Rules.SupervisionWindow(&smoke))
	assert.Equal(t, 20*time.Minute, c.Rules.SupervisionWindow(&own), "a device's own window wins")
	assert.Equal(t, 10*time.Minute, c.Rules.SupervisionWindow(&light), "the kind's default")
	_, err = app.ParseConfig([]byte(`{"rules":{"supervision":{"toaster":"1h"}}}`))
	assert.ErrorContains(t, err, "Unknown device kind")
}
