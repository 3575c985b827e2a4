package app

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// ChainVerifier is the store's side of the journal's chain (journal_chain.go).
type ChainVerifier interface {
	// VerifyChain walks the whole chain.
	VerifyChain(ctx context.Context, anchors ...JournalAnchor) (ChainCheck, error)
	// VerifyIncremental checks what was written since the last verified point and moves it.
	VerifyIncremental(ctx context.Context) (ChainCheck, error)
}

// AnchorEvery is how often the console verifies the chain's new entries (moving the last
// verified point, so that a start after a crash has at most this much to check) and writes
// the chain's head to the log (and again at stop): a deletion of the journal's last entries
// is seen against the latest anchor, so a shorter interval loses less to a tamperer.
const AnchorEvery = time.Minute

// JournalGuard is the running part that keeps the journal's chain checked: it raises what
// the start's incremental check found, then walks the whole chain once (what changed in
// place before the last verified point is only seen by a whole walk: seconds for a million
// entries, beside the console once its window shows: WalkAfter), then every AnchorEvery (a minute)
// checks the new entries and logs the anchor. A broken chain is a P1 system alarm on every console,
// raised once per break, and an error in the log; the console goes on (the evidence is kept).
type JournalGuard struct {
	v      ChainVerifier
	desk   *AlarmDesk
	clock  Clock
	log    *slog.Logger
	start  ChainCheck
	every  time.Duration
	walk   <-chan struct{} // WalkAfter: the whole walk waits for it (nil: at once)
	mu     sync.Mutex
	raised map[int64]bool // the breaks raised, by seq
}

// NewJournalGuard returns the guard; start is what the store's open found.
func NewJournalGuard(v ChainVerifier, desk *AlarmDesk, clock Clock, log *slog.Logger, start ChainCheck) *JournalGuard {
	if clock == nil {
		clock = SystemClock{}
	}
	if log == nil {
		log = slog.Default()
	}
	return &JournalGuard{v: v, desk: desk, clock: clock, log: log, start: start, every: AnchorEvery, raised: map[int64]bool{}}
}

// WalkAfter holds the whole walk back until ready is closed (the console: its first screen
// painted): a walk of a million entries takes a core for seconds, which the window's start
// needs more. What the start's check found is raised at once all the same, and the walk of
// the entries before the verified point, which only the whole walk reads, follows within
// moments. Call before Run.
func (g *JournalGuard) WalkAfter(ready <-chan struct{}) *JournalGuard {
	g.walk = ready
	return g
}

// Run checks the chain until ctx ends.
func (g *JournalGuard) Run(ctx context.Context) error {
	if err := g.report(ctx, g.start, nil); err != nil {
		return err
	}
	if g.walk != nil {
		select {
		case <-ctx.Done():
			return nil
		case <-g.walk:
		}
	}
	res, err := g.v.VerifyChain(ctx)
	if err := g.report(ctx, res, err); err != nil {
		return err
	}
	tick := time.NewTicker(g.every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			res, err := g.v.VerifyIncremental(ctx)
			if err := g.report(ctx, res, err); err != nil {
				return err
			}
		}
	}
}

// report logs what a verification found and raises the alarm of a break not raised yet.
func (g *JournalGuard) report(ctx context.Context, res ChainCheck, err error) error {
	if err != nil {
		if ctx.Err() == nil {
			g.log.Error("journal chain not verified", "err", err)
		}
		return nil // tried again at the next tick
	}
	if res.OK() {
		g.log.Info("journal anchor", "seq", res.Head.Seq, "chain", res.Head.Chain, "verified", res.Checked)
		return nil
	}
	b := *res.Break
	g.mu.Lock()
	done := g.raised[b.Seq]
	g.mu.Unlock()
	if done {
		return nil // raised and logged already (the evidence stays until someone looks)
	}
	g.log.Error("journal chain broken: "+b.Message().English(), "seq", b.Seq, "why", b.Why, "kind", b.Kind)
	if _, err := g.desk.Raise(ctx, nil, JournalBrokenAlarm(b, g.clock.Now())); err != nil {
		g.log.Error("journal chain alarm not raised", "err", err)
		return err // the supervisor runs the guard again, which raises it again
	}
	g.mu.Lock()
	g.raised[b.Seq] = true
	g.mu.Unlock()
	return nil
}
