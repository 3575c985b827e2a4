package store_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/store"
)

// chainFixture is a journal with a P1 fall of an elderly resident (its reading and its
// alarm) between other entries, verified once by a restart (so the last verified point is
// past the fall, where an attacker finds it). It returns the database's path and the
// sequence numbers of the reading and of the alarm.
func chainFixture(t *testing.T) (path string, reading, alarm int64) {
	t.Helper()
	ctx := context.Background()
	s, path := openTemp(t)
	_, err := s.Append(ctx, app.NewEntry(app.KindConsoleStarted, "", app.SystemActor, nil))
	require.NoError(t, err)
	desk := app.NewAlarmDesk(app.NewRecorder(s, app.NewBus()), s, app.SystemClock{})
	require.NoError(t, desk.Load(ctx))
	fall, err := desk.Raise(ctx, nil, app.Alarm{Kind: app.AlarmFall, Priority: app.P1, DeviceID: "bracelet-b07-602"},
		app.NewEntry(app.KindDeviceReading, app.SubjectDevice("bracelet-b07-602"), app.SystemActor, map[string]any{"fall": true, "heart_rate": 121}))
	require.NoError(t, err)
	for i := 0; i < 5; i++ {
		_, err := s.Append(ctx, app.NewEntry(app.KindDeviceReading, app.SubjectDevice("smoke-b03-u2-12"), app.SystemActor, map[string]any{"smoke": false, "n": i}))
		require.NoError(t, err)
	}
	require.NoError(t, s.Close())
	s, err = openAt(path) // the start verifies what was written and moves the verified point
	require.NoError(t, err)
	require.True(t, s.ChainAtStart().OK(), "%+v", s.ChainAtStart().Break)
	require.NoError(t, s.Close())
	return path, fall.ID - 1, fall.ID
}

// tamper edits the database file as an attacker with the file but not the key would: the
// append-only triggers dropped, the statements run, the triggers put back as they were.
func tamper(t *testing.T, path string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	require.NoError(t, err)
	defer db.Close()
	rows, err := db.Query("SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'journal'")
	require.NoError(t, err)
	triggers := map[string]string{}
	for rows.Next() {
		var name, text string
		require.NoError(t, rows.Scan(&name, &text))
		triggers[name] = text
	}
	require.NoError(t, rows.Close())
	require.NotEmpty(t, triggers)
	for name := range triggers {
		_, err := db.Exec("DROP TRIGGER " + name)
		require.NoError(t, err)
	}
	for _, q := range stmts {
		_, err := db.Exec(q)
		require.NoError(t, err, q)
	}
	for _, text := range triggers {
		_, err := db.Exec(text)
		require.NoError(t, err)
	}
}

func TestJournalChainHoldsAcrossRestarts(t *testing.T) {
	ctx := context.Background()
	path, _, _ := chainFixture(t)
	s, err := openAt(path)
	require.NoError(t, err)
	defer s.Close()
	assert.True(t, s.ChainAtStart().OK())
	assert.Zero(t, s.ChainAtStart().Checked, "nothing new since the last verified point")
	res, err := s.VerifyChain(ctx)
	require.NoError(t, err)
	require.True(t, res.OK(), "%+v", res.Break)
	head, err := s.JournalAnchor(ctx)
	require.NoError(t, err)
	assert.Equal(t, head, res.Head)
	assert.Equal(t, head.Seq, res.Checked)
	assert.Len(t, head.Chain, 64)
	res, err = s.VerifyChain(ctx, head)
	require.NoError(t, err)
	assert.True(t, res.OK(), "the head is its own anchor")
}

// The attack of the security issue: the triggers dropped, a P1 fall alarm's entry deleted
// with its reading and its row, the triggers put back. The whole walk names the first
// missing entry (the console's guard walks it after each start: TestABrokenChainIsAP1Alarm);
// a deletion after the last verified point is seen by the start's own check.
func TestAttackDeletedFallAlarmIsFound(t *testing.T) {
	ctx := context.Background()
	path, reading, alarm := chainFixture(t)
	tamper(t, path,
		"DELETE FROM journal WHERE seq IN ("+itoa(reading)+", "+itoa(alarm)+")",
		"DELETE FROM alarms WHERE id = "+itoa(alarm))
	s, err := openAt(path)
	require.NoError(t, err, "the console still starts: the evidence is kept")
	defer s.Close()
	res, err := s.VerifyChain(ctx)
	require.NoError(t, err)
	require.NotNil(t, res.Break)
	assert.Equal(t, reading, res.Break.Seq)
	assert.Equal(t, reading-1, res.Checked, "every entry before it holds")
	assert.Contains(t, res.Break.Message().English(), "Journal entry "+itoa(reading)+" is missing")

	// The same deletion, made after the last verified point: the start sees it.
	_, err = s.Append(ctx, app.NewEntry(app.KindConsoleStarted, "", app.SystemActor, nil))
	require.NoError(t, err)
	last, err := s.LastSeq(ctx)
	require.NoError(t, err)
	for i := 0; i < 3; i++ {
		_, err = s.Append(ctx, app.NewEntry(app.KindDeviceReading, app.SubjectDevice("smoke-1"), app.SystemActor, map[string]int{"n": i}))
		require.NoError(t, err)
	}
	require.NoError(t, s.Close())
	tamper(t, path, "DELETE FROM journal WHERE seq = "+itoa(last+1))
	s2, err := openAt(path)
	require.NoError(t, err)
	defer s2.Close()
	b := s2.ChainAtStart().Break
	require.NotNil(t, b, "the start sees a deletion after the verified point")
	assert.Equal(t, app.ChainMissing, b.Why)
	assert.Equal(t, last+1, b.Seq)
}

func TestAttackEditedPayloadIsNamed(t *testing.T) {
	ctx := context.Background()
	path, reading, _ := chainFixture(t)
	tamper(t, path, "UPDATE journal SET data = replace(data, '\"fall\":true', '\"fall\":false') WHERE seq = "+itoa(reading))
	s, err := openAt(path)
	require.NoError(t, err)
	defer s.Close()
	res, err := s.VerifyChain(ctx)
	require.NoError(t, err)
	require.NotNil(t, res.Break)
	assert.Equal(t, app.ChainAltered, res.Break.Why)
	assert.Equal(t, reading, res.Break.Seq)
	assert.Equal(t, app.KindDeviceReading, res.Break.Kind)
	assert.False(t, res.Break.Time.IsZero())

	// An edit after the last verified point is seen by the start itself.
	_, err = s.Append(ctx, app.NewEntry(app.KindConsoleStopped, "", app.SystemActor, nil))
	require.NoError(t, err)
	last, err := s.LastSeq(ctx)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	tamper(t, path, "UPDATE journal SET operator = 'duty' WHERE seq = "+itoa(last))
	s2, err := openAt(path)
	require.NoError(t, err)
	defer s2.Close()
	require.NotNil(t, s2.ChainAtStart().Break)
	assert.Equal(t, last, s2.ChainAtStart().Break.Seq)
}

// The journal's last entries deleted, and the verified point with them: nothing in the
// database shows it, but the anchor in the backup's manifest does.
func TestAttackTruncatedTailIsFoundAgainstABackupsAnchor(t *testing.T) {
	ctx := context.Background()
	path, _, _ := chainFixture(t)
	s, err := openAt(path)
	require.NoError(t, err)
	archive := filepath.Join(t.TempDir(), "b.tar.gz")
	_, err = s.Backup(ctx, archive, store.BackupOptions{})
	require.NoError(t, err)
	head, err := s.JournalAnchor(ctx)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	m, err := store.ReadBackupManifest(archive)
	require.NoError(t, err)
	require.NotNil(t, m.JournalAnchor)
	assert.Equal(t, head, *m.JournalAnchor, "the backup's manifest carries the chain's head")

	t.Run("the verified point left in place: the start sees it", func(t *testing.T) {
		p := copyDB(t, path)
		tamper(t, p, "DELETE FROM journal WHERE seq > "+itoa(head.Seq-3))
		s, err := openAt(p)
		require.NoError(t, err)
		defer s.Close()
		require.NotNil(t, s.ChainAtStart().Break)
		assert.Equal(t, app.ChainTruncated, s.ChainAtStart().Break.Why)
		assert.Equal(t, head.Seq-2, s.ChainAtStart().Break.Seq)
	})
	t.Run("the verified point deleted too: the backup's anchor sees it", func(t *testing.T) {
		p := copyDB(t, path)
		tamper(t, p, "DELETE FROM journal WHERE seq > "+itoa(head.Seq-3), "DELETE FROM journal_verified")
		s, err := openAt(p)
		require.NoError(t, err)
		defer s.Close()
		res, err := s.VerifyChain(ctx)
		require.NoError(t, err)
		assert.True(t, res.OK(), "without an anchor a cut tail is a shorter, whole chain")
		res, err = s.VerifyChain(ctx, *m.JournalAnchor)
		require.NoError(t, err)
		require.NotNil(t, res.Break)
		assert.Equal(t, app.ChainTruncated, res.Break.Why)
		assert.Equal(t, head.Seq-2, res.Break.Seq, "the first missing entry")
		assert.Equal(t, head.Seq, res.Break.Anchor.Seq)
	})
}

// An attacker who deleted the fall and rebuilt the whole chain under a guessed key (the
// verified point deleted, since its HMAC cannot be rebuilt either) is found at the first entry.
func TestAttackRebuiltChainWithoutTheKeyIsFound(t *testing.T) {
	ctx := context.Background()
	path, reading, alarm := chainFixture(t)
	tamper(t, path, "DELETE FROM journal WHERE seq IN ("+itoa(reading)+", "+itoa(alarm)+")", "DELETE FROM journal_verified")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	require.NoError(t, err)
	_, err = db.Exec("DROP TRIGGER journal_no_update")
	require.NoError(t, err)
	require.NoError(t, store.RechainWith(ctx, db, store.NewKeysForTest("a guessed key")))
	require.NoError(t, db.Close())

	s, err := openAt(path)
	require.NoError(t, err)
	defer s.Close()
	b := s.ChainAtStart().Break
	require.NotNil(t, b)
	assert.Equal(t, app.ChainAltered, b.Why)
	assert.Equal(t, int64(1), b.Seq)
}

// A verified point moved forward by hand (over an edit) is not trusted: its HMAC does not
// hold, so the start walks from the first entry.
func TestAttackForgedVerifiedPointIsNotTrusted(t *testing.T) {
	path, reading, _ := chainFixture(t)
	s, err := openAt(path)
	require.NoError(t, err)
	_, err = s.Append(context.Background(), app.NewEntry(app.KindConsoleStopped, "", app.SystemActor, nil))
	require.NoError(t, err)
	last, err := s.LastSeq(context.Background())
	require.NoError(t, err)
	require.NoError(t, s.Close())
	tamper(t, path, "UPDATE journal SET data = '{}' WHERE seq = "+itoa(last),
		"UPDATE journal_verified SET seq = "+itoa(last)+", chain = (SELECT chain FROM journal WHERE seq = "+itoa(last)+")")
	s, err = openAt(path)
	require.NoError(t, err)
	defer s.Close()
	require.NotNil(t, s.ChainAtStart().Break)
	assert.Equal(t, last, s.ChainAtStart().Break.Seq)
	assert.Less(t, reading, last)
}

// A journal written before chains is chained once, on the first open with the key, and
// the chaining is journaled; an entry inserted later without a chain value is found.
func TestExistingJournalIsChainedOnce(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, store.FileName)
	back := store.AtSchema(9) // schema 9: before the journal chain (migration 0010)
	s, err := openAt(path)
	require.NoError(t, err)
	for i := 0; i < 20; i++ {
		_, err := s.Append(ctx, app.NewEntry(app.KindDeviceReading, app.SubjectDevice("smoke-1"), app.SystemActor, map[string]int{"n": i}))
		require.NoError(t, err)
	}
	require.NoError(t, s.Close())
	back()

	s, err = openAt(path)
	require.NoError(t, err)
	res, err := s.VerifyChain(ctx)
	require.NoError(t, err)
	require.True(t, res.OK(), "%+v", res.Break)
	chained, err := s.Query(ctx, app.JournalQuery{Kinds: []app.EntryKind{app.KindJournalChained}})
	require.NoError(t, err)
	require.Len(t, chained, 1)
	var c app.JournalChained
	require.NoError(t, chained[0].Decode(&c))
	assert.Equal(t, int64(20), c.Entries)
	assert.Equal(t, int64(20), c.Head.Seq)
	require.NoError(t, s.Close())

	s, err = openAt(path)
	require.NoError(t, err)
	chained, err = s.Query(ctx, app.JournalQuery{Kinds: []app.EntryKind{app.KindJournalChained}})
	require.NoError(t, err)
	assert.Len(t, chained, 1, "chained once")
	last, err := s.LastSeq(ctx)
	require.NoError(t, err)
	require.NoError(t, s.Close())

	tamper(t, path, "INSERT INTO journal (seq, ts, kind, subject, operator, drill, data) VALUES ("+itoa(last+1)+", 1, 'alarm.resolved', 'alarm:3', 'duty', 0, '{}')")
	s, err = openAt(path)
	require.NoError(t, err)
	defer s.Close()
	require.NotNil(t, s.ChainAtStart().Break)
	assert.Equal(t, app.ChainUnchained, s.ChainAtStart().Break.Why)
	assert.Equal(t, last+1, s.ChainAtStart().Break.Seq)
}

// The triggers still keep the journal append-only: only an unchained entry may be given
// its chain value, once.
func TestJournalStaysAppendOnly(t *testing.T) {
	s, _ := openTemp(t)
	_, err := s.Append(context.Background(), app.NewEntry(app.KindConsoleStarted, "", app.SystemActor, nil))
	require.NoError(t, err)
	for _, q := range []string{"UPDATE journal SET chain = x'00'", "UPDATE journal SET data = '{}'", "DELETE FROM journal"} {
		_, err := s.DB().Exec(q)
		assert.ErrorContains(t, err, "append-only", q)
	}
}

// The console's guard raises a broken chain as a P1 system alarm, once.
func TestABrokenChainIsAP1Alarm(t *testing.T) {
	path, reading, alarm := chainFixture(t)
	tamper(t, path, "DELETE FROM journal WHERE seq IN ("+itoa(reading)+", "+itoa(alarm)+")", "DELETE FROM alarms WHERE id = "+itoa(alarm))
	s, err := openAt(path)
	require.NoError(t, err)
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	desk := app.NewAlarmDesk(app.NewRecorder(s, app.NewBus()), s, app.SystemClock{})
	require.NoError(t, desk.Load(ctx))
	done := make(chan error, 1)
	go func() { done <- app.NewJournalGuard(s, desk, nil, nil, s.ChainAtStart()).Run(ctx) }()
	var got []app.Alarm
	require.Eventually(t, func() bool {
		got, err = s.Alarms(ctx, app.AlarmQuery{OpenOnly: true})
		require.NoError(t, err)
		return len(got) > 0
	}, 15*time.Second, 20*time.Millisecond)
	cancel()
	require.NoError(t, <-done)
	require.Len(t, got, 1)
	repeats, err := s.Query(context.Background(), app.JournalQuery{Kinds: []app.EntryKind{app.KindAlarmRepeated}})
	require.NoError(t, err)
	assert.Empty(t, repeats, "raised once, though the start and the whole walk both found it")
	assert.Equal(t, app.AlarmJournalBroken, got[0].Kind)
	assert.Equal(t, app.P1, got[0].Priority)
	assert.True(t, got[0].Fault)
	assert.Equal(t, itoa(reading), got[0].Param(app.ParamSeq))
	assert.Equal(t, app.ChainMissing, got[0].Param(app.ParamBreak))
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// copyDB copies a closed database and its key file into a directory of its own.
func copyDB(t *testing.T, path string) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{store.FileName, store.KeyFileName} {
		b, err := os.ReadFile(filepath.Join(filepath.Dir(path), name))
		if name == store.KeyFileName && os.IsNotExist(err) {
			continue // the key is in the OS keyring
		}
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), b, 0o600))
	}
	return filepath.Join(dir, store.FileName)
}

// A walk split into segments read side by side finds what one walk in order finds, wherever
// an entry is deleted, changed, or the journal cut.
func TestASegmentedWalkFindsWhatOneWalkFinds(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	for i := 0; i < 23; i++ {
		_, err := s.Append(ctx, app.NewEntry(app.KindDeviceReading, app.SubjectDevice("smoke-1"), app.SystemActor, map[string]int{"n": i}))
		require.NoError(t, err)
	}
	head, err := s.JournalAnchor(ctx)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	walk := func(p string, segmentMin int64) store.ChainResult {
		defer store.SetChainSegmentMin(segmentMin)()
		st, err := store.Open(ctx, p, store.Options{ReadOnly: true})
		require.NoError(t, err)
		defer st.Close()
		res, err := st.VerifyChain(ctx, head)
		require.NoError(t, err)
		res.Took = 0
		return res
	}
	whole := walk(path, 5)
	require.True(t, whole.OK())
	assert.Equal(t, head, whole.Head)
	assert.Equal(t, head.Seq, whole.Checked)
	for seq := int64(1); seq <= head.Seq; seq++ {
		for _, attack := range []string{
			"DELETE FROM journal WHERE seq = " + itoa(seq),
			"UPDATE journal SET subject = 'device:x' WHERE seq = " + itoa(seq),
			"UPDATE journal SET chain = NULL WHERE seq = " + itoa(seq),
			"DELETE FROM journal WHERE seq >= " + itoa(seq),
		} {
			p := copyDB(t, path)
			tamper(t, p, attack)
			one, split := walk(p, 1<<40), walk(p, 5)
			assert.Equal(t, one, split, attack)
			require.NotNil(t, one.Break, attack)
			assert.Equal(t, seq, one.Break.Seq, attack)
		}
	}
}
