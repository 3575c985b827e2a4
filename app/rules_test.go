package app_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// ruleSite has one device of every kind, a registered vehicle and a resident living alone.
func ruleSite() *app.Site {
	s := validSite()
	s.Devices = nil
	add := func(id string, k app.DeviceKind) {
		s.Devices = append(s.Devices, app.Device{ID: id, Kind: k, Names: app.Names{Name: id}, Position: app.Point{X: 20, Y: 20}, GridID: "g1"})
	}
	for _, k := range app.DeviceKinds {
		add(string(k)+"-1", k)
	}
	s.Devices[4].Person = &app.Person{ID: "res-1", Name: "王奶奶", WelfareHours: 12} // the bracelet
	s.Vehicles = []app.Vehicle{{Plate: "京A12345", Owner: "张先生"}}
	return s
}

func reading(dev string, typ app.MessageType, event string, values map[string]any) app.Reading {
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	return app.Reading{DeviceID: dev, Type: typ, Event: event, Time: now, Received: now, Values: values}
}

func TestEachRule(t *testing.T) {
	cases := []struct {
		name  string
		dev   string
		r     app.Reading
		kind  string
		prio  app.Priority
		fault bool
		what  string // the cause's details, in English
	}{
		{"smoke", "smoke-1", reading("smoke-1", app.MsgEvent, "alarm", map[string]any{"smoke": true, "temperature": 61.0}), app.AlarmFire, app.P1, false, "61 °C"},
		{"charger overheat", "charger-1", reading("charger-1", app.MsgEvent, "overheat", map[string]any{"overheat": true}), app.AlarmFire, app.P1, false, ""},
		{"call button", "callbutton-1", reading("callbutton-1", app.MsgEvent, "sos", map[string]any{"pressed": true}), app.AlarmMedical, app.P1, false, ""},
		{"bracelet sos", "bracelet-1", reading("bracelet-1", app.MsgEvent, "sos", map[string]any{"sos": true}), app.AlarmMedical, app.P1, false, ""},
		{"bracelet fall", "bracelet-1", reading("bracelet-1", app.MsgEvent, "fall", map[string]any{"fall": true}), app.AlarmFall, app.P1, false, ""},
		{"door forced", "door-1", reading("door-1", app.MsgEvent, "forced_open", map[string]any{"forced": true}), app.AlarmDoorForced, app.P2, false, ""},
		{"door held", "door-1", reading("door-1", app.MsgEvent, "held_open", map[string]any{"open_seconds": 300.0}), app.AlarmDoorHeld, app.P2, false, ""},
		{"manhole displaced", "manhole-1", reading("manhole-1", app.MsgEvent, "displaced", map[string]any{"displacement": true}), app.AlarmManhole, app.P2, false, ""},
		{"manhole tilt", "manhole-1", reading("manhole-1", app.MsgState, "state", map[string]any{"tilt": 30.0}), app.AlarmManhole, app.P2, false, ""},
		{"manhole water", "manhole-1", reading("manhole-1", app.MsgEvent, "water", map[string]any{"water_level": 45.0}), app.AlarmManholeWater, app.P2, false, "Water 45 cm"},
		{"streetlight", "streetlight-1", reading("streetlight-1", app.MsgEvent, "fault", map[string]any{"fault": "lamp failure"}), app.AlarmStreetlight, app.P3, true, "Fault reported: lamp failure"},
		{"unknown plate", "platecam-1", reading("platecam-1", app.MsgEvent, "plate", map[string]any{"plate": "皖K88888", "direction": "in"}), app.AlarmUnknownVehicle, app.P3, false, "Plate 皖K88888"},
		{"low battery", "smoke-1", reading("smoke-1", app.MsgHeartbeat, "heartbeat", map[string]any{"battery": 12.0}), app.AlarmLowBattery, app.P4, true, "Battery 12%"},
		{"tamper", "smoke-1", reading("smoke-1", app.MsgEvent, "tamper", map[string]any{"tamper": true}), app.AlarmTamper, app.P3, true, ""},
		{"heart rate", "bracelet-1", reading("bracelet-1", app.MsgEvent, "vitals", map[string]any{"heart_rate": 170.0}), app.AlarmVitals, app.P2, false, "Heart rate 170 a minute"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := ruleSite()
			rules := app.NewRules(app.RulesConfig{}, c.r.Time)
			d, _ := s.Device(c.dev)
			got := rules.Evaluate(s, d, &c.r)
			require.Len(t, got, 1, "%+v", got)
			assert.Equal(t, c.kind, got[0].Kind)
			assert.Equal(t, c.prio, got[0].Priority)
			assert.Equal(t, c.fault, got[0].Fault)
			assert.Equal(t, c.dev, got[0].DeviceID)
			assert.Equal(t, "g1", got[0].GridID)
			assert.Empty(t, got[0].Cause, "a cause is facts, not a sentence")
			var details []string
			for _, m := range got[0].CauseDetails(true) {
				details = append(details, m.English())
			}
			assert.Equal(t, c.what, strings.Join(details, ", "))
			if c.dev == "bracelet-1" {
				assert.Equal(t, "王奶奶", got[0].Param(app.ParamPerson), "the resident is kept with the alarm")
			}
			assert.Equal(t, c.r.Received, got[0].RaisedAt, "alarms are timed by when we received them")
			assert.Equal(t, c.r.Time, got[0].DeviceTime, "the device's clock is kept beside ours")
		})
	}
}

func TestOrdinaryReadingsRaiseNothing(t *testing.T) {
	s := ruleSite()
	rules := app.NewRules(app.RulesConfig{}, time.Now())
	for _, r := range []app.Reading{
		reading("smoke-1", app.MsgHeartbeat, "heartbeat", map[string]any{"battery": 80.0}),
		reading("smoke-1", app.MsgState, "state", map[string]any{"smoke": false, "temperature": 22.0}),
		reading("door-1", app.MsgEvent, "entry", map[string]any{"method": "face", "person": "res-9"}),
		reading("door-1", app.MsgEvent, "entry", map[string]any{"open_seconds": 20.0}),
		reading("platecam-1", app.MsgEvent, "plate", map[string]any{"plate": "京A 123-45", "direction": "in"}),
		reading("platecam-1", app.MsgEvent, "plate", map[string]any{"plate": "皖K88888", "direction": "out"}),
		reading("bracelet-1", app.MsgEvent, "vitals", map[string]any{"heart_rate": 72.0}),
		reading("streetlight-1", app.MsgState, "state", map[string]any{"on": true, "fault": false}),
		reading("manhole-1", app.MsgState, "state", map[string]any{"tilt": 3.0, "water_level": 5.0}),
	} {
		d, _ := s.Device(r.DeviceID)
		assert.Empty(t, rules.Evaluate(s, d, &r), "%s %s %v", r.DeviceID, r.Event, r.Values)
	}
}

func TestZombieVehicleAndWelfareCheck(t *testing.T) {
	s := ruleSite()
	start := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	rules := app.NewRules(app.RulesConfig{ZombieDays: 10}, start)
	cam, _ := s.Device("platecam-1")
	in := reading("platecam-1", app.MsgEvent, "plate", map[string]any{"plate": "京A12345", "direction": "in"})
	in.Time, in.Received = start, start
	rules.Evaluate(s, cam, &in)
	rules.Observe(cam, &in) // as Ingest's fold does once the reading is journaled

	assert.Empty(t, rules.Check(s, start.Add(11*time.Hour)))
	got := rules.Check(s, start.Add(12*time.Hour+time.Minute))
	require.Len(t, got, 1, "the resident has not passed a door for 12 h")
	assert.Equal(t, app.AlarmWelfare, got[0].Kind)
	assert.Equal(t, app.P2, got[0].Priority)
	assert.Empty(t, rules.Check(s, start.Add(13*time.Hour)), "raised once")

	door, _ := s.Device("door-1")
	pass := reading("door-1", app.MsgEvent, "entry", map[string]any{"person": "res-1", "method": "face"})
	pass.Time, pass.Received = start.Add(14*time.Hour), start.Add(14*time.Hour)
	rules.Evaluate(s, door, &pass)
	rules.Observe(door, &pass)
	assert.Empty(t, rules.Check(s, start.Add(20*time.Hour)), "seen at a door again")

	got = rules.Check(s, start.Add(10*24*time.Hour+time.Hour))
	kinds := []string{}
	for _, a := range got {
		kinds = append(kinds, a.Kind)
	}
	assert.Contains(t, kinds, app.AlarmZombieVehicle, "in for more than 10 days")
	for _, a := range got {
		if a.Kind == app.AlarmZombieVehicle {
			assert.Equal(t, "Long-parked vehicle: platecam-1 (Plate 京A12345, parked since "+start.Local().Format(time.DateOnly)+")",
				a.Describe(s, true, app.RenderTemplate))
		}
	}
	out := reading("platecam-1", app.MsgEvent, "plate", map[string]any{"plate": "京A12345", "direction": "out"})
	rules.Evaluate(s, cam, &out)
	rules.Observe(cam, &out)
	for _, a := range rules.Check(s, start.Add(30*24*time.Hour)) {
		assert.NotEqual(t, app.AlarmZombieVehicle, a.Kind, "gone")
	}
}

func newIngest(t *testing.T) (*app.Ingest, *app.AlarmDesk, *memStore, *fakeClock) {
	st, clk := newMemStore(), newClock()
	rec := app.NewRecorder(st, app.NewBus())
	inv := app.NewInventory(st, rec)
	require.NoError(t, inv.Seed(context.Background(), ruleSite()))
	desk := app.NewAlarmDesk(rec, st, clk)
	in := app.NewIngest(inv, desk, rec, app.NewRules(app.RulesConfig{FloodWindow: app.Duration(time.Minute)}, clk.Now()),
		app.NewDeviceMonitor(clk.Now()), clk, slog.New(slog.DiscardHandler))
	return in, desk, st, clk
}

func TestFloodControlFoldsRepeats(t *testing.T) {
	ctx := context.Background()
	in, desk, st, clk := newIngest(t)
	for i := 0; i < 20; i++ {
		r := reading("smoke-1", app.MsgEvent, "alarm", map[string]any{"smoke": true})
		r.Time, r.Received = clk.Now(), clk.Now()
		require.NoError(t, in.Handle(ctx, r, "t"))
		clk.Add(2 * time.Second)
	}
	open := desk.Open()
	require.Len(t, open, 1, "twenty repeats within the window are one alarm")
	assert.Equal(t, 19, open[0].Repeats)
	readings := 0
	for _, e := range st.entries {
		if e.Kind == app.KindDeviceReading {
			readings++
		}
	}
	assert.Equal(t, 20, readings, "every message is journaled")

	clk.Add(5 * time.Minute) // past the flood window: news again
	r := reading("smoke-1", app.MsgEvent, "alarm", map[string]any{"smoke": true})
	r.Time, r.Received = clk.Now(), clk.Now()
	require.NoError(t, in.Handle(ctx, r, "t"))
	assert.Len(t, desk.Open(), 2)
}

func TestSupervisionAndLastWill(t *testing.T) {
	ctx := context.Background()
	in, desk, _, clk := newIngest(t)
	hb := func(dev string) {
		r := reading(dev, app.MsgHeartbeat, "heartbeat", nil)
		r.Time, r.Received = clk.Now(), clk.Now()
		require.NoError(t, in.Handle(ctx, r, "t"))
	}
	for _, d := range ruleSite().Devices {
		hb(d.ID)
	}
	clk.Add(9 * time.Minute)
	hb("door-1")
	hb("platecam-1")
	in.SuperviseOnce(ctx, false)
	assert.Empty(t, desk.Open(), "nothing is overdue yet")

	clk.Add(2 * time.Minute) // streetlight window: 10 min
	in.SuperviseOnce(ctx, false)
	offline := map[string]bool{}
	for _, a := range desk.Open() {
		assert.Equal(t, app.AlarmOffline, a.Kind)
		assert.True(t, a.Fault)
		offline[a.DeviceID] = true
	}
	assert.True(t, offline["streetlight-1"])
	assert.False(t, offline["door-1"], "the door spoke 2 minutes ago (window 5 min)")
	assert.False(t, offline["smoke-1"], "smoke detectors have an hour")
	n := len(desk.Open())
	in.SuperviseOnce(ctx, false)
	assert.Len(t, desk.Open(), n, "reported once")

	hb("streetlight-1")
	for _, a := range desk.Open() {
		assert.NotEqual(t, "streetlight-1", a.DeviceID, "the fault cleared itself when the device came back")
	}

	will := reading("callbutton-1", app.MsgStatus, "offline", map[string]any{"status": "offline"})
	will.Time, will.Received = clk.Now(), clk.Now()
	require.NoError(t, in.Handle(ctx, will, "t"))
	found := false
	for _, a := range desk.Open() {
		found = found || (a.DeviceID == "callbutton-1" && a.Kind == app.AlarmOffline)
	}
	assert.True(t, found, "the Last Will raises the offline fault at once")
	online := reading("callbutton-1", app.MsgStatus, "online", map[string]any{"status": "online"})
	online.Time, online.Received = clk.Now(), clk.Now()
	require.NoError(t, in.Handle(ctx, online, "t"))
	for _, a := range desk.Open() {
		assert.NotEqual(t, "callbutton-1", a.DeviceID)
	}
}

func TestUnregisteredDevicesAreKept(t *testing.T) {
	ctx := context.Background()
	in, desk, st, clk := newIngest(t)
	r := reading("smoke-99", app.MsgEvent, "alarm", map[string]any{"smoke": true, "vendor_code": "X1"})
	r.Time, r.Received = clk.Now(), clk.Now()
	require.NoError(t, in.Handle(ctx, r, "watchpost/demo/smoke-99/event"))
	require.NoError(t, in.Handle(ctx, r, "watchpost/demo/smoke-99/event"))
	u := in.Monitor().UnregisteredDevices()
	require.Len(t, u, 1)
	assert.Equal(t, int64(2), u[0].Messages)
	assert.Contains(t, u[0].Fields, "vendor_code")
	assert.Empty(t, desk.Open(), "no alarm from a device nobody placed")
	kinds := map[app.EntryKind]int{}
	for _, e := range st.entries {
		kinds[e.Kind]++
	}
	assert.Equal(t, 2, kinds[app.KindDeviceReading], "not dropped: journaled")
	assert.Equal(t, 1, kinds[app.KindDeviceUnregistered])
}

// The live device states are the fold of the device entries, whoever journaled them: a
// reading, an offline and an online entry that another process wrote (published here as
// the Tail publishes what it reads) move the device as the console's own would; an injected
// drill reading and an unregistered device's do not.
func TestDeviceStatesFollowEntriesWrittenElsewhere(t *testing.T) {
	st, clk := newMemStore(), newClock()
	bus := app.NewBus()
	rec := app.NewRecorder(st, bus)
	inv := app.NewInventory(st, rec)
	require.NoError(t, inv.Seed(context.Background(), ruleSite()))
	in := app.NewIngest(inv, app.NewAlarmDesk(rec, st, clk), rec, app.NewRules(app.RulesConfig{}, clk.Now()),
		app.NewDeviceMonitor(clk.Now()), clk, slog.New(slog.DiscardHandler))
	entry := func(seq int64, kind app.EntryKind, id string, data any, drill bool) app.Entry {
		e := app.NewEntry(kind, app.SubjectDevice(id), app.SystemActor, data)
		e.Seq, e.Time, e.Drill = seq, clk.Now(), drill
		return e
	}
	r := reading("smoke-1", app.MsgHeartbeat, "", map[string]any{"battery": 71.0})
	r.Time, r.Received = clk.Now(), clk.Now()
	bus.Publish(entry(101, app.KindDeviceReading, "smoke-1", r, false))
	state, known := in.Monitor().State("smoke-1")
	require.True(t, known, "a reading journaled elsewhere reaches the device's state")
	assert.True(t, state.Online)
	require.NotNil(t, state.Battery)
	assert.Equal(t, 71.0, *state.Battery)

	bus.Publish(entry(102, app.KindDeviceOffline, "smoke-1", map[string]string{"device": "smoke-1", "reason": "silent"}, false))
	state, _ = in.Monitor().State("smoke-1")
	assert.False(t, state.Online, "an offline entry written elsewhere")

	drill := r
	drill.Values = map[string]any{"battery": 5.0}
	bus.Publish(entry(103, app.KindDeviceReading, "smoke-1", drill, true))
	state, _ = in.Monitor().State("smoke-1")
	assert.False(t, state.Online, "a drill's injected reading is not the device speaking")
	assert.Equal(t, 71.0, *state.Battery)

	bus.Publish(entry(104, app.KindDeviceOnline, "smoke-1", map[string]string{"device": "smoke-1"}, false))
	state, _ = in.Monitor().State("smoke-1")
	assert.True(t, state.Online)

	ghost := reading("ghost-9", app.MsgHeartbeat, "", nil)
	bus.Publish(entry(105, app.KindDeviceReading, "ghost-9", ghost, false))
	_, known = in.Monitor().State("ghost-9")
	assert.False(t, known, "an unregistered device has no state among the site's")
}

// The rules' memory (which vehicles are in, who passed a door) is the fold of the readings
// too: a plate reading another process journaled makes a long-parked vehicle here.
func TestRulesRememberReadingsWrittenElsewhere(t *testing.T) {
	st, clk := newMemStore(), newClock()
	bus := app.NewBus()
	rec := app.NewRecorder(st, bus)
	inv := app.NewInventory(st, rec)
	site := ruleSite()
	require.NoError(t, inv.Seed(context.Background(), site))
	rules := app.NewRules(app.RulesConfig{ZombieDays: 10}, clk.Now())
	app.NewIngest(inv, app.NewAlarmDesk(rec, st, clk), rec, rules, app.NewDeviceMonitor(clk.Now()), clk, slog.New(slog.DiscardHandler))
	in := reading("platecam-1", app.MsgEvent, "plate", map[string]any{"plate": "京A12345", "direction": "in"})
	in.Time, in.Received = clk.Now(), clk.Now()
	e := app.NewEntry(app.KindDeviceReading, app.SubjectDevice("platecam-1"), app.SystemActor, in)
	e.Seq, e.Time = 7, clk.Now()
	bus.Publish(e)
	var kinds []string
	for _, a := range rules.Check(site, clk.Now().Add(11*24*time.Hour)) {
		kinds = append(kinds, a.Kind)
	}
	assert.Contains(t, kinds, app.AlarmZombieVehicle, "the vehicle another process saw come in is remembered")
}
