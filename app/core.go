package app

import (
	"context"
	"log/slog"
	"time"
)

// The core is built in one place: NewCore takes the ports (the store, the configuration and
// where it is saved, where pictures go, the clock, the log, the seeds of a first start) and
// builds the bus, the journal's recorder and every service, loads them in the order their
// dependencies need, and hands back the core with its running parts. The console, the site
// engine, every test harness and every command-line command that writes use it: adding a
// service means editing this file and the service's own.

// Store is every store port of the core, in one value (SQLite now, PostgreSQL later).
type Store interface {
	Journal
	SiteStore
	AlarmStore
	OperatorStore
	PlanStore
	IncidentStore
	SupplyStore
	ContactStore
	ClipStore
	ReplayStore
	ViewStore
	DeviceStateStore
	PermissionStore
	OrderStore
}

// DeviceStateStore reads the devices' last known states (projected from their readings), so
// that supervision after a restart knows who was heard when.
type DeviceStateStore interface {
	DeviceStates(ctx context.Context) ([]DeviceState, error)
}

// Seeds are what a first start sets up in an empty store; nil ones are skipped. The demo
// site comes with its accounts and supply points; plans and drill scenarios are the
// defaults every site starts from.
type Seeds struct {
	DemoSite     func() (*Site, error)
	DemoAccounts func() ([]DemoAccount, error)
	DemoSupplies func() ([]SupplyPoint, error)
	Plans        func() ([]Plan, error)
	Drills       func() ([]DrillScenario, error)
	// The demo's work orders (demo_orders.go): the set-up (teams, dispatch rules; the default
	// categories when it names none) and the weeks of history before the first start, both
	// seeded once on the demo site when it has no set-up yet.
	DemoOrderSetup   func() (OrderSetup, error)
	DemoOrderHistory func() (OrderHistory, error)
}

// Files are where the core keeps pictures: camera snapshots taken from the wall, and what
// video analytics saw. Nil ones keep nothing.
type Files struct {
	Snapshots  ImageSaver
	Detections FileSaver
	Photos     PhotoStore // work orders' photos
}

// Ports are what the core is built from.
type Ports struct {
	Store       Store
	Config      Config
	ConfigStore ConfigStore // where settings are saved (the configuration file)
	Files       Files
	Clock       Clock        // default: the system clock
	Log         *slog.Logger // default: slog.Default()
	Seeds       Seeds
	// PasswordCost is the bcrypt cost of the passwords set from now on, the seeded demo
	// accounts' included; zero: bcrypt's default. Tests lower it (they sign in many times).
	PasswordCost int
	// Tail, when set, is how often the journal is read for entries another process wrote
	// (a command-line write, another console): they reach the services and the panels as
	// this process's own do. Zero: not tailed (tests, the command line).
	Tail time.Duration
}

// Core is the built core: its services, and the parts that run.
type Core struct {
	Clock    Clock
	Log      *slog.Logger
	Bus      *Bus
	Recorder *Recorder
	Health   *Health

	Inventory *Inventory
	Accounts  *Accounts
	Settings  *Settings
	Desk      *AlarmDesk
	Plans     *Plans
	Incidents *Incidents
	Supplies  *Supplies
	Contacts  *ContactBook
	Wall      *Wall
	Shifts    *Shifts
	Replays   *Replays
	// People shows residents' full records to whom may see them, journaled, and erases them.
	People *People
	Audit  *AuditTrail // who saw whose record, who signed in (administrators)

	// Permissions changes the permission table (which role may do what) and keeps it in force.
	Permissions *Permissions

	// Credentials makes and checks every device's own broker credentials.
	Credentials *DeviceCredentials

	// Orders are the work orders (工单): reported, dispatched, tracked to closure, assessed.
	Orders *WorkOrders
	Photos PhotoStore // their photos (nil: none kept)

	// The device path and the analytics path into the core, and the drills that use both.
	Ingest  *Ingest
	Rules   *Rules
	Arming  *Arming // arming schedules, holidays, maintenance and test mode (布防/撤防)
	Monitor *DeviceMonitor
	Vision  *Vision
	Drills  *Drills

	VideoLoss    *VideoLoss
	CameraStatus *StatusJournal
	Checkpoints  *ReplayCheckpointer
	Tail         *Tail
	// Recording is nil until UseRecording gives it the video side's clips.
	Recording *Recording

	store Store
	parts []Part
}

// NewCore builds and loads the core. On an empty store it sets up the seeds (the demo site
// and its accounts first, so that a crash halfway through is finished by the next start).
func NewCore(ctx context.Context, p Ports) (*Core, error) {
	if p.Clock == nil {
		p.Clock = SystemClock{}
	}
	if p.Log == nil {
		p.Log = slog.Default()
	}
	c := &Core{Clock: p.Clock, Log: p.Log, store: p.Store}
	c.Bus = NewBus()
	c.Recorder = NewRecorder(p.Store, c.Bus)
	c.Health = NewHealth(c.Recorder, p.Clock, p.Log)
	c.Inventory = NewInventory(p.Store, c.Recorder)
	c.Accounts = NewAccounts(p.Store, c.Recorder, p.Clock)
	if p.PasswordCost != 0 {
		c.Accounts.Cost = p.PasswordCost
	}
	if k, ok := p.Store.(NameKeyer); ok {
		c.Accounts.SetNameKey(k.SignInNameKey())
	}
	c.Permissions = NewPermissions(p.Store, c.Recorder)
	if err := c.Permissions.Load(ctx); err != nil {
		return nil, err
	}
	c.Settings = NewSettings(p.Config, p.ConfigStore, c.Recorder)
	c.Desk = NewAlarmDesk(c.Recorder, p.Store, p.Clock)

	if err := c.loadOrSeedSite(ctx, p.Seeds); err != nil {
		return nil, err
	}
	// Before the desk and the orders load, and before anything else writes: the history is
	// written with the journal's next sequence numbers (demo_history.go).
	if err := c.seedDemoOrders(ctx, p); err != nil {
		return nil, err
	}
	cs, _ := p.Store.(CredentialStore) // the test doubles of other services keep none
	c.Credentials = NewDeviceCredentials(cs, c.Recorder, c.Inventory, p.Clock)
	if err := c.Credentials.Load(ctx); err != nil {
		return nil, err
	}
	if err := c.Desk.Load(ctx); err != nil {
		return nil, err
	}
	c.Plans = NewPlans(p.Store, c.Recorder, c.Inventory, p.Clock)
	if err := c.Plans.Load(ctx); err != nil {
		return nil, err
	}
	if len(c.Plans.List()) == 0 && p.Seeds.Plans != nil {
		defaults, err := p.Seeds.Plans()
		if err != nil {
			return nil, err
		}
		if n, err := c.Plans.Seed(ctx, defaults); err != nil {
			return nil, err
		} else if n > 0 {
			p.Log.Info("default emergency plans set up", "plans", n)
		}
	}
	c.Incidents = NewIncidents(p.Store, c.Recorder, c.Plans, c.Desk, c.Inventory, p.Clock)
	if err := c.Incidents.Load(ctx); err != nil {
		return nil, err
	}
	c.Supplies = NewSupplies(p.Store, c.Recorder, c.Desk, c.Inventory, p.Clock)
	if err := c.Supplies.Load(ctx); err != nil {
		return nil, err
	}
	if site := c.Inventory.Site(); site != nil && site.Demo && len(c.Supplies.Points()) == 0 && p.Seeds.DemoSupplies != nil {
		points, err := p.Seeds.DemoSupplies()
		if err != nil {
			return nil, err
		}
		if n, err := c.Supplies.Seed(ctx, points); err != nil {
			return nil, err
		} else if n > 0 {
			p.Log.Info("demo supply points set up", "points", n)
		}
	}
	c.Contacts = NewContactBook(c.Inventory, p.Store, c.Recorder)
	c.Wall = NewWall(p.Store, p.Files.Snapshots, c.Recorder, p.Clock)
	c.Shifts = NewShifts(c.Accounts, c.Desk, c.Incidents, c.Recorder, p.Clock)
	c.Replays = NewReplays(p.Store)
	keys, _ := p.Store.(PersonKeyStore) // the store erases a person by deleting their key
	c.People = NewPeople(c.Inventory, c.Desk, c.Recorder, keys)
	c.Audit = NewAuditTrail(c.Recorder)

	// The device path: the rules, and the devices' states as they were last heard (so that
	// supervision after a restart does not report every device offline).
	now := p.Clock.Now()
	c.Monitor = NewDeviceMonitor(now)
	c.Monitor.SetUnknownLimit(p.Config.Broker.Limits.UnknownDevices())
	states, err := p.Store.DeviceStates(ctx)
	if err != nil {
		return nil, err
	}
	for _, s := range states {
		c.Monitor.Restore(s)
	}
	c.Rules = NewRules(p.Config.Rules, now)
	c.Arming = NewArming(c.Recorder, c.Inventory, p.Clock)
	if err := c.Arming.Load(ctx); err != nil {
		return nil, err
	}
	c.Rules.SetArming(c.Arming)
	c.Shifts.UseArming(c.Arming)
	c.Ingest = NewIngest(c.Inventory, c.Desk, c.Recorder, c.Rules, c.Monitor, p.Clock, p.Log)

	// The analytics path (the cameras' detections), and the drills, which inject through
	// both paths with a Vision of their own (injected detections are marked drill).
	c.Vision = NewVision(c.Inventory, c.Desk, c.Recorder, p.Files.Detections, p.Clock, p.Log, nil)
	c.Vision.SetWarmUp(p.Config.Analytics.WarmUpD())
	drillVision := NewVision(c.Inventory, c.Desk, c.Recorder, p.Files.Detections, p.Clock, p.Log, nil)
	c.Drills = NewDrills(DrillDeps{Recorder: c.Recorder, Inventory: c.Inventory, Plans: c.Plans, Desk: c.Desk,
		Ingest: c.Ingest, Vision: drillVision, Clock: p.Clock, Log: p.Log})
	if err := c.Drills.Load(ctx); err != nil {
		return nil, err
	}
	if p.Seeds.Drills != nil {
		defaults, err := p.Seeds.Drills()
		if err != nil {
			return nil, err
		}
		if n, err := c.Drills.Seed(ctx, defaults); err != nil {
			return nil, err
		} else if n > 0 {
			p.Log.Info("default drill scenarios added", "scenarios", n)
		}
	}

	c.Orders = NewWorkOrders(p.Store, p.Store, c.Recorder, c.Inventory, c.Desk, p.Clock)
	c.Orders.UseCalendar(func() *HolidayCalendar { cal := c.Arming.Calendar(); return &cal })
	if err := c.Orders.Load(ctx); err != nil {
		return nil, err
	}
	c.Photos = p.Files.Photos

	// What names the site's things, said before one is deleted (inventory_impact.go).
	c.Inventory.UsedBy(ImpactSources(c.Desk, c.Incidents, c.Drills, c.Supplies)...)

	c.VideoLoss = NewVideoLoss(c.Desk, c.Inventory, c.Bus, p.Clock, p.Config.Rules.VideoLoss.D(), p.Log)
	c.CameraStatus = NewStatusJournal(c.Recorder, p.Log)
	c.Checkpoints = NewReplayCheckpointer(p.Store, DefaultCheckpoints)

	c.parts = []Part{
		{Name: "camera-status", Label: "Camera states", Runner: c.CameraStatus},
		{Name: "device-supervision", Label: "Device supervision", Runner: c.Ingest},
		{Name: "supplies", Label: "Supply checks", Runner: c.Supplies},
		{Name: "work-orders", Label: "Work orders", Runner: c.Orders.Watch(p.Log)},
		{Name: "video-loss", Label: "Video loss", Runner: c.VideoLoss},
		{Name: "drills", Label: "Drills", Runner: c.Drills},
		{Name: "replay-checkpoints", Label: "Replay checkpoints", Runner: c.Checkpoints},
	}
	if p.Tail > 0 {
		last, err := p.Store.LastSeq(ctx)
		if err != nil {
			return nil, err
		}
		c.Tail = NewTail(c.Recorder, last, p.Tail, p.Log)
		c.parts = append([]Part{{Name: "journal-tail", Label: "Journal", Runner: c.Tail}}, c.parts...)
	}
	return c, nil
}

// loadOrSeedSite reads the site, or sets up the seeded demo community in an empty store.
func (c *Core) loadOrSeedSite(ctx context.Context, seeds Seeds) error {
	err := c.Inventory.Load(ctx)
	if err == nil || !IsCode(err, CodeNotFound) || seeds.DemoSite == nil {
		if IsCode(err, CodeNotFound) {
			return nil // no site yet and nothing to seed: set up later (the console says so)
		}
		return err
	}
	site, err := seeds.DemoSite()
	if err != nil {
		return err
	}
	var accounts []DemoAccount
	if seeds.DemoAccounts != nil {
		if accounts, err = seeds.DemoAccounts(); err != nil {
			return err
		}
	}
	// Only an empty database becomes the demo: one with accounts of its own but no site
	// (a real site's, damaged) must not get the demo's accounts and published password.
	if own, err := c.ownAccounts(ctx, accounts); err != nil {
		return err
	} else if len(own) > 0 {
		c.Log.Error("the database has accounts but no site: the demo is not set up in it", "accounts", own)
		return nil
	}
	if err := SeedDemo(ctx, c.Inventory, c.Accounts, site, accounts); err != nil {
		return err
	}
	c.Log.Info("demo community set up", "site", site.Name, "inventory", site.Counts().String())
	return nil
}

// ownAccounts are the accounts of the store that are not the demo's.
func (c *Core) ownAccounts(ctx context.Context, demo []DemoAccount) ([]string, error) {
	ops, err := c.store.Operators(ctx)
	if err != nil {
		return nil, err
	}
	isDemo := map[string]bool{}
	for _, d := range demo {
		isDemo[d.Username] = true
	}
	var own []string
	for _, op := range ops {
		if !isDemo[op.Username] {
			own = append(own, op.Username)
		}
	}
	return own, nil
}

// UseRecording records video around alarms and drills from the video side's clips; its
// running part joins the core's.
func (c *Core) UseRecording(src ClipSource, cfg RecordingConfig) *Recording {
	c.Recording = NewRecording(RecordingDeps{Source: src, Store: c.store, Recorder: c.Recorder, Inventory: c.Inventory,
		Desk: c.Desk, Incidents: c.Incidents, Health: c.Health, Clock: c.Clock, Log: c.Log}, cfg)
	c.parts = append(c.parts, Part{Name: "recording", Label: "Recording", Runner: c.Recording})
	return c.Recording
}

// Parts are the core's running parts, in the order they start (the supervisor stops them in
// the reverse order).
func (c *Core) Parts() []Part { return append([]Part(nil), c.parts...) }
