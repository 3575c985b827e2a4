package notify

import (
	"errors"
	"time"

	"watchpost/app"
)

// State is where a message's delivery stands.
type State string

const (
	StateQueued   State = "queued"   // accepted, waiting for its turn
	StateSent     State = "sent"     // the service accepted it
	StateRetrying State = "retrying" // an attempt failed; another is due at Delivery.Retry
	StateMerged   State = "merged"   // it goes out inside the message Delivery.Into
	StateFailed   State = "failed"   // given up: refused, misconfigured, out of attempts, or not queued
)

// Delivery is one change of a message's delivery state, reported so that the core can
// journal it. Nothing in it carries a channel's secrets.
type Delivery struct {
	MessageID string    `json:"message_id"`
	Channel   string    `json:"channel"` // the robot's name
	State     State     `json:"state"`
	Attempt   int       `json:"attempt"` // attempts made so far (0 while queued or merged)
	At        time.Time `json:"at"`
	// Into is, for StateMerged, the ID of the merged message that carries this one.
	Into string `json:"into,omitempty"`
	// Merged lists, for a merged message, the IDs of the messages it carries.
	Merged []string `json:"merged,omitempty"`
	// Retry is, for StateRetrying, when the next attempt is due.
	Retry time.Time `json:"retry,omitzero"`
	// Error is why an attempt failed: an English template, the translation key, filled by
	// ErrorArgs; Cause is the underlying error's own text (a network error), masked.
	Error     string         `json:"error,omitempty"`
	ErrorArgs map[string]any `json:"error_args,omitempty"`
	Cause     string         `json:"cause,omitempty"`
	Failure   Failure        `json:"failure,omitempty"`
}

// Text is the error in English, for the log ("" when there is none).
func (d Delivery) Text() string {
	if d.Error == "" {
		return ""
	}
	s := app.RenderTemplate(d.Error, d.ErrorArgs)
	if d.Cause != "" {
		s += ": " + d.Cause
	}
	return s
}

// withError fills the delivery's error fields from err.
func (d Delivery) withError(err error) Delivery {
	if err == nil {
		return d
	}
	d.Failure = FailureOf(err)
	e := asAppError(err)
	d.Error, d.ErrorArgs = e.Message, e.Args
	if e.Err != nil {
		d.Cause = e.Err.Error()
	}
	return d
}

// asAppError finds the operator's message in err; an error without one (a bug) is shown
// as an unexpected failure with its text as the cause.
func asAppError(err error) *app.Error {
	var e *app.Error
	if errors.As(err, &e) {
		return e
	}
	return app.Errorf(app.CodeInternal, "Unexpected error").Wrap(err)
}
