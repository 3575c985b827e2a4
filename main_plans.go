package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"watchpost/app"
	"watchpost/assets"
	"watchpost/store"
)

const plansUsage = `Usage:
  watchpost plans [--json] [--data DIR]           the emergency plans
  watchpost plans import FILE --operator NAME [--data DIR]
                                                  check a plan file (JSON) and add it, as the operator NAME
                                                  (an administrator or a trainer); refused with the reasons
  watchpost plans export ID [--data DIR]          print a plan as a file import reads
`

// runPlans lists, imports or exports emergency plans.
func runPlans(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("watchpost plans", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, plansUsage) }
	dataDir := fs.String("data", "", "data directory")
	asJSON := fs.Bool("json", false, "print JSON")
	operator := fs.String("operator", "", "import: the operator doing it (an administrator or a trainer)")
	// Flags may come before or after the words (plans import FILE --data DIR).
	var words []string
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			return exitUsage
		}
		if fs.NArg() == 0 {
			break
		}
		words = append(words, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	dir, err := dataDirOf(*dataDir)
	if err != nil {
		fmt.Fprintln(stderr, "watchpost:", err)
		return exitFailure
	}
	ctx := context.Background()
	path := filepath.Join(dir, store.FileName)
	switch {
	case len(words) == 0:
		if _, err := os.Stat(path); err != nil {
			fmt.Fprintf(stderr, "watchpost plans: there is no database in %s yet (start the console once)\n", dir)
			return exitFailure
		}
		st, err := openReadOnly(ctx, dir)
		if err != nil {
			fmt.Fprintln(stderr, "watchpost:", err)
			return exitFailure
		}
		defer st.Close()
		plans, err := st.Plans(ctx)
		if err != nil {
			fmt.Fprintln(stderr, "watchpost:", err)
			return exitFailure
		}
		if *asJSON {
			if plans == nil {
				plans = []app.Plan{}
			}
			enc := json.NewEncoder(stdout)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			return encodeOr(enc.Encode(plans), stderr)
		}
		for _, p := range plans {
			fmt.Fprintf(stdout, "%-20s v%-3d %2d steps  %-28s %s / %s\n", p.ID, p.Version, len(p.Steps), strings.Join(p.AlarmKinds, ","), p.Name, p.NameEn)
		}
		return 0
	case words[0] == "export" && len(words) == 2:
		st, err := openReadOnly(ctx, dir)
		if err != nil {
			fmt.Fprintln(stderr, "watchpost:", err)
			return exitFailure
		}
		defer st.Close()
		plans, err := st.Plans(ctx)
		if err != nil {
			fmt.Fprintln(stderr, "watchpost:", err)
			return exitFailure
		}
		for _, p := range plans {
			if p.ID == words[1] {
				b, err := app.MarshalPlan(p)
				if err != nil {
					fmt.Fprintln(stderr, "watchpost:", err)
					return exitFailure
				}
				stdout.Write(b)
				return 0
			}
		}
		fmt.Fprintf(stderr, "watchpost plans export: there is no plan %s\n", words[1])
		return exitFailure
	case words[0] == "import" && len(words) == 2:
		if *operator == "" {
			fmt.Fprintln(stderr, "watchpost plans import: name the operator who imports the plan with --operator NAME (an administrator or a trainer); it is journaled as theirs")
			return exitUsage
		}
		return importPlan(ctx, dir, words[1], *operator, stdout, stderr)
	}
	fmt.Fprint(stderr, plansUsage)
	return exitUsage
}

// importPlan checks a plan file and adds it to the database as the operator named (journaled
// as plan.imported by them, with the file's name). A console running on the same data
// directory holds the database: import from its Plans panel instead.
func importPlan(ctx context.Context, dir, file, operator string, stdout, stderr io.Writer) int {
	data, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintln(stderr, "watchpost plans import:", err)
		return exitFailure
	}
	path, err := writableDatabase(dir)
	if err != nil {
		fmt.Fprintln(stderr, "watchpost plans import:", err)
		return exitFailure
	}
	st, err := store.Open(ctx, path, store.Options{Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		fmt.Fprintln(stderr, "watchpost:", err)
		return exitFailure
	}
	defer st.Close()
	op, err := cliOperator(ctx, st, operator)
	if err != nil {
		fmt.Fprintln(stderr, "watchpost plans import:", err)
		return exitFailure
	}
	rec := app.NewRecorder(st, app.NewBus())
	inv := app.NewInventory(st, rec)
	if err := inv.Load(ctx); err != nil && !app.IsCode(err, app.CodeNotFound) {
		fmt.Fprintln(stderr, "watchpost:", err)
		return exitFailure
	}
	plans := app.NewPlans(st, rec, inv, app.SystemClock{})
	if err := plans.Load(ctx); err != nil {
		fmt.Fprintln(stderr, "watchpost:", err)
		return exitFailure
	}
	if len(plans.List()) == 0 {
		// The defaults come first, as on a console's first start; a refused import writes
		// nothing, so the operator is checked before (Import checks again).
		if err := app.Authorize(op, app.ActEditPlans); err != nil {
			fmt.Fprintln(stderr, "watchpost plans import:", reasons(err)[0])
			return exitFailure
		}
		defaults, err := assets.DefaultPlans()
		if err == nil {
			_, err = plans.Seed(ctx, defaults)
		}
		if err != nil {
			fmt.Fprintln(stderr, "watchpost:", err)
			return exitFailure
		}
	}
	p, err := plans.Import(ctx, op, data, filepath.Base(file), app.ImportedByCLI)
	if refused(err) {
		fmt.Fprintln(stderr, "watchpost plans import:", reasons(err)[0])
		return exitFailure
	}
	if err != nil {
		fmt.Fprintf(stderr, "watchpost plans import: %s was refused:\n", file)
		for _, r := range reasons(err) {
			fmt.Fprintln(stderr, "  -", r)
		}
		return exitFailure
	}
	fmt.Fprintf(stdout, "imported %s (%s), %d steps, as %s (%s)\n", p.ID, p.Name, len(p.Steps), op.Name, op.Username)
	return 0
}

// reasons lists the problems an error carries, one per line.
func reasons(err error) []string {
	var e *app.Error
	if errors.As(err, &e) && e.Message == "{{.List}}" {
		if j, ok := e.Err.(interface{ Unwrap() []error }); ok {
			var out []string
			for _, x := range j.Unwrap() {
				var xe *app.Error
				if errors.As(x, &xe) {
					out = append(out, xe.Text())
				} else {
					out = append(out, x.Error())
				}
			}
			return out
		}
	}
	if e != nil {
		return []string{e.Text()}
	}
	return []string{err.Error()}
}
