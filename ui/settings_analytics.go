package ui

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// The video analytics section of the settings: the CPU budget (administrators) and, per
// camera, what analytics costs and does now: frames analysed per second against what the
// camera asks for (the budget lowers it), milliseconds a frame, frames skipped by the
// sampling and frames lost for being behind, and detectors switched off with the reason.
// It is refreshed every second while the settings are open.

type analyticsSettings struct {
	c     *Console
	usage *widget.Label
	table *widget.Table
	rows  []app.AnalyticsStatus
	obj   fyne.CanvasObject
}

var analyticsColumns = []string{"Camera", "State", "Analysed fps", "Asked fps", "ms a frame", "Skipped", "Behind", "Detections", "Switched off"}

func newAnalyticsSettings(c *Console, op *app.Operator) *analyticsSettings {
	s := &analyticsSettings{c: c, usage: widget.NewLabel("")}
	if c.x.Analytics == nil {
		s.obj = section(T("Video analytics"), muted(T("Video analytics is not running.")))
		return s
	}
	budget := widget.NewEntry()
	budget.SetText(strconv.FormatFloat(c.core.Settings.Get().Analytics.Budget(), 'f', -1, 64))
	msg := newWriteStatusInline()
	var save *widget.Button
	save = widget.NewButtonWithIcon(T("Save"), theme.DocumentSaveIcon(), func() {
		v, err := strconv.ParseFloat(app.PlainASCII(budget.Text), 64) // 1。5 as pinyin types it
		if err != nil || v <= 0 {
			msg.failText(T("Give the budget in cores, e.g. 1.5"))
			return
		}
		next := c.core.Settings.Get()
		if v != next.Analytics.Budget() { // the default shown and saved back stays the default
			next.Analytics.CPUBudget = v
		}
		c.write(write{
			run:    func(ctx context.Context, op *app.Operator) error { return c.core.Settings.Update(ctx, op, next) },
			status: msg, lock: []fyne.Disableable{save},
			saved: T("Saved"), done: s.Tick,
		})
	})
	if op == nil || !op.Role.Can(app.ActChangeSettings) {
		budget.Disable()
		save.Disable()
	}
	s.table = widget.NewTable(
		func() (int, int) { return len(s.rows) + 1, len(analyticsColumns) },
		func() fyne.CanvasObject { return widget.NewLabel("Switched off: a long reason") },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			l := o.(*widget.Label)
			l.TextStyle.Bold = id.Row == 0
			l.Importance = widget.MediumImportance
			if id.Row == 0 {
				l.SetText(T(analyticsColumns[id.Col]))
				return
			}
			l.SetText(s.cell(s.rows[id.Row-1], id.Col, l))
		})
	widths := []float32{170, 110, 100, 90, 90, 80, 70, 90, 360}
	for i, w := range widths {
		s.table.SetColumnWidth(i, w)
	}
	tall := canvas.NewRectangle(nil)
	tall.SetMinSize(fyne.NewSize(0, 230))
	tableBox := container.NewStack(tall, s.table)
	s.obj = section(T("Video analytics"),
		details([]kvRow{{"CPU budget (cores)", container.NewBorder(nil, nil, nil, container.NewHBox(save, msg.content), budget)}}),
		s.usage,
		muted(T("Over the budget, the cameras of lowest priority are analysed at fewer frames a second first.")),
		tableBox)
	s.Tick()
	return s
}

// cell is the text of one cell of a camera's row.
func (s *analyticsSettings) cell(st app.AnalyticsStatus, col int, l *widget.Label) string {
	switch col {
	case 0:
		if cam, ok := s.c.core.Inventory.Site().Camera(st.CameraID); ok {
			return cam.Display(english())
		}
		return st.CameraID
	case 1:
		switch st.State {
		case app.AnalyticsRunning:
			l.Importance = widget.SuccessImportance
			return T("Running")
		case app.AnalyticsFailed:
			l.Importance = widget.DangerImportance
			return T("Off")
		default:
			return T("Starting…")
		}
	case 2:
		return fmt.Sprintf("%.1f", st.FPS)
	case 3:
		if st.TargetFPS < st.ConfiguredFPS {
			l.Importance = widget.WarningImportance
			return fmt.Sprintf("%.1f / %.0f", st.TargetFPS, st.ConfiguredFPS)
		}
		return fmt.Sprintf("%.0f", st.TargetFPS)
	case 4:
		return fmt.Sprintf("%.1f", st.MsPerFrame)
	case 5:
		return strconv.FormatInt(st.Skipped, 10)
	case 6:
		if st.Dropped > 0 {
			l.Importance = widget.WarningImportance
		}
		return strconv.FormatInt(st.Dropped, 10)
	case 7:
		return strconv.FormatInt(st.Detections, 10)
	case 8:
		var off []string
		if st.State == app.AnalyticsFailed && st.Reason != "" {
			off = append(off, T(st.Reason, st.ReasonArgs))
		}
		for _, d := range st.Detectors {
			if d.Failed != "" {
				off = append(off, T(d.Kind.Label())+": "+T(d.Failed, d.FailedArgs))
			}
		}
		if len(off) > 0 {
			l.Importance = widget.DangerImportance
		}
		return strings.Join(off, "; ")
	}
	return ""
}

// Tick refreshes the figures.
func (s *analyticsSettings) Tick() {
	if s.table == nil {
		return
	}
	s.rows = s.c.x.Analytics.Statuses()
	cores, used := s.c.x.Analytics.Budget()
	s.usage.SetText(T("{{.Used}} of {{.Budget}} cores in use by {{.N}} cameras", map[string]any{
		"Used": fmt.Sprintf("%.2f", used), "Budget": fmt.Sprintf("%.1f", cores), "N": len(s.rows)}))
	s.table.Refresh()
}
