package main

import (
	"context"
	"log/slog"

	"watchpost/app"
	"watchpost/store"
)

// journalGuardPart keeps the journal's chain checked while the console runs (app.JournalGuard):
// what the start found raised at once as a P1 system alarm, a whole walk beside the console
// once walk is closed (the window's first screen painted), the new entries checked and the
// anchor logged every app.AnchorEvery.
func journalGuardPart(core *app.Core, st *store.Store, walk <-chan struct{}, log *slog.Logger) app.Part {
	return app.Part{Name: "journal-chain", Label: "Journal chain",
		Runner: app.NewJournalGuard(st, core.Desk, core.Clock, log, st.ChainAtStart()).WalkAfter(walk)}
}

// logJournalAnchor writes the chain's head to the log: at stop, after the journal's last
// entry, so that `journal verify` sees a deletion of the last entries against it.
func logJournalAnchor(ctx context.Context, st *store.Store, log *slog.Logger) {
	a, err := st.JournalAnchor(ctx)
	if err != nil {
		log.Error("journal anchor not read", "err", err)
		return
	}
	log.Info("journal anchor", "seq", a.Seq, "chain", a.Chain)
}
