package ui

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"

	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// The inventory's "Import / export" dialog, for administrators: the XLSX template the
// technician fills, the export of the site's cameras, devices and buildings, and an import
// of a filled workbook or of a GeoJSON plan. An import is previewed first (how many things
// are added, changed and removed, and which), with every bad row and its row number; Apply
// is offered only when no row is bad, and stores the whole file as one journaled
// replacement (Inventory.ImportSite), or nothing.

// siteImport is the open dialog.
type siteImport struct {
	c       *Console
	wd      *writeDialog
	source  *widget.Label // the file read, and what kind of import it is
	remove  *widget.Check
	summary *widget.Label
	list    *widget.List
	lines   []importLine

	// The file read last, read again when "remove what is not in the file" changes.
	xlsx     []byte
	xlsxName string
	// base is the site the preview compares with; next what Apply stores (nil: nothing).
	base *app.Site
	next *app.Site
	// read counts the files read (the preview or the refusal shown): tests wait for it.
	read atomic.Int32
}

// importLine is a line of the preview: a change, or a bad row.
type importLine struct {
	icon fyne.Resource
	text string
	bad  bool
}

// siteImportButton is the inventory's button that opens the dialog; nil for operators who
// may not edit the site.
func (c *Console) siteImportButton() fyne.CanvasObject {
	if op := c.Operator(); op == nil || !op.Role.Can(app.ActEditSite) {
		return nil
	}
	b := widget.NewButtonWithIcon(T("Import / export…"), theme.UploadIcon(), func() { c.showSiteImport() })
	b.Importance = widget.LowImportance
	return b
}

// withSiteImport puts the import button beside a panel's heading (when the operator may use it).
func (c *Console) withSiteImport(head fyne.CanvasObject) fyne.CanvasObject {
	if b := c.siteImportButton(); b != nil {
		return container.NewBorder(nil, nil, nil, b, head)
	}
	return head
}

// showSiteImport opens the dialog.
func (c *Console) showSiteImport() *siteImport {
	s := &siteImport{c: c, source: widget.NewLabel(T("No file read yet.")), summary: widget.NewLabel("")}
	s.source.Wrapping = fyne.TextWrapWord
	s.summary.Wrapping = fyne.TextWrapWord
	s.summary.TextStyle.Bold = true
	s.remove = widget.NewCheck(T("Remove what is not in the file (XLSX)"), func(bool) {
		if s.xlsx != nil {
			s.readXLSX(s.xlsxName, s.xlsx)
		}
	})
	s.list = widget.NewList(
		func() int { return len(s.lines) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("template")
			l.Truncation = fyne.TextTruncateEllipsis
			return container.NewBorder(nil, nil, widget.NewIcon(theme.InfoIcon()), nil, l)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			box := o.(*fyne.Container)
			l, ic := box.Objects[0].(*widget.Label), box.Objects[1].(*widget.Icon)
			line := s.lines[i]
			l.Importance = widget.MediumImportance
			if line.bad {
				l.Importance = widget.DangerImportance
			}
			l.SetText(line.text)
			ic.SetResource(line.icon)
		},
	)
	sheetsOK := c.x.Sheets != nil
	template := widget.NewButtonWithIcon(T("Write the template…"), theme.DocumentSaveIcon(), s.saveTemplate)
	export := widget.NewButtonWithIcon(T("Export XLSX…"), theme.DocumentSaveIcon(), s.saveExport)
	importXLSX := widget.NewButtonWithIcon(T("Import XLSX…"), theme.FolderOpenIcon(), func() {
		s.open([]string{".xlsx", ".XLSX"}, s.readXLSX)
	})
	importGeo := widget.NewButtonWithIcon(T("Import GeoJSON…"), theme.FolderOpenIcon(), func() {
		s.open([]string{".geojson", ".json", ".GEOJSON", ".JSON"}, s.readGeoJSON)
	})
	if !sheetsOK {
		template.Disable()
		export.Disable()
		importXLSX.Disable()
		s.source.SetText(T("Spreadsheets are not available in this console; GeoJSON plans are."))
	}
	hint := widget.NewLabel(T("Rows of a workbook add or change things by their ID; a GeoJSON plan replaces the whole plan. Nothing is stored until you apply the preview."))
	hint.Wrapping = fyne.TextWrapWord
	top := container.NewVBox(
		hint,
		container.NewHBox(template, export),
		container.NewHBox(importXLSX, importGeo, s.remove),
		widget.NewSeparator(),
		s.source, s.summary,
	)
	body := container.NewBorder(top, nil, nil, nil, s.list)
	s.wd = newWriteDialog(c, T("Import / export"), T("Apply"), body, s.apply)
	s.wd.ok.Disable()
	s.wd.Show(fyne.NewSize(960, 640))
	return s
}

// open asks for a file to read and hands its content to read.
func (s *siteImport) open(exts []string, read func(name string, data []byte)) {
	fd := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil || rc == nil {
			return
		}
		defer rc.Close()
		data, err := io.ReadAll(io.LimitReader(rc, 64<<20))
		if err != nil {
			s.wd.status.fail(err)
			return
		}
		read(rc.URI().Name(), data)
	}, s.c.win)
	fd.SetFilter(storage.NewExtensionFileFilter(exts))
	fd.Resize(fyne.NewSize(900, 600))
	fd.Show()
}

// save asks where to write a file and writes it.
func (s *siteImport) save(name string, data []byte) {
	fd := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil || wc == nil {
			return
		}
		if err := writePrivate(wc, data); err != nil {
			s.wd.status.fail(err)
			return
		}
		s.wd.status.ok(T("Written: {{.Path}}", map[string]any{"Path": wc.URI().Path()}))
	}, s.c.win)
	fd.SetFileName(name)
	fd.Resize(fyne.NewSize(900, 600))
	fd.Show()
}

// writePrivate writes a workbook readable by its owner only: an export holds the
// residents' names and phones (DESIGN.md: every export 0600).
func writePrivate(wc fyne.URIWriteCloser, data []byte) error {
	_, err := wc.Write(data)
	if cerr := wc.Close(); err == nil {
		err = cerr
	}
	if err == nil && wc.URI().Scheme() == "file" {
		err = os.Chmod(wc.URI().Path(), 0o600)
	}
	return err
}

func (s *siteImport) saveTemplate() {
	site := s.c.core.Inventory.Site()
	data, err := s.c.x.Sheets.Template(site, Language())
	if err != nil {
		s.wd.status.fail(err)
		return
	}
	s.save(T("watchpost-template")+".xlsx", data)
}

func (s *siteImport) saveExport() {
	site := s.c.core.Inventory.Site()
	// Residents' personal fields masked (an import of it keeps the site's own values).
	data, err := s.c.x.Sheets.Export(app.MaskedSite(site), Language())
	if err != nil {
		s.wd.status.fail(err)
		return
	}
	name := "site"
	if site != nil {
		name = site.ID
	}
	s.save(name+".xlsx", data)
}

// readXLSX reads a filled workbook (off the UI thread) and shows its preview or its bad rows.
func (s *siteImport) readXLSX(name string, data []byte) {
	s.xlsx, s.xlsxName = data, name
	base := s.c.core.Inventory.Site()
	opt := app.SheetImport{RemoveMissing: s.remove.Checked}
	s.reading(name)
	go func() {
		next, probs, err := s.c.x.Sheets.Import(data, base, opt)
		s.c.onUI(func() {
			if err != nil {
				s.failed(name, err)
				return
			}
			var bad []importLine
			for _, p := range probs {
				// The place as the file names it (its sheet and header, not translated), then
				// what is wrong in the operator's language.
				m := p.Message(ErrText(p.Err))
				bad = append(bad, importLine{icon: theme.ErrorIcon(), text: T(m.Message, m.Args), bad: true})
			}
			s.show(T("Workbook {{.File}}", map[string]any{"File": name}), base, next, bad)
		})
	}()
}

// readGeoJSON reads a GeoJSON plan: it replaces the whole plan, as `watchpost site import`.
func (s *siteImport) readGeoJSON(name string, data []byte) {
	s.xlsx = nil
	base := s.c.core.Inventory.Site()
	s.reading(name)
	go func() {
		next, err := app.ImportGeoJSON(data)
		var bad []importLine
		if err == nil {
			app.PrepareImport(next, base)
			for _, e := range problemList(next.Validate()) {
				bad = append(bad, importLine{icon: theme.ErrorIcon(), text: ErrText(e), bad: true})
			}
		}
		s.c.onUI(func() {
			if err != nil {
				s.failed(name, err)
				return
			}
			if len(bad) > 0 {
				next = nil
			}
			s.show(T("GeoJSON plan {{.File}}: it replaces the whole plan", map[string]any{"File": name}), base, next, bad)
		})
	}()
}

func (s *siteImport) reading(name string) {
	s.next = nil
	s.wd.ok.Disable()
	s.wd.status.busy(T("Reading {{.File}}…", map[string]any{"File": name}))
}

func (s *siteImport) failed(name string, err error) {
	s.next, s.lines = nil, nil
	s.source.SetText(T("{{.File}} cannot be imported", map[string]any{"File": name}))
	s.summary.SetText("")
	s.list.Refresh()
	s.wd.status.fail(err)
	s.read.Add(1)
}

// show is the preview: the counts and the changes, or the bad rows (then nothing to apply).
func (s *siteImport) show(source string, base, next *app.Site, bad []importLine) {
	s.source.SetText(source)
	s.base, s.next, s.lines = base, nil, nil
	s.wd.status.clear()
	switch {
	case len(bad) > 0:
		s.summary.Importance = widget.DangerImportance
		s.summary.SetText(T("{{.N}} problems: correct the file and read it again. Nothing of it is stored.", map[string]any{"N": len(bad)}))
		s.lines = bad
	case next == nil:
		s.summary.SetText("")
	default:
		d := app.DiffSites(base, next)
		s.summary.Importance = widget.MediumImportance
		if d.Empty() {
			s.summary.SetText(T("The file changes nothing."))
			break
		}
		s.next = next
		s.summary.SetText(diffSummary(d))
		for _, ch := range d.Changes {
			s.lines = append(s.lines, changeLine(ch))
		}
		if d.Boundary {
			s.lines = append(s.lines, importLine{icon: theme.DocumentCreateIcon(), text: T("The site's boundary changes")})
		}
	}
	s.list.Refresh()
	s.list.ScrollToTop()
	if s.next != nil {
		s.wd.ok.Enable()
	} else {
		s.wd.ok.Disable()
	}
	s.read.Add(1)
}

// apply stores the previewed site, if the site is still the one it was compared with.
func (s *siteImport) apply() (write, error) {
	if s.next == nil {
		return write{}, app.Errorf(app.CodeInvalid, "Read a file first")
	}
	if s.c.core.Inventory.Site() != s.base {
		return write{}, app.Errorf(app.CodeConflict, "The site changed since this preview: read the file again")
	}
	next := s.next
	var secrets []app.DeviceSecret // the new devices' broker credentials, shown once
	return write{run: func(ctx context.Context, op *app.Operator) (err error) {
		secrets, err = s.c.core.Credentials.ImportSite(ctx, op, next)
		return err
	}, done: func() {
		if len(secrets) > 0 {
			s.c.showDeviceCredentials(secrets)
		}
	}}, nil
}

// diffSummary is one line per kind: "Cameras: 1 added, 2 changed, 0 removed".
func diffSummary(d app.SiteDiff) string {
	var parts []string
	for _, k := range app.DiffKinds {
		a, c, r := d.Count(k, app.ChangeAdded), d.Count(k, app.ChangeChanged), d.Count(k, app.ChangeRemoved)
		if a+c+r == 0 {
			continue
		}
		parts = append(parts, T("{{.Kind}}: {{.Added}} added, {{.Changed}} changed, {{.Removed}} removed",
			map[string]any{"Kind": T(itemKindPlural(k)), "Added": a, "Changed": c, "Removed": r}))
	}
	return strings.Join(parts, "\n")
}

func itemKindPlural(k app.ItemKind) string {
	switch k {
	case app.ItemGrid:
		return "Grids"
	case app.ItemBuilding:
		return "Buildings"
	case app.ItemCamera:
		return "Cameras"
	case app.ItemDevice:
		return "Devices"
	}
	return "Plan features"
}

func itemKindLabel(k app.ItemKind) string {
	switch k {
	case app.ItemGrid:
		return "Grid"
	case app.ItemBuilding:
		return "Building"
	case app.ItemCamera:
		return "Camera"
	case app.ItemDevice:
		return "Device"
	}
	return "Plan feature"
}

// changeLine is a change of the preview: "Added · Camera cam-9 · 北门".
func changeLine(ch app.SiteChange) importLine {
	what := fmt.Sprintf("%s %s", T(itemKindLabel(ch.Kind)), ch.ID)
	if n := ch.Display(english()); n != "" {
		what += " · " + n
	}
	switch ch.Op {
	case app.ChangeAdded:
		return importLine{icon: theme.ContentAddIcon(), text: T("Added · {{.What}}", map[string]any{"What": what})}
	case app.ChangeRemoved:
		return importLine{icon: theme.ContentRemoveIcon(), text: T("Removed · {{.What}}", map[string]any{"What": what})}
	}
	fields := make([]string, len(ch.Fields))
	for i, f := range ch.Fields {
		fields[i] = T(fieldLabel(f))
	}
	return importLine{icon: theme.DocumentCreateIcon(), text: T("Changed · {{.What}}: {{.Fields}}",
		map[string]any{"What": what, "Fields": strings.Join(fields, T(", "))})}
}

// fieldLabel names a changed field (its JSON name) for the preview.
func fieldLabel(f string) string {
	if l, ok := map[string]string{
		"name": "Name", "name_en": "Name (English)", "kind": "Type", "position": "Position", "main_url": "Main stream",
		"sub_url": "Sub stream", "direction": "Direction", "fov": "Field of view", "range": "Range", "grid": "Grid",
		"building": "Building", "analytics": "Video analytics", "video_loss_after": "Video loss after",
		"video_loss_priority": "Video loss priority", "location": "Location", "location_en": "Location (English)",
		"floor": "Floor", "cameras": "Cameras", "supervision": "Supervision window", "person": "Resident",
		"number": "Number", "use": "Use", "footprint": "Footprint", "floors": "Floors", "units": "Units",
		"area": "Area", "worker": "Grid worker", "color": "Colour", "line": "Line", "width": "Width", "at": "Position",
	}[f]; ok {
		return l
	}
	return f
}

// problemList lists the problems of a Validate error (one, or a list).
func problemList(err error) []error {
	if err == nil {
		return nil
	}
	var e *app.Error
	if errors.As(err, &e) && e.Message == "{{.List}}" {
		if j, ok := e.Err.(interface{ Unwrap() []error }); ok {
			return j.Unwrap()
		}
	}
	return []error{err}
}
