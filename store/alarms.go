package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"watchpost/app"
)

// Alarms returns alarms selected by q, newest first.
func (s *Store) Alarms(ctx context.Context, q app.AlarmQuery) ([]app.Alarm, error) {
	var where []string
	var args []any
	if q.OpenOnly {
		where = append(where, "state <> 'resolved'")
	}
	if !q.Since.IsZero() {
		where, args = append(where, "raised_at >= ?"), append(args, q.Since.UnixNano())
	}
	text := "SELECT id, data FROM alarms"
	if len(where) > 0 {
		text += " WHERE " + strings.Join(where, " AND ")
	}
	text += " ORDER BY raised_at DESC, id DESC"
	if q.Limit > 0 {
		text += fmt.Sprintf(" LIMIT %d", q.Limit)
	}
	ring, err := s.preloadedRing(ctx) // personal.go: no key query while the rows are open
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, text, args...)
	if err != nil {
		return nil, app.Errorf(app.CodeUnavailable, "The alarms cannot be read").Wrap(err)
	}
	defer rows.Close()
	var out []app.Alarm
	for rows.Next() {
		a, err := scanAlarm(ctx, ring, rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Alarm returns one alarm.
func (s *Store) Alarm(ctx context.Context, id int64) (app.Alarm, error) {
	a, err := scanAlarm(ctx, s.openRing(), s.db.QueryRowContext(ctx, "SELECT id, data FROM alarms WHERE id = ?", id))
	if err != nil && app.CodeOf(err) == app.CodeInternal {
		return a, notFound(err, "There is no alarm {{.ID}}", "ID", id)
	}
	return a, err
}

type scanner interface{ Scan(...any) error }

func scanAlarm(ctx context.Context, ring *keyRing, r scanner) (app.Alarm, error) {
	var a app.Alarm
	var id int64
	var data string
	if err := r.Scan(&id, &data); err != nil {
		if err == sql.ErrNoRows {
			return a, err
		}
		return a, app.Errorf(app.CodeUnavailable, "The alarms cannot be read").Wrap(err)
	}
	opened, err := ring.openJSON(ctx, []byte(data)) // personal.go: the resident is sealed
	if err != nil {
		return a, err
	}
	if err := json.Unmarshal(opened, &a); err != nil {
		return a, app.Errorf(app.CodeCorrupt, "Alarm {{.ID}} cannot be read", "ID", id).Wrap(err)
	}
	a.ID = id
	return a, nil
}
