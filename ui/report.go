package ui

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
	"watchpost/report"
)

// The incident report and the drill debrief are built by the report package from the
// core's state, in the operator's language; the console writes them into the data
// directory (reports/) and opens them in the desktop's browser, from which they print
// (report_view.go shows them in the console where no browser opens).

// reportContext is what the console's reports need besides their subject.
func (c *Console) reportContext(by *app.Operator) report.Context {
	x := report.Context{Tr: tr(), Site: c.core.Inventory.Site(), Version: c.x.Version, By: by, Names: c.operatorDisplay}
	if c.core.Plans != nil {
		x.Plans = c.core.Plans.Get
	}
	if c.x.JournalAnchor != nil {
		if a, err := c.x.JournalAnchor(context.Background()); err == nil {
			x.Anchor = &a
		}
	}
	return x
}

// saveReport writes a document as its HTML page into the reports folder; it returns the
// file's path.
func (c *Console) saveReport(name string, doc report.Document) (string, error) {
	html, err := doc.HTML()
	if err != nil {
		return "", err
	}
	path, err := c.x.Reports.SaveReport(name, html)
	if err != nil {
		return "", app.Errorf(app.CodeUnavailable, "The report cannot be saved: {{.Why}}", "Why", err.Error()).Wrap(err)
	}
	return path, nil
}

// writeReport makes an incident's report and saves it; it returns the file's path and
// what the report says (shown in the console when no browser opens it).
func (c *Console) writeReport(ctx context.Context, op *app.Operator, id int64) (string, report.Document, error) {
	if c.x.Reports == nil {
		return "", report.Document{}, app.Errorf(app.CodeUnavailable, "Reports cannot be saved here")
	}
	r, err := c.core.Incidents.Report(ctx, id)
	if err != nil {
		return "", report.Document{}, err
	}
	doc := report.Incident(c.reportContext(op), r)
	path, err := c.saveReport(fmt.Sprintf("incident-%d-%s-%s.html", id, r.Made.Local().Format("20060102-150405"), doc.Lang), doc)
	if err != nil {
		return "", report.Document{}, err
	}
	return path, doc, nil
}

// makeReport writes the selected incident's report, opens it and links it in the panel.
func (p *incidentPanel) makeReport() {
	id := p.cur.ID
	var path string
	var doc report.Document
	p.c.write(write{
		run: func(ctx context.Context, op *app.Operator) (err error) {
			path, doc, err = p.c.writeReport(ctx, op, id)
			return err
		},
		done: func() {
			p.showReportLink(id, path, doc)
			p.c.openReport(path, doc)
		},
	})
}

func (p *incidentPanel) showReportLink(id int64, path string, doc report.Document) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.has || p.cur.ID != id {
		return
	}
	p.lastReport = path
	link := widget.NewHyperlink(filepath.Base(path), &url.URL{Scheme: "file", Path: filepath.ToSlash(path)})
	link.OnTapped = func() { p.c.openReport(path, doc) }
	p.report.Objects = []fyne.CanvasObject{widget.NewIcon(theme.FileTextIcon()), muted(T("Report saved:")), link}
	p.report.Refresh()
}
