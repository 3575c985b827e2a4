package app

import (
	"sort"
	"sync"
	"time"
)

// What the embedded broker refused, and how it is exposed, for the device panel: the
// broker (an adapter) notes it here, the panel reads it; neither knows the other.

// RefusalKind is one kind of thing the broker refuses to hold.
type RefusalKind string

const (
	RefusedOversized     RefusalKind = "oversized"      // a packet over the size limit (connection closed)
	RefusedSessionExpiry RefusalKind = "session_expiry" // an offline session expired (its queue dropped)
	RefusedNoConnect     RefusalKind = "no_connect"     // a connection closed for sending no CONNECT in time
	RefusedRetained      RefusalKind = "retained"       // a retained message over the retained budget (delivered, not retained)
	RefusedUnknown       RefusalKind = "unknown_device" // a message of an unknown device beyond the number kept (dropped)
	RefusedJournal       RefusalKind = "journal"        // a message the journal could not take (not acknowledged, connection closed)
)

// Label is the English name of a refusal kind (the translation key).
func (k RefusalKind) Label() string {
	switch k {
	case RefusedOversized:
		return "Oversized packets"
	case RefusedSessionExpiry:
		return "Offline sessions expired"
	case RefusedNoConnect:
		return "Connections without CONNECT"
	case RefusedRetained:
		return "Retained messages refused"
	case RefusedUnknown:
		return "Unknown devices' messages dropped"
	case RefusedJournal:
		return "Messages the journal refused"
	}
	return string(k)
}

// Refusal counts one kind of refusal, with the latest one's reason (an English template
// with its values, translated when shown) and where it came from.
type Refusal struct {
	Kind   RefusalKind    `json:"kind"`
	Count  int64          `json:"count"`
	Last   time.Time      `json:"last"`
	Reason string         `json:"reason"`
	Args   map[string]any `json:"args,omitempty"`
}

// BrokerWatch keeps the broker's refusals and its exposure (the TLS certificate's
// fingerprint, a plain listener allowed beyond loopback). Safe for concurrent use.
type BrokerWatch struct {
	mu          sync.Mutex
	refused     map[RefusalKind]*Refusal
	fingerprint string
	plainOn     string
}

// NewBrokerWatch starts with nothing refused.
func NewBrokerWatch() *BrokerWatch { return &BrokerWatch{refused: map[RefusalKind]*Refusal{}} }

// Note counts a refusal; reason is an English template filled by kv (key, value pairs).
func (w *BrokerWatch) Note(kind RefusalKind, at time.Time, reason string, kv ...any) {
	if w == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	r := w.refused[kind]
	if r == nil {
		r = &Refusal{Kind: kind}
		w.refused[kind] = r
	}
	r.Count++
	r.Last, r.Reason, r.Args = at, reason, kvMap(kv)
}

// Refusals returns the counts, the most recent first.
func (w *BrokerWatch) Refusals() []Refusal {
	if w == nil {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]Refusal, 0, len(w.refused))
	for _, r := range w.refused {
		c := *r
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Last.After(out[j].Last) })
	return out
}

// Count returns how many refusals of a kind were noted.
func (w *BrokerWatch) Count(kind RefusalKind) int64 {
	if w == nil {
		return 0
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if r := w.refused[kind]; r != nil {
		return r.Count
	}
	return 0
}

// SetExposure records the TLS certificate's SHA-256 fingerprint ("" without TLS) and the
// plain listener allowed beyond loopback ("" when none).
func (w *BrokerWatch) SetExposure(fingerprint, plainOn string) {
	if w == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.fingerprint, w.plainOn = fingerprint, plainOn
}

// Exposure returns what SetExposure recorded.
func (w *BrokerWatch) Exposure() (fingerprint, plainOn string) {
	if w == nil {
		return "", ""
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.fingerprint, w.plainOn
}

func kvMap(kv []any) map[string]any {
	if len(kv) == 0 {
		return nil
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		if k, ok := kv[i].(string); ok {
			m[k] = kv[i+1]
		}
	}
	return m
}
