package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"watchpost/app"
	"watchpost/store"
)

// Command-line writes (plans import, site import) are done as an operator named with
// --operator NAME: the core checks that account's role as it checks a signed-in operator's,
// and journals the write as theirs. Nothing is written as the system from the command line.
//
// The command line asks for no password yet: the name says who acts, and whoever can write
// the data directory can name anyone. Accounts for the command line (a password or a
// token, checked like a sign-in) are still to come.

// writableDatabase returns the database file of a data directory for a command that writes
// as an operator. A data directory without one has no accounts either: it is not created.
func writableDatabase(dir string) (string, error) {
	path := filepath.Join(dir, store.FileName)
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("there is no database in %s yet, so no operator to act as (start the console once: it sets up the accounts)", dir)
	}
	return path, nil
}

// cliOperator returns the account named by --operator.
func cliOperator(ctx context.Context, st *store.Store, name string) (*app.Operator, error) {
	op, _, err := st.Operator(ctx, name)
	if app.IsCode(err, app.CodeNotFound) {
		return nil, fmt.Errorf("there is no operator %s in this data directory", name)
	}
	if err != nil {
		return nil, err
	}
	return &op, nil
}

// refused reports whether the core refused the operator (their role, a disabled account).
func refused(err error) bool {
	return app.IsCode(err, app.CodeForbidden) || app.IsCode(err, app.CodeUnauthenticated)
}
