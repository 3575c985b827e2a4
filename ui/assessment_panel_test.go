package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/storage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// assessmentSheets stands in for the workbook adapter (sheets/, tested on its own): it keeps
// the assessment it was given.
type assessmentSheets struct {
	fakeSheets
	mu   sync.Mutex
	got  []app.Assessment
	lang []string
}

func (f *assessmentSheets) Assessment(a app.Assessment, lang string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got, f.lang = append(f.got, a), append(f.lang, lang)
	return []byte("PK assessment"), nil
}

func assessmentOf(t *testing.T, c *Console) *assessmentPanel {
	t.Helper()
	serialUI(func() { c.shell.show("assessment") })
	p := uiGet(func() *assessmentPanel { p, _ := c.shell.built["assessment"].(*assessmentPanel); return p })
	require.NotNil(t, p, "the duty operator has the grid assessment")
	return p
}

// The presets are whole days of the site's calendar: this month, last month (across a new
// year too), the last 7 and 30 days including today.
func TestAssessmentPeriods(t *testing.T) {
	loc := app.DefaultLocation()
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, loc) }
	now := time.Date(2026, 3, 15, 10, 30, 0, 0, loc)
	for choice, want := range [][2]time.Time{
		{day(2026, 3, 1), day(2026, 4, 1)},
		{day(2026, 2, 1), day(2026, 3, 1)},
		{day(2026, 3, 9), day(2026, 3, 16)},
		{day(2026, 2, 14), day(2026, 3, 16)},
	} {
		from, to := assessmentPeriod(choice, now)
		assert.True(t, want[0].Equal(from) && want[1].Equal(to), "%s: %v – %v", assessmentPeriods[choice], from, to)
	}
	from, to := assessmentPeriod(1, time.Date(2026, 1, 10, 9, 0, 0, 0, loc))
	assert.True(t, day(2025, 12, 1).Equal(from) && day(2026, 1, 1).Equal(to), "last month in January: %v – %v", from, to)
	assert.Equal(t, "25 min", formatSpan(25*time.Minute+10*time.Second))
	assert.Equal(t, "3 h 05 min", formatSpan(3*time.Hour+5*time.Minute))
	assert.Equal(t, "2 d 4 h", formatSpan(52*time.Hour+20*time.Minute))
}

// The grid assessment in the console: the figures of the chosen period per grid and per
// person, a date that cannot be read said in the panel, and the workbook exported readable
// by its owner only, the export journaled as the operator's.
func TestGridAssessmentPanelShowsAndExports(t *testing.T) {
	ctx := context.Background()
	c := newTestConsole(t, enConfig())
	sheets := &assessmentSheets{}
	c.x.Sheets = sheets
	var ids []string
	for _, d := range c.shell.panels {
		ids = append(ids, d.ID)
	}
	assert.Contains(t, ids, "assessment")
	assert.NotContains(t, ids, "order-setup", "the duty operator does not set up orders")

	duty := c.Operator()
	admin, err := c.core.Accounts.SignIn(ctx, "admin", "sunshine-demo")
	require.NoError(t, err)
	o, err := c.core.Orders.Report(ctx, duty, app.OrderRequest{Category: app.CatClutter, Text: "楼道堆放纸箱", Place: app.OrderPlace{GridID: "g1"}})
	require.NoError(t, err)
	o, err = c.core.Orders.Assign(ctx, duty, o.ID, o.Version, "", "admin", "")
	require.NoError(t, err)
	_, err = c.core.Orders.Accept(ctx, admin, o.ID, o.Version)
	require.NoError(t, err)
	_, err = c.core.Orders.Report(ctx, duty, app.OrderRequest{Category: app.CatOther, Text: "路灯不亮", Place: app.OrderPlace{GridID: "g2"}})
	require.NoError(t, err)

	p := assessmentOf(t, c)
	serialUI(func() { p.period.SetSelectedIndex(2) }) // the last 7 days: today whatever the month
	rowOf := func(rows []app.AssessmentRow, id string) (app.AssessmentRow, bool) {
		for _, r := range rows {
			if r.ID == id {
				return r, true
			}
		}
		return app.AssessmentRow{}, false
	}
	waitFor(t, "the figures are read", func() bool {
		return uiGet(func() bool { g, ok := rowOf(p.a.Grids, "g1"); return ok && g.Received == 1 })
	})
	cells := uiGet(func() []string {
		g1, _ := rowOf(p.a.Grids, "g1")
		var out []string
		for col := range assessmentColumns(true) {
			out = append(out, assessmentCell(g1, true, col))
		}
		return out
	})
	assert.Equal(t, []string{"Grid 1", "1", "1 / 1 · 100%", "—", "0", "0"}, cells[:6], "not due yet: no share of done in time")
	g2 := uiGet(func() app.AssessmentRow { g, _ := rowOf(p.a.Grids, "g2"); return g })
	assert.Equal(t, 1, g2.Received)
	assert.Equal(t, 1, g2.FoundByOthers)
	adminRow := uiGet(func() app.AssessmentRow { r, _ := rowOf(p.a.People, "admin"); return r })
	require.Equal(t, "admin", adminRow.ID)
	assert.Equal(t, "赵磊 (admin)", assessmentCell(adminRow, false, 0))
	assert.Equal(t, 1, adminRow.AcceptedInTime)
	assert.Contains(t, uiGet(func() []string { return visibleTexts(p.grids) }), "1 / 1 · 100%", "the table shows it")
	assert.Contains(t, uiGet(func() string { return p.caption.Text }), "2 orders")

	serialUI(func() {
		p.period.SetSelectedIndex(assessmentCustom)
		p.to.SetText("2026-13-01")
	})
	n := uiGet(func() int { return p.loaded })
	serialUI(p.reload)
	assert.Contains(t, uiGet(func() string { return p.status.text.Text }), "2026-13-01 is not a date")
	assert.Equal(t, n, uiGet(func() int { return p.loaded }), "nothing read")

	path := filepath.Join(t.TempDir(), "assessment.xlsx")
	wc, err := storage.Writer(storage.NewFileURI(path))
	require.NoError(t, err)
	serialUI(func() { p.save(wc) })
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "PK assessment", string(b))
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "an export is readable by its owner only")
	require.Len(t, sheets.got, 1)
	assert.Equal(t, "en", sheets.lang[0])
	g, _ := rowOf(sheets.got[0].Grids, "g1")
	assert.Equal(t, 1, g.AcceptedInTime, "the figures shown are exported")
	es, err := c.core.Recorder.Journal.Query(ctx, app.JournalQuery{Kinds: []app.EntryKind{app.KindAssessmentExported}})
	require.NoError(t, err)
	require.Len(t, es, 1, "the export is journaled")
	assert.Equal(t, "duty", es[0].Operator)
	assert.True(t, strings.Contains(string(es[0].Data), `"file":"`+path+`"`), string(es[0].Data))
}
