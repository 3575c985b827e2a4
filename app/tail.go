package app

import (
	"context"
	"log/slog"
	"time"
)

// Tail brings into this process what other processes write to the same journal (a
// command-line write, another console; later the site engine's): it reads the journal every
// so often for entries it has not seen and publishes those this process did not write, so
// that they reach the services' folds and the panels exactly as this process's own entries
// do. Entries this process wrote are noted by its Recorder as it writes them; one that a
// store wrote for this process (accounts, the site) is noted a moment after it is visible, so
// an entry not noted is only taken for another's after a second look.
type Tail struct {
	rec     *Recorder
	every   time.Duration
	after   int64           // the last sequence number passed
	pending map[int64]Entry // seen once, not noted as ours: another's unless noted by the next look
	log     *slog.Logger
}

// NewTail follows the journal from after (the last sequence number when the process
// started), reading it every interval.
func NewTail(rec *Recorder, after int64, every time.Duration, log *slog.Logger) *Tail {
	rec.oursMu.Lock()
	rec.tailed = true
	if rec.ours == nil {
		rec.ours = map[int64]bool{}
	}
	rec.oursMu.Unlock()
	return &Tail{rec: rec, every: every, after: after, pending: map[int64]Entry{}, log: log}
}

// Run reads the journal until ctx ends.
func (t *Tail) Run(ctx context.Context) error {
	tick := time.NewTicker(t.every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		if err := t.Look(ctx); err != nil {
			return err // the journal cannot be read: the supervisor runs it again
		}
	}
}

// Look reads what was written since the last look and publishes the entries of others.
func (t *Tail) Look(ctx context.Context) error {
	// Exclusive against this process's own journal writes: an entry of ours is noted before
	// it can be seen here.
	t.rec.writing.Lock()
	entries, err := t.rec.Journal.Query(ctx, JournalQuery{AfterSeq: t.after, Limit: 5000})
	t.rec.writing.Unlock()
	if err != nil {
		return err
	}
	var theirs []Entry
	t.rec.oursMu.Lock()
	// Entries seen last time and still not noted: another process's.
	for seq, e := range t.pending {
		if !t.rec.ours[seq] {
			theirs = append(theirs, e)
		}
		delete(t.rec.ours, seq)
		delete(t.pending, seq)
	}
	for _, e := range entries {
		if t.rec.ours[e.Seq] {
			delete(t.rec.ours, e.Seq)
		} else {
			t.pending[e.Seq] = e
		}
		t.after = e.Seq
	}
	// What this process noted at or before what was read is passed: forget it.
	for seq := range t.rec.ours {
		if _, waiting := t.pending[seq]; seq <= t.after && !waiting {
			delete(t.rec.ours, seq)
		}
	}
	t.rec.oursMu.Unlock()
	sortBySeq(theirs)
	if len(theirs) > 0 {
		t.log.Info("journal entries written by another process", "entries", len(theirs), "first", theirs[0].Seq)
		t.rec.Bus.Publish(theirs...)
	}
	return nil
}

func sortBySeq(es []Entry) {
	for i := 1; i < len(es); i++ {
		for j := i; j > 0 && es[j].Seq < es[j-1].Seq; j-- {
			es[j], es[j-1] = es[j-1], es[j]
		}
	}
}
