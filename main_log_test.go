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
)

// The log file is rotated by size and only the newest backups are kept: a flood of log
// lines (100,000 made-up device IDs each logged once) cannot fill the disk.
func TestAttackTheLogIsRotatedBySize(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "logs", "watchpost.log")
	log, closeLog, err := openLogRotated(path, io.Discard, 1, 2)
	require.NoError(t, err)
	line := strings.Repeat("x", 200)
	for i := range 20000 { // about 4.5 MB of lines
		log.Warn("message from an unregistered device", "device", i, "pad", line)
	}
	closeLog()
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.LessOrEqual(t, fi.Size(), int64(1<<20), "the current file stays under its size")
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	// Old backups are compressed and removed by lumberjack's own goroutine: wait for it.
	backups := func() (out []string) {
		entries, _ := os.ReadDir(filepath.Dir(path))
		for _, e := range entries {
			if e.Name() != "watchpost.log" {
				out = append(out, e.Name())
			}
		}
		return out
	}
	assert.NotEmpty(t, backups(), "rotated")
	assert.Eventually(t, func() bool {
		b := backups()
		for _, n := range b {
			if !strings.HasSuffix(n, ".gz") {
				return false
			}
		}
		return len(b) <= 2
	}, 15*time.Second, 20*time.Millisecond, "only the newest backups are kept, compressed")
}
