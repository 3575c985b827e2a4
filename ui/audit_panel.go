package ui

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// auditPanel is the administrators' audit trail (审计记录): who saw or exported whose
// record, who signed in, failed to or signed out, and the changes to accounts and
// permissions, read from the journal by the core (app.AuditTrail, administrators only).
// Filters by date, operator and kind; the list shown is exported as CSV or XLSX (0600), and
// the export is journaled before the file is written.
type auditPanel struct {
	c        *Console
	obj      fyne.CanvasObject
	from, to *widget.Entry
	who      *widget.Select
	kind     *widget.Select
	list     *widget.List
	count    *widget.Label
	status   *writeStatus
	records  []app.AuditRecord
	filter   app.AuditFilter // of the records shown
	loaded   int             // how many times the list was read (tests wait for it)
	users    []string        // the operators the who filter offers, after "All operators"
}

// auditKindGroups are the kind filter's choices (English, the translation keys), in order.
var auditKindGroups = []struct {
	label string
	kinds []app.EntryKind
}{
	{"All kinds", nil},
	{"Personal records seen", []app.EntryKind{app.KindPersonViewed}},
	{"Personal records exported", []app.EntryKind{app.KindPersonExported}},
	{"Sign-ins", []app.EntryKind{app.KindSignedIn}},
	{"Failed sign-ins", []app.EntryKind{app.KindSignInFailed}},
	{"Sign-outs", []app.EntryKind{app.KindSignedOut}},
	{"Account and permission changes", []app.EntryKind{app.KindOperatorCreated, app.KindOperatorUpdated, app.KindPasswordChanged, app.KindPermissionsChanged}},
	{"Audit trail exports", []app.EntryKind{app.KindAuditExported}},
}

// auditDay is how dates are typed in the filters.
const auditDay = "2006-01-02"

func newAuditPanel(c *Console) panelView {
	p := &auditPanel{c: c, status: newWriteStatusInline(), count: widget.NewLabel("")}
	p.from, p.to = widget.NewEntry(), widget.NewEntry()
	now := c.core.Clock.Now().Local()
	p.from.SetText(now.AddDate(0, 0, -30).Format(auditDay))
	p.from.SetPlaceHolder(now.Format(auditDay)) // the form a date is typed in
	p.to.SetPlaceHolder(now.Format(auditDay))
	p.who = widget.NewSelect([]string{T("All operators")}, nil)
	p.who.SetSelectedIndex(0)
	kinds := make([]string, len(auditKindGroups))
	for i, g := range auditKindGroups {
		kinds[i] = T(g.label)
	}
	p.kind = widget.NewSelect(kinds, nil)
	p.kind.SetSelectedIndex(0)
	show := widget.NewButtonWithIcon(T("Show"), theme.SearchIcon(), p.reload)
	show.Importance = widget.HighImportance
	csvButton := widget.NewButtonWithIcon(T("Export CSV…"), theme.DownloadIcon(), func() { p.saveAs("csv") })
	xlsxButton := widget.NewButtonWithIcon(T("Export XLSX…"), theme.DownloadIcon(), func() { p.saveAs("xlsx") })

	p.list = widget.NewList(
		func() int { return len(p.records) },
		func() fyne.CanvasObject { return newAuditRow() },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i < len(p.records) {
				o.(*auditRow).set(auditCells(p.records[i]))
			}
		})
	filters := container.NewHBox(
		widget.NewLabel(T("From")), sized(p.from, 120), widget.NewLabel(T("Until")), sized(p.to, 120),
		sized(p.who, 160), sized(p.kind, 260), show, widget.NewSeparator(), csvButton, xlsxButton)
	note := widget.NewLabel(T("Who saw or exported whose record, who signed in, and the changes to accounts and permissions. Kept at least {{.Days}} days; exporting it is journaled too.",
		map[string]any{"Days": int(app.MinAuditRetention.Hours() / 24)}))
	note.Wrapping = fyne.TextWrapWord
	top := container.NewVBox(note, filters, container.NewBorder(nil, nil, p.count, nil, p.status.content), newAuditRow().header(), widget.NewSeparator())
	p.obj = container.NewPadded(container.NewBorder(top, nil, nil, nil, p.list))
	p.loadUsers()
	p.reload()
	return p
}

func (p *auditPanel) Object() fyne.CanvasObject { return p.obj }

// OnEntry reads the trail again when an entry of its kinds arrives (a sign-in elsewhere).
func (p *auditPanel) OnEntry(e app.Entry) {
	for _, k := range app.AuditKinds {
		if e.Kind == k {
			p.reload()
			return
		}
	}
}

// loadUsers offers the operators' accounts in the who filter.
func (p *auditPanel) loadUsers() {
	op := p.c.Operator()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
		ops, err := p.c.core.Accounts.List(ctx, op)
		cancel()
		if err != nil {
			return // the filter keeps "All operators"; the list says why it is refused
		}
		p.c.onUI(func() {
			p.users = p.users[:0]
			opts := []string{T("All operators")}
			for _, o := range ops {
				p.users = append(p.users, o.Username)
				opts = append(opts, o.Username+" · "+o.Name)
			}
			sel := p.who.SelectedIndex()
			p.who.SetOptions(opts)
			p.who.SetSelectedIndex(max(sel, 0))
		})
	}()
}

// filterOf reads the filters; a date that cannot be read is said in the panel.
func (p *auditPanel) filterOf() (app.AuditFilter, error) {
	var f app.AuditFilter
	day := func(e *widget.Entry) (time.Time, error) {
		s := strings.TrimSpace(e.Text)
		if s == "" {
			return time.Time{}, nil
		}
		t, err := time.ParseInLocation(auditDay, s, time.Local)
		if err != nil {
			return t, app.Errorf(app.CodeInvalid, "{{.Date}} is not a date: type it as {{.Example}}", "Date", s, "Example", auditDay)
		}
		return t, nil
	}
	var err error
	if f.From, err = day(p.from); err != nil {
		return f, err
	}
	if f.To, err = day(p.to); err != nil {
		return f, err
	}
	if !f.To.IsZero() {
		f.To = f.To.AddDate(0, 0, 1) // the whole last day
	}
	if i := p.who.SelectedIndex(); i > 0 && i-1 < len(p.users) {
		f.Operator = p.users[i-1]
	}
	if i := p.kind.SelectedIndex(); i > 0 {
		f.Kinds = auditKindGroups[i].kinds
	}
	return f, nil
}

// reload reads the trail with the filters off the UI thread and shows it.
func (p *auditPanel) reload() {
	f, err := p.filterOf()
	if err != nil {
		p.status.fail(err)
		return
	}
	op := p.c.Operator()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
		recs, err := p.c.core.Audit.Records(ctx, op, f)
		cancel()
		p.c.onUI(func() {
			p.loaded++
			if err != nil {
				p.status.fail(err)
				return
			}
			p.status.clear()
			p.records, p.filter = recs, f
			p.count.SetText(T("{{.N}} records", map[string]any{"N": len(recs)}))
			p.list.Refresh()
		})
	}()
}

// auditHeader are the columns of the list and of an export.
func auditHeader() []string {
	return []string{T("Time"), T("What"), T("Who"), T("Whose record or account"), T("Details")}
}

// auditCells is one record as the list and an export show it.
func auditCells(r app.AuditRecord) []string {
	whose := r.Account()
	if strings.HasPrefix(r.Subject, app.UnknownNamePrefix) {
		whose = T("{{.Name}} (no such user)", map[string]any{"Name": whose})
	} else if whose == "" {
		whose = r.Subject
	}
	who := r.Operator
	if who == app.SystemActor {
		who = T("system")
	}
	return []string{r.Time.Local().Format("2006-01-02 15:04:05"), T(auditKindLabel(r.Kind)), who, whose, auditDetails(r)}
}

// auditKindLabel says what a record is (English, the translation key).
func auditKindLabel(k app.EntryKind) string {
	switch k {
	case app.KindPersonViewed:
		return "Saw a person's record"
	case app.KindPersonExported:
		return "Exported a person's record"
	case app.KindSignedIn:
		return "Signed in"
	case app.KindSignInFailed:
		return "Failed sign-in"
	case app.KindSignedOut:
		return "Signed out"
	case app.KindOperatorCreated:
		return "Account created"
	case app.KindOperatorUpdated:
		return "Account changed"
	case app.KindPasswordChanged:
		return "Password changed"
	case app.KindPermissionsChanged:
		return "Permissions changed"
	case app.KindAuditExported:
		return "Exported the audit trail"
	}
	return string(k)
}

// auditFieldLabels name the data's fields the trail shows (English, the translation keys);
// the others are shown by their own name. A phone is masked; what repeats a column is left
// out.
var auditFieldLabels = map[string]string{
	"person": "Person", "reason": "Reason", "alarm": "Alarm", "name": "Name", "role": "Role", "disabled": "Disabled",
	"reset": "Reset by an administrator", "automatic": "Automatic (demo)", "granted": "Granted", "revoked": "Revoked",
	"file": "File", "format": "Format", "records": "Records", "must_change": "Must change the password", "phone": "Phone",
}

var auditFieldsLeftOut = map[string]bool{"username": true, "created_at": true, "unknown": true, "masked": true}

func auditDetails(r app.AuditRecord) string {
	var parts []string
	for _, k := range r.FieldNames() {
		if auditFieldsLeftOut[k] {
			continue
		}
		v := r.Fields[k]
		if k == "phone" {
			v = app.MaskPhone(v)
		}
		if k == "role" {
			v = T(app.Role(v).Label())
		}
		label := k
		if l, ok := auditFieldLabels[k]; ok {
			label = T(l)
		}
		parts = append(parts, label+": "+v)
	}
	return strings.Join(parts, "; ")
}

// exportData is the records shown, as a file of the format ("csv" or "xlsx").
func (p *auditPanel) exportData(format string) ([]byte, error) {
	rows := make([][]string, len(p.records))
	for i, r := range p.records {
		rows[i] = auditCells(r)
	}
	if format == "xlsx" {
		ts, ok := p.c.x.Sheets.(app.TableSheets)
		if !ok {
			return nil, app.Errorf(app.CodeUnavailable, "Workbooks cannot be written by this console")
		}
		return ts.Table(T("Audit trail"), auditHeader(), rows)
	}
	var b bytes.Buffer
	b.WriteString("\ufeff") // so that a spreadsheet opens the Chinese as UTF-8
	w := csv.NewWriter(&b)
	_ = w.Write(auditHeader())
	_ = w.WriteAll(rows)
	return b.Bytes(), w.Error()
}

// saveAs asks where to write the export.
func (p *auditPanel) saveAs(format string) {
	fd := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil {
			p.status.fail(err)
			return
		}
		if wc == nil {
			return // cancelled
		}
		p.save(wc, format)
	}, p.c.win)
	fd.SetFileName(fmt.Sprintf("%s-%s.%s", T("audit-trail"), p.c.core.Clock.Now().Local().Format("20060102-1504"), format))
	fd.Resize(fyne.NewSize(900, 600))
	fd.Show()
}

// save journals the export (who, which file, how many records, the filters), then writes
// the file readable by its owner only. A refused journal writes nothing.
func (p *auditPanel) save(wc fyne.URIWriteCloser, format string) {
	data, err := p.exportData(format)
	f := p.filter
	x := app.AuditExport{File: wc.URI().Path(), Format: format, Records: len(p.records), From: f.From, To: f.To, Operator: f.Operator, Kinds: f.Kinds}
	writeJournaledExport(wc, p.status, data, err, func(ctx context.Context) error {
		return p.c.core.Audit.Exported(ctx, p.c.Operator(), x)
	})
}

// auditRow is one line of the list: the columns at fixed widths, the details wrapping.
type auditRow struct {
	widget.BaseWidget
	cells []*widget.Label
}

var auditWidths = []float32{150, 170, 110, 240}

func newAuditRow() *auditRow {
	r := &auditRow{}
	for range auditHeader() {
		l := widget.NewLabel("")
		l.Truncation = fyne.TextTruncateEllipsis
		r.cells = append(r.cells, l)
	}
	r.ExtendBaseWidget(r)
	return r
}

// header is the row of column titles.
func (r *auditRow) header() *auditRow {
	r.set(auditHeader())
	for _, l := range r.cells {
		l.TextStyle.Bold = true
	}
	return r
}

func (r *auditRow) set(cells []string) {
	for i, l := range r.cells {
		l.SetText(cells[i])
	}
}

func (r *auditRow) CreateRenderer() fyne.WidgetRenderer {
	objs := make([]fyne.CanvasObject, len(r.cells))
	for i, l := range r.cells {
		objs[i] = l
	}
	return widget.NewSimpleRenderer(container.New(&auditColumns{}, objs...))
}

// auditColumns lays the cells out at auditWidths; the last takes the rest.
type auditColumns struct{}

func (auditColumns) MinSize(objs []fyne.CanvasObject) fyne.Size {
	w, h := float32(0), float32(0)
	for i, o := range objs {
		if i < len(auditWidths) {
			w += auditWidths[i]
		} else {
			w += 200
		}
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(w, h)
}

func (auditColumns) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	x := float32(0)
	for i, o := range objs {
		w := size.Width - x
		if i < len(auditWidths) {
			w = auditWidths[i]
		}
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(max(w, 0), size.Height))
		x += w
	}
}
