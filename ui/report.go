package ui

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// The incident report: one self-contained HTML page for the record, in the operator's
// language, with print styles (A4, black on white, late and skipped steps marked in words
// as well as colour). It is written into the data directory (reports/) and opened in the
// desktop's browser, from which it prints.

type reportRow struct {
	Cells []string
	Class string
}

type reportTable struct {
	Title string
	Head  []string
	Rows  []reportRow
	Empty string
}

type reportData struct {
	Lang, Title, Heading, Subtitle string
	Drill                          bool
	DrillText                      string
	Facts                          [][2]string
	SummaryTitle, Summary          string
	Stats                          []string
	Tables                         []reportTable
	Footer                         string
	Sign                           []string
}

var reportTemplate = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
  :root { --ink: #1b1f24; --muted: #5d6670; --line: #d0d7de; --late: #b35900; --skip: #6e4db3; --open: #c62828; --ok: #1f7a35; }
  * { box-sizing: border-box; }
  body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "Helvetica Neue", Arial, sans-serif;
         color: var(--ink); margin: 24px auto; max-width: 1040px; padding: 0 24px; font-size: 14px; line-height: 1.5; }
  h1 { font-size: 24px; margin: 0 0 4px; }
  h2 { font-size: 17px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 2px solid var(--ink); }
  .sub { color: var(--muted); margin: 0 0 16px; }
  .drill { display: inline-block; border: 2px solid var(--skip); color: var(--skip); font-weight: bold; padding: 0 8px; margin-left: 8px; font-size: 14px; vertical-align: middle; }
  dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
  dl.facts dt { color: var(--muted); }
  dl.facts dd { margin: 0; }
  .summary { border-left: 4px solid var(--ink); padding: 6px 12px; background: #f6f8fa; white-space: pre-wrap; }
  .stats span { display: inline-block; margin: 4px 16px 4px 0; font-weight: bold; }
  table { border-collapse: collapse; width: 100%; margin: 4px 0 8px; }
  th, td { border: 1px solid var(--line); padding: 4px 6px; text-align: left; vertical-align: top; }
  th { background: #eef1f4; font-weight: 600; }
  td.num, th.num { white-space: nowrap; font-variant-numeric: tabular-nums; }
  tr.phase td { background: #f6f8fa; font-weight: bold; }
  tr.late td.st { color: var(--late); font-weight: bold; }
  tr.skipped td.st { color: var(--skip); font-weight: bold; }
  tr.open td.st { color: var(--open); font-weight: bold; }
  tr.done td.st { color: var(--ok); }
  tr.notreached td.st { color: var(--muted); font-style: italic; }
  .empty { color: var(--muted); font-style: italic; }
  footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
  .sign { display: flex; gap: 48px; margin-top: 28px; }
  .sign div { flex: 1; border-top: 1px solid var(--ink); padding-top: 4px; }
  @page { size: A4; margin: 14mm 12mm; }
  @media print {
    body { margin: 0; max-width: none; padding: 0; font-size: 11pt; }
    h2 { break-after: avoid; }
    tr { break-inside: avoid; }
    .summary { background: none; }
    th { background: none; }
    a { color: inherit; text-decoration: none; }
  }
</style>
</head>
<body>
<h1>{{.Heading}}{{if .Drill}}<span class="drill">{{.DrillText}}</span>{{end}}</h1>
<p class="sub">{{.Subtitle}}</p>
<dl class="facts">{{range .Facts}}<dt>{{index . 0}}</dt><dd>{{index . 1}}</dd>{{end}}</dl>
<h2>{{.SummaryTitle}}</h2>
<div class="summary">{{.Summary}}</div>
<p class="stats">{{range .Stats}}<span>{{.}}</span>{{end}}</p>
{{range .Tables}}
<h2>{{.Title}}</h2>
{{if .Rows}}<table>
<thead><tr>{{range .Head}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>{{range .Rows}}<tr class="{{.Class}}">{{range $i, $c := .Cells}}<td{{if eq $i 0}} class="num"{{end}}{{if eq $i 5}} class="st"{{end}}>{{$c}}</td>{{end}}</tr>
{{end}}</tbody>
</table>{{else}}<p class="empty">{{.Empty}}</p>{{end}}
{{end}}
<div class="sign">{{range .Sign}}<div>{{.}}</div>{{end}}</div>
<footer>{{.Footer}}</footer>
</body>
</html>
`))

// reportHTML renders the report in the operator's language.
func (c *Console) reportHTML(r app.IncidentReport, by *app.Operator) ([]byte, error) {
	return renderReport(c.incidentReportData(r, by))
}

// renderReport writes a report as its HTML page.
func renderReport(d reportData) ([]byte, error) {
	var b bytes.Buffer
	if err := reportTemplate.Execute(&b, d); err != nil {
		return nil, app.Errorf(app.CodeInternal, "The report cannot be written").Wrap(err)
	}
	return b.Bytes(), nil
}

// incidentReportData is what an incident's report says, in the operator's language.
func (c *Console) incidentReportData(r app.IncidentReport, by *app.Operator) reportData {
	in := r.Incident
	en := english()
	site := c.deps.Inventory.Site()
	when := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Local().Format("2006-01-02 15:04:05")
	}
	rel := func(t time.Time) string { return "+" + clockDuration(t.Sub(in.OpenedAt)) }
	who := func(u, name string) string { return operatorName(u, firstNonEmpty(name, c.operatorDisplay(u))) }

	d := reportData{Lang: Language(), Drill: in.Drill, DrillText: T("DRILL")}
	d.Heading = T("Incident report") + fmt.Sprintf(" #%d", in.ID)
	d.Title = d.Heading + " — " + in.Title
	d.Subtitle = in.Title
	if site != nil {
		d.Subtitle = site.Display(en) + " · " + in.Title
	}
	planName := in.PlanID
	if in.Plan != nil {
		planName = fmt.Sprintf("%s (%s, v%d)", in.Plan.Display(en), in.Plan.ID, in.Plan.Version)
	}
	state := T("Open")
	if in.State == app.IncidentClosed {
		state = T("Closed")
	}
	d.Facts = [][2]string{
		{T("Plan"), planName},
		{T("State"), state},
		{T("Level at the end"), T(in.Level.Label())},
		{T("Opened"), when(in.OpenedAt) + " · " + who(in.OpenedBy, "")},
	}
	if in.State == app.IncidentClosed {
		d.Facts = append(d.Facts, [2]string{T("Closed"), when(in.ClosedAt) + " · " + who(in.ClosedBy, "")})
		if in.Outcome != "" {
			d.Facts = append(d.Facts, [2]string{T("Outcome"), T(in.Outcome.Label())})
		}
	}
	d.Facts = append(d.Facts, [2]string{T("Duration"), clockDuration(r.Duration())})
	if site != nil {
		var place []string
		if g, ok := site.Grid(in.GridID); ok {
			place = append(place, g.Display(en)+" ("+T("grid worker")+" "+g.Worker.Name+" "+g.Worker.Phone+")")
		}
		if b, ok := site.Building(in.Building); ok {
			place = append(place, b.Display(en))
		}
		for _, id := range in.DeviceIDs {
			if dv, ok := site.Device(id); ok {
				place = append(place, dv.DisplayLocation(en))
				break
			}
		}
		if len(place) > 0 {
			d.Facts = append(d.Facts, [2]string{T("Place"), strings.Join(place, " · ")})
		}
	}
	d.SummaryTitle = T("Summary")
	d.Summary = in.Summary
	if d.Summary == "" {
		d.Summary = T("The incident is still open: this report shows it as it stands.")
	}
	d.Stats = []string{
		T("{{.N}} steps", map[string]any{"N": r.Counts.Steps}),
		T("{{.N}} done", map[string]any{"N": r.Counts.Done}),
		T("{{.N}} late", map[string]any{"N": r.Counts.Late}),
		T("{{.N}} skipped", map[string]any{"N": r.Counts.Skipped}),
		T("{{.N}} not done", map[string]any{"N": r.Counts.NotDone}),
		T("{{.N}} calls", map[string]any{"N": len(in.Calls)}),
	}

	// Levels.
	lv := reportTable{Title: T("Levels"), Head: []string{T("Time"), T("Level"), T("By"), T("Reason")}}
	for i, l := range in.Levels {
		text := T(l.To.Label())
		if i > 0 {
			text = T(l.From.Label()) + " → " + T(l.To.Label())
		}
		lv.Rows = append(lv.Rows, reportRow{Cells: []string{rel(l.At), text, who(l.By, l.ByName), l.Reason}})
	}

	// The checklist against the plan's limits.
	cl := reportTable{Title: T("Checklist"), Empty: T("The plan has no steps"),
		Head: []string{T("Done at"), T("Step"), T("Role"), T("Limit"), T("Level"), T("Status"), T("By"), T("Note or reason")}}
	for _, ph := range app.Phases {
		first := true
		for _, it := range r.Steps {
			if it.Step.Phase != ph {
				continue
			}
			if first {
				cl.Rows = append(cl.Rows, reportRow{Cells: []string{"", T(ph.Label()), "", "", "", "", "", ""}, Class: "phase"})
				first = false
			}
			s := it.Step
			limit := "—"
			if s.Limit > 0 {
				limit = "+" + clockDuration(s.Limit.D())
				if !it.ActiveFrom.Equal(in.OpenedAt) {
					limit += " " + T("from {{.T}}", map[string]any{"T": rel(it.ActiveFrom)})
				}
			}
			lvl := T("Any level")
			if s.MinLevel != 0 {
				lvl = T("from {{.Level}}", map[string]any{"Level": T(s.MinLevel.Label())})
			}
			at, status, class, byName, note := "", "", "", "", ""
			switch it.Progress.Status {
			case app.StepDone:
				at = rel(it.Progress.At)
				status, class = T("Done"), "done"
				if s.Limit > 0 {
					// How long it took against its limit, both from when it became active.
					status += " " + clockDuration(it.Offset) + " / " + clockDuration(s.Limit.D())
				}
				if it.Late {
					status, class = T("Late")+" "+clockDuration(it.Offset)+" / "+clockDuration(s.Limit.D())+" (+"+clockDuration(it.Offset-s.Limit.D())+")", "late"
				}
				byName, note = who(it.Progress.By, it.Progress.ByName), it.Progress.Note
			case app.StepSkipped:
				at = rel(it.Progress.At)
				status, class = T(app.StepSkipped.Label()), "skipped"
				byName, note = who(it.Progress.By, it.Progress.ByName), it.Progress.Reason
			default:
				status, class = T("Not done"), "open"
				if !it.Due.IsZero() && r.End.After(it.Due) {
					status += " (" + T("overdue") + ")"
				}
			}
			if !it.Applicable {
				note = strings.TrimSpace(note + " " + T("(not part of the checklist at the final level)"))
			}
			cl.Rows = append(cl.Rows, reportRow{Cells: []string{at, s.DisplayTitle(en), T(s.Role.Label()), limit, lvl, status, byName, note}, Class: class})
		}
	}
	var dropped []string
	for _, s := range r.Dropped {
		dropped = append(dropped, s.DisplayTitle(en))
	}

	// Calls.
	calls := reportTable{Title: T("Calls"), Empty: T("No calls were logged"), Head: []string{T("Time"), T("Contact"), T("Phone"), T("Result"), T("By")}}
	for _, cr := range in.Calls {
		calls.Rows = append(calls.Rows, reportRow{Cells: []string{rel(cr.At) + " " + cr.At.Local().Format("15:04:05"), cr.Name, cr.Phone, T(cr.Result.Label()), who(cr.By, cr.ByName)}})
	}

	// Alarms.
	alarms := reportTable{Title: T("Alarms"), Empty: T("No alarm is linked"), Head: []string{T("Raised"), T("Alarm"), T("Cause"), T("Priority"), T("State"), T("Outcome")}}
	for _, a := range r.Alarms {
		cause := alarmPlace(&a, site)
		if d := alarmDetails(&a); d != "" {
			cause += " (" + d + ")"
		}
		outcome := ""
		if a.Outcome != "" {
			outcome = T(a.Outcome.Label())
		}
		alarms.Rows = append(alarms.Rows, reportRow{Cells: []string{when(a.RaisedAt), fmt.Sprintf("#%d %s", a.ID, T(app.AlarmKindLabel(a.Kind))), cause, a.Priority.String(), T(stateText(a.State)), outcome}})
	}

	// Notes.
	notes := reportTable{Title: T("Notes"), Empty: T("No notes"), Head: []string{T("Time"), T("By"), T("Note")}}
	for _, n := range in.Notes {
		notes.Rows = append(notes.Rows, reportRow{Cells: []string{rel(n.At) + " " + n.At.Local().Format("15:04:05"), who(n.By, n.ByName), n.Text}})
	}

	// The timeline from the journal.
	tl := reportTable{Title: T("Timeline (from the journal)"), Head: []string{T("Time"), T("Clock"), T("By"), T("What")}}
	for _, e := range r.Timeline {
		tl.Rows = append(tl.Rows, reportRow{Cells: []string{rel(e.Time), e.Time.Local().Format("15:04:05"), who(e.Operator, ""), describeIncidentEntry(e, &in, en)}})
	}

	d.Tables = []reportTable{cl}
	if len(dropped) > 0 {
		d.Tables = append(d.Tables, reportTable{Title: T("Steps of other levels (not needed)"), Head: []string{T("Step")}, Rows: func() []reportRow {
			var rows []reportRow
			for _, s := range dropped {
				rows = append(rows, reportRow{Cells: []string{s}})
			}
			return rows
		}()})
	}
	d.Tables = append(d.Tables, lv, calls, alarms, notes, tl)
	d.Sign = []string{T("Commander"), T("Reviewed by"), T("Date")}
	maker := ""
	if by != nil {
		maker = by.Name
	}
	d.Footer = T("Made by Watchpost {{.Version}} on {{.When}} by {{.Who}}; the journal is the record.",
		map[string]any{"Version": c.deps.Version, "When": when(r.Made), "Who": maker})
	return d
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// writeReport makes an incident's report and saves it; it returns the file's path and
// what the report says (shown in the console when no browser opens it).
func (c *Console) writeReport(ctx context.Context, op *app.Operator, id int64) (string, reportData, error) {
	if c.deps.Reports == nil {
		return "", reportData{}, app.Errorf(app.CodeUnavailable, "Reports cannot be saved here")
	}
	r, err := c.deps.Incidents.Report(ctx, id)
	if err != nil {
		return "", reportData{}, err
	}
	d := c.incidentReportData(r, op)
	html, err := renderReport(d)
	if err != nil {
		return "", reportData{}, err
	}
	name := fmt.Sprintf("incident-%d-%s-%s.html", id, r.Made.Local().Format("20060102-150405"), Language())
	path, err := c.deps.Reports.SaveReport(name, html)
	if err != nil {
		return "", reportData{}, app.Errorf(app.CodeUnavailable, "The report cannot be saved: {{.Why}}", "Why", err.Error()).Wrap(err)
	}
	return path, d, nil
}

// makeReport writes the selected incident's report, opens it and links it in the panel.
func (p *incidentPanel) makeReport() {
	op := p.c.Operator()
	id := p.cur.ID
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		path, data, err := p.c.writeReport(ctx, op, id)
		p.c.onUI(func() {
			if err != nil {
				p.c.showError(err)
				return
			}
			p.showReportLink(id, path, data)
			p.c.openReport(path, data)
		})
	}()
}

func (p *incidentPanel) showReportLink(id int64, path string, data reportData) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.has || p.cur.ID != id {
		return
	}
	p.lastReport = path
	link := widget.NewHyperlink(filepath.Base(path), &url.URL{Scheme: "file", Path: filepath.ToSlash(path)})
	link.OnTapped = func() { p.c.openReport(path, data) }
	p.report.Objects = []fyne.CanvasObject{widget.NewIcon(theme.FileTextIcon()), muted(T("Report saved:")), link}
	p.report.Refresh()
}
