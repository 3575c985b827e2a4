package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// reportFixture is a closed fire incident with a late step, a skipped one, a raise of the
// level, calls, notes and an alarm.
func reportFixture(t *testing.T, c *Console) app.IncidentReport {
	t.Helper()
	fire, ok := c.deps.Plans.Get("fire-residential")
	require.True(t, ok)
	t0 := time.Date(2026, 11, 28, 9, 0, 0, 0, time.Local)
	at := func(m, s int) time.Time { return t0.Add(time.Duration(m)*time.Minute + time.Duration(s)*time.Second) }
	a, err := c.deps.Desk.Raise(context.Background(), nil, app.Alarm{Kind: app.AlarmFire, Priority: app.P1, Cause: "x", DeviceID: "smoke-b03-u2-12", GridID: "g1", Building: "b03", RaisedAt: t0})
	require.NoError(t, err)
	in := app.Incident{ID: 7, Title: "3号楼2单元12层火警", PlanID: fire.ID, Plan: &fire, Level: app.LevelIII, State: app.IncidentClosed,
		AlarmIDs: []int64{a.ID}, DeviceIDs: []string{"smoke-b03-u2-12"}, GridID: "g1", Building: "b03",
		OpenedBy: "commander", OpenedAt: t0, ClosedBy: "commander", ClosedAt: at(42, 10), Summary: "厨房油锅起火，已扑灭，无人员伤亡",
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
	got, _ := c.deps.Desk.Get(context.Background(), a.ID)
	return app.BuildReport(in, []app.Alarm{got}, nil, at(43, 0))
}

func TestReportShowsStepsAgainstTheirLimits(t *testing.T) {
	c := newTestConsole(t, enConfig())
	r := reportFixture(t, c)
	b, err := c.reportHTML(r, &app.Operator{Username: "commander", Name: "王强"})
	require.NoError(t, err)
	html := string(b)
	for _, want := range []string{
		`<html lang="en">`, "Incident report #7", "3号楼2单元12层火警", "厨房油锅起火，已扑灭，无人员伤亡",
		"Fire in a residential building (fire-residential, v1)", "Duration", "42:10",
		// verify: done at +01:30 against +02:00.
		`<tr class="done"><td class="num">&#43;01:30</td><td>Check the cameras and send a guard to verify</td>`,
		// first-attack: done at +06:00 against +05:00: late by a minute.
		`<td class="st">Late 06:00 / 05:00 (&#43;01:00)</td>`, `<td class="st">Done 01:30 / 02:00</td>`,
		// call-119 came with level III at +03:00: its limit counts from there.
		"&#43;03:00 from &#43;03:00", "物业已在现场", `<tr class="skipped">`,
		"Not done (overdue)", "Level IV → Level III", "确认明火",
		"消防救援", "Reached", "No answer", "消防车 09:12 到达南门", "Fire alarm", "Smoke detector",
		"@media print", "@page",
	} {
		assert.Contains(t, html, want)
	}
	for _, external := range []string{"<script", "<link", "http://", "https://", "<img"} {
		assert.NotContains(t, html, external, "self-contained")
	}
	assert.Equal(t, 3, r.Counts.Done)
	assert.Equal(t, 1, r.Counts.Late)
	assert.Equal(t, 1, r.Counts.Skipped)
}

func TestReportInChinese(t *testing.T) {
	c := newTestConsole(t, app.Config{Language: "zh-CN"})
	r := reportFixture(t, c)
	b, err := c.reportHTML(r, nil)
	require.NoError(t, err)
	html := string(b)
	for _, want := range []string{`<html lang="zh-CN">`, "事件报告 #7", "住宅楼火灾应急预案", "调取监控并派保安到场核实", "超时 06:00 / 05:00 (&#43;01:00)", "已跳过", "已接通", "无人接听", "检查清单", "Ⅲ级"} {
		assert.Contains(t, html, want)
	}
	path, err := c.deps.Reports.SaveReport("incident-7.html", b)
	require.NoError(t, err)
	assert.True(t, strings.HasSuffix(path, "incident-7.html"))
}
