package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"

	"watchpost/app"
	"watchpost/store"
)

// DataDir is the data directory given (--data), or by default $XDG_DATA_HOME/watchpost,
// or ~/.local/share/watchpost.
func DataDir(given string) (string, error) {
	if given != "" {
		return given, nil
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "watchpost"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no data directory: set --data or $HOME (%w)", err)
	}
	return filepath.Join(home, ".local", "share", "watchpost"), nil
}

// OpenReadOnly opens the database of a data directory for reading only: it works while a
// console runs there.
func OpenReadOnly(ctx context.Context, dir string) (*store.Store, error) {
	return store.Open(ctx, filepath.Join(dir, store.FileName), store.Options{ReadOnly: true, Log: slog.New(slog.DiscardHandler)})
}

// openStore opens the store of the data directory given with --data (or the default one),
// the one way every command does. A command that only reads gives writing "": the store is
// opened read-only and works while a console runs there. A command that writes says what
// it does ("importing a site plan"): it acts as an operator, so it needs the accounts of an
// existing database (none is created), and the store's lock refuses it while a console runs
// there, with what to do. dir is the data directory it resolved.
func openStore(ctx context.Context, dataDir, writing string) (st *store.Store, dir string, err error) {
	dir, err = DataDir(dataDir)
	if err != nil {
		return nil, "", err
	}
	if writing == "" {
		st, err = OpenReadOnly(ctx, dir)
		return st, dir, err
	}
	path := filepath.Join(dir, store.FileName)
	if _, err := os.Stat(path); err != nil {
		return nil, dir, fmt.Errorf("there is no database in %s yet, so no operator to act as (start the console once: it sets up the accounts)", dir)
	}
	st, err = store.Open(ctx, path, store.Options{Log: slog.New(slog.DiscardHandler)})
	if app.IsCode(err, app.CodeConflict) {
		return nil, dir, fmt.Errorf("%w: stop the console before %s", err, writing)
	}
	return st, dir, err
}

// printJSON writes v as indented JSON (no HTML escapes: Chinese and <> as they are).
func printJSON(w io.Writer, v any) error {
	enc := newEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// encodeOr is the exit code after printing: a reader that went away (| head) is no failure.
func encodeOr(err error, s Streams) int {
	if err != nil && !errors.Is(err, syscall.EPIPE) {
		return s.fail(ExitFailure, "watchpost", err)
	}
	return ExitOK
}
