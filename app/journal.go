package app

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// EntryKind names what a journal entry records: "<subject kind>.<what happened>".
type EntryKind string

// The kinds of journal entries. Kinds are never renamed: old journals must still replay.
const (
	KindSiteSeeded   EntryKind = "site.seeded"   // Data: the whole Site
	KindSiteImported EntryKind = "site.imported" // Data: the whole Site

	KindOperatorCreated EntryKind = "operator.created"    // Data: Operator (never the password)
	KindOperatorUpdated EntryKind = "operator.updated"    // Data: Operator
	KindSignedIn        EntryKind = "operator.signed_in"  // Operator: who
	KindSignedOut       EntryKind = "operator.signed_out" // Operator: who
	KindSignInFailed    EntryKind = "operator.sign_in_failed"
	KindPasswordChanged EntryKind = "operator.password_changed"
	KindSettingsChanged EntryKind = "settings.changed" // Data: the changed keys
	// A person's full record shown or exported (who, whose, why): the audit trail of
	// personal data that administrators read (the security issue, point 9).
	KindPersonViewed      EntryKind = "person.viewed"
	KindPersonExported    EntryKind = "person.exported"
	KindConsoleStarted    EntryKind = "console.started"
	KindConsoleStopped    EntryKind = "console.stopped"
	KindComponentStatus   EntryKind = "component.status"   // Data: ComponentStatus (state changes only)
	KindAlarmRaised       EntryKind = "alarm.raised"       // Data: Alarm; its Seq becomes the alarm ID
	KindAlarmRepeated     EntryKind = "alarm.repeated"     // Data: Alarm
	KindAlarmAcknowledged EntryKind = "alarm.acknowledged" // Data: Alarm
	KindAlarmDispatched   EntryKind = "alarm.dispatched"   // Data: Alarm
	KindAlarmResolved     EntryKind = "alarm.resolved"     // Data: Alarm
)

// IsAlarm reports whether entries of this kind carry an Alarm snapshot in Data.
func (k EntryKind) IsAlarm() bool { return strings.HasPrefix(string(k), "alarm.") }

// Entry is one line of the append-only journal: every event and every operator action.
// The journal is the single source of truth: the state of the console at any instant is a
// fold of the entries up to that instant.
type Entry struct {
	Seq      int64           `json:"seq"`  // assigned by the journal, strictly increasing
	Time     time.Time       `json:"time"` // assigned by the journal when zero
	Kind     EntryKind       `json:"kind"`
	Subject  string          `json:"subject,omitempty"`  // what it is about: "alarm:42", "device:smoke-3-1"
	Operator string          `json:"operator,omitempty"` // who did it; "system" for automatic actions
	Drill    bool            `json:"drill,omitempty"`
	Data     json.RawMessage `json:"data,omitempty"`
}

// Validate checks an entry before it is appended.
func (e *Entry) Validate() error {
	var p Problems
	if k := string(e.Kind); k == "" || !strings.Contains(k, ".") {
		p.Add("kind", "A journal entry needs a kind like subject.action")
	}
	if e.Operator == "" {
		p.Add("operator", "A journal entry must name who did it (or 'system')")
	}
	if len(e.Data) > 0 && !json.Valid(e.Data) {
		p.Add("data", "A journal entry's data must be JSON")
	}
	return p.Err()
}

// NewEntry builds an entry with data marshalled to JSON.
func NewEntry(kind EntryKind, subject, operator string, data any) Entry {
	e := Entry{Kind: kind, Subject: subject, Operator: operator}
	if data != nil {
		b, err := json.Marshal(data)
		if err != nil {
			// Every type we journal marshals; failing here is a programming error.
			panic("journal: cannot marshal " + string(kind) + ": " + err.Error())
		}
		e.Data = b
	}
	return e
}

// Decode unmarshals the entry's data.
func (e *Entry) Decode(v any) error {
	if len(e.Data) == 0 {
		return Errorf(CodeCorrupt, "Journal entry {{.Seq}} has no data", "Seq", e.Seq)
	}
	if err := json.Unmarshal(e.Data, v); err != nil {
		return Errorf(CodeCorrupt, "Journal entry {{.Seq}} cannot be read", "Seq", e.Seq).Wrap(err)
	}
	return nil
}

// Subjects.
func SubjectAlarm(id int64) string     { return "alarm:" + strconv.FormatInt(id, 10) }
func SubjectDevice(id string) string   { return "device:" + id }
func SubjectCamera(id string) string   { return "camera:" + id }
func SubjectOperator(u string) string  { return "operator:" + u }
func SubjectSite(id string) string     { return "site:" + id }
func SubjectComponent(n string) string { return "component:" + n }

// JournalQuery selects entries. Zero fields do not filter.
type JournalQuery struct {
	Since    time.Time   // entries at or after
	Until    time.Time   // entries before
	AfterSeq int64       // entries with a greater sequence number
	Subject  string      // exact subject, or a prefix ending in ':' ("alarm:") for a whole kind
	Kinds    []EntryKind // any of these kinds
	Operator string
	Limit    int // at most this many (oldest first); 0: no limit
	Latest   int // only the newest this many (still returned oldest first)
}

// Journal is the durable, append-only record. Append returns only once the entries are on
// disk (fsynced), with Seq and Time filled in; the entries of one call are one transaction.
// An alarm.raised entry gets the subject alarm:<Seq>: its sequence number is the alarm's ID.
// Entries of kinds the store projects (site.*, alarm.*) update its tables in the same
// transaction.
type Journal interface {
	Append(ctx context.Context, entries ...Entry) ([]Entry, error)
	Query(ctx context.Context, q JournalQuery) ([]Entry, error)
	LastSeq(ctx context.Context) (int64, error)
}
