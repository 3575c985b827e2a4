// Package sheets reads and writes the site's things as XLSX workbooks (excelize): the
// template the console writes, the export, and the import that reports every bad row with
// its row number and stores nothing while one is bad. The tables are described once
// (Table: columns with their headers in Chinese and English, whether required, how a cell is
// read and written, an example), so that later registers (residents, work orders, history)
// add a table, not a reader.
package sheets

import (
	"errors"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"watchpost/app"
)

// Column is one column of a table of things of type T.
type Column[T any] struct {
	Key      string // a stable name; accepted as a header too
	Zh, En   string // the header in Chinese and in English (both are accepted on import)
	Required bool   // the column must be in the file and its cells filled
	Example  string // the example row's value
	HelpZh   string // what to write, for the instructions sheet
	HelpEn   string
	Choices  []string // a drop-down list of the values (kinds)
	Number   bool     // written as a number
	Width    float64  // in characters; 0: from the header and the example
	// Get is what the export writes for a thing; nil: the column is write-only (a password),
	// the export leaves it blank.
	Get func(*T) string
	// Set reads a cell (trimmed; "" for a blank cell) into the thing.
	Set func(*T, string) *app.Error
}

// Table is a kind of things written as one sheet, one thing a row, keyed by the ID in the
// first column.
type Table[T any] struct {
	Key    string // "cameras"
	Zh, En string // the sheet's name in Chinese and in English
	// Columns: the first is the ID.
	Columns []Column[T]
	// Start is the thing a row with this ID updates: the current one, or a new one.
	Start func(id string) T
	// Check validates a thing read from a row; each problem's Field is a column's Key (or
	// is mapped to one by Fields), so it is reported on that column.
	Check  func(*T) error
	Fields map[string]string
}

// header is a column's header in a language, required ones marked with " *".
func (c Column[T]) header(lang string) string {
	h := c.En
	if lang == "zh-CN" {
		h = c.Zh
	}
	if c.Required {
		h += " *"
	}
	return h
}

// name is the sheet's name in a language.
func (t Table[T]) name(lang string) string {
	if lang == "zh-CN" {
		return t.Zh
	}
	return t.En
}

// matches reports whether a header or sheet name in a file names this column or table.
func matches(got string, names ...string) bool {
	got = clean(got)
	for _, n := range names {
		if strings.EqualFold(got, n) {
			return true
		}
	}
	return false
}

// clean is a header without the mark of a required column.
func clean(h string) string { return strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(h), "*")) }

// Row is a thing read from a row of a sheet.
type Row[T any] struct {
	Num int // the row number the spreadsheet shows
	ID  string
	V   T
	// cols maps a column key to its header as written in the file.
	cols map[string]string
}

// Header is the column's header as written in the file ("" when the file lacks it).
func (r Row[T]) Header(key string) string { return r.cols[key] }

// sheetOf finds the table's sheet in the workbook: "" when it has none.
func sheetOf[T any](f *excelize.File, t Table[T]) string {
	for _, s := range f.GetSheetList() {
		if matches(s, t.Zh, t.En, t.Key) {
			return s
		}
	}
	return ""
}

// read reads the table's sheet: every row that is not blank nor the example, each started
// from Start(its ID) and filled from its cells (a column the file lacks keeps the thing's
// value). It returns the rows and every problem, with its row and column.
func read[T any](f *excelize.File, sheet string, t Table[T]) ([]Row[T], []app.SheetProblem) {
	var probs []app.SheetProblem
	add := func(row int, col string, e *app.Error) {
		probs = append(probs, app.SheetProblem{Sheet: sheet, Row: row, Column: col, Err: e})
	}
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		add(0, "", app.Errorf(app.CodeInvalid, "The sheet cannot be read").Wrap(err))
		return nil, probs
	}
	if len(rows) == 0 {
		add(1, "", app.Errorf(app.CodeInvalid, "The header row is missing"))
		return nil, probs
	}
	// The header row: which column of the file holds which of ours.
	idx := map[string]int{}
	cols := map[string]string{}
	zh := false
	for i, h := range rows[0] {
		if strings.TrimSpace(h) == "" {
			continue
		}
		for _, c := range t.Columns {
			if matches(h, c.Zh, c.En, c.Key) {
				if _, dup := idx[c.Key]; dup {
					add(1, clean(h), app.Errorf(app.CodeInvalid, "This column appears twice"))
				}
				idx[c.Key], cols[c.Key] = i, clean(h)
				zh = zh || matches(h, c.Zh)
			}
		}
	}
	for _, c := range t.Columns {
		if _, ok := idx[c.Key]; !ok && c.Required {
			name := c.En
			if zh {
				name = c.Zh
			}
			add(1, "", app.Errorf(app.CodeInvalid, "The column “{{.Column}}” is missing", "Column", name))
		}
	}
	if len(probs) > 0 {
		return nil, probs
	}
	cell := func(r []string, key string) (string, bool) {
		i, ok := idx[key]
		if !ok {
			return "", false
		}
		if i >= len(r) {
			return "", true
		}
		return strings.TrimSpace(r[i]), true
	}
	var out []Row[T]
	firstRow := map[string]int{}
	idCol := t.Columns[0]
	for n, r := range rows[1:] {
		num := n + 2
		blank, example := true, true
		for _, c := range t.Columns {
			v, ok := cell(r, c.Key)
			if !ok {
				continue
			}
			if v != "" {
				blank = false
			}
			if v != c.Example {
				example = false
			}
		}
		if blank || example {
			continue // an empty row, or the template's example left as it was
		}
		id, _ := cell(r, idCol.Key)
		id = app.PlainASCII(id)
		if id == "" {
			add(num, cols[idCol.Key], app.Errorf(app.CodeInvalid, "A value is required"))
			continue
		}
		if other, dup := firstRow[id]; dup {
			add(num, cols[idCol.Key], app.Errorf(app.CodeInvalid, "The ID {{.ID}} is also in row {{.Other}}", "ID", id, "Other", other))
			continue
		}
		firstRow[id] = num
		v := t.Start(id)
		bad := false
		for _, c := range t.Columns {
			s, ok := cell(r, c.Key)
			if !ok {
				continue
			}
			if s == "" && c.Required {
				add(num, cols[c.Key], app.Errorf(app.CodeInvalid, "A value is required"))
				bad = true
				continue
			}
			if c.Get != nil && c.Get(&v) == s {
				continue // what the export writes for the current value: keep it exactly
			}
			if e := c.Set(&v, s); e != nil {
				add(num, cols[c.Key], e)
				bad = true
			}
		}
		if !bad && t.Check != nil {
			for _, e := range problemsOf(t.Check(&v)) {
				key := e.Field
				if k, ok := t.Fields[key]; ok {
					key = k
				}
				add(num, cols[key], e)
			}
		}
		out = append(out, Row[T]{Num: num, ID: id, V: v, cols: cols})
	}
	return out, probs
}

// write adds the table's sheet: the headers in lang, the example row when asked, the things,
// drop-down lists, widths, IDs kept as text, the header row frozen.
func write[T any](f *excelize.File, t Table[T], things []T, lang string, example bool) error {
	sheet := t.name(lang)
	if _, err := f.NewSheet(sheet); err != nil {
		return err
	}
	head, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"#DDE7F3"}},
		Alignment: &excelize.Alignment{Vertical: "center"},
		Border:    []excelize.Border{{Type: "bottom", Color: "#7F8FA6", Style: 1}},
	})
	if err != nil {
		return err
	}
	exampleStyle, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Italic: true, Color: "#7F7F7F"}, NumFmt: 49})
	if err != nil {
		return err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": "001" stays "001"
	if err != nil {
		return err
	}
	const lastRow = 5000 // drop-down lists and text formats reach this far
	for i, c := range t.Columns {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if !c.Number {
			if err := f.SetColStyle(sheet, col, text); err != nil {
				return err
			}
		}
		w := c.Width
		if w == 0 {
			w = float64(max(displayWidth(c.header(lang)), displayWidth(c.Example))) + 3
			w = min(max(w, 10), 48)
		}
		if err := f.SetColWidth(sheet, col, col, w); err != nil {
			return err
		}
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		if err := f.SetCellStr(sheet, cell, c.header(lang)); err != nil {
			return err
		}
		if err := f.SetCellStyle(sheet, cell, cell, head); err != nil {
			return err
		}
		if len(c.Choices) > 0 {
			dv := excelize.NewDataValidation(true)
			dv.SetSqref(col + "2:" + col + strconv.Itoa(lastRow))
			if err := dv.SetDropList(c.Choices); err != nil {
				return err
			}
			if err := f.AddDataValidation(sheet, dv); err != nil {
				return err
			}
		}
	}
	row := 2
	put := func(vals func(c Column[T]) string, style int) error {
		for i, c := range t.Columns {
			cell, _ := excelize.CoordinatesToCellName(i+1, row)
			v := vals(c)
			var err error
			if n, perr := strconv.ParseFloat(v, 64); c.Number && perr == nil {
				err = f.SetCellValue(sheet, cell, n)
			} else if v != "" {
				err = f.SetCellStr(sheet, cell, v)
			}
			if err != nil {
				return err
			}
			if style != 0 {
				if err := f.SetCellStyle(sheet, cell, cell, style); err != nil {
					return err
				}
			}
		}
		row++
		return nil
	}
	if example {
		if err := put(func(c Column[T]) string { return c.Example }, exampleStyle); err != nil {
			return err
		}
	}
	for i := range things {
		if err := put(func(c Column[T]) string {
			if c.Get == nil {
				return ""
			}
			return c.Get(&things[i])
		}, 0); err != nil {
			return err
		}
	}
	return f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}

// displayWidth counts a Chinese character as two columns.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x2E80 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// problemsOf lists the problems of a Validate error (one, or a list).
func problemsOf(err error) []*app.Error {
	if err == nil {
		return nil
	}
	var e *app.Error
	if !errors.As(err, &e) {
		return []*app.Error{app.Errorf(app.CodeInvalid, "{{.Why}}", "Why", err.Error())}
	}
	if j, ok := e.Err.(interface{ Unwrap() []error }); ok && e.Message == "{{.List}}" {
		var out []*app.Error
		for _, x := range j.Unwrap() {
			out = append(out, problemsOf(x)...)
		}
		return out
	}
	return []*app.Error{e}
}
