package app

import (
	"context"
	"strings"
)

// The console is for the roles that see it (ActView): the guard room, commanders, trainers,
// administrators. Grid workers, property staff and the repair crew work on the phone pages;
// their accounts are refused at the console's sign-in with where to go instead, once their
// password is checked (a wrong password is told as for anyone, so the refusal reveals a role
// only to whoever knows the password). Their console actions are refused by Authorize in any
// case; this keeps them from a window where every panel would refuse them.

// ConsoleAccess returns nil when an account of the role may use the console, or why not:
// phonePages is the address of the phone pages to open instead ("" when the console does not
// know it).
func ConsoleAccess(role Role, phonePages string) error {
	if role.Can(ActView) {
		return nil
	}
	if u := strings.TrimSpace(phonePages); u != "" {
		return Errorf(CodeForbidden, "This account works on the phone pages: open {{.URL}} on your phone", "URL", u)
	}
	return Errorf(CodeForbidden, "This account works on the phone pages, not at the console: ask the guard room for their address")
}

// SignInConsole is SignIn at the console: an account whose role does not see the console
// is refused (ConsoleAccess) and its sign-in is not journaled, since it opened nothing.
func (a *Accounts) SignInConsole(ctx context.Context, username, password, phonePages string) (*Operator, error) {
	username = strings.TrimSpace(username)
	op, err := a.Authenticate(ctx, username, password)
	if err != nil {
		return nil, err
	}
	if err := ConsoleAccess(op.Role, phonePages); err != nil {
		return nil, err
	}
	if _, err := a.rec.Record(ctx, NewEntry(KindSignedIn, SubjectOperator(username), username, nil)); err != nil {
		return nil, err
	}
	return op, nil
}
