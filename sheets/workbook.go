package sheets

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"

	"github.com/xuri/excelize/v2"

	"watchpost/app"
	"watchpost/assets/i18n"
)

// Workbook is the site's things as an XLSX workbook (app.SiteSheets): a sheet each for
// cameras, devices and buildings, and an instructions sheet first. Headers are in the
// language asked for; an import reads headers in either language, in any order.
type Workbook struct{}

var _ app.SiteSheets = Workbook{}

// maxFile bounds what an import unzips: a community's things are a few thousand rows.
const maxFile = 64 << 20

// tables are the site's tables, positions in the site's frame; get* start a row from the
// thing of that ID in s (or a new one).
type tables struct {
	buildings Table[app.Building]
	cameras   Table[app.Camera]
	devices   Table[app.Device]
}

func tablesFor(s *app.Site) tables {
	fr := frameOf(s)
	if s == nil {
		s = &app.Site{}
	}
	return tables{
		buildings: buildingTable(fr, func(id string) app.Building {
			if b, ok := s.Building(id); ok {
				return *b
			}
			return app.Building{ID: id}
		}),
		cameras: cameraTable(fr, func(id string) app.Camera {
			if c, ok := s.Camera(id); ok {
				return *c
			}
			return app.Camera{ID: id}
		}),
		devices: deviceTable(fr, func(id string) app.Device {
			if d, ok := s.Device(id); ok {
				return *d
			}
			return app.Device{ID: id}
		}),
	}
}

// Template writes the empty workbook with an example row in each table.
func (Workbook) Template(site *app.Site, lang string) ([]byte, error) {
	return build(site, nil, lang)
}

// Export writes the site's things; passwords are never written.
func (Workbook) Export(site *app.Site, lang string) ([]byte, error) {
	if site == nil {
		site = &app.Site{}
	}
	return build(site, site, lang)
}

// build writes the workbook: the things of `things` (nil: the template's examples).
func build(site, things *app.Site, lang string) ([]byte, error) {
	lang = i18n.Normalize(lang)
	t := tablesFor(site)
	f := excelize.NewFile()
	defer f.Close()
	example := things == nil
	if things == nil {
		things = &app.Site{}
	}
	if err := writeInstructions(f, t, lang, site); err != nil {
		return nil, err
	}
	if err := write(f, t.cameras, things.Cameras, lang, example); err != nil {
		return nil, err
	}
	if err := write(f, t.devices, things.Devices, lang, example); err != nil {
		return nil, err
	}
	if err := write(f, t.buildings, things.Buildings, lang, example); err != nil {
		return nil, err
	}
	if err := f.DeleteSheet("Sheet1"); err != nil {
		return nil, err
	}
	f.SetActiveSheet(0)
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeInstructions is the first sheet: how the workbook is filled and imported, and every
// column of every table.
func writeInstructions(f *excelize.File, t tables, lang string, site *app.Site) error {
	tr := i18n.For(lang)
	sheet := tr.T("Instructions")
	if _, err := f.NewSheet(sheet); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	title, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	if err != nil {
		return err
	}
	row := 1
	line := func(style int, cells ...string) {
		for i, v := range cells {
			cell, _ := excelize.CoordinatesToCellName(i+1, row)
			_ = f.SetCellStr(sheet, cell, v)
			if style != 0 {
				_ = f.SetCellStyle(sheet, cell, cell, style)
			}
		}
		row++
	}
	name := ""
	if site != nil {
		name = site.Display(lang == i18n.English)
	}
	line(title, tr.T("Watchpost: cameras, devices and buildings of {{.Site}}", map[string]any{"Site": name}))
	for _, s := range []string{
		"One row per camera, device or building; columns marked * must be filled. The order of the columns does not matter, headers may be in Chinese or English.",
		"Row 2 of each sheet is an example: write over it, or leave it as it is (it is not imported then).",
		"On import, a row whose ID exists changes that thing; a new ID adds one. What the file does not list is kept, unless “Remove what is not in the file” is ticked.",
		"A blank cell clears that field (except the password). Nothing is stored until the preview is applied, and nothing at all while any row is wrong.",
		"Camera passwords are write-only: fill the password column to set one; the export leaves it blank and a blank cell keeps the current password.",
	} {
		line(0, tr.T(s)) // one line, overflowing into the empty cells beside it
	}
	if frameOf(site).proj != nil {
		line(0, tr.T("Positions are WGS-84 longitude and latitude in degrees."))
	} else {
		line(0, tr.T("Positions are metres east (X) and north (Y) of the site's south-west corner, as on the map."))
	}
	row++
	line(bold, tr.T("Sheet"), tr.T("Column"), tr.T("Required"), tr.T("What to write"), tr.T("Example"))
	zh := lang == i18n.Chinese
	addTable := func(sheetName string, cols []struct {
		head, help, ex string
		req            bool
	}) {
		for _, c := range cols {
			req := ""
			if c.req {
				req = tr.T("Yes")
			}
			line(0, sheetName, c.head, req, c.help, c.ex)
		}
	}
	type col = struct {
		head, help, ex string
		req            bool
	}
	var cams, devs, blds []col
	for _, c := range t.cameras.Columns {
		cams = append(cams, col{c.header(lang), pick(zh, c.HelpZh, c.HelpEn), c.Example, c.Required})
	}
	for _, c := range t.devices.Columns {
		devs = append(devs, col{c.header(lang), pick(zh, c.HelpZh, c.HelpEn), c.Example, c.Required})
	}
	for _, c := range t.buildings.Columns {
		blds = append(blds, col{c.header(lang), pick(zh, c.HelpZh, c.HelpEn), c.Example, c.Required})
	}
	addTable(t.cameras.name(lang), cams)
	addTable(t.devices.name(lang), devs)
	addTable(t.buildings.name(lang), blds)
	for col, w := range map[string]float64{"A": 16, "B": 26, "C": 10, "D": 70, "E": 40} {
		if err := f.SetColWidth(sheet, col, col, w); err != nil {
			return err
		}
	}
	return nil
}

func pick(zh bool, a, b string) string {
	if zh {
		return a
	}
	return b
}

// Import reads a workbook onto cur: buildings first (cameras and devices name them), then
// cameras, then devices. It returns the whole site that would result, or every bad row.
func (Workbook) Import(data []byte, cur *app.Site, opt app.SheetImport) (*app.Site, []app.SheetProblem, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: maxFile, UnzipXMLSizeLimit: maxFile})
	if err != nil {
		return nil, nil, app.Errorf(app.CodeInvalid, "This file is not an XLSX workbook").Wrap(err)
	}
	defer f.Close()
	if cur == nil {
		cur = &app.Site{}
	}
	next, err := copySite(cur)
	if err != nil {
		return nil, nil, err
	}
	t := tablesFor(next)
	var probs []app.SheetProblem
	found := 0

	// Buildings.
	var bRows []Row[app.Building]
	if sh := sheetOf(f, t.buildings); sh != "" {
		found++
		var p []app.SheetProblem
		bRows, p = read(f, sh, t.buildings)
		probs = append(probs, p...)
		next.Buildings = merge(next.Buildings, bRows, opt.RemoveMissing && len(bRows) > 0, func(b *app.Building) string { return b.ID })
	}
	cSheet := sheetOf(f, t.cameras)
	var cRows []Row[app.Camera]
	if cSheet != "" {
		found++
		var p []app.SheetProblem
		cRows, p = read(f, cSheet, t.cameras)
		probs = append(probs, p...)
		next.Cameras = merge(next.Cameras, cRows, opt.RemoveMissing && len(cRows) > 0, func(c *app.Camera) string { return c.ID })
	}
	dSheet := sheetOf(f, t.devices)
	var dRows []Row[app.Device]
	if dSheet != "" {
		found++
		var p []app.SheetProblem
		dRows, p = read(f, dSheet, t.devices)
		probs = append(probs, p...)
		next.Devices = merge(next.Devices, dRows, opt.RemoveMissing && len(dRows) > 0, func(d *app.Device) string { return d.ID })
	}
	if found == 0 {
		names := strings.Join([]string{t.cameras.Zh, t.devices.Zh, t.buildings.Zh}, "、") + " / " +
			strings.Join([]string{t.cameras.En, t.devices.En, t.buildings.En}, ", ")
		return nil, []app.SheetProblem{{Err: app.Errorf(app.CodeInvalid, "The workbook has none of the sheets {{.Sheets}}", "Sheets", names)}}, nil
	}

	// What the rows name must exist in the site that results.
	missing := map[string]string{"grid": "There is no grid {{.ID}}", "building": "There is no building {{.ID}}", "camera": "There is no camera {{.ID}}"}
	ref := func(sheet string, row int, col, kind, id string, ok bool) {
		if id != "" && !ok {
			probs = append(probs, app.SheetProblem{Sheet: sheet, Row: row, Column: col,
				Err: app.Errorf(app.CodeInvalid, missing[kind], "ID", id)})
		}
	}
	for _, r := range bRows {
		_, ok := next.Grid(r.V.GridID)
		ref(sheetOf(f, t.buildings), r.Num, r.Header("grid"), "grid", r.V.GridID, ok)
	}
	for _, r := range cRows {
		_, ok := next.Building(r.V.BuildingID)
		ref(cSheet, r.Num, r.Header("building"), "building", r.V.BuildingID, ok)
		_, ok = next.Grid(r.V.GridID)
		ref(cSheet, r.Num, r.Header("grid"), "grid", r.V.GridID, ok)
	}
	for _, r := range dRows {
		_, ok := next.Building(r.V.BuildingID)
		ref(dSheet, r.Num, r.Header("building"), "building", r.V.BuildingID, ok)
		_, ok = next.Grid(r.V.GridID)
		ref(dSheet, r.Num, r.Header("grid"), "grid", r.V.GridID, ok)
		for _, id := range r.V.CameraIDs {
			_, ok := next.Camera(id)
			ref(dSheet, r.Num, r.Header("cameras"), "camera", id, ok)
		}
	}
	if len(probs) > 0 {
		sortProblems(probs)
		return nil, probs, nil
	}
	// The site as a whole (a building removed that a kept device names, …).
	app.PrepareImport(next, cur)
	if err := next.Validate(); err != nil {
		for _, e := range problemsOf(err) {
			probs = append(probs, app.SheetProblem{Err: e})
		}
		return nil, probs, nil
	}
	return next, nil, nil
}

// sortProblems orders the problems sheet by sheet (in the order they were found) and row
// by row, as the technician goes through the file.
func sortProblems(ps []app.SheetProblem) {
	order := map[string]int{}
	for _, p := range ps {
		if _, ok := order[p.Sheet]; !ok {
			order[p.Sheet] = len(order)
		}
	}
	sort.SliceStable(ps, func(i, j int) bool {
		if order[ps[i].Sheet] != order[ps[j].Sheet] {
			return order[ps[i].Sheet] < order[ps[j].Sheet]
		}
		return ps[i].Row < ps[j].Row
	})
}

// merge upserts the rows into the things by ID (a new ID is added at the end); with
// remove, things no row lists are dropped (callers never remove on a sheet without rows:
// an empty sheet of the template is not "remove every device").
func merge[T any](things []T, rows []Row[T], remove bool, id func(*T) string) []T {
	at := map[string]int{}
	for i := range things {
		at[id(&things[i])] = i
	}
	listed := map[string]bool{}
	for _, r := range rows {
		listed[r.ID] = true
		if i, ok := at[r.ID]; ok {
			things[i] = r.V
		} else {
			at[r.ID] = len(things)
			things = append(things, r.V)
		}
	}
	if !remove {
		return things
	}
	out := things[:0]
	for i := range things {
		if listed[id(&things[i])] {
			out = append(out, things[i])
		}
	}
	return out
}

// copySite is a deep copy: the import never changes the site the console shows.
func copySite(s *app.Site) (*app.Site, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	var c app.Site
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, err
	}
	return &c, nil
}
