package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"watchpost/app"
	"watchpost/store"
)

// The read-only commands (site, alarms, journal) print from a read-only connection: they
// work while a console runs on the same data directory.

// Site prints the site (watchpost site), or exports or imports its plan as GeoJSON
// (watchpost site export|import, site_file.go).
func Site(args []string, s Streams) int {
	if len(args) > 0 && (args[0] == "export" || args[0] == "import") {
		return siteFile(args[0], args[1:], s)
	}
	return query("site", args, s)
}

// Alarms prints the alarms (watchpost alarms).
func Alarms(args []string, s Streams) int { return query("alarms", args, s) }

// Journal prints the journal (watchpost journal), paged so that millions of entries stream
// in bounded memory, or verifies its chain (watchpost journal verify).
func Journal(args []string, s Streams) int {
	if len(args) > 0 && args[0] == "verify" {
		return journalVerify(args[1:], s) // journal_verify.go
	}
	return query("journal", args, s)
}

// queryFlags are the read-only commands' flags; each uses those it needs.
type queryFlags struct {
	dataDir, since, subject string
	operator                string // on a real site, who reads (read_access.go)
	asJSON, openOnly        bool
	limit                   int
	from                    time.Time
}

func query(cmd string, args []string, s Streams) int {
	fs := newFlags("watchpost "+cmd, s)
	var q queryFlags
	fs.StringVar(&q.dataDir, "data", "", "data directory")
	fs.BoolVar(&q.asJSON, "json", false, "print JSON (the journal: one entry per line)")
	fs.StringVar(&q.since, "since", "", "only from this time (RFC 3339, a date, or a duration back from now)")
	fs.StringVar(&q.subject, "subject", "", "journal: only this subject (alarm:42) or subject kind (alarm:)")
	fs.IntVar(&q.limit, "limit", 0, "journal: at most this many entries")
	fs.BoolVar(&q.openOnly, "open", false, "alarms: only open ones")
	fs.StringVar(&q.operator, "operator", "", "on a real site: the operator reading (the password is asked, or read from standard input)")
	words, err := parseArgs(fs, args)
	if err != nil {
		return ExitUsage
	}
	if len(words) > 0 {
		return s.failf(ExitUsage, "watchpost "+cmd, "unexpected argument %q", words[0])
	}
	if q.since != "" {
		if q.from, err = parseSince(q.since, time.Now()); err != nil {
			return s.fail(ExitUsage, "watchpost", err)
		}
	}
	ctx := context.Background()
	st, _, err := openStore(ctx, q.dataDir, "")
	if err != nil {
		return s.fail(ExitFailure, "watchpost", err)
	}
	defer st.Close()
	if s, code, err := readAccess(ctx, st, q.operator, s); err != nil {
		return s.fail(code, "watchpost "+cmd, err)
	} else {
		return printQuery(ctx, st, cmd, &q, s)
	}
}

func printQuery(ctx context.Context, st *store.Store, cmd string, q *queryFlags, s Streams) int {
	switch cmd {
	case "site":
		return printSite(ctx, st, q, s)
	case "alarms":
		return printAlarms(ctx, st, q, s)
	default:
		return printJournal(ctx, st, q, s)
	}
}

func newEncoder(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc
}

func printSite(ctx context.Context, st *store.Store, q *queryFlags, s Streams) int {
	site, err := st.LoadSite(ctx)
	if err != nil {
		return s.fail(ExitFailure, "watchpost", err)
	}
	site = site.Redacted() // camera passwords stay in the database
	if q.asJSON {
		return encodeOr(printJSON(s.Out, site), s)
	}
	w := s.Out
	fmt.Fprintf(w, "%s (%s): %s\n", site.Name, site.ID, site.Counts())
	for _, g := range site.Grids {
		fmt.Fprintf(w, "grid      %-22s %s, %s %s\n", g.ID, g.Name, g.Worker.Name, g.Worker.Phone)
	}
	for _, b := range site.Buildings {
		fmt.Fprintf(w, "building  %-22s %s, %d floors, grid %s\n", b.ID, b.Name, b.Floors, b.GridID)
	}
	for _, c := range site.Cameras {
		fmt.Fprintf(w, "camera    %-22s %s, %s\n", c.ID, c.Name, app.RedactURL(c.MainURL))
	}
	for _, d := range site.Devices {
		fmt.Fprintf(w, "device    %-22s %s, %s, %s\n", d.ID, d.Kind, d.Name, d.Location)
	}
	return ExitOK
}

func printAlarms(ctx context.Context, st *store.Store, q *queryFlags, s Streams) int {
	alarms, err := st.Alarms(ctx, app.AlarmQuery{Since: q.from, OpenOnly: q.openOnly})
	if err != nil {
		return s.fail(ExitFailure, "watchpost", err)
	}
	if q.asJSON {
		if alarms == nil {
			alarms = []app.Alarm{}
		}
		return encodeOr(printJSON(s.Out, alarms), s)
	}
	site, _ := st.LoadSite(ctx) // names the places; without it, the IDs do
	for _, a := range alarms {
		drill := "     "
		if a.Drill {
			drill = "DRILL"
		}
		fmt.Fprintf(s.Out, "%6d  %s  %-12s  %s  %s  %s\n", a.ID, a.Priority, a.State, a.RaisedAt.Local().Format(time.DateTime), drill,
			a.Describe(site, true, app.RenderTemplate))
	}
	return ExitOK
}

// printJournal pages by sequence number, so that a journal of millions of entries streams
// in bounded memory. --limit N prints the newest N, oldest first (like tail).
func printJournal(ctx context.Context, st *store.Store, q *queryFlags, s Streams) int {
	enc := newEncoder(s.Out)
	after := int64(0)
	if q.limit > 0 {
		newest, err := st.Query(ctx, app.JournalQuery{Since: q.from, Subject: q.subject, Latest: q.limit})
		if err != nil {
			return s.fail(ExitFailure, "watchpost", err)
		}
		if len(newest) > 0 {
			after = newest[0].Seq - 1
		}
	}
	printed := 0
	for {
		page := 5000
		if q.limit > 0 && q.limit-printed < page {
			page = q.limit - printed
		}
		if page <= 0 {
			return ExitOK
		}
		entries, err := st.Query(ctx, app.JournalQuery{Since: q.from, Subject: q.subject, AfterSeq: after, Limit: page})
		if err != nil {
			return s.fail(ExitFailure, "watchpost", err)
		}
		for _, e := range entries {
			if q.asJSON {
				if err := enc.Encode(e); err != nil {
					return encodeOr(err, s)
				}
			} else {
				fmt.Fprintf(s.Out, "%8d  %s  %-26s %-24s %s\n", e.Seq, e.Time.Local().Format("2006-01-02 15:04:05.000"), e.Kind, e.Subject, e.Operator)
			}
		}
		printed += len(entries)
		if len(entries) < page {
			return ExitOK
		}
		after = entries[len(entries)-1].Seq
	}
}

// parseSince reads --since: an RFC 3339 time, a date (local midnight), or a duration back from now.
func parseSince(s string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(s); err == nil {
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, time.Local); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation(time.DateTime, s, time.Local); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("--since %q: give a time (2026-11-28T08:00:00+08:00), a date (2026-11-28) or a duration (24h)", s)
}
