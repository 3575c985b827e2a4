package cli

import (
	"context"
	"fmt"
	"path/filepath"

	"watchpost/app"
	"watchpost/report"
	"watchpost/store"
	"watchpost/web"
)

// Labels writes the residents' QR label sheet (watchpost labels): one label per building,
// or per stairwell with --per-unit, each with the code of the resident reporting page at
// the phone pages' address (the configuration's web.base_url, else its web.listen; --base
// overrides it), printed to PDF by Chromium into a file readable by its owner only. It
// reads the database read-only (it works while a console runs); on a real site the
// operator signs in and needs the right to set up the work orders, as in the console.
//
//	watchpost labels --out FILE.pdf [--per-unit] [--data DIR] [--config FILE] [--base URL] [--operator NAME]
func Labels(args []string, s Streams) int {
	const prefix = "watchpost labels"
	fs := newFlags(prefix, s)
	out := fs.String("out", "", "the PDF file to write")
	perUnit := fs.Bool("per-unit", false, "one label per stairwell (单元) rather than per building")
	dataDir := fs.String("data", "", "data directory")
	configFile := fs.String("config", "", "configuration file; default config.json in the data directory")
	base := fs.String("base", "", "the phone pages' address phones use (https://192.168.1.10:8443); default from the configuration (web.base_url, else web.listen)")
	operator := fs.String("operator", "", "on a real site: who prints them (the password is asked, or read from standard input)")
	words, err := parseArgs(fs, args)
	if err != nil {
		return ExitUsage
	}
	if len(words) > 0 {
		return s.failf(ExitUsage, prefix, "unexpected argument %q", words[0])
	}
	if *out == "" {
		return s.failf(ExitUsage, prefix, "give the PDF file to write with --out FILE.pdf")
	}
	ctx := context.Background()
	st, dir, err := openStore(ctx, *dataDir, "")
	if err != nil {
		return s.fail(ExitFailure, "watchpost", err)
	}
	defer st.Close()
	addr := *base
	if addr == "" {
		if addr, err = configuredBase(dir, *configFile); err != nil {
			return s.fail(ExitUsage, prefix, err)
		}
	}
	if err := report.CheckBase(addr); err != nil {
		return s.fail(ExitUsage, prefix, err)
	}
	// The sheet holds nothing personal, but only those who set up the work orders print it.
	s, code, err := readAccessFor(ctx, st, *operator, app.ActOrderSetup, s)
	if err != nil {
		return s.fail(code, prefix, err)
	}
	site, err := st.LoadSite(ctx)
	if err != nil {
		return s.fail(ExitFailure, "watchpost", err)
	}
	if report.ThisMachineOnly(addr) {
		fmt.Fprintf(s.Err, "warning: the labels carry %s, which phones cannot reach: set web.base_url (or web.listen with web.allow_remote) in the configuration, or give --base\n", addr)
	}
	pdf, labels, err := report.LabelsPDF(ctx, report.LabelSet{Site: site, Base: addr, PerUnit: *perUnit})
	if err != nil {
		return s.fail(ExitFailure, prefix, err)
	}
	if err := writePrivateFile(*out, pdf); err != nil {
		return s.fail(ExitFailure, "watchpost", err)
	}
	pages := (len(labels) + report.LabelsPerPage - 1) / report.LabelsPerPage
	return s.printf("%s: %d labels on %d pages, for %s, written to %s\n", site.Name, len(labels), pages, addr, *out)
}

// configuredBase is the phone pages' address from the configuration (web.base_url, else
// made from web.listen), as the console's server gives it.
func configuredBase(dir, configFile string) (string, error) {
	cfgFile, optional := store.ConfigFile{Path: filepath.Join(dir, "config.json")}, true
	if configFile != "" {
		cfgFile, optional = store.ConfigFile{Path: configFile}, false
	}
	cfg, err := cfgFile.Load(optional)
	if err != nil {
		return "", err
	}
	return web.Config(cfg.Web).PublicURL(""), nil
}
