package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// The report package writes what a report says (its tests read every part in both
// languages); the console gives it the operator's language, the site, the operators'
// names and its version, and saves the page under a name that says which incident, when
// and in what language.
func TestTheConsolesReportIsInItsLanguage(t *testing.T) {
	c := newTestConsole(t, app.Config{Language: "zh-CN"})
	ctx := context.Background()
	op := signInAs(t, c, "commander")
	a := raise(t, c, app.Alarm{Kind: app.AlarmFire, Priority: app.P1, DeviceID: "smoke-b03-u2-12", GridID: "g1", Building: "b03"})
	in, err := c.core.Incidents.Open(ctx, op, app.OpenRequest{Title: "3号楼2单元12层火警", PlanID: "fire-residential", AlarmID: a.ID})
	require.NoError(t, err)
	_, err = c.core.Incidents.Skip(ctx, op, in.ID, "notify", "物业已在现场")
	require.NoError(t, err)

	path, doc, err := c.writeReport(ctx, op, in.ID)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(filepath.Base(path), fmt.Sprintf("incident-%d-", in.ID)), path)
	assert.True(t, strings.HasSuffix(path, "-zh-CN.html"), path)
	assert.Equal(t, fmt.Sprintf("事件报告 #%d", in.ID), doc.Heading, "what the console shows where no browser opens it")
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	html := string(b)
	for _, want := range []string{
		`<html lang="zh-CN">`, doc.Heading, "阳光花园社区 · 3号楼2单元12层火警", "住宅楼火灾应急预案", "调取监控并派保安到场核实",
		"已跳过", "物业已在现场", "#" + fmt.Sprint(a.ID) + " 火警", "3号楼2单元12层烟感",
		"· 王强",                 // who opened it: the commander's name from the accounts
		"由守望 test 于", "生成人：王强", // the console's version, and who made the report
	} {
		assert.Contains(t, html, want)
	}
}

// The window and its documents read one lookup: after the operator switches the window
// to Chinese, the next report is in Chinese, as the window is.
func TestAReportFollowsTheWindowsLanguage(t *testing.T) {
	c := newTestConsole(t, enConfig())
	ctx := context.Background()
	c.shell.show("settings")
	sel := findSelect(c.win.Content(), "English")
	require.NotNil(t, sel)
	sel.SetSelected("中文（简体）")
	require.Eventually(t, func() bool { return contains(visibleTexts(c.win.Content()), "小区设施") }, 15*time.Second, 10*time.Millisecond)

	op := signInAs(t, c, "commander")
	a := raise(t, c, app.Alarm{Kind: app.AlarmFire, Priority: app.P1, DeviceID: "smoke-b03-u2-12", GridID: "g1", Building: "b03"})
	in, err := c.core.Incidents.Open(ctx, op, app.OpenRequest{Title: "3号楼火警", PlanID: "fire-residential", AlarmID: a.ID})
	require.NoError(t, err)
	path, doc, err := c.writeReport(ctx, op, in.ID)
	require.NoError(t, err)
	assert.Equal(t, "zh-CN", doc.Lang)
	assert.Equal(t, T("Incident report")+fmt.Sprintf(" #%d", in.ID), doc.Heading, "the heading the window would show")
	assert.Equal(t, fmt.Sprintf("事件报告 #%d", in.ID), doc.Heading)
	assert.True(t, strings.HasSuffix(path, "-zh-CN.html"), path)
}
