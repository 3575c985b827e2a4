package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	"watchpost/app"
)

// siteFile exports the site plan as GeoJSON or imports one, for installers:
//
//	watchpost site export --geojson FILE [--data DIR]
//	watchpost site import FILE --operator NAME [--data DIR]
//
// Export reads the database read-only (it works while a console runs) and hides camera
// passwords. Import is done as an administrator named with --operator, whose password is
// read from a prompt or standard input (operator.go), checked and journaled by the core; the
// store's lock refuses it while a console runs on the same data directory. A file that is
// not valid GeoJSON, or whose outlines cross themselves, is refused with the reason and the
// feature, and the site is untouched.
func siteFile(cmd string, args []string, s Streams) int {
	fs := newFlags("watchpost site "+cmd, s)
	dataDir := fs.String("data", "", "data directory")
	out := fs.String("geojson", "", "export: the file to write (- for standard output)")
	operator := fs.String("operator", "", "import: the administrator doing it; export on a real site: who reads (the password is asked, or read from standard input)")
	words, err := parseArgs(fs, args)
	if err != nil {
		return ExitUsage
	}
	if cmd == "export" {
		if *out == "" || len(words) > 0 {
			return s.failf(ExitUsage, "watchpost site export", "give the file to write with --geojson FILE")
		}
		return exportSite(*dataDir, *out, *operator, s)
	}
	const prefix = "watchpost site import"
	if len(words) != 1 || *out != "" {
		return s.failf(ExitUsage, prefix, "give one GeoJSON file, e.g. watchpost site import plan.geojson --operator admin --data DIR")
	}
	if *operator == "" {
		return s.failf(ExitUsage, prefix, "name the administrator who imports the site with --operator NAME; it is journaled as theirs")
	}
	file := words[0]
	data, err := os.ReadFile(file)
	if err != nil {
		return s.fail(ExitFailure, "watchpost", err)
	}
	site, err := app.ImportGeoJSON(data)
	if err != nil {
		return s.failf(ExitFailure, "watchpost", "%s is refused: %v", file, err)
	}
	ctx := context.Background()
	w, code, err := asOperator(ctx, *dataDir, *operator, "importing a site plan", s)
	if err != nil {
		return s.fail(code, prefix, err)
	}
	defer w.Close()
	inv := w.Core.Inventory
	if site.Name == "" && inv.Site() == nil {
		site.Name = strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	}
	if err := inv.ImportSite(ctx, w.Op, site); refused(err) {
		return s.fail(ExitFailure, prefix, err)
	} else if err != nil {
		return s.failf(ExitFailure, "watchpost", "%s is refused: %v", file, err)
	}
	now := inv.Site()
	return s.printf("%s (%s): %s imported, as %s (%s)\n", now.Name, now.ID, now.Counts(), w.Op.Name, w.Op.Username)
}

// exportSite writes the site plan as GeoJSON, camera passwords hidden. On a real site the
// operator signs in (read_access.go); the file is what import reads back, so its residents'
// fields are whole, but what goes to standard output is masked.
func exportSite(dataDir, out, operator string, s Streams) int {
	ctx := context.Background()
	st, _, err := openStore(ctx, dataDir, "")
	if err != nil {
		return s.fail(ExitFailure, "watchpost", err)
	}
	defer st.Close()
	s, code, err := readAccess(ctx, st, operator, s)
	if err != nil {
		return s.fail(code, "watchpost site export", err)
	}
	site, err := st.LoadSite(ctx)
	if err != nil {
		return s.fail(ExitFailure, "watchpost", err)
	}
	data, err := app.ExportGeoJSON(site) // passwords hidden
	if err != nil {
		return s.fail(ExitFailure, "watchpost", err)
	}
	if out == "-" {
		_, err = s.Out.Write(data)
		return encodeOr(err, s)
	}
	// The plan names residents and their phones: 0600, also over an existing file (which
	// WriteFile would leave with its old mode).
	if err := os.WriteFile(out, data, 0o600); err != nil {
		return s.fail(ExitFailure, "watchpost", err)
	}
	if err := os.Chmod(out, 0o600); err != nil {
		return s.fail(ExitFailure, "watchpost", err)
	}
	return s.printf("%s: %s written to %s\n", site.Name, site.Counts(), out)
}
