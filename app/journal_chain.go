package app

import (
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// The journal is chained (the security issue, point 8): each entry carries a keyed hash of
// the previous entry's and its own content, under a key kept outside the database, so that
// whoever edits the database file cannot delete, change or insert an entry unseen. The
// chain's head — an anchor — is written where the database's editor cannot reach it too:
// the log, every backup's manifest and every report. A broken chain is a P1 alarm.

// AlarmJournalBroken is the P1 system alarm of a journal whose chain does not hold: an
// entry was deleted, changed or inserted behind Watchpost's back (or an anchor shows the
// journal's last entries gone).
const AlarmJournalBroken = "journal_broken"

// Alarm parameters of a broken journal.
const (
	ParamSeq       = "seq"        // the first entry missing or broken
	ParamEntryKind = "entry_kind" // its kind ("" when it is missing)
	ParamEntryTime = "entry_time" // its time, RFC 3339 ("" when it is missing)
	ParamBreak     = "break"      // ChainMissing, ChainAltered, ChainUnchained, ChainTruncated
)

// How the chain is broken (ChainBreak.Why).
const (
	ChainMissing   = "missing"   // an entry is gone from the middle of the journal (its number is skipped)
	ChainAltered   = "altered"   // an entry's content or chain value is not what was written
	ChainUnchained = "unchained" // an entry has no chain value (inserted behind Watchpost's back)
	ChainTruncated = "truncated" // the journal ends before an anchor: its last entries are gone
)

// JournalAnchor is the chain's head at a moment: the last entry's sequence number and its
// chain value (hexadecimal).
type JournalAnchor struct {
	Seq   int64  `json:"seq"`
	Chain string `json:"chain"`
}

// String is the anchor as reports print it and `journal verify --anchor` takes it: "N:hex".
func (a JournalAnchor) String() string { return strconv.FormatInt(a.Seq, 10) + ":" + a.Chain }

// ParseJournalAnchor reads "N:hex" (the form String writes).
func ParseJournalAnchor(s string) (JournalAnchor, error) {
	seq, chain, ok := strings.Cut(strings.TrimSpace(s), ":")
	n, err := strconv.ParseInt(seq, 10, 64)
	b, herr := hex.DecodeString(chain)
	if !ok || err != nil || n < 1 || herr != nil || len(b) != 32 {
		return JournalAnchor{}, Errorf(CodeInvalid, "{{.Anchor}} is not a journal anchor: give the sequence number and the chain value as printed, seq:64 hexadecimal digits", "Anchor", s)
	}
	return JournalAnchor{Seq: n, Chain: strings.ToLower(chain)}, nil
}

// ChainBreak is the first entry where the chain does not hold.
type ChainBreak struct {
	Seq  int64     `json:"seq"`
	Why  string    `json:"why"`            // ChainMissing, ChainAltered, ChainUnchained, ChainTruncated
	Time time.Time `json:"time,omitzero"`  // the entry's (zero when it is missing)
	Kind EntryKind `json:"kind,omitempty"` // the entry's ("" when it is missing)
	// Anchor is the anchor the journal fails (ChainTruncated, or an altered anchored entry).
	Anchor *JournalAnchor `json:"anchor,omitempty"`
}

// Message says what is wrong, for the CLI and the log.
func (b ChainBreak) Message() Message {
	switch b.Why {
	case ChainMissing:
		return msg("Journal entry {{.Seq}} is missing: it was deleted", "Seq", b.Seq)
	case ChainTruncated:
		return msg("Journal entries from {{.Seq}} are missing: the journal ends before its anchor (entry {{.Anchor}})", "Seq", b.Seq, "Anchor", b.Anchor.Seq)
	case ChainUnchained:
		return msg("Journal entry {{.Seq}} ({{.Kind}}, {{.Time}}) was not written by Watchpost: it has no chain value", "Seq", b.Seq, "Kind", string(b.Kind), "Time", b.Time.Format(time.RFC3339))
	}
	return msg("Journal entry {{.Seq}} ({{.Kind}}, {{.Time}}) was changed: its chain value does not match", "Seq", b.Seq, "Kind", string(b.Kind), "Time", b.Time.Format(time.RFC3339))
}

// JournalBrokenAlarm is the P1 system alarm of a broken chain.
func JournalBrokenAlarm(b ChainBreak, now time.Time) Alarm {
	a := Alarm{Kind: AlarmJournalBroken, Priority: P1, Fault: true, RaisedAt: now}
	a.SetParam(ParamSeq, strconv.FormatInt(b.Seq, 10))
	a.SetParam(ParamBreak, b.Why)
	a.SetParam(ParamEntryKind, string(b.Kind))
	if !b.Time.IsZero() {
		a.SetParam(ParamEntryTime, b.Time.UTC().Format(time.RFC3339))
	}
	return a
}

// journalBrokenDetails are the cause details of AlarmJournalBroken.
func journalBrokenDetails(p map[string]string) []Message {
	switch p[ParamBreak] {
	case ChainMissing, ChainTruncated:
		return []Message{msg("Entry {{.Seq}} of the journal is missing", "Seq", p[ParamSeq]),
			msg("Run watchpost journal verify; keep the database and its backups as evidence")}
	}
	return []Message{msg("Entry {{.Seq}} of the journal ({{.Kind}}) was changed", "Seq", p[ParamSeq], "Kind", p[ParamEntryKind]),
		msg("Run watchpost journal verify; keep the database and its backups as evidence")}
}

// KindJournalChained records that a journal from before chains was chained, once, on the
// first open with the site key (Data: JournalChained). Entries before it were protected by
// the database's triggers only until then.
const KindJournalChained EntryKind = "journal.chained"

// JournalChained is the data of KindJournalChained.
type JournalChained struct {
	Entries int64         `json:"entries"` // how many existing entries were chained
	Head    JournalAnchor `json:"head"`    // the chain's head after it
}

// ChainCheck is what a verification of the chain found.
type ChainCheck struct {
	From    int64         `json:"from"`            // verified after this entry (0: from the first)
	Checked int64         `json:"checked"`         // entries checked
	Head    JournalAnchor `json:"head"`            // the chain's head (the last entry that holds)
	Break   *ChainBreak   `json:"break,omitempty"` // the first entry where the chain does not hold; nil: it holds
	Took    time.Duration `json:"took_ns"`
}

// OK reports whether the chain holds.
func (r ChainCheck) OK() bool { return r.Break == nil }
