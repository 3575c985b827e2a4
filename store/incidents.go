package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"watchpost/app"
)

// Incidents returns incidents selected by q, newest first.
func (s *Store) Incidents(ctx context.Context, q app.IncidentQuery) ([]app.Incident, error) {
	text := "SELECT CAST(id AS TEXT), data FROM incidents"
	var where []string
	var args []any
	if q.OpenOnly {
		where = append(where, "state <> 'closed'")
	}
	if q.Alarm != 0 {
		where = append(where, "EXISTS (SELECT 1 FROM json_each(data, '$.alarms') WHERE value = ?)")
		args = append(args, q.Alarm)
	}
	if len(where) > 0 {
		text += " WHERE " + strings.Join(where, " AND ")
	}
	text += " ORDER BY id DESC"
	if q.Limit > 0 {
		text += fmt.Sprintf(" LIMIT %d", q.Limit)
	}
	return readJSONRows[app.Incident](ctx, s.db, s, text, "The incidents cannot be read", "Incident {{.ID}} cannot be read", args...)
}

// Incident returns one incident.
func (s *Store) Incident(ctx context.Context, id int64) (app.Incident, error) {
	out, err := readJSONRows[app.Incident](ctx, s.db, s, "SELECT CAST(id AS TEXT), data FROM incidents WHERE id = ?",
		"The incidents cannot be read", "Incident {{.ID}} cannot be read", id)
	if err != nil {
		return app.Incident{}, err
	}
	if len(out) == 0 {
		return app.Incident{}, app.Errorf(app.CodeNotFound, "There is no incident {{.ID}}", "ID", id)
	}
	return out[0], nil
}

// MaxIncidentID returns the highest incident ID (0 when there is none).
func (s *Store) MaxIncidentID(ctx context.Context) (int64, error) {
	var n sql.NullInt64
	if err := s.db.QueryRowContext(ctx, "SELECT max(id) FROM incidents").Scan(&n); err != nil {
		return 0, app.Errorf(app.CodeUnavailable, "The incidents cannot be read").Wrap(err)
	}
	return n.Int64, nil
}

// SaveIncident writes an incident's state and journals e in the same transaction.
func (s *Store) SaveIncident(ctx context.Context, in app.Incident, e app.Entry) (app.Entry, error) {
	return s.withEntry(ctx, e, func(ctx context.Context, tx execer) error {
		data, err := s.personal.sealedJSON(ctx, tx, in) // the calls to a resident's family are sealed
		if err != nil {
			return err
		}
		var closed any
		if !in.ClosedAt.IsZero() {
			closed = in.ClosedAt.UnixNano()
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO incidents (id, state, plan, drill, opened_at, closed_at, data)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET state = excluded.state, closed_at = excluded.closed_at, data = excluded.data`,
			in.ID, string(in.State), in.PlanID, in.Drill, in.OpenedAt.UnixNano(), closed, data)
		return err
	})
}

// Reports writes incident reports (HTML) into a folder of the data directory.
type Reports struct{ Dir string }

// SaveReport writes data as name (a plain file name) and returns its full path. The file
// is written to a temporary name first and renamed, so a crash never leaves half a report.
func (r Reports) SaveReport(name string, data []byte) (string, error) {
	name = filepath.Base(strings.ReplaceAll(name, string(filepath.Separator), "_"))
	if err := os.MkdirAll(r.Dir, DirMode); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(r.Dir, ".report-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Chmod(FileMode); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	dst := filepath.Join(r.Dir, name)
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return "", err
	}
	return dst, nil
}
