package devices_test

import (
	"context"
	"log/slog"
	"net"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/assets"
	"watchpost/devices"
	"watchpost/internal/runtest"
	"watchpost/store"
)

// engine is the real core (app.NewCore, as the console builds it) on a real SQLite file
// with the demo community: what the device path delivers to in the console.
type engine struct {
	store  *store.Store
	path   string
	core   *app.Core
	inv    *app.Inventory
	desk   *app.AlarmDesk
	ingest *app.Ingest
	bus    *app.Bus
	site   *app.Site
}

var quiet = slog.New(slog.DiscardHandler)

// demoSite seeds an empty store with the demo community only (no accounts, plans, supply
// points or drill scenarios: the device path needs none).
var demoSite = app.Seeds{DemoSite: loadDemo}

func newEngine(t testing.TB) *engine {
	t.Helper()
	path := filepath.Join(t.TempDir(), store.FileName)
	st, err := store.Open(context.Background(), path, store.Options{Log: quiet})
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	e := engineOn(t, st, demoSite)
	e.path = path
	return e
}

// engineOn builds the core on an open store; an empty one gets the seeds' site.
func engineOn(t testing.TB, st *store.Store, seeds app.Seeds) *engine {
	t.Helper()
	return engineThrough(t, st, st, seeds)
}

// engineThrough builds the core on ports, the store st or a wrapper of it (a journal that
// fails on demand); st is kept for reading back what was journaled.
func engineThrough(t testing.TB, st *store.Store, ports app.Store, seeds app.Seeds) *engine {
	t.Helper()
	core, err := app.NewCore(context.Background(), app.Ports{Store: ports, Log: quiet, Seeds: seeds})
	require.NoError(t, err)
	return &engine{store: st, core: core, inv: core.Inventory, desk: core.Desk, ingest: core.Ingest, bus: core.Bus, site: core.Inventory.Site()}
}

func (e *engine) kindOf(id string) app.DeviceKind {
	if d, ok := e.inv.Site().Device(id); ok {
		return d.Kind
	}
	return ""
}

// freePort is a port that was free a moment ago (benchmarks and Mosquitto, which cannot be
// given a listener).
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

const user, password = "watchpost", "sunshine-demo"

// startBroker runs the embedded broker on a port the system chooses for the engine.
func (e *engine) startBroker(t testing.TB) (addr string) {
	t.Helper()
	return startBrokerWith(t, e, e.ingest)
}

// startBrokerWith runs the embedded broker on a free port with a handler of the test's.
func startBrokerWith(t testing.TB, e *engine, h devices.Handler) string {
	t.Helper()
	b, err := devices.NewBroker(devices.BrokerConfig{Listen: "127.0.0.1:0", Username: user, Password: password, Site: "demo", Log: quiet,
		Devices: e.core.Credentials}, h, e.kindOf, nil)
	require.NoError(t, err)
	run(t, b)
	return b.Addr() // bound by NewBroker: connections wait in its backlog until Run accepts them
}

// run starts part.Run on a goroutine as the supervisor does (the broker, the site-broker
// client and the simulator are runners); stop (called at the test's cleanup if the test did
// not) cancels its context and waits for Run to return, failing the test if it does not.
func run(t testing.TB, part runtest.Runner) (stop func()) {
	t.Helper()
	return runtest.Run(t, part)
}

func (e *engine) journal(t testing.TB, kinds ...app.EntryKind) []app.Entry {
	t.Helper()
	es, err := e.store.Query(context.Background(), app.JournalQuery{Kinds: kinds})
	require.NoError(t, err)
	return es
}

func need(t testing.TB, bin string) {
	t.Helper()
	if _, err := exec.LookPath(bin); err != nil {
		t.Skipf("%s is not installed (make test installs it)", bin)
	}
}

func loadDemo() (*app.Site, error) { return assets.DemoSite() }

// waitFor waits (30 s at most) for ch to be closed.
func waitFor(t testing.TB, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(30 * time.Second):
		t.Fatalf("not within 30 s: %s", what)
	}
}
