package report

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/assets"
	"watchpost/assets/i18n"
)

// The documents are built from the core's state alone: these fixtures are that state as
// the demo community would hold it, without a store.

var t0 = time.Date(2026, 11, 28, 9, 0, 0, 0, time.Local)

func at(m, s int) time.Time {
	return t0.Add(time.Duration(m)*time.Minute + time.Duration(s)*time.Second)
}

func demoSite(t *testing.T) *app.Site {
	t.Helper()
	site, err := assets.DemoSite()
	require.NoError(t, err)
	return site
}

func defaultPlan(t *testing.T, id string) app.Plan {
	t.Helper()
	plans, err := assets.DefaultPlans()
	require.NoError(t, err)
	for _, p := range plans {
		if p.ID == id {
			return p
		}
	}
	t.Fatalf("no default plan %s", id)
	return app.Plan{}
}

func defaultScenario(t *testing.T, id string) app.DrillScenario {
	t.Helper()
	all, err := assets.DefaultDrills()
	require.NoError(t, err)
	for _, s := range all {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("no default drill %s", id)
	return app.DrillScenario{}
}

var names = map[string]string{"commander": "王强", "duty": "李明", "trainer": "陈静"}

// reportContext is what the console gives a document, in lang.
func reportContext(t *testing.T, lang string, by string) Context {
	t.Helper()
	plans, err := assets.DefaultPlans()
	require.NoError(t, err)
	x := Context{Tr: i18n.For(lang), Site: demoSite(t), Version: "1.4.0",
		Names: func(u string) string { return names[u] },
		Plans: func(id string) (app.Plan, bool) {
			for _, p := range plans {
				if p.ID == id {
					return p, true
				}
			}
			return app.Plan{}, false
		}}
	if by != "" {
		x.By = &app.Operator{Username: by, Name: names[by]}
	}
	return x
}

func entry(t *testing.T, seq int64, when time.Time, kind app.EntryKind, subject, by string, data any) app.Entry {
	t.Helper()
	e := app.NewEntry(kind, subject, by, data)
	e.Seq, e.Time = seq, when
	return e
}

// incidentFixture is a closed fire incident with a late step, a skipped one, a raise of
// the level, calls, notes, an alarm resolved with it, and its timeline from the journal.
func incidentFixture(t *testing.T) app.IncidentReport {
	t.Helper()
	fire := defaultPlan(t, "fire-residential")
	a := app.Alarm{ID: 12, Kind: app.AlarmFire, Priority: app.P1, DeviceID: "smoke-b03-u2-12", GridID: "g1", Building: "b03",
		RaisedAt: t0, State: app.AlarmResolved, Outcome: app.OutcomeGenuine}
	a.SetParam(app.ParamTemperature, "61")
	in := app.Incident{ID: 7, Title: "3号楼2单元12层火警", PlanID: fire.ID, Plan: &fire, Level: app.LevelIII, State: app.IncidentClosed,
		AlarmIDs: []int64{a.ID}, DeviceIDs: []string{"smoke-b03-u2-12"}, GridID: "g1", Building: "b03",
		OpenedBy: "commander", OpenedAt: t0, ClosedBy: "commander", ClosedAt: at(42, 10), Outcome: app.OutcomeGenuine,
		Summary: "厨房油锅起火，已扑灭，无人员伤亡",
		Levels: []app.LevelChange{{To: app.LevelIV, By: "commander", ByName: "王强", At: t0},
			{From: app.LevelIV, To: app.LevelIII, By: "commander", ByName: "王强", At: at(3, 0), Reason: "确认明火"}},
		Progress: []app.StepProgress{
			{StepID: "verify", Status: app.StepDone, By: "commander", ByName: "王强", At: at(1, 30)},
			{StepID: "first-attack", Status: app.StepDone, By: "commander", ByName: "王强", At: at(6, 0)},
			{StepID: "notify", Status: app.StepSkipped, By: "commander", ByName: "王强", At: at(2, 0), Reason: "物业已在现场"},
			{StepID: "call-119", Status: app.StepDone, By: "commander", ByName: "王强", At: at(4, 15)},
		},
		Calls: []app.CallRecord{{Contact: "fire", Name: "消防救援", Phone: "119", Result: app.CallReached, By: "commander", ByName: "王强", At: at(4, 10)},
			{Contact: "grid_worker:g1", Name: "李秀英 (第一网格)", Phone: "13800138001", Result: app.CallNoAnswer, By: "commander", ByName: "王强", At: at(5, 0)}},
		Notes: []app.IncidentNote{{Text: "消防车 09:12 到达南门", By: "commander", ByName: "王强", At: at(12, 0)}},
	}
	opened := in
	opened.Level, opened.State, opened.Progress, opened.Calls, opened.Notes, opened.Levels = app.LevelIV, app.IncidentOpen, nil, nil, nil, nil
	level := in.Levels[1]
	timeline := []app.Entry{
		entry(t, 12, t0, app.KindAlarmRaised, "alarm:12", app.SystemActor, a),
		entry(t, 13, at(0, 20), app.KindIncidentOpened, "incident:7", "commander", opened),
		entry(t, 14, at(1, 30), app.KindIncidentStepDone, "incident:7", "commander", app.IncidentChange{Incident: 7, Step: "verify", Note: "保安已到场"}),
		entry(t, 15, at(2, 0), app.KindIncidentStepSkipped, "incident:7", "commander", app.IncidentChange{Incident: 7, Step: "notify", Reason: "物业已在现场"}),
		entry(t, 16, at(3, 0), app.KindIncidentLevelChanged, "incident:7", "commander", app.IncidentChange{Incident: 7, Level: &level}),
		entry(t, 17, at(4, 10), app.KindIncidentCallLogged, "incident:7", "commander", app.IncidentChange{Incident: 7, Call: &in.Calls[0]}),
		entry(t, 18, at(12, 0), app.KindIncidentNoteAdded, "incident:7", "commander", app.IncidentChange{Incident: 7, Note: "消防车 09:12 到达南门"}),
		entry(t, 19, at(42, 10), app.KindIncidentClosed, "incident:7", "commander",
			app.IncidentChange{Incident: 7, Outcome: app.OutcomeGenuine, Summary: in.Summary, Resolved: []int64{12}}),
	}
	return app.BuildReport(in, []app.Alarm{a}, timeline, at(43, 0))
}

// debriefFixture is the ended run 40 of the high-rise fire drill: one drill alarm
// acknowledged in time, the incident opened with the expected plan, a late step, a skipped
// one and one the drill stopped before; what was injected (one injection failed), an
// earlier run to compare, and the drill's timeline.
func debriefFixture(t *testing.T) app.DrillDebrief {
	t.Helper()
	sc := defaultScenario(t, "fire-building")
	ended := at(9, 0)
	ack, opened, verify, skip := at(0, 40), at(1, 30), at(4, 0), at(3, 0)
	score := app.DrillScore{
		Alarms: []app.DrillAlarmScore{{Alarm: 41, Kind: app.AlarmFire,
			DrillCheck: app.DrillCheck{From: at(0, 10), Limit: app.Duration(time.Minute), At: &ack, Took: app.Duration(30 * time.Second), By: "duty", State: app.CheckMet}}},
		Incident: app.DrillCheck{From: at(0, 10), Limit: app.Duration(3 * time.Minute), At: &opened, Took: app.Duration(80 * time.Second), By: "commander", State: app.CheckMet, ID: 44},
		PlanUsed: "fire-residential",
		Steps: []app.DrillStepScore{
			{Step: "verify", Title: "调取监控并派保安到场核实", TitleEn: "Check the cameras and send a guard to verify",
				DrillCheck: app.DrillCheck{From: opened, Limit: app.Duration(2 * time.Minute), At: &verify, Took: app.Duration(150 * time.Second), By: "duty", State: app.CheckLate}},
			{Step: "notify", Title: "通知物业", TitleEn: "Notify property management",
				DrillCheck: app.DrillCheck{From: opened, Limit: app.Duration(5 * time.Minute), At: &skip, Took: app.Duration(90 * time.Second), By: "commander", State: app.CheckMet, Skipped: true, Reason: "物业已在现场"}},
			{Step: "evacuate", Title: "组织疏散", TitleEn: "Evacuate",
				DrillCheck: app.DrillCheck{From: opened, Limit: app.Duration(10 * time.Minute), State: app.CheckNotReached}},
		},
		Met: 3, Late: 1, NotReached: 1, Total: 5, Percent: 75,
	}
	run := app.DrillRun{ID: 40, Scenario: sc.ID, Name: sc.Name, NameEn: sc.NameEn, PlanID: sc.PlanID, Cameras: []string{"cam-b03-corridor"},
		StartedAt: t0, Version: 1, By: "trainer", EndedAt: &ended, EndedBy: "trainer", Score: &score}
	earlierEnd := t0.Add(-24*time.Hour + 11*time.Minute)
	earlier := app.DrillRun{ID: 30, Scenario: sc.ID, Name: sc.Name, NameEn: sc.NameEn, PlanID: sc.PlanID, StartedAt: t0.Add(-24 * time.Hour),
		Version: 1, By: "trainer", EndedAt: &earlierEnd, EndedBy: "trainer",
		Score: &app.DrillScore{Incident: app.DrillCheck{State: app.CheckLate, At: &earlierEnd, Took: app.Duration(4 * time.Minute)}, Met: 1, Late: 2, Missed: 1, Total: 4, Percent: 25}}
	injections := []app.DrillInjection{
		{Run: 40, At: sc.Injections[0].At, What: app.InjectNote, Note: sc.Injections[0].Note, NoteEn: sc.Injections[0].NoteEn},
		{Run: 40, At: sc.Injections[1].At, What: app.InjectDevice, Device: sc.Injections[1].Device, Alarms: []int64{41}},
		{Run: 40, At: sc.Injections[5].At, What: app.InjectDetection, Camera: sc.Injections[5].Camera},
		{Run: 40, At: sc.Injections[6].At, What: app.InjectDevice, Device: sc.Injections[6].Device, Error: "The device path is not running"},
	}
	drillAlarm := app.Alarm{ID: 41, Kind: app.AlarmFire, Priority: app.P1, DeviceID: "smoke-b03-u2-12", RaisedAt: at(0, 10), Drill: true}
	drillAlarm.SetParam(app.ParamTemperature, "58")
	fire := defaultPlan(t, "fire-residential")
	inc := app.Incident{ID: 44, Title: "演练：3号楼火警", PlanID: fire.ID, Plan: &fire, Level: app.LevelIV, State: app.IncidentOpen,
		OpenedBy: "commander", OpenedAt: opened, Drill: true}
	stopped := run
	timeline := []app.Entry{
		entry(t, 40, t0, app.KindDrillStarted, "drill:40", "trainer", run),
		entry(t, 41, at(0, 10), app.KindAlarmRaised, "alarm:41", app.SystemActor, drillAlarm),
		entry(t, 42, at(0, 10), app.KindDrillInjected, "drill:40", app.SystemActor, injections[1]),
		entry(t, 44, opened, app.KindIncidentOpened, "incident:44", "commander", inc),
		entry(t, 45, verify, app.KindIncidentStepDone, "incident:44", "duty", app.IncidentChange{Incident: 44, Step: "verify"}),
		entry(t, 46, at(3, 0), app.KindDrillInjected, "drill:40", app.SystemActor, injections[2]),
		entry(t, 47, ended, app.KindDrillStopped, "drill:40", "trainer", stopped),
	}
	return app.DrillDebrief{Run: run, Scenario: &sc, Score: score, Final: true, Injections: injections, Timeline: timeline,
		History: []app.DrillRun{earlier, run}, End: ended, Made: at(10, 0)}
}
