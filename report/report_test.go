package report

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"watchpost/app"
	"watchpost/assets"
	"watchpost/assets/i18n"
)

func TestIncidentReportInChinese(t *testing.T) {
	r := incidentFixture(t)
	page := render(t, Incident(reportContext(t, "zh-CN", "commander"), r))
	for _, want := range []string{
		`<html lang="zh-CN">`, "事件报告 #7", "阳光花园社区 · 3号楼2单元12层火警", "住宅楼火灾应急预案 (fire-residential, v0)",
		"调取监控并派保安到场核实", "完成 01:30 / 02:00", "超时 06:00 / 05:00 (&#43;01:00)", "&#43;03:00 自 &#43;03:00 起",
		"已跳过", "物业已在现场", "未完成 (已超时)", "检查清单", "Ⅳ级 → Ⅲ级", "确认明火", "已接通", "无人接听",
		"第一网格 (网格员 李秀英 13800138001)", "#12 火警", "3号楼2单元12层烟感 (61 °C)", "已处置", "真实警情",
		"按预案“住宅楼火灾应急预案”启动事件，Ⅳ级响应", "跳过步骤: 通知物业、网格员和楼栋长 — 物业已在现场",
		"一并处置完毕的报警：#12", "系统", "由守望 1.4.0 于 2026-11-28 09:43:00 生成，生成人：王强", "@media print", "@page",
	} {
		assert.Contains(t, page, want)
	}
	assertTranslated(t, page, "zh-CN", idWords(r.Incident.PlanID, "smoke-b03-u2-12"))
	assertSelfContained(t, page)
	assert.Equal(t, 3, r.Counts.Done)
	assert.Equal(t, 1, r.Counts.Late)
	assert.Equal(t, 1, r.Counts.Skipped)
}

func TestIncidentReportInEnglish(t *testing.T) {
	r := incidentFixture(t)
	page := render(t, Incident(reportContext(t, "en", "commander"), r))
	for _, want := range []string{
		`<html lang="en">`, "Incident report #7", "Sunshine Garden Community · 3号楼2单元12层火警",
		"Fire in a residential building (fire-residential, v0)", "Duration", "42:10",
		// verify: done at +01:30 against +02:00.
		`<tr class="done"><td class="num">&#43;01:30</td><td>Check the cameras and send a guard to verify</td>`,
		// first-attack: done at +06:00 against +05:00: late by a minute.
		`<td class="st">Late 06:00 / 05:00 (&#43;01:00)</td>`, `<td class="st">Done 01:30 / 02:00</td>`,
		// call-119 came with level III at +03:00: its limit counts from there.
		"&#43;03:00 from &#43;03:00", "物业已在现场", `<tr class="skipped">`, `<td class="st">Skipped</td>`,
		"Not done (overdue)", "Level IV → Level III", "确认明火", "Grid 1 (grid worker 李秀英 13800138001)",
		"消防救援", "Reached", "No answer", "消防车 09:12 到达南门", "#12 Fire alarm", "Smoke detector, Bldg 3, Unit 2, 12F (61 °C)",
		"Resolved", "Real incident", "Incident opened with plan Fire in a residential building at Level IV",
		"alarms resolved with it: #12", "Made by Watchpost 1.4.0 on 2026-11-28 09:43:00 by 王强; the journal is the record.",
	} {
		assert.Contains(t, page, want)
	}
	assertTranslated(t, page, "en", nil)
	assertSelfContained(t, page)
}

func TestDebriefInChinese(t *testing.T) {
	d := debriefFixture(t)
	page := render(t, Debrief(reportContext(t, "zh-CN", "trainer"), d))
	for _, want := range []string{
		`<html lang="zh-CN">`, "演练复盘报告 #40", `<span class="drill">演练</span>`, "阳光花园社区 · 3号楼高层住宅火灾演练",
		"3号楼高层住宅火灾演练 (fire-building, v1)", "#44 · 住宅楼火灾应急预案 (fire-residential)", "2026-11-28 09:09:00 · 陈静",
		"3号楼1单元走廊", "3号楼2单元12层厨房起火", "得分 75%", "按时 3 项", "逾时完成 1 项", "未到时限 1 项（演练结束时尚未到时限，不计入得分）",
		"平均确认用时：00:30", "#41 火警 (报警于 &#43;00:10)", `<tr class="late">`, "已跳过: 物业已在现场", `<tr class="notreached">`,
		"演练开始。12层住户致电值班室", "完成 · 报警 #41", "3号楼1单元走廊 · 人群聚集 · 14 人", "注入失败: 设备接入未运行",
		"04:00 (超时)", "01:20 ✓", "演练结束 — 得分 75%", "注入: smoke-b03-u2-12 的消息", "培训员",
	} {
		assert.Contains(t, page, want)
	}
	// The devices' own payloads (their event and fields) are shown as the device sent them.
	assertTranslated(t, page, "zh-CN", idWords("fire-residential", "fire-building", "smoke-b03-u2-12", "cam-b03-corridor",
		"alarm", "held_open", "smoke=true temperature open_seconds"))
	assertSelfContained(t, page)
}

func TestDebriefInEnglish(t *testing.T) {
	d := debriefFixture(t)
	page := render(t, Debrief(reportContext(t, "en", "trainer"), d))
	for _, want := range []string{
		`<html lang="en">`, "Drill debrief #40", `<span class="drill">DRILL</span>`, "High-rise fire drill, Building 3 (fire-building, v1)",
		"Building 3, Unit 1 corridor", "A kitchen fire on the 12th floor", "Score 75%", "3 in time",
		"1 not reached (the drill stopped before their limit; not counted in the score)", "Mean time to acknowledge: 00:30",
		"#41 Fire alarm (raised &#43;00:10)", "With the plan Fire in a residential building (fire-residential)",
		"Skipped: 物业已在现场", "Not reached", "Note: The drill starts.", "Done · alarm #41",
		"Injection failed: The device path is not running", "Runs of this scenario", "04:00 (late)",
		"Drill stopped — Score 75%", "Injected: detection on cam-b03-corridor", "Trainer",
	} {
		assert.Contains(t, page, want)
	}
	assertTranslated(t, page, "en", nil)
	assertSelfContained(t, page)
}

// A debrief made while the drill runs says so, and one with no incident says that.
func TestDebriefOfARunningDrill(t *testing.T) {
	d := debriefFixture(t)
	d.Final, d.Run.EndedAt, d.Run.EndedBy = false, nil, ""
	d.Score.Incident = app.DrillCheck{State: app.CheckWaiting}
	page := render(t, Debrief(reportContext(t, "zh-CN", "trainer"), d))
	assert.Contains(t, page, "演练仍在进行")
	assert.Contains(t, page, "未启动应急事件")
	assert.NotContains(t, page, "<dt>结束</dt>")
}

// A document needs nothing but the core's state: no site, no names, no plans.
func TestReportsWithoutTheConsolesHelp(t *testing.T) {
	for _, lang := range []string{"zh-CN", "en"} {
		x := Context{Tr: i18n.For(lang)}
		render(t, Incident(x, incidentFixture(t)))
		page := render(t, Debrief(x, debriefFixture(t)))
		assert.Contains(t, page, "trainer", "the user name where no name is known")
	}
}

// The Latin words a zh-CN report may hold are IDs and what devices sent; anything else
// is an English text left untranslated. The check is shown to catch one.
func TestUntranslatedTextIsCaught(t *testing.T) {
	page := render(t, Document{Lang: "zh-CN", Heading: "事件报告", Summary: "Injection failed"})
	assert.Equal(t, []string{"Injection", "failed"}, latinWords(page, nil))
	assert.Empty(t, latinWords(render(t, Document{Lang: "zh-CN", Heading: "事件报告 smoke-b03"}), idWords("smoke-b03")))
}

// render writes a document and checks the page is well formed.
func render(t *testing.T, d Document) string {
	t.Helper()
	b, err := d.HTML()
	require.NoError(t, err)
	page := string(b)
	assertWellFormed(t, page)
	return page
}

// voidElements have no end tag.
var voidElements = map[string]bool{"meta": true, "br": true, "hr": true, "img": true, "link": true, "input": true, "col": true, "wbr": true}

// assertWellFormed checks the page's tags nest and close, that it is one document with its
// doctype, and that every template field was filled.
func assertWellFormed(t *testing.T, page string) {
	t.Helper()
	require.True(t, strings.HasPrefix(page, "<!DOCTYPE html>\n<html lang="), "a document with its doctype and language")
	z := html.NewTokenizer(strings.NewReader(page))
	var open []string
	count := map[string]int{}
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		name, _ := z.TagName()
		tag := string(name)
		switch tt {
		case html.StartTagToken:
			count[tag]++
			if !voidElements[tag] {
				open = append(open, tag)
			}
		case html.EndTagToken:
			require.NotEmpty(t, open, "</%s> closes nothing", tag)
			require.Equal(t, open[len(open)-1], tag, "</%s> closes <%s>", tag, open[len(open)-1])
			open = open[:len(open)-1]
		case html.SelfClosingTagToken:
			require.True(t, voidElements[tag], "<%s/> is not a void element", tag)
		}
	}
	assert.Empty(t, open, "elements left open")
	for _, tag := range []string{"html", "head", "title", "body", "h1"} {
		assert.Equal(t, 1, count[tag], "one <%s>", tag)
	}
	for _, bad := range []string{"{{", "}}", "<no value>", "%!", "ZgotmplZ"} {
		assert.NotContains(t, page, bad, "an unfilled or refused template field")
	}
}

// assertTranslated checks that no text of ours reads as its key: in zh-CN no English is
// left (but the IDs and device payloads in allowed), in English no key that en.json
// gives another English ("Skipped (status)") shows.
func assertTranslated(t *testing.T, page, lang string, allowed map[string]bool) {
	t.Helper()
	if lang == "zh-CN" {
		assert.Empty(t, latinWords(page, allowed), "English words in a zh-CN report")
		return
	}
	b, err := assets.Translations.ReadFile(assets.TranslationsDir + "/en.json")
	require.NoError(t, err)
	for _, key := range regexp.MustCompile(`"([^"]+)":`).FindAllStringSubmatch(string(b), -1) {
		assert.NotContains(t, textOf(page), key[1], "a key that en.json rewrites")
	}
}

var latinWord = regexp.MustCompile(`[A-Za-z][A-Za-z_]+`)

// latinWords are the words in Latin letters of the page's visible text that allowed does
// not hold.
func latinWords(page string, allowed map[string]bool) []string {
	var out []string
	for _, w := range latinWord.FindAllString(textOf(page), -1) {
		if !allowed[w] {
			out = append(out, w)
		}
	}
	return out
}

// idWords are the Latin words of IDs (and raw payloads) a report may show as they are.
func idWords(ids ...string) map[string]bool {
	m := map[string]bool{}
	for _, id := range ids {
		for _, w := range latinWord.FindAllString(id, -1) {
			m[w] = true
		}
	}
	return m
}

// textOf is the text a reader sees: the page's text nodes, without its style sheet.
func textOf(page string) string {
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		panic(fmt.Sprint("html: ", err))
	}
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && (n.Data == "style" || n.Data == "script") {
			return
		}
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteString("\n")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return b.String()
}

// assertSelfContained checks the page needs nothing from the network or another file.
func assertSelfContained(t *testing.T, page string) {
	t.Helper()
	for _, external := range []string{"<script", "<link", "http://", "https://", "<img"} {
		assert.NotContains(t, page, external, "self-contained")
	}
}

// Every report's footer carries the journal chain's head when it was made (the security
// issue, point 8): a printed report is an anchor `watchpost journal verify --anchor` takes.
func TestReportsCarryTheJournalAnchor(t *testing.T) {
	r := incidentFixture(t)
	chain := strings.Repeat("ab", 32)
	for lang, want := range map[string]string{
		"en":    "Journal anchor seq 4321: " + chain,
		"zh-CN": "日志锚点 序号 4321：" + chain,
	} {
		x := reportContext(t, lang, "commander")
		x.Anchor = &app.JournalAnchor{Seq: 4321, Chain: chain}
		assert.Contains(t, render(t, Incident(x, r)), want, lang)
		d := debriefFixture(t)
		assert.Contains(t, render(t, Debrief(x, d)), want, lang)
		got, err := app.ParseJournalAnchor(x.Anchor.String())
		require.NoError(t, err)
		assert.Equal(t, *x.Anchor, got)
	}
	assert.NotContains(t, render(t, Incident(reportContext(t, "en", "commander"), r)), "Journal anchor", "none given, none printed")
}
