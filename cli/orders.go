package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"watchpost/app"
	"watchpost/sheets"
	"watchpost/store"
)

const ordersUsage = `Usage:
  watchpost orders [--json] [--open] [--grid G] [--since T] [--data DIR] [--operator USER]
                        the work orders, newest first (--open: only those not ended); works while a
                        console runs; on a real site as an operator who sees orders (password asked,
                        or one line on standard input); callers' names and phones masked
  watchpost orders import FILE --operator ADMIN [--data DIR]
                        the site's history of orders from before Watchpost, as the administrator ADMIN:
                        FILE is a workbook (.xlsx, see orders template) or a JSON array of orders
                        {"ref", "category", "priority" (1-4), "state" (closed|cancelled), "text",
                        "place" {"building", "unit", "flat", "grid", "note"}, "via", "reported_by",
                        "reporter_name", "reporter_phone", "team", "assignee", "created_at",
                        "assigned_at", "accepted_at", "done_at", "closed_at" (RFC 3339), "note",
                        "reopened", "stars", "comment"}; all or none: every bad row is said with its
                        number (the workbook's row, or the order's place in the array: 1 the first);
                        not while a console runs
  watchpost orders template FILE [--language zh-CN|en] [--data DIR] [--operator USER]
                        the workbook to fill for orders import (this site's categories)
`

// Orders prints the work orders (watchpost orders), imports the site's history of orders
// (watchpost orders import), or writes the workbook to fill for it (watchpost orders template).
func Orders(args []string, s Streams) int {
	if len(args) > 0 {
		switch args[0] {
		case "import":
			return importOrders(args[1:], s)
		case "template":
			return orderTemplate(args[1:], s)
		case "help":
			fmt.Fprint(s.Out, ordersUsage)
			return ExitOK
		}
	}
	const prefix = "watchpost orders"
	fs := newFlags(prefix, s)
	fs.Usage = func() { fmt.Fprint(s.Err, ordersUsage) }
	dataDir := fs.String("data", "", "data directory")
	asJSON := fs.Bool("json", false, "print JSON")
	openOnly := fs.Bool("open", false, "only the orders not ended")
	grid := fs.String("grid", "", "only the orders of this grid (its ID)")
	since := fs.String("since", "", "only those reported from this time (RFC 3339, a date, or a duration back from now)")
	operator := fs.String("operator", "", "on a real site: the operator reading (the password is asked, or read from standard input)")
	words, err := parseArgs(fs, args)
	if err != nil {
		return ExitUsage
	}
	if len(words) > 0 {
		fmt.Fprint(s.Err, ordersUsage)
		return ExitUsage
	}
	q := app.OrderQuery{OpenOnly: *openOnly, Grid: *grid}
	if *since != "" {
		if q.Since, err = parseSince(*since, time.Now()); err != nil {
			return s.fail(ExitUsage, prefix, err)
		}
	}
	ctx := context.Background()
	st, _, err := openStore(ctx, *dataDir, "")
	if err != nil {
		return s.fail(ExitFailure, "watchpost", err)
	}
	defer st.Close()
	s, code, err := readAccessFor(ctx, st, *operator, app.ActOrderView, s)
	if err != nil {
		return s.fail(code, prefix, err)
	}
	return printOrders(ctx, st, q, *asJSON, s)
}

// printOrders prints the orders q selects. A caller's or resident's name and phone are
// masked here (138****1234, 陈*), whoever reads: the streams mask mobile numbers anywhere
// in a note as well (read_access.go).
func printOrders(ctx context.Context, st *store.Store, q app.OrderQuery, asJSON bool, s Streams) int {
	orders, err := st.WorkOrders(ctx, q)
	if err != nil {
		return s.fail(ExitFailure, "watchpost", err)
	}
	for i := range orders {
		r := &orders[i].Reporter
		r.Name, r.Phone = app.MaskName(r.Name), app.MaskPhone(r.Phone)
	}
	if asJSON {
		if orders == nil {
			orders = []app.WorkOrder{}
		}
		return encodeOr(printJSON(s.Out, orders), s)
	}
	setup, ok, err := st.OrderSetup(ctx)
	if err != nil {
		return s.fail(ExitFailure, "watchpost", err)
	}
	if !ok {
		setup = app.OrderSetup{Categories: app.DefaultOrderCategories()}
	}
	now := time.Now()
	for _, o := range orders {
		cat := o.Category
		if c, ok := setup.Category(o.Category); ok {
			cat = c.Display(true)
		}
		to := o.Assignee
		if to == "" && o.Team != "" {
			to = "team " + o.Team
		}
		if to == "" {
			to = "-"
		}
		late := ""
		if o.Overdue(now) {
			late = "  OVERDUE"
		}
		fmt.Fprintf(s.Out, "%6s  %s  %-11s  %s  %-22s  %-16s  %-24s  %s%s\n", o.Number(), o.Priority, o.State, o.CreatedAt.Local().Format("2006-01-02 15:04"),
			orderPlace(o.Place), to, cat+" / "+reporterOf(o.Reporter), oneLine(o.Text, 60), late)
	}
	return ExitOK
}

// orderPlace is where an order is, in a few words: building-unit-flat, grid.
func orderPlace(p app.OrderPlace) string {
	var parts []string
	if p.Building != "" {
		b := p.Building
		if p.Unit > 0 {
			b += fmt.Sprintf("-%d", p.Unit)
		}
		if p.Flat != "" {
			b += "-" + p.Flat
		}
		parts = append(parts, b)
	}
	if p.GridID != "" {
		parts = append(parts, "grid "+p.GridID)
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

// reporterOf says who reported an order: the account, or the (masked) caller.
func reporterOf(r app.Reporter) string {
	who := r.By
	if r.Name != "" || r.Phone != "" {
		who = strings.TrimSpace(r.Name + " " + r.Phone)
	}
	if who == "" {
		return string(r.Via)
	}
	return string(r.Via) + " " + who
}

// oneLine is a text on one line, cut after n characters.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// importOrders imports the site's history of orders as an administrator: a workbook or a
// JSON array, all or none.
func importOrders(args []string, s Streams) int {
	const prefix = "watchpost orders import"
	fs := newFlags(prefix, s)
	fs.Usage = func() { fmt.Fprint(s.Err, ordersUsage) }
	dataDir := fs.String("data", "", "data directory")
	operator := fs.String("operator", "", "the administrator doing it (the password is asked, or read from standard input)")
	words, err := parseArgs(fs, args)
	if err != nil {
		return ExitUsage
	}
	if len(words) != 1 {
		return s.failf(ExitUsage, prefix, "give one file, e.g. watchpost orders import history.xlsx --operator admin --data DIR")
	}
	if *operator == "" {
		return s.failf(ExitUsage, prefix, "name the administrator who imports the orders with --operator NAME; it is journaled as theirs")
	}
	file := words[0]
	data, err := os.ReadFile(file)
	if err != nil {
		return s.fail(ExitFailure, "watchpost", err)
	}
	workbook := bytes.HasPrefix(data, []byte("PK\x03\x04")) // an XLSX file is a zip archive
	var rows []app.HistoricalOrder
	if !workbook {
		var bad []string
		if rows, bad = decodeHistory(data); len(bad) > 0 {
			return refusedFile(s, file, bad)
		}
	}
	ctx := context.Background()
	w, code, err := asOperator(ctx, *dataDir, *operator, "importing orders", s)
	if err != nil {
		return s.fail(code, prefix, err)
	}
	defer w.Close()
	if err := app.Authorize(w.Op, app.ActOrderSetup); err != nil { // before reading the workbook's rows
		return s.fail(ExitFailure, prefix, err)
	}
	if workbook {
		var probs []app.SheetProblem
		rows, probs, err = sheets.ReadOrderHistory(data, w.Core.Inventory.Site(), w.Core.Orders.Setup())
		if err != nil {
			return s.failf(ExitFailure, "watchpost", "%s is refused: %v", file, err)
		}
		if len(probs) > 0 {
			bad := make([]string, len(probs))
			for i, p := range probs {
				bad[i] = p.Text()
			}
			return refusedFile(s, file, bad)
		}
	}
	got, err := w.Core.Orders.ImportHistory(ctx, w.Op, rows)
	if refused(err) {
		return s.fail(ExitFailure, prefix, err)
	} else if err != nil {
		return refusedFile(s, file, reasons(err))
	}
	if len(got) == 1 {
		return s.printf("1 order imported (%s), as %s (%s)\n", got[0].Number(), w.Op.Name, w.Op.Username)
	}
	return s.printf("%d orders imported (%s to %s), as %s (%s)\n", len(got), got[0].Number(), got[len(got)-1].Number(), w.Op.Name, w.Op.Username)
}

// refusedFile says why a file is refused, one problem a line, and that nothing was stored.
func refusedFile(s Streams, file string, bad []string) int {
	fmt.Fprintf(s.Err, "watchpost: %s is refused, nothing was imported:\n", file)
	for _, b := range bad {
		fmt.Fprintf(s.Err, "  %s\n", b)
	}
	return ExitFailure
}

// decodeHistory reads a JSON array of historical orders, each numbered by its place (1: the
// first); what cannot be read is said with that number. An unknown field is refused (a typo
// would otherwise lose a time).
func decodeHistory(data []byte) ([]app.HistoricalOrder, []string) {
	var raw []json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, []string{"the file is neither a workbook (.xlsx) nor a JSON array of orders: " + err.Error()}
	}
	var bad []string
	out := make([]app.HistoricalOrder, len(raw))
	for i, r := range raw {
		dec := json.NewDecoder(bytes.NewReader(r))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&out[i]); err != nil {
			bad = append(bad, fmt.Sprintf("Row %d: %s", i+1, strings.TrimPrefix(err.Error(), "json: ")))
		}
		out[i].Row = i + 1
	}
	return out, bad
}

// orderTemplate writes the workbook of historical orders to fill, for this site's
// categories, readable by its owner only.
func orderTemplate(args []string, s Streams) int {
	const prefix = "watchpost orders template"
	fs := newFlags(prefix, s)
	dataDir := fs.String("data", "", "data directory")
	language := fs.String("language", "zh-CN", "the headers' language: zh-CN or en")
	operator := fs.String("operator", "", "on a real site: who reads (the password is asked, or read from standard input)")
	words, err := parseArgs(fs, args)
	if err != nil {
		return ExitUsage
	}
	if len(words) != 1 || !strings.EqualFold(filepath.Ext(words[0]), ".xlsx") {
		return s.failf(ExitUsage, prefix, "give the workbook to write, e.g. watchpost orders template history.xlsx")
	}
	ctx := context.Background()
	st, _, err := openStore(ctx, *dataDir, "")
	if err != nil {
		return s.fail(ExitFailure, "watchpost", err)
	}
	defer st.Close()
	if _, code, err := readAccessFor(ctx, st, *operator, app.ActOrderView, s); err != nil {
		return s.fail(code, prefix, err)
	}
	site, err := st.LoadSite(ctx)
	if err != nil && !app.IsCode(err, app.CodeNotFound) {
		return s.fail(ExitFailure, "watchpost", err)
	}
	setup, ok, err := st.OrderSetup(ctx)
	if err != nil {
		return s.fail(ExitFailure, "watchpost", err)
	}
	if !ok {
		setup = app.OrderSetup{Categories: app.DefaultOrderCategories()}
	}
	data, err := sheets.OrderHistoryTemplate(site, setup, *language)
	if err != nil {
		return s.fail(ExitFailure, "watchpost", err)
	}
	if err := writePrivateFile(words[0], data); err != nil {
		return s.fail(ExitFailure, "watchpost", err)
	}
	return s.printf("written %s: fill it, then watchpost orders import %s --operator ADMIN\n", words[0], words[0])
}
