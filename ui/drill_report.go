package ui

import (
	"context"
	"fmt"

	"watchpost/app"
	"watchpost/report"
)

// The debrief of a drill run (report.Debrief), saved and opened like an incident's report.

// writeDebrief makes a run's debrief report and saves it; it returns the file's path and
// what the report says (shown in the console when no browser opens it).
func (c *Console) writeDebrief(ctx context.Context, op *app.Operator, runID int64) (string, report.Document, error) {
	if c.x.Reports == nil {
		return "", report.Document{}, app.Errorf(app.CodeUnavailable, "Reports cannot be saved here")
	}
	d, err := c.core.Drills.Debrief(ctx, runID)
	if err != nil {
		return "", report.Document{}, err
	}
	doc := report.Debrief(c.reportContext(op), d)
	path, err := c.saveReport(fmt.Sprintf("drill-%d-%s-%s.html", runID, d.Made.Local().Format("20060102-150405"), doc.Lang), doc)
	if err != nil {
		return "", report.Document{}, err
	}
	return path, doc, nil
}

// debrief writes a run's debrief report and opens it in the browser (or, where none
// opens, in the console).
func (p *drillsPanel) debrief(runID int64) {
	var path string
	var doc report.Document
	p.c.write(write{
		run: func(ctx context.Context, op *app.Operator) (err error) {
			path, doc, err = p.c.writeDebrief(ctx, op, runID)
			return err
		},
		done: func() {
			p.lastReport = path
			p.c.openReport(path, doc)
		},
	})
}
