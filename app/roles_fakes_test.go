package app_test

import (
	"context"
	"crypto/sha256"
	"image"
	"log/slog"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"watchpost/app"
	"watchpost/assets"
)

// The core as the role table (roles_test.go) drives it: every service that takes an
// operator, on the demo site with its default plans and drills, on in-memory stores and a
// fake clock. Writes that do not go through the journal (the configuration file, snapshot
// pictures, replay checkpoints) are counted, so that a refusal is seen to leave no trace
// there either.

// roleStore adds to commandStore what the remaining services need from a store: site edits,
// wall views, snapshots, replay and recorded clips.
type roleStore struct {
	*commandStore
	mu     sync.Mutex
	views  map[string]app.WallView // by operator/name
	clips  []app.Clip
	writes int // writes outside the journal
	cfg    app.Config
	creds  map[string]app.DeviceCredential
}

func newRoleStore() *roleStore {
	return &roleStore{commandStore: newCommandStore(), views: map[string]app.WallView{}}
}

func (m *roleStore) wrote() {
	m.mu.Lock()
	m.writes++
	m.mu.Unlock()
}

// trace is how much the core has written so far: journal entries and other writes.
func (m *roleStore) trace() int {
	n, _ := m.LastSeq(context.Background())
	m.mu.Lock()
	defer m.mu.Unlock()
	return int(n) + m.writes
}

// since returns the journal entries after seq.
func (m *roleStore) since(seq int64) []app.Entry {
	m.memStore.mu.Lock()
	defer m.memStore.mu.Unlock()
	return append([]app.Entry(nil), m.entries[seq:]...)
}

// SiteEditor. The inventory keeps the edited site itself; the store journals.
func (m *roleStore) SaveGrid(ctx context.Context, _ app.Grid, e app.Entry) (app.Entry, error) {
	return m.one(ctx, e)
}
func (m *roleStore) UpdateDevice(ctx context.Context, _ app.Device, e app.Entry) (app.Entry, error) {
	return m.one(ctx, e)
}

// ErasePerson (app.PersonKeyStore): the key's deletion is the store's; the journal is the fake's.
func (m *roleStore) ErasePerson(ctx context.Context, _ string, e app.Entry) (app.Entry, error) {
	return m.one(ctx, e)
}
func (m *roleStore) SetBackground(ctx context.Context, _ *app.Background, image []byte, e app.Entry) (app.Entry, error) {
	if image != nil {
		m.wrote()
	}
	return m.one(ctx, e)
}
func (m *roleStore) BackgroundImage(context.Context, string) ([]byte, error) {
	return nil, app.Errorf(app.CodeNotFound, "no picture")
}

// ViewStore.
func (m *roleStore) Views(_ context.Context, operator string) ([]app.WallView, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []app.WallView
	for _, v := range m.views {
		if v.Operator == operator {
			out = append(out, v)
		}
	}
	return out, nil
}
func (m *roleStore) SaveView(ctx context.Context, v app.WallView, e app.Entry) (app.Entry, error) {
	out, err := m.one(ctx, e)
	if err == nil {
		m.mu.Lock()
		m.views[v.Operator+"/"+v.Name] = v
		m.mu.Unlock()
	}
	return out, err
}
func (m *roleStore) DeleteView(ctx context.Context, operator, name string, e app.Entry) (app.Entry, error) {
	out, err := m.one(ctx, e)
	if err == nil {
		m.mu.Lock()
		delete(m.views, operator+"/"+name)
		m.mu.Unlock()
	}
	return out, err
}

// CredentialStore (the hash need not be keyed here).
func (m *roleStore) DevicePasswordHash(id, pw string) []byte {
	h := sha256.Sum256([]byte(id + "\x00" + pw))
	return h[:]
}
func (m *roleStore) SaveDeviceCredentials(ctx context.Context, creds []app.DeviceCredential, e app.Entry) (app.Entry, error) {
	out, err := m.one(ctx, e)
	if err == nil {
		m.mu.Lock()
		if m.creds == nil {
			m.creds = map[string]app.DeviceCredential{}
		}
		for _, c := range creds {
			m.creds[c.DeviceID] = c
		}
		m.mu.Unlock()
	}
	return out, err
}
func (m *roleStore) DeviceCredentials(context.Context) ([]app.DeviceCredential, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []app.DeviceCredential
	for _, c := range m.creds {
		out = append(out, c)
	}
	return out, nil
}

// ImageSaver.
func (m *roleStore) SavePNG(name string, _ image.Image) (string, error) {
	m.wrote()
	return "/snapshots/" + name, nil
}

// ConfigStore.
func (m *roleStore) SaveConfig(c app.Config) error   { m.wrote(); m.cfg = c; return nil }
func (m *roleStore) LoadConfig() (app.Config, error) { return m.cfg, nil }

// ClipStore.
func (m *roleStore) Clips(context.Context) ([]app.Clip, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]app.Clip(nil), m.clips...), nil
}

// ReplayStore, besides Query and LastSeq: the whole journal in memory, no checkpoints kept.
func (m *roleStore) SeqAt(_ context.Context, t time.Time) (int64, error) {
	m.memStore.mu.Lock()
	defer m.memStore.mu.Unlock()
	var seq int64
	for _, e := range m.entries {
		if !e.Time.After(t) {
			seq = e.Seq
		}
	}
	return seq, nil
}
func (m *roleStore) JournalRange(_ context.Context, after, upTo int64, fn func(*app.Entry) error) error {
	m.memStore.mu.Lock()
	es := append([]app.Entry(nil), m.entries...)
	m.memStore.mu.Unlock()
	for i := range es {
		if es[i].Seq > after && es[i].Seq <= upTo {
			if err := fn(&es[i]); err != nil {
				return err
			}
		}
	}
	return nil
}
func (m *roleStore) LatestCheckpoint(context.Context, int, int64) (int64, time.Time, bool, error) {
	return 0, time.Time{}, false, nil
}
func (m *roleStore) LoadCheckpoint(context.Context, int, int64) ([]byte, error) {
	return nil, app.Errorf(app.CodeNotFound, "no checkpoint")
}
func (m *roleStore) SaveCheckpoint(context.Context, int, int64, time.Time, []byte) error {
	m.wrote()
	return nil
}

// clipSource is a video side that records nothing.
type clipSource struct{}

func (clipSource) Keep([]string, bool, time.Duration) {}
func (clipSource) Clip(context.Context, app.ClipRequest) (app.ClipFile, error) {
	return app.ClipFile{}, app.Errorf(app.CodeUnavailable, "no video in this test")
}
func (clipSource) Remove(string) error   { return nil }
func (clipSource) Taps() []app.TapStatus { return nil }

// The operators of the table: one of each role, a disabled administrator (disabled wins
// over the role) and nobody. Each has an account whose password is "sunshine-" + user name
// (a handover checks it); duty2 takes over the shift.
var (
	roleDuty      = &app.Operator{Username: "duty", Name: "李明", Role: app.RoleOperator}
	roleCommander = &app.Operator{Username: "commander", Name: "王强", Role: app.RoleCommander}
	roleTrainer   = &app.Operator{Username: "trainer", Name: "陈静", Role: app.RoleTrainer}
	roleAdmin     = &app.Operator{Username: "admin", Name: "赵磊", Role: app.RoleAdmin}
	roleDisabled  = &app.Operator{Username: "gone", Name: "张伟", Role: app.RoleAdmin, Disabled: true}
	// The phone pages' people.
	roleGrid     = &app.Operator{Username: "gridw", Name: "孙丽", Role: app.RoleGridWorker}
	roleProperty = &app.Operator{Username: "prop", Name: "周经理", Role: app.RoleProperty}
	roleRepair   = &app.Operator{Username: "fixer", Name: "吴师傅", Role: app.RoleMaintenance}
)

// tableOperators names each operator of the table; one per role of app.Roles.
func tableOperators(t *testing.T) map[string]*app.Operator {
	t.Helper()
	ops := map[string]*app.Operator{"nobody": nil, "disabled " + string(roleDisabled.Role): roleDisabled}
	for _, op := range []*app.Operator{roleDuty, roleCommander, roleTrainer, roleAdmin, roleGrid, roleProperty, roleRepair} {
		ops[string(op.Role)] = op
	}
	for _, r := range app.Roles {
		require.Contains(t, ops, string(r), "the table has an operator of role %s", r)
	}
	require.Len(t, ops, len(app.Roles)+2, "one operator per role, a disabled one and nobody")
	return ops
}

// roleCore is the whole core on one roleStore.
type roleCore struct {
	st        *roleStore
	clk       *fakeClock
	rec       *app.Recorder
	inv       *app.Inventory
	desk      *app.AlarmDesk
	plans     *app.Plans
	incidents *app.Incidents
	supplies  *app.Supplies
	contacts  *app.ContactBook
	acc       *app.Accounts
	shifts    *app.Shifts
	drills    *app.Drills
	wall      *app.Wall
	settings  *app.Settings
	replays   *app.Replays
	perms     *app.Permissions
	creds     *app.DeviceCredentials
	people    *app.People
	arming    *app.Arming
	audit     *app.AuditTrail
	orders    *app.WorkOrders
	recording *app.Recording // started by recordingWithAClip
	n         int            // for unique names
}

func newRoleCore(t *testing.T) *roleCore {
	t.Helper()
	ctx := context.Background()
	quiet := slog.New(slog.DiscardHandler)
	c := &roleCore{st: newRoleStore(), clk: newClock()}
	c.rec = app.NewRecorder(c.st, app.NewBus())
	c.inv = app.NewInventory(c.st, c.rec)
	site, err := assets.DemoSite()
	require.NoError(t, err)
	require.NoError(t, c.inv.Seed(ctx, site))
	c.desk = app.NewAlarmDesk(c.rec, c.st, c.clk)
	require.NoError(t, c.desk.Load(ctx))
	c.plans = app.NewPlans(c.st, c.rec, c.inv, c.clk)
	require.NoError(t, c.plans.Load(ctx))
	plans, err := assets.DefaultPlans()
	require.NoError(t, err)
	_, err = c.plans.Seed(ctx, plans)
	require.NoError(t, err)
	c.incidents = app.NewIncidents(c.st, c.rec, c.plans, c.desk, c.inv, c.clk)
	require.NoError(t, c.incidents.Load(ctx))
	c.supplies = app.NewSupplies(c.st, c.rec, c.desk, c.inv, c.clk)
	require.NoError(t, c.supplies.Load(ctx))
	c.contacts = app.NewContactBook(c.inv, c.st, c.rec)
	c.audit = app.NewAuditTrail(c.rec)

	c.acc = app.NewAccounts(c.st, c.rec, c.clk)
	c.acc.Cost = bcrypt.MinCost
	for _, op := range []*app.Operator{roleDuty, roleCommander, roleTrainer, roleAdmin, roleDisabled, roleGrid, roleProperty, roleRepair,
		{Username: "duty2", Name: "刘洋", Role: app.RoleOperator}, {Username: "worker", Name: "郑师傅", Role: app.RoleMaintenance}} {
		_, err := c.acc.Create(ctx, nil, *op, "sunshine-"+op.Username)
		require.NoError(t, err)
	}
	c.shifts = app.NewShifts(c.acc, c.desk, c.incidents, c.rec, c.clk)
	c.arming = app.NewArming(c.rec, c.inv, c.clk)
	require.NoError(t, c.arming.Load(ctx))
	c.shifts.UseArming(c.arming)

	ingest := app.NewIngest(c.inv, c.desk, c.rec, app.NewRules(app.RulesConfig{}, c.clk.Now()), app.NewDeviceMonitor(c.clk.Now()), c.clk, quiet)
	vision := app.NewVision(c.inv, c.desk, c.rec, nil, c.clk, quiet, nil)
	c.drills = app.NewDrills(app.DrillDeps{Recorder: c.rec, Inventory: c.inv, Plans: c.plans, Desk: c.desk, Ingest: ingest,
		Vision: vision, Clock: c.clk, Log: quiet})
	require.NoError(t, c.drills.Load(ctx))
	drills, err := assets.DefaultDrills()
	require.NoError(t, err)
	_, err = c.drills.Seed(ctx, drills)
	require.NoError(t, err)

	c.wall = app.NewWall(c.st, c.st, c.rec, c.clk)
	c.settings = app.NewSettings(app.Config{}, c.st, c.rec)
	c.replays = app.NewReplays(c.st)
	c.perms = app.NewPermissions(c.st, c.rec)
	c.creds = app.NewDeviceCredentials(c.st, c.rec, c.inv, c.clk)
	c.people = app.NewPeople(c.inv, c.desk, c.rec, c.st)
	c.orders = app.NewWorkOrders(c.st, c.st, c.rec, c.inv, c.desk, c.clk)
	require.NoError(t, c.orders.Load(ctx))
	require.NoError(t, c.orders.SaveSetup(ctx, roleAdmin, roleOrderSetup()))
	return c
}

// account creates an operator account as the system (disabled if asked) and returns its name.
func (c *roleCore) account(t *testing.T, disabled bool) string {
	t.Helper()
	u := "staff" + strconv.Itoa(c.next())
	_, err := c.acc.Create(context.Background(), nil, app.Operator{Username: u, Name: "保安 " + u, Role: app.RoleOperator, Disabled: disabled}, "sunshine-staff")
	require.NoError(t, err)
	return u
}

// next returns a number not used before in this core.
func (c *roleCore) next() int { c.n++; return c.n }

// alarm raises a new alarm as the system (the rules do) and returns its ID.
func (c *roleCore) alarm(t *testing.T) int64 {
	t.Helper()
	a, err := c.desk.Raise(context.Background(), nil, app.Alarm{Kind: "smoke", Priority: app.P1,
		DeviceID: "smoke-b03-u2-12", CameraID: "cam-role-" + strconv.Itoa(c.next())})
	require.NoError(t, err)
	return a.ID
}

// incident opens an incident by hand, as an administrator, and returns its ID.
func (c *roleCore) incident(t *testing.T) int64 {
	t.Helper()
	in, err := c.incidents.Open(context.Background(), roleAdmin, app.OpenRequest{PlanID: "fire-residential", GridID: "g1"})
	require.NoError(t, err)
	return in.ID
}

// recordingWithAClip starts recording with one clip already recorded and waits until it has
// read its index.
func (c *roleCore) recordingWithAClip(t *testing.T) string {
	t.Helper()
	if c.recording != nil {
		return c.st.clips[0].ID
	}
	now := c.clk.Now()
	c.st.clips = []app.Clip{{ID: "cam-gate-s-role", CameraID: "cam-gate-s", From: now.Add(-time.Minute), To: now,
		File: "/clips/cam-gate-s-role.mp4", Bytes: 1000, Reason: app.ClipForAlarm}}
	c.recording = app.NewRecording(app.RecordingDeps{Source: clipSource{}, Store: c.st, Recorder: c.rec, Inventory: c.inv,
		Desk: c.desk, Incidents: c.incidents, Clock: c.clk, Log: slog.New(slog.DiscardHandler)}, app.RecordingConfig{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = c.recording.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	require.Eventually(t, func() bool { return c.recording.Status().Clips == 1 }, 15*time.Second, 5*time.Millisecond,
		"recording reads its clips")
	return c.st.clips[0].ID
}

// stopDrill stops the running drill, if there is one, as an administrator.
func (c *roleCore) stopDrill(t *testing.T) {
	t.Helper()
	if r, ok := c.drills.Current(); ok {
		_, err := c.drills.Stop(context.Background(), roleAdmin, r.ID)
		require.NoError(t, err)
	}
}

// drill starts a drill as an administrator and returns its run's ID.
func (c *roleCore) drill(t *testing.T) int64 {
	t.Helper()
	c.stopDrill(t)
	run, err := c.drills.Start(context.Background(), roleAdmin, "fall-night")
	require.NoError(t, err)
	return run.ID
}

// acknowledged raises an alarm that an administrator acknowledges, and returns its ID.
func (c *roleCore) acknowledged(t *testing.T) int64 {
	t.Helper()
	id := c.alarm(t)
	_, err := c.desk.Acknowledge(context.Background(), roleAdmin, id, "")
	require.NoError(t, err)
	return id
}
