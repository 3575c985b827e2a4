package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"watchpost/app"
)

// projectOrder keeps the latest state of an order (every order.* entry carries the whole
// order) in work_orders: the journal's copy of it (sealed is the entry's data with a
// resident reporter's name and phone sealed), not sealed a second time.
func projectOrder(ctx context.Context, tx *sql.Tx, st *writeStmts, e *app.Entry, sealed sql.NullString) error {
	var o app.WorkOrder
	if err := e.Decode(&o); err != nil {
		return err
	}
	var err error
	if st.order == nil { // once a transaction, and only in those that write an order (the demo's history writes hundreds)
		if st.order, err = tx.PrepareContext(ctx, orderUpsert); err != nil {
			return err
		}
	}
	_, err = st.order.ExecContext(ctx, o.ID, string(o.State), o.Category, nullable(o.Place.GridID), nullable(o.Team), nullable(o.Assignee),
		nullable(o.Receipt), o.CreatedAt.UnixNano(), e.Time.UnixNano(), e.Seq, sealed.String)
	return err
}

const orderUpsert = `INSERT INTO work_orders (id, state, category, grid, team, assignee, receipt, created_at, updated_at, last_seq, data)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (id) DO UPDATE SET state = excluded.state, category = excluded.category, grid = excluded.grid,
		team = excluded.team, assignee = excluded.assignee, receipt = excluded.receipt,
		updated_at = excluded.updated_at, last_seq = excluded.last_seq, data = excluded.data`

// WorkOrders returns the orders q selects, newest first (app.OrderStore).
func (s *Store) WorkOrders(ctx context.Context, q app.OrderQuery) ([]app.WorkOrder, error) {
	var where []string
	var args []any
	if q.OpenOnly {
		where = append(where, "state NOT IN ('closed', 'cancelled', 'merged')")
	}
	if !q.Since.IsZero() {
		where, args = append(where, "created_at >= ?"), append(args, q.Since.UnixNano())
	}
	if !q.Until.IsZero() {
		where, args = append(where, "created_at < ?"), append(args, q.Until.UnixNano())
	}
	if q.Grid != "" {
		where, args = append(where, "grid = ?"), append(args, q.Grid)
	}
	text := "SELECT id, data FROM work_orders"
	if len(where) > 0 {
		text += " WHERE " + strings.Join(where, " AND ")
	}
	text += " ORDER BY id DESC"
	if q.Limit > 0 {
		text += fmt.Sprintf(" LIMIT %d", q.Limit)
	}
	ring, err := s.preloadedRing(ctx) // personal.go: no key query while the rows are open
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, text, args...)
	if err != nil {
		return nil, app.Errorf(app.CodeUnavailable, "The work orders cannot be read").Wrap(err)
	}
	defer rows.Close()
	var out []app.WorkOrder
	for rows.Next() {
		var id int64
		var data string
		if err := rows.Scan(&id, &data); err != nil {
			return nil, app.Errorf(app.CodeUnavailable, "The work orders cannot be read").Wrap(err)
		}
		opened, err := ring.openJSON(ctx, []byte(data))
		if err != nil {
			return nil, err
		}
		var o app.WorkOrder
		if err := json.Unmarshal(opened, &o); err != nil {
			return nil, app.Errorf(app.CodeCorrupt, "Work order {{.ID}} cannot be read", "ID", id).Wrap(err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// MaxOrderID returns the highest order number given (app.OrderStore).
func (s *Store) MaxOrderID(ctx context.Context) (int64, error) {
	var n sql.NullInt64
	if err := s.db.QueryRowContext(ctx, "SELECT max(id) FROM work_orders").Scan(&n); err != nil {
		return 0, app.Errorf(app.CodeUnavailable, "The work orders cannot be read").Wrap(err)
	}
	return n.Int64, nil
}

// OrderSetup returns the stored categories, teams and rules (app.OrderStore).
func (s *Store) OrderSetup(ctx context.Context) (app.OrderSetup, bool, error) {
	var out app.OrderSetup
	var data string
	err := s.db.QueryRowContext(ctx, "SELECT data FROM order_setup WHERE id = 1").Scan(&data)
	if err == sql.ErrNoRows {
		return out, false, nil
	}
	if err != nil {
		return out, false, app.Errorf(app.CodeUnavailable, "The order set-up cannot be read").Wrap(err)
	}
	opened, err := s.openRing().openJSON(ctx, []byte(data)) // the robots' webhooks and secrets
	if err != nil {
		return out, false, err
	}
	if err := json.Unmarshal(opened, &out); err != nil {
		return out, false, app.Errorf(app.CodeCorrupt, "The order set-up cannot be read").Wrap(err)
	}
	return out, true, nil
}

// SaveOrderSetup stores the set-up and journals e in the same transaction (app.OrderStore).
func (s *Store) SaveOrderSetup(ctx context.Context, setup app.OrderSetup, e app.Entry) (app.Entry, error) {
	return s.withEntry(ctx, e, func(ctx context.Context, tx execer) error {
		data, err := s.personal.sealedJSON(ctx, tx, setup) // the robots' webhooks and secrets
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO order_setup (id, data) VALUES (1, ?)
			ON CONFLICT (id) DO UPDATE SET data = excluded.data`, data)
		return err
	})
}
