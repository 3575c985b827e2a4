package main

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/store"
)

// The root's whole-stack tests build the core as the console does (app.NewCore on a real
// SQLite file) and run parts as the supervisor does.

// newCore builds the core on a fresh SQLite file in dir (a temporary one when empty), with
// the given seeds (the demo's when none).
func newCore(t testing.TB, dir string, seeds ...app.Seeds) (*app.Core, *store.Store) {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	quiet := slog.New(slog.DiscardHandler)
	st, err := store.Open(context.Background(), filepath.Join(dir, store.FileName), store.Options{Log: quiet})
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	s := demoSeeds()
	if len(seeds) > 0 {
		s = seeds[0]
	}
	core, err := app.NewCore(context.Background(), app.Ports{Store: st, Log: quiet, Seeds: s})
	require.NoError(t, err)
	core.Accounts.Cost = 4 // bcrypt's cheapest: the tests sign in many times
	return core, st
}

// demoSeeds are the console's seeds (console.go).
func demoSeeds() app.Seeds { return seeds() }

// runPart runs a part as the supervisor does, until the test ends (then it is stopped and
// waited for).
func runPart(t testing.TB, r app.Runner) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = r.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
}
