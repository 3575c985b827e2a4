package app

import (
	"context"
	"errors"
	"log/slog"
	"sort"
	"sync"
	"time"
)

// ComponentState is the health of a running component.
type ComponentState string

const (
	StateStarting ComponentState = "starting"
	StateOK       ComponentState = "ok"
	StateDegraded ComponentState = "degraded" // works, with trouble (a retry, a slow disk)
	StateDown     ComponentState = "down"
)

// ComponentStatus is what the status bar shows for one connection or component.
type ComponentStatus struct {
	Name   string         `json:"name"`  // "database", "broker", "camera:gate-n"
	Label  string         `json:"label"` // English, also the translation key: "Database"
	State  ComponentState `json:"state"`
	Detail string         `json:"detail,omitempty"` // address, path, fps…
	Error  string         `json:"error,omitempty"`  // why it is down: an English template, the translation key
	// ErrorArgs fill Error's fields; Cause is the underlying error's own text (a network
	// error, in English), shown only after the translated sentence, as detail.
	ErrorArgs map[string]any `json:"error_args,omitempty"`
	Cause     string         `json:"cause,omitempty"`
	Since     time.Time      `json:"since"`
	// Internal: a running part of the console itself (the supervisor's), shown on the status
	// bar only while it is in trouble.
	Internal bool `json:"internal,omitempty"`
}

// SetError sets Error from err: an *Error gives its template and values (and its wrapped
// cause as detail); any other error is "Unexpected error" with its text as detail.
func (st *ComponentStatus) SetError(err error) {
	st.Error, st.ErrorArgs, st.Cause = "", nil, ""
	if err == nil {
		return
	}
	var e *Error
	if errors.As(err, &e) {
		st.Error, st.ErrorArgs = e.Message, e.Args
		if e.Err != nil {
			st.Cause = e.Err.Error()
		}
		return
	}
	st.Error, st.Cause = "Unexpected error", err.Error()
}

// Health collects the status of every component. State changes are journaled (so a
// replay shows when a camera went down); details such as rates are only kept in memory.
type Health struct {
	rec   *Recorder
	clock Clock
	log   *slog.Logger

	mu    sync.Mutex
	items map[string]ComponentStatus
}

// NewHealth builds the registry; rec may be nil (nothing journaled, for tools and tests).
func NewHealth(rec *Recorder, clock Clock, log *slog.Logger) *Health {
	if log == nil {
		log = slog.Default()
	}
	return &Health{rec: rec, clock: clock, log: log, items: map[string]ComponentStatus{}}
}

// Set reports a component's status. It never blocks on the caller for long and never
// fails: health reports must not take down what they report on.
func (h *Health) Set(st ComponentStatus) {
	h.mu.Lock()
	prev, had := h.items[st.Name]
	changed := !had || prev.State != st.State || prev.Error != st.Error
	if changed || st.Since.IsZero() {
		st.Since = h.clock.Now()
	}
	if !changed {
		st.Since = prev.Since
	}
	h.items[st.Name] = st
	h.mu.Unlock()
	if !changed {
		return
	}
	attrs := []any{"component", st.Name, "state", st.State}
	if st.Detail != "" {
		attrs = append(attrs, "detail", st.Detail)
	}
	if st.Error != "" {
		attrs = append(attrs, "error", st.Error)
		h.log.Warn("component status", attrs...)
	} else {
		h.log.Info("component status", attrs...)
	}
	if h.rec != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := h.rec.Record(ctx, NewEntry(KindComponentStatus, SubjectComponent(st.Name), SystemActor, st)); err != nil {
			h.log.Error("cannot journal component status", "component", st.Name, "err", err)
		}
	}
}

// All returns every component's status, sorted by name.
func (h *Health) All() []ComponentStatus {
	h.mu.Lock()
	out := make([]ComponentStatus, 0, len(h.items))
	for _, s := range h.items {
		out = append(out, s)
	}
	h.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Get returns one component's status.
func (h *Health) Get(name string) (ComponentStatus, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s, ok := h.items[name]
	return s, ok
}
