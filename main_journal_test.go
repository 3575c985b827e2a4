package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/store"
)

// The attack of the security issue on the running binary: with the append-only triggers
// dropped, a P1 fall alarm's entry deleted with its reading and its row, and the triggers put
// back, the next start raises a P1 system alarm (the console still starts: the evidence is
// kept), and `watchpost journal verify` names the first missing entry and exits 1. Before,
// the log holds the anchor the console wrote at its stop.
func TestAttackDeletedFallAlarmIsAP1AlarmAtStart(t *testing.T) {
	data := t.TempDir()
	cmd, log := startHeadless(t, data, "--no-sim")
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, cmd.Wait(), "%s", log)
	logFile, err := os.ReadFile(filepath.Join(data, "logs", "watchpost.log"))
	require.NoError(t, err)
	assert.Regexp(t, `msg="journal anchor" seq=\d+ chain=[0-9a-f]{64}`, string(logFile), "the anchor is logged")
	out, errOut, code := cli(t, nil, "journal", "verify", "--data", data)
	require.Equal(t, 0, code, out+errOut)
	assert.Contains(t, out, "journal OK: ")
	assert.Contains(t, out, " from log ")

	// A fall of an elderly resident, journaled with its reading.
	ctx := context.Background()
	path := filepath.Join(data, store.FileName)
	st, err := store.Open(ctx, path, store.Options{Log: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	desk := app.NewAlarmDesk(app.NewRecorder(st, app.NewBus()), st, app.SystemClock{})
	require.NoError(t, desk.Load(ctx))
	fall, err := desk.Raise(ctx, nil, app.Alarm{Kind: app.AlarmFall, Priority: app.P1, DeviceID: "bracelet-b07-602"},
		app.NewEntry(app.KindDeviceReading, app.SubjectDevice("bracelet-b07-602"), app.SystemActor, map[string]any{"fall": true}))
	require.NoError(t, err)
	_, err = st.Append(ctx, app.NewEntry(app.KindConsoleStopped, "", app.SystemActor, nil))
	require.NoError(t, err)
	require.NoError(t, st.Close())
	reading, alarm := strconv.FormatInt(fall.ID-1, 10), strconv.FormatInt(fall.ID, 10)

	// The attack: the triggers dropped, the fall deleted with its reading and its row, the
	// triggers put back as they were.
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	require.NoError(t, err)
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
	for _, q := range []string{"DELETE FROM journal WHERE seq IN (" + reading + ", " + alarm + ")", "DELETE FROM alarms WHERE id = " + alarm} {
		_, err := db.Exec(q)
		require.NoError(t, err)
	}
	for _, text := range triggers {
		_, err := db.Exec(text)
		require.NoError(t, err)
	}
	require.NoError(t, db.Close())

	cmd, log = startHeadless(t, data, "--no-sim")
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}()
	var broken *app.Alarm
	require.Eventually(t, func() bool {
		out, _, code := cli(t, nil, "alarms", "--json", "--open", "--data", data)
		if code != 0 {
			return false
		}
		var alarms []app.Alarm
		if json.Unmarshal([]byte(out), &alarms) != nil {
			return false
		}
		for i, a := range alarms {
			if a.Kind == app.AlarmJournalBroken {
				broken = &alarms[i]
				return true
			}
		}
		return false
	}, 15*time.Second, 100*time.Millisecond, "the broken chain is raised as an alarm:\n%s", log)
	assert.Equal(t, app.P1, broken.Priority)
	assert.True(t, broken.Fault)
	assert.Equal(t, reading, broken.Param(app.ParamSeq))
	assert.Equal(t, app.ChainMissing, broken.Param(app.ParamBreak))
	assert.Contains(t, log.String(), "journal chain broken: Journal entry "+reading+" is missing")

	out, errOut, code = cli(t, nil, "journal", "verify", "--data", data)
	assert.Equal(t, 1, code, out+errOut)
	assert.Contains(t, out, "journal BROKEN at entry "+reading+" (missing)")
	assert.True(t, strings.HasPrefix(out, "journal BROKEN"), out)
}
