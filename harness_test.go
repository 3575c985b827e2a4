package main

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/assets"
	"watchpost/store"
	"watchpost/video"
	"watchpost/video/sim"
)

// The root's whole-stack tests build the core as the console does (app.NewCore on a real
// SQLite file) and run parts as the supervisor does.

// newCore builds the core on a fresh SQLite file in dir (a temporary one when empty), with
// the given seeds (the demo's when none).
func newCore(t testing.TB, dir string, seeds ...app.Seeds) (*app.Core, *store.Store) {
	t.Helper()
	s := assets.Seeds()
	if len(seeds) > 0 {
		s = seeds[0]
	}
	return newCoreWith(t, dir, app.Ports{Seeds: s})
}

// newCoreWith builds the core from the given ports (their seeds as given: none when zero)
// on a fresh SQLite file in dir (a temporary one when empty); the log is quiet unless set.
func newCoreWith(t testing.TB, dir string, p app.Ports) (*app.Core, *store.Store) {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	if p.Log == nil {
		p.Log = slog.New(slog.DiscardHandler)
	}
	st, err := store.Open(context.Background(), filepath.Join(dir, store.FileName), store.Options{Log: p.Log})
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	p.Store = st
	core, err := app.NewCore(context.Background(), p)
	require.NoError(t, err)
	core.Accounts.Cost = 4 // bcrypt's cheapest: the tests sign in many times
	return core, st
}

// runParts runs parts under a supervisor, as the console does, until the test ends: then
// they are stopped in the reverse order and waited for. A test that runs parts in several
// calls stops the later ones first (t.Cleanup's order), as the console would.
func runParts(t testing.TB, parts ...app.Part) {
	t.Helper()
	sup := app.NewSupervisor(nil, slog.New(slog.DiscardHandler))
	sup.Add(parts...)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = sup.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Errorf("the parts %v did not stop within 30 s of being asked", sup.States())
		}
	})
}

// startSimulator serves simulated cameras for the test (run as the console's camera
// simulator part; its address and URLs are known at once).
func startSimulator(t testing.TB, cfg sim.Config) *sim.Server {
	t.Helper()
	s, err := sim.New(cfg)
	require.NoError(t, err)
	runParts(t, app.Part{Name: "camera-simulator", Label: "Camera simulator", Runner: s})
	return s
}

// runFeeds runs the camera feeds as the console's "cameras" part and waits until they serve
// streams (as the console waits before it shows the window); more parts that use them may
// run beside them.
func runFeeds(t testing.TB, feeds *video.Feeds, more ...app.Part) {
	t.Helper()
	runParts(t, append([]app.Part{{Name: "cameras", Label: "Cameras", Runner: feeds}}, more...)...)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	require.NoError(t, feeds.WaitRunning(ctx), "the camera feeds' Run started")
}
