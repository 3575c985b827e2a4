package sheets

import (
	"bytes"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"watchpost/app"
	"watchpost/assets/i18n"
)

// The site's history of work orders from before Watchpost, as a workbook an administrator
// fills from the old records (the 物业 office's spreadsheet): one order a row, keyed by its
// number in the old records. The import reads every row (a cell that cannot be read is
// reported with its row and column) into app.HistoricalOrder; the core then checks the
// orders against the site and the set-up (WorkOrders.ImportHistory) and stores all or none.

// historyTimeLayouts are how a time is typed in a cell (the site's time zone); a cell the
// spreadsheet program keeps as a date is read from its serial number.
var historyTimeLayouts = []string{"2006-01-02 15:04", "2006-01-02 15:04:05", "2006/1/2 15:04", "2006/1/2 15:04:05", time.RFC3339}

// parseHistoryTime reads a time cell in loc.
func parseHistoryTime(s string, loc *time.Location) (time.Time, *app.Error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, l := range historyTimeLayouts {
		if t, err := time.ParseInLocation(l, app.PlainASCII(s), loc); err == nil {
			return t, nil
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f > 0 {
		if t, err := excelize.ExcelDateToTime(f, false); err == nil {
			// The serial number is the wall clock the office typed, in the site's time zone.
			return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, loc), nil
		}
	}
	return time.Time{}, app.Errorf(app.CodeInvalid, "{{.Value}} is not a time: write it as {{.Example}}", "Value", s, "Example", "2025-10-08 09:30")
}

func formatHistoryTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format("2006-01-02 15:04")
}

// historySources are the sources a row may name (the English labels are accepted too).
var historySources = []app.OrderSource{app.FromConsole, app.FromPhone, app.FromResident, app.FromIntake, app.FromInspection,
	app.FromAlarm, app.FromDevice, app.FromSupplies}

// historyTable is the table of historical orders for a site and its set-up (categories are
// written by ID or by name).
func historyTable(site *app.Site, setup *app.OrderSetup) Table[app.HistoricalOrder] {
	type H = app.HistoricalOrder
	loc := site.Location()
	cats := make([]string, 0, len(setup.Categories))
	for _, c := range setup.Categories {
		cats = append(cats, c.ID)
	}
	sources := make([]string, len(historySources))
	for i, s := range historySources {
		sources[i] = string(s)
	}
	text := func(key, zh, en string, required bool, example, helpZh, helpEn string, f func(*H) *string) Column[H] {
		return Column[H]{Key: key, Zh: zh, En: en, Required: required, Example: example, HelpZh: helpZh, HelpEn: helpEn,
			Get: func(h *H) string { return *f(h) },
			Set: func(h *H, s string) *app.Error { *f(h) = s; return nil }}
	}
	id := func(key, zh, en, example, helpZh, helpEn string, f func(*H) *string) Column[H] {
		c := text(key, zh, en, false, example, helpZh, helpEn, f)
		c.Set = func(h *H, s string) *app.Error { *f(h) = app.PlainASCII(s); return nil }
		return c
	}
	at := func(key, zh, en string, required bool, example, helpZh, helpEn string, f func(*H) *time.Time) Column[H] {
		return Column[H]{Key: key, Zh: zh, En: en, Required: required, Example: example, HelpZh: helpZh, HelpEn: helpEn, Width: 18,
			Get: func(h *H) string { return formatHistoryTime(*f(h), loc) },
			Set: func(h *H, s string) *app.Error { t, e := parseHistoryTime(s, loc); *f(h) = t; return e }}
	}
	number := func(key, zh, en, example, helpZh, helpEn string, f func(*H) *int) Column[H] {
		return Column[H]{Key: key, Zh: zh, En: en, Number: true, Example: example, HelpZh: helpZh, HelpEn: helpEn,
			Get: func(h *H) string { return formatInt(*f(h)) },
			Set: func(h *H, s string) *app.Error { v, e := parseInt(s); *f(h) = v; return e }}
	}
	cols := []Column[H]{
		{Key: "ref", Zh: "原编号", En: "Old number", Required: true, Example: "GD-2025-0017",
			HelpZh: "该工单在原记录中的编号（每行不同）", HelpEn: "the order's number in the old records (one per row)",
			Get: func(h *H) string { return h.Ref },
			Set: func(h *H, s string) *app.Error { h.Ref = app.PlainASCII(s); return nil }},
		{Key: "category", Zh: "类别", En: "Category", Required: true, Example: app.CatClutter, Choices: cats,
			HelpZh: "类别编号或名称（见工单设置）", HelpEn: "the category's ID or name (see Order set-up)",
			Get: func(h *H) string { return h.Category },
			Set: func(h *H, s string) *app.Error {
				h.Category = app.PlainASCII(s)
				for _, c := range setup.Categories {
					if strings.EqualFold(s, c.ID) || s == c.Name || (c.NameEn != "" && strings.EqualFold(s, c.NameEn)) {
						h.Category = c.ID
					}
				}
				return nil
			}},
		{Key: "priority", Zh: "优先级", En: "Priority", Example: "P3", Choices: []string{"P1", "P2", "P3", "P4"},
			HelpZh: "P1–P4；空着用类别的优先级", HelpEn: "P1 to P4; blank: the category's",
			Get: func(h *H) string {
				if h.Priority == 0 {
					return ""
				}
				return h.Priority.String()
			},
			Set: func(h *H, s string) *app.Error {
				s = strings.ToUpper(app.PlainASCII(s))
				if s == "" {
					h.Priority = 0
					return nil
				}
				n, err := strconv.Atoi(strings.TrimPrefix(s, "P"))
				if err != nil || !app.Priority(n).Valid() {
					return app.Errorf(app.CodeInvalid, "Priority must be P1 to P4")
				}
				h.Priority = app.Priority(n)
				return nil
			}},
		{Key: "state", Zh: "状态", En: "State", Required: true, Example: string(app.OrderClosed), Choices: []string{string(app.OrderClosed), string(app.OrderCancelled)},
			HelpZh: "closed 已关闭，或 cancelled 已取消", HelpEn: "closed or cancelled",
			Get: func(h *H) string { return string(h.State) },
			Set: func(h *H, s string) *app.Error {
				switch strings.ToLower(app.PlainASCII(s)) {
				case "closed", "已关闭", "关闭", "已办结", "办结":
					h.State = app.OrderClosed
				case "cancelled", "canceled", "已取消", "取消":
					h.State = app.OrderCancelled
				default:
					h.State = app.OrderState(s) // the core says what an imported order's state may be
				}
				return nil
			}},
		text("text", "内容", "What was reported", true, "3单元楼道堆放纸箱", "上报的问题", "what was reported", func(h *H) *string { return &h.Text }),
		id("building", "楼栋", "Building", "b03", "楼栋编号（见楼栋表）", "the building's ID", func(h *H) *string { return &h.Place.Building }),
		number("unit", "单元", "Unit", "3", "单元号", "the stairwell (单元)", func(h *H) *int { return &h.Place.Unit }),
		text("flat", "房号", "Flat", false, "", "如 1502", "e.g. 1502", func(h *H) *string { return &h.Place.Flat }),
		id("grid", "网格", "Grid", "", "网格编号；空着则按楼栋", "the grid's ID; blank: the building's", func(h *H) *string { return &h.Place.GridID }),
		text("place_note", "位置说明", "Where exactly", false, "北侧楼梯间3层", "如“北侧楼梯间3层”", "e.g. north stairwell, 3rd floor", func(h *H) *string { return &h.Place.Note }),
		{Key: "via", Zh: "来源", En: "Source", Example: string(app.FromPhone), Choices: sources,
			HelpZh: "console 控制台、phone 手机、resident 居民、intake 来电登记、inspection 巡查、alarm 报警、device 设备、supplies 物资；空着按报告人",
			HelpEn: "console, phone, resident, intake, inspection, alarm, device or supplies; blank: from the reporter",
			Get:    func(h *H) string { return string(h.Via) },
			Set: func(h *H, s string) *app.Error {
				h.Via = app.OrderSource(strings.ToLower(app.PlainASCII(s)))
				for _, x := range historySources {
					if strings.EqualFold(s, x.Label()) {
						h.Via = x
					}
				}
				return nil
			}},
		id("reported_by", "上报人账号", "Reported by (account)", "zhangwei", "上报的网格员或值班员的账号", "the account of who reported it", func(h *H) *string { return &h.ReportedBy }),
		text("reporter_name", "报告人姓名", "Caller's name", false, "", "来电或居民报告人的姓名", "a caller's or resident's name", func(h *H) *string { return &h.ReporterName }),
		id("reporter_phone", "报告人电话", "Caller's phone", "", "来电或居民报告人的电话", "a caller's or resident's phone", func(h *H) *string { return &h.ReporterPhone }),
		id("team", "班组", "Team", "", "班组编号（见工单设置）", "the team's ID (see Order set-up)", func(h *H) *string { return &h.Team }),
		id("assignee", "处理人账号", "Done by (account)", "liuyang", "处理人的账号（已停用的也可）", "the account of who did it (a disabled one too)", func(h *H) *string { return &h.Assignee }),
		at("created_at", "上报时间", "Reported at", true, "2025-10-08 09:00", "如 2025-10-08 09:00", "e.g. 2025-10-08 09:00", func(h *H) *time.Time { return &h.CreatedAt }),
		at("assigned_at", "派单时间", "Assigned at", false, "2025-10-08 09:05", "", "", func(h *H) *time.Time { return &h.AssignedAt }),
		at("accepted_at", "接单时间", "Accepted at", false, "2025-10-08 09:20", "", "", func(h *H) *time.Time { return &h.AcceptedAt }),
		at("done_at", "完成时间", "Done at", false, "2025-10-08 15:00", "已关闭的必填", "required when closed", func(h *H) *time.Time { return &h.DoneAt }),
		at("closed_at", "关闭或取消时间", "Closed or cancelled at", true, "2025-10-08 17:00", "验收关闭或取消的时间", "when it was verified and closed, or cancelled", func(h *H) *time.Time { return &h.ClosedAt }),
		text("note", "处理说明或取消原因", "What was done, or why cancelled", false, "已清理", "取消的必填", "required when cancelled", func(h *H) *string { return &h.Note }),
		number("reopened", "退回次数", "Times reopened", "", "验收时被退回重办的次数", "how many times the verifier sent it back", func(h *H) *int { return &h.Reopened }),
		number("stars", "满意度（星）", "Satisfaction (stars)", "5", "报告人的评价 1–5，空着为未评价", "the reporter's rating, 1 to 5; blank: none", func(h *H) *int { return &h.Stars }),
		text("comment", "评价", "Comment", false, "", "报告人的评价内容", "the reporter's comment", func(h *H) *string { return &h.Comment }),
	}
	return Table[H]{Key: "orders", Zh: "工单历史", En: "Order history", Columns: cols,
		Start: func(ref string) H { return H{Ref: ref} }}
}

// OrderHistoryTemplate is the empty workbook of historical orders (an example row, the
// instructions) for a site and its set-up.
func OrderHistoryTemplate(site *app.Site, setup app.OrderSetup, lang string) ([]byte, error) {
	lang = i18n.Normalize(lang)
	tr := i18n.For(lang)
	t := historyTable(site, &setup)
	f := excelize.NewFile()
	defer f.Close()
	sheet := tr.T("Instructions")
	if _, err := f.NewSheet(sheet); err != nil {
		return nil, err
	}
	row := 1
	line := func(cells ...string) {
		for i, v := range cells {
			cell, _ := excelize.CoordinatesToCellName(i+1, row)
			_ = f.SetCellStr(sheet, cell, v)
		}
		row++
	}
	for _, s := range []string{
		"One row per order of the old records that has ended (closed or cancelled); columns marked * must be filled. Headers may be in Chinese or English, in any order.",
		"Row 2 is an example: write over it, or leave it as it is (it is not imported then).",
		"Times are the site's local time, e.g. 2025-10-08 09:30. The import stores all the rows or none: every bad row is reported with its number.",
	} {
		line(tr.T(s))
	}
	row++
	line(tr.T("Column"), tr.T("Required"), tr.T("What to write"), tr.T("Example"))
	zh := lang == i18n.Chinese
	for _, c := range t.Columns {
		req := ""
		if c.Required {
			req = tr.T("Yes")
		}
		line(c.header(lang), req, pick(zh, c.HelpZh, c.HelpEn), c.Example)
	}
	for col, w := range map[string]float64{"A": 26, "B": 10, "C": 70, "D": 24} {
		if err := f.SetColWidth(sheet, col, col, w); err != nil {
			return nil, err
		}
	}
	if err := write(f, t, nil, lang, true); err != nil {
		return nil, err
	}
	if err := f.DeleteSheet("Sheet1"); err != nil {
		return nil, err
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ReadOrderHistory reads the historical orders of a workbook, each with its row number. A
// cell that cannot be read is a problem with its row and column; an error is a file that
// cannot be read at all. The orders read are checked by the core (WorkOrders.ImportHistory).
func ReadOrderHistory(data []byte, site *app.Site, setup app.OrderSetup) ([]app.HistoricalOrder, []app.SheetProblem, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: maxFile, UnzipXMLSizeLimit: maxFile})
	if err != nil {
		return nil, nil, app.Errorf(app.CodeInvalid, "This file is not an XLSX workbook").Wrap(err)
	}
	defer f.Close()
	t := historyTable(site, &setup)
	sheet := sheetOf(f, t)
	if sheet == "" {
		return nil, []app.SheetProblem{{Err: app.Errorf(app.CodeInvalid, "The workbook has none of the sheets {{.Sheets}}", "Sheets", t.Zh+" / "+t.En)}}, nil
	}
	rows, probs := read(f, sheet, t)
	if len(probs) > 0 {
		sortProblems(probs)
		return nil, probs, nil
	}
	out := make([]app.HistoricalOrder, len(rows))
	for i, r := range rows {
		out[i] = r.V
		out[i].Row = r.Num
	}
	return out, nil, nil
}
