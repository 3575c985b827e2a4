package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"watchpost/app"
)

const operatorsUsage = `Usage:
  watchpost operators list --operator ADMIN [--json] [--data DIR]
                                                  the accounts (phones masked); works while a console runs
  watchpost operators add USER --name NAME --role ROLE [--phone PHONE] --operator ADMIN [--data DIR]
  watchpost operators disable USER --operator ADMIN [--data DIR]   a leaver: no more sign-in
  watchpost operators enable USER --operator ADMIN [--data DIR]
  watchpost operators reset USER --operator ADMIN [--data DIR]     a new password, to be changed at the next sign-in
  watchpost operators role USER ROLE --operator ADMIN [--data DIR]
  watchpost operators password --operator USER [--data DIR]        change your own password

ROLE: operator (duty operator), commander, trainer, admin, and on the phone pages grid_worker,
property (property staff), maintenance (repair crew).

The administrator's password is asked at a prompt without echo, or read as the first line of
standard input; the new password of add, reset and password is asked next (twice at a
prompt), or read as the next line. Passwords are never arguments. Every change is journaled
as the administrator's. The writes are refused while a console runs on the data directory.
`

// Operators manages the operators' accounts from the command line (watchpost operators), as
// an administrator who signs in: what the console's Operators panel does, for scripts and
// for a site engine without a window.
func Operators(args []string, s Streams) int {
	const prefix = "watchpost operators"
	fs := newFlags(prefix, s)
	fs.Usage = func() { fmt.Fprint(s.Err, operatorsUsage) }
	dataDir := fs.String("data", "", "data directory")
	operator := fs.String("operator", "", "the administrator doing it (password, the operator changing it)")
	name := fs.String("name", "", "add: the operator's name")
	role := fs.String("role", "", "add: the role (operator, commander, trainer, admin, grid_worker, property, maintenance)")
	phone := fs.String("phone", "", "add: the phone number")
	asJSON := fs.Bool("json", false, "list: print JSON")
	words, err := parseArgs(fs, args)
	if err != nil {
		return ExitUsage
	}
	want := map[string]int{"list": 1, "add": 2, "disable": 2, "enable": 2, "reset": 2, "role": 3, "password": 1}
	if len(words) == 0 || want[words[0]] != len(words) {
		fmt.Fprint(s.Err, operatorsUsage)
		return ExitUsage
	}
	cmd := words[0]
	if *operator == "" {
		return s.failf(ExitUsage, prefix+" "+cmd, "sign in with --operator USER (an administrator); the password is asked, or read from standard input")
	}
	ctx := context.Background()
	if cmd == "list" {
		return listOperators(ctx, *dataDir, *operator, *asJSON, s)
	}
	if cmd == "add" && (*name == "" || *role == "") {
		return s.failf(ExitUsage, prefix+" add", "give the new operator's --name and --role (operator, commander, trainer, admin, grid_worker, property or maintenance)")
	}
	w, code, err := signInToWrite(ctx, *dataDir, *operator, "changing the operators (or do it in the console's Operators panel)", s, cmd == "password")
	if err != nil {
		return s.fail(code, prefix+" "+cmd, err)
	}
	defer w.Close()
	acc := w.Core.Accounts
	var user string
	if len(words) > 1 {
		user = words[1]
	}
	switch cmd {
	case "add":
		pw, code, err := readNewPassword(s, user)
		if err != nil {
			return s.fail(code, prefix+" add", err)
		}
		_, err = acc.Create(ctx, w.Op, app.Operator{Username: user, Name: *name, Role: app.Role(*role), Phone: *phone}, pw)
		return done(err, s, prefix+" add", "added %s (%s), %s, as %s\n", user, *name, *role, w.Op.Username)
	case "disable":
		return done(acc.Disable(ctx, w.Op, user), s, prefix+" disable", "disabled %s, as %s\n", user, w.Op.Username)
	case "enable":
		return done(acc.Enable(ctx, w.Op, user), s, prefix+" enable", "enabled %s, as %s\n", user, w.Op.Username)
	case "role":
		return done(acc.SetRole(ctx, w.Op, user, app.Role(words[2])), s, prefix+" role", "%s is now %s, as %s\n", user, words[2], w.Op.Username)
	case "reset":
		if err := app.Authorize(w.Op, app.ActManageOperators); err != nil { // before asking for a password
			return done(err, s, prefix+" reset", "")
		}
		pw, code, err := readNewPassword(s, user)
		if err != nil {
			return s.fail(code, prefix+" reset", err)
		}
		return done(acc.ResetPassword(ctx, w.Op, user, pw), s, prefix+" reset",
			"the password of %s is reset: they change it at their next sign-in; as %s\n", user, w.Op.Username)
	default: // password
		// The current password was read to sign in; it is read once more to change it, as
		// the core compares it (one line: the same as the first).
		pw, code, err := readNewPassword(s, w.Op.Username)
		if err != nil {
			return s.fail(code, prefix+" password", err)
		}
		return done(acc.ChangePassword(ctx, w.Op, w.Op.Username, w.password, pw), s, prefix+" password", "the password of %s is changed\n", w.Op.Username)
	}
}

// done reports a change: refused or failed with the core's reason, or done.
func done(err error, s Streams, prefix, format string, args ...any) int {
	if app.IsCode(err, app.CodeUnchanged) {
		return s.printf("nothing to change\n")
	}
	if err != nil {
		return s.failf(ExitFailure, prefix, "%s", strings.Join(reasons(err), "; "))
	}
	return s.printf(format, args...)
}

// readNewPassword reads the new password of user: asked twice at a terminal, or the next line
// of standard input.
func readNewPassword(s Streams, user string) (string, int, error) {
	if f, ok := s.In.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		first, err := promptPassword(int(f.Fd()), s.Err, "new password of "+user)
		if err != nil {
			return "", ExitUsage, err
		}
		again, err := promptPassword(int(f.Fd()), s.Err, "new password of "+user+" (again)")
		if err != nil {
			return "", ExitUsage, err
		}
		if first != again {
			return "", ExitUsage, errors.New("the two new passwords differ")
		}
		return first, ExitOK, nil
	}
	if s.In == nil {
		return "", ExitUsage, fmt.Errorf("%w: give the new password of %s as the next line of standard input", errNoPassword, user)
	}
	line, err := readLine(s.In)
	if err != nil && !errors.Is(err, io.EOF) {
		return "", ExitFailure, err
	}
	pw := strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if pw == "" {
		return "", ExitUsage, fmt.Errorf("%w: give the new password of %s as the next line of standard input", errNoPassword, user)
	}
	return pw, ExitOK, nil
}

// listOperators prints the accounts from a read-only connection (a console may run), for an
// administrator who signs in; phones are masked.
func listOperators(ctx context.Context, dataDir, operator string, asJSON bool, s Streams) int {
	const prefix = "watchpost operators list"
	st, _, err := openStore(ctx, dataDir, "")
	if err != nil {
		return s.fail(ExitFailure, prefix, err)
	}
	defer st.Close()
	acc := app.NewAccounts(st, nil, app.SystemClock{})
	if _, err := acc.Get(ctx, operator); app.IsCode(err, app.CodeNotFound) {
		return s.failf(ExitFailure, prefix, "there is no operator %s in this data directory", operator)
	}
	password, err := readPassword(s, operator)
	if errors.Is(err, errNoPassword) {
		return s.fail(ExitUsage, prefix, err)
	} else if err != nil {
		return s.fail(ExitFailure, prefix, err)
	}
	op, err := acc.Verify(ctx, operator, password)
	if err != nil {
		return s.fail(ExitFailure, prefix, err)
	}
	ops, err := acc.List(ctx, op)
	if err != nil {
		return s.failf(ExitFailure, prefix, "%s", reasons(err)[0])
	}
	for i := range ops {
		if ops[i].Phone != "" {
			ops[i].Phone = app.MaskPhone(ops[i].Phone)
		}
	}
	if asJSON {
		if ops == nil {
			ops = []app.Operator{}
		}
		return encodeOr(printJSON(s.Out, ops), s)
	}
	for _, o := range ops {
		state := "enabled"
		switch {
		case o.Disabled:
			state = "disabled"
		case o.MustChange:
			state = "password to change"
		}
		fmt.Fprintf(s.Out, "%-16s %-12s %-10s %-12s %s\n", o.Username, o.Name, o.Role, o.Phone, state)
	}
	return ExitOK
}
