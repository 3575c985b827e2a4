package app

import (
	"context"
	"strings"
)

// Administrators manage the operators' accounts: disable a leaver and enable them again,
// reset a forgotten password (the operator must change it at the next sign-in), change a
// role, correct a name or phone. Each is checked in the core (ActManageOperators) and
// journaled as the administrator's. The site never loses its last administrator: nobody
// disables themself, nor the last enabled administrator, nor moves them to another role.

// OperatorEdit is what an administrator changes of an account: its name and phone.
type OperatorEdit struct {
	Name  string
	Phone string
}

// Disable stops the account signing in (a leaver). Its journal entries stay theirs.
func (a *Accounts) Disable(ctx context.Context, actor *Operator, username string) error {
	return a.update(ctx, actor, username, func(op *Operator, admins int) error {
		if op.Username == actor.Username {
			return Errorf(CodeInvalid, "You cannot disable your own account")
		}
		if op.Disabled {
			return ErrUnchanged()
		}
		if op.Role == RoleAdmin && admins <= 1 {
			return Errorf(CodeInvalid, "{{.U}} is the last enabled administrator: it cannot be disabled", "U", op.Username)
		}
		op.Disabled = true
		return nil
	})
}

// Enable lets a disabled account sign in again.
func (a *Accounts) Enable(ctx context.Context, actor *Operator, username string) error {
	return a.update(ctx, actor, username, func(op *Operator, _ int) error {
		if !op.Disabled {
			return ErrUnchanged()
		}
		op.Disabled = false
		return nil
	})
}

// SetRole gives the account another role. The last enabled administrator keeps theirs.
func (a *Accounts) SetRole(ctx context.Context, actor *Operator, username string, role Role) error {
	return a.update(ctx, actor, username, func(op *Operator, admins int) error {
		if !role.Valid() {
			return Errorf(CodeInvalid, "Unknown role {{.Role}}", "Role", role).On("role")
		}
		if op.Role == role {
			return ErrUnchanged()
		}
		if op.Role == RoleAdmin && !op.Disabled && admins <= 1 {
			return Errorf(CodeInvalid, "{{.U}} is the last enabled administrator: the role cannot be taken away", "U", op.Username).On("role")
		}
		op.Role = role
		return nil
	})
}

// Edit changes the account's name and phone.
func (a *Accounts) Edit(ctx context.Context, actor *Operator, username string, ed OperatorEdit) error {
	return a.update(ctx, actor, username, func(op *Operator, _ int) error {
		name, phone := strings.TrimSpace(ed.Name), strings.TrimSpace(ed.Phone)
		if op.Name == name && op.Phone == phone {
			return ErrUnchanged()
		}
		op.Name, op.Phone = name, phone
		return nil
	})
}

// ResetPassword gives the account a new password that its operator must change at the next
// sign-in (administrators; an operator changes their own with ChangePassword).
func (a *Accounts) ResetPassword(ctx context.Context, actor *Operator, username, password string) error {
	if err := Authorize(actor, ActManageOperators); err != nil {
		return err
	}
	if actor.Username == username {
		return Errorf(CodeInvalid, "Change your own password with the current one (Settings)")
	}
	cur, _, err := a.store.Operator(ctx, username)
	if err != nil {
		return err
	}
	if err := CheckPasswordFor(username, password); err != nil {
		return err
	}
	h, err := a.hash(password)
	if err != nil {
		return err
	}
	e, err := a.store.ResetPassword(ctx, cur.Username, h,
		NewEntry(KindPasswordChanged, SubjectOperator(cur.Username), actor.Username, map[string]bool{"reset": true}))
	if err != nil {
		return err
	}
	a.rec.Published(e)
	return nil
}

// update loads the account, lets change alter it (given how many enabled administrators
// there are), validates and saves it with an operator.updated entry. Administrators' changes
// are serialized, so that two cannot each take away one of the last two administrators.
func (a *Accounts) update(ctx context.Context, actor *Operator, username string, change func(op *Operator, admins int) error) error {
	if err := Authorize(actor, ActManageOperators); err != nil {
		return err
	}
	a.admin.Lock()
	defer a.admin.Unlock()
	all, err := a.store.Operators(ctx)
	if err != nil {
		return err
	}
	admins := 0
	var op *Operator
	for i := range all {
		if all[i].Role == RoleAdmin && !all[i].Disabled {
			admins++
		}
		if all[i].Username == username {
			op = &all[i]
		}
	}
	if op == nil {
		return Errorf(CodeNotFound, "There is no operator {{.U}}", "U", username)
	}
	if err := change(op, admins); err != nil {
		return err
	}
	if err := op.Validate(); err != nil {
		return err
	}
	e, err := a.store.UpdateOperator(ctx, *op, NewEntry(KindOperatorUpdated, SubjectOperator(op.Username), actor.Username, *op))
	if err != nil {
		return err
	}
	a.rec.Published(e)
	return nil
}
