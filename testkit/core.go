// Package testkit builds what the tests of a panel need, without a camera, a device or a
// network: the core as the console builds it (app.NewCore on a temporary SQLite file with
// the demo community) and camera feeds that generate their pictures. Only tests import it
// (the import rule keeps it out of every program).
package testkit

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"watchpost/app"
	"watchpost/assets"
	"watchpost/store"
)

// Options shape the core of a test; the zero value is the demo community on the system
// clock with an empty configuration.
type Options struct {
	Config app.Config
	Clock  app.Clock // default: the system clock; when set, the journal's entries are stamped by it too
	// Seeds replace the demo's (the console's first-start seeds) when set.
	Seeds *app.Seeds
}

// Env is a core on its own temporary data directory.
type Env struct {
	Core *app.Core
	// Store is the core's store, for tests that read back what was written.
	Store app.Store
	// Dir is the data directory (the SQLite file, background pictures, snapshots, reports).
	Dir string
	// Reports writes incident reports and drill debriefs under Dir/reports.
	Reports app.ReportSaver
	// Config is where the settings are saved (in memory).
	Config *MemConfig
	// Writes holds or fails the journal's appends and the settings' saves (a slow or a
	// full disk).
	Writes *Gate
}

// New builds the core through app.NewCore on a fresh SQLite file, seeded with the demo
// community, its accounts and supply points, the default plans and drill scenarios, as a
// first start of the console does. Nothing runs: a test starts the parts it needs (Run).
func New(t testing.TB, o Options) *Env {
	t.Helper()
	ctx := context.Background()
	quiet := slog.New(slog.DiscardHandler)
	dir := t.TempDir()
	st, err := store.Open(ctx, filepath.Join(dir, store.FileName), store.Options{Log: quiet})
	if err != nil {
		t.Fatalf("testkit: open the store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	seeds := DemoSeeds()
	if o.Seeds != nil {
		seeds = *o.Seeds
	}
	gate := &Gate{}
	cfg := &MemConfig{cfg: o.Config, gate: gate}
	gated := gatedStore{Store: st, gate: gate, clock: o.Clock}
	core, err := app.NewCore(ctx, app.Ports{Store: gated, Config: o.Config, ConfigStore: cfg, Clock: o.Clock, Log: quiet, Seeds: seeds,
		PasswordCost: bcrypt.MinCost, // the tests sign in many times
		Files:        app.Files{Snapshots: store.Files{Dir: filepath.Join(dir, "snapshots")}, Detections: store.Files{Dir: filepath.Join(dir, "detections")}, Photos: store.Photos{Dir: filepath.Join(dir, "photos")}}})
	if err != nil {
		t.Fatalf("testkit: build the core: %v", err)
	}
	core.Health.Set(app.ComponentStatus{Name: "database", Label: "Database", State: app.StateOK, Detail: st.Describe()})
	return &Env{Core: core, Store: gated, Dir: dir, Reports: store.Reports{Dir: filepath.Join(dir, "reports")}, Config: cfg, Writes: gate}
}

// DemoSeeds are the console's first-start seeds (assets.Seeds) but the demo's weeks of
// order history: a panel's test starts from an empty board and desk (a test of the history
// passes assets.Seeds() itself).
func DemoSeeds() app.Seeds {
	s := assets.Seeds()
	s.DemoOrderHistory = nil
	return s
}

// Run runs the core's parts of those names (app.Part.Name: "drills", "supplies", …) as the
// supervisor does, until the test ends; then they are stopped and waited for. The others do
// not run: a test of a panel wants no device supervision raising offline alarms behind it.
func (e *Env) Run(t testing.TB, names ...string) {
	t.Helper()
	for _, name := range names {
		var part *app.Part
		for _, p := range e.Core.Parts() {
			if p.Name == name {
				part = &p
				break
			}
		}
		if part == nil {
			t.Fatalf("testkit: the core has no part %q", name)
		}
		RunPart(t, part.Runner)
	}
}

// RunPart runs r until the test ends, then stops it and waits for it.
func RunPart(t testing.TB, r app.Runner) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = r.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
}

// BackgroundFile is where the store keeps a background picture of the site map.
func (e *Env) BackgroundFile(name string) string {
	return filepath.Join(e.Dir, store.BackgroundDir, name)
}

// MemConfig keeps the configuration in memory (the console saves its settings there),
// behind the environment's gate.
type MemConfig struct {
	mu   sync.Mutex
	cfg  app.Config
	gate *Gate
}

// SaveConfig keeps c (once the gate lets it).
func (m *MemConfig) SaveConfig(c app.Config) error {
	if m.gate != nil {
		if err := m.gate.pass(context.Background()); err != nil {
			return err
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cfg = c
	return nil
}

// LoadConfig returns what was saved last.
func (m *MemConfig) LoadConfig() (app.Config, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cfg, nil
}
