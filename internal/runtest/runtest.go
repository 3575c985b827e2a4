// Package runtest runs runners (the video and device sides') in tests as the supervisor runs them (Run
// in a goroutine until its context ends) and looks for what a runner left behind:
// goroutines still running its functions, child processes not waited for.
package runtest

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Runner is what the supervisor runs.
type Runner interface {
	Run(ctx context.Context) error
}

// ReturnWithin is how long Run may take to return once its context ended: generous, for
// a loaded machine; a Run that does not return at all is what it catches.
const ReturnWithin = 30 * time.Second

// Run starts part.Run in a goroutine. stop (also called at the test's cleanup) cancels its
// context and waits for Run to return; the test fails when Run does not return within
// ReturnWithin, or returns an error (a runner returns nil when its context ends).
func Run(t testing.TB, part Runner) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- part.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("%T.Run returned an error: %v", part, err)
				}
			case <-time.After(ReturnWithin):
				t.Errorf("%T.Run did not return within %v of its context's end", part, ReturnWithin)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// Goroutines returns the stacks of the goroutines that run a function whose qualified name
// contains one of names (e.g. "watchpost/video.(*stream)").
func Goroutines(names ...string) []string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		for _, name := range names {
			if strings.Contains(g, name) {
				out = append(out, g)
				break
			}
		}
	}
	return out
}

// Children returns the process IDs of this process's children named command, whether they
// run or have ended without being waited for (zombies).
func Children(command string) []int {
	var out []int
	me := os.Getpid()
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, file := range stats {
		b, err := os.ReadFile(file)
		if err != nil {
			continue // ended meanwhile
		}
		// pid (comm) state ppid …; comm may hold spaces and parentheses: it ends at the last ')'.
		s := string(b)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < open {
			continue
		}
		fields := strings.Fields(s[end+1:])
		if len(fields) < 2 || s[open+1:end] != command {
			continue
		}
		if ppid, err := strconv.Atoi(fields[1]); err == nil && ppid == me {
			pid, _ := strconv.Atoi(strings.TrimSpace(s[:open]))
			out = append(out, pid)
		}
	}
	return out
}
