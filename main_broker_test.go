package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startRefused runs `watchpost --headless` on data and returns its standard error and exit
// code: it must stop by itself within a minute (a console that starts is killed, and the
// test fails).
func startRefused(t *testing.T, data string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "--headless", "--data", data, "--sim-listen", "127.0.0.1:0")
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	err := cmd.Run()
	require.NoError(t, ctx.Err(), "watchpost started instead of refusing to:\n%s", errOut.String())
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee, errOut.String())
	return errOut.String(), ee.ExitCode()
}

// A console whose broker cannot listen (the port is taken: a device talking to whatever
// holds it would get acknowledgments for alarms nobody sees) refuses to start, and says why.
func TestAttackBrokerPortTakenRefusesTheStart(t *testing.T) {
	holder, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer holder.Close()
	data := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(data, "config.json"), []byte(`{"broker":{"listen":"`+holder.Addr().String()+`"}}`), 0o600))
	errOut, code := startRefused(t, data)
	assert.NotEqual(t, 0, code)
	assert.Contains(t, errOut, "The device broker cannot listen on "+holder.Addr().String())
	assert.Contains(t, errOut, "address already in use")
}

// A broker beyond loopback in clear with the password "1" (the case) refuses the start.
func TestAttackPlainBrokerOnAllAddressesRefusesTheStart(t *testing.T) {
	data := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(data, "config.json"), []byte(`{"broker":{"listen":"0.0.0.0:0","password":"1"}}`), 0o600))
	errOut, code := startRefused(t, data)
	assert.NotEqual(t, 0, code)
	assert.Contains(t, errOut, "without encryption")
}
