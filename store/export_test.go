package store

import (
	"context"
	"database/sql"
)

// AtSchema makes Open build and upgrade databases up to schema n only (a database of an
// older version, as an upgrade finds it), until the returned function puts it back.
func AtSchema(n int) (restore func()) {
	all := migrations
	migrations = all[:n]
	return func() { migrations = all }
}

// RechainWith recomputes every entry's chain value under keys, as a tamperer who guessed a
// key would after editing the journal (the append-only triggers dropped first).
func RechainWith(ctx context.Context, db *sql.DB, keys *Keys) error {
	rows, err := db.QueryContext(ctx, "SELECT seq, ts, kind, subject, operator, drill, data FROM journal ORDER BY seq")
	if err != nil {
		return err
	}
	c := newChainer(keys)
	var prev []byte
	type out struct {
		seq   int64
		chain []byte
	}
	var all []out
	var r chainRow
	for rows.Next() {
		if err := rows.Scan(&r.seq, &r.ts, &r.kind, &r.subject, &r.operator, &r.drill, &r.data); err != nil {
			rows.Close()
			return err
		}
		prev = c.sum(prev, &r)
		all = append(all, out{r.seq, prev})
	}
	rows.Close()
	for _, o := range all {
		if _, err := db.ExecContext(ctx, "UPDATE journal SET chain = ? WHERE seq = ?", o.chain, o.seq); err != nil {
			return err
		}
	}
	return nil
}

// SetChainSegmentMin makes walks of the chain split into segments from n entries on.
func SetChainSegmentMin(n int64) (restore func()) {
	old := segmentMin
	segmentMin = n
	return func() { segmentMin = old }
}
