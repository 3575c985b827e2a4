package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The window's first screen comes before what only loads the processor meanwhile (issue 16,
// point 4): on the demo, video analytics starts, and the journal's chain is walked whole,
// only once the console logged that its first screen was painted; the start's own check of
// the chain is logged before (a broken chain is raised at once).
func TestConsoleStartsAnalyticsAndTheWholeChainWalkAfterItsFirstScreen(t *testing.T) {
	if _, err := exec.LookPath("Xvfb"); err != nil {
		t.Skip("Xvfb is not installed (make test installs it)")
	}
	display := startXvfb(t) // xvfb_test.go
	data := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(data, "config.json"),
		[]byte(fmt.Sprintf(`{"language": "en", "broker": {"listen": "127.0.0.1:%d"}}`, unusedPort(t))), 0o600))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	console := exec.CommandContext(ctx, binary, "--data", data, "--sim-listen", "127.0.0.1:0")
	console.Env = append(os.Environ(), "DISPLAY="+display)
	require.NoError(t, console.Start())
	exited := make(chan struct{})
	go func() { _ = console.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = console.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = console.Process.Kill()
			<-exited
		}
	})
	logPath := filepath.Join(data, "logs", "watchpost.log")
	lines := func() []string { return strings.Split(readLog(logPath), "\n") }
	first := func(ls []string, msg string, from int) int {
		for i := from; i < len(ls); i++ {
			if strings.Contains(ls[i], `msg="`+msg+`"`) {
				return i
			}
		}
		return -1
	}
	var ls []string
	var painted, analytics, walked int
	require.Eventually(t, func() bool {
		select {
		case <-exited:
			return true // said below
		default:
		}
		ls = lines()
		painted = first(ls, "first screen painted", 0)
		analytics = first(ls, "analytics started", 0)
		start := first(ls, "journal anchor", 0) // the start's check, reported by the guard
		walked = -1
		if start >= 0 {
			walked = first(ls, "journal anchor", start+1) // the whole walk's
		}
		return painted >= 0 && analytics >= 0 && walked >= 0
	}, 2*time.Minute, 100*time.Millisecond, "the console paints, starts analytics and walks the chain")
	select {
	case <-exited:
		t.Fatalf("the console ended: its log ends:\n%s", lastLines(readLog(logPath), 20))
	default:
	}
	assert.Less(t, painted, analytics, "video analytics started before the first screen was painted:\n%s", strings.Join(ls, "\n"))
	assert.Less(t, painted, walked, "the whole chain was walked before the first screen was painted:\n%s", strings.Join(ls, "\n"))
}

// unusedPort returns a TCP port free on 127.0.0.1 a moment ago.
func unusedPort(tb testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(tb, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
