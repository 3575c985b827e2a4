package store

import (
	"errors"
	"os"
	"path/filepath"

	"watchpost/app"
)

// ConfigFile is the configuration file on disk.
type ConfigFile struct{ Path string }

// Load reads the file. A missing file gives the defaults when optional (the data
// directory's own config.json), and an error when the operator named it (--config).
func (f ConfigFile) Load(optional bool) (app.Config, error) {
	b, err := os.ReadFile(f.Path)
	if errors.Is(err, os.ErrNotExist) && optional {
		return app.Config{}, nil
	}
	if err != nil {
		return app.Config{}, app.Errorf(app.CodeUnavailable, "The configuration file {{.Path}} cannot be read", "Path", f.Path).Wrap(err)
	}
	c, err := app.ParseConfig(b)
	if err != nil {
		var e *app.Error
		if errors.As(err, &e) {
			// Name the file: the operator must know which one to fix.
			return app.Config{}, app.Errorf(e.Code, "{{.Path}}: {{.Problem}}", "Path", f.Path, "Problem", e.Text()).Wrap(e.Err)
		}
		return app.Config{}, err
	}
	return c, nil
}

// LoadConfig reads the file back (the settings' fold, after a change).
func (f ConfigFile) LoadConfig() (app.Config, error) { return f.Load(true) }

// SaveConfig writes the file atomically (a temporary file renamed over it), so a crash
// never leaves half a configuration.
func (f ConfigFile) SaveConfig(c app.Config) error {
	dir := filepath.Dir(f.Path)
	tmp, err := os.CreateTemp(dir, ".config-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(app.MarshalConfig(c)); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o600); err != nil { // it may hold the broker's password
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), f.Path)
}
