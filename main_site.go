package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"watchpost/app"
	"watchpost/store"
)

// runSiteFile exports the site plan as GeoJSON or imports one, for installers:
//
//	watchpost site export --geojson FILE [--data DIR]
//	watchpost site import FILE --operator NAME [--data DIR]
//
// Export reads the database read-only (it works while a console runs) and hides camera
// passwords. Import is done as an administrator named with --operator (main_operator.go),
// checked and journaled by the core; it opens the database for writing, which the store's
// lock refuses while a console runs on the same data directory; a file that is not valid
// GeoJSON, or whose outlines cross themselves, is refused with the reason and the feature,
// and the site is untouched.
func runSiteFile(cmd string, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("watchpost site "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data", "", "data directory")
	out := fs.String("geojson", "", "export: the file to write (- for standard output)")
	operator := fs.String("operator", "", "import: the administrator doing it")
	// Flags may come after the file name too (site import FILE --data DIR).
	var pos []string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			return exitUsage
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	dir, err := dataDirOf(*dataDir)
	if err != nil {
		fmt.Fprintln(stderr, "watchpost:", err)
		return exitFailure
	}
	ctx := context.Background()
	quiet := slog.New(slog.DiscardHandler)

	switch cmd {
	case "export":
		if *out == "" || len(pos) > 0 {
			fmt.Fprintln(stderr, "watchpost site export: give the file to write with --geojson FILE")
			return exitUsage
		}
		st, err := openReadOnly(ctx, dir)
		if err != nil {
			fmt.Fprintln(stderr, "watchpost:", err)
			return exitFailure
		}
		defer st.Close()
		site, err := st.LoadSite(ctx)
		if err != nil {
			fmt.Fprintln(stderr, "watchpost:", err)
			return exitFailure
		}
		data, err := app.ExportGeoJSON(site) // passwords hidden
		if err != nil {
			fmt.Fprintln(stderr, "watchpost:", err)
			return exitFailure
		}
		if *out == "-" {
			_, err = stdout.Write(data)
		} else {
			err = os.WriteFile(*out, data, 0o644)
		}
		if err != nil {
			fmt.Fprintln(stderr, "watchpost:", err)
			return exitFailure
		}
		if *out != "-" {
			fmt.Fprintf(stdout, "%s: %s written to %s\n", site.Name, site.Counts(), *out)
		}
		return 0

	case "import":
		if len(pos) != 1 || *out != "" {
			fmt.Fprintln(stderr, "watchpost site import: give one GeoJSON file, e.g. watchpost site import plan.geojson --operator admin --data DIR")
			return exitUsage
		}
		if *operator == "" {
			fmt.Fprintln(stderr, "watchpost site import: name the administrator who imports the site with --operator NAME; it is journaled as theirs")
			return exitUsage
		}
		data, err := os.ReadFile(pos[0])
		if err != nil {
			fmt.Fprintln(stderr, "watchpost:", err)
			return exitFailure
		}
		site, err := app.ImportGeoJSON(data)
		if err != nil {
			fmt.Fprintf(stderr, "watchpost: %s is refused: %v\n", pos[0], err)
			return exitFailure
		}
		path, err := writableDatabase(dir)
		if err != nil {
			fmt.Fprintln(stderr, "watchpost site import:", err)
			return exitFailure
		}
		st, err := store.Open(ctx, path, store.Options{Log: quiet})
		if err != nil {
			if app.IsCode(err, app.CodeConflict) {
				fmt.Fprintf(stderr, "watchpost: %v: stop the console before importing a site plan\n", err)
			} else {
				fmt.Fprintln(stderr, "watchpost:", err)
			}
			return exitFailure
		}
		defer st.Close()
		rec := app.NewRecorder(st, app.NewBus())
		inv := app.NewInventory(st, rec)
		if err := inv.Load(ctx); err != nil && !app.IsCode(err, app.CodeNotFound) {
			fmt.Fprintln(stderr, "watchpost:", err)
			return exitFailure
		}
		if site.Name == "" && inv.Site() == nil {
			site.Name = strings.TrimSuffix(filepath.Base(pos[0]), filepath.Ext(pos[0]))
		}
		actor, err := cliOperator(ctx, st, *operator)
		if err != nil {
			fmt.Fprintln(stderr, "watchpost site import:", err)
			return exitFailure
		}
		if err := inv.ImportSite(ctx, actor, site); refused(err) {
			fmt.Fprintln(stderr, "watchpost site import:", err)
			return exitFailure
		} else if err != nil {
			fmt.Fprintf(stderr, "watchpost: %s is refused: %v\n", pos[0], err)
			return exitFailure
		}
		s := inv.Site()
		fmt.Fprintf(stdout, "%s (%s): %s imported, as %s (%s)\n", s.Name, s.ID, s.Counts(), actor.Name, actor.Username)
		return 0
	}
	fmt.Fprintf(stderr, "watchpost site: unknown command %q (export or import)\n", cmd)
	return exitUsage
}
