package store

import (
	"context"
	"database/sql"
	"encoding/json"

	"watchpost/app"
)

// Plans returns the emergency plans in the order they were added.
func (s *Store) Plans(ctx context.Context) ([]app.Plan, error) {
	return readJSONRows[app.Plan](ctx, s.db, s, "SELECT id, data FROM plans ORDER BY pos", "The plans cannot be read", "Plan {{.ID}} cannot be read")
}

// SavePlans inserts or replaces plans (a new one goes last) and journals the entries in
// the same transaction.
func (s *Store) SavePlans(ctx context.Context, plans []app.Plan, entries ...app.Entry) ([]app.Entry, error) {
	return s.submit(ctx, entries, func(ctx context.Context, tx execer) error {
		for _, p := range plans {
			_, err := tx.ExecContext(ctx, `INSERT INTO plans (id, pos, name, version, updated_at, data)
				VALUES (?, (SELECT coalesce(max(pos), -1) + 1 FROM plans), ?, ?, ?, ?)
				ON CONFLICT (id) DO UPDATE SET name = excluded.name, version = excluded.version,
					updated_at = excluded.updated_at, data = excluded.data`,
				p.ID, p.Name, p.Version, p.UpdatedAt.UnixNano(), mustJSON(p))
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// DeletePlan removes a plan and journals e in the same transaction.
func (s *Store) DeletePlan(ctx context.Context, id string, e app.Entry) (app.Entry, error) {
	return s.withEntry(ctx, e, func(ctx context.Context, tx execer) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM plans WHERE id = ?", id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return app.Errorf(app.CodeNotFound, "There is no plan {{.ID}}", "ID", id)
		}
		return nil
	})
}

// SupplyPoints returns the site's supply points in the order they were added.
func (s *Store) SupplyPoints(ctx context.Context) ([]app.SupplyPoint, error) {
	return readJSONRows[app.SupplyPoint](ctx, s.db, s, "SELECT id, data FROM supply_points ORDER BY pos", "The supply points cannot be read", "Supply point {{.ID}} cannot be read")
}

// SaveSupplyPoints inserts or replaces supply points and journals e in the same transaction.
func (s *Store) SaveSupplyPoints(ctx context.Context, points []app.SupplyPoint, e app.Entry) (app.Entry, error) {
	return s.withEntry(ctx, e, func(ctx context.Context, tx execer) error {
		for _, p := range points {
			_, err := tx.ExecContext(ctx, `INSERT INTO supply_points (id, pos, name, updated_at, data)
				VALUES (?, (SELECT coalesce(max(pos), -1) + 1 FROM supply_points), ?, ?, ?)
				ON CONFLICT (id) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at, data = excluded.data`,
				p.ID, p.Name, p.UpdatedAt.UnixNano(), mustJSON(p))
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// DeleteSupplyPoint removes a supply point and journals e in the same transaction.
func (s *Store) DeleteSupplyPoint(ctx context.Context, id string, e app.Entry) (app.Entry, error) {
	return s.withEntry(ctx, e, func(ctx context.Context, tx execer) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM supply_points WHERE id = ?", id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return app.Errorf(app.CodeNotFound, "There is no supply point {{.ID}}", "ID", id)
		}
		return nil
	})
}

// SaveContacts replaces the site's contact network and journals e in the same
// transaction. Only the contacts key of the site's record changes.
func (s *Store) SaveContacts(ctx context.Context, contacts []app.Contact, e app.Entry) (app.Entry, error) {
	if contacts == nil {
		contacts = []app.Contact{}
	}
	return s.withEntry(ctx, e, func(ctx context.Context, tx execer) error {
		res, err := tx.ExecContext(ctx, "UPDATE sites SET data = json_set(data, '$.contacts', json(?))", mustJSON(contacts))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return app.Errorf(app.CodeUnavailable, "No site is set up yet")
		}
		return nil
	})
}

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// readJSONRows reads (id, data) rows whose data is one JSON object each.
func readJSONRows[T any](ctx context.Context, db queryer, s *Store, query, unreadable, corrupt string, args ...any) ([]T, error) {
	ring, err := s.preloadedRing(ctx) // personal.go: no key query while the rows are open
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, app.Errorf(app.CodeUnavailable, unreadable).Wrap(err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var id, data string
		if err := rows.Scan(&id, &data); err != nil {
			return nil, app.Errorf(app.CodeUnavailable, unreadable).Wrap(err)
		}
		opened, err := ring.openJSON(ctx, []byte(data)) // personal.go: a family's call record is sealed
		if err != nil {
			return nil, err
		}
		var v T
		if err := json.Unmarshal(opened, &v); err != nil {
			return nil, app.Errorf(app.CodeCorrupt, corrupt, "ID", id).Wrap(err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, app.Errorf(app.CodeUnavailable, unreadable).Wrap(err)
	}
	return out, nil
}
