package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"watchpost/app"
	"watchpost/assets"
)

const plansUsage = `Usage:
  watchpost plans [--json] [--data DIR]           the emergency plans
  watchpost plans import FILE --operator NAME [--data DIR]
                                                  check a plan file (JSON) and add it, as the operator NAME
                                                  (an administrator, a commander or a trainer; the password is asked, or
                                                  read from standard input); refused with the reasons
  watchpost plans export ID [--data DIR]          print a plan as a file import reads
`

// Plans lists, imports or exports emergency plans (watchpost plans).
func Plans(args []string, s Streams) int {
	fs := newFlags("watchpost plans", s)
	fs.Usage = func() { fmt.Fprint(s.Err, plansUsage) }
	dataDir := fs.String("data", "", "data directory")
	asJSON := fs.Bool("json", false, "print JSON")
	operator := fs.String("operator", "", "import: the operator doing it (an administrator, a commander or a trainer); on a real site, also who reads")
	words, err := parseArgs(fs, args)
	if err != nil {
		return ExitUsage
	}
	ctx := context.Background()
	switch {
	case len(words) == 0:
		return listPlans(ctx, *dataDir, *operator, *asJSON, s)
	case words[0] == "export" && len(words) == 2:
		return exportPlan(ctx, *dataDir, *operator, words[1], s)
	case words[0] == "import" && len(words) == 2:
		if *operator == "" {
			return s.failf(ExitUsage, "watchpost plans import", "name the operator who imports the plan with --operator NAME (an administrator or a trainer); it is journaled as theirs")
		}
		return importPlan(ctx, *dataDir, words[1], *operator, s)
	}
	fmt.Fprint(s.Err, plansUsage)
	return ExitUsage
}

// readPlans reads the plans from a read-only connection, as the operator reading on a real
// site (read_access.go); it returns the streams to print to.
func readPlans(ctx context.Context, dataDir, operator string, s Streams) ([]app.Plan, Streams, int, error) {
	plans, _, s, code, err := readPlansAndSite(ctx, dataDir, operator, s)
	return plans, s, code, err
}

// readPlansAndSite reads the plans and the site they are checked against (nil when none is
// set up) from one read-only connection, as the operator reading on a real site.
func readPlansAndSite(ctx context.Context, dataDir, operator string, s Streams) ([]app.Plan, *app.Site, Streams, int, error) {
	st, dir, err := openStore(ctx, dataDir, "")
	if app.IsCode(err, app.CodeNotFound) {
		return nil, nil, s, ExitFailure, fmt.Errorf("there is no database in %s yet (start the console once)", dir)
	}
	if err != nil {
		return nil, nil, s, ExitFailure, err
	}
	defer st.Close()
	s, code, err := readAccess(ctx, st, operator, s)
	if err != nil {
		return nil, nil, s, code, err
	}
	plans, err := st.Plans(ctx)
	if err != nil {
		return nil, nil, s, ExitFailure, err
	}
	site, err := st.LoadSite(ctx)
	if app.IsCode(err, app.CodeNotFound) {
		return plans, nil, s, ExitOK, nil
	}
	if err != nil {
		return nil, nil, s, ExitFailure, err
	}
	return plans, site, s, ExitOK, nil
}

// listedPlan is a plan as `plans --json` prints it: with why it is incomplete on the site.
type listedPlan struct {
	app.Plan
	Incomplete []string `json:"incomplete,omitempty"`
}

func listPlans(ctx context.Context, dataDir, operator string, asJSON bool, s Streams) int {
	plans, site, s, code, err := readPlansAndSite(ctx, dataDir, operator, s)
	if err != nil {
		return s.fail(code, "watchpost plans", err)
	}
	listed := make([]listedPlan, len(plans))
	for i := range plans {
		listed[i].Plan = plans[i]
		for _, g := range app.PlanGaps(&plans[i], site) {
			listed[i].Incomplete = append(listed[i].Incomplete, g.Text())
		}
	}
	if asJSON {
		return encodeOr(printJSON(s.Out, listed), s)
	}
	for _, p := range listed {
		fmt.Fprintf(s.Out, "%-20s v%-3d %2d steps  %-28s %s / %s\n", p.ID, p.Version, len(p.Steps), strings.Join(p.AlarmKinds, ","), p.Name, p.NameEn)
		if missing := app.PlanMissing(&p.Plan, site); len(missing) > 0 {
			var names []string
			for _, g := range missing {
				names = append(names, g.Label())
			}
			fmt.Fprintf(s.Out, "  incomplete: the site has no contact for %s\n", strings.Join(names, ", "))
		}
	}
	return ExitOK
}

func exportPlan(ctx context.Context, dataDir, operator, id string, s Streams) int {
	plans, s, code, err := readPlans(ctx, dataDir, operator, s)
	if err != nil {
		return s.fail(code, "watchpost plans export", err)
	}
	for _, p := range plans {
		if p.ID == id {
			b, err := app.MarshalPlan(p)
			if err != nil {
				return s.fail(ExitFailure, "watchpost", err)
			}
			_, err = s.Out.Write(b)
			return encodeOr(err, s)
		}
	}
	return s.failf(ExitFailure, "watchpost plans export", "there is no plan %s", id)
}

// importPlan checks a plan file and adds it to the database as the operator named (journaled
// as plan.imported by them, with the file's name). A console running on the same data
// directory holds the database: import from its Plans panel instead.
func importPlan(ctx context.Context, dataDir, file, operator string, s Streams) int {
	const prefix = "watchpost plans import"
	data, err := os.ReadFile(file)
	if err != nil {
		return s.fail(ExitFailure, prefix, err)
	}
	w, code, err := asOperator(ctx, dataDir, operator, "importing a plan (or import it in the console's Plans panel)", s)
	if err != nil {
		return s.fail(code, prefix, err)
	}
	defer w.Close()
	plans := w.Core.Plans
	if len(plans.List()) == 0 {
		// The defaults come first, as on a console's first start; a refused import writes
		// nothing, so the operator is checked before (Import checks again).
		if err := app.Authorize(w.Op, app.ActEditPlans); err != nil {
			return s.failf(ExitFailure, prefix, "%s", reasons(err)[0])
		}
		defaults, err := assets.DefaultPlans()
		if err == nil {
			_, err = plans.Seed(ctx, defaults)
		}
		if err != nil {
			return s.fail(ExitFailure, "watchpost", err)
		}
	}
	p, err := plans.Import(ctx, w.Op, data, filepath.Base(file), app.ImportedByCLI)
	if refused(err) {
		return s.failf(ExitFailure, prefix, "%s", reasons(err)[0])
	}
	if err != nil {
		fmt.Fprintf(s.Err, "%s: %s was refused:\n", prefix, file)
		for _, r := range reasons(err) {
			fmt.Fprintln(s.Err, "  -", r)
		}
		return ExitFailure
	}
	return s.printf("imported %s (%s), %d steps, as %s (%s)\n", p.ID, p.Name, len(p.Steps), w.Op.Name, w.Op.Username)
}
