package devices

// The device simulator is a runner, like every long-running part of Watchpost (DESIGN.md):
// NewSim checks its configuration and starts nothing; Run connects every simulated device
// and runs their traffic until its context ends, then disconnects them cleanly (no Last
// Will) and returns once its goroutines have ended. One supervisor runs every part the same
// way, restarts a failed one with one backoff policy and stops them in the reverse order of
// their start (the simulator before the broker it publishes to). Play works while Run runs.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/url"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"watchpost/app"
)

// SimConfig configures the device simulator.
type SimConfig struct {
	Broker string // tcp://127.0.0.1:1883
	// DevicePassword, when set, is each device's own password: every device connects under
	// its own account (user name and client ID its ID), as real devices do. Otherwise all
	// connect under Username and Password, each with the client ID sim-<ID> (a gateway on
	// the console/tool account).
	DevicePassword func(deviceID string) string
	Username       string
	Password       string
	Site           string
	Devices        []app.Device
	Heartbeat      time.Duration // each device's heartbeat interval (default 60s, with jitter)
	Activity       float64       // everyday events per device per hour (door entries, plates…); default 6
	// Faults is how many device faults an hour the whole site has, at random moments: a
	// streetlight failing (repaired after FaultRepair, as the repair crew would) or a
	// battery running low, which the console turns into work orders. 0: none.
	Faults float64
	Log    *slog.Logger
}

// FaultRepair is how long a streetlight failed by the simulator's faults stays failed.
var FaultRepair = 30 * time.Minute

// Sim publishes realistic traffic for a site's devices, each device its own MQTT client
// with a Last Will, exactly as the contract in docs/devices.md says: status online
// (retained), state (retained), heartbeats, everyday events (people passing doors,
// vehicles at the gates, bracelets' vital signs), and on demand named scenarios.
type Sim struct {
	cfg  SimConfig
	host string                // the broker's host:port
	devs map[string]*simDevice // fixed by NewSim

	mu      sync.Mutex
	rng     *rand.Rand
	active  bool           // a Run is in progress
	running bool           // its devices are connected and their traffic runs: Play works
	plays   sync.WaitGroup // the Plays in progress (Run waits for them before disconnecting)
	ready   chan struct{}  // closed the first time every device is connected
	once    sync.Once
}

type simDevice struct {
	dev      app.Device
	seq      atomic.Uint64 // the device's count of its messages ("seq"), as a real device keeps it
	boot     string        // its run ("boot"): new when it starts, and when its power comes back
	mu       sync.Mutex
	client   paho.Client
	conn     net.Conn  // to drop the connection without a DISCONNECT (the Last Will fires)
	downTill time.Time // the "offline" scenario keeps the device away until then
	cut      bool      // its connection was cut by the "offline" scenario
	failed   time.Time // a streetlight failed until then (its fault is cleared then)
}

func (sd *simDevice) mqtt() paho.Client {
	sd.mu.Lock()
	defer sd.mu.Unlock()
	return sd.client
}

// OfflineFor is how long the "offline" scenario keeps its device away.
var OfflineFor = 8 * time.Second

// Scenarios are the named situations the simulator can play.
var Scenarios = []string{"fire", "fall", "forced_door", "flood", "sos", "offline", "unknown_vehicle", "streetlight_fault", "low_battery"}

// ErrSimNotRunning matches (errors.Is) Play's answer while the simulator's devices are not
// connected: app's errors match by code and message, and Play returns a fresh one each time
// so that nobody's Wrap changes this one. It is one of app's errors, so that the
// console's Simulate menu says it in the operator's language: the devices connect in the
// first seconds of a Run, and again after the supervisor restarts it.
var ErrSimNotRunning = errSimNotRunning()

func errSimNotRunning() *app.Error {
	return app.Errorf(app.CodeUnavailable, "The device simulator is not running yet: its devices are connecting")
}

// NewSim checks the configuration; Run connects the devices.
func NewSim(cfg SimConfig) (*Sim, error) {
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = time.Minute
	}
	if cfg.Activity <= 0 {
		cfg.Activity = 6
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	u, err := url.Parse(cfg.Broker)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("device simulator: the broker address %q cannot be read (tcp://host:port)", cfg.Broker)
	}
	if cfg.Site == "" {
		return nil, errors.New("device simulator: no site")
	}
	s := &Sim{cfg: cfg, host: u.Host, devs: map[string]*simDevice{}, ready: make(chan struct{}),
		rng: rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))}
	for _, d := range cfg.Devices {
		if _, dup := s.devs[d.ID]; dup || d.ID == "" {
			return nil, fmt.Errorf("device simulator: device ID %q is empty or given twice", d.ID)
		}
		s.devs[d.ID] = &simDevice{dev: d, boot: newBoot()}
	}
	return s, nil
}

// Ready is closed the first time every device is connected (Play works from then on, while
// Run runs).
func (s *Sim) Ready() <-chan struct{} { return s.ready }

// Run connects every device, then runs their traffic until ctx ends; then it disconnects
// them cleanly and returns nil. A device that cannot connect makes it disconnect the others
// and return the error.
func (s *Sim) Run(ctx context.Context) error {
	s.mu.Lock()
	if s.active {
		s.mu.Unlock()
		return errors.New("device simulator: running already")
	}
	s.active = true
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.active = false
		s.mu.Unlock()
	}()
	defer s.disconnectAll()

	ids := make([]string, 0, len(s.devs))
	for id := range s.devs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		sd := s.devs[id]
		sd.mu.Lock()
		sd.cut, sd.downTill = false, time.Time{}
		sd.mu.Unlock()
		if err := s.connect(ctx, sd); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
	}
	var traffic sync.WaitGroup
	for _, id := range ids {
		traffic.Add(1)
		go func(sd *simDevice) {
			defer traffic.Done()
			s.live(ctx, sd)
		}(s.devs[id])
	}
	if s.cfg.Faults > 0 {
		traffic.Add(1)
		go func() {
			defer traffic.Done()
			s.faults(ctx)
		}()
	}
	s.mu.Lock()
	s.running = true
	s.mu.Unlock()
	s.once.Do(func() { close(s.ready) })

	<-ctx.Done()
	s.mu.Lock()
	s.running = false
	s.mu.Unlock()
	s.plays.Wait()
	traffic.Wait()
	return nil
}

// disconnectAll disconnects every device that has a client, all at once, and waits.
func (s *Sim) disconnectAll() {
	var wg sync.WaitGroup
	for _, sd := range s.devs {
		sd.mu.Lock()
		c := sd.client
		sd.client, sd.conn = nil, nil
		sd.mu.Unlock()
		if c != nil {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c.Disconnect(250) // a DISCONNECT: the broker drops the Last Will
			}()
		}
	}
	wg.Wait()
}

func (s *Sim) topic(d app.Device, typ app.MessageType) string {
	return fmt.Sprintf("%s/%s/%s/%s", TopicRoot, s.cfg.Site, d.ID, typ)
}

// connect gives the device a new MQTT client and waits until the broker accepts it (or
// ctx ends).
func (s *Sim) connect(ctx context.Context, sd *simDevice) error {
	clientID, user, password := "sim-"+sd.dev.ID, s.cfg.Username, s.cfg.Password
	if s.cfg.DevicePassword != nil {
		clientID, user, password = sd.dev.ID, sd.dev.ID, s.cfg.DevicePassword(sd.dev.ID)
	}
	opts := paho.NewClientOptions().
		AddBroker(s.cfg.Broker).
		SetClientID(clientID).
		SetUsername(user).
		SetPassword(password).
		SetCleanSession(false).
		SetAutoReconnect(true).
		SetConnectRetry(true).
		SetConnectRetryInterval(500*time.Millisecond).
		SetMaxReconnectInterval(2*time.Second).
		SetWill(s.topic(sd.dev, app.MsgStatus), "offline", 1, true).
		SetOnConnectHandler(func(c paho.Client) {
			c.Publish(s.topic(sd.dev, app.MsgStatus), 1, true, "online")
		}).
		SetCustomOpenConnectionFn(func(_ *url.URL, _ paho.ClientOptions) (net.Conn, error) {
			conn, err := net.DialTimeout("tcp", s.host, 5*time.Second)
			if err == nil {
				sd.mu.Lock()
				sd.conn = conn
				sd.mu.Unlock()
			}
			return conn, err
		})
	c := paho.NewClient(opts)
	sd.mu.Lock()
	sd.client = c
	sd.mu.Unlock()
	tok := c.Connect()
	wait := time.NewTimer(10 * time.Second)
	defer wait.Stop()
	select {
	case <-tok.Done():
		if tok.Error() != nil {
			return fmt.Errorf("simulated device %s: %w", sd.dev.ID, tok.Error())
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-wait.C:
		return fmt.Errorf("simulated device %s: the broker %s does not answer", sd.dev.ID, s.cfg.Broker)
	}
}

// send publishes one message at QoS 1 without waiting: while the device is disconnected,
// paho keeps it and sends it again after reconnecting, as a real device's queue would.
func (s *Sim) send(sd *simDevice, typ app.MessageType, event string, fields map[string]any) {
	sd.mu.Lock()
	cut := sd.cut
	sd.mu.Unlock()
	if cut {
		return // without power the device says nothing (nor counts)
	}
	sd.mqtt().Publish(s.topic(sd.dev, typ), 1, typ == app.MsgState, s.payload(sd, event, fields))
}

// newBoot names a run of a simulated device: its start time, and a random part so that
// devices started in the same millisecond differ.
func newBoot() string {
	return strconv.FormatInt(time.Now().UnixMilli(), 36) + "-" + strconv.FormatUint(rand.Uint64()%1296, 36)
}

// payload numbers each message of the device ("seq", from 1 in each run "boot"), so that
// the console finds a lost message and journals a redelivered one once.
func (s *Sim) payload(sd *simDevice, event string, fields map[string]any) []byte {
	sd.mu.Lock()
	boot := sd.boot
	sd.mu.Unlock()
	msg := map[string]any{"type": event, "ts": time.Now().UTC().Format(time.RFC3339Nano), "seq": sd.seq.Add(1), "boot": boot}
	for k, v := range fields {
		msg[k] = v
	}
	b, _ := json.Marshal(msg)
	return b
}

// publish sends one message at QoS 1 and waits for the broker's acknowledgement.
func (s *Sim) publish(sd *simDevice, typ app.MessageType, event string, fields map[string]any) error {
	tok := sd.mqtt().Publish(s.topic(sd.dev, typ), 1, typ == app.MsgState, s.payload(sd, event, fields))
	if !tok.WaitTimeout(30 * time.Second) {
		return fmt.Errorf("no acknowledgement from the broker")
	}
	return tok.Error()
}

// live is one device's everyday life, until ctx ends.
func (s *Sim) live(ctx context.Context, sd *simDevice) {
	s.mu.Lock()
	seed := s.rng.Uint64()
	s.mu.Unlock()
	rng := rand.New(rand.NewPCG(seed, 1))
	s.send(sd, app.MsgState, "state", s.state(sd.dev, rng))
	hb := time.NewTimer(time.Duration(rng.Float64() * float64(s.cfg.Heartbeat)))
	mean := time.Duration(float64(time.Hour) / s.cfg.Activity)
	act := time.NewTimer(time.Duration(rng.ExpFloat64() * float64(mean)))
	check := time.NewTicker(time.Second)
	defer hb.Stop()
	defer act.Stop()
	defer check.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-check.C:
			sd.mu.Lock()
			revive := sd.cut && !time.Now().Before(sd.downTill)
			if revive {
				sd.cut = false
				sd.boot = newBoot() // power is back: the device starts again, and counts from 1
				sd.seq.Store(0)
			}
			old := sd.client
			sd.mu.Unlock()
			if revive {
				// Power is back: a new connection (the old client's socket is gone).
				old.Disconnect(0)
				if err := s.connect(ctx, sd); err != nil && ctx.Err() == nil {
					s.cfg.Log.Warn("simulated device cannot reconnect", "device", sd.dev.ID, "err", err)
					sd.mu.Lock()
					sd.cut, sd.downTill = true, time.Now().Add(time.Second)
					sd.mu.Unlock()
				}
			}
		case <-hb.C:
			s.send(sd, app.MsgHeartbeat, "heartbeat", s.heartbeat(sd.dev, rng))
			hb.Reset(jitter(s.cfg.Heartbeat, rng))
		case <-act.C:
			if typ, ev, f := s.everyday(sd.dev, rng); ev != "" {
				s.send(sd, typ, ev, f)
			}
			act.Reset(time.Duration(rng.ExpFloat64() * float64(mean)))
		}
	}
}

func jitter(d time.Duration, rng *rand.Rand) time.Duration {
	return time.Duration(float64(d) * (0.9 + 0.2*rng.Float64()))
}

func (s *Sim) state(d app.Device, rng *rand.Rand) map[string]any {
	switch d.Kind {
	case app.KindSmoke:
		return map[string]any{"smoke": false, "temperature": 20 + rng.Float64()*6, "battery": 60 + rng.Float64()*40, "tamper": false}
	case app.KindManhole:
		return map[string]any{"tilt": rng.Float64() * 2, "displacement": false, "water_level": rng.Float64() * 5, "battery": 70 + rng.Float64()*30}
	case app.KindStreetlight:
		h := time.Now().Hour()
		return map[string]any{"on": h >= 18 || h < 6, "fault": false, "power": 60 + rng.Float64()*20}
	case app.KindCallButton:
		return map[string]any{"pressed": false, "battery": 70 + rng.Float64()*30}
	case app.KindBracelet:
		return map[string]any{"sos": false, "fall": false, "heart_rate": 62 + rng.Float64()*25, "battery": 40 + rng.Float64()*60}
	case app.KindDoor:
		return map[string]any{"held_open": false}
	case app.KindCharger:
		return map[string]any{"overheat": false, "smoke": false, "temperature": 25 + rng.Float64()*10, "power": rng.Float64() * 800}
	}
	return map[string]any{}
}

func (s *Sim) heartbeat(d app.Device, rng *rand.Rand) map[string]any {
	switch d.Kind {
	case app.KindSmoke, app.KindManhole, app.KindCallButton:
		return map[string]any{"battery": 60 + rng.Float64()*40}
	case app.KindBracelet:
		return map[string]any{"heart_rate": 62 + rng.Float64()*25, "battery": 40 + rng.Float64()*60}
	}
	return map[string]any{}
}

var demoPlates = []string{"京AD29772", "沪H61750", "粤Q95319", "苏B33821", "浙C70612"}

// everyday returns an ordinary event of the device's kind ("" for none).
func (s *Sim) everyday(d app.Device, rng *rand.Rand) (app.MessageType, string, map[string]any) {
	switch d.Kind {
	case app.KindDoor:
		person := fmt.Sprintf("res-%04d", rng.IntN(800))
		if rng.IntN(3) == 0 {
			if res := s.residentNear(d); res != "" {
				person = res
			}
		}
		method := []string{"face", "card", "qr"}[rng.IntN(3)]
		return app.MsgEvent, "entry", map[string]any{"method": method, "person": person}
	case app.KindPlateCamera:
		plate := demoPlates[rng.IntN(len(demoPlates))]
		if rng.IntN(10) == 0 {
			plate = fmt.Sprintf("皖K%05d", rng.IntN(100000)) // a visitor: not registered
		}
		dir := []string{"in", "out"}[rng.IntN(2)]
		return app.MsgEvent, "plate", map[string]any{"plate": plate, "direction": dir, "lane": 1 + rng.IntN(2), "confidence": 0.9 + rng.Float64()*0.1}
	case app.KindBracelet:
		return app.MsgEvent, "vitals", map[string]any{"heart_rate": 60 + rng.Float64()*30}
	case app.KindCharger:
		return app.MsgState, "state", map[string]any{"overheat": false, "smoke": false, "temperature": 25 + rng.Float64()*15, "power": rng.Float64() * 900}
	}
	return "", "", nil
}

// residentNear returns the ID of a resident living in the door's building, if any.
func (s *Sim) residentNear(door app.Device) string {
	for _, sd := range s.devs {
		if p := sd.dev.Person; p != nil && p.ID != "" && sd.dev.BuildingID == door.BuildingID {
			return p.ID
		}
	}
	return ""
}

// Play runs a named scenario (see Scenarios) and returns what it did, in words. It works
// while Run runs, once the devices are connected (Ready); otherwise it returns
// ErrSimNotRunning.
func (s *Sim) Play(name string) (string, error) {
	s.mu.Lock()
	if !s.running {
		s.mu.Unlock()
		return "", errSimNotRunning()
	}
	s.plays.Add(1)
	s.mu.Unlock()
	defer s.plays.Done()
	return s.play(name)
}

func (s *Sim) play(name string) (string, error) {
	pick := func(kind app.DeviceKind) *simDevice {
		var ids []string
		for id, sd := range s.devs {
			if sd.dev.Kind == kind {
				ids = append(ids, id)
			}
		}
		if len(ids) == 0 {
			return nil
		}
		sort.Strings(ids)
		s.mu.Lock()
		id := ids[s.rng.IntN(len(ids))]
		s.mu.Unlock()
		return s.devs[id]
	}
	need := func(kind app.DeviceKind) (*simDevice, error) {
		sd := pick(kind)
		if sd == nil {
			return nil, fmt.Errorf("the site has no %s to play %q", kind.Label(), name)
		}
		return sd, nil
	}
	switch name {
	case "fire":
		sd, err := need(app.KindSmoke)
		if err != nil {
			return "", err
		}
		for i := 0; i < 3; i++ {
			if err := s.publish(sd, app.MsgEvent, "alarm", map[string]any{"smoke": true, "temperature": 58 + float64(i)*6}); err != nil {
				return "", err
			}
		}
		return "smoke at " + sd.dev.ID + " (" + sd.dev.Location + ")", nil
	case "fall":
		sd, err := need(app.KindBracelet)
		if err != nil {
			return "", err
		}
		return "fall of the resident wearing " + sd.dev.ID, s.publish(sd, app.MsgEvent, "fall", map[string]any{"fall": true, "heart_rate": 112})
	case "sos":
		sd, err := need(app.KindCallButton)
		if err != nil {
			return "", err
		}
		return "emergency call button " + sd.dev.ID + " pressed", s.publish(sd, app.MsgEvent, "sos", map[string]any{"pressed": true})
	case "forced_door":
		sd, err := need(app.KindDoor)
		if err != nil {
			return "", err
		}
		return "door " + sd.dev.ID + " forced open", s.publish(sd, app.MsgEvent, "forced_open", map[string]any{"forced": true})
	case "flood":
		sd, err := need(app.KindManhole)
		if err != nil {
			return "", err
		}
		return "water rising in manhole " + sd.dev.ID, s.publish(sd, app.MsgEvent, "water", map[string]any{"water_level": 46.0})
	case "unknown_vehicle":
		sd, err := need(app.KindPlateCamera)
		if err != nil {
			return "", err
		}
		return "unregistered vehicle at " + sd.dev.ID, s.publish(sd, app.MsgEvent, "plate", map[string]any{"plate": "皖K88888", "direction": "in", "lane": 1})
	case "streetlight_fault":
		sd, err := need(app.KindStreetlight)
		if err != nil {
			return "", err
		}
		return "streetlight " + sd.dev.ID + " failed", s.failLight(sd)
	case "low_battery":
		sd := s.pickBattery(func(n int) int { s.mu.Lock(); defer s.mu.Unlock(); return s.rng.IntN(n) })
		if sd == nil {
			return "", fmt.Errorf("the site has no battery-powered device to play %q", name)
		}
		s.mu.Lock()
		percent := 8 + 10*s.rng.Float64()
		s.mu.Unlock()
		return "battery of " + sd.dev.ID + " running low", s.lowBattery(sd, percent)
	case "offline":
		sd, err := need(app.KindStreetlight)
		if err != nil {
			return "", err
		}
		// Drop the connection without a DISCONNECT: the broker publishes the Last Will. The
		// device stays away for a while, then comes back and says so.
		sd.mu.Lock()
		conn := sd.conn
		sd.downTill, sd.cut = time.Now().Add(OfflineFor), true
		sd.mu.Unlock()
		if conn != nil {
			conn.Close()
		}
		return "streetlight " + sd.dev.ID + " lost power (back in " + OfflineFor.String() + ")", nil
	}
	return "", fmt.Errorf("unknown scenario %q (one of %v)", name, Scenarios)
}

// faults fails a device now and then (SimConfig.Faults an hour across the site): a
// streetlight, repaired after FaultRepair, or a battery running low; until ctx ends.
func (s *Sim) faults(ctx context.Context) {
	s.mu.Lock()
	rng := rand.New(rand.NewPCG(s.rng.Uint64(), 2))
	s.mu.Unlock()
	mean := time.Duration(float64(time.Hour) / s.cfg.Faults)
	next := time.NewTimer(time.Duration(rng.ExpFloat64() * float64(mean)))
	repairs := time.NewTicker(time.Second)
	defer next.Stop()
	defer repairs.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-repairs.C:
			s.repairLights()
		case <-next.C:
			var err error
			var what string
			if rng.IntN(2) == 0 {
				if sd := s.pickKind(app.KindStreetlight, rng.IntN); sd != nil {
					what, err = sd.dev.ID, s.failLight(sd)
				}
			} else if sd := s.pickBattery(rng.IntN); sd != nil {
				what, err = sd.dev.ID, s.lowBattery(sd, 8+rng.Float64()*10)
			}
			if err != nil {
				s.cfg.Log.Warn("simulated device fault not sent", "device", what, "err", err)
			} else if what != "" {
				s.cfg.Log.Info("simulated device fault", "device", what)
			}
			next.Reset(time.Duration(rng.ExpFloat64() * float64(mean)))
		}
	}
}

// pickKind picks a device of kind (nil: none), with intn choosing.
func (s *Sim) pickKind(kind app.DeviceKind, intn func(int) int) *simDevice {
	return s.pickWhere(func(d app.Device) bool { return d.Kind == kind }, intn)
}

// pickBattery picks a device that runs on a battery and reports it.
func (s *Sim) pickBattery(intn func(int) int) *simDevice {
	return s.pickWhere(func(d app.Device) bool {
		switch d.Kind {
		case app.KindSmoke, app.KindManhole, app.KindCallButton, app.KindBracelet:
			return true
		}
		return false
	}, intn)
}

func (s *Sim) pickWhere(ok func(app.Device) bool, intn func(int) int) *simDevice {
	var ids []string
	for id, sd := range s.devs {
		if ok(sd.dev) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	sort.Strings(ids)
	return s.devs[ids[intn(len(ids))]]
}

// failLight reports a streetlight's lamp failed (its retained state), until FaultRepair.
func (s *Sim) failLight(sd *simDevice) error {
	sd.mu.Lock()
	sd.failed = time.Now().Add(FaultRepair)
	sd.mu.Unlock()
	return s.publish(sd, app.MsgState, "state", map[string]any{"on": false, "fault": "lamp_failure", "power": 0.0})
}

// repairLights reports the failed streetlights whose repair time has come working again.
func (s *Sim) repairLights() {
	now := time.Now()
	for _, sd := range s.devs {
		sd.mu.Lock()
		due := !sd.failed.IsZero() && !now.Before(sd.failed)
		if due {
			sd.failed = time.Time{}
		}
		sd.mu.Unlock()
		if due {
			h := now.Hour()
			s.send(sd, app.MsgState, "state", map[string]any{"on": h >= 18 || h < 6, "fault": false, "power": 70.0})
		}
	}
}

// lowBattery sends a heartbeat with the battery nearly empty (percent).
func (s *Sim) lowBattery(sd *simDevice, percent float64) error {
	return s.publish(sd, app.MsgHeartbeat, "heartbeat", map[string]any{"battery": percent})
}
