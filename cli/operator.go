package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"watchpost/app"
	"watchpost/store"
)

// Command-line writes (site import, plans import) are done as an operator named with
// --operator NAME, whose password is checked like a sign-in (a wrong one is refused with the
// core's message and journaled as a failed sign-in). The core then checks that account's
// role as it checks a signed-in operator's and journals the write as theirs. Nothing is
// written as the system from the command line.

// writeSession is a command's write: the core built on the data directory's store, opened
// for writing, and the operator it acts as.
type writeSession struct {
	Core     *app.Core
	Op       *app.Operator
	st       *store.Store
	password string // the operator's, for changing it (operators password)
}

func (w *writeSession) Close() { w.st.Close() }

// asOperator opens the data directory's store for writing (doing: what the write does, said
// when a console holds the store), builds the core through app.NewCore (no journal tail, no
// running parts, nothing seeded: the write is the command's own), and checks the operator's
// password read from a prompt or standard input. On failure it returns the exit code and
// why; nothing has been written but a refused password's failed sign-in.
func asOperator(ctx context.Context, dataDir, name, doing string, s Streams) (*writeSession, int, error) {
	return signInToWrite(ctx, dataDir, name, doing, s, false)
}

// signInToWrite is asOperator; mayChange lets in an operator whose password an administrator
// reset (who may do nothing else until it is changed: operators password).
func signInToWrite(ctx context.Context, dataDir, name, doing string, s Streams, mayChange bool) (*writeSession, int, error) {
	st, _, err := openStore(ctx, dataDir, doing)
	if err != nil {
		return nil, ExitFailure, err
	}
	fail := func(code int, err error) (*writeSession, int, error) {
		st.Close()
		return nil, code, err
	}
	core, err := app.NewCore(ctx, app.Ports{Store: st, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		return fail(ExitFailure, err)
	}
	// A name that is no account is said as such before any password is asked: the journal
	// that any reader of the data directory prints names the accounts anyway.
	if _, err := core.Accounts.Get(ctx, name); app.IsCode(err, app.CodeNotFound) {
		return fail(ExitFailure, fmt.Errorf("there is no operator %s in this data directory", name))
	} else if err != nil {
		return fail(ExitFailure, err)
	}
	password, err := readPassword(s, name)
	if errors.Is(err, errNoPassword) {
		return fail(ExitUsage, err)
	} else if err != nil {
		return fail(ExitFailure, err)
	}
	op, err := core.Accounts.Authenticate(ctx, name, password)
	if err != nil {
		return fail(ExitFailure, err)
	}
	if op.MustChange && !mayChange {
		return fail(ExitFailure, fmt.Errorf("an administrator reset the password of %s: change it first (watchpost operators password --operator %s, or sign in to the console)", name, name))
	}
	return &writeSession{Core: core, Op: op, st: st, password: password}, ExitOK, nil
}

// refused reports whether the core refused the operator (their role, a disabled account).
func refused(err error) bool {
	return app.IsCode(err, app.CodeForbidden) || app.IsCode(err, app.CodeUnauthenticated)
}

// reasons lists the problems an error carries, one per line.
func reasons(err error) []string {
	var e *app.Error
	if errors.As(err, &e) && e.Message == "{{.List}}" {
		if j, ok := e.Err.(interface{ Unwrap() []error }); ok {
			var out []string
			for _, x := range j.Unwrap() {
				var xe *app.Error
				if errors.As(x, &xe) {
					out = append(out, xe.Text())
				} else {
					out = append(out, x.Error())
				}
			}
			return out
		}
	}
	if e != nil {
		return []string{e.Text()}
	}
	return []string{err.Error()}
}
