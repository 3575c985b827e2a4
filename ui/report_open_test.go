package ui

import (
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeXdgOpen puts an xdg-open that runs script first on the PATH.
func fakeXdgOpen(t *testing.T, script string) {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "xdg-open"), []byte("#!/bin/sh\n"+script+"\n"), 0o755))
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
}

// xdg-open exits with an error at once when no browser is installed: the console sees it
// (Fyne's OpenURL only starts it) and shows the report itself.
func TestNoBrowserIsSeen(t *testing.T) {
	c := &Console{}
	u := &url.URL{Scheme: "file", Path: "/tmp/report.html"}

	fakeXdgOpen(t, `echo "xdg-open: no method available for opening '$1'" >&2; exit 3`)
	err := c.desktopOpen(u)
	require.Error(t, err, "no browser")
	assert.Contains(t, err.Error(), "no browser opened it")

	fakeXdgOpen(t, `exit 0`)
	assert.NoError(t, c.desktopOpen(u), "a browser took it")

	t.Setenv("PATH", t.TempDir())
	err = c.desktopOpen(u)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "xdg-open is not installed")
}
