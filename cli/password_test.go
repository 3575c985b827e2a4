package cli

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A script gives the password as the first line of standard input.
func TestReadPasswordFromStandardInput(t *testing.T) {
	for in, want := range map[string]string{
		"sunshine-admin\n":         "sunshine-admin",
		"sunshine-admin":           "sunshine-admin", // no line end
		"sunshine-admin\r\n":       "sunshine-admin",
		"  spaced out \nsecond\n":  "  spaced out ", // a password is taken as typed
		"sunshine-admin\nmore\n\n": "sunshine-admin",
	} {
		got, err := readPassword(Streams{In: strings.NewReader(in)}, "admin")
		require.NoError(t, err, "%q", in)
		assert.Equal(t, want, got, "%q", in)
	}
	for _, in := range []string{"", "\n", "\r\n"} {
		_, err := readPassword(Streams{In: strings.NewReader(in)}, "admin")
		assert.ErrorIs(t, err, errNoPassword, "%q", in)
		assert.ErrorContains(t, err, "give the password of admin on standard input (one line) or at the prompt")
	}
	_, err := readPassword(Streams{}, "admin")
	assert.ErrorIs(t, err, errNoPassword)
}
