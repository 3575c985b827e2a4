package store

import (
	"context"
	"database/sql"
	"encoding/json"

	"watchpost/app"
)

// Operators returns all accounts (without password hashes), by user name.
func (s *Store) Operators(ctx context.Context) ([]app.Operator, error) {
	ring, err := s.preloadedRing(ctx) // personal.go: no key query while the rows are open
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, "SELECT data, must_change FROM operators ORDER BY username")
	if err != nil {
		return nil, app.Errorf(app.CodeUnavailable, "The operator accounts cannot be read").Wrap(err)
	}
	defer rows.Close()
	var out []app.Operator
	for rows.Next() {
		var data string
		var must bool
		if err := rows.Scan(&data, &must); err != nil {
			return nil, app.Errorf(app.CodeUnavailable, "The operator accounts cannot be read").Wrap(err)
		}
		opened, err := ring.openJSON(ctx, []byte(data)) // personal.go: the phone is sealed
		if err != nil {
			return nil, err
		}
		var op app.Operator
		if err := json.Unmarshal(opened, &op); err != nil {
			return nil, app.Errorf(app.CodeCorrupt, "An operator account cannot be read").Wrap(err)
		}
		op.MustChange = must // the column is what a password reset and change write
		out = append(out, op)
	}
	return out, rows.Err()
}

// Operator returns one account and its password hash.
func (s *Store) Operator(ctx context.Context, username string) (app.Operator, []byte, error) {
	var data string
	var hash []byte
	var must bool
	err := s.db.QueryRowContext(ctx, "SELECT data, hash, must_change FROM operators WHERE username = ?", username).Scan(&data, &hash, &must)
	if err != nil {
		return app.Operator{}, nil, notFound(err, "There is no operator {{.U}}", "U", username)
	}
	opened, err := s.openRing().openJSON(ctx, []byte(data)) // personal.go: the phone is sealed
	if err != nil {
		return app.Operator{}, nil, err
	}
	var op app.Operator
	if err := json.Unmarshal(opened, &op); err != nil {
		return app.Operator{}, nil, app.Errorf(app.CodeCorrupt, "The account {{.U}} cannot be read", "U", username).Wrap(err)
	}
	op.MustChange = must
	return op, hash, nil
}

// CreateOperator stores a new account and journals e in the same transaction.
func (s *Store) CreateOperator(ctx context.Context, op app.Operator, hash []byte, e app.Entry) (app.Entry, error) {
	return s.withEntry(ctx, e, func(ctx context.Context, tx execer) error {
		data, err := s.personal.sealedJSON(ctx, tx, op)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "INSERT INTO operators (username, name, role, disabled, hash, created_at, data, must_change) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			op.Username, op.Name, string(op.Role), op.Disabled, hash, op.CreatedAt.UnixNano(), data, op.MustChange)
		if isConstraint(err) {
			return app.Errorf(app.CodeConflict, "The user name {{.U}} is taken", "U", op.Username)
		}
		return err
	})
}

// SetPassword replaces an account's password hash with the operator's own new one (no
// longer one to change) and journals e in the same transaction.
func (s *Store) SetPassword(ctx context.Context, username string, hash []byte, e app.Entry) (app.Entry, error) {
	return s.setHash(ctx, username, hash, false, e)
}

// ResetPassword replaces an account's password hash with one an administrator gave, which
// the operator must change, and journals e in the same transaction.
func (s *Store) ResetPassword(ctx context.Context, username string, hash []byte, e app.Entry) (app.Entry, error) {
	return s.setHash(ctx, username, hash, true, e)
}

func (s *Store) setHash(ctx context.Context, username string, hash []byte, mustChange bool, e app.Entry) (app.Entry, error) {
	return s.withEntry(ctx, e, func(ctx context.Context, tx execer) error {
		return oneRow(tx.ExecContext(ctx, "UPDATE operators SET hash = ?, must_change = ? WHERE username = ?", hash, mustChange, username))(username)
	})
}

// UpdateOperator saves an account's name, phone, role and state (not its password nor
// whether it must be changed) and journals e in the same transaction.
func (s *Store) UpdateOperator(ctx context.Context, op app.Operator, e app.Entry) (app.Entry, error) {
	return s.withEntry(ctx, e, func(ctx context.Context, tx execer) error {
		data, err := s.personal.sealedJSON(ctx, tx, op)
		if err != nil {
			return err
		}
		return oneRow(tx.ExecContext(ctx, "UPDATE operators SET name = ?, role = ?, disabled = ?, data = ? WHERE username = ?",
			op.Name, string(op.Role), op.Disabled, data, op.Username))(op.Username)
	})
}

// PermissionGrants returns the permission table's differences from the defaults.
func (s *Store) PermissionGrants(ctx context.Context) ([]app.PermissionGrant, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT role, action, allowed FROM role_permissions ORDER BY role, action")
	if err != nil {
		return nil, app.Errorf(app.CodeUnavailable, "The permission table cannot be read").Wrap(err)
	}
	defer rows.Close()
	var out []app.PermissionGrant
	for rows.Next() {
		var g app.PermissionGrant
		if err := rows.Scan(&g.Role, &g.Action, &g.Allowed); err != nil {
			return nil, app.Errorf(app.CodeUnavailable, "The permission table cannot be read").Wrap(err)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// SavePermissionGrants replaces the permission table's differences from the defaults and
// journals e in the same transaction.
func (s *Store) SavePermissionGrants(ctx context.Context, grants []app.PermissionGrant, e app.Entry) (app.Entry, error) {
	return s.withEntry(ctx, e, func(ctx context.Context, tx execer) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM role_permissions"); err != nil {
			return err
		}
		for _, g := range grants {
			if _, err := tx.ExecContext(ctx, "INSERT INTO role_permissions (role, action, allowed) VALUES (?, ?, ?)",
				string(g.Role), string(g.Action), g.Allowed); err != nil {
				return err
			}
		}
		return nil
	})
}

// oneRow is the result of an update of one account: an error, or none when no row changed
// (there is no such account).
func oneRow(res sql.Result, err error) func(username string) error {
	return func(username string) error {
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return app.Errorf(app.CodeNotFound, "There is no operator {{.U}}", "U", username)
		}
		return nil
	}
}
