package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"watchpost/app"
)

// Replay prints the console's state at an instant of a drill run or an incident
// (watchpost replay), from a read-only connection (it works while a console runs).
func Replay(args []string, s Streams) int {
	const prefix = "watchpost replay"
	fs := newFlags(prefix, s)
	dataDir := fs.String("data", "", "data directory")
	at := fs.String("at", "", "the instant: a time (RFC 3339, or 2026-11-28 09:30:05, or 09:30:05 on the target's day), an offset from the start (+90s, +2m), start or end")
	asJSON := fs.Bool("json", false, "print JSON")
	operator := fs.String("operator", "", "on a real site: the operator reading (the password is asked, or read from standard input)")
	fs.Usage = func() {
		fmt.Fprintln(s.Err, "usage: watchpost replay ID --at T [--json] [--data DIR] [--operator USER]")
		fmt.Fprintln(s.Err, "  ID is drill:RUN, incident:N, or the journal sequence number of the entry that started the drill run or opened the incident")
		fs.PrintDefaults()
	}
	ids, err := parseArgs(fs, args) // the ID may come before or after the flags
	if err != nil {
		return ExitUsage
	}
	if len(ids) != 1 || *at == "" {
		fs.Usage()
		return ExitUsage
	}
	kind, id, err := app.ParseReplayRef(ids[0])
	if err != nil {
		return s.fail(ExitUsage, prefix, err)
	}
	ctx := context.Background()
	st, _, err := openStore(ctx, *dataDir, "")
	if err != nil {
		return s.fail(ExitFailure, "watchpost", err)
	}
	defer st.Close()
	s, code, err := readAccess(ctx, st, *operator, s)
	if err != nil {
		return s.fail(code, prefix, err)
	}
	sess, err := app.OpenReplay(ctx, st, kind, id, false)
	if err != nil {
		return s.fail(ExitFailure, prefix, err)
	}
	t, err := parseReplayAt(*at, &sess.Target)
	if err != nil {
		return s.fail(ExitUsage, prefix, err)
	}
	f, err := sess.Frame(ctx, t)
	if err != nil {
		return s.fail(ExitFailure, prefix, err)
	}
	out := replayOutput(sess, &f)
	if *asJSON {
		return encodeOr(printJSON(s.Out, out), s)
	}
	site, _ := st.LoadSite(ctx) // names the alarms' places; without it, their IDs do
	printReplay(s.Out, &out, site)
	return ExitOK
}

// parseReplayAt reads --at: a time, an offset from the target's start, start or end.
func parseReplayAt(s string, t *app.ReplayTarget) (time.Time, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "start":
		return t.Start, nil
	case "end":
		return t.End, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return t.Start.Add(d), nil
	}
	if v, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return v, nil
	}
	if v, err := time.ParseInLocation(time.DateTime, s, time.Local); err == nil {
		return v, nil
	}
	if v, err := time.ParseInLocation(time.TimeOnly, s, time.Local); err == nil {
		day := t.Start.Local()
		return time.Date(day.Year(), day.Month(), day.Day(), v.Hour(), v.Minute(), v.Second(), 0, time.Local), nil
	}
	return time.Time{}, fmt.Errorf("--at %q: give a time (2026-11-28T09:30:05+08:00, 2026-11-28 09:30:05, 09:30:05), an offset from the start (+90s) or start/end", s)
}
