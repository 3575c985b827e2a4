package app

import (
	"errors"
	"fmt"
	"strings"
	"text/template"
)

// ErrorCode classifies an error so that callers (the UI, the CLI, tests) can react to the
// kind of failure without parsing text.
type ErrorCode string

const (
	CodeInvalid         ErrorCode = "invalid"         // input failed validation
	CodeNotFound        ErrorCode = "not_found"       // the thing asked for does not exist
	CodeConflict        ErrorCode = "conflict"        // the action does not fit the current state
	CodeForbidden       ErrorCode = "forbidden"       // the operator's role does not allow it
	CodeUnauthenticated ErrorCode = "unauthenticated" // wrong user name or password, or not signed in
	CodeUnavailable     ErrorCode = "unavailable"     // a dependency (database, broker, camera) is down
	CodeCorrupt         ErrorCode = "corrupt"         // stored data cannot be read
	CodeVersion         ErrorCode = "version"         // data written by a newer Watchpost
	CodeInternal        ErrorCode = "internal"        // a bug or an unexpected failure
	CodeUnchanged       ErrorCode = "unchanged"       // an edit that changes nothing: nothing was written
)

// ErrUnchanged is returned by an edit whose result is what is saved already: nothing is
// written, no new version, no journal entry. Callers say so ("Nothing changed") instead of
// reporting a save.
func ErrUnchanged() *Error { return Errorf(CodeUnchanged, "Nothing changed") }

// Error is the typed error of Watchpost. Message is an English text/template that reads well
// to an operator; it doubles as the translation key, so the UI shows it in the operator's
// language with the same Args. Field names the offending input, when there is one.
type Error struct {
	Code    ErrorCode
	Message string
	Args    map[string]any
	Field   string
	Err     error // the underlying cause, for logs; never shown raw to operators
}

// Errorf builds an *Error. Args are given as key/value pairs for the message template:
// Errorf(CodeInvalid, "Grid {{.ID}} has no name", "ID", g.ID).
func Errorf(code ErrorCode, message string, kv ...any) *Error {
	e := &Error{Code: code, Message: message}
	if len(kv) > 0 {
		e.Args = make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			e.Args[fmt.Sprint(kv[i])] = kv[i+1]
		}
	}
	return e
}

// Wrap attaches a cause to the error (kept for logs and errors.Is).
func (e *Error) Wrap(cause error) *Error { e.Err = cause; return e }

// On names the field the error is about.
func (e *Error) On(field string) *Error { e.Field = field; return e }

// Text renders the English operator message.
func (e *Error) Text() string { return RenderTemplate(e.Message, e.Args) }

func (e *Error) Error() string {
	s := e.Text()
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Is matches another *Error with the same code, so errors.Is(err, &Error{Code: CodeNotFound}) works.
func (e *Error) Is(target error) bool {
	var t *Error
	if errors.As(target, &t) {
		return t.Code == e.Code && (t.Message == "" || t.Message == e.Message)
	}
	return false
}

// CodeOf returns the code of the first *Error in err's chain, or CodeInternal.
func CodeOf(err error) ErrorCode {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// IsCode reports whether err carries the given code.
func IsCode(err error, code ErrorCode) bool { return err != nil && CodeOf(err) == code }

// RenderTemplate fills a message template; a malformed template is returned as it is, so an
// error message can never itself fail.
func RenderTemplate(msg string, args map[string]any) string {
	if !strings.Contains(msg, "{{") {
		return msg
	}
	t, err := template.New("").Option("missingkey=zero").Parse(msg)
	if err != nil {
		return msg
	}
	var b strings.Builder
	if err := t.Execute(&b, args); err != nil {
		return msg
	}
	return b.String()
}

// Problems collects validation failures so Validate can report all of them at once.
type Problems []*Error

// Add appends a validation problem on field.
func (p *Problems) Add(field, message string, kv ...any) {
	*p = append(*p, Errorf(CodeInvalid, message, kv...).On(field))
}

// Err returns nil when there are no problems, the single problem when there is one, and
// otherwise an error whose message lists them all.
func (p Problems) Err() error {
	switch len(p) {
	case 0:
		return nil
	case 1:
		return p[0]
	}
	parts := make([]string, len(p))
	for i, e := range p {
		parts[i] = e.Text()
	}
	return &Error{Code: CodeInvalid, Message: "{{.List}}", Args: map[string]any{"List": strings.Join(parts, "; ")}, Err: errors.Join(toErrs(p)...)}
}

func toErrs(p Problems) []error {
	out := make([]error, len(p))
	for i, e := range p {
		out[i] = e
	}
	return out
}
