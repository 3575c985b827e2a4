package store

import (
	"context"
	"encoding/json"

	"watchpost/app"
)

// Views returns an operator's saved wall views.
func (s *Store) Views(ctx context.Context, operator string) ([]app.WallView, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT data FROM views WHERE operator = ? ORDER BY name", operator)
	if err != nil {
		return nil, app.Errorf(app.CodeUnavailable, "The saved views cannot be read").Wrap(err)
	}
	defer rows.Close()
	var out []app.WallView
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, app.Errorf(app.CodeUnavailable, "The saved views cannot be read").Wrap(err)
		}
		var v app.WallView
		if err := json.Unmarshal([]byte(data), &v); err != nil {
			return nil, app.Errorf(app.CodeCorrupt, "A saved view cannot be read").Wrap(err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// SaveView inserts or replaces a view and journals e in the same transaction.
func (s *Store) SaveView(ctx context.Context, v app.WallView, e app.Entry) (app.Entry, error) {
	return s.withEntry(ctx, e, func(ctx context.Context, tx execer) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO views (operator, name, saved_at, data) VALUES (?, ?, ?, ?)
			ON CONFLICT (operator, name) DO UPDATE SET saved_at = excluded.saved_at, data = excluded.data`,
			v.Operator, v.Name, v.SavedAt.UnixNano(), mustJSON(v))
		return err
	})
}

// DeleteView removes a view and journals e in the same transaction.
func (s *Store) DeleteView(ctx context.Context, operator, name string, e app.Entry) (app.Entry, error) {
	return s.withEntry(ctx, e, func(ctx context.Context, tx execer) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM views WHERE operator = ? AND name = ?", operator, name)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return app.Errorf(app.CodeNotFound, "There is no view {{.Name}}", "Name", name)
		}
		return nil
	})
}
