package notify

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"watchpost/app"
)

// Channel is one destination of messages: a group robot now; an SMS or e-mail sender later.
// The Poster queues, limits, merges and retries in front of it; a Channel only sends.
type Channel interface {
	// Name is the destination's label; deliveries carry it.
	Name() string
	// Send makes one attempt. A failure is a *SendError that says whether trying again
	// can help; its texts never contain the channel's secrets.
	Send(ctx context.Context, m Message) error
}

// Failure says how an attempt failed, which decides what the Poster does next.
type Failure int

const (
	// FailureTransient: the network, an HTTP 5xx, a busy service. Tried again after a pause.
	FailureTransient Failure = iota + 1
	// FailureRateLimited: the service's own limit (about 20 a minute per robot). Tried again
	// when the rate window has passed, with what waits merged into it.
	FailureRateLimited
	// FailureRefused: the service refused this message. Trying again changes nothing.
	FailureRefused
	// FailureConfig: the address, key, secret or the robot's security settings are wrong.
	// Not tried again; an administrator must fix the settings.
	FailureConfig
)

// Retryable reports whether trying again later can succeed.
func (f Failure) Retryable() bool { return f == FailureTransient || f == FailureRateLimited }

func (f Failure) String() string {
	switch f {
	case FailureTransient:
		return "transient"
	case FailureRateLimited:
		return "rate-limited"
	case FailureRefused:
		return "refused"
	case FailureConfig:
		return "configuration"
	}
	return "unknown"
}

// MarshalText writes the failure by name, so the journal reads "configuration", not 4.
func (f Failure) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// UnmarshalText reads a failure written by MarshalText.
func (f *Failure) UnmarshalText(b []byte) error {
	for _, x := range []Failure{FailureTransient, FailureRateLimited, FailureRefused, FailureConfig} {
		if x.String() == string(b) {
			*f = x
			return nil
		}
	}
	return app.Errorf(app.CodeCorrupt, "Unknown delivery failure {{.Failure}}", "Failure", string(b))
}

// SendError is a failed attempt: how it failed and the operator's message (an English
// template that is the translation key, with its fields; the cause already masked).
type SendError struct {
	Failure Failure
	Err     *app.Error
}

func (e *SendError) Error() string { return e.Err.Error() }

// Unwrap gives the *app.Error, so that app.CodeOf and errors.As see it.
func (e *SendError) Unwrap() error { return e.Err }

// FailureOf is how err failed; an error that is no *SendError counts as transient.
func FailureOf(err error) Failure {
	var se *SendError
	if errors.As(err, &se) {
		return se.Failure
	}
	return FailureTransient
}

// fail is a failed attempt (written fail(f, app.Errorf(…)) so that the translation check
// finds the message).
func fail(f Failure, e *app.Error) *SendError { return &SendError{Failure: f, Err: e} }

// defaultClient bounds each attempt and follows no redirect: the webhook address carries
// the robot's key, which must go to the address the administrator pasted and nowhere else.
func defaultClient() *http.Client {
	return &http.Client{Timeout: DefaultTimeout, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
}

// NewChannel builds the channel of a robot after checking its settings. client and clock
// may be nil (a client with DefaultTimeout that follows no redirect; the system clock).
func NewChannel(r Robot, client *http.Client, clock app.Clock) (Channel, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	r.Webhook = strings.TrimSpace(r.Webhook) // pasted with a line break
	if client == nil {
		client = defaultClient()
	}
	if clock == nil {
		clock = app.SystemClock{}
	}
	base := robotBase{robot: r, client: client, mask: newMasker(r.secrets()...)}
	switch r.Kind {
	case KindDingTalk:
		return &dingTalk{robotBase: base, clock: clock}, nil
	default: // Validate allows only the two kinds
		return &weCom{robotBase: base}, nil
	}
}
