package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// What another process writes to the journal reaches this process's bus (and so its
// services and panels) once; what this process wrote is not published a second time, also
// when a store wrote it and it was noted a moment after it became visible.
func TestTheTailBringsWhatOthersWrote(t *testing.T) {
	ctx := context.Background()
	st := newMemStore()
	ours := app.NewRecorder(st, app.NewBus())
	tail := app.NewTail(ours, 0, time.Hour, quiet) // looked at by hand below
	seen := ours.Bus.Subscribe(100, nil)
	other := app.NewRecorder(st, app.NewBus()) // another process on the same journal

	_, err := ours.Record(ctx, app.NewEntry(app.KindConsoleStarted, "", app.SystemActor, nil))
	require.NoError(t, err)
	_, err = other.Record(ctx, app.NewEntry("plan.imported", "plan:x", "trainer", nil))
	require.NoError(t, err)
	// A store-written entry of ours, visible before it is noted (published a moment later).
	stored, err := st.Append(ctx, app.NewEntry("operator.created", "operator:li", "admin", nil))
	require.NoError(t, err)

	require.NoError(t, tail.Look(ctx))
	ours.Published(stored...)
	require.NoError(t, tail.Look(ctx))
	require.NoError(t, tail.Look(ctx))

	var kinds []app.EntryKind
	for len(seen.C()) > 0 {
		kinds = append(kinds, (<-seen.C()).Kind)
	}
	assert.ElementsMatch(t, []app.EntryKind{app.KindConsoleStarted, "plan.imported", "operator.created"}, kinds,
		"each once: ours as we wrote them, the other process's through the tail")
	assert.Len(t, kinds, 3)
}

// The tail's entries go through the services' folds like this process's own: a fold sees
// every entry once, in order.
func TestFoldsSeeEveryEntryOnce(t *testing.T) {
	ctx := context.Background()
	st := newMemStore()
	ours := app.NewRecorder(st, app.NewBus())
	var folded []int64
	ours.Bus.Fold(func(e app.Entry) { folded = append(folded, e.Seq) })
	tail := app.NewTail(ours, 0, time.Hour, quiet)
	other := app.NewRecorder(st, app.NewBus())
	for i := 0; i < 3; i++ {
		_, err := other.Record(ctx, app.NewEntry("plan.imported", "plan:x", "trainer", nil))
		require.NoError(t, err)
		_, err = ours.Record(ctx, app.NewEntry(app.KindConsoleStarted, "", app.SystemActor, nil))
		require.NoError(t, err)
	}
	require.NoError(t, tail.Look(ctx))
	require.NoError(t, tail.Look(ctx))
	assert.ElementsMatch(t, []int64{1, 2, 3, 4, 5, 6}, folded)
	assert.Len(t, folded, 6)
}
