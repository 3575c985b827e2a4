package store_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/store"
)

func TestJournalOrderWithConcurrentWriters(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	const writers, each = 8, 100
	var wg sync.WaitGroup
	seqs := make([][]int64, writers)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				e := app.NewEntry("test.appended", fmt.Sprintf("writer:%d", w), app.SystemActor, map[string]int{"i": i})
				out, err := s.Append(ctx, e)
				if !assert.NoError(t, err) {
					return
				}
				seqs[w] = append(seqs[w], out[0].Seq)
			}
		}(w)
	}
	wg.Wait()

	seen := map[int64]bool{}
	for w := range seqs {
		require.Len(t, seqs[w], each)
		for i := 1; i < each; i++ {
			assert.Greater(t, seqs[w][i], seqs[w][i-1], "a writer's entries keep their order")
		}
		for _, q := range seqs[w] {
			assert.False(t, seen[q], "sequence numbers are unique")
			seen[q] = true
		}
	}
	all, err := s.Query(ctx, app.JournalQuery{})
	require.NoError(t, err)
	require.Len(t, all, writers*each)
	for i, e := range all {
		assert.Equal(t, int64(i+1), e.Seq, "no gaps")
		if i > 0 {
			assert.False(t, e.Time.Before(all[i-1].Time), "time does not go back along the sequence")
		}
	}
	mine, err := s.Query(ctx, app.JournalQuery{Subject: "writer:3"})
	require.NoError(t, err)
	assert.Len(t, mine, each)
}

func TestJournalQueries(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	t0 := time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)
	var es []app.Entry
	for i := 0; i < 10; i++ {
		e := app.NewEntry(app.KindAlarmAcknowledged, app.SubjectAlarm(int64(i%3+1)), "duty", map[string]int{"i": i})
		if i%2 == 1 {
			e = app.NewEntry(app.KindSignedIn, app.SubjectOperator("duty"), "duty", nil)
		}
		e.Time = t0.Add(time.Duration(i) * time.Minute)
		es = append(es, e)
	}
	// alarm.acknowledged entries project an alarm; give them valid ones.
	for i := range es {
		if es[i].Kind == app.KindAlarmAcknowledged {
			es[i].Kind = "note.added"
		}
	}
	out, err := s.Append(ctx, es...)
	require.NoError(t, err)
	assert.Equal(t, int64(10), out[9].Seq)
	assert.Equal(t, t0.Add(9*time.Minute), out[9].Time)

	q := func(jq app.JournalQuery) []int64 {
		got, err := s.Query(ctx, jq)
		require.NoError(t, err)
		var seqs []int64
		for _, e := range got {
			seqs = append(seqs, e.Seq)
		}
		return seqs
	}
	assert.Equal(t, []int64{3, 4, 5}, q(app.JournalQuery{Since: t0.Add(2 * time.Minute), Until: t0.Add(5 * time.Minute)}))
	assert.Equal(t, []int64{1, 7}, q(app.JournalQuery{Subject: "alarm:1"}))
	assert.Equal(t, []int64{1, 3, 5, 7, 9}, q(app.JournalQuery{Subject: "alarm:"}), "a subject prefix")
	assert.Equal(t, []int64{2, 4}, q(app.JournalQuery{Kinds: []app.EntryKind{app.KindSignedIn}, Limit: 2}))
	assert.Equal(t, []int64{9, 10}, q(app.JournalQuery{AfterSeq: 8}))
	assert.Empty(t, q(app.JournalQuery{Operator: "nobody"}))
	assert.Equal(t, []int64{7, 9}, q(app.JournalQuery{Subject: "alarm:", Latest: 2}), "the newest, oldest first")
}

func TestJournalIsAppendOnly(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	_, err := s.Append(ctx, app.NewEntry(app.KindConsoleStarted, "", app.SystemActor, nil))
	require.NoError(t, err)
	_, err = s.DB().Exec("UPDATE journal SET operator = 'mallory'")
	assert.ErrorContains(t, err, "append-only")
	_, err = s.DB().Exec("DELETE FROM journal")
	assert.ErrorContains(t, err, "append-only")
}

func TestAFailedAppendLosesNothingElse(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	bad := app.Entry{Kind: app.KindAlarmRaised, Operator: app.SystemActor, Data: []byte(`"not an alarm"`)}
	good := app.NewEntry(app.KindConsoleStarted, "", app.SystemActor, nil)
	var wg sync.WaitGroup
	errs := make([]error, 40)
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			e := good
			if i%4 == 0 {
				e = bad
			}
			_, errs[i] = s.Append(ctx, e)
		}(i)
	}
	wg.Wait()
	for i, err := range errs {
		if i%4 == 0 {
			assert.True(t, app.IsCode(err, app.CodeCorrupt), "%v", err)
		} else {
			assert.NoError(t, err)
		}
	}
	all, err := s.Query(ctx, app.JournalQuery{})
	require.NoError(t, err)
	assert.Len(t, all, 30, "only the good appends, each once")
	for i, e := range all {
		assert.Equal(t, int64(i+1), e.Seq)
		assert.Equal(t, app.KindConsoleStarted, e.Kind)
	}
}

// TestJournalSurvivesACrash starts a child process that appends entries and prints each
// sequence number as soon as Append returns, kills it with SIGKILL mid-stream, and checks
// that every printed entry is in the database: reported means durable.
func TestJournalSurvivesACrash(t *testing.T) {
	if path := os.Getenv("WATCHPOST_CRASH_CHILD"); path != "" {
		crashChild(path)
		return
	}
	path := filepath.Join(t.TempDir(), store.FileName)
	cmd := exec.Command(os.Args[0], "-test.run=^TestJournalSurvivesACrash$")
	cmd.Env = append(os.Environ(), "WATCHPOST_CRASH_CHILD="+path)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	sc := bufio.NewScanner(out)
	var reported []int64
	for sc.Scan() {
		if n, err := strconv.ParseInt(sc.Text(), 10, 64); err == nil {
			reported = append(reported, n)
			if len(reported) == 300 {
				require.NoError(t, cmd.Process.Kill())
				break
			}
		}
	}
	_ = cmd.Wait()
	require.Len(t, reported, 300)

	s, err := store.Open(context.Background(), path, store.Options{})
	require.NoError(t, err, "the database opens after a crash")
	defer s.Close()
	last, err := s.LastSeq(context.Background())
	require.NoError(t, err)
	assert.GreaterOrEqual(t, last, reported[len(reported)-1], "every reported entry survived the kill")
	got, err := s.Query(context.Background(), app.JournalQuery{})
	require.NoError(t, err)
	for i, e := range got {
		assert.Equal(t, int64(i+1), e.Seq)
	}
}

func crashChild(path string) {
	s, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(3)
	}
	for i := 0; ; i++ {
		out, err := s.Append(context.Background(), app.NewEntry("test.crash", "", app.SystemActor, map[string]int{"i": i}))
		if err != nil {
			fmt.Println("append:", err)
			os.Exit(4)
		}
		fmt.Println(out[0].Seq)
	}
}

func TestAHandoverIsTheSubjectOfItsShift(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	_, err := s.Append(ctx, app.NewEntry(app.KindSignedIn, app.SubjectOperator("duty"), "duty", nil))
	require.NoError(t, err)
	h := app.Handover{Outgoing: "duty", Incoming: "duty2", Note: "平安无事"}
	out, err := s.Append(ctx, app.NewEntry(app.KindShiftHandover, "", "duty", h))
	require.NoError(t, err)
	assert.Equal(t, "shift:2", out[0].Subject, "the journal numbers the shift as it does alarms")
	got, err := s.Query(ctx, app.JournalQuery{Subject: "shift:"})
	require.NoError(t, err)
	require.Len(t, got, 1)
	back, err := app.HandoverOf(&got[0])
	require.NoError(t, err)
	assert.Equal(t, int64(2), back.ID)
	assert.Equal(t, "平安无事", back.Note)
}
