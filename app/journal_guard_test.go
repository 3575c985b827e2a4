package app_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// walkRecorder is a chain whose whole walk finds a break at seq 5; it notes whether the
// walk came before the window showed.
type walkRecorder struct {
	shown       chan struct{}
	walks       atomic.Int32
	walkedEarly atomic.Bool
}

func (w *walkRecorder) VerifyChain(context.Context, ...app.JournalAnchor) (app.ChainCheck, error) {
	select {
	case <-w.shown:
	default:
		w.walkedEarly.Store(true)
	}
	w.walks.Add(1)
	return app.ChainCheck{Break: &app.ChainBreak{Seq: 5, Why: app.ChainAltered}}, nil
}

func (w *walkRecorder) VerifyIncremental(context.Context) (app.ChainCheck, error) {
	return app.ChainCheck{}, nil
}

// The guard of a console raises what the start's check found at once, but walks the whole
// chain only once the window showed its first screen (a million entries take a core for
// seconds, which the start needs).
func TestJournalGuardWalksTheWholeChainAfterTheWindowShows(t *testing.T) {
	desk, _, _, clk := newDesk(t)
	chain := &walkRecorder{shown: make(chan struct{})}
	start := app.ChainCheck{Break: &app.ChainBreak{Seq: 42, Why: app.ChainMissing}}
	g := app.NewJournalGuard(chain, desk, clk, quiet, start).WalkAfter(chain.shown)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- g.Run(ctx) }()
	seqs := func() []string {
		var out []string
		for _, a := range desk.Open() {
			if a.Kind == app.AlarmJournalBroken {
				out = append(out, a.Param(app.ParamSeq))
			}
		}
		return out
	}
	require.Eventually(t, func() bool { return len(seqs()) == 1 }, 15*time.Second, 10*time.Millisecond,
		"the break the start found is raised before the window shows")
	assert.Equal(t, []string{"42"}, seqs())

	close(chain.shown)
	require.Eventually(t, func() bool { return chain.walks.Load() == 1 }, 15*time.Second, 10*time.Millisecond,
		"the whole walk runs once the window shows")
	cancel()
	require.NoError(t, <-done)
	assert.False(t, chain.walkedEarly.Load(), "the whole walk ran before the window showed")
}
