// Package report builds the documents Watchpost writes for the record: an incident's
// report and a drill's debrief, each one self-contained HTML page in the reader's
// language, with print styles (A4, black on white, late and skipped steps marked in words
// as well as colour). It is built from the core's state and a translator, and imports
// neither Fyne nor the console, so that the console, the command line and the documents
// of later issues (monthly reports, QR label sheets) share it. Saving and opening a
// document is the caller's part.
package report

import (
	"bytes"
	"html/template"

	"watchpost/app"
	"watchpost/assets/i18n"
)

// Context is what every document needs besides its subject.
type Context struct {
	Tr      i18n.Translator // the reader's language
	Site    *app.Site       // nil: places are given by their IDs
	Version string          // Watchpost's version, in the footer
	By      *app.Operator   // who made the document (nil: nobody named)
	// Names gives an operator's name by user name ("" when unknown); nil: user names.
	Names func(username string) string
	// Plans finds a plan by ID, to name the plans of a debrief; nil: by ID.
	Plans func(id string) (app.Plan, bool)
	// Anchor is the journal chain's head when the document was made (nil: none), printed
	// in the footer: a printed report keeps it where no one editing the database reaches,
	// for `watchpost journal verify --anchor` (the security issue, point 8).
	Anchor *app.JournalAnchor
}

// who shows who did something: the name recorded, else the operator's name, else the user name.
func (x Context) who(username, recorded string) string {
	if recorded == "" && x.Names != nil && username != "" && username != app.SystemActor {
		recorded = x.Names(username)
	}
	return OperatorName(x.Tr, username, recorded)
}

// Row is one row of a table. Class marks it for the eye: "phase" (a heading row), "done",
// "late", "skipped", "open" (not done), "notreached"; the page colours the status column
// (the sixth) by it, and the console's view of a report colours the row.
type Row struct {
	Cells []string
	Class string
}

// Table is a titled table of a document; Empty is said instead when it has no rows.
type Table struct {
	Title string
	Head  []string
	Rows  []Row
	Empty string
}

// Document is what a report says, in its reader's language: the HTML page is made from
// it, and the console shows the same where no browser opens the page.
type Document struct {
	Lang, Title, Heading, Subtitle string
	Drill                          bool
	DrillText                      string
	Facts                          [][2]string
	SummaryTitle, Summary          string
	Stats                          []string
	Tables                         []Table
	Footer                         string
	Sign                           []string
}

// HTML writes the document as its page.
func (d Document) HTML() ([]byte, error) {
	var b bytes.Buffer
	if err := pageTemplate.Execute(&b, d); err != nil {
		return nil, app.Errorf(app.CodeInternal, "The report cannot be written").Wrap(err)
	}
	return b.Bytes(), nil
}

var pageTemplate = template.Must(template.New("report").Parse(`<!DOCTYPE html>
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
