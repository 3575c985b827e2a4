package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Bad input to the tools an installer runs by hand: a clear message on stderr, nothing on
// stdout, and the exit code the README documents (1: a failure of the data or of a
// dependency, 2: a wrong command line or configuration).

// closedPort is a local port nothing listens on (a listener is opened and closed: an
// unreachable camera or broker, refused at once).
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	return port
}

// cliWithin runs a subcommand that must exit by itself: one still running after d (a
// simulator serving on after bad input) is stopped and fails the test.
func cliWithin(t *testing.T, d time.Duration, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	require.NoError(t, ctx.Err(), "watchpost %v did not exit (it went on as if the input were right):\n%s", args, e.String())
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

func TestBadInputToTheTools(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "no-such-clip.mp4")
	port := closedPort(t)
	notJSON := filepath.Join(dir, "zones.json")
	require.NoError(t, os.WriteFile(notJSON, []byte("{zones: lawn"), 0o644))
	clip := "/usr/share/doc/opencv-doc/examples/data/vtest.avi" // never read: the arguments are refused first

	for _, tc := range []struct {
		name string
		args []string
		code int
		says []string
	}{
		{"analyze: a missing file", []string{"analyze", missing}, 1,
			[]string{missing, "cannot be read", "No such file or directory"}},
		{"analyze: a detector that does not exist", []string{"analyze", "--detectors", "intrusion,wizard", clip}, 2,
			[]string{`there is no detector "wizard"`, "motion,intrusion,loitering,crowd,fall,face"}},
		{"analyze: line crossing without a line", []string{"analyze", "--detectors", "line", clip}, 2,
			[]string{"line crossing needs a line"}},
		{"analyze: missing settings", []string{"analyze", "--config", filepath.Join(dir, "none.json"), clip}, 2,
			[]string{"the analytics settings", "none.json", "cannot be read: no such file or directory"}},
		{"analyze: settings that are not JSON", []string{"analyze", "--config", notJSON, clip}, 2,
			[]string{notJSON, "is not analytics settings in JSON"}},
		{"analyze: no file", []string{"analyze", "--detectors", "motion"}, 2,
			[]string{"Usage: watchpost analyze"}},
		{"probe: not a camera address", []string{"probe", "not-a-url"}, 2,
			[]string{"not-a-url is not a camera address", "rtsp://"}},
		{"probe: another scheme", []string{"probe", "http://admin:secret@10.0.0.21/x"}, 2,
			[]string{"is not a camera address"}},
		{"probe: no address", []string{"probe"}, 2,
			[]string{"give one camera URL"}},
		{"probe: a camera that does not answer", []string{"probe", "--seconds", "1", fmt.Sprintf("rtsp://127.0.0.1:%d/cam1/main", port)}, 1,
			[]string{"unreachable"}},
		{"sim: an unknown codec", []string{"sim", "--codec", "vp9"}, 2,
			[]string{`unknown codec "vp9"`}},
		{"sim: a missing footage file", []string{"sim", "--listen", "127.0.0.1:0", "--footage", missing}, 1,
			[]string{"the footage", missing, "cannot be read: no such file or directory"}},
		{"sim: not an address to listen on", []string{"sim", "--listen", "nonsense"}, 2,
			[]string{"--listen nonsense is not an address"}},
		{"sim: a stray argument", []string{"sim", "--cameras", "2", "cam3"}, 2,
			[]string{`unexpected argument "cam3"`}},
		{"sim: not a broker address", []string{"sim", "--devices", "--broker", "ftp://127.0.0.1:1883"}, 2,
			[]string{"--broker ftp://127.0.0.1:1883 is not a broker address", "tcp://"}},
		{"sim: an unknown scenario", []string{"sim", "--devices", "--scenario", "earthquake", "--broker", fmt.Sprintf("tcp://127.0.0.1:%d", port)}, 2,
			[]string{`there is no scenario "earthquake"`, "fire"}},
		{"sim: a broker that does not answer", []string{"sim", "--devices", "--scenario", "fire", "--broker", fmt.Sprintf("tcp://127.0.0.1:%d", port)}, 1,
			[]string{"does not answer"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := cliWithin(t, time.Minute, tc.args...)
			assert.Equal(t, tc.code, code, "exit code of %v:\n%s", tc.args, errOut)
			said := errOut
			if tc.args[0] == "probe" {
				said += out // its report, failed or not, is on stdout
			}
			for _, s := range tc.says {
				assert.Contains(t, said, s)
			}
			if tc.code == 2 && !strings.Contains(errOut, "Usage") {
				assert.LessOrEqual(t, strings.Count(strings.TrimSpace(errOut), "\n"), 1, "one clear message, not a log: %s", errOut)
			}
			assert.NotContains(t, errOut, "secret", "no password in what is printed")
			if tc.args[0] != "probe" { // probe prints its report on stdout, failed or not
				assert.Empty(t, out)
			}
		})
	}
}
