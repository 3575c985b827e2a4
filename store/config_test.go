package store_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/store"
)

func TestConfigFile(t *testing.T) {
	dir := t.TempDir()
	f := store.ConfigFile{Path: filepath.Join(dir, "config.json")}
	c, err := f.Load(true)
	require.NoError(t, err, "a missing optional file gives the defaults")
	assert.Equal(t, app.Config{}, c)
	_, err = f.Load(false)
	assert.ErrorContains(t, err, "cannot be read")

	c.Language = "zh-CN"
	c.Broker.Password = "pw"
	require.NoError(t, f.SaveConfig(c))
	got, err := f.Load(false)
	require.NoError(t, err)
	assert.Equal(t, c, got)
	fi, _ := os.Stat(f.Path)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	require.NoError(t, os.WriteFile(f.Path, []byte(`{"colour":"red"}`), 0o644))
	_, err = f.Load(true)
	assert.True(t, app.IsCode(err, app.CodeInvalid))
	assert.Contains(t, err.Error(), f.Path)
	assert.Contains(t, err.Error(), "Unknown setting colour")
}
