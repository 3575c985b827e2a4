package cli

import (
	"context"
	"database/sql"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/store"
)

// verifyFixture is a data directory whose journal holds a P1 fall (its reading and its
// alarm) between other entries, a backup in its backup folder and the anchor in its log, as
// a console leaves them. It returns the directory, the fall's reading and alarm, and the head.
func verifyFixture(t *testing.T) (dir string, reading, alarm int64, head app.JournalAnchor) {
	t.Helper()
	ctx := context.Background()
	dir = t.TempDir()
	st, err := store.Open(ctx, filepath.Join(dir, store.FileName), store.Options{Log: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	defer st.Close()
	desk := app.NewAlarmDesk(app.NewRecorder(st, app.NewBus()), st, app.SystemClock{})
	require.NoError(t, desk.Load(ctx))
	_, err = st.Append(ctx, app.NewEntry(app.KindConsoleStarted, "", app.SystemActor, nil))
	require.NoError(t, err)
	fall, err := desk.Raise(ctx, nil, app.Alarm{Kind: app.AlarmFall, Priority: app.P1, DeviceID: "bracelet-b07-602"},
		app.NewEntry(app.KindDeviceReading, app.SubjectDevice("bracelet-b07-602"), app.SystemActor, map[string]any{"fall": true}))
	require.NoError(t, err)
	for i := 0; i < 4; i++ {
		_, err = st.Append(ctx, app.NewEntry(app.KindDeviceReading, app.SubjectDevice("smoke-1"), app.SystemActor, map[string]int{"n": i}))
		require.NoError(t, err)
	}
	_, err = st.Backup(ctx, filepath.Join(dir, app.DefaultBackupDir, "b.tar.gz"), store.BackupOptions{})
	require.NoError(t, err)
	head, err = st.JournalAnchor(ctx)
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "logs"), 0o700))
	f, err := os.Create(filepath.Join(dir, "logs", "watchpost.log"))
	require.NoError(t, err)
	defer f.Close()
	slog.New(slog.NewTextHandler(f, nil)).Info("journal anchor", "seq", head.Seq, "chain", head.Chain) // as the console logs it
	return dir, fall.ID - 1, fall.ID, head
}

// tamperWith edits the journal as an attacker with the file but not the key: the triggers
// dropped, the statements run, the triggers put back.
func tamperWith(t *testing.T, dir string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, store.FileName)+"?_pragma=busy_timeout(10000)")
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

func TestJournalVerifySaysOK(t *testing.T) {
	dir, _, _, head := verifyFixture(t)
	out, errOut, code := runIn(Journal, "", "verify", "--data", dir)
	require.Equal(t, ExitOK, code, out+errOut)
	assert.Contains(t, out, "journal OK: "+strconv.FormatInt(head.Seq, 10)+" entries chained, head seq "+strconv.FormatInt(head.Seq, 10)+": "+head.Chain)
	assert.Contains(t, out, "anchor seq "+strconv.FormatInt(head.Seq, 10)+" from log ")
	assert.Contains(t, out, "anchor seq "+strconv.FormatInt(head.Seq, 10)+" from backup ")

	_, errOut, code = runIn(Journal, "", "verify", "--data", dir, "--anchor", "12:nothex")
	assert.Equal(t, ExitUsage, code)
	assert.Contains(t, errOut, "is not a journal anchor")
}

// The attack of the security issue, through the command: the fall's reading and alarm
// deleted behind the triggers' back; verify names the first missing entry and exits 1.
func TestAttackDeletedFallAlarmJournalVerifyNamesIt(t *testing.T) {
	dir, reading, alarm, _ := verifyFixture(t)
	r, a := strconv.FormatInt(reading, 10), strconv.FormatInt(alarm, 10)
	tamperWith(t, dir, "DELETE FROM journal WHERE seq IN ("+r+", "+a+")", "DELETE FROM alarms WHERE id = "+a)
	out, errOut, code := runIn(Journal, "", "verify", "--data", dir)
	assert.Equal(t, ExitFailure, code, out+errOut)
	assert.Contains(t, out, "journal BROKEN at entry "+r+" (missing): Journal entry "+r+" is missing: it was deleted")
	assert.Contains(t, out, "entries 1 to "+strconv.FormatInt(reading-1, 10)+" hold")
}

func TestAttackEditedPayloadJournalVerifyNamesIt(t *testing.T) {
	dir, reading, _, _ := verifyFixture(t)
	r := strconv.FormatInt(reading, 10)
	tamperWith(t, dir, "UPDATE journal SET data = '{\"fall\":false}' WHERE seq = "+r)
	out, errOut, code := runIn(Journal, "", "verify", "--data", dir, "--json")
	assert.Equal(t, ExitFailure, code, out+errOut)
	assert.Contains(t, out, `"seq": `+r+`,`)
	assert.Contains(t, out, `"why": "altered"`)
	assert.Contains(t, out, `"kind": "device.reading"`)
	assert.Contains(t, out, `"ok": false`)
}

// The last entries deleted with the verified point: the anchors of the log and of the
// backup, found in the data directory, or given, show it.
func TestAttackTruncatedTailJournalVerifyFindsIt(t *testing.T) {
	dir, _, _, head := verifyFixture(t)
	cut := strconv.FormatInt(head.Seq-2, 10)
	tamperWith(t, dir, "DELETE FROM journal WHERE seq >= "+cut, "DELETE FROM journal_verified")
	out, errOut, code := runIn(Journal, "", "verify", "--data", dir)
	assert.Equal(t, ExitFailure, code, out+errOut)
	assert.Contains(t, out, "journal BROKEN at entry "+cut+" (truncated)")

	// Given alone: the backup's anchor.
	require.NoError(t, os.RemoveAll(filepath.Join(dir, "logs")))
	backup := filepath.Join(t.TempDir(), "b.tar.gz")
	require.NoError(t, os.Rename(filepath.Join(dir, app.DefaultBackupDir, "b.tar.gz"), backup))
	out, _, code = runIn(Journal, "", "verify", "--data", dir)
	assert.Equal(t, ExitOK, code, "nothing left to compare the end against")
	assert.Contains(t, out, "no anchor to check the journal's end against")
	out, _, code = runIn(Journal, "", "verify", "--data", dir, "--backup", backup)
	assert.Equal(t, ExitFailure, code)
	assert.Contains(t, out, "journal BROKEN at entry "+cut+" (truncated)")
	out, _, code = runIn(Journal, "", "verify", "--data", dir, "--anchor", head.String())
	assert.Equal(t, ExitFailure, code)
	assert.Contains(t, out, "journal BROKEN at entry "+cut+" (truncated)")
}
