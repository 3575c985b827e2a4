package app

import (
	"context"
	"log/slog"
	"time"
)

// foldTimeout bounds the store read of a reloading fold: a fold runs inside Publish.
const foldTimeout = 10 * time.Second

// reloadOn is the fold of a service whose state is kept in the store's own tables, written
// in the same transaction as its journal entries (the site with its cameras' passwords, the
// plans, the supply points, the contacts): when an entry of one of its kinds is published,
// whoever wrote it (this console, the command line read by the Tail), the service reads its
// state back from the store. The tables hold what the journal must not (passwords), so they,
// not the entries' redacted data, are what the service folds to; the entry is the signal
// that they changed. A read that fails leaves the state as it was and is logged. Folds run one
// entry at a time (the bus serializes them), so last needs no lock.
func reloadOn(name string, load func(context.Context) error, kinds ...EntryKind) func(Entry) {
	want := make(map[EntryKind]bool, len(kinds))
	for _, k := range kinds {
		want[k] = true
	}
	var last Entry // the entry of the last read-back
	return func(e Entry) {
		if !want[e.Kind] {
			return
		}
		// The entries of one append come one after another with one time (the journal stamps
		// an append once): the tables read back for the first already hold the others (a seed
		// of nine plans is one read, not nine).
		if last.Seq != 0 && e.Seq == last.Seq+1 && e.Time.Equal(last.Time) {
			last = e
			return
		}
		last = e
		ctx, cancel := context.WithTimeout(context.Background(), foldTimeout)
		defer cancel()
		if err := load(ctx); err != nil {
			slog.Default().Error("state not read back after a change", "service", name, "entry", e.Seq, "kind", e.Kind, "err", err)
		}
	}
}
