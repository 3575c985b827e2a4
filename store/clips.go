package store

import (
	"context"
	"database/sql"
	"encoding/json"

	"watchpost/app"
)

// projectClip keeps the clips table in step with the journal: a video.clip entry adds its
// clip, a video.clip_deleted entry removes it (in the entry's transaction).
func projectClip(ctx context.Context, tx *sql.Tx, e *app.Entry) error {
	if e.Kind == app.KindClipDeleted {
		var d app.ClipDeletion
		if err := e.Decode(&d); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "DELETE FROM clips WHERE id = ?", d.Clip)
		return err
	}
	var c app.Clip
	if err := e.Decode(&c); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO clips (id, camera, from_ts, to_ts, bytes, alarm, incident, drill_run, seq, data)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET camera = excluded.camera, from_ts = excluded.from_ts, to_ts = excluded.to_ts,
			bytes = excluded.bytes, alarm = excluded.alarm, incident = excluded.incident, drill_run = excluded.drill_run,
			seq = excluded.seq, data = excluded.data`,
		c.ID, c.CameraID, c.From.UnixNano(), c.To.UnixNano(), c.Bytes, c.AlarmID, c.IncidentID, c.DrillRun, e.Seq, string(e.Data))
	return err
}

// Clips returns the clips that are kept, oldest first (app.ClipStore).
func (s *Store) Clips(ctx context.Context) ([]app.Clip, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT data FROM clips ORDER BY from_ts, id")
	if err != nil {
		return nil, app.Errorf(app.CodeUnavailable, "The list of video clips cannot be read").Wrap(err)
	}
	defer rows.Close()
	var out []app.Clip
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, app.Errorf(app.CodeUnavailable, "The list of video clips cannot be read").Wrap(err)
		}
		var c app.Clip
		if err := json.Unmarshal([]byte(data), &c); err != nil {
			return nil, app.Errorf(app.CodeCorrupt, "A video clip in the database cannot be read").Wrap(err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
