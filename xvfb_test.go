package main

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// startXvfb starts a virtual display for a real window and returns its name (":N"). Xvfb
// picks a free display number itself and writes it once it accepts connections
// (-displayfd): no number is guessed, and nothing waits for time.
func startXvfb(tb testing.TB) string {
	tb.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		tb.Fatal(err)
	}
	defer r.Close()
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1600x900x24", "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{w} // its fd 3
	if err := cmd.Start(); err != nil {
		w.Close()
		tb.Fatal(err)
	}
	w.Close()
	tb.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	got := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		got <- strings.TrimSpace(line)
	}()
	select {
	case n := <-got:
		if n == "" {
			tb.Fatal("Xvfb exited without a display")
		}
		return ":" + n
	case <-time.After(60 * time.Second):
		tb.Fatal("Xvfb gave no display within a minute")
		return ""
	}
}

func TestXvfbSaysWhichDisplayItOpened(t *testing.T) {
	if _, err := exec.LookPath("Xvfb"); err != nil {
		t.Skip("Xvfb is not installed (make test installs it)")
	}
	d := startXvfb(t)
	// Its socket is there: a client connects on that display.
	_, err := os.Stat("/tmp/.X11-unix/X" + strings.TrimPrefix(d, ":"))
	if err != nil {
		t.Fatalf("display %s has no socket: %v", d, err)
	}
}
