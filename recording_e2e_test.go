package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/assets"
	"watchpost/store"
	"watchpost/video"
	"watchpost/video/sim"
)

// Recording through the real parts: the SQLite store and its journal, the alarm desk,
// incident command, the RTSP simulator over loopback, the recorder's taps and MP4 writer.
// ffprobe judges the files.

var (
	recDuty      = &app.Operator{Username: "duty", Name: "李明", Role: app.RoleOperator}
	recCommander = &app.Operator{Username: "commander", Name: "王强", Role: app.RoleCommander}
	recTrainer   = &app.Operator{Username: "trainer", Name: "陈静", Role: app.RoleTrainer}
)

// recRig is a console's core with two simulated cameras (cam1 looks at the place of the
// alarms, cam2 stands 50 m away).
type recRig struct {
	dir   string
	st    *store.Store
	core  *app.Core
	clips *video.Recorder
	r     *app.Recording
	place app.Point
}

// recRefusingAddr returns a loopback address where connections are refused (cameras that
// are switched off): a socket bound there and never listening holds the port for the test.
func recRefusingAddr(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	require.NoError(t, err)
	t.Cleanup(func() { syscall.Close(fd) })
	require.NoError(t, syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}))
	sa, err := syscall.Getsockname(fd)
	require.NoError(t, err)
	return fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port)
}

func newRecRig(t *testing.T, cfg app.RecordingConfig, withCameras bool) *recRig {
	t.Helper()
	quiet := slog.New(slog.DiscardHandler)
	g := &recRig{dir: t.TempDir(), place: app.Point{X: 50, Y: 60}}

	// The two cameras are simulated (on a port the simulator chooses), or switched off.
	var rtsp string
	if withCameras {
		s := startSimulator(t, sim.Config{Address: "127.0.0.1:0", Log: quiet,
			Main:    sim.Profile{Width: 640, Height: 360, FPS: 15, BitrateKbps: 600},
			Sub:     sim.Profile{Width: 320, Height: 180, FPS: 15, BitrateKbps: 200},
			Cameras: []sim.Camera{{ID: "cam1", Name: "cam1"}, {ID: "cam2", Name: "cam2", Variant: 1}}})
		rtsp = s.Addr()
	} else {
		rtsp = recRefusingAddr(t)
	}
	site := &app.Site{ID: "rec", Names: app.Names{Name: "录像测试"}, Demo: true, Boundary: app.Polygon{{X: 0, Y: 0}, {X: 200, Y: 0}, {X: 200, Y: 200}, {X: 0, Y: 200}}}
	for i, pos := range []app.Point{{X: 50, Y: 50}, {X: 100, Y: 60}} {
		id := fmt.Sprintf("cam%d", i+1)
		site.Cameras = append(site.Cameras, app.Camera{ID: id, Names: app.Names{Name: id}, Position: pos, Direction: 0,
			MainURL: fmt.Sprintf("rtsp://%s/%s/main", rtsp, id), SubURL: fmt.Sprintf("rtsp://%s/%s/sub", rtsp, id)})
	}
	demo, err := assets.DemoSite()
	require.NoError(t, err)
	site.Contacts = demo.Contacts // the default plans call them
	// The core on this two-camera site with the default plans; no accounts, supply points
	// or drill scenarios (the tests sign no one in and run no drill scenario).
	g.core, g.st = newCore(t, g.dir, app.Seeds{DemoSite: func() (*app.Site, error) { return site, nil }, Plans: assets.DefaultPlans})

	feeds := video.NewFeeds(site.Cameras, video.Config{}, nil, nil)
	g.clips = video.NewRecorder(feeds, video.RecorderConfig{Dir: filepath.Join(g.dir, "clips"), Log: quiet})
	runFeeds(t, feeds, app.Part{Name: "clips", Label: "Recording", Runner: g.clips})
	g.r = g.core.UseRecording(g.clips, cfg)
	return g
}

// run runs the service as the console does: its part after the recorder's, so that it
// stops first and finishes its clips while the recorder still runs. It is subscribed since
// NewRecording: an alarm the test raises before its Run goes is handled when it runs.
func (g *recRig) run(t *testing.T) {
	runParts(t, app.Part{Name: "recording", Label: "Recording", Runner: g.r})
}

// waitHeld waits until both cameras are received and hold d before now.
func (g *recRig) waitHeld(t *testing.T, d time.Duration) {
	t.Helper()
	require.Eventually(t, func() bool {
		st := g.r.Status()
		return st.Receiving == 2 && st.Held >= d
	}, 30*time.Second, 50*time.Millisecond, "the cameras are not recorded: %+v", g.r.Status())
}

// entries returns the journal's entries of a kind.
func (g *recRig) entries(t *testing.T, kind app.EntryKind) []app.Entry {
	t.Helper()
	es, err := g.st.Query(context.Background(), app.JournalQuery{Kinds: []app.EntryKind{kind}})
	require.NoError(t, err)
	return es
}

// waitClips waits for n video.clip entries and returns their clips.
func (g *recRig) waitClips(t *testing.T, n int) []app.Clip {
	t.Helper()
	var es []app.Entry
	require.Eventually(t, func() bool { es = g.entries(t, app.KindClip); return len(es) >= n }, 60*time.Second, 100*time.Millisecond,
		"no %d video.clip entries: %+v", n, g.r.Status())
	out := make([]app.Clip, len(es))
	for i := range es {
		require.NoError(t, es[i].Decode(&out[i]))
		assert.Equal(t, app.SubjectClip(out[i].ID), es[i].Subject)
		assert.Equal(t, app.SystemActor, es[i].Operator)
	}
	return out
}

func clipSeconds(t *testing.T, file string) float64 {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", file).Output()
	require.NoError(t, err, file)
	d, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	require.NoError(t, err)
	return d
}

func recNeedFFprobe(t *testing.T) {
	if _, err := exec.LookPath("ffprobe"); err != nil {
		t.Skip("ffprobe is not installed (make test installs it)")
	}
}

// An alarm raised through the real alarm desk: the cameras that see its place are
// recorded from before it to after it, each clip is a file that plays, journaled as
// video.clip with the alarm (and the incident opened meanwhile), and who plays it is
// journaled too.
func TestAnAlarmOnTheDeskIsRecorded(t *testing.T) {
	recNeedFFprobe(t)
	ctx := context.Background()
	cfg := app.RecordingConfig{Pre: app.Duration(2 * time.Second), Post: app.Duration(3 * time.Second)}
	g := newRecRig(t, cfg, true)
	g.run(t)
	g.waitHeld(t, 2*time.Second)

	place := g.place
	a, err := g.core.Desk.Raise(ctx, nil, app.Alarm{Kind: "smoke", Priority: app.P1, Cause: "烟感报警 smoke", Position: &place})
	require.NoError(t, err)
	in, err := g.core.Incidents.Open(ctx, recCommander, app.OpenRequest{PlanID: "fire-residential", AlarmID: a.ID})
	require.NoError(t, err)
	assert.Eventually(t, func() bool { return g.r.Pending(a.ID) == 2 }, 15*time.Second, 10*time.Millisecond, "two clips being recorded")

	clips := g.waitClips(t, 2)
	cams := map[string]app.Clip{}
	for _, c := range clips {
		cams[c.CameraID] = c
		assert.Equal(t, a.ID, c.AlarmID)
		assert.Equal(t, in.ID, c.IncidentID, "the incident opened during the clip is linked")
		assert.Equal(t, app.ClipForAlarm, c.Reason)
		assert.Equal(t, "main", c.Stream)
		assert.Equal(t, "H.264", c.Codec)
		fi, err := os.Stat(c.File)
		require.NoError(t, err)
		assert.Equal(t, fi.Size(), c.Bytes)
		assert.True(t, strings.HasPrefix(c.File, filepath.Join(g.dir, "clips")+string(filepath.Separator)), c.File)
		// From before the alarm (Pre, back to a key frame) to after it; how many pictures a
		// busy machine let the camera send in that window is the recorder's test's (video/).
		assert.False(t, c.From.After(a.RaisedAt.Add(-2*time.Second)), "from before the alarm")
		assert.True(t, c.To.After(a.RaisedAt), "to after it")
		assert.InDelta(t, c.To.Sub(c.From).Seconds(), clipSeconds(t, c.File), 0.1, "the journal says what the file holds")
	}
	assert.Contains(t, cams, "cam1", "the camera that sees the place")
	assert.Contains(t, cams, "cam2", "and the nearest other")

	assert.Len(t, g.r.Clips(app.ClipQuery{AlarmID: a.ID}), 2, "the desk finds them")
	kept, err := g.st.Clips(ctx)
	require.NoError(t, err)
	assert.Len(t, kept, 2, "the store's index has them")
	assert.Zero(t, g.r.Pending(a.ID))

	c, err := g.r.Open(ctx, recDuty, cams["cam1"].ID)
	require.NoError(t, err)
	assert.Equal(t, cams["cam1"].File, c.File)
	opened := g.entries(t, app.KindClipOpened)
	require.Len(t, opened, 1)
	assert.Equal(t, "duty", opened[0].Operator, "who looked at the evidence, and when")
	_, err = g.r.Open(ctx, nil, cams["cam1"].ID)
	assert.True(t, app.IsCode(err, app.CodeUnauthenticated))

	// A fault of the system is not recorded.
	fault, err := g.core.Desk.Raise(ctx, nil, app.Alarm{Kind: "device_offline", Priority: app.P3, Fault: true, Cause: "offline", Position: &place})
	require.NoError(t, err)

	// An alarm of a time before what the buffers hold gets no clip: a note on the alarm
	// says why, and recording itself stays healthy (no error for the status bar).
	old, err := g.core.Desk.Raise(ctx, nil, app.Alarm{Kind: "smoke", Priority: app.P1, DeviceID: "smoke-old", Position: &place,
		RaisedAt: time.Now().Add(-8 * 24 * time.Hour)})
	require.NoError(t, err)
	var notes []app.Entry
	require.Eventually(t, func() bool { notes = g.entries(t, app.KindClipMissing); return len(notes) >= 2 }, 30*time.Second, 50*time.Millisecond)

	// Recording takes alarms in the order they were raised: once it has answered the later
	// alarm, it has decided about the fault. Whatever it started for the fault is finished
	// once nothing is pending; then the fault has no clip, no note and nothing recorded.
	require.Eventually(t, func() bool { return g.r.Pending(0) == 0 }, 30*time.Second, 50*time.Millisecond,
		"every clip started is finished")
	assert.Empty(t, g.r.Clips(app.ClipQuery{AlarmID: fault.ID}), "a fault of the system is not recorded")
	for _, kind := range []app.EntryKind{app.KindClip, app.KindClipMissing} {
		for _, e := range g.entries(t, kind) {
			var c struct {
				AlarmID int64 `json:"alarm"` // Clip and ClipMissing both name it so
			}
			require.NoError(t, e.Decode(&c))
			assert.NotEqual(t, fault.ID, c.AlarmID, "%s of the fault: %s", kind, e.Data)
			assert.NotEqual(t, app.SubjectAlarm(fault.ID), e.Subject, "%s on the fault: %s", kind, e.Data)
		}
	}
	kept, err = g.st.Clips(ctx)
	require.NoError(t, err)
	assert.Len(t, kept, 2, "only the first alarm's clips are kept")
	for _, n := range notes {
		assert.Equal(t, app.SubjectAlarm(old.ID), n.Subject, "the note is on the alarm")
		var m app.ClipMissing
		require.NoError(t, n.Decode(&m))
		assert.Equal(t, "The camera's buffer held no video of that time", m.Why)
	}
	assert.Nil(t, g.r.Status().LastError, "a clip of a time never buffered is not a failure of recording")
	hist, err := g.core.Desk.History(ctx, old.ID)
	require.NoError(t, err)
	assert.Equal(t, app.KindClipMissing, hist[len(hist)-1].Kind, "the operator reads it in the alarm's history")
}

// While a drill runs, its cameras are recorded, up to Post after it stops.
func TestADrillsCamerasAreRecorded(t *testing.T) {
	recNeedFFprobe(t)
	ctx := context.Background()
	g := newRecRig(t, app.RecordingConfig{Pre: app.Duration(time.Second), Post: app.Duration(time.Second)}, true)
	g.run(t)
	g.waitHeld(t, time.Second)
	started, err := g.core.Recorder.Record(ctx, app.NewEntry(app.KindDrillStarted, "", recTrainer.Username,
		app.DrillRun{Scenario: "fire", Name: "消防演练", Cameras: []string{"cam2"}, StartedAt: time.Now(), By: recTrainer.Username}))
	require.NoError(t, err)
	run := started[0].Seq
	time.Sleep(3 * time.Second) // the drill lasts a while (not a wait for anything)
	end := time.Now()
	_, err = g.core.Recorder.Record(ctx, app.NewEntry(app.KindDrillStopped, app.SubjectDrill(run), recTrainer.Username,
		app.DrillRun{ID: run, Scenario: "fire", EndedAt: &end, By: recTrainer.Username}))
	require.NoError(t, err)

	clips := g.waitClips(t, 1)
	require.Len(t, clips, 1)
	c := clips[0]
	assert.Equal(t, "cam2", c.CameraID)
	assert.Equal(t, run, c.DrillRun)
	assert.Equal(t, app.ClipForDrill, c.Reason)
	// From before the drill (Pre, back to a key frame) to after its stop, as long as the
	// file is, whatever time each step took on a busy machine.
	assert.False(t, c.From.After(started[0].Time.Add(-time.Second)), "from before the drill")
	assert.True(t, c.To.After(end), "to after its stop")
	assert.InDelta(t, c.To.Sub(c.From).Seconds(), clipSeconds(t, c.File), 0.1, "the journal says what the file holds")
	es := g.entries(t, app.KindClip)
	assert.True(t, es[0].Drill, "marked as drill in the journal")
}

// Retention deletes the oldest clips first, by age and then by size, journals each
// deletion, and never deletes a clip of an open alarm or a running incident.
func TestRetentionDeletesTheOldestButNeverAnOpenCase(t *testing.T) {
	ctx := context.Background()
	g := newRecRig(t, app.RecordingConfig{MaxAge: app.Duration(30 * 24 * time.Hour), MaxBytes: 3500}, false)
	place := g.place
	open, err := g.core.Desk.Raise(ctx, nil, app.Alarm{Kind: "sos", Priority: app.P1, Cause: "SOS", Position: &place})
	require.NoError(t, err)
	fire, err := g.core.Desk.Raise(ctx, nil, app.Alarm{Kind: "smoke", Priority: app.P1, Cause: "smoke", Position: &place})
	require.NoError(t, err)
	in, err := g.core.Incidents.Open(ctx, recCommander, app.OpenRequest{PlanID: "fire-residential", AlarmID: fire.ID})
	require.NoError(t, err)
	_, err = g.core.Desk.Resolve(ctx, recDuty, fire.ID, app.OutcomeGenuine, "")
	require.NoError(t, err, "the alarm is resolved; its incident runs on")

	// Six clips of 1000 bytes, 50 days to 1 day old, written as the recorder would have.
	now := time.Now()
	day := 24 * time.Hour
	mk := func(name string, age time.Duration, alarm, incident int64) app.Clip {
		file := filepath.Join(g.dir, "clips", "old", name+".mp4")
		require.NoError(t, os.MkdirAll(filepath.Dir(file), 0o755))
		require.NoError(t, os.WriteFile(file, make([]byte, 1000), 0o644))
		c := app.Clip{ID: name, CameraID: "cam1", From: now.Add(-age), To: now.Add(-age + 45*time.Second), File: file, Bytes: 1000,
			AlarmID: alarm, IncidentID: incident, Reason: app.ClipForAlarm}
		_, err := g.core.Recorder.Record(ctx, app.NewEntry(app.KindClip, app.SubjectClip(name), app.SystemActor, c))
		require.NoError(t, err)
		return c
	}
	old := mk("c1-old", 50*day, 0, 0)
	openAlarm := mk("c2-open-alarm", 40*day, open.ID, 0)
	running := mk("c3-running-incident", 35*day, fire.ID, in.ID)
	c4 := mk("c4", 3*day, 0, 0)
	c5 := mk("c5", 2*day, 0, 0)
	c6 := mk("c6", day, 0, 0)

	g.run(t) // reads the index from the store, applies retention
	var deleted []app.ClipDeletion
	require.Eventually(t, func() bool {
		deleted = nil
		for _, e := range g.entries(t, app.KindClipDeleted) {
			var d app.ClipDeletion
			require.NoError(t, e.Decode(&d))
			deleted = append(deleted, d)
		}
		return len(deleted) >= 3
	}, 10*time.Second, 50*time.Millisecond)
	assert.Equal(t, []app.ClipDeletion{
		{Clip: old.ID, File: old.File, CameraID: "cam1", Bytes: 1000, Why: app.ClipTooOld},
		{Clip: c4.ID, File: c4.File, CameraID: "cam1", Bytes: 1000, Why: app.ClipOverSize},
		{Clip: c5.ID, File: c5.File, CameraID: "cam1", Bytes: 1000, Why: app.ClipOverSize},
	}, deleted, "the too old one, then the oldest ones over the size; never the open cases")
	for _, c := range []app.Clip{old, c4, c5} {
		assert.NoFileExists(t, c.File)
	}
	for _, c := range []app.Clip{openAlarm, running, c6} {
		assert.FileExists(t, c.File)
	}
	kept, err := g.st.Clips(ctx)
	require.NoError(t, err)
	var ids []string
	for _, c := range kept {
		ids = append(ids, c.ID)
	}
	assert.Equal(t, []string{openAlarm.ID, running.ID, c6.ID}, ids, "the store's index follows the journal")
	st := g.r.Status()
	assert.Equal(t, int64(3000), st.Bytes)
	assert.Equal(t, 3, st.Clips)

	// Once the alarm is resolved and the incident closed, their old clips go too.
	_, err = g.core.Desk.Acknowledge(ctx, recDuty, open.ID, "")
	require.NoError(t, err)
	_, err = g.core.Desk.Resolve(ctx, recDuty, open.ID, app.OutcomeFalse, "")
	require.NoError(t, err)
	require.NoError(t, g.r.Retain(ctx))
	assert.FileExists(t, running.File, "the incident still runs")
	assert.NoFileExists(t, openAlarm.File)
	_, err = g.core.Incidents.Close(ctx, recCommander, in.ID, app.CloseRequest{Summary: "火已扑灭 put out", Outcome: app.OutcomeGenuine, Alarms: app.AlarmsResolve})
	require.NoError(t, err)
	require.NoError(t, g.r.Retain(ctx))
	assert.NoFileExists(t, running.File)
	assert.FileExists(t, c6.File)
}
