package cli

import (
	"net"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sim --user reads the password its cameras require from standard input: the served
// addresses carry the user, never the password, and without one it is a usage error.
func TestSimReadsItsPasswordFromStandardInput(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	taken := l.Addr().String()
	defer l.Close()
	// Without a password: refused before anything is served.
	out, errOut, code := runIn(Sim, "", "--user", "installer", "--listen", taken)
	assert.Equal(t, ExitUsage, code, out)
	assert.Contains(t, errOut, "give the password of installer")
	// With one on standard input, it goes on to bind (here a taken address: refused there,
	// after the password was read).
	_, errOut, code = runIn(Sim, "secret\n", "--user", "installer", "--listen", taken)
	assert.Equal(t, ExitFailure, code)
	assert.NotContains(t, errOut, "give the password")
	assert.False(t, strings.Contains(errOut, "secret"), "the password is never printed")
}
