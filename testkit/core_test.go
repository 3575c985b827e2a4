package testkit

import (
	"context"
	"errors"
	"testing"
	"time"

	"watchpost/app"
)

func TestNewBuildsTheDemoCore(t *testing.T) {
	env := New(t, Options{Config: app.Config{Language: "en"}})
	site := env.Core.Inventory.Site()
	if site == nil || !site.Demo || len(site.Cameras) == 0 {
		t.Fatalf("the demo community is not set up: %+v", site)
	}
	if len(env.Core.Plans.List()) == 0 || len(env.Core.Drills.Scenarios()) == 0 || len(env.Core.Supplies.Points()) == 0 {
		t.Fatal("the default plans, drill scenarios and the demo's supply points are seeded")
	}
	if _, err := env.Core.Accounts.SignIn(context.Background(), "admin", "sunshine-demo"); err != nil {
		t.Fatalf("the demo accounts sign in: %v", err)
	}
}

func TestTheGateHoldsAndFailsWrites(t *testing.T) {
	env := New(t, Options{})
	ctx := context.Background()
	admin, err := env.Core.Accounts.SignIn(ctx, "admin", "sunshine-demo")
	if err != nil {
		t.Fatal(err)
	}
	settings := func() error {
		cfg := env.Core.Settings.Get()
		cfg.Broker.ClientID += "x"
		return env.Core.Settings.Update(ctx, admin, cfg)
	}

	env.Writes.Hold()
	done := make(chan error, 1)
	go func() { done <- settings() }()
	deadline := time.Now().Add(15 * time.Second)
	for env.Writes.Waiting() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the write never reached the gate")
		}
		time.Sleep(5 * time.Millisecond)
	}
	select {
	case err := <-done:
		t.Fatalf("the write went through a held gate: %v", err)
	default:
	}
	env.Writes.Release()
	if err := <-done; err != nil {
		t.Fatalf("released, the write goes through: %v", err)
	}

	full := errors.New("disk full")
	env.Writes.Fail(full)
	if err := settings(); !errors.Is(err, full) {
		t.Fatalf("a failing gate fails the write, got %v", err)
	}
	_, err = env.Core.Recorder.Record(ctx, app.NewEntry(app.KindConsoleStarted, "", app.SystemActor, nil))
	if !errors.Is(err, full) {
		t.Fatalf("the journal's appends fail too, got %v", err)
	}
	env.Writes.Fail(nil)
	if err := settings(); err != nil {
		t.Fatal(err)
	}
}
