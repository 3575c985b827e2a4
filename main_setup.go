package main

import (
	"fmt"
	"os"
	"os/exec"
)

// openDataDir starts a new console on another data directory (the set-up window's "Open it
// now"): this program again, with --data DIR; it outlives this console, which the window
// then closes. Its log is in that directory.
func openDataDir(dir string) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("this program cannot find itself to start again: %w", err)
	}
	cmd := exec.Command(exe, "--data", dir)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("the console cannot be started on %s: %w", dir, err)
	}
	return cmd.Process.Release()
}
