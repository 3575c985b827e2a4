package sheets

import (
	"math"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"watchpost/app"
	"watchpost/assets/i18n"
)

// The assessment of the grids (网格考核) as a workbook: what the console's assessment panel
// shows, for the street office's monthly report. A sheet says the period and what each
// figure means (the columns' help); then a sheet of grids and one of people, one row each,
// the counts and shares as numbers so that the office can sum and sort them.

var _ app.AssessmentSheets = Workbook{}

// assessmentColumns are the figures' columns, shared by the grids and the people; grid says
// which table (grids: found by own people and by others; people: reported).
func assessmentColumns(grid bool, noGrid string, english bool) []Column[app.AssessmentRow] {
	type R = app.AssessmentRow
	count := func(key, zh, en, helpZh, helpEn string, get func(*R) int) Column[R] {
		return Column[R]{Key: key, Zh: zh, En: en, Number: true, HelpZh: helpZh, HelpEn: helpEn,
			Get: func(r *R) string { return strconv.Itoa(get(r)) }}
	}
	percent := func(key, zh, en, helpZh, helpEn string, get func(*R) (float64, bool)) Column[R] {
		return Column[R]{Key: key, Zh: zh, En: en, Number: true, HelpZh: helpZh, HelpEn: helpEn,
			Get: func(r *R) string {
				v, ok := get(r)
				if !ok {
					return "" // nothing to judge: blank, not 0 %
				}
				return formatNum(math.Round(v*1000) / 10)
			}}
	}
	minutes := func(key, zh, en, helpZh, helpEn string, get func(*R) time.Duration) Column[R] {
		return Column[R]{Key: key, Zh: zh, En: en, Number: true, HelpZh: helpZh, HelpEn: helpEn,
			Get: func(r *R) string {
				if d := get(r); d > 0 {
					return formatNum(math.Round(d.Minutes()*10) / 10)
				}
				return ""
			}}
	}
	id := Column[R]{Key: "id", Zh: "编号", En: "ID", HelpZh: "网格编号或账号", HelpEn: "the grid's ID or the account",
		Get: func(r *R) string { return r.ID }}
	name := Column[R]{Key: "name", Zh: "名称", En: "Name", Width: 18, HelpZh: "网格名称或姓名", HelpEn: "the grid's or the person's name",
		Get: func(r *R) string {
			if grid && r.ID == "" {
				return noGrid
			}
			return r.Names.Display(english)
		}}
	cols := []Column[R]{id, name,
		count("received", "收到工单", "Received", "期间内新建的工单（已取消或合并的不计）", "orders created in the period (cancelled or merged ones not counted)",
			func(r *R) int { return r.Received }),
		count("accepted_in_time", "按时接单", "Accepted in time", "在接单时限内接单的工单", "orders accepted within their time to accept",
			func(r *R) int { return r.AcceptedInTime }),
		count("accept_judged", "接单考核数", "Judged on accepting", "已接单或接单时限已过的工单：按时接单率的分母", "orders accepted, or whose time to accept ran out: the share's base",
			func(r *R) int { return r.AcceptJudged }),
		percent("accepted_share", "按时接单率（%）", "Accepted in time (%)", "按时接单 ÷ 接单考核数", "accepted in time ÷ judged on accepting",
			func(r *R) (float64, bool) { return r.AcceptedShare() }),
		count("done_in_time", "按时完成", "Done in time", "在办结时限内完成的工单", "orders done within their time limit",
			func(r *R) int { return r.DoneInTime }),
		count("done_judged", "完成考核数", "Judged on finishing", "已完成或办结时限已过的工单：按时完成率的分母", "orders done, or whose time limit ran out: the share's base",
			func(r *R) int { return r.DoneJudged }),
		percent("done_share", "按时完成率（%）", "Done in time (%)", "按时完成 ÷ 完成考核数", "done in time ÷ judged on finishing",
			func(r *R) (float64, bool) { return r.DoneShare() }),
		count("reopened", "被退回", "Reopened", "验收时被退回重办过的工单", "orders the verifier sent back at least once",
			func(r *R) int { return r.Reopened }),
		count("closed", "已验收关闭", "Closed", "已验收关闭的工单", "orders verified and closed",
			func(r *R) int { return r.Closed }),
		minutes("median_accept", "接单用时中位数（分钟）", "Median minutes to accept", "从派单到接单", "from the assignment to the acceptance",
			func(r *R) time.Duration { return r.MedianAccept }),
		minutes("median_close", "办结用时中位数（分钟）", "Median minutes to close", "从上报到验收关闭", "from the report to the closure",
			func(r *R) time.Duration { return r.MedianClose }),
	}
	if grid {
		cols = append(cols,
			count("found_by_own", "本网格人员发现", "Found by the grid's people", "由本网格班组成员或网格员上报", "reported by the grid team's members or the grid worker",
				func(r *R) int { return r.FoundByOwn }),
			count("found_by_others", "他人发现", "Found by others", "居民、其他人员、报警或设备上报", "reported by residents, other staff, alarms or devices",
				func(r *R) int { return r.FoundByOthers }))
	} else {
		cols = append(cols, count("reported", "上报隐患", "Hazards reported", "本人在期间内上报的工单（任何网格）", "orders the person reported in the period (any grid)",
			func(r *R) int { return r.Reported }))
	}
	cols = append(cols,
		count("ratings", "评价数", "Ratings", "报告人评价过的工单", "orders the reporter rated",
			func(r *R) int { return r.Ratings }),
		Column[R]{Key: "satisfaction", Zh: "满意度（星）", En: "Satisfaction (stars)", Number: true,
			HelpZh: "评价星数的平均值（1–5）", HelpEn: "the mean of the stars (1–5)",
			Get: func(r *R) string {
				if v, ok := r.Satisfaction(); ok {
					return formatNum(math.Round(v*10) / 10)
				}
				return ""
			}},
		count("left_out", "取消或合并", "Cancelled or merged", "期间内取消或合并的工单：以上各项均不计", "orders of the period cancelled or merged: counted in none of the above",
			func(r *R) int { return r.LeftOut }),
	)
	return cols
}

// Assessment writes the assessment as a workbook in lang.
func (Workbook) Assessment(a app.Assessment, lang string) ([]byte, error) {
	lang = i18n.Normalize(lang)
	tr := i18n.For(lang)
	english := lang == i18n.English
	grids := Table[app.AssessmentRow]{Key: "grids", Zh: "网格考核", En: "Grids", Columns: assessmentColumns(true, tr.T("No grid"), english)}
	people := Table[app.AssessmentRow]{Key: "people", Zh: "人员考核", En: "People", Columns: assessmentColumns(false, "", english)}
	f := excelize.NewFile()
	defer f.Close()
	if err := writeAssessmentAbout(f, a.Period, tr, lang, grids, people); err != nil {
		return nil, err
	}
	if err := write(f, grids, a.Grids, lang, false); err != nil {
		return nil, err
	}
	if err := write(f, people, a.People, lang, false); err != nil {
		return nil, err
	}
	if err := f.DeleteSheet("Sheet1"); err != nil {
		return nil, err
	}
	f.SetActiveSheet(1) // the grids
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeAssessmentAbout is the first sheet: the period, when the figures were taken, which
// orders count, and what each column means.
func writeAssessmentAbout(f *excelize.File, p app.AssessmentPeriod, tr i18n.Translator, lang string, tables ...Table[app.AssessmentRow]) error {
	sheet := tr.T("Figures explained")
	if _, err := f.NewSheet(sheet); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	title, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	if err != nil {
		return err
	}
	row := 1
	line := func(style int, cells ...string) {
		for i, v := range cells {
			cell, _ := excelize.CoordinatesToCellName(i+1, row)
			_ = f.SetCellStr(sheet, cell, v)
			if style != 0 {
				_ = f.SetCellStyle(sheet, cell, cell, style)
			}
		}
		row++
	}
	day := func(t time.Time) string { return t.Format(time.DateOnly) }
	line(title, tr.T("Assessment of the grids: {{.From}} to {{.To}}", map[string]any{"From": day(p.From), "To": day(p.To.Add(-time.Nanosecond))}))
	line(0, tr.T("Figures as of {{.At}}, for the orders created in the period, each as it stands then.", map[string]any{"At": p.AsOf.In(p.From.Location()).Format("2006-01-02 15:04")}))
	line(0, tr.T("Cancelled and merged orders are left out of every figure: a merged order is a duplicate of another, a cancelled one was no work to do."))
	line(0, tr.T("A share is of the orders that can be judged: accepted (or done), or whose time limit ran out unmet."))
	row++
	line(bold, tr.T("Sheet"), tr.T("Column"), tr.T("What it counts"))
	zh := lang == i18n.Chinese
	for _, t := range tables {
		for _, c := range t.Columns {
			line(0, t.name(lang), c.header(lang), pick(zh, c.HelpZh, c.HelpEn))
		}
	}
	for col, w := range map[string]float64{"A": 14, "B": 28, "C": 70} {
		if err := f.SetColWidth(sheet, col, col, w); err != nil {
			return err
		}
	}
	return nil
}
