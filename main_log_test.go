package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// The log file is rotated by size, and rotated files are deleted by age only: a flood of
// log lines cannot fill one file, and cannot push out what was logged in the last 180 days
// (网络安全法) either. A retention below that is refused.
func TestAttackTheLogIsRotatedBySize(t *testing.T) {
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	path := filepath.Join(logs, "watchpost.log")
	require.NoError(t, os.MkdirAll(logs, 0o700))
	// Rotated files of earlier days, named as lumberjack names them (the time is its age).
	old := func(age time.Duration) string {
		name := "watchpost-" + time.Now().Add(-age).Format("2006-01-02T15-04-05.000") + ".log.gz"
		require.NoError(t, os.WriteFile(filepath.Join(logs, name), []byte("old"), 0o600))
		return name
	}
	kept := old(179 * 24 * time.Hour)
	expired := old(200 * 24 * time.Hour)

	_, _, err := openLogRotated(path, io.Discard, 1, 30)
	require.True(t, app.IsCode(err, app.CodeInvalid), "30 days is refused: %v", err)

	log, closeLog, err := openLogRotated(path, io.Discard, 1, logKeepDays)
	require.NoError(t, err)
	line := strings.Repeat("x", 200)
	for i := range 20000 { // about 4.5 MB of lines: four rotations
		log.Warn("message from an unregistered device", "device", i, "pad", line)
	}
	closeLog()
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.LessOrEqual(t, fi.Size(), int64(1<<20), "the current file stays under its size")
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	// Old files are compressed and removed by lumberjack's own goroutine: wait for it.
	rotated := func() (gz, plain int, names map[string]bool) {
		names = map[string]bool{}
		entries, _ := os.ReadDir(logs)
		for _, e := range entries {
			names[e.Name()] = true
			switch {
			case e.Name() == "watchpost.log":
			case strings.HasSuffix(e.Name(), ".gz"):
				gz++
			default:
				plain++
			}
		}
		return gz, plain, names
	}
	require.Eventually(t, func() bool {
		gz, plain, names := rotated()
		return plain == 0 && gz >= 4+1 && !names[expired]
	}, 30*time.Second, 20*time.Millisecond, "every rotation kept and compressed, the 200-day-old file deleted")
	_, _, names := rotated()
	assert.True(t, names[kept], "a 179-day-old log is kept")
}
