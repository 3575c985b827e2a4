package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"watchpost/app"
)

// The journal writer commits appends in groups: whatever arrived while the previous
// transaction was being fsynced goes into the next one. One fsync then serves many
// writers, and each still gets its answer only after its entries are on disk. Each
// caller's entries are one savepoint: a bad request fails alone.
type writer struct {
	s      *Store
	chain  *chainer // used by the writer's goroutine only
	reqs   chan *appendReq
	done   chan struct{}
	mu     sync.RWMutex // senders hold it for reading; close for writing, so no send hits a closed channel
	closed bool
}

type appendReq struct {
	entries []app.Entry
	extra   func(context.Context, execer) error // a write to commit with the entries (operator accounts)
	res     chan appendRes
}

// execer is what a write inside the journal's transaction may use.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

type appendRes struct {
	entries []app.Entry
	err     error
}

// maxGroup bounds the entries of one transaction so no caller waits behind a huge batch.
const maxGroup = 2000

func startWriter(s *Store) *writer {
	w := &writer{s: s, chain: newChainer(s.keys), reqs: make(chan *appendReq, 256), done: make(chan struct{})}
	go w.run()
	return w
}

func (w *writer) close() {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.reqs)
	}
	w.mu.Unlock()
	<-w.done
}

// send hands a request to the writer; false once the store is closed.
func (w *writer) send(ctx context.Context, r *appendReq) (bool, error) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.closed {
		return false, nil
	}
	select {
	case w.reqs <- r:
		return true, nil
	case <-ctx.Done():
		return false, ctx.Err()
	}
}

func (w *writer) run() {
	defer close(w.done)
	for first := range w.reqs {
		group := []*appendReq{first}
		n := len(first.entries)
	collect:
		for n < maxGroup {
			select {
			case r, ok := <-w.reqs:
				if !ok {
					break collect
				}
				group = append(group, r)
				n += len(r.entries)
			default:
				break collect
			}
		}
		w.commit(group)
	}
}

func (w *writer) commit(group []*appendReq) {
	ctx := context.Background()
	results := make([]appendRes, len(group))
	fail := func(err error) {
		for i, r := range group {
			if results[i].err == nil {
				results[i] = appendRes{err: err}
			}
			r.res <- results[i]
		}
	}
	tx, err := w.s.db.BeginTx(ctx, nil)
	if err != nil {
		fail(w.s.writeError(err))
		return
	}
	// The statements every entry runs, compiled once per transaction, not once per entry.
	st, err := prepareWrites(ctx, tx, w.chain, w.s.chained)
	if err != nil {
		tx.Rollback()
		fail(w.s.writeError(err))
		return
	}
	st.personal = w.s.personal
	defer st.close()
	for i, r := range group {
		if _, err := st.savepoint.ExecContext(ctx); err != nil {
			tx.Rollback()
			fail(w.s.writeError(err))
			return
		}
		var out []app.Entry
		var err error
		if r.extra != nil {
			err = r.extra(ctx, tx)
		}
		if err == nil {
			out, err = appendTx(ctx, tx, st, r.entries)
		}
		if err != nil {
			if _, rerr := st.rollbackTo.ExecContext(ctx); rerr != nil {
				tx.Rollback()
				fail(w.s.writeError(rerr))
				return
			}
			results[i] = appendRes{err: w.s.requestError(err)}
		} else {
			results[i] = appendRes{entries: out}
		}
		if _, err := st.release.ExecContext(ctx); err != nil {
			tx.Rollback()
			fail(w.s.writeError(err))
			return
		}
	}
	if err := tx.Commit(); err != nil {
		fail(w.s.writeError(err))
		return
	}
	for i, r := range group {
		r.res <- results[i]
	}
}

// writeStmts are the prepared statements of the hot write path.
type writeStmts struct {
	chain       *chainer // the chain's key (chain.go)
	journal     *sql.Stmt
	deviceState *sql.Stmt
	alarm       *sql.Stmt
	order       *sql.Stmt // prepared at the transaction's first order entry (orders.go)
	head        *sql.Stmt // the last entry's seq and chain value
	savepoint   *sql.Stmt
	rollbackTo  *sql.Stmt
	release     *sql.Stmt
	personal    *personal
}

func prepareWrites(ctx context.Context, tx *sql.Tx, chain *chainer, chained bool) (*writeStmts, error) {
	w := &writeStmts{chain: chain}
	insert, head := "INSERT INTO journal (seq, ts, kind, subject, operator, drill, data, chain) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		"SELECT seq, chain FROM journal ORDER BY seq DESC LIMIT 1"
	if !chained { // a database of an older schema, which only tests open without upgrading it
		insert, head = "INSERT INTO journal (seq, ts, kind, subject, operator, drill, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
			"SELECT max(seq), NULL FROM journal"
		w.chain = nil
	}
	for _, p := range []struct {
		dst  **sql.Stmt
		text string
	}{
		{&w.journal, insert},
		{&w.deviceState, `INSERT INTO device_state (device, last_seen, online, messages, data) VALUES (?, ?, 1, 1, ?)
			ON CONFLICT (device) DO UPDATE SET last_seen = excluded.last_seen, online = 1,
				messages = device_state.messages + 1, data = excluded.data`},
		{&w.alarm, `INSERT INTO alarms (id, kind, priority, state, device, camera, grid, drill, raised_at, last_seq, data)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET priority = excluded.priority, state = excluded.state,
				last_seq = excluded.last_seq, data = excluded.data`},
		{&w.head, head},
		{&w.savepoint, "SAVEPOINT req"},
		{&w.rollbackTo, "ROLLBACK TO req"},
		{&w.release, "RELEASE req"},
	} {
		st, err := tx.PrepareContext(ctx, p.text)
		if err != nil {
			w.close()
			return nil, err
		}
		*p.dst = st
	}
	return w, nil
}

func (w *writeStmts) close() {
	for _, st := range []*sql.Stmt{w.journal, w.deviceState, w.alarm, w.order, w.head, w.savepoint, w.rollbackTo, w.release} {
		if st != nil {
			st.Close()
		}
	}
}

// appendTx inserts entries and applies their projections inside tx. Sequence numbers are
// assigned here (the writer is the only one, inside an immediate transaction), so an
// alarm.raised entry can carry its own subject alarm:<seq> from the start. Each entry is
// chained to the one before it (chain.go), read inside the same transaction, so a request
// rolled back to its savepoint leaves the chain as it was.
func appendTx(ctx context.Context, tx *sql.Tx, st *writeStmts, entries []app.Entry) ([]app.Entry, error) {
	var last sql.NullInt64
	var prev []byte
	if err := st.head.QueryRowContext(ctx).Scan(&last, &prev); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	out := make([]app.Entry, len(entries))
	now := time.Now()
	for i, e := range entries {
		e.Seq = last.Int64 + int64(i) + 1
		if e.Time.IsZero() {
			e.Time = now
		}
		e.Time = e.Time.UTC()
		if e.Kind == app.KindAlarmRaised {
			e.Subject = app.SubjectAlarm(e.Seq) // the alarm's ID is this entry's sequence number
		}
		app.StampDrillRun(&e) // a drill run's ID is its drill.started entry's sequence number
		app.StampHandover(&e) // a handover's subject is shift:<seq>
		r := chainRow{seq: e.Seq, ts: e.Time.UnixNano(), kind: string(e.Kind), subject: e.Subject, operator: e.Operator}
		if e.Drill {
			r.drill = 1
		}
		var data any
		if len(e.Data) > 0 {
			sealed, err := st.personal.sealedData(ctx, tx, e.Data) // personal.go: only ciphertext is kept (and chained)
			if err != nil {
				return nil, err
			}
			data = string(sealed)
			r.data = sql.NullString{String: string(sealed), Valid: true}
		}
		args := []any{r.seq, r.ts, r.kind, r.subject, r.operator, r.drill, data}
		if st.chain != nil {
			prev = st.chain.sum(prev, &r)
			args = append(args, prev)
		}
		if _, err := st.journal.ExecContext(ctx, args...); err != nil {
			return nil, err
		}
		if err := project(ctx, tx, st, &e, r.data); err != nil {
			return nil, err
		}
		out[i] = e
	}
	return out, nil
}

// Append writes entries to the journal as one transaction and returns them with Seq and
// Time once they are fsynced. Once handed to the writer the append completes even if ctx
// is cancelled: the answer always tells the truth about what is on disk.
func (s *Store) Append(ctx context.Context, entries ...app.Entry) ([]app.Entry, error) {
	return s.submit(ctx, entries, nil)
}

// withEntry commits a write of the caller's together with one journal entry.
func (s *Store) withEntry(ctx context.Context, e app.Entry, write func(context.Context, execer) error) (app.Entry, error) {
	out, err := s.submit(ctx, []app.Entry{e}, write)
	if err != nil {
		return e, err
	}
	return out[0], nil
}

func (s *Store) submit(ctx context.Context, entries []app.Entry, extra func(context.Context, execer) error) ([]app.Entry, error) {
	if s.writer == nil {
		return nil, app.Errorf(app.CodeUnavailable, "The database is open read-only")
	}
	if len(entries) == 0 {
		return nil, nil
	}
	for i := range entries {
		if err := entries[i].Validate(); err != nil {
			return nil, err
		}
	}
	r := &appendReq{entries: entries, extra: extra, res: make(chan appendRes, 1)}
	sent, err := s.writer.send(ctx, r)
	if err != nil {
		return nil, err
	}
	if !sent {
		return nil, app.Errorf(app.CodeUnavailable, "The database is closed")
	}
	res := <-r.res
	return res.entries, res.err
}

// requestError keeps the core's own errors (a taken user name) and words the rest.
func (s *Store) requestError(err error) error {
	if _, ok := err.(*app.Error); ok {
		return err
	}
	return s.writeError(err)
}

func (s *Store) writeError(err error) error {
	e := s.openError(err)
	if ae, ok := e.(*app.Error); ok && ae.Code == app.CodeUnavailable && strings.Contains(ae.Message, "cannot be opened") {
		return app.Errorf(app.CodeUnavailable, "Writing to the database {{.Path}} failed", "Path", s.path).Wrap(err)
	}
	return e
}

// Query returns the journal entries selected by q, oldest first.
func (s *Store) Query(ctx context.Context, q app.JournalQuery) ([]app.Entry, error) {
	var where []string
	var args []any
	if !q.Since.IsZero() {
		where, args = append(where, "ts >= ?"), append(args, q.Since.UnixNano())
	}
	if !q.Until.IsZero() {
		where, args = append(where, "ts < ?"), append(args, q.Until.UnixNano())
	}
	if q.AfterSeq > 0 {
		where, args = append(where, "seq > ?"), append(args, q.AfterSeq)
	}
	if q.Subject != "" {
		if strings.HasSuffix(q.Subject, ":") {
			// A prefix as a range, so the subject index serves it.
			where, args = append(where, "subject >= ? AND subject < ?"), append(args, q.Subject, q.Subject[:len(q.Subject)-1]+";")
		} else {
			where, args = append(where, "subject = ?"), append(args, q.Subject)
		}
	}
	if len(q.Kinds) > 0 {
		marks := strings.TrimSuffix(strings.Repeat("?,", len(q.Kinds)), ",")
		where = append(where, "kind IN ("+marks+")")
		for _, k := range q.Kinds {
			args = append(args, string(k))
		}
	}
	if q.Operator != "" {
		where, args = append(where, "operator = ?"), append(args, q.Operator)
	}
	sqlText := "SELECT seq, ts, kind, subject, operator, drill, data FROM journal"
	if len(where) > 0 {
		sqlText += " WHERE " + strings.Join(where, " AND ")
	}
	switch {
	case q.Latest > 0:
		sqlText += fmt.Sprintf(" ORDER BY seq DESC LIMIT %d", q.Latest)
	default:
		sqlText += " ORDER BY seq"
		if q.Limit > 0 {
			sqlText += fmt.Sprintf(" LIMIT %d", q.Limit)
		}
	}
	rows, err := s.db.QueryContext(ctx, sqlText, args...)
	if err != nil {
		return nil, app.Errorf(app.CodeUnavailable, "The journal cannot be read").Wrap(err)
	}
	defer rows.Close()
	var out []app.Entry
	for rows.Next() {
		var e app.Entry
		var ts int64
		var kind string
		var data sql.NullString
		if err := rows.Scan(&e.Seq, &ts, &kind, &e.Subject, &e.Operator, &e.Drill, &data); err != nil {
			return nil, app.Errorf(app.CodeCorrupt, "The journal cannot be read").Wrap(err)
		}
		e.Time = time.Unix(0, ts).UTC()
		e.Kind = app.EntryKind(kind)
		if data.Valid {
			e.Data = []byte(data.String)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, app.Errorf(app.CodeUnavailable, "The journal cannot be read").Wrap(err)
	}
	rows.Close()
	ring := s.openRing() // personal.go: sealed fields opened, once the rows are closed
	for i := range out {
		if out[i].Data, err = ring.openJSON(ctx, out[i].Data); err != nil {
			return nil, err
		}
	}
	if q.Latest > 0 {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	return out, nil
}

// LastSeq returns the highest sequence number (0 for an empty journal).
func (s *Store) LastSeq(ctx context.Context) (int64, error) {
	var n sql.NullInt64
	if err := s.db.QueryRowContext(ctx, "SELECT max(seq) FROM journal").Scan(&n); err != nil {
		return 0, app.Errorf(app.CodeUnavailable, "The journal cannot be read").Wrap(err)
	}
	return n.Int64, nil
}
