package cli

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every command parses its flags the one way: before or after its words, in any order.
func TestParseArgsTakesFlagsBeforeAndAfterTheWords(t *testing.T) {
	for _, args := range [][]string{
		{"import", "plan.json", "--data", "d", "--json"},
		{"--data", "d", "import", "--json", "plan.json"},
		{"--json", "import", "plan.json", "--data=d"},
	} {
		var errOut bytes.Buffer
		fs := newFlags("watchpost test", Streams{Err: &errOut})
		data := fs.String("data", "", "")
		asJSON := fs.Bool("json", false, "")
		words, err := parseArgs(fs, args)
		require.NoError(t, err, args)
		assert.Equal(t, []string{"import", "plan.json"}, words, args)
		assert.Equal(t, "d", *data, args)
		assert.True(t, *asJSON, args)
		assert.Empty(t, errOut.String())
	}

	var errOut bytes.Buffer
	fs := newFlags("watchpost test", Streams{Err: &errOut})
	fs.String("data", "", "")
	words, err := parseArgs(fs, []string{"--", "-odd.json", "--data", "d"})
	require.NoError(t, err)
	assert.Equal(t, []string{"-odd.json"}, words, "after --, a word may start with a dash")

	_, err = parseArgs(fs, []string{"import", "x", "--password", "secret"})
	assert.Error(t, err)
	assert.Contains(t, errOut.String(), "flag provided but not defined: -password", "said on stderr")
	assert.NotContains(t, errOut.String(), "secret")
}
