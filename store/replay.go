package store

import (
	"bytes"
	"compress/flate"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"time"

	"watchpost/app"
)

// Replay reads the journal by instant and by range, and keeps checkpoints of the replay
// fold (app.ReplayState) in replay_checkpoints. Checkpoints are derived data: they are
// written beside the journal, not through it, and losing them costs only speed.

// SeqAt returns the sequence number of the latest entry at or before t (0: none). The
// time index answers it without reading the journal.
func (s *Store) SeqAt(ctx context.Context, t time.Time) (int64, error) {
	var seq int64
	err := s.db.QueryRowContext(ctx, "SELECT seq FROM journal WHERE ts <= ? ORDER BY ts DESC, seq DESC LIMIT 1", t.UnixNano()).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, app.Errorf(app.CodeUnavailable, "The journal cannot be read").Wrap(err)
	}
	return seq, nil
}

// JournalRange calls fn with the entries after < seq ≤ upTo, oldest first, as they are
// read (a long range is never held in memory). The entry's Data is valid only during the
// call: it is the row's own buffer, which the fold of a reading never needs to copy. An
// error from fn stops it.
func (s *Store) JournalRange(ctx context.Context, after, upTo int64, fn func(*app.Entry) error) error {
	ring, err := s.preloadedRing(ctx) // personal.go: every key read before the rows
	if err != nil {
		return err
	}
	rows, err := s.db.QueryContext(ctx, "SELECT seq, ts, kind, subject, operator, drill, data FROM journal WHERE seq > ? AND seq <= ? ORDER BY seq", after, upTo)
	if err != nil {
		return app.Errorf(app.CodeUnavailable, "The journal cannot be read").Wrap(err)
	}
	defer rows.Close()
	for rows.Next() {
		var e app.Entry
		var ts int64
		var kind string
		var data sql.RawBytes
		if err := rows.Scan(&e.Seq, &ts, &kind, &e.Subject, &e.Operator, &e.Drill, &data); err != nil {
			return app.Errorf(app.CodeCorrupt, "The journal cannot be read").Wrap(err)
		}
		e.Time = time.Unix(0, ts).UTC()
		e.Kind = app.EntryKind(kind)
		if data != nil {
			e.Data = json.RawMessage(data)
			// Sealed personal fields opened (personal.go); an erased person reads as erased.
			if e.Data, err = ring.openJSON(ctx, e.Data); err != nil {
				return err
			}
		}
		if err := fn(&e); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return app.Errorf(app.CodeUnavailable, "The journal cannot be read").Wrap(err)
	}
	return nil
}

// LatestCheckpoint says where the latest checkpoint of the fold version at or before seq
// is.
func (s *Store) LatestCheckpoint(ctx context.Context, version int, atOrBefore int64) (int64, time.Time, bool, error) {
	var seq, ts int64
	err := s.db.QueryRowContext(ctx, "SELECT seq, ts FROM replay_checkpoints WHERE version = ? AND seq <= ? ORDER BY seq DESC LIMIT 1",
		version, atOrBefore).Scan(&seq, &ts)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, time.Time{}, false, nil
	}
	if err != nil {
		return 0, time.Time{}, false, app.Errorf(app.CodeUnavailable, "The replay checkpoints cannot be read").Wrap(err)
	}
	return seq, time.Unix(0, ts).UTC(), true, nil
}

// LoadCheckpoint returns a checkpoint's serialized state.
func (s *Store) LoadCheckpoint(ctx context.Context, version int, seq int64) ([]byte, error) {
	var packed []byte
	err := s.db.QueryRowContext(ctx, "SELECT state FROM replay_checkpoints WHERE version = ? AND seq = ?", version, seq).Scan(&packed)
	if err != nil {
		return nil, notFound(err, "There is no replay checkpoint at entry {{.Seq}}", "Seq", seq)
	}
	b, err := io.ReadAll(flate.NewReader(bytes.NewReader(packed)))
	if err != nil {
		return nil, app.Errorf(app.CodeCorrupt, "A replay checkpoint cannot be read").Wrap(err)
	}
	return b, nil
}

// SaveCheckpoint keeps a serialized state folded up to seq. A checkpoint already stored
// there is kept (the fold is deterministic: it is the same).
func (s *Store) SaveCheckpoint(ctx context.Context, version int, seq int64, at time.Time, state []byte) error {
	if s.ro {
		return app.Errorf(app.CodeUnavailable, "The database is open read-only")
	}
	// Most of a state is device readings, which compress well; speed matters more than size.
	var buf bytes.Buffer
	w, err := flate.NewWriter(&buf, flate.BestSpeed)
	if err != nil {
		return err
	}
	if _, err := w.Write(state); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, "INSERT OR IGNORE INTO replay_checkpoints (version, seq, ts, state) VALUES (?, ?, ?, ?)",
		version, seq, at.UnixNano(), buf.Bytes())
	if err != nil {
		return s.writeError(err)
	}
	return nil
}

// CheckpointCount returns how many checkpoints of the fold version are stored, and their
// size in bytes (figures and tests).
func (s *Store) CheckpointCount(ctx context.Context, version int) (n, size int64, err error) {
	err = s.db.QueryRowContext(ctx, "SELECT count(*), coalesce(sum(length(state)), 0) FROM replay_checkpoints WHERE version = ?", version).Scan(&n, &size)
	if err != nil {
		return 0, 0, app.Errorf(app.CodeUnavailable, "The replay checkpoints cannot be read").Wrap(err)
	}
	return n, size, nil
}
