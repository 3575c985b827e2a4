package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"golang.org/x/term"
)

// Passwords are never arguments (other users of the machine read them in the process list,
// and the shell keeps them in its history): a command that writes as an operator reads the
// password at a prompt without echo when standard input is a terminal, or else the first
// line of standard input, as a script gives it:
//
//	watchpost plans import flood.json --operator trainer < trainer.pw

// errNoPassword is a write without a password: a wrong command line.
var errNoPassword = errors.New("no password")

// readPassword reads the password of the operator named, from a prompt or standard input.
func readPassword(s Streams, name string) (string, error) {
	if f, ok := s.In.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return promptPassword(int(f.Fd()), s.Err, name)
	}
	if s.In == nil {
		return "", fmt.Errorf("%w: give the password of %s on standard input (one line) or at the prompt", errNoPassword, name)
	}
	line, err := readLine(s.In)
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	password := strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if password == "" {
		return "", fmt.Errorf("%w: give the password of %s on standard input (one line) or at the prompt", errNoPassword, name)
	}
	return password, nil
}

// promptPassword asks at the terminal, without echo. Interrupted (Ctrl-C), it gives the
// terminal its echo back before the process ends.
func promptPassword(fd int, prompt io.Writer, name string) (string, error) {
	state, err := term.GetState(fd)
	if err != nil {
		return "", err
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	defer func() { signal.Stop(sig); close(done) }()
	go func() {
		select {
		case <-sig:
			_ = term.Restore(fd, state)
			fmt.Fprintln(prompt)
			os.Exit(130) // as a shell reports a command ended by Ctrl-C
		case <-done:
		}
	}()
	fmt.Fprintf(prompt, "Password of %s: ", name)
	b, err := term.ReadPassword(fd)
	fmt.Fprintln(prompt)
	if err != nil {
		return "", err
	}
	if len(b) == 0 {
		return "", fmt.Errorf("%w: the password of %s is empty", errNoPassword, name)
	}
	return string(b), nil
}

// readLine reads one line a byte at a time, so that what follows it (a second password: the
// new one of operators add or reset) stays for the next read.
func readLine(r io.Reader) (string, error) {
	var b strings.Builder
	var c [1]byte
	for {
		n, err := r.Read(c[:])
		if n == 1 {
			if c[0] == '\n' {
				return b.String() + "\n", nil
			}
			b.WriteByte(c[0])
		}
		if err != nil {
			return b.String(), err
		}
	}
}
