package ui

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// assessmentPanel is the assessment of the grids (网格考核): over a chosen period, per grid
// and per person, how the work orders were received, taken and finished within their
// limits, reopened, how long they took, who found the hazards and how satisfied the
// reporters were. The figures are the core's (app.AssessOrders, whose comments define each);
// the panel reads them off the UI thread and exports them as a workbook (0600), the export
// journaled before the file is written.
type assessmentPanel struct {
	c        *Console
	obj      fyne.CanvasObject
	period   *widget.Select
	from, to *widget.Entry
	caption  *widget.Label
	status   *writeStatus
	export   *widget.Button
	grids    *widget.Table
	people   *widget.Table
	a        app.Assessment
	loaded   int // how many times the figures were read (tests wait for it)
}

// The period chooser's choices (English, the translation keys), in order.
var assessmentPeriods = []string{"This month", "Last month", "Last 7 days", "Last 30 days", "Custom dates"}

const assessmentCustom = 4

func newAssessmentPanel(c *Console) panelView {
	p := &assessmentPanel{c: c, status: newWriteStatusInline(), caption: widget.NewLabel("")}
	opts := make([]string, len(assessmentPeriods))
	for i, s := range assessmentPeriods {
		opts[i] = T(s)
	}
	p.from, p.to = widget.NewEntry(), widget.NewEntry()
	p.from.SetPlaceHolder(auditDay)
	p.to.SetPlaceHolder(auditDay)
	p.period = widget.NewSelect(opts, func(string) { p.periodChosen() })
	show := widget.NewButtonWithIcon(T("Show"), theme.SearchIcon(), p.reload)
	show.Importance = widget.HighImportance
	p.export = widget.NewButtonWithIcon(T("Export XLSX…"), theme.DownloadIcon(), p.saveAs)
	if _, ok := c.x.Sheets.(app.AssessmentSheets); !ok {
		p.export.Disable() // a console without the workbook adapter
	}
	note := widget.NewLabel(T("Orders created in the period, each as it stands now. “In time” counts the orders whose limit can be judged: taken (or done), or whose limit ran out. Cancelled and merged orders are left out of every figure."))
	note.Wrapping = fyne.TextWrapWord

	p.grids = p.table(true)
	p.people = p.table(false)
	filters := container.NewHBox(widget.NewLabel(T("Period")), sized(p.period, 170), widget.NewLabel(T("From")), sized(p.from, 120),
		widget.NewLabel(T("Until")), sized(p.to, 120), show, widget.NewSeparator(), p.export)
	top := container.NewVBox(note, filters, container.NewBorder(nil, nil, p.caption, nil, p.status.content))
	split := container.NewVSplit(
		container.NewBorder(heading(T("Per grid")), nil, nil, nil, p.grids),
		container.NewBorder(heading(T("Per person")), nil, nil, nil, p.people))
	split.Offset = 0.45
	p.obj = container.NewPadded(container.NewBorder(top, nil, nil, nil, split))
	p.period.SetSelectedIndex(0) // this month, read at once
	return p
}

func (p *assessmentPanel) Object() fyne.CanvasObject { return p.obj }

// Shown reads the figures again: a period such as "this month" moves with the clock.
func (p *assessmentPanel) Shown(shown bool) {
	if shown {
		p.reload()
	}
}

// OnEntry reads the figures again when an order changes (or is imported) on any console.
func (p *assessmentPanel) OnEntry(e app.Entry) {
	if e.Kind.IsOrder() {
		p.reload()
	}
}

// assessmentColumns are the tables' columns (English, the translation keys).
func assessmentColumns(grid bool) []string {
	first := "Person"
	if grid {
		first = "Grid"
	}
	cols := []string{first, "Received", "Accepted in time", "Done in time", "Reopened", "Verified and closed", "Median to accept", "Median to close"}
	if grid {
		cols = append(cols, "Found by own people", "Found by others")
	} else {
		cols = append(cols, "Hazards reported")
	}
	return append(cols, "Satisfaction", "Cancelled or merged")
}

// table is the grids' or the people's table.
func (p *assessmentPanel) table(grid bool) *widget.Table {
	cols := assessmentColumns(grid)
	rows := func() []app.AssessmentRow {
		if grid {
			return p.a.Grids
		}
		return p.a.People
	}
	t := widget.NewTableWithHeaders(
		func() (int, int) { return len(rows()), len(cols) },
		func() fyne.CanvasObject { return widget.NewLabel("000 / 000 · 100%") },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			if rs := rows(); id.Row < len(rs) {
				o.(*widget.Label).SetText(assessmentCell(rs[id.Row], grid, id.Col))
			}
		})
	t.ShowHeaderColumn = false
	t.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Row < 0 && id.Col >= 0 && id.Col < len(cols) {
			o.(*widget.Label).SetText(T(cols[id.Col]))
		}
	}
	// Each column as wide as its header in the operator's language, and at least as wide as
	// what it shows (a name, "12 / 14 · 86%", "3 h 05 min", a count).
	for i, col := range cols {
		least := float32(80)
		switch {
		case i == 0:
			least = 150
		case i == 2 || i == 3:
			least = 125
		case i == 6 || i == 7:
			least = 115
		case i == len(cols)-2: // satisfaction: "4.5 ★ (12)"
			least = 115
		}
		head := widget.NewLabelWithStyle(T(col), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		t.SetColumnWidth(i, max(least, head.MinSize().Width))
	}
	return t
}

// assessmentCell is one cell of a row as the table shows it.
func assessmentCell(r app.AssessmentRow, grid bool, col int) string {
	none := "—"
	inTime := func(n, of int, share float64, ok bool) string {
		if !ok {
			return none
		}
		return fmt.Sprintf("%d / %d · %d%%", n, of, int(share*100+0.5))
	}
	span := func(d time.Duration) string {
		if d <= 0 {
			return none
		}
		return formatSpan(d)
	}
	n := strconv.Itoa
	cells := []func() string{
		func() string {
			switch {
			case grid && r.ID == "":
				return T("No grid")
			case grid:
				return r.Names.Display(english())
			}
			return r.Names.Name + " (" + r.ID + ")"
		},
		func() string { return n(r.Received) },
		func() string { s, ok := r.AcceptedShare(); return inTime(r.AcceptedInTime, r.AcceptJudged, s, ok) },
		func() string { s, ok := r.DoneShare(); return inTime(r.DoneInTime, r.DoneJudged, s, ok) },
		func() string { return n(r.Reopened) },
		func() string { return n(r.Closed) },
		func() string { return span(r.MedianAccept) },
		func() string { return span(r.MedianClose) },
	}
	if grid {
		cells = append(cells, func() string { return n(r.FoundByOwn) }, func() string { return n(r.FoundByOthers) })
	} else {
		cells = append(cells, func() string { return n(r.Reported) })
	}
	cells = append(cells,
		func() string {
			if v, ok := r.Satisfaction(); ok {
				return T("{{.Stars}} ★ ({{.N}})", map[string]any{"Stars": strconv.FormatFloat(v, 'f', 1, 64), "N": r.Ratings})
			}
			return none
		},
		func() string { return n(r.LeftOut) })
	if col < 0 || col >= len(cells) {
		return ""
	}
	return cells[col]()
}

// formatSpan is a time taken, to the minute: "25 min", "3 h 05 min", "2 d 4 h".
func formatSpan(d time.Duration) string {
	m := int(d.Round(time.Minute) / time.Minute)
	switch {
	case m < 60:
		return T("{{.N}} min", map[string]any{"N": m})
	case m < 48*60:
		return T("{{.H}} h {{.M}} min", map[string]any{"H": m / 60, "M": fmt.Sprintf("%02d", m%60)})
	}
	return T("{{.D}} d {{.H}} h", map[string]any{"D": m / (24 * 60), "H": m % (24 * 60) / 60})
}

// periodChosen fills the dates of a chosen period (a custom one is typed).
func (p *assessmentPanel) periodChosen() {
	i := p.period.SelectedIndex()
	if i == assessmentCustom {
		p.from.Enable()
		p.to.Enable()
		return
	}
	from, to := assessmentPeriod(i, p.c.core.Clock.Now().In(p.location()))
	p.from.SetText(from.Format(auditDay))
	p.to.SetText(to.AddDate(0, 0, -1).Format(auditDay)) // the last day, as a date is read
	p.from.Disable()
	p.to.Disable()
	p.reload()
}

// location is the site's time zone: a month is the community's.
func (p *assessmentPanel) location() *time.Location { return p.c.core.Inventory.Site().Location() }

// assessmentPeriod is the period of a preset choice around now: [from, to), whole days.
func assessmentPeriod(choice int, now time.Time) (from, to time.Time) {
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, now.Location())
	switch choice {
	case 1:
		return month.AddDate(0, -1, 0), month
	case 2:
		return day.AddDate(0, 0, -6), day.AddDate(0, 0, 1)
	case 3:
		return day.AddDate(0, 0, -29), day.AddDate(0, 0, 1)
	}
	return month, month.AddDate(0, 1, 0)
}

// periodOf reads the dates: from the first day's start to the end of the last.
func (p *assessmentPanel) periodOf() (from, to time.Time, err error) {
	day := func(e *widget.Entry, field string) (time.Time, error) {
		s := strings.TrimSpace(e.Text)
		t, err := time.ParseInLocation(auditDay, s, p.location())
		if err != nil {
			return t, app.Errorf(app.CodeInvalid, "{{.Date}} is not a date: type it as {{.Example}}", "Date", s, "Example", auditDay).On(field)
		}
		return t, nil
	}
	if from, err = day(p.from, "from"); err != nil {
		return
	}
	if to, err = day(p.to, "to"); err != nil {
		return
	}
	return from, to.AddDate(0, 0, 1), nil
}

// reload reads the figures of the period off the UI thread and shows them.
func (p *assessmentPanel) reload() {
	from, to, err := p.periodOf()
	if err != nil {
		p.status.fail(err)
		return
	}
	op := p.c.Operator()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
		a, err := p.c.core.Orders.Assess(ctx, op, from, to)
		cancel()
		p.c.onUI(func() {
			p.loaded++
			if err != nil {
				p.status.fail(err)
				return
			}
			p.status.clear()
			p.a = a
			received := 0
			for _, g := range a.Grids {
				received += g.Received
			}
			p.caption.SetText(T("{{.From}} to {{.To}}: {{.N}} orders", map[string]any{
				"From": from.Format(auditDay), "To": to.AddDate(0, 0, -1).Format(auditDay), "N": received}))
			p.grids.Refresh()
			p.people.Refresh()
		})
	}()
}

// saveAs asks where to write the workbook.
func (p *assessmentPanel) saveAs() {
	fd := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil {
			p.status.fail(err)
			return
		}
		if wc == nil {
			return // cancelled
		}
		p.save(wc)
	}, p.c.win)
	name := fmt.Sprintf("%s-%s-%s.xlsx", T("grid-assessment"), p.a.Period.From.Format("20060102"), p.a.Period.To.AddDate(0, 0, -1).Format("20060102"))
	fd.SetFileName(name)
	fd.Resize(fyne.NewSize(900, 600))
	fd.Show()
}

// save journals the export (who, which file, the period), then writes the workbook of the
// figures shown readable by its owner only. A refused journal writes nothing.
func (p *assessmentPanel) save(wc fyne.URIWriteCloser) {
	ws, ok := p.c.x.Sheets.(app.AssessmentSheets)
	if !ok {
		wc.Close()
		p.status.fail(app.Errorf(app.CodeUnavailable, "Workbooks cannot be written by this console"))
		return
	}
	data, err := ws.Assessment(p.a, Language())
	x := app.AssessmentExport{File: wc.URI().Path(), Format: "xlsx", From: p.a.Period.From, To: p.a.Period.To, Grids: len(p.a.Grids), People: len(p.a.People)}
	writeJournaledExport(wc, p.status, data, err, func(ctx context.Context) error {
		return p.c.core.Orders.AssessmentExported(ctx, p.c.Operator(), x)
	})
}
