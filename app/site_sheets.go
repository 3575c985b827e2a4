package app

// Spreadsheets of the site's things (cameras, devices, buildings): the template the console
// writes, the export, and the import whose every bad row is reported with its row number
// before anything is stored. The XLSX work is an adapter's (sheets/); the console reaches
// it through SiteSheets, and applies an import with Inventory.ImportSite after showing
// DiffSites' preview.

// SiteSheets reads and writes the site's things as a workbook (XLSX).
type SiteSheets interface {
	// Template is an empty workbook for the site: a sheet per table with its headers in
	// lang ("zh-CN" or "en"), an example row, drop-down lists and an instructions sheet.
	// The site decides the coordinates (metres, or longitude/latitude when it has an Origin).
	Template(site *Site, lang string) ([]byte, error)
	// Export writes the site's things in the template's form; camera passwords are left blank.
	Export(site *Site, lang string) ([]byte, error)
	// Import reads a filled workbook onto cur. Rows upsert by ID; with RemoveMissing the things
	// of a table in the file that it does not list are removed. It returns the site that
	// would result (for DiffSites and Inventory.ImportSite), or, when any row is bad, no site
	// and every bad row. An error is a file that cannot be read at all.
	Import(data []byte, cur *Site, opt SheetImport) (*Site, []SheetProblem, error)
}

// SheetImport are the choices of an import.
type SheetImport struct {
	// RemoveMissing removes the things of each table in the file that it does not list
	// (a table missing from the file removes nothing).
	RemoveMissing bool
}

// SheetProblem is what is wrong with one cell or row of an imported workbook.
type SheetProblem struct {
	Sheet  string // the sheet's name as in the file
	Row    int    // the row number the spreadsheet shows (0: the sheet or file as a whole)
	Column string // the column's header as in the file ("": the row as a whole)
	Err    *Error // what is wrong: a translatable template
}

// Message frames the problem with its place, as a template the console translates:
// "Cameras, row 5, “Kind”: …". Problem is the already rendered text of Err (the
// caller renders it in its language: RenderTemplate for English). A problem of the file
// as a whole (no sheet) is Err itself.
func (p SheetProblem) Message(problem string) *Error {
	switch {
	case p.Sheet == "":
		return p.Err
	case p.Row == 0:
		return Errorf(CodeInvalid, "{{.Sheet}}: {{.Problem}}", "Sheet", p.Sheet, "Problem", problem)
	case p.Column == "":
		return Errorf(CodeInvalid, "{{.Sheet}}, row {{.Row}}: {{.Problem}}", "Sheet", p.Sheet, "Row", p.Row, "Problem", problem)
	}
	return Errorf(CodeInvalid, "{{.Sheet}}, row {{.Row}}, “{{.Column}}”: {{.Problem}}", "Sheet", p.Sheet, "Row", p.Row, "Column", p.Column, "Problem", problem)
}

// Text is the problem in English (logs, tests, the command line).
func (p SheetProblem) Text() string { return p.Message(p.Err.Text()).Text() }
