package devices_test

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/assets"
	"watchpost/devices"
	"watchpost/store"
)

// numbered is a heartbeat of the contract with the device's count and run.
func numbered(seq int, boot string) string {
	b := ""
	if boot != "" {
		b = fmt.Sprintf(`,"boot":%q`, boot)
	}
	return fmt.Sprintf(`{"type":"heartbeat","ts":1764293400%03d,"battery":90,"seq":%d%s}`, seq%1000, seq, b)
}

// deliver decodes a message as the broker's hook does and hands it to the ingest, received at at.
func (e *engine) deliver(t *testing.T, device, payload string, at time.Time) {
	t.Helper()
	topic := "watchpost/demo/" + device + "/heartbeat"
	r, err := devices.Decode(topic, []byte(payload), e.kindOf(device), at)
	require.NoError(t, err)
	require.NoError(t, e.ingest.Handle(context.Background(), r, topic))
}

// seqsOf counts each number among a device's journaled readings.
func (e *engine) seqsOf(t *testing.T, device string) map[uint64]int {
	t.Helper()
	es, err := e.store.Query(context.Background(), app.JournalQuery{Subject: app.SubjectDevice(device), Kinds: []app.EntryKind{app.KindDeviceReading}})
	require.NoError(t, err)
	out := map[uint64]int{}
	for _, en := range es {
		var r app.Reading
		require.NoError(t, en.Decode(&r))
		out[r.Seq]++
	}
	return out
}

func (e *engine) gaps(t *testing.T) []app.SeqGap {
	t.Helper()
	var out []app.SeqGap
	for _, en := range e.journal(t, app.KindDeviceGap) {
		var g app.SeqGap
		require.NoError(t, en.Decode(&g))
		out = append(out, g)
	}
	return out
}

// A message delivered twice (a QoS 1 resend after a lost PUBACK, a site broker's
// redelivery after the console restarted) is journaled once; a different message under an
// old number (a device that restarted without a run ID) is journaled all the same.
func TestARedeliveredMessageIsJournaledOnceAlsoAfterARestart(t *testing.T) {
	e := newEngine(t)
	const id = "smoke-b03-u2-12"
	at := time.Now()
	for i := 1; i <= 3; i++ {
		e.deliver(t, id, numbered(i, "r1"), at)
	}
	e.deliver(t, id, numbered(2, "r1"), at.Add(time.Second))
	assert.Equal(t, map[uint64]int{1: 1, 2: 1, 3: 1}, e.seqsOf(t, id), "the redelivered 2 is acknowledged, not journaled again")

	// The console restarts on the same database: the broker delivers again what it had
	// sent before the console went (journaled, not acknowledged).
	again := engineOn(t, e.store, demoSite)
	again.deliver(t, id, numbered(3, "r1"), at.Add(time.Minute))
	again.deliver(t, id, numbered(4, "r1"), at.Add(time.Minute))
	assert.Equal(t, map[uint64]int{1: 1, 2: 1, 3: 1, 4: 1}, again.seqsOf(t, id), "3 again after the restart is known; 4 is new")

	// Without a run ID, a device that restarted counts from 1 again: its new 1 and 2 say
	// something else than the old ones, and are journaled.
	const light = "light-04"
	for i := 1; i <= 3; i++ {
		again.deliver(t, light, numbered(i, ""), at)
	}
	again.deliver(t, light, strings.Replace(numbered(1, ""), `"battery":90`, `"battery":89`, 1), at.Add(time.Hour))
	again.deliver(t, light, strings.Replace(numbered(2, ""), `"battery":90`, `"battery":89`, 1), at.Add(time.Hour))
	assert.Equal(t, map[uint64]int{1: 2, 2: 2, 3: 1}, again.seqsOf(t, light))
	assert.Empty(t, again.gaps(t), "a restart is not a gap")
}

// Numbers that never arrive are a gap once they are late past the grace (messages may
// arrive out of order by a few): journaled, counted on the device, and still counted after
// a restart. One that arrives late within the grace is no gap.
func TestAGapIsJournaledAndCountedOnTheDevice(t *testing.T) {
	e := newEngine(t)
	const id = "smoke-b03-u2-12"
	t0 := time.Now()
	for _, seq := range []int{1, 2, 6} {
		e.deliver(t, id, numbered(seq, "r1"), t0)
	}
	e.deliver(t, id, numbered(3, "r1"), t0.Add(time.Second)) // late, not lost
	assert.Empty(t, e.gaps(t), "not yet: 3, 4 and 5 may be late")
	e.deliver(t, id, numbered(7, "r1"), t0.Add(app.GapGrace+time.Second))
	require.Equal(t, []app.SeqGap{{Device: id, Boot: "r1", From: 4, To: 5, Missing: 2}}, e.gaps(t), "4 and 5 never came")
	st, _ := e.ingest.Monitor().State(id)
	assert.Equal(t, int64(2), st.Gaps)

	// A new run of the device counts from 1: what the old run still missed is lost, and
	// the new run's first numbers that never came too.
	e.deliver(t, id, numbered(9, "r1"), t0.Add(app.GapGrace+2*time.Second))
	e.deliver(t, id, numbered(3, "r2"), t0.Add(app.GapGrace+3*time.Second))
	e.ingest.SuperviseOnce(context.Background(), false) // not yet late
	e.deliver(t, id, numbered(4, "r2"), t0.Add(2*app.GapGrace+4*time.Second))
	assert.Equal(t, []app.SeqGap{{Device: id, Boot: "r1", From: 4, To: 5, Missing: 2}, {Device: id, Boot: "r1", From: 8, To: 8, Missing: 1},
		{Device: id, Boot: "r2", From: 1, To: 2, Missing: 2}}, e.gaps(t))
	st, _ = e.ingest.Monitor().State(id)
	assert.Equal(t, int64(5), st.Gaps)

	again := engineOn(t, e.store, demoSite)
	st, _ = again.ingest.Monitor().State(id)
	assert.Equal(t, int64(5), st.Gaps, "the count survives a restart")
	assert.False(t, st.LastGap.IsZero())
}

// ATTACK: a device's message delivered twice (the PUBACK was lost, the device sent it
// again) was journaled twice: one fall, two readings in the record.
func TestAttackARedeliveredMessageIsJournaledTwice(t *testing.T) {
	need(t, "mosquitto_pub")
	e := newEngine(t)
	addr := e.startBroker(t)
	port := addr[strings.LastIndex(addr, ":")+1:]
	const id = "bracelet-b07-0502"
	msg := `{"type":"heartbeat","ts":1764293400000,"heart_rate":72,"battery":64,"seq":41,"boot":"7f3a"}`
	for i := 0; i < 2; i++ {
		out, err := exec.Command("mosquitto_pub", "-h", "127.0.0.1", "-p", port, "-u", id, "-P", app.DemoDevicePassword(id), "-q", "1",
			"-i", id, "-t", "watchpost/demo/"+id+"/heartbeat", "-m", msg).CombinedOutput()
		require.NoError(t, err, "acknowledged each time: %s", out)
	}
	assert.Equal(t, map[uint64]int{41: 1}, e.seqsOf(t, id), "the same message, sent again, is journaled once")
}

// ATTACK: a detector whose clock was reset to 1970 (Unix milliseconds near zero) had its
// fire alarm refused as malformed: no alarm at all. It must raise its P1 now, dated when
// it arrived (in today's list, first on the desk), with the device's 1970 kept and flagged.
func TestAttackA1970ClockHidesAnAlarm(t *testing.T) {
	need(t, "mosquitto_pub")
	e := newEngine(t)
	addr := e.startBroker(t)
	port := addr[strings.LastIndex(addr, ":")+1:]
	pub := func(id, msg string) {
		out, err := exec.Command("mosquitto_pub", "-h", "127.0.0.1", "-p", port, "-u", user, "-P", password, "-q", "1",
			"-t", "watchpost/demo/"+id+"/event", "-m", msg).CombinedOutput()
		require.NoError(t, err, "%s", out)
	}
	// An earlier fire from a detector with a good clock.
	pub("smoke-b01-u1-3", fmt.Sprintf(`{"type":"alarm","ts":%d,"smoke":true}`, time.Now().UnixMilli()))
	require.Eventually(t, func() bool { return len(e.desk.Open()) == 1 }, 15*time.Second, 20*time.Millisecond)
	before := time.Now()
	pub("smoke-b03-u2-12", `{"type":"alarm","ts":5000,"smoke":true,"temperature":64}`) // 1970-01-01 00:00:05 UTC
	after := time.Now()

	require.Eventually(t, func() bool { return len(e.desk.Open()) == 2 }, 15*time.Second, 20*time.Millisecond, "the 1970 detector's fire is raised")
	n, _ := e.ingest.Monitor().MalformedMessages()
	assert.Zero(t, n, "not refused as malformed")
	first := e.desk.Open()[0]
	assert.Equal(t, "smoke-b03-u2-12", first.DeviceID, "first on the desk: the newest P1 by when it arrived")
	assert.Equal(t, app.P1, first.Priority)
	assert.False(t, first.RaisedAt.Before(before.Add(-time.Second)) || first.RaisedAt.After(after.Add(time.Second)),
		"dated when it arrived: %v", first.RaisedAt)
	assert.Equal(t, time.UnixMilli(5000).UTC(), first.DeviceTime.UTC(), "the device's time is kept")

	midnight := time.Date(before.Year(), before.Month(), before.Day(), 0, 0, 0, 0, time.Local)
	today, err := e.desk.Recent(context.Background(), midnight)
	require.NoError(t, err)
	found := false
	for _, a := range today {
		found = found || a.ID == first.ID
	}
	assert.True(t, found, "in today's alarms")

	st, _ := e.ingest.Monitor().State("smoke-b03-u2-12")
	assert.True(t, st.ClockOff(), "the device's clock is flagged: off by %v", st.ClockSkew.D())
	again := engineOn(t, e.store, demoSite)
	st, _ = again.ingest.Monitor().State("smoke-b03-u2-12")
	assert.True(t, st.ClockOff(), "still flagged after a restart: off by %v", st.ClockSkew.D())
}

// clipSource is a camera recorder that notes the clips asked of it and writes them at once.
type clipSource struct {
	mu   sync.Mutex
	reqs []app.ClipRequest
}

func (c *clipSource) Keep([]string, bool, time.Duration) {}
func (c *clipSource) Clip(_ context.Context, req app.ClipRequest) (app.ClipFile, error) {
	c.mu.Lock()
	c.reqs = append(c.reqs, req)
	c.mu.Unlock()
	return app.ClipFile{File: req.Name + ".mp4", Bytes: 1000, From: req.From, To: req.To}, nil
}
func (c *clipSource) Remove(string) error   { return nil }
func (c *clipSource) Taps() []app.TapStatus { return nil }
func (c *clipSource) requests() []app.ClipRequest {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]app.ClipRequest(nil), c.reqs...)
}

// A door whose clock is 2 minutes slow still gets its evidence: the clip's window is
// around when the alarm arrived (the video of now), not around the door's time.
func TestADoorTwoMinutesSlowGetsItsEvidenceClip(t *testing.T) {
	need(t, "mosquitto_pub")
	e := newEngine(t)
	src := &clipSource{}
	run(t, e.core.UseRecording(src, app.RecordingConfig{}))
	addr := e.startBroker(t)
	port := addr[strings.LastIndex(addr, ":")+1:]
	received := time.Now()
	slow := received.Add(-2 * time.Minute)
	out, err := exec.Command("mosquitto_pub", "-h", "127.0.0.1", "-p", port, "-u", user, "-P", password, "-q", "1",
		"-t", "watchpost/demo/door-b05-u1/event", "-m", fmt.Sprintf(`{"type":"forced_open","ts":%d,"forced":true}`, slow.UnixMilli())).CombinedOutput()
	require.NoError(t, err, "%s", out)

	require.Eventually(t, func() bool { return len(src.requests()) > 0 }, 15*time.Second, 20*time.Millisecond, "the forced door is recorded")
	for _, req := range src.requests() {
		assert.True(t, req.From.Before(received) && req.To.After(received.Add(time.Second)),
			"camera %s: the clip %v … %v holds the moment the alarm arrived (%v), not the door's slow time %v", req.CameraID, req.From, req.To, received, slow)
	}
	open := e.desk.Open()
	require.NotEmpty(t, open)
	assert.WithinDuration(t, slow, open[0].DeviceTime, time.Millisecond, "the door's own time is kept beside ours")
}

// Messages lost while an incident runs are on its replay's timeline: what the console
// could not see is part of what happened.
func TestAGapWhileAnIncidentRunsIsOnItsReplay(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), store.FileName), store.Options{Log: quiet})
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	e := engineOn(t, st, app.Seeds{DemoSite: loadDemo, Plans: assets.DefaultPlans})
	commander := &app.Operator{Username: "commander", Name: "王强", Role: app.RoleCommander}
	in, err := e.core.Incidents.Open(ctx, commander, app.OpenRequest{PlanID: "fire-residential", Title: "3号楼火警"})
	require.NoError(t, err)

	const id = "smoke-b03-u2-12"
	now := time.Now()
	e.deliver(t, id, numbered(1, "r1"), now.Add(-app.GapGrace-time.Second))
	e.deliver(t, id, numbered(5, "r1"), now.Add(-app.GapGrace-time.Second))
	e.deliver(t, id, numbered(6, "r1"), now)
	require.Len(t, e.gaps(t), 1)

	sess, err := app.OpenReplay(ctx, st, app.ReplayOfIncident, in.ID, false)
	require.NoError(t, err)
	var gap *app.Entry
	for i, ev := range sess.Events {
		if ev.Kind == app.KindDeviceGap {
			en := sess.EventEntry(i)
			gap = &en
		}
	}
	require.NotNil(t, gap, "the gap is on the incident's timeline: %+v", sess.Events)
	var g app.SeqGap
	require.NoError(t, gap.Decode(&g))
	assert.Equal(t, app.SeqGap{Device: id, Boot: "r1", From: 2, To: 4, Missing: 3}, g)
}

// The simulator numbers every message of each device from 1 in its run; a device whose
// power was cut (the "offline" scenario) starts a new run when it is back and says nothing
// while it is away: the console sees every number of every run, and no gap.
func TestTheSimulatorNumbersItsMessages(t *testing.T) {
	e := newEngine(t)
	addr := e.startBroker(t)
	old := devices.OfflineFor
	devices.OfflineFor = 500 * time.Millisecond
	t.Cleanup(func() { devices.OfflineFor = old })
	devs := append(oneDevice(e, "light-04"), oneDevice(e, "smoke-b03-u2-12")...)
	sim, err := devices.NewSim(devices.SimConfig{Broker: "tcp://" + addr, Username: user, Password: password, Site: "demo",
		Devices: devs, Heartbeat: 100 * time.Millisecond, Log: quiet})
	require.NoError(t, err)
	run(t, sim)
	waitFor(t, sim.Ready(), "the simulated devices connect")
	require.Eventually(t, func() bool { return len(e.seqsOf(t, "light-04")) >= 5 }, 15*time.Second, 20*time.Millisecond)
	_, err = sim.Play("offline")
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(e.journal(t, app.KindDeviceOnline)) > 0 }, 15*time.Second, 20*time.Millisecond,
		"the streetlight is back")

	runs := func(id string) map[string][]uint64 {
		es, err := e.store.Query(context.Background(), app.JournalQuery{Subject: app.SubjectDevice(id), Kinds: []app.EntryKind{app.KindDeviceReading}})
		require.NoError(t, err)
		out := map[string][]uint64{}
		for _, en := range es {
			var r app.Reading
			require.NoError(t, en.Decode(&r))
			if r.Seq > 0 {
				out[r.Boot] = append(out[r.Boot], r.Seq)
			}
		}
		return out
	}
	require.Eventually(t, func() bool {
		rs := runs("light-04")
		if len(rs) < 2 {
			return false
		}
		for _, seqs := range rs {
			if len(seqs) < 3 {
				return false
			}
		}
		return true
	}, 15*time.Second, 20*time.Millisecond, "the streetlight's second run is under way")
	for _, id := range []string{"light-04", "smoke-b03-u2-12"} {
		for boot, seqs := range runs(id) {
			sort.Slice(seqs, func(i, j int) bool { return seqs[i] < seqs[j] })
			for i, seq := range seqs {
				require.Equal(t, uint64(i+1), seq, "%s run %s: every number from 1, once: %v", id, boot, seqs)
			}
		}
	}
	e.ingest.SuperviseOnce(context.Background(), false)
	assert.Empty(t, e.gaps(t))
}
