package app

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// noJournal has nothing journaled yet.
type noJournal struct{ Journal }

func (noJournal) Query(context.Context, JournalQuery) ([]Entry, error) { return nil, nil }

// take runs a numbered reading through the tracker as the ingest does, as if journaled.
func take(t *testing.T, tr *SeqTracker, seq uint64, at time.Time) []SeqGap {
	t.Helper()
	r := Reading{DeviceID: "d-1", Type: MsgHeartbeat, Event: "heartbeat", Seq: seq, Boot: "b", Time: at, Received: at}
	chk, err := tr.begin(context.Background(), &r, at)
	require.NoError(t, err)
	require.False(t, chk.dup)
	tr.journaled(&r, at)
	chk.done()
	return chk.gaps
}

// What a device says of its count costs bounded memory, whatever it says: a jump to the
// largest number is one gap; every other number missing keeps at most a window pending;
// the numbers remembered for redeliveries are bounded.
func TestASequenceCostsBoundedMemory(t *testing.T) {
	t0 := time.Now()
	tr := NewSeqTracker(noJournal{})
	take(t, tr, 1, t0)
	take(t, tr, 1<<53, t0)
	gaps := take(t, tr, 1<<53+1, t0.Add(GapGrace))
	assert.Equal(t, []SeqGap{{Device: "d-1", Boot: "b", From: 2, To: 1<<53 - 1, Missing: 1<<53 - 2}}, gaps)

	tr = NewSeqTracker(noJournal{})
	var lost uint64
	for seq := uint64(1); seq < 20_000; seq += 2 { // every other number, all at once
		for _, g := range take(t, tr, seq, t0) {
			lost += g.Missing
		}
		s := tr.stream("d-1")
		assert.LessOrEqual(t, len(s.pending), gapReorder/2+1)
		assert.LessOrEqual(t, len(s.seen), seenKeep+seenKeep/4)
	}
	for _, g := range tr.Due(t0.Add(GapGrace)) {
		lost += g.Missing
	}
	assert.Equal(t, uint64(20_000/2-1), lost, "every skipped number is counted, once")
}
