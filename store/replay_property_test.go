package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"watchpost/app"
	"watchpost/assets"
	"watchpost/store"
)

// The replay property: the state replayed at an instant equals the live state that was
// recorded at that instant. Random journals are made by driving the real services (the
// alarm desk, incident command, device ingest and supervision) with random operations on
// a fake clock against a real SQLite store; after each step the live state is recorded;
// then replay jumps to every step's instant, in random order (forward, backward, across
// checkpoints), and must show the same.

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// clockedJournal stamps entries with the fake clock (the store would use the wall clock).
type clockedJournal struct {
	*store.Store
	clock *fakeClock
}

func (j clockedJournal) Append(ctx context.Context, es ...app.Entry) ([]app.Entry, error) {
	for i := range es {
		if es[i].Time.IsZero() {
			es[i].Time = j.clock.Now()
		}
	}
	return j.Store.Append(ctx, es...)
}

func (j clockedJournal) SaveIncident(ctx context.Context, in app.Incident, e app.Entry) (app.Entry, error) {
	if e.Time.IsZero() {
		e.Time = j.clock.Now()
	}
	return j.Store.SaveIncident(ctx, in, e)
}

// liveState is what the console showed after one step. What ended (an alarm resolved, an
// incident closed, a drill stopped) is kept with when it ended: replay shows it for an hour.
type liveState struct {
	at        time.Time
	alarms    []app.Alarm
	resolved  map[int64]endedAlarm
	running   []app.Incident
	incidents map[int64]app.Incident // every incident so far, as it stood
	closedAt  map[int64]time.Time    // incident → when it closed
	devices   map[string]app.DeviceState
	drills    map[int64]bool      // run → running
	stoppedAt map[int64]time.Time // run → when it stopped
	clips     []app.Clip          // kept clips, oldest first
}

type endedAlarm struct {
	alarm app.Alarm
	at    time.Time
}

type world struct {
	t         *testing.T
	ctx       context.Context
	st        *store.Store
	clock     *fakeClock
	rec       *app.Recorder
	site      *app.Site
	desk      *app.AlarmDesk
	incidents *app.Incidents
	ingest    *app.Ingest
	mon       *app.DeviceMonitor
	plans     *app.Plans
	duty, cmd *app.Operator
	rnd       *rand.Rand

	incidentIDs []int64
	drills      map[int64]bool
	clips       []app.Clip
	clipN       int
	refusals    map[string]int // what was refused, and why
	open        map[int64]bool // the alarms open after the previous step
	resolved    map[int64]endedAlarm
	closedAt    map[int64]time.Time
	stoppedAt   map[int64]time.Time
}

func newWorld(t *testing.T, seed uint64) *world {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), store.FileName), store.Options{Log: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	// The fake clock starts after the set-up, which the store stamps with the wall clock.
	clock := &fakeClock{t: time.Now().UTC().Truncate(time.Second).Add(time.Hour)}
	j := clockedJournal{st, clock}
	bus := app.NewBus()
	rec := app.NewRecorder(j, bus)
	inv := app.NewInventory(st, rec)
	acc := app.NewAccounts(st, rec, clock)
	acc.Cost = bcrypt.MinCost
	site, err := assets.DemoSite()
	require.NoError(t, err)
	accounts, err := assets.DemoAccounts()
	require.NoError(t, err)
	require.NoError(t, app.SeedDemo(ctx, inv, acc, site, accounts))
	desk := app.NewAlarmDesk(rec, st, clock)
	require.NoError(t, desk.Load(ctx))
	plans := app.NewPlans(st, rec, inv, clock)
	require.NoError(t, plans.Load(ctx))
	defaults, err := assets.DefaultPlans()
	require.NoError(t, err)
	_, err = plans.Seed(ctx, defaults)
	require.NoError(t, err)
	incidents := app.NewIncidents(j, rec, plans, desk, inv, clock)
	require.NoError(t, incidents.Load(ctx))
	mon := app.NewDeviceMonitor(clock.Now())
	ingest := app.NewIngest(inv, desk, rec, app.NewRules(app.RulesConfig{}, clock.Now()), mon, clock, slog.New(slog.DiscardHandler))
	return &world{t: t, ctx: ctx, st: st, clock: clock, rec: rec, site: inv.Site(), desk: desk, incidents: incidents,
		ingest: ingest, mon: mon, plans: plans, rnd: rand.New(rand.NewPCG(seed, 42)), drills: map[int64]bool{}, refusals: map[string]int{},
		open: map[int64]bool{}, resolved: map[int64]endedAlarm{}, closedAt: map[int64]time.Time{}, stoppedAt: map[int64]time.Time{},
		duty: &app.Operator{Username: "duty", Name: "李明", Role: app.RoleOperator},
		cmd:  &app.Operator{Username: "commander", Name: "王强", Role: app.RoleCommander}}
}

// payloads a device may send; the rules raise alarms from those that fit its kind.
var payloads = []struct {
	typ    app.MessageType
	event  string
	values map[string]any
}{
	{app.MsgHeartbeat, "", map[string]any{"battery": 87.0}},
	{app.MsgHeartbeat, "", nil},
	{app.MsgState, "", map[string]any{"temperature": 24.0, "battery": 15.0}},
	{app.MsgEvent, "alarm", map[string]any{"smoke": true, "temperature": 61.0}},
	{app.MsgEvent, "sos", map[string]any{"sos": true, "pressed": true}},
	{app.MsgEvent, "fall", map[string]any{"fall": true}},
	{app.MsgEvent, "forced_open", map[string]any{"forced": true}},
	{app.MsgEvent, "water", map[string]any{"water_level": 42.0, "tilt": 20.0}},
	{app.MsgStatus, "", map[string]any{"status": "offline"}},
	{app.MsgStatus, "", map[string]any{"status": "online"}},
}

func (w *world) pick(n int) int { return w.rnd.IntN(n) }

func (w *world) openAlarms(states ...app.AlarmState) []app.Alarm {
	var out []app.Alarm
	for _, a := range w.desk.Open() {
		for _, s := range states {
			if a.State == s {
				out = append(out, a)
			}
		}
	}
	return out
}

func (w *world) op() *app.Operator {
	if w.pick(2) == 0 {
		return w.duty
	}
	return w.cmd
}

// step does one random operation. Refusals (a step already done, a closed incident) are
// part of the game, but only the refusals that operation may give: any other error fails
// the test, and a refusal must leave no trace in the journal.
func (w *world) step() {
	ctx := w.ctx
	switch k := w.pick(20); {
	case k < 6: // a device speaks
		d := w.site.Devices[w.pick(len(w.site.Devices))]
		p := payloads[w.pick(len(payloads))]
		now := w.clock.Now()
		w.do("device message", func() error {
			return w.ingest.Handle(ctx, app.Reading{DeviceID: d.ID, Type: p.typ, Event: p.event, Time: now, Values: p.values}, "t")
		})
	case k == 6: // supervision finds silent devices
		w.ingest.SuperviseOnce(ctx, w.pick(3) == 0)
	case k == 7:
		if as := w.openAlarms(app.AlarmNew); len(as) > 0 {
			w.do("acknowledge", func() error { _, err := w.desk.Acknowledge(ctx, w.op(), as[w.pick(len(as))].ID, "seen"); return err })
		}
	case k == 8:
		if as := w.openAlarms(app.AlarmAcknowledged); len(as) > 0 {
			w.do("dispatch", func() error {
				_, err := w.desk.Dispatch(ctx, w.op(), as[w.pick(len(as))].ID, "grid worker", "")
				return err
			})
		}
	case k == 9:
		if as := w.openAlarms(app.AlarmAcknowledged, app.AlarmDispatched); len(as) > 0 {
			w.do("resolve", func() error {
				_, err := w.desk.Resolve(ctx, w.op(), as[w.pick(len(as))].ID, app.Outcomes[w.pick(len(app.Outcomes))], "done")
				return err
			})
		}
	case k == 10: // an incident from an alarm, or by hand
		plans := w.plans.List()
		req := app.OpenRequest{PlanID: plans[w.pick(len(plans))].ID, Drill: w.pick(4) == 0}
		if as := w.openAlarms(app.AlarmNew, app.AlarmAcknowledged); len(as) > 0 && w.pick(3) > 0 {
			req.AlarmID = as[w.pick(len(as))].ID
		}
		// An alarm already handled by an incident is not opened again.
		w.do("open incident", func() error {
			in, err := w.incidents.Open(ctx, w.cmd, req)
			if err == nil {
				w.incidentIDs = append(w.incidentIDs, in.ID)
			}
			return err
		}, app.CodeConflict)
	case k <= 14: // work on a running incident's checklist
		run := w.incidents.Running()
		if len(run) == 0 {
			return
		}
		in := run[w.pick(len(run))]
		items := in.Checklist(w.clock.Now())
		if len(items) == 0 {
			return
		}
		it := items[w.pick(len(items))]
		// A step already done or skipped, one that waits for another, the level it already
		// has: refused as not fitting the incident's state.
		switch w.pick(6) {
		case 0:
			w.do("skip", func() error { _, err := w.incidents.Skip(ctx, w.cmd, in.ID, it.Step.ID, "not needed"); return err }, app.CodeConflict)
		case 1:
			w.do("level", func() error {
				_, err := w.incidents.SetLevel(ctx, w.cmd, in.ID, app.Levels[w.pick(len(app.Levels))], "changed")
				return err
			}, app.CodeConflict)
		case 2:
			w.do("note", func() error {
				_, err := w.incidents.AddNote(ctx, w.cmd, in.ID, fmt.Sprintf("note %d", w.pick(100)))
				return err
			})
		case 3:
			w.do("call", func() error {
				_, err := w.incidents.LogCall(ctx, w.cmd, in.ID, app.CallRecord{Name: "119", Phone: "119", Result: app.CallResults[w.pick(3)], StepID: it.Step.ID})
				return err
			})
		default:
			w.do("tick", func() error { _, err := w.incidents.Tick(ctx, w.cmd, in.ID, it.Step.ID, ""); return err }, app.CodeConflict)
		}
	case k == 15:
		run := w.incidents.Running()
		as := w.openAlarms(app.AlarmNew, app.AlarmAcknowledged, app.AlarmDispatched)
		if len(run) > 0 && len(as) > 0 {
			// An alarm already linked (to this incident or another) is refused.
			w.do("link alarm", func() error {
				_, err := w.incidents.LinkAlarm(ctx, w.cmd, run[w.pick(len(run))].ID, as[w.pick(len(as))].ID)
				return err
			}, app.CodeConflict)
		}
	case k == 16:
		if run := w.incidents.Running(); len(run) > 0 && w.pick(2) == 0 {
			alarms := []app.AlarmsOnClose{app.AlarmsResolve, app.AlarmsLeaveOpen}[w.pick(2)]
			w.do("close incident", func() error {
				_, err := w.incidents.Close(ctx, w.cmd, run[w.pick(len(run))].ID, app.CloseRequest{Summary: "over", Outcome: app.OutcomeGenuine, Alarms: alarms})
				return err
			})
		}
	case k == 17: // a drill starts or stops (journaled as the drill engine does)
		w.drillStep()
	default: // a clip is written, or retention deletes the oldest
		w.clipStep()
	}
}

// do runs one operation. An error must be one of the refusals the operation may give
// (refused lists their codes; none: it must succeed), and a refusal writes nothing.
func (w *world) do(what string, op func() error, refused ...app.ErrorCode) {
	w.t.Helper()
	before, err := w.st.LastSeq(w.ctx)
	require.NoError(w.t, err)
	err = op()
	if err == nil {
		return
	}
	require.Contains(w.t, refused, app.CodeOf(err), "%s: an error that is not a refusal it may give: %v", what, err)
	after, lerr := w.st.LastSeq(w.ctx)
	require.NoError(w.t, lerr)
	require.Equal(w.t, before, after, "%s was refused (%v) but left entries in the journal", what, err)
	w.refusals[what+" "+string(app.CodeOf(err))]++
}

func (w *world) drillStep() {
	for id, running := range w.drills {
		if running && w.pick(2) == 0 {
			now := w.clock.Now()
			run := app.DrillRun{ID: id, Scenario: "fire", Name: "楼栋火灾演练", StartedAt: now.Add(-time.Minute), By: "trainer",
				EndedAt: &now, Score: &app.DrillScore{Met: 2, Total: 3, Percent: 66}}
			e := app.NewEntry(app.KindDrillStopped, app.SubjectDrill(id), "trainer", run)
			e.Drill = true
			_, err := w.rec.Record(w.ctx, e)
			require.NoError(w.t, err)
			w.drills[id] = false
			w.stoppedAt[id] = now
			return
		}
	}
	run := app.DrillRun{Scenario: "fire", Name: "楼栋火灾演练", StartedAt: w.clock.Now(), By: "trainer", Cameras: []string{"gate-north"}}
	e := app.NewEntry(app.KindDrillStarted, "", "trainer", run)
	e.Drill = true
	out, err := w.rec.Record(w.ctx, e)
	require.NoError(w.t, err)
	w.drills[out[0].Seq] = true
}

func (w *world) clipStep() {
	if len(w.clips) > 0 && w.pick(4) == 0 {
		c := w.clips[0]
		w.clips = w.clips[1:]
		_, err := w.rec.Record(w.ctx, app.NewEntry(app.KindClipDeleted, app.SubjectClip(c.ID), app.SystemActor,
			app.ClipDeletion{Clip: c.ID, File: c.File, Why: app.ClipTooOld}))
		require.NoError(w.t, err)
		return
	}
	w.clipN++
	now := w.clock.Now()
	c := app.Clip{ID: fmt.Sprintf("c%d", w.clipN), CameraID: "gate-north", From: now.Add(-45 * time.Second), To: now,
		File: fmt.Sprintf("/clips/c%d.mp4", w.clipN), Bytes: 1000, Reason: app.ClipForAlarm}
	if as := w.desk.Open(); len(as) > 0 {
		c.AlarmID = as[0].ID
	}
	_, err := w.rec.Record(w.ctx, app.NewEntry(app.KindClip, app.SubjectClip(c.ID), app.SystemActor, c))
	require.NoError(w.t, err)
	w.clips = append(w.clips, c)
}

// record takes the live state after a step. The clock does not move within a step, so
// what ended in it ended now.
func (w *world) record() liveState {
	now := w.clock.Now()
	ls := liveState{at: now, alarms: w.desk.Open(), running: w.incidents.Running(), resolved: map[int64]endedAlarm{},
		incidents: map[int64]app.Incident{}, closedAt: map[int64]time.Time{}, devices: map[string]app.DeviceState{},
		drills: map[int64]bool{}, stoppedAt: map[int64]time.Time{}}
	// An alarm that left the desk was resolved now: the desk has it from the store.
	open := map[int64]bool{}
	for _, a := range ls.alarms {
		open[a.ID] = true
	}
	for id := range w.open {
		if !open[id] {
			a, err := w.desk.Get(w.ctx, id)
			require.NoError(w.t, err)
			require.Equal(w.t, app.AlarmResolved, a.State, "alarm %d left the desk", id)
			w.resolved[id] = endedAlarm{a, now}
		}
	}
	w.open = open
	maps.Copy(ls.resolved, w.resolved)
	for _, id := range w.incidentIDs {
		in, err := w.incidents.Get(w.ctx, id)
		require.NoError(w.t, err)
		ls.incidents[id] = in
		if _, ok := w.closedAt[id]; !ok && in.State == app.IncidentClosed {
			w.closedAt[id] = now
		}
	}
	maps.Copy(ls.closedAt, w.closedAt)
	for _, d := range w.site.Devices {
		if st, ok := w.mon.State(d.ID); ok {
			ls.devices[d.ID] = st
		}
	}
	maps.Copy(ls.drills, w.drills)
	maps.Copy(ls.stoppedAt, w.stoppedAt)
	ls.clips = append(ls.clips, w.clips...)
	return ls
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", " ")
	require.NoError(t, err)
	return string(b)
}

// shownFor is how long replay keeps what ended (app's replayEndedRetention).
const shownFor = time.Hour

// compare checks the replayed view against the live state, both ways: everything live is
// replayed as it was, and everything replayed was live.
func compare(t *testing.T, step int, live liveState, v app.ReplayView) {
	t.Helper()
	where := fmt.Sprintf("step %d at %s", step, live.at.Format(time.RFC3339Nano))
	shown := func(ended time.Time) bool { return v.Time.Sub(ended) <= shownFor }

	// The alarm desk: the open alarms, in its order; the resolved ones of the last hour,
	// newest first.
	require.Equal(t, jsonOf(t, append([]app.Alarm{}, live.alarms...)), jsonOf(t, append([]app.Alarm{}, v.Alarms...)), "alarm desk, %s", where)
	var resolved []app.Alarm
	for _, r := range live.resolved {
		if shown(r.at) {
			resolved = append(resolved, r.alarm)
		}
	}
	sort.Slice(resolved, func(i, j int) bool { return resolved[i].ID > resolved[j].ID })
	require.Equal(t, jsonOf(t, append([]app.Alarm{}, resolved...)), jsonOf(t, append([]app.Alarm{}, v.Resolved...)), "resolved alarms, %s", where)

	// Incidents: each replayed one as it stood live; each live one replayed (a closed one
	// for an hour); the running ones in the same order.
	var running []app.Incident
	replayed := map[int64]bool{}
	for _, in := range v.Incidents {
		replayed[in.ID] = true
		if in.State == app.IncidentOpen {
			running = append(running, in)
		}
		want, ok := live.incidents[in.ID]
		require.True(t, ok, "incident %d is not live, %s", in.ID, where)
		require.Equal(t, jsonOf(t, want), jsonOf(t, in), "incident %d, %s", in.ID, where)
	}
	for id, in := range live.incidents {
		closed, isClosed := live.closedAt[id]
		if in.State == app.IncidentOpen || (isClosed && shown(closed)) {
			require.True(t, replayed[id], "live incident %d (%s) is not replayed, %s", id, in.State, where)
		} else {
			require.False(t, replayed[id], "incident %d closed at %s is still replayed, %s", id, closed, where)
		}
	}
	require.Equal(t, jsonOf(t, append([]app.Incident{}, live.running...)), jsonOf(t, append([]app.Incident{}, running...)), "running incidents, %s", where)

	// Devices: each live one replayed with its state, and each replayed one live.
	for id, st := range live.devices {
		d, ok := v.Devices[id]
		require.True(t, ok, "device %s, %s", id, where)
		require.Equal(t, st.Online, d.Online, "device %s online, %s", id, where)
		require.True(t, st.LastSeen.Equal(d.LastSeen), "device %s last seen %s, replayed %s, %s", id, st.LastSeen, d.LastSeen, where)
		require.Equal(t, st.Battery, d.Battery, "device %s battery, %s", id, where)
	}
	for id := range v.Devices {
		_, ok := live.devices[id]
		require.True(t, ok, "replayed device %s is not live, %s", id, where)
	}

	// Drills: each replayed run live, running or not as it was; each live one replayed (a
	// stopped one for an hour).
	seen := map[int64]bool{}
	for _, r := range v.Drills {
		seen[r.ID] = true
		running, ok := live.drills[r.ID]
		require.True(t, ok, "drill %d, %s", r.ID, where)
		require.Equal(t, running, r.EndedAt == nil, "drill %d running, %s", r.ID, where)
	}
	for id, running := range live.drills {
		if running || shown(live.stoppedAt[id]) {
			require.True(t, seen[id], "live drill %d (running %v) is not replayed, %s", id, running, where)
		} else {
			require.False(t, seen[id], "drill %d stopped at %s is still replayed, %s", id, live.stoppedAt[id], where)
		}
	}
	var running2 []int64
	for _, r := range v.Running() {
		running2 = append(running2, r.ID)
	}
	for id, running := range live.drills {
		if running {
			require.Contains(t, running2, id, "drill %d runs, %s", id, where)
		}
	}

	// Clips are kept an hour after they end (by the latest entry's time).
	var want, clips []string
	for _, c := range live.clips {
		if v.Time.Sub(c.To) <= time.Hour {
			want = append(want, c.ID)
		}
	}
	for i := len(v.Clips) - 1; i >= 0; i-- {
		clips = append(clips, v.Clips[i].ID)
	}
	require.Equal(t, want, clips, "clips, %s", where)
}

// foldFromScratch folds the journal from its first entry up to seq, without checkpoints.
func foldFromScratch(t *testing.T, st *store.Store, seq int64) *app.ReplayState {
	t.Helper()
	s := app.NewReplayState()
	require.NoError(t, st.JournalRange(context.Background(), 0, seq, func(e *app.Entry) error { app.Fold(s, e); return nil }))
	return s
}

func TestReplayEqualsLiveState(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			w := newWorld(t, seed)
			var states []liveState
			for i := 0; i < 260; i++ {
				w.step()
				states = append(states, w.record())
				// Time passes between steps: a moment, minutes, sometimes long enough for
				// supervision and for the replay's retention to drop what ended.
				switch w.pick(10) {
				case 0:
					w.clock.advance(time.Duration(30+w.pick(60)) * time.Minute)
				case 1, 2:
					w.clock.advance(time.Duration(1+w.pick(300)) * time.Second)
				default:
					w.clock.advance(time.Duration(1+w.pick(900)) * time.Millisecond)
				}
			}
			last, err := w.st.LastSeq(w.ctx)
			require.NoError(t, err)
			t.Logf("%d steps, %d journal entries, %d open alarms at the end; refused: %v", len(states), last, len(states[len(states)-1].alarms), w.refusals)

			// The walk made what replay must get right: alarms raised, handled and resolved,
			// incidents opened and closed, drills started and stopped, devices going
			// offline, clips written and deleted.
			made := map[app.EntryKind]int{}
			es, err := w.st.Query(w.ctx, app.JournalQuery{})
			require.NoError(t, err)
			for _, e := range es {
				made[e.Kind]++
			}
			for _, k := range []app.EntryKind{app.KindAlarmRaised, app.KindAlarmAcknowledged, app.KindAlarmResolved,
				app.KindIncidentOpened, app.KindIncidentClosed, app.KindDrillStarted, app.KindDrillStopped,
				app.KindDeviceReading, app.KindDeviceOffline, app.KindClip, app.KindClipDeleted} {
				require.Positive(t, made[k], "the random walk made no %s", k)
			}
			var anyAlarm, anyResolved, anyIncident, anyClosed, anyDrill bool
			for _, ls := range states {
				anyAlarm = anyAlarm || len(ls.alarms) > 0
				anyResolved = anyResolved || len(ls.resolved) > 0
				anyIncident = anyIncident || len(ls.running) > 0
				anyClosed = anyClosed || len(ls.closedAt) > 0
				anyDrill = anyDrill || len(ls.drills) > 0
			}
			require.True(t, anyAlarm && anyResolved && anyIncident && anyClosed && anyDrill,
				"live states to compare: open alarms %v, resolved %v, running incidents %v, closed %v, drills %v", anyAlarm, anyResolved, anyIncident, anyClosed, anyDrill)

			// Small checkpoints, so that jumps cross and load many of them.
			rp := app.NewReplayer(w.st, app.CheckpointPolicy{Entries: 40, Every: 20 * time.Minute}, true)
			order := w.rnd.Perm(len(states))
			for _, i := range order {
				live := states[i]
				s, err := rp.At(w.ctx, live.at)
				require.NoError(t, err)
				compare(t, i, live, s.View())
				// Just before the next step, nothing has changed yet.
				if i+1 < len(states) && states[i+1].at.Sub(live.at) > time.Millisecond {
					s, err = rp.At(w.ctx, states[i+1].at.Add(-time.Microsecond))
					require.NoError(t, err)
					compare(t, i, live, s.View())
				}
			}
			stats := rp.Stats()
			t.Logf("replay: %d checkpoints written, %d loaded, %d entries folded", stats.CheckpointsWritten, stats.CheckpointsLoaded, stats.EntriesFolded)
			require.Positive(t, stats.CheckpointsLoaded, "jumps loaded checkpoints")

			// A state from a checkpoint is the state folded from the first entry.
			for _, i := range order[:40] {
				seq, err := w.st.SeqAt(w.ctx, states[i].at)
				require.NoError(t, err)
				s, err := app.NewReplayer(w.st, app.DefaultCheckpoints, false).AtSeq(w.ctx, seq)
				require.NoError(t, err)
				a, err := s.Marshal()
				require.NoError(t, err)
				b, err := foldFromScratch(t, w.st, seq).Marshal()
				require.NoError(t, err)
				require.JSONEq(t, string(b), string(a), "step %d", i)
			}
		})
	}
}

// The console's checkpointer keeps checkpoints as the journal grows; a replay then folds
// only the entries after the nearest one.
func TestCheckpointerKeepsUpWithTheJournal(t *testing.T) {
	w := newWorld(t, 9)
	ck := app.NewReplayCheckpointer(w.st, app.CheckpointPolicy{Entries: 25, Every: time.Hour})
	for round := 0; round < 5; round++ {
		for i := 0; i < 60; i++ {
			w.step()
			w.clock.advance(time.Second)
		}
		require.NoError(t, ck.CatchUp(w.ctx))
	}
	n, size, err := w.st.CheckpointCount(w.ctx, app.ReplayVersion)
	require.NoError(t, err)
	last, err := w.st.LastSeq(w.ctx)
	require.NoError(t, err)
	require.GreaterOrEqual(t, n, last/25-1, "a checkpoint every 25 entries")
	t.Logf("%d entries, %d checkpoints, %d bytes", last, n, size)

	rp := app.NewReplayer(w.st, app.CheckpointPolicy{Entries: 25, Every: time.Hour}, false)
	_, err = rp.AtSeq(w.ctx, last-3)
	require.NoError(t, err)
	require.LessOrEqual(t, rp.Stats().EntriesFolded, int64(25), "folded from the nearest checkpoint")

	// A second checkpointer (the next start) goes on from the latest one.
	ck2 := app.NewReplayCheckpointer(w.st, app.CheckpointPolicy{Entries: 25, Every: time.Hour})
	require.NoError(t, ck2.CatchUp(w.ctx))
	require.LessOrEqual(t, ck2.Stats().EntriesFolded, int64(25))
	require.Zero(t, ck2.Stats().CheckpointsWritten)
}

// Checkpoints of another fold version are not used, and a read-only store refuses to
// write them.
func TestCheckpointVersionsAndReadOnly(t *testing.T) {
	w := newWorld(t, 3)
	for i := 0; i < 50; i++ {
		w.step()
	}
	last, err := w.st.LastSeq(w.ctx)
	require.NoError(t, err)
	require.NoError(t, w.st.SaveCheckpoint(w.ctx, app.ReplayVersion+1, last, w.clock.Now(), []byte(`{"version": 99}`)))
	_, _, ok, err := w.st.LatestCheckpoint(w.ctx, app.ReplayVersion, last)
	require.NoError(t, err)
	require.False(t, ok)

	ro, err := store.Open(w.ctx, w.st.Path(), store.Options{ReadOnly: true, Log: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	defer ro.Close()
	require.Error(t, ro.SaveCheckpoint(w.ctx, app.ReplayVersion, last, w.clock.Now(), []byte(`{}`)))
	s, err := app.NewReplayer(ro, app.DefaultCheckpoints, false).AtSeq(w.ctx, last)
	require.NoError(t, err)
	require.Equal(t, last, s.Seq)
	ids := make([]int64, 0, len(s.Alarms))
	for id := range s.Alarms {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	t.Logf("alarms in the state: %v", ids)
}
