// Package cli is Watchpost's command line beside the console: the read-only commands that
// print the site, the alarms, the journal, the plans and a replay for scripts, the writes an
// installer makes (site import, plans import), and the camera probe. Each command is a
// Command: it parses its own flags (parseArgs, flags before or after the words), opens the
// data directory's store through one helper (store.go), builds the core through
// app.NewCore when it writes, and returns the process's exit code. The root package lists
// the commands by name.
//
// What a command prints is English, for scripts and installers; the errors of the core are
// its English texts.
package cli

import (
	"fmt"
	"io"
)

// Exit codes, as the README documents them.
const (
	ExitOK      = 0
	ExitFailure = 1 // the data or a dependency fails
	ExitUsage   = 2 // a wrong command line or configuration
)

// Streams are where a command reads and writes: the process's own, or a test's. In is read
// for nothing but an operator's password.
type Streams struct {
	In       io.Reader
	Out, Err io.Writer
}

// Command runs one command with its arguments (those after its name) and returns the exit code.
type Command func(args []string, s Streams) int

// failf says what went wrong on standard error, after the command's name, and returns code.
func (s Streams) failf(code int, prefix, format string, args ...any) int {
	fmt.Fprintf(s.Err, prefix+": "+format+"\n", args...)
	return code
}

// fail says err on standard error, after the command's name, and returns code.
func (s Streams) fail(code int, prefix string, err error) int {
	return s.failf(code, prefix, "%v", err)
}

// printf writes what a command reports on standard output, and is its success.
func (s Streams) printf(format string, args ...any) int {
	fmt.Fprintf(s.Out, format, args...)
	return ExitOK
}
