package app

import (
	"context"
	"log/slog"
	"time"
)

// ReplayStore is what replay needs from the database: the journal, read by instant and by
// range, and the checkpoints of the fold.
type ReplayStore interface {
	Query(ctx context.Context, q JournalQuery) ([]Entry, error)
	LastSeq(ctx context.Context) (int64, error)
	// SeqAt returns the sequence number of the latest entry at or before t (0: none).
	SeqAt(ctx context.Context, t time.Time) (int64, error)
	// JournalRange calls fn with the entries after < seq ≤ upTo, oldest first. The entry
	// and its Data are valid only during the call (Fold copies what it keeps).
	JournalRange(ctx context.Context, after, upTo int64, fn func(*Entry) error) error
	// LatestCheckpoint says where the latest checkpoint of the fold version at or before
	// seq is (ok false: none).
	LatestCheckpoint(ctx context.Context, version int, atOrBefore int64) (seq int64, at time.Time, ok bool, err error)
	// LoadCheckpoint returns the serialized state of that checkpoint.
	LoadCheckpoint(ctx context.Context, version int, seq int64) ([]byte, error)
	// SaveCheckpoint keeps a serialized state folded up to seq (a store opened read-only
	// refuses).
	SaveCheckpoint(ctx context.Context, version int, seq int64, at time.Time, state []byte) error
}

// CheckpointPolicy says how often the folded state is kept: after so many entries, or
// after so much journal time, whichever comes first. A jump then folds at most Entries
// entries after loading a checkpoint.
type CheckpointPolicy struct {
	Entries int64
	Every   time.Duration
}

// DefaultCheckpoints: a busy day (a million entries) gets a checkpoint every 2,500
// entries, so that a jump folds about a thousand entries after loading one (measured by
// make bench); a quiet one every ten minutes of activity.
var DefaultCheckpoints = CheckpointPolicy{Entries: 2500, Every: 10 * time.Minute}

func (p CheckpointPolicy) due(s *ReplayState, lastSeq int64, lastAt time.Time) bool {
	if s.Seq <= lastSeq {
		return false
	}
	return s.Seq-lastSeq >= p.Entries || (p.Every > 0 && s.Time.Sub(lastAt) >= p.Every)
}

// replayPage bounds the entries read in one query while folding a long stretch.
const replayPage = 20000

// Replayer moves a folded state through the journal: forward by folding the entries in
// between, elsewhere from the nearest checkpoint at or before the instant. Where a stretch
// of the journal has no checkpoints (an old journal, a console that was not running), it
// writes them as it folds, when it may write. A Replayer is used by one goroutine at a time.
type Replayer struct {
	store  ReplayStore
	policy CheckpointPolicy
	save   bool

	cur            *ReplayState
	ckptSeq        int64 // the latest checkpoint known at or before cur
	ckptAt         time.Time
	loaded, folded int64 // checkpoints loaded, entries folded (for tests and figures)
	written        int64 // checkpoints written
}

// NewReplayer starts a replay on the journal. save: write the checkpoints it builds (a
// console; the read-only command line does not).
func NewReplayer(st ReplayStore, policy CheckpointPolicy, save bool) *Replayer {
	if policy.Entries <= 0 {
		policy = DefaultCheckpoints
	}
	return &Replayer{store: st, policy: policy, save: save}
}

// At returns the state at the instant t: every entry at or before t folded in. The state
// belongs to the Replayer and changes with its next move: use its View.
func (r *Replayer) At(ctx context.Context, t time.Time) (*ReplayState, error) {
	seq, err := r.store.SeqAt(ctx, t)
	if err != nil {
		return nil, err
	}
	return r.AtSeq(ctx, seq)
}

// AtSeq returns the state after the entry seq.
func (r *Replayer) AtSeq(ctx context.Context, seq int64) (*ReplayState, error) {
	if r.cur != nil && r.cur.Seq <= seq && seq-r.cur.Seq <= r.policy.Entries {
		return r.cur, r.forward(ctx, seq)
	}
	cp, at, ok, err := r.store.LatestCheckpoint(ctx, ReplayVersion, seq)
	if err != nil {
		return nil, err
	}
	if r.cur != nil && r.cur.Seq <= seq && (!ok || r.cur.Seq >= cp) {
		return r.cur, r.forward(ctx, seq) // where we are is nearer than any checkpoint
	}
	base := NewReplayState()
	r.ckptSeq, r.ckptAt = 0, time.Time{}
	if ok {
		b, err := r.store.LoadCheckpoint(ctx, ReplayVersion, cp)
		if err != nil {
			return nil, err
		}
		s, err := UnmarshalReplayState(b)
		if err != nil {
			return nil, err
		}
		base, r.ckptSeq, r.ckptAt = s, cp, at
		r.loaded++
	}
	r.cur = base
	return r.cur, r.forward(ctx, seq)
}

// forward folds the entries after the current state up to seq, keeping checkpoints on the
// way where the policy says one is due and none is stored.
func (r *Replayer) forward(ctx context.Context, seq int64) error {
	for r.cur.Seq < seq {
		upTo := min(seq, r.cur.Seq+replayPage)
		err := r.store.JournalRange(ctx, r.cur.Seq, upTo, func(e *Entry) error {
			Fold(r.cur, e)
			r.folded++
			if r.save && r.policy.due(r.cur, r.ckptSeq, r.ckptAt) {
				return r.checkpoint(ctx)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if r.cur.Seq < upTo {
			// The range had gaps at its end (no entry with those numbers): it is folded.
			r.cur.Seq = upTo
		}
	}
	return nil
}

// checkpoint keeps the current state, unless a checkpoint is already stored after the
// one we know (the console's checkpointer wrote it): then that one becomes the reference.
func (r *Replayer) checkpoint(ctx context.Context) error {
	cp, at, ok, err := r.store.LatestCheckpoint(ctx, ReplayVersion, r.cur.Seq)
	if err != nil {
		return err
	}
	if ok && cp > r.ckptSeq {
		r.ckptSeq, r.ckptAt = cp, at
		if !r.policy.due(r.cur, cp, at) {
			return nil
		}
	}
	b, err := r.cur.Marshal()
	if err != nil {
		return err
	}
	if err := r.store.SaveCheckpoint(ctx, ReplayVersion, r.cur.Seq, r.cur.Time, b); err != nil {
		return err
	}
	r.ckptSeq, r.ckptAt = r.cur.Seq, r.cur.Time
	r.written++
	return nil
}

// ReplayStats counts a Replayer's work (figures and tests).
type ReplayStats struct {
	CheckpointsLoaded  int64
	CheckpointsWritten int64
	EntriesFolded      int64
}

// Stats returns what the Replayer did so far.
func (r *Replayer) Stats() ReplayStats {
	return ReplayStats{CheckpointsLoaded: r.loaded, CheckpointsWritten: r.written, EntriesFolded: r.folded}
}

// ReplayCheckpointer keeps checkpoints of the live journal: the console calls CatchUp now
// and then (off the hot path: it reads what is already durable), and each call folds the
// entries appended since and stores a checkpoint wherever one is due. On a journal without
// checkpoints its first call builds them all.
type ReplayCheckpointer struct {
	r *Replayer
}

// NewReplayCheckpointer builds it on a store that may be written.
func NewReplayCheckpointer(st ReplayStore, policy CheckpointPolicy) *ReplayCheckpointer {
	return &ReplayCheckpointer{r: NewReplayer(st, policy, true)}
}

// CatchUp folds the journal to its end, keeping checkpoints on the way.
func (c *ReplayCheckpointer) CatchUp(ctx context.Context) error {
	last, err := c.r.store.LastSeq(ctx)
	if err != nil {
		return err
	}
	if c.r.cur == nil {
		// The first call starts from the latest checkpoint (or the first entry).
		_, err = c.r.AtSeq(ctx, last)
		return err
	}
	return c.r.forward(ctx, last)
}

// Stats returns what it did so far.
func (c *ReplayCheckpointer) Stats() ReplayStats { return c.r.Stats() }

// CheckpointEvery is how often the keeper catches up with the journal while the console runs.
const CheckpointEvery = 30 * time.Second

// Run catches up now and then until ctx ends. A failed round is tried again at the next:
// checkpoints only save time.
func (c *ReplayCheckpointer) Run(ctx context.Context) error {
	tick := time.NewTicker(CheckpointEvery)
	defer tick.Stop()
	for {
		if err := c.CatchUp(ctx); err != nil && ctx.Err() == nil {
			slog.Warn("replay checkpoints not written", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}
