package app

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"time"
)

// The audit trail is what administrators read of the journal about people and access: who
// saw or exported whose record, who signed in, failed to or signed out, and the changes to
// operators' accounts and permissions (the security issue, point 9; 网络安全法 keeps it for
// at least MinAuditRetention). It is read from the journal, never kept apart, and exporting
// it is itself journaled.

// KindAuditExported is an administrator's export of the audit trail. Data: AuditExport.
const KindAuditExported EntryKind = "audit.exported"

// ActViewAudit reads and exports the audit trail: administrators only (it is not in the
// permission table, like ActRestore).
const ActViewAudit Action = "audit.view"

// AuditKinds are the journal kinds the audit trail shows, in the order a filter offers them.
var AuditKinds = []EntryKind{KindPersonViewed, KindPersonExported, KindSignedIn, KindSignInFailed, KindSignedOut,
	KindOperatorCreated, KindOperatorUpdated, KindPasswordChanged, KindPermissionsChanged, KindAuditExported}

// AuditFilter selects audit records. Zero fields do not filter.
type AuditFilter struct {
	From, To time.Time   // at or after From, before To
	Operator string      // the user name who acted, or whose account it is about
	Kinds    []EntryKind // any of these (default: AuditKinds)
}

// maxAuditRecords is how many records one query returns (the newest): a filter narrows it.
const maxAuditRecords = 5000

// AuditRecord is one line of the audit trail: the journal entry, its data's fields decoded
// generically (text of each top-level field; nested values as compact JSON), so that a kind
// whose data is added later (a person's record, with its reason and alarm) shows as it is.
type AuditRecord struct {
	Seq      int64             `json:"seq"`
	Time     time.Time         `json:"time"`
	Kind     EntryKind         `json:"kind"`
	Operator string            `json:"operator"` // who acted ("system" for a failed sign-in)
	Subject  string            `json:"subject"`  // whose record or which account: "operator:duty", "device:bracelet-3"
	Fields   map[string]string `json:"fields,omitempty"`
}

// Account is the user name the record is about (a sign-in's, an account change's), or ""
// for a subject that is no account. A failed sign-in with an unknown name gives its masked
// form ("p********").
func (r AuditRecord) Account() string {
	if strings.HasPrefix(r.Subject, UnknownNamePrefix) {
		return r.Fields["masked"]
	}
	if u, ok := strings.CutPrefix(r.Subject, "operator:"); ok {
		return u
	}
	return ""
}

// FieldNames returns the record's data fields in a stable order.
func (r AuditRecord) FieldNames() []string {
	names := make([]string, 0, len(r.Fields))
	for k := range r.Fields {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// AuditExport is what an export of the audit trail journals.
type AuditExport struct {
	File     string      `json:"file"`
	Format   string      `json:"format"` // "csv" or "xlsx"
	Records  int         `json:"records"`
	From     time.Time   `json:"from,omitzero"`
	To       time.Time   `json:"to,omitzero"`
	Operator string      `json:"operator,omitempty"`
	Kinds    []EntryKind `json:"kinds,omitempty"`
}

// AuditTrail reads the audit trail for administrators.
type AuditTrail struct {
	rec *Recorder
}

// NewAuditTrail builds the service on the journal's recorder.
func NewAuditTrail(rec *Recorder) *AuditTrail { return &AuditTrail{rec: rec} }

// Records returns the audit records the filter selects, newest first (at most
// maxAuditRecords, the newest).
func (a *AuditTrail) Records(ctx context.Context, op *Operator, f AuditFilter) ([]AuditRecord, error) {
	if err := Authorize(op, ActViewAudit); err != nil {
		return nil, err
	}
	kinds := f.Kinds
	if len(kinds) == 0 {
		kinds = AuditKinds
	}
	// Who acted, and whose account it is about (a failed sign-in is the system's entry).
	queries := []JournalQuery{{Since: f.From, Until: f.To, Kinds: kinds, Latest: maxAuditRecords}}
	if f.Operator != "" {
		queries[0].Operator = f.Operator
		queries = append(queries, JournalQuery{Since: f.From, Until: f.To, Kinds: kinds, Latest: maxAuditRecords, Subject: SubjectOperator(f.Operator)})
	}
	bySeq := map[int64]Entry{}
	for _, q := range queries {
		es, err := a.rec.Journal.Query(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			bySeq[e.Seq] = e
		}
	}
	es := make([]Entry, 0, len(bySeq))
	for _, e := range bySeq {
		es = append(es, e)
	}
	sort.Slice(es, func(i, j int) bool { return es[i].Seq > es[j].Seq })
	out := make([]AuditRecord, 0, min(len(es), maxAuditRecords))
	for _, e := range es[:min(len(es), maxAuditRecords)] {
		out = append(out, AuditRecord{Seq: e.Seq, Time: e.Time, Kind: e.Kind, Operator: e.Operator, Subject: e.Subject, Fields: dataFields(e.Data)})
	}
	return out, nil
}

// Exported journals an administrator's export of the audit trail.
func (a *AuditTrail) Exported(ctx context.Context, op *Operator, x AuditExport) error {
	if err := Authorize(op, ActViewAudit); err != nil {
		return err
	}
	_, err := a.rec.Record(ctx, NewEntry(KindAuditExported, "audit", op.Username, x))
	return err
}

// dataFields decodes a journal entry's data generically: a JSON object's fields as text.
func dataFields(data json.RawMessage) map[string]string {
	var m map[string]json.RawMessage
	if len(data) == 0 || json.Unmarshal(data, &m) != nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		var s string
		if json.Unmarshal(v, &s) == nil {
			out[k] = s
			continue
		}
		out[k] = string(v) // numbers, booleans, and nested values as compact JSON
	}
	return out
}

// MinAuditRetention is how long logs and the journal are kept at the least (网络安全法,
// article 21: network logs are kept no less than six months). The journal is append-only
// and never deleted; whatever deletes log files (a rotation) keeps every file last written
// within it (AuditRetained), and a retention setting for logs below it is refused
// (CheckAuditRetention).
const MinAuditRetention = 180 * 24 * time.Hour

// AuditRetained reports whether a log file (or journal entry) last written at written must
// still be kept at now.
func AuditRetained(written, now time.Time) bool { return now.Sub(written) < MinAuditRetention }

// CheckAuditRetention refuses a retention of logs shorter than MinAuditRetention (zero:
// kept for ever, which is allowed).
func CheckAuditRetention(keep time.Duration) error {
	if keep != 0 && keep < MinAuditRetention {
		return Errorf(CodeInvalid, "Logs are kept at least {{.Days}} days (网络安全法): a shorter retention is refused", "Days", int(MinAuditRetention.Hours()/24))
	}
	return nil
}

// TableSheets writes a list as a workbook (XLSX): one sheet, a header row and text cells.
// The console's workbook adapter (sheets/) has it beside SiteSheets.
type TableSheets interface {
	Table(sheet string, header []string, rows [][]string) ([]byte, error)
}
