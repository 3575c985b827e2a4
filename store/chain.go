package store

// The journal's chain (the security issue, point 8). Each entry's chain value is
// HMAC-SHA256, under a key derived from the site key (keys.go: never in the database nor in
// a backup), of the previous entry's chain value and the entry's own content exactly as
// stored (seq, ts, kind, subject, operator, drill, data). Whoever can edit the database file
// but not read the key cannot delete, change or insert an entry without the chain showing
// it; deleting the last entries is seen against an anchor (the chain's head written to the
// log, into backups and reports). The chain covers the bytes as stored: where personal
// fields are encrypted, it covers their ciphertext, so erasing a person's key never breaks it.
//
// Start verifies incrementally from the last verified point (journal_verified, with an HMAC
// of its own so that a tamperer cannot move it forward over what they changed; moving it
// back or deleting it only makes verification start earlier); `watchpost journal verify`
// walks the whole chain.

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash"
	"runtime"
	"strings"
	"sync"
	"time"

	"watchpost/app"
)

// Purposes of the keys derived from the site key.
const (
	chainPurpose    = "journal-chain"
	verifiedPurpose = "journal-verified"
)

// chainer computes chain values. Not safe for concurrent use: one per walk or transaction.
type chainer struct {
	mac hash.Hash
	buf []byte
}

func newChainer(k *Keys) *chainer {
	return &chainer{mac: hmac.New(sha256.New, k.Derive(chainPurpose)), buf: make([]byte, 0, 512)}
}

// chainRow is a journal row as stored, with its chain value.
type chainRow struct {
	seq, ts                 int64
	kind, subject, operator string
	drill                   int64
	data                    sql.NullString
	chain                   []byte
}

// genesis is the "previous chain value" of the first entry.
var genesis = make([]byte, sha256.Size)

// sum returns the chain value of r after prev (nil: the first entry). The encoding is
// unambiguous: fixed-width integers, length-prefixed text, NULL data apart from empty.
func (c *chainer) sum(prev []byte, r *chainRow) []byte {
	if prev == nil {
		prev = genesis
	}
	b := append(c.buf[:0], prev...)
	b = binary.BigEndian.AppendUint64(b, uint64(r.seq))
	b = binary.BigEndian.AppendUint64(b, uint64(r.ts))
	b = binary.BigEndian.AppendUint64(b, uint64(r.drill))
	for _, s := range []string{r.kind, r.subject, r.operator} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	if r.data.Valid {
		b = append(b, 1)
		b = binary.AppendUvarint(b, uint64(len(r.data.String)))
		b = append(b, r.data.String...)
	} else {
		b = append(b, 0)
	}
	c.buf = b
	c.mac.Reset()
	c.mac.Write(b)
	return c.mac.Sum(nil)
}

// ChainResult is what a verification found (app.ChainCheck).
type ChainResult = app.ChainCheck

// walkChain checks the entries after seq from (whose chain value is prev) to the end, and
// the anchors against what it walked: the first break wins. An anchor beyond the journal's
// end is a truncation; one that does not match is an altered entry.
//
// Each link is checked on its own — an entry's chain value against the HMAC of its
// predecessor's stored value and its own content — so a long walk is split into segments
// read side by side on their own connections (reading rows is most of the cost), each
// starting from the stored chain value of the entry before it; every link is still checked
// once, and the earliest break is the one named.
func (s *Store) walkChain(ctx context.Context, from int64, prev []byte, anchors []app.JournalAnchor) (ChainResult, error) {
	t0 := time.Now()
	res := ChainResult{From: from, Head: app.JournalAnchor{Seq: from, Chain: hex.EncodeToString(prev)}}
	want := map[int64]app.JournalAnchor{}
	for _, a := range anchors {
		if a.Seq > from {
			want[a.Seq] = a
		}
	}
	var last sql.NullInt64
	if err := s.db.QueryRowContext(ctx, "SELECT max(seq) FROM journal").Scan(&last); err != nil {
		return res, app.Errorf(app.CodeUnavailable, "The journal cannot be read").Wrap(err)
	}
	head := max(last.Int64, from) // entries appended meanwhile are left to the next walk
	parts := 1
	if head-from >= 2*segmentMin {
		parts = min(runtime.GOMAXPROCS(0), walkConns(s), int((head-from)/segmentMin))
	}
	segs := make([]segment, parts)
	var wg sync.WaitGroup
	for i := range segs {
		lo := from + (head-from)*int64(i)/int64(parts)
		hi := from + (head-from)*int64(i+1)/int64(parts)
		segs[i] = segment{lo: lo, hi: hi}
		if i == 0 {
			segs[i].prev = prev
		}
		wg.Add(1)
		go func(g *segment, first bool) {
			defer wg.Done()
			g.err = s.walkSegment(ctx, g, first, want)
		}(&segs[i], i == 0)
	}
	wg.Wait()
	for i := range segs {
		g := &segs[i]
		if g.err != nil {
			return res, g.err
		}
		res.Checked += g.checked
		if g.brk != nil {
			res.Break = g.brk
			res.Head = app.JournalAnchor{Seq: g.lastSeq, Chain: hex.EncodeToString(g.prev)}
			res.Took = time.Since(t0)
			return res, nil
		}
		res.Head = app.JournalAnchor{Seq: g.lastSeq, Chain: hex.EncodeToString(g.prev)}
	}
	// An anchor past the end: the journal's last entries are gone (the highest anchor says most).
	var beyond *app.JournalAnchor
	for _, a := range want {
		if a.Seq > res.Head.Seq && (beyond == nil || a.Seq > beyond.Seq) {
			a := a
			beyond = &a
		}
	}
	if beyond != nil {
		res.Break = &app.ChainBreak{Seq: res.Head.Seq + 1, Why: app.ChainTruncated, Anchor: beyond}
	}
	res.Took = time.Since(t0)
	return res, nil
}

// segmentMin is the fewest entries a segment of a walk gets (shorter walks are one segment).
var segmentMin int64 = 50_000

// walkConns is how many segments a walk may read at once: `journal verify` (read-only) uses
// both its connections; the console's own walks leave a core to the console (its whole walk
// after a start runs beside cameras and the window) and connections to the journal writer.
func walkConns(s *Store) int {
	if s.ro {
		return 2
	}
	return max(1, min(3, runtime.GOMAXPROCS(0)-1))
}

// segment is a part of a walk: the entries (lo, hi], the chain value of entry lo (prev; read
// from the database for all but the first), and what the walk found.
type segment struct {
	lo, hi  int64
	prev    []byte // then the chain value of the last entry that holds
	lastSeq int64  // the last entry that holds
	checked int64
	brk     *app.ChainBreak
	err     error
}

// walkSegment checks the entries of g in order.
func (s *Store) walkSegment(ctx context.Context, g *segment, first bool, want map[int64]app.JournalAnchor) error {
	g.lastSeq = g.lo
	if g.lo >= g.hi {
		return nil
	}
	q := "SELECT seq, ts, kind, subject, operator, drill, data, chain FROM journal WHERE seq > ? AND seq <= ? ORDER BY seq"
	lo := g.lo
	if !first {
		q = strings.Replace(q, "seq > ?", "seq >= ?", 1) // entry lo, whose stored value starts the segment
	}
	rows, err := s.db.QueryContext(ctx, q, lo, g.hi)
	if err != nil {
		return app.Errorf(app.CodeUnavailable, "The journal cannot be read").Wrap(err)
	}
	defer rows.Close()
	c := newChainer(s.keys)
	expect := g.lo + 1
	var r chainRow
	for rows.Next() {
		if err := rows.Scan(&r.seq, &r.ts, &r.kind, &r.subject, &r.operator, &r.drill, &r.data, &r.chain); err != nil {
			return app.Errorf(app.CodeCorrupt, "The journal cannot be read").Wrap(err)
		}
		if !first && g.prev == nil && r.seq == g.lo {
			g.prev = r.chain // checked as the previous segment's last entry
			continue
		}
		t, kind := time.Unix(0, r.ts).UTC(), app.EntryKind(r.kind)
		switch {
		case r.seq != expect:
			g.brk = &app.ChainBreak{Seq: expect, Why: app.ChainMissing}
		case r.chain == nil:
			g.brk = &app.ChainBreak{Seq: r.seq, Why: app.ChainUnchained, Time: t, Kind: kind}
		case !first && g.prev == nil:
			g.brk = &app.ChainBreak{Seq: r.seq, Why: app.ChainUnchained, Time: t, Kind: kind} // its predecessor has no value
		case !hmac.Equal(c.sum(g.prev, &r), r.chain):
			g.brk = &app.ChainBreak{Seq: r.seq, Why: app.ChainAltered, Time: t, Kind: kind}
		}
		if a, ok := want[r.seq]; ok && g.brk == nil && a.Chain != hex.EncodeToString(r.chain) {
			g.brk = &app.ChainBreak{Seq: r.seq, Why: app.ChainAltered, Time: t, Kind: kind, Anchor: &a}
		}
		if g.brk != nil {
			return nil
		}
		g.prev, g.lastSeq = r.chain, r.seq
		g.checked++
		expect++
	}
	if err := rows.Err(); err != nil {
		return app.Errorf(app.CodeUnavailable, "The journal cannot be read").Wrap(err)
	}
	if expect <= g.hi { // the segment's last entries are gone (the next segment's start too)
		g.brk = &app.ChainBreak{Seq: expect, Why: app.ChainMissing}
	}
	return nil
}

// VerifyChain walks the whole chain and checks it against the anchors given (from the
// log, a backup's manifest, a report).
func (s *Store) VerifyChain(ctx context.Context, anchors ...app.JournalAnchor) (ChainResult, error) {
	return s.walkChain(ctx, 0, nil, anchors)
}

// VerifyIncremental checks the entries written since the last verified point and, when
// the chain holds, moves the point to the head. A verified point that no longer matches
// its entry (an entry at or before it changed, or the journal cut back under it) makes a
// walk from the first entry with the point as an anchor, which names the first break.
func (s *Store) VerifyIncremental(ctx context.Context) (res ChainResult, err error) {
	t0 := time.Now()
	defer func() { res.Took = time.Since(t0) }() // the whole check: the start's cost
	point, ok := s.readVerified(ctx)
	if ok {
		// The point's entry must still hold its chain value. What was deleted or changed
		// before the point is found by the whole walk (journal verify, and the console's
		// walk beside it after its start): counting the entries before the point would show
		// a deletion, but costs 0.2–0.4 s on a million entries, past a start's 50 ms.
		var chain []byte
		qerr := s.db.QueryRowContext(ctx, "SELECT chain FROM journal WHERE seq = ?", point.Seq).Scan(&chain)
		if qerr == nil && hex.EncodeToString(chain) == point.Chain {
			prev, _ := hex.DecodeString(point.Chain)
			res, err = s.walkChain(ctx, point.Seq, prev, nil)
		} else if qerr != nil && !errors.Is(qerr, sql.ErrNoRows) {
			return res, app.Errorf(app.CodeUnavailable, "The journal cannot be read").Wrap(qerr)
		} else {
			res, err = s.walkChain(ctx, 0, nil, []app.JournalAnchor{point})
		}
	} else {
		res, err = s.walkChain(ctx, 0, nil, nil)
	}
	if err != nil || !res.OK() || s.ro || res.Head.Seq == 0 || (ok && res.Head.Seq == point.Seq) {
		return res, err
	}
	return res, s.writeVerified(ctx, res.Head)
}

// verifiedMAC authenticates a verified point.
func (s *Store) verifiedMAC(a app.JournalAnchor) []byte {
	m := hmac.New(sha256.New, s.keys.Derive(verifiedPurpose))
	m.Write(binary.BigEndian.AppendUint64(nil, uint64(a.Seq)))
	m.Write([]byte(a.Chain))
	return m.Sum(nil)
}

// readVerified returns the last verified point; false when there is none or its HMAC does
// not hold (then verification starts from the first entry: slower, never weaker).
func (s *Store) readVerified(ctx context.Context) (app.JournalAnchor, bool) {
	var a app.JournalAnchor
	var chain, mac []byte
	err := s.db.QueryRowContext(ctx, "SELECT seq, chain, mac FROM journal_verified WHERE id = 1").Scan(&a.Seq, &chain, &mac)
	if err != nil {
		if !errors.Is(err, sql.ErrNoRows) {
			s.log.Warn("journal: the last verified point cannot be read; verifying from the first entry", "err", err)
		}
		return a, false
	}
	a.Chain = hex.EncodeToString(chain)
	if !hmac.Equal(mac, s.verifiedMAC(a)) {
		s.log.Warn("journal: the last verified point is not authentic; verifying from the first entry", "seq", a.Seq)
		return a, false
	}
	return a, true
}

func (s *Store) writeVerified(ctx context.Context, a app.JournalAnchor) error {
	chain, _ := hex.DecodeString(a.Chain)
	_, err := s.db.ExecContext(ctx, `INSERT INTO journal_verified (id, seq, chain, mac) VALUES (1, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, chain = excluded.chain, mac = excluded.mac`, a.Seq, chain, s.verifiedMAC(a))
	if err != nil {
		return s.writeError(err)
	}
	return nil
}

// JournalAnchor returns the chain's head now (seq 0 for an empty journal): what the log,
// backups and reports keep.
func (s *Store) JournalAnchor(ctx context.Context) (app.JournalAnchor, error) {
	return headAnchor(ctx, s.db)
}

func headAnchor(ctx context.Context, db interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (app.JournalAnchor, error) {
	var a app.JournalAnchor
	var chain []byte
	err := db.QueryRowContext(ctx, "SELECT seq, chain FROM journal ORDER BY seq DESC LIMIT 1").Scan(&a.Seq, &chain)
	if errors.Is(err, sql.ErrNoRows) {
		return a, nil
	}
	if err != nil {
		return a, app.Errorf(app.CodeUnavailable, "The journal cannot be read").Wrap(err)
	}
	a.Chain = hex.EncodeToString(chain)
	return a, nil
}

// ChainAtStart is what the verification of this open found (read-write opens only).
func (s *Store) ChainAtStart() ChainResult { return s.chainStart }

// hasChainColumn reports whether the journal has its chain column yet (false for a new
// database and one from before chains: the open that adds it chains what is there).
func (s *Store) hasChainColumn(ctx context.Context) (bool, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM pragma_table_info('journal') WHERE name = 'chain'").Scan(&n); err != nil {
		return false, s.openError(err)
	}
	return n > 0, nil
}

// chainExisting gives the entries of a journal from before chains their chain values, once,
// in one transaction (a crash leaves none chained, and the next open does it again). It
// runs on the open that added the chain column, or where no entry has a chain value and
// nothing was ever verified (that open crashed before its commit).
func (s *Store) chainExisting(ctx context.Context, columnAdded bool) error {
	if !columnAdded {
		// Whether any entry is chained, not how many: counting them read the whole journal at
		// every start (half a second to seconds for a million entries). The first entry is
		// chained in every journal but one whose chaining never committed.
		var chained, verified bool
		if err := s.db.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM journal_verified), EXISTS (SELECT 1 FROM journal WHERE chain IS NOT NULL)").Scan(&verified, &chained); err != nil {
			return s.openError(err)
		}
		if chained || verified {
			return nil
		}
	}
	t0 := time.Now()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.openError(err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, "SELECT seq, ts, kind, subject, operator, drill, data FROM journal ORDER BY seq")
	if err != nil {
		return s.openError(err)
	}
	type chained struct {
		seq   int64
		chain []byte
	}
	var out []chained
	c := newChainer(s.keys)
	var prev []byte
	var r chainRow
	for rows.Next() {
		if err := rows.Scan(&r.seq, &r.ts, &r.kind, &r.subject, &r.operator, &r.drill, &r.data); err != nil {
			rows.Close()
			return s.openError(err)
		}
		prev = c.sum(prev, &r)
		out = append(out, chained{r.seq, prev})
	}
	if err := rows.Err(); err != nil {
		return s.openError(err)
	}
	rows.Close()
	if len(out) == 0 {
		return nil
	}
	up, err := tx.PrepareContext(ctx, "UPDATE journal SET chain = ? WHERE seq = ? AND chain IS NULL")
	if err != nil {
		return s.openError(err)
	}
	defer up.Close()
	for _, o := range out {
		if _, err := up.ExecContext(ctx, o.chain, o.seq); err != nil {
			return s.writeError(err)
		}
	}
	head := app.JournalAnchor{Seq: out[len(out)-1].seq, Chain: hex.EncodeToString(prev)}
	if err := tx.Commit(); err != nil {
		return s.writeError(err)
	}
	if err := s.writeVerified(ctx, head); err != nil { // chained here: nothing to walk again
		return err
	}
	s.log.Info("journal chained for the first time (entries before were protected by triggers only)",
		"entries", len(out), "head_seq", head.Seq, "head_chain", head.Chain, "took", time.Since(t0).Round(time.Millisecond))
	s.chainedNow = &app.JournalChained{Entries: int64(len(out)), Head: head}
	return nil
}

// checkChainAtOpen chains a journal from before chains (once) and verifies the chain from
// the last verified point: a broken chain is logged here and raised as a P1 alarm by the
// console (ChainAtStart); the database still opens, so the evidence is kept and read.
func (s *Store) checkChainAtOpen(ctx context.Context, columnAdded bool) error {
	if err := s.chainExisting(ctx, columnAdded); err != nil {
		return err
	}
	res, err := s.VerifyIncremental(ctx)
	if err != nil {
		return err
	}
	s.chainStart = res
	if !res.OK() {
		s.log.Error("journal chain broken: "+res.Break.Message().English(), "seq", res.Break.Seq, "why", res.Break.Why, "kind", res.Break.Kind)
	} else {
		s.log.Debug("journal chain verified", "from", res.From, "entries", res.Checked, "head_seq", res.Head.Seq, "took", res.Took)
	}
	return nil
}
