package sheets

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

func assessmentOf() app.Assessment {
	loc := app.DefaultLocation()
	return app.Assessment{
		Period: app.AssessmentPeriod{From: time.Date(2026, 11, 1, 0, 0, 0, 0, loc), To: time.Date(2026, 12, 1, 0, 0, 0, 0, loc), AsOf: time.Date(2026, 12, 5, 8, 0, 0, 0, loc)},
		Grids: []app.AssessmentRow{
			{ID: "g1", Names: app.Names{Name: "第一网格", NameEn: "Grid 1"}, Received: 8, Accepted: 8, AcceptJudged: 8, AcceptedInTime: 7,
				Done: 6, DoneJudged: 7, DoneInTime: 5, Reopened: 1, Closed: 6, MedianAccept: 20 * time.Minute, MedianClose: 210 * time.Minute,
				FoundByOwn: 5, FoundByOthers: 3, Ratings: 2, StarsSum: 9, LeftOut: 1},
			{ID: "g2", Names: app.Names{Name: "第二网格"}},
			{ID: "", Names: app.Names{Name: ""}, Received: 1, FoundByOthers: 1},
		},
		People: []app.AssessmentRow{{ID: "zhangwei", Names: app.Names{Name: "张伟"}, Received: 3, Accepted: 3, AcceptJudged: 3, AcceptedInTime: 3,
			MedianAccept: 32*time.Minute + 30*time.Second, Reported: 4}},
	}
}

// The assessment's workbook: the period and the meaning of each column first, then a sheet
// of grids and one of people; counts and shares as numbers, a share or a median with
// nothing to judge left blank (not 0).
func TestAssessmentWorkbook(t *testing.T) {
	for _, tc := range []struct {
		lang, about, grids, people, noGrid string
		head                               []string
	}{
		{"zh-CN", "指标说明", "网格考核", "人员考核", "无网格", []string{"编号", "名称", "收到工单", "按时接单", "接单考核数", "按时接单率（%）"}},
		{"en", "Figures explained", "Grids", "People", "No grid", []string{"ID", "Name", "Received", "Accepted in time", "Judged on accepting", "Accepted in time (%)"}},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			data, err := Workbook{}.Assessment(assessmentOf(), tc.lang)
			require.NoError(t, err)
			f := open(t, data).f
			assert.Equal(t, []string{tc.about, tc.grids, tc.people}, f.GetSheetList())
			about, err := f.GetRows(tc.about)
			require.NoError(t, err)
			assert.Contains(t, about[0][0], "2026-11-01")
			assert.Contains(t, about[0][0], "2026-11-30", "the last day of the period, not the first of the next")

			rows, err := f.GetRows(tc.grids)
			require.NoError(t, err)
			require.Len(t, rows, 4)
			assert.Equal(t, tc.head, rows[0][:6])
			g1 := map[string]string{}
			for i, h := range rows[0] {
				if i < len(rows[1]) {
					g1[h] = rows[1][i]
				}
			}
			name, share, median, stars := "第一网格", "按时接单率（%）", "接单用时中位数（分钟）", "满意度（星）"
			if tc.lang == "en" {
				name, share, median, stars = "Grid 1", "Accepted in time (%)", "Median minutes to accept", "Satisfaction (stars)"
			}
			assert.Equal(t, name, g1[rows[0][1]])
			assert.Equal(t, "87.5", g1[share])
			assert.Equal(t, "20", g1[median])
			assert.Equal(t, "4.5", g1[stars])
			g2 := rows[2]
			assert.Equal(t, "0", g2[2], "no orders: received 0")
			assert.True(t, len(g2) <= 5 || g2[5] == "", "nothing judged: the share is blank, not 0")
			assert.Equal(t, tc.noGrid, rows[3][1])

			people, err := f.GetRows(tc.people)
			require.NoError(t, err)
			require.Len(t, people, 2)
			p := map[string]string{}
			for i, h := range people[0] {
				if i < len(people[1]) {
					p[h] = people[1][i]
				}
			}
			assert.Equal(t, "张伟", p[people[0][1]])
			assert.Equal(t, "32.5", p[median])
			reported := "上报隐患"
			if tc.lang == "en" {
				reported = "Hazards reported"
			}
			assert.Equal(t, "4", p[reported])
		})
	}
}

// The workbook of historical orders: the template's headers in Chinese, a row filled as the
// office types it (a category by its Chinese name, a state in Chinese, local times) reads
// into an order with its row number; a bad cell is reported with its row and column.
func TestOrderHistoryWorkbook(t *testing.T) {
	env, _ := demo(t)
	site := env.Core.Inventory.Site()
	setup := env.Core.Orders.Setup()
	tmpl, err := OrderHistoryTemplate(site, setup, "zh-CN")
	require.NoError(t, err)

	// The template alone: only its example, which is not imported.
	_, probs, err := ReadOrderHistory(tmpl, site, setup)
	require.NoError(t, err)
	assert.Empty(t, probs)

	w := open(t, tmpl)
	w.set("工单历史", 3, map[string]string{"原编号": "GD-2025-0017", "类别": "楼道堆物", "状态": "已关闭", "内容": "3单元楼道堆放纸箱",
		"楼栋": "b03", "单元": "2", "上报人账号": "duty", "上报时间": "2025-10-08 09:00", "接单时间": "2025/10/8 09:20",
		"完成时间": "2025-10-08 15:00", "关闭或取消时间": "2025-10-08 17:00", "处理说明或取消原因": "已清理", "满意度（星）": "4"})
	w.set("工单历史", 4, map[string]string{"原编号": "GD-2025-0018", "类别": "other", "状态": "cancelled", "内容": "路灯不亮",
		"上报时间": "2025-10-09 20:00", "关闭或取消时间": "2025-10-09 21:00", "处理说明或取消原因": "重复", "优先级": "p2"})
	// A date the spreadsheet program keeps as a date: its serial number.
	cell := "A1"
	heads, _ := w.f.GetRows("工单历史")
	for i, h := range heads[0] {
		if h == "上报时间 *" {
			cell = string(rune('A'+i)) + "4"
		}
	}
	require.NoError(t, w.f.SetCellValue("工单历史", cell, 45939.8333333333)) // 2025-10-09 20:00
	got, probs, err := ReadOrderHistory(w.bytes(), site, setup)
	require.NoError(t, err)
	require.Empty(t, probs)
	require.Len(t, got, 2)
	loc := site.Location()
	h := got[0]
	assert.Equal(t, 3, h.Row)
	assert.Equal(t, "GD-2025-0017", h.Ref)
	assert.Equal(t, app.CatClutter, h.Category, "the category by its Chinese name")
	assert.Equal(t, app.OrderClosed, h.State)
	assert.Equal(t, app.OrderPlace{Building: "b03", Unit: 2}, h.Place)
	assert.True(t, time.Date(2025, 10, 8, 9, 0, 0, 0, loc).Equal(h.CreatedAt), "%v", h.CreatedAt)
	assert.True(t, time.Date(2025, 10, 8, 9, 20, 0, 0, loc).Equal(h.AcceptedAt), "%v", h.AcceptedAt)
	assert.Equal(t, 4, h.Stars)
	assert.Equal(t, 4, got[1].Row)
	assert.Equal(t, app.P2, got[1].Priority)
	assert.Equal(t, app.OrderCancelled, got[1].State)
	assert.True(t, time.Date(2025, 10, 9, 20, 0, 0, 0, loc).Equal(got[1].CreatedAt), "a date cell: %v", got[1].CreatedAt)

	w.set("工单历史", 4, map[string]string{"上报时间": "昨天晚上", "优先级": "P7"})
	_, probs, err = ReadOrderHistory(w.bytes(), site, setup)
	require.NoError(t, err)
	var said []string
	for _, p := range probs {
		said = append(said, p.Text())
	}
	assert.ElementsMatch(t, []string{
		"工单历史, row 4, “优先级”: Priority must be P1 to P4",
		"工单历史, row 4, “上报时间”: 昨天晚上 is not a time: write it as 2025-10-08 09:30",
	}, said)
}
