package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"watchpost/app"
	"watchpost/store"
)

// The read-only commands (site, alarms, journal, plans, replay) on a real site are for its
// operators: they sign in with --operator USER and the password from a prompt or standard
// input, as the writes do (any enabled operator), and what they print has the personal fields
// masked (phones as 138****1234, residents' names as 张*). The demo community's data is
// invented and its passwords published: there they work without signing in, as the README's
// examples show. A data directory without a site yet holds nothing of a community to show.
//
// The database is open read-only (a console may run there), so a refused password is not
// journaled, and a read that succeeds journals nothing either: nothing is written.

// readAccess checks who reads the store and returns the streams to print to: the same, or
// with standard output masked (on the demo too). On failure it returns the exit code and why.
func readAccess(ctx context.Context, st *store.Store, operator string, s Streams) (Streams, int, error) {
	return readAccessFor(ctx, st, operator, app.ActView, s)
}

// readAccessFor is readAccess for a read that needs another action than seeing the console
// (the work orders: ActOrderView, which the phone roles have too; the residents' QR labels:
// ActOrderSetup, as in the console).
func readAccessFor(ctx context.Context, st *store.Store, operator string, act app.Action, s Streams) (Streams, int, error) {
	site, err := st.LoadSite(ctx)
	if app.IsCode(err, app.CodeNotFound) {
		return s, ExitOK, nil
	}
	if err == nil && site.Demo { // no sign-in, but its residents masked all the same
		s.Out = maskingWriter{w: s.Out, m: app.NewMasker(site)}
		return s, ExitOK, nil
	}
	if err != nil {
		return s, ExitFailure, err
	}
	if operator == "" {
		return s, ExitUsage, fmt.Errorf("%s is a real site: sign in with --operator USER (the password is asked, or read from standard input)", site.Name)
	}
	acc := app.NewAccounts(st, nil, app.SystemClock{})
	if _, err := acc.Get(ctx, operator); app.IsCode(err, app.CodeNotFound) {
		return s, ExitFailure, fmt.Errorf("there is no operator %s in this data directory", operator)
	}
	password, err := readPassword(s, operator)
	if errors.Is(err, errNoPassword) {
		return s, ExitUsage, err
	} else if err != nil {
		return s, ExitFailure, err
	}
	op, err := acc.Verify(ctx, operator, password)
	if err == nil {
		err = app.Authorize(op, act) // a password to change first is refused here
	}
	if err != nil {
		return s, ExitFailure, err
	}
	s.Out = maskingWriter{w: s.Out, m: app.NewMasker(site)}
	return s, ExitOK, nil
}

// maskingWriter masks each write: the commands write whole lines and whole JSON values.
type maskingWriter struct {
	w io.Writer
	m *app.Masker
}

func (w maskingWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(w.w, w.m.Mask(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
