package store_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"watchpost/app"
	"watchpost/assets"
	"watchpost/store"
)

// BenchmarkReplayJump: a journal of 1,000,000 entries over 24 hours (2,000 devices
// reporting, about 5,000 alarms through their lifecycle, incidents with their checklists,
// drills, clips); the console's checkpointer builds the checkpoints; then replays are
// opened and jump to random instants. Each jump is a fresh Replayer (open + jump: the
// nearest checkpoint loaded, the rest folded). The figure to reach: ≤ 100 ms.

const (
	benchEntries = 1_000_000
	benchDevices = 2000
	benchSpan    = 24 * time.Hour
)

func BenchmarkReplayJump(b *testing.B) {
	ctx := context.Background()
	// WATCHPOST_REPLAY_BENCH_DB keeps the journal in that file between runs (the
	// checkpoints are built again each time).
	path := os.Getenv("WATCHPOST_REPLAY_BENCH_DB")
	if path == "" {
		path = filepath.Join(b.TempDir(), store.FileName)
	}
	_, statErr := os.Stat(path)
	st, err := store.Open(ctx, path, store.Options{Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	start := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	t0 := time.Now()
	if statErr != nil {
		kinds := writeBenchJournal(b, st, start)
		fmt.Printf("bench: replay: journal of %d entries over %s written in %.1f s (%v)\n", benchEntries, benchSpan, time.Since(t0).Seconds(), kinds)
	} else if _, err := st.DB().Exec("DELETE FROM replay_checkpoints"); err != nil {
		b.Fatal(err)
	}

	t0 = time.Now()
	ck := app.NewReplayCheckpointer(st, app.DefaultCheckpoints)
	if err := ck.CatchUp(ctx); err != nil {
		b.Fatal(err)
	}
	n, size, err := st.CheckpointCount(ctx, app.ReplayVersion)
	if err != nil {
		b.Fatal(err)
	}
	fmt.Printf("bench: replay: %d checkpoints built in %.1f s (%.1f MB, %.0f kB each; every %d entries or %s)\n",
		n, time.Since(t0).Seconds(), float64(size)/1e6, float64(size)/float64(n)/1e3, app.DefaultCheckpoints.Entries, app.DefaultCheckpoints.Every)

	var jumps []time.Duration
	var folded int64
	b.Run("open+jump", func(b *testing.B) {
		rnd := rand.New(rand.NewPCG(1, 2))
		jumps, folded = jumps[:0], 0
		for i := 0; i < b.N; i++ {
			at := start.Add(time.Duration(rnd.Int64N(int64(benchSpan))))
			t := time.Now()
			rp := app.NewReplayer(st, app.DefaultCheckpoints, false)
			s, err := rp.At(ctx, at)
			if err != nil {
				b.Fatal(err)
			}
			_ = s.View()
			jumps = append(jumps, time.Since(t))
			folded += rp.Stats().EntriesFolded
		}
		p50, p95, worst := percentiles(jumps)
		b.ReportMetric(p50, "p50-ms")
		b.ReportMetric(p95, "p95-ms")
		b.ReportMetric(worst, "max-ms")
	})
	p50, p95, worst := percentiles(jumps)
	fmt.Printf("bench: replay: open + jump to a random instant (%d jumps, fresh replay each, %.0f entries folded on average): p50 %.1f ms, p95 %.1f ms, max %.1f ms\n",
		len(jumps), float64(folded)/float64(len(jumps)), p50, p95, worst)

	// A trainer dragging along one replay: the same Replayer jumps back and forth.
	rnd := rand.New(rand.NewPCG(3, 4))
	rp := app.NewReplayer(st, app.DefaultCheckpoints, false)
	var drags []time.Duration
	for i := 0; i < 200; i++ {
		at := start.Add(time.Duration(rnd.Int64N(int64(benchSpan))))
		t := time.Now()
		if _, err := rp.At(ctx, at); err != nil {
			b.Fatal(err)
		}
		drags = append(drags, time.Since(t))
	}
	p50, p95, worst = percentiles(drags)
	fmt.Printf("bench: replay: jumps within one replay (%d): p50 %.1f ms, p95 %.1f ms, max %.1f ms\n", len(drags), p50, p95, worst)

	// Playing at 16×: one frame every 100 ms of wall time is 1.6 s of journal time.
	at := start.Add(10 * time.Hour)
	var frames []time.Duration
	for i := 0; i < 300; i++ {
		at = at.Add(1600 * time.Millisecond)
		t := time.Now()
		s, err := rp.At(ctx, at)
		if err != nil {
			b.Fatal(err)
		}
		_ = s.View()
		frames = append(frames, time.Since(t))
	}
	p50, p95, worst = percentiles(frames)
	fmt.Printf("bench: replay: playing at 16x, a frame each 1.6 s of journal (%d): p50 %.2f ms, p95 %.2f ms, max %.2f ms\n", len(frames), p50, p95, worst)

	// What the jumps land on is the console as it was: a few jumps (fresh replays, from
	// their checkpoints) against the journal folded from its first entry, in one pass.
	rnd = rand.New(rand.NewPCG(5, 6))
	var targets []time.Time
	for range 4 {
		targets = append(targets, start.Add(time.Duration(rnd.Int64N(int64(benchSpan)))))
	}
	slices.SortFunc(targets, func(a, b time.Time) int { return a.Compare(b) })
	scratch := app.NewReplayState()
	t0 = time.Now()
	for _, at := range targets {
		seq, err := st.SeqAt(ctx, at)
		if err != nil {
			b.Fatal(err)
		}
		if err := st.JournalRange(ctx, scratch.Seq, seq, func(e *app.Entry) error { app.Fold(scratch, e); return nil }); err != nil {
			b.Fatal(err)
		}
		rp := app.NewReplayer(st, app.DefaultCheckpoints, false)
		s, err := rp.At(ctx, at)
		if err != nil {
			b.Fatal(err)
		}
		if rp.Stats().CheckpointsLoaded == 0 {
			b.Fatalf("the jump to %s loaded no checkpoint", at)
		}
		jumped, _ := s.Marshal()
		folded, _ := scratch.Marshal()
		if !bytes.Equal(jumped, folded) {
			b.Fatalf("the jump to %s (seq %d) differs from the journal folded from its start:\njump: %.600s\nfold: %.600s", at, seq, jumped, folded)
		}
		if len(scratch.Alarms) == 0 || len(scratch.Devices) == 0 {
			b.Fatalf("the state at %s has no alarms or devices: the journal was not folded", at)
		}
	}
	fmt.Printf("bench: replay: %d jumps equal to the journal folded from its start (up to entry %d, folded in %.1f s)\n", len(targets), scratch.Seq, time.Since(t0).Seconds())
}

func percentiles(ds []time.Duration) (p50, p95, worst float64) {
	if len(ds) == 0 {
		return 0, 0, 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	return ms(s[len(s)/2]), ms(s[len(s)*95/100]), ms(s[len(s)-1])
}

// benchGen makes a plausible day of journal: readings from every device, alarms raised,
// acknowledged, dispatched and resolved, incidents worked through their checklists,
// drills and clips, in time order.
type benchGen struct {
	rnd     *rand.Rand
	now     time.Time
	seq     int64
	out     []benchRow
	open    []*app.Alarm
	plan    app.Plan
	running []*app.Incident
	nextInc int64
	drill   int64
	kinds   map[string]int
}

type benchRow struct {
	seq                     int64
	ts                      int64
	kind, subject, operator string
	drill                   bool
	data                    string
}

func (g *benchGen) add(kind app.EntryKind, subject, operator string, drill bool, data any) int64 {
	e := app.NewEntry(kind, subject, operator, data)
	g.seq++
	g.out = append(g.out, benchRow{g.seq, g.now.UnixNano(), string(kind), subject, operator, drill, string(e.Data)})
	g.kinds[string(kind)]++
	return g.seq
}

var benchKinds = []app.DeviceKind{app.KindSmoke, app.KindBracelet, app.KindDoor, app.KindManhole, app.KindStreetlight, app.KindCallButton}

func (g *benchGen) reading() {
	i := g.rnd.IntN(benchDevices)
	id := fmt.Sprintf("dev-%04d", i)
	r := app.Reading{DeviceID: id, Kind: benchKinds[i%len(benchKinds)], Type: app.MsgHeartbeat, Time: g.now, Received: g.now,
		Values: map[string]any{"battery": float64(40 + i%60), "rssi": -60 - i%30}}
	if g.rnd.IntN(10) == 0 {
		r.Type, r.Values["temperature"] = app.MsgState, 20+float64(g.rnd.IntN(10))
	}
	g.add(app.KindDeviceReading, app.SubjectDevice(id), app.SystemActor, false, r)
}

func (g *benchGen) alarm() {
	i := g.rnd.IntN(benchDevices)
	p := app.Point{X: float64(i % 400), Y: float64(i / 7)}
	a := app.Alarm{Kind: app.AlarmFire, Priority: app.Priority(1 + g.rnd.IntN(4)), State: app.AlarmNew, DeviceID: fmt.Sprintf("dev-%04d", i),
		GridID: fmt.Sprintf("g%d", 1+i%5), Position: &p, RaisedAt: g.now, LastAt: g.now, Cause: fmt.Sprintf("Fire alarm: 设备 %d", i),
		Drill: g.drill != 0 && g.rnd.IntN(2) == 0}
	a.ID = g.add(app.KindAlarmRaised, "", app.SystemActor, a.Drill, a)
	g.out[len(g.out)-1].subject = app.SubjectAlarm(a.ID)
	g.open = append(g.open, &a)
}

func (g *benchGen) alarmStep() {
	if len(g.open) == 0 {
		return
	}
	k := g.rnd.IntN(len(g.open))
	a := g.open[k]
	m := &app.Mark{By: "duty", At: g.now}
	kind := app.KindAlarmAcknowledged
	switch a.State {
	case app.AlarmNew:
		a.State, a.Ack = app.AlarmAcknowledged, m
	case app.AlarmAcknowledged:
		if g.rnd.IntN(2) == 0 {
			a.State, a.Dispatch, kind = app.AlarmDispatched, &app.Mark{By: "duty", At: g.now, To: "grid worker"}, app.KindAlarmDispatched
			break
		}
		fallthrough
	default:
		a.State, a.Resolve, a.Outcome, kind = app.AlarmResolved, m, app.OutcomeFalse, app.KindAlarmResolved
		g.open = append(g.open[:k], g.open[k+1:]...)
	}
	g.add(kind, a.Subject(), "duty", a.Drill, a)
}

func (g *benchGen) incident() {
	if len(g.running) < 2 && g.rnd.IntN(3) == 0 {
		g.nextInc++
		pl := g.plan
		in := &app.Incident{ID: g.nextInc, Title: pl.Name, PlanID: pl.ID, Plan: &pl, Level: pl.StartLevel(), State: app.IncidentOpen,
			OpenedBy: "commander", OpenedAt: g.now, Drill: g.drill != 0}
		in.Levels = []app.LevelChange{{To: in.Level, By: "commander", At: g.now}}
		g.add(app.KindIncidentOpened, in.Subject(), "commander", in.Drill, in)
		g.running = append(g.running, in)
		return
	}
	if len(g.running) == 0 {
		return
	}
	in := g.running[0]
	ch := app.IncidentChange{Incident: in.ID, By: "commander", At: g.now}
	kind := app.KindIncidentNoteAdded
	ch.Note = "note"
	for _, it := range in.Checklist(g.now) {
		if it.Progress.Status == app.StepPending && it.Applicable && len(it.Waiting) == 0 {
			kind, ch.Step, ch.Note = app.KindIncidentStepDone, it.Step.ID, ""
			break
		}
	}
	if g.rnd.IntN(12) == 0 {
		kind, ch.Step, ch.Summary = app.KindIncidentClosed, "", "over"
		g.running = g.running[1:]
	}
	if in.Apply(kind, ch) == nil {
		g.add(kind, in.Subject(), "commander", in.Drill, ch)
	}
}

func (g *benchGen) drillStep() {
	if g.drill == 0 {
		run := app.DrillRun{Scenario: "fire", Name: "楼栋火灾演练", StartedAt: g.now, By: "trainer"}
		g.drill = g.add(app.KindDrillStarted, "", "trainer", true, run)
		run.ID = g.drill
		g.out[len(g.out)-1].subject = app.SubjectDrill(g.drill)
		return
	}
	now := g.now
	run := app.DrillRun{ID: g.drill, Scenario: "fire", Name: "楼栋火灾演练", StartedAt: now.Add(-20 * time.Minute), By: "trainer",
		EndedAt: &now, Score: &app.DrillScore{Met: 5, Total: 7, Percent: 71}}
	g.add(app.KindDrillStopped, app.SubjectDrill(g.drill), "trainer", true, run)
	g.drill = 0
}

func (g *benchGen) clip() {
	c := app.Clip{ID: fmt.Sprintf("clip-%d", g.seq), CameraID: "cam-1", From: g.now.Add(-45 * time.Second), To: g.now,
		File: fmt.Sprintf("/var/lib/watchpost/clips/clip-%d.mp4", g.seq), Bytes: 5_000_000, Reason: app.ClipForAlarm}
	if len(g.open) > 0 {
		c.AlarmID = g.open[len(g.open)-1].ID
	}
	g.add(app.KindClip, app.SubjectClip(c.ID), app.SystemActor, false, c)
}

// writeBenchJournal writes the day in transactions of 10,000 rows (the set-up, not the
// figure) and returns what it wrote by kind.
func writeBenchJournal(b *testing.B, st *store.Store, start time.Time) map[string]int {
	plans, err := assets.DefaultPlans()
	if err != nil {
		b.Fatal(err)
	}
	g := &benchGen{rnd: rand.New(rand.NewPCG(7, 8)), now: start, plan: plans[0], kinds: map[string]int{}}
	step := benchSpan / benchEntries
	db := st.DB()
	flush := func() {
		tx, err := db.Begin()
		if err != nil {
			b.Fatal(err)
		}
		stmt, err := tx.Prepare("INSERT INTO journal (seq, ts, kind, subject, operator, drill, data) VALUES (?, ?, ?, ?, ?, ?, ?)")
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range g.out {
			if _, err := stmt.Exec(r.seq, r.ts, r.kind, r.subject, r.operator, r.drill, r.data); err != nil {
				b.Fatal(err)
			}
		}
		stmt.Close()
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
		g.out = g.out[:0]
	}
	for g.seq < benchEntries {
		g.now = g.now.Add(step/2 + time.Duration(g.rnd.Int64N(int64(step))))
		switch k := g.rnd.IntN(1000); {
		case k < 5:
			g.alarm()
		case k < 20:
			g.alarmStep()
		case k < 22:
			g.clip()
		case k == 22 && g.rnd.IntN(8) == 0:
			g.incident()
		case k == 23 && g.rnd.IntN(125) == 0:
			g.drillStep()
		default:
			g.reading()
		}
		if len(g.out) >= 10000 {
			flush()
		}
	}
	flush()
	return g.kinds
}
