package store

import (
	"context"
	"encoding/json"

	"watchpost/app"
)

// Operators returns all accounts (without password hashes), by user name.
func (s *Store) Operators(ctx context.Context) ([]app.Operator, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT data FROM operators ORDER BY username")
	if err != nil {
		return nil, app.Errorf(app.CodeUnavailable, "The operator accounts cannot be read").Wrap(err)
	}
	defer rows.Close()
	var out []app.Operator
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, app.Errorf(app.CodeUnavailable, "The operator accounts cannot be read").Wrap(err)
		}
		var op app.Operator
		if err := json.Unmarshal([]byte(data), &op); err != nil {
			return nil, app.Errorf(app.CodeCorrupt, "An operator account cannot be read").Wrap(err)
		}
		out = append(out, op)
	}
	return out, rows.Err()
}

// Operator returns one account and its password hash.
func (s *Store) Operator(ctx context.Context, username string) (app.Operator, []byte, error) {
	var data string
	var hash []byte
	err := s.db.QueryRowContext(ctx, "SELECT data, hash FROM operators WHERE username = ?", username).Scan(&data, &hash)
	if err != nil {
		return app.Operator{}, nil, notFound(err, "There is no operator {{.U}}", "U", username)
	}
	var op app.Operator
	if err := json.Unmarshal([]byte(data), &op); err != nil {
		return app.Operator{}, nil, app.Errorf(app.CodeCorrupt, "The account {{.U}} cannot be read", "U", username).Wrap(err)
	}
	return op, hash, nil
}

// CreateOperator stores a new account and journals e in the same transaction.
func (s *Store) CreateOperator(ctx context.Context, op app.Operator, hash []byte, e app.Entry) (app.Entry, error) {
	return s.withEntry(ctx, e, func(ctx context.Context, tx execer) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO operators (username, name, role, disabled, hash, created_at, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
			op.Username, op.Name, string(op.Role), op.Disabled, hash, op.CreatedAt.UnixNano(), mustJSON(op))
		if isConstraint(err) {
			return app.Errorf(app.CodeConflict, "The user name {{.U}} is taken", "U", op.Username)
		}
		return err
	})
}

// SetPassword replaces an account's password hash and journals e in the same transaction.
func (s *Store) SetPassword(ctx context.Context, username string, hash []byte, e app.Entry) (app.Entry, error) {
	return s.withEntry(ctx, e, func(ctx context.Context, tx execer) error {
		res, err := tx.ExecContext(ctx, "UPDATE operators SET hash = ? WHERE username = ?", hash, username)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return app.Errorf(app.CodeNotFound, "There is no operator {{.U}}", "U", username)
		}
		return nil
	})
}
