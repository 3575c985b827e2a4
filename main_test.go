package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"

	"watchpost/app"
)

// These tests run the real binary as a user or a script would.

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "watchpost-bin")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "watchpost")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		os.Stderr.Write(out)
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// cli runs a subcommand to completion, with nothing on its standard input.
func cli(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return cliIn(t, "", env, args...)
}

// cliIn runs a subcommand to completion with stdin on its standard input (an operator's
// password, as a script pipes it).
func cliIn(t *testing.T, stdin string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	code = 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

// startHeadless starts `watchpost --headless` and waits until it has started. Its embedded
// broker and the demo's camera simulator listen on ports the system chooses (a Mosquitto or
// a camera server of the host on 1883 or 8554 is never mistaken for them): the broker
// through config.json in the data directory (written unless the test wrote one), the
// simulator through --sim-listen. The test fails unless both really started there: the
// broker takes the demo's credentials, the simulator describes the demo's cameras, and the
// site's cameras point at it.
func startHeadless(t *testing.T, data string, extra ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cfg := filepath.Join(data, "config.json")
	if _, err := os.Stat(cfg); os.IsNotExist(err) {
		require.NoError(t, os.WriteFile(cfg, []byte(`{"broker":{"listen":"127.0.0.1:0"},"web":{"listen":"127.0.0.1:0"}}`), 0o600))
	}
	noSim := slices.Contains(extra, "--no-sim")
	args := append([]string{"--headless", "--data", data}, extra...)
	if !noSim && !slices.Contains(extra, "--sim-listen") {
		args = append(args, "--sim-listen", "127.0.0.1:0")
	}
	cmd := exec.Command(binary, args...)
	pr, pw, err := os.Pipe()
	require.NoError(t, err)
	cmd.Stderr = pw
	require.NoError(t, cmd.Start())
	pw.Close()
	log := &bytes.Buffer{}
	started := make(chan string, 1) // the log up to "watchpost started"; "" if it exited before
	go func() {
		sc := bufio.NewScanner(pr)
		ok := false
		for sc.Scan() {
			log.WriteString(sc.Text() + "\n")
			if !ok && strings.Contains(sc.Text(), "watchpost started") {
				ok = true
				started <- log.String()
			}
		}
		if !ok {
			started <- ""
		}
	}()
	var startLog string
	select {
	case startLog = <-started:
		require.NotEmpty(t, startLog, "watchpost exited before starting:\n%s", log)
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("watchpost did not start within a minute:\n%s", log)
	}
	fail := func(format string, args ...any) {
		t.Helper()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf(format+"\n%s", append(args, startLog)...)
	}
	broker := logged(startLog, "device broker listening", "address")
	if broker == "" {
		fail("the embedded broker did not start")
	}
	if err := mqttConnects(broker); err != nil {
		fail("the embedded broker does not answer on %s: %v", broker, err)
	}
	if noSim {
		return cmd, log
	}
	cameras := logged(startLog, "demo cameras simulated", "address")
	if cameras == "" {
		fail("the demo's camera simulator did not start")
	}
	out, errOut, code := cli(t, nil, "site", "--json", "--data", data)
	require.Equal(t, 0, code, errOut)
	var site app.Site
	require.NoError(t, json.Unmarshal([]byte(out), &site))
	require.NotEmpty(t, site.Cameras)
	for _, c := range site.Cameras {
		if c.SubURL != "rtsp://"+cameras+"/"+c.ID+"/sub" {
			fail("camera %s is not on the simulator at %s: %s", c.ID, cameras, c.SubURL)
		}
	}
	if err := rtspDescribes(site.Cameras[0].SubURL); err != nil {
		fail("the demo's camera simulator does not serve %s: %v", site.Cameras[0].SubURL, err)
	}
	return cmd, log
}

// logged returns the value of key in the first log line with msg ("" if none).
func logged(log, msg, key string) string {
	for _, line := range strings.Split(log, "\n") {
		if !strings.Contains(line, `msg="`+msg+`"`) {
			continue
		}
		for _, f := range strings.Fields(line) {
			if v, ok := strings.CutPrefix(f, key+"="); ok {
				return v
			}
		}
	}
	return ""
}

// mqttConnects connects to an MQTT broker with the demo's credentials.
func mqttConnects(addr string) error {
	c := paho.NewClient(paho.NewClientOptions().AddBroker("tcp://" + addr).SetClientID("watchpost-test-probe").
		SetUsername("watchpost").SetPassword("sunshine-demo").SetConnectTimeout(15 * time.Second))
	tok := c.Connect()
	if !tok.WaitTimeout(20 * time.Second) {
		return fmt.Errorf("no CONNACK within 20 s")
	}
	if err := tok.Error(); err != nil {
		return err
	}
	c.Disconnect(100)
	return nil
}

// rtspDescribes asks an RTSP server to describe a stream and wants 200 OK.
func rtspDescribes(url string) error {
	host := strings.SplitN(strings.TrimPrefix(url, "rtsp://"), "/", 2)[0]
	conn, err := net.DialTimeout("tcp", host, 15*time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := fmt.Fprintf(conn, "DESCRIBE %s RTSP/1.0\r\nCSeq: 1\r\nAccept: application/sdp\r\n\r\n", url); err != nil {
		return err
	}
	status, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(status, "RTSP/1.0 200") {
		return fmt.Errorf("answered %q", strings.TrimSpace(status))
	}
	return nil
}

func TestHeadlessRunsAndTheCLIReadsItsSite(t *testing.T) {
	data := t.TempDir()
	cmd, log := startHeadless(t, data)

	// While the console runs: read the site back as a script would.
	out, errOut, code := cli(t, nil, "site", "--json", "--data", data)
	require.Equal(t, 0, code, errOut)
	var site app.Site
	require.NoError(t, json.Unmarshal([]byte(out), &site))
	assert.Equal(t, "demo", site.ID)
	assert.Equal(t, "阳光花园社区", site.Name)
	assert.Len(t, site.Grids, 5)
	assert.GreaterOrEqual(t, len(site.Buildings), 15)
	assert.GreaterOrEqual(t, len(site.Cameras), 8)
	assert.GreaterOrEqual(t, len(site.Devices), 60)
	// People's phones are masked in what the read-only command prints (138****8001).
	assert.Contains(t, out, "****")
	assert.False(t, regexp.MustCompile(`\b1[3-9][0-9]{9}\b`).MatchString(out), "no phone number in clear")

	out, errOut, code = cli(t, nil, "alarms", "--json", "--data", data)
	require.Equal(t, 0, code, errOut)
	var alarms []app.Alarm
	require.NoError(t, json.Unmarshal([]byte(out), &alarms))
	history := 0
	for _, a := range alarms {
		// The demo's expired and low supplies are maintenance notices; besides them only
		// what the south gate camera's analytics sees (a crowd by the sign at once), and
		// the work orders' (the weeks of history before the first start: their overdue
		// notices, the device faults that became orders; and faults of the simulated
		// devices, which become orders at once).
		if a.CameraID == "cam-gate-s" {
			continue
		}
		if a.Kind == app.AlarmOrderOverdue {
			history++
			continue
		}
		if a.Fault && a.State == app.AlarmResolved && (a.Kind == app.AlarmStreetlight || a.Kind == app.AlarmLowBattery) {
			continue
		}
		assert.True(t, a.Fault && a.Priority == app.P4, "only maintenance notices on a fresh demo: %+v", a)
	}
	assert.Positive(t, history, "the demo's order history is there")

	// A second console on the same data directory is refused.
	_, errOut, code = cli(t, nil, "--headless", "--data", data)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "already running on this data directory")

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, cmd.Wait(), "a clean stop on SIGTERM:\n%s", log)
	assert.Contains(t, log.String(), "watchpost stopped")

	out, errOut, code = cli(t, nil, "journal", "--json", "--data", data)
	require.Equal(t, 0, code, errOut)
	var kinds []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var e app.Entry
		require.NoError(t, json.Unmarshal([]byte(line), &e), line)
		kinds = append(kinds, string(e.Kind))
	}
	assert.Contains(t, kinds, "site.seeded")
	assert.Contains(t, kinds, "console.started")
	assert.Equal(t, "console.stopped", kinds[len(kinds)-1], "the journal's last word on the run")

	// The second start finds its data and seeds nothing again.
	cmd, log = startHeadless(t, data)
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	require.NoError(t, cmd.Wait())
	assert.NotContains(t, log.String(), "demo community set up")
	out, _, _ = cli(t, nil, "journal", "--json", "--data", data, "--subject", "site:demo")
	assert.Equal(t, 1, strings.Count(out, "site.seeded"))
}

func TestCLISince(t *testing.T) {
	data := t.TempDir()
	cmd, _ := startHeadless(t, data)
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, cmd.Wait())
	out, _, code := cli(t, nil, "journal", "--json", "--data", data, "--since", "1h")
	require.Equal(t, 0, code)
	assert.NotEmpty(t, out)
	out, _, code = cli(t, nil, "journal", "--json", "--data", data, "--since", time.Now().Add(time.Hour).Format(time.RFC3339))
	require.Equal(t, 0, code)
	assert.Empty(t, out)
	_, errOut, code := cli(t, nil, "journal", "--data", data, "--since", "yesterday-ish")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "give a time")

	// --limit shows the newest entries (like tail), oldest first.
	out, errOut, code = cli(t, nil, "journal", "--json", "--limit", "2", "--data", data)
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 2)
	var e1, e2 app.Entry
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &e1))
	require.NoError(t, json.Unmarshal([]byte(lines[1]), &e2))
	assert.Less(t, e1.Seq, e2.Seq, "oldest first")
	assert.Equal(t, app.KindConsoleStopped, e2.Kind, "the newest entry is the last line")
}

func TestBadInputGivesAClearMessageAndChangesNothing(t *testing.T) {
	t.Run("data directory is a file", func(t *testing.T) {
		f := filepath.Join(t.TempDir(), "not-a-dir")
		require.NoError(t, os.WriteFile(f, []byte("keep me"), 0o644))
		_, errOut, code := cli(t, nil, "--headless", "--data", f)
		assert.Equal(t, 1, code)
		assert.Contains(t, errOut, "is a file, not a directory")
		b, _ := os.ReadFile(f)
		assert.Equal(t, "keep me", string(b))
	})
	t.Run("unwritable data directory", func(t *testing.T) {
		_, errOut, code := cli(t, nil, "--headless", "--data", "/proc/self/fdinfo")
		assert.NotEqual(t, 0, code)
		assert.Contains(t, errOut, "cannot be")
	})
	t.Run("corrupt database", func(t *testing.T) {
		data := t.TempDir()
		junk := bytes.Repeat([]byte("not sqlite "), 400)
		db := filepath.Join(data, "watchpost.db")
		require.NoError(t, os.WriteFile(db, junk, 0o644))
		_, errOut, code := cli(t, nil, "--headless", "--data", data)
		assert.Equal(t, 1, code)
		assert.Contains(t, errOut, "is not a Watchpost database")
		b, _ := os.ReadFile(db)
		assert.Equal(t, junk, b, "nothing overwritten")
		_, errOut, code = cli(t, nil, "site", "--data", data)
		assert.Equal(t, 1, code)
		assert.Contains(t, errOut, "is not a Watchpost database")
	})
	t.Run("database from a newer version", func(t *testing.T) {
		data := t.TempDir()
		cmd, _ := startHeadless(t, data)
		require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
		require.NoError(t, cmd.Wait())
		path := filepath.Join(data, "watchpost.db")
		db, err := sql.Open("sqlite", path)
		require.NoError(t, err)
		_, err = db.ExecContext(context.Background(), "PRAGMA user_version = 99")
		require.NoError(t, err)
		db.Close()
		before, _ := os.ReadFile(path)
		_, errOut, code := cli(t, nil, "--headless", "--data", data)
		assert.Equal(t, 1, code)
		assert.Contains(t, errOut, "written by a newer Watchpost")
		after, _ := os.ReadFile(path)
		assert.Equal(t, before, after)
	})
	t.Run("unknown configuration key", func(t *testing.T) {
		data := t.TempDir()
		cfg := filepath.Join(t.TempDir(), "watchpost.json")
		require.NoError(t, os.WriteFile(cfg, []byte(`{"language":"en","brokr":{}}`), 0o644))
		_, errOut, code := cli(t, nil, "--headless", "--data", data, "--config", cfg)
		assert.Equal(t, 2, code)
		assert.Contains(t, errOut, "Unknown setting brokr in the configuration")
		assert.Contains(t, errOut, cfg)
		_, err := os.Stat(filepath.Join(data, "watchpost.db"))
		assert.True(t, os.IsNotExist(err), "nothing was created")
	})
	t.Run("missing configuration file", func(t *testing.T) {
		_, errOut, code := cli(t, nil, "--headless", "--data", t.TempDir(), "--config", "/nonexistent/watchpost.json")
		assert.Equal(t, 2, code)
		assert.Contains(t, errOut, "cannot be read")
	})
	t.Run("read-only command before any console ran", func(t *testing.T) {
		_, errOut, code := cli(t, nil, "site", "--data", t.TempDir())
		assert.Equal(t, 1, code)
		assert.Contains(t, errOut, "start the console once")
	})
	t.Run("simulator address without a port", func(t *testing.T) {
		data := t.TempDir()
		_, errOut, code := cli(t, nil, "--headless", "--data", data, "--sim-listen", "127.0.0.1")
		assert.Equal(t, 2, code)
		assert.Contains(t, errOut, `--sim-listen "127.0.0.1": give a host and a port`)
		_, err := os.Stat(filepath.Join(data, "watchpost.db"))
		assert.True(t, os.IsNotExist(err), "nothing was created")
	})
	t.Run("unknown command", func(t *testing.T) {
		_, errOut, code := cli(t, nil, "sitee")
		assert.Equal(t, 2, code)
		assert.Contains(t, errOut, `unknown command "sitee"`)
	})
}

func TestNoLocaleErrorForLangC(t *testing.T) {
	for _, env := range [][]string{
		{"LANG=C", "LC_ALL=", "LC_MESSAGES=", "LANGUAGE="},
		{"LANG=C.UTF-8", "LC_ALL=", "LC_MESSAGES=", "LANGUAGE="},
		{"LANG=", "LC_ALL=C.UTF-8", "LC_MESSAGES=", "LANGUAGE="},
	} {
		_, errOut, code := cli(t, env, "version")
		assert.Equal(t, 0, code)
		assert.NotContains(t, errOut, "Fyne error", env)
		assert.NotContains(t, errOut, "locale", env)
	}
}

func TestHelpExitsZero(t *testing.T) {
	for _, arg := range []string{"--help", "-h", "-help"} {
		out, errOut, code := cli(t, nil, arg)
		assert.Equal(t, 0, code, arg)
		assert.Contains(t, out, "Usage:\n  watchpost [--data DIR]", "the usage on standard output: %s", arg)
		assert.Empty(t, errOut, arg)
	}
	out, errOut, code := cli(t, nil, "--no-such-flag")
	assert.Equal(t, 2, code, "a mistake is still a usage error")
	assert.Empty(t, out)
	assert.Contains(t, errOut, "flag provided but not defined: -no-such-flag")
	assert.Contains(t, errOut, "Usage:", "with the usage on standard error")
}

func TestAFailedStartWithoutAWindowStaysOnStandardError(t *testing.T) {
	data := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(data, "config.json"), []byte(`{"language":"zh-CN","brokr":{}}`), 0o600))
	for _, tc := range []struct {
		name string
		env  []string
		args []string
	}{
		{"headless, no display", []string{"DISPLAY=", "WAYLAND_DISPLAY="}, []string{"--headless"}},
		// A display is named but --headless: never a window, so no X connection is tried.
		{"headless with a display", []string{"DISPLAY=:987", "WAYLAND_DISPLAY="}, []string{"--headless"}},
		// A display that cannot be opened (a stale DISPLAY over ssh): the window cannot be
		// shown, and the message stays on standard error instead of a GLFW panic.
		{"display that cannot be opened", []string{"DISPLAY=:987", "WAYLAND_DISPLAY="}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, code := cli(t, tc.env, append(tc.args, "--data", data)...)
			assert.Equal(t, 2, code, errOut)
			assert.Contains(t, errOut, "Unknown setting brokr in the configuration")
			assert.NotContains(t, errOut, "panic")
			if len(tc.args) > 0 {
				assert.NotContains(t, errOut, "X11", "headless tries no window")
			}
		})
	}
}

func TestConfigLanguageOfARefusedFile(t *testing.T) {
	dir := t.TempDir()
	write := func(s string) string {
		p := filepath.Join(dir, "config.json")
		require.NoError(t, os.WriteFile(p, []byte(s), 0o600))
		return p
	}
	assert.Equal(t, "zh-CN", configLanguage(write(`{"language":"zh-CN","brokr":{}}`)), "an unknown key elsewhere")
	assert.Equal(t, "zh-CN", configLanguage(write(`{"language":"zh-CN","broker":{"url":5}}`)), "a wrong value elsewhere")
	assert.Equal(t, "", configLanguage(write(`{"language":`)), "not JSON")
	assert.Equal(t, "", configLanguage(filepath.Join(dir, "missing.json")))
}

func TestTheDutyLogIsTheJournalsShiftSubject(t *testing.T) {
	data := t.TempDir()
	cmd, _ := startHeadless(t, data)
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, cmd.Wait())

	// A handover, as the console's dialog makes it.
	ctx := context.Background()
	core, st := newCoreWith(t, data, app.Ports{}) // the console's data as it left it: nothing seeded
	duty, err := core.Accounts.SignIn(ctx, "duty", "sunshine-demo")
	require.NoError(t, err)
	_, h, err := core.Shifts.Handover(ctx, duty,
		app.HandoverRequest{OutgoingPassword: "sunshine-demo", Incoming: "duty2", IncomingPassword: "sunshine-demo", Note: "夜班平安，2号楼路灯待修。"})
	require.NoError(t, err)
	require.NoError(t, st.Close())

	out, errOut, code := cli(t, nil, "journal", "--data", data, "--subject", "shift:")
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 1, out)
	assert.Contains(t, lines[0], "shift.handover")
	assert.Contains(t, lines[0], fmt.Sprintf("shift:%d", h.ID))
	assert.Contains(t, lines[0], "duty")

	out, _, code = cli(t, nil, "journal", "--json", "--data", data, "--subject", "shift:")
	require.Equal(t, 0, code)
	var e app.Entry
	require.NoError(t, json.Unmarshal([]byte(out), &e))
	back, err := app.HandoverOf(&e)
	require.NoError(t, err)
	assert.Equal(t, "duty2", back.Incoming)
	assert.Equal(t, "夜班平安，2号楼路灯待修。", back.Note)
}
