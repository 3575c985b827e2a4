package store

import (
	"bytes"
	"context"

	"watchpost/app"
)

// sealPending seals, once, the personal fields and secrets a database from before schema 9
// holds in clear: in the site's tables, the operators' accounts, the alarms, and the journal's
// entries. The journal is append-only (triggers refuse an UPDATE), and this is the one place
// that rewrites entries: only their data, only to replace clear fields by the same fields
// sealed, in one transaction at the first start on schema 9, before anything chains the
// journal (the chain is computed over what is stored: the sealed bytes), and journaled
// (personal.sealed with the counts). secure_delete (the DSN) overwrites the clear bytes.
// A new database (the demo included) has nothing to seal: it is sealed from its first entry.
func (s *Store) sealPending(ctx context.Context) (app.SealedCount, error) {
	var n app.SealedCount
	var pending int
	if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema WHERE name = 'sealing_pending'").Scan(&pending); err != nil {
		return n, s.openError(err)
	}
	if pending > 0 {
		if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM sealing_pending").Scan(&pending); err != nil {
			return n, s.openError(err)
		}
	}
	if pending == 0 {
		return n, nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return n, s.writeError(err)
	}
	defer tx.Rollback()
	ring := s.personal.ring(tx, true)
	reseal := func(table, key string, count *int) error {
		rows, err := tx.QueryContext(ctx, "SELECT "+key+", data FROM "+table+" WHERE data IS NOT NULL")
		if err != nil {
			return err
		}
		type row struct {
			key  any
			data []byte
		}
		var todo []row
		for rows.Next() {
			var r row
			var data string
			if err := rows.Scan(&r.key, &data); err != nil {
				rows.Close()
				return err
			}
			if needsSealing([]byte(data)) {
				r.data = []byte(data)
				todo = append(todo, r)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, r := range todo {
			sealed, err := ring.sealJSON(ctx, r.data)
			if err != nil {
				return err
			}
			if bytes.Equal(sealed, r.data) {
				continue
			}
			if _, err := tx.ExecContext(ctx, "UPDATE "+table+" SET data = ? WHERE "+key+" = ?", string(sealed), r.key); err != nil {
				return err
			}
			*count++
		}
		return nil
	}
	for _, t := range []string{"sites", "grids", "cameras", "devices", "operators", "alarms", "incidents"} {
		if err := reseal(t, "rowid", &n.Rows); err != nil {
			return n, s.writeError(err)
		}
	}
	// The journal's triggers are lifted for this transaction only and put back as they were.
	var triggers, names []string
	trows, err := tx.QueryContext(ctx, "SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'journal' AND sql LIKE '%UPDATE ON journal%'")
	if err != nil {
		return n, s.writeError(err)
	}
	for trows.Next() {
		var name, text string
		if err := trows.Scan(&name, &text); err != nil {
			trows.Close()
			return n, s.writeError(err)
		}
		names, triggers = append(names, name), append(triggers, text)
	}
	trows.Close()
	for _, name := range names {
		if _, err := tx.ExecContext(ctx, `DROP TRIGGER "`+name+`"`); err != nil {
			return n, s.writeError(err)
		}
	}
	if err := reseal("journal", "seq", &n.Entries); err != nil {
		return n, s.writeError(err)
	}
	for _, text := range triggers {
		if _, err := tx.ExecContext(ctx, text); err != nil {
			return n, s.writeError(err)
		}
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM sealing_pending"); err != nil {
		return n, s.writeError(err)
	}
	if err := tx.Commit(); err != nil {
		return n, s.writeError(err)
	}
	if n.Rows+n.Entries > 0 {
		s.log.Info("personal fields sealed", "rows", n.Rows, "journal_entries", n.Entries)
	}
	return n, nil
}

// ErasePerson deletes the key of the resident of a device: their fields, sealed under it in
// the journal, the tables and the alarms, can no longer be opened and read as erased. Nothing
// else changes (the journal and its chain stay intact); e is journaled in the same transaction.
func (s *Store) ErasePerson(ctx context.Context, deviceID string, e app.Entry) (app.Entry, error) {
	out, err := s.withEntry(ctx, e, func(ctx context.Context, tx execer) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM person_keys WHERE id = ?", "device:"+deviceID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return app.Errorf(app.CodeNotFound, "There is no personal record for {{.ID}} (already erased, or none was kept)", "ID", deviceID)
		}
		return nil
	})
	if err == nil {
		// The wrapped key must not linger in the WAL either (best effort; the checkpointer retries).
		_, _ = s.db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	}
	return out, err
}
