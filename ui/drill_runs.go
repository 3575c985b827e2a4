package ui

import (
	"context"
	"fmt"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
	"watchpost/report"
)

// drillRuns compares the runs of one scenario over time: the score of each run as a bar,
// and a table of their times (to acknowledge, to open the incident, the steps in time),
// with the debrief report of the one selected.
type drillRuns struct {
	p        *drillsPanel
	content  fyne.CanvasObject
	scenario string
	runs     []app.DrillRun // newest first
	summary  *widget.Label
	chart    *fyne.Container
	table    *widget.Table
	debrief  *widget.Button
	replay   *widget.Button // nil where replay is not running
	selected int64
}

func newDrillRuns(p *drillsPanel) *drillRuns {
	r := &drillRuns{p: p, summary: widget.NewLabel(""), chart: container.NewHBox()}
	r.summary.Wrapping = fyne.TextWrapWord
	r.table = widget.NewTableWithHeaders(
		func() (int, int) { return len(r.runs), len(report.RunColumns) },
		func() fyne.CanvasObject { return widget.NewLabel("2026-11-28 15:04") },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			if id.Row < len(r.runs) {
				o.(*widget.Label).SetText(report.RunCell(tr(), &r.runs[id.Row], id.Col, p.c.operatorDisplay))
			}
		})
	r.table.ShowHeaderColumn = false
	r.table.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	r.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Row < 0 && id.Col >= 0 && id.Col < len(report.RunColumns) {
			o.(*widget.Label).SetText(T(report.RunColumns[id.Col]))
		}
	}
	for i, w := range []float32{70, 150, 110, 80, 170, 150, 120, 80, 100, 80} {
		r.table.SetColumnWidth(i, w)
	}
	r.table.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < len(r.runs) {
			r.selected = r.runs[id.Row].ID
			r.debrief.Enable()
			if r.replay != nil && r.runs[id.Row].EndedAt != nil { // a run is replayed once it stopped
				r.replay.Enable()
			}
		}
	}
	r.debrief = widget.NewButtonWithIcon(T("Debrief…"), theme.FileTextIcon(), func() {
		if r.selected != 0 {
			p.debrief(r.selected)
		}
	})
	r.debrief.Disable()
	buttons := container.NewHBox(r.debrief)
	if r.replay = p.c.replayButton(app.ReplayOfDrill, 0); r.replay != nil {
		r.replay.OnTapped = func() {
			if r.selected != 0 {
				p.c.ShowReplay(app.ReplayOfDrill, r.selected)
			}
		}
		r.replay.Disable()
		buttons.Add(r.replay)
	}
	buttons.Add(muted(T("Select a run, then make its debrief report")))
	top := container.NewVBox(heading(T("Runs of this scenario")), r.summary, container.NewHScroll(r.chart), buttons)
	r.content = container.NewPadded(container.NewBorder(top, nil, nil, nil, r.table))
	return r
}

// load shows the runs of a scenario.
func (r *drillRuns) load(scenario string) {
	r.scenario = scenario
	r.reload()
}

func (r *drillRuns) reload() {
	runs, err := r.p.c.core.Drills.Runs(context.Background(), r.scenario)
	if err != nil {
		r.p.c.showError(err)
		return
	}
	if r.scenario == "" {
		runs = nil
	}
	r.runs = runs
	r.selected = 0
	r.debrief.Disable()
	if r.replay != nil {
		r.replay.Disable()
	}
	r.table.UnselectAll()
	r.table.Refresh()
	r.fillSummary()
	r.fillChart()
}

// fillSummary says how the team does over time: the best and the latest score, and how
// the latest compares with the one before.
func (r *drillRuns) fillSummary() {
	var scored []app.DrillRun
	for _, run := range r.runs {
		if run.Score != nil {
			scored = append(scored, run)
		}
	}
	if len(scored) == 0 {
		r.summary.SetText(T("No run of this scenario has ended yet."))
		return
	}
	best := scored[0]
	for _, run := range scored {
		if run.Score.Percent > best.Score.Percent {
			best = run
		}
	}
	text := T("Runs: {{.N}}. Best: {{.Best}}% (#{{.ID}}, {{.When}}). Latest: {{.Last}}%.", map[string]any{"N": len(scored),
		"Best": best.Score.Percent, "ID": best.ID, "When": best.StartedAt.Local().Format("2006-01-02"), "Last": scored[0].Score.Percent})
	if len(scored) > 1 {
		d := scored[0].Score.Percent - scored[1].Score.Percent
		text += " " + T("Change since the run before: {{.D}} points.", map[string]any{"D": fmt.Sprintf("%+d", d)})
		if a, ok := scored[0].Score.MeanAck(); ok {
			if b, ok := scored[1].Score.MeanAck(); ok {
				text += " " + T("Mean time to acknowledge: {{.A}} (before: {{.B}}).", map[string]any{"A": clockDuration(a), "B": clockDuration(b)})
			}
		}
	}
	r.summary.SetText(text)
}

// fillChart draws each ended run's score as a bar, oldest on the left.
func (r *drillRuns) fillChart() {
	var bars []fyne.CanvasObject
	const h = 80
	for i := len(r.runs) - 1; i >= 0; i-- {
		run := r.runs[i]
		if run.Score == nil {
			continue
		}
		pc := run.Score.Percent
		bar := canvas.NewRectangle(themeColor(scoreColor(pc)))
		bar.SetMinSize(fyne.NewSize(34, float32(max(2, pc*h/100))))
		pad := canvas.NewRectangle(color.Transparent)
		pad.SetMinSize(fyne.NewSize(34, float32(h-max(2, pc*h/100))))
		label := canvas.NewText(fmt.Sprintf("%d%%", pc), themeColor(theme.ColorNameForeground))
		label.Alignment = fyne.TextAlignCenter
		label.TextSize = theme.CaptionTextSize()
		date := muted(run.StartedAt.Local().Format("01-02"))
		date.Alignment = fyne.TextAlignCenter
		bars = append(bars, container.New(layout.NewCustomPaddedVBoxLayout(1), label, pad, bar, date))
	}
	r.chart.Objects = bars
	r.chart.Refresh()
}

func scoreColor(pc int) fyne.ThemeColorName {
	switch {
	case pc >= 80:
		return colorOK
	case pc >= 50:
		return colorP3
	}
	return colorP1
}
