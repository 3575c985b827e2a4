package cli

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"watchpost/app"
	"watchpost/store"
)

// journalVerify is `watchpost journal verify`: it walks the journal's whole chain
// (store/chain.go) and checks it against anchors — the chain's head as it was written where
// whoever edits the database cannot reach: the log, backups' manifests, reports. Anchors
// given on the command line are used, and so are the latest one in the data directory's
// log and the newest backup's in its backup folder (those from before the database's last
// restore are left out: a restore brings back an earlier journal). It names the first
// missing or changed entry and exits 1, or says OK with the count and the head. It reads
// from a read-only connection, so it works while a console runs, and prints no entry's
// content: only sequence numbers, times and kinds.
func journalVerify(args []string, s Streams) int {
	fs := newFlags("watchpost journal verify", s)
	var dataDir string
	var asJSON bool
	var anchorArgs, backups multiFlag
	fs.StringVar(&dataDir, "data", "", "data directory")
	fs.Var(&anchorArgs, "anchor", "an anchor to check against, seq:hex as a report or the log prints it (repeatable)")
	fs.Var(&backups, "backup", "a backup file whose manifest's anchor to check against (repeatable)")
	fs.BoolVar(&asJSON, "json", false, "print the result as JSON")
	words, err := parseArgs(fs, args)
	if err != nil {
		return ExitUsage
	}
	if len(words) > 0 {
		return s.failf(ExitUsage, "watchpost journal verify", "unexpected argument %q", words[0])
	}
	var anchors []sourcedAnchor
	for _, a := range anchorArgs {
		an, err := app.ParseJournalAnchor(a)
		if err != nil {
			return s.fail(ExitUsage, "watchpost journal verify", err)
		}
		anchors = append(anchors, sourcedAnchor{an, "--anchor"})
	}
	for _, b := range backups {
		m, err := store.ReadBackupManifest(b)
		if err != nil {
			return s.fail(ExitFailure, "watchpost journal verify", err)
		}
		if m.JournalAnchor == nil {
			return s.failf(ExitFailure, "watchpost journal verify", "the backup %s carries no journal anchor (it was made before the journal was chained)", b)
		}
		anchors = append(anchors, sourcedAnchor{*m.JournalAnchor, "backup " + b})
	}
	ctx := context.Background()
	st, dir, err := openStore(ctx, dataDir, "")
	if err != nil {
		return s.fail(ExitFailure, "watchpost", err)
	}
	defer st.Close()
	since, err := lastRestore(ctx, st)
	if err != nil {
		return s.fail(ExitFailure, "watchpost", err)
	}
	anchors = append(anchors, foundAnchors(dir, since)...)
	list := make([]app.JournalAnchor, len(anchors))
	for i, a := range anchors {
		list[i] = a.JournalAnchor
	}
	res, err := st.VerifyChain(ctx, list...)
	if err != nil {
		return s.fail(ExitFailure, "watchpost", err)
	}
	if asJSON {
		if code := encodeOr(printJSON(s.Out, verifyJSON{ChainCheck: res, OK: res.OK(), Anchors: anchors}), s); code != ExitOK {
			return code
		}
	} else {
		printVerify(s, res, anchors)
	}
	if !res.OK() {
		return ExitFailure
	}
	return ExitOK
}

// sourcedAnchor is an anchor and where it came from.
type sourcedAnchor struct {
	app.JournalAnchor
	From string `json:"from"`
}

type verifyJSON struct {
	app.ChainCheck
	OK      bool            `json:"ok"`
	Anchors []sourcedAnchor `json:"anchors"`
}

func printVerify(s Streams, res app.ChainCheck, anchors []sourcedAnchor) {
	w := s.Out
	if res.OK() {
		fmt.Fprintf(w, "journal OK: %d entries chained, head seq %d: %s (%.1f s)\n", res.Checked, res.Head.Seq, res.Head.Chain, res.Took.Seconds())
	} else {
		b := res.Break
		fmt.Fprintf(w, "journal BROKEN at entry %d (%s): %s\n", b.Seq, b.Why, b.Message().English())
		if !b.Time.IsZero() {
			fmt.Fprintf(w, "  entry %d: %s, %s\n", b.Seq, b.Time.Local().Format(time.RFC3339), b.Kind)
		}
		if res.Checked > 0 {
			fmt.Fprintf(w, "  entries 1 to %d hold (seq %d: %s)\n", res.Checked, res.Head.Seq, res.Head.Chain)
		}
		fmt.Fprintln(w, "  keep the database, its backups and logs as they are: they are the evidence")
	}
	if len(anchors) == 0 {
		fmt.Fprintln(w, "no anchor to check the journal's end against: the deletion of its last entries would not show (give --backup FILE or --anchor seq:hex)")
		return
	}
	for _, a := range anchors {
		fmt.Fprintf(w, "anchor seq %d from %s\n", a.Seq, a.From)
	}
}

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// lastRestore is when the database was last restored from a backup (zero: never).
func lastRestore(ctx context.Context, st *store.Store) (time.Time, error) {
	es, err := st.Query(ctx, app.JournalQuery{Kinds: []app.EntryKind{app.KindBackupRestored}, Latest: 1})
	if err != nil || len(es) == 0 {
		return time.Time{}, err
	}
	return es[0].Time, nil
}

// logAnchor matches the log's anchor lines (app.JournalGuard, and the console's stop).
var logAnchor = regexp.MustCompile(`^time=(\S+) .*msg="journal anchor" seq=(\d+) chain=([0-9a-f]{64})`)

// foundAnchors are the latest anchor in the data directory's logs and the newest backup's
// in its backup folder, both written after since.
func foundAnchors(dir string, since time.Time) []sourcedAnchor {
	var out []sourcedAnchor
	if a, ok := latestLogAnchor(filepath.Join(dir, "logs"), since); ok {
		out = append(out, a)
	}
	if a, ok := newestBackupAnchor(filepath.Join(dir, app.DefaultBackupDir), since); ok {
		out = append(out, a)
	}
	return out
}

// latestLogAnchor reads the log files (rotated ones too, not compressed ones) for the anchor
// with the highest sequence number.
func latestLogAnchor(logs string, since time.Time) (sourcedAnchor, bool) {
	files, _ := filepath.Glob(filepath.Join(logs, "*.log*"))
	var best sourcedAnchor
	found := false
	for _, p := range files {
		if strings.HasSuffix(p, ".gz") {
			continue
		}
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if !strings.Contains(line, `msg="journal anchor"`) {
				continue
			}
			m := logAnchor.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			t, err := time.Parse(time.RFC3339Nano, m[1])
			seq, _ := strconv.ParseInt(m[2], 10, 64)
			if err != nil || t.Before(since) || seq <= best.Seq {
				continue
			}
			best, found = sourcedAnchor{app.JournalAnchor{Seq: seq, Chain: m[3]}, "log " + p + " at " + m[1]}, true
		}
		f.Close()
	}
	return best, found
}

// newestBackupAnchor is the anchor of the newest backup in the folder (by its file's time:
// the manifest is the archive's last member, so only one archive is read through).
func newestBackupAnchor(folder string, since time.Time) (sourcedAnchor, bool) {
	files, _ := filepath.Glob(filepath.Join(folder, "*.tar.gz"))
	newest, at := "", time.Time{}
	for _, p := range files {
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.ModTime().After(at) {
			newest, at = p, fi.ModTime()
		}
	}
	if newest == "" {
		return sourcedAnchor{}, false
	}
	m, err := store.ReadBackupManifest(newest)
	if err != nil || m.JournalAnchor == nil || m.CreatedAt.Before(since) {
		return sourcedAnchor{}, false
	}
	return sourcedAnchor{*m.JournalAnchor, "backup " + newest}, true
}
