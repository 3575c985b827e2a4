package devices_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/devices"
)

// documentedMosquitto is the mosquitto.conf that docs/devices.md gives a site's own broker
// (nothing the console's persistent session is owed is dropped while it is away), as
// written there, its persistence in the test's folder.
func documentedMosquitto(t *testing.T) string {
	doc, err := os.ReadFile("../docs/devices.md")
	require.NoError(t, err)
	_, block, ok := strings.Cut(string(doc), "Put this in `mosquitto.conf`:")
	require.True(t, ok, "docs/devices.md gives the Mosquitto settings")
	_, block, _ = strings.Cut(block, "```text\n")
	block, _, _ = strings.Cut(block, "```")
	var conf []string
	for _, line := range strings.Split(block, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "persistence_location") {
			conf = append(conf, line)
		}
	}
	require.Contains(t, conf, "max_queued_messages 0")
	return strings.Join(conf, "\n") + "\n"
}

// Mosquitto's default bounds the queue of an offline session (1,000); 50 keeps the test small.
const defaultishMosquitto = "max_queued_messages 50\n"

// siteMosquitto runs Mosquitto with the test's password file and settings on a free port.
func siteMosquitto(t *testing.T, settings string) string {
	t.Helper()
	need(t, "mosquitto")
	need(t, "mosquitto_passwd")
	dir := t.TempDir()
	require.NoError(t, os.Chmod(dir, 0o777)) // Mosquitto started as root drops to its own user
	require.NoError(t, os.Chmod(filepath.Dir(dir), 0o755))
	pw := filepath.Join(dir, "passwd")
	out, err := exec.Command("mosquitto_passwd", "-b", "-c", pw, user, password).CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.NoError(t, os.Chmod(pw, 0o644))
	for try := 1; ; try++ {
		port := freePort(t)
		conf := filepath.Join(dir, "mosquitto.conf")
		require.NoError(t, os.WriteFile(conf, []byte(fmt.Sprintf("listener %d 127.0.0.1\nallow_anonymous false\npassword_file %s\n"+
			"persistence_location %s/\nlog_dest stderr\nlog_type error\nlog_type warning\nlog_type notice\nlog_type information\n%s",
			port, pw, dir, settings)), 0o644))
		cmd := exec.Command("mosquitto", "-c", conf)
		logs, err := cmd.StderrPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		sc := bufio.NewScanner(logs)
		var said []string
		running := false
		for !running && sc.Scan() {
			said = append(said, sc.Text())
			running = strings.Contains(sc.Text(), " running")
		}
		if !running {
			_ = cmd.Wait()
			if why := strings.Join(said, "\n"); !strings.Contains(why, "Address already in use") || try >= 5 {
				t.Fatalf("mosquitto did not start:\n%s", why)
			}
			continue
		}
		go func() {
			for sc.Scan() {
			}
		}()
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		return fmt.Sprintf("tcp://127.0.0.1:%d", port)
	}
}

// A site's Mosquitto keeps what devices publish while the console is away (its client
// stopped and started again, same persistent session). With the settings docs/devices.md
// gives, every numbered message is journaled once and no gap is reported; at Mosquitto's
// default queue limit it drops what is beyond it, and the console reports the gap with its
// count: exactly the numbers it never journaled.
func TestASiteMosquittoAcrossAConsoleRestart(t *testing.T) {
	for name, c := range map[string]struct {
		settings string
		lossy    bool
	}{
		"documented settings":     {documentedMosquitto(t), false},
		"default queue (bounded)": {defaultishMosquitto, true},
	} {
		t.Run(name, func(t *testing.T) {
			url := siteMosquitto(t, c.settings)
			e := newEngine(t)
			run(t, e.ingest) // supervision: a gap late past its grace is reported
			const id = "smoke-b03-u2-12"
			client := func() (*devices.Client, func()) {
				cl, err := devices.NewClient(devices.ClientConfig{URL: url, Username: user, Password: password, ClientID: "watchpost-seq",
					Site: "demo", Log: quiet}, e.ingest, e.kindOf, nil)
				require.NoError(t, err)
				return cl, run(t, cl)
			}
			cl, stop := client()
			waitFor(t, cl.Ready(), "the console subscribes")
			pub := publisher(t, url, id)
			const total = 300
			send := func(seq int) {
				tok := pub.Publish("watchpost/demo/"+id+"/heartbeat", 1, false, numbered(seq, "run1"))
				require.True(t, tok.WaitTimeout(15*time.Second), "Mosquitto acknowledges %d", seq)
				require.NoError(t, tok.Error())
			}
			send(1)
			require.Eventually(t, func() bool { return e.seqsOf(t, id)[1] == 1 }, 15*time.Second, 20*time.Millisecond)

			stop() // the console goes away; the device goes on, acknowledged by Mosquitto
			for seq := 2; seq <= total-10; seq++ {
				send(seq)
			}
			cl, _ = client() // back, the same persistent session
			waitFor(t, cl.Ready(), "the console subscribes again")
			for seq := total - 9; seq <= total; seq++ {
				send(seq)
			}

			if !c.lossy {
				require.Eventually(t, func() bool { return len(e.seqsOf(t, id)) == total }, 30*time.Second, 50*time.Millisecond,
					"every message Mosquitto acknowledged is journaled")
				for seq, n := range e.seqsOf(t, id) {
					assert.Equal(t, 1, n, "seq %d journaled once", seq)
				}
				assert.Empty(t, e.gaps(t), "nothing missing: no gap")
				st, _ := e.ingest.Monitor().State(id)
				assert.Zero(t, st.Gaps)
				return
			}
			require.Eventually(t, func() bool { return len(e.gaps(t)) > 0 }, 30*time.Second, 50*time.Millisecond, "the gap is reported")
			got := e.seqsOf(t, id)
			var missing uint64
			for _, g := range e.gaps(t) {
				assert.Equal(t, id, g.Device)
				for seq := g.From; seq <= g.To; seq++ {
					assert.Zero(t, got[seq], "seq %d is in the gap %+v and journaled", seq, g)
				}
				missing += g.Missing
			}
			for seq, n := range got {
				assert.Equal(t, 1, n, "seq %d journaled once", seq)
			}
			t.Logf("Mosquitto with a queue of 50: %d of %d journaled, %d reported missing", len(got), total, missing)
			assert.Equal(t, uint64(total), uint64(len(got))+missing, "what is not journaled is the gap, to the message")
			assert.Greater(t, missing, uint64(total/2), "Mosquitto dropped most of what it queued")
			st, _ := e.ingest.Monitor().State(id)
			assert.Equal(t, int64(missing), st.Gaps, "the device's state counts them")
			assert.NotEmpty(t, e.journal(t, app.KindDeviceGap))
		})
	}
}

// A site broker sends its retained copy of a device's state on every subscription (each
// time the console connects): an old message, not news of the device's count. The copy of
// a message already journaled is not journaled again, and a copy from the device's
// previous run is no restart and makes no gap.
func TestARetainedCopyIsNoNewsOfTheCount(t *testing.T) {
	url := siteMosquitto(t, documentedMosquitto(t))
	e := newEngine(t)
	const id = "light-04"
	client := func() (*devices.Client, func()) {
		cl, err := devices.NewClient(devices.ClientConfig{URL: url, Username: user, Password: password, ClientID: "watchpost-retained",
			Site: "demo", Log: quiet}, e.ingest, e.kindOf, nil)
		require.NoError(t, err)
		return cl, run(t, cl)
	}
	cl, stop := client()
	waitFor(t, cl.Ready(), "the console subscribes")
	pub := publisher(t, url, id)
	send := func(typ string, retained bool, payload string) {
		tok := pub.Publish("watchpost/demo/"+id+"/"+typ, 1, retained, payload)
		require.True(t, tok.WaitTimeout(15*time.Second))
		require.NoError(t, tok.Error())
	}
	state := `{"type":"state","ts":1764293400000,"on":true,"seq":1,"boot":"r1"}`
	send("state", true, state)
	send("heartbeat", false, numbered(2, "r1"))
	require.Eventually(t, func() bool { return len(e.seqsOf(t, id)) == 2 }, 15*time.Second, 20*time.Millisecond)

	stop()
	cl, stop = client() // Mosquitto sends the retained state again
	waitFor(t, cl.Ready(), "the console subscribes again")
	send("heartbeat", false, numbered(3, "r1"))
	require.Eventually(t, func() bool { return e.seqsOf(t, id)[3] == 1 }, 15*time.Second, 20*time.Millisecond)
	assert.Equal(t, map[uint64]int{1: 1, 2: 1, 3: 1}, e.seqsOf(t, id), "the retained copy of 1 is not journaled again")

	// The device restarts (run r2) and sends heartbeats; its retained state is still r1's.
	for seq := 1; seq <= 3; seq++ {
		send("heartbeat", false, numbered(seq, "r2"))
	}
	require.Eventually(t, func() bool { return len(e.journal(t, app.KindDeviceReading)) == 6 }, 15*time.Second, 20*time.Millisecond)
	stop()
	cl, _ = client() // the retained state of r1 again, then r2 goes on
	waitFor(t, cl.Ready(), "the console subscribes again")
	send("heartbeat", false, numbered(4, "r2"))
	send("heartbeat", false, numbered(5, "r2"))
	require.Eventually(t, func() bool {
		for _, en := range e.journal(t, app.KindDeviceReading) {
			var r app.Reading
			if en.Decode(&r) == nil && r.Boot == "r2" && r.Seq == 5 {
				return true
			}
		}
		return false
	}, 15*time.Second, 20*time.Millisecond)
	// Anything pending is late by the second of these.
	e.deliver(t, id, numbered(6, "r2"), time.Now().Add(2*app.GapGrace))
	e.deliver(t, id, numbered(7, "r2"), time.Now().Add(4*app.GapGrace))
	assert.Empty(t, e.gaps(t), "r1's retained state is no restart: r2 lost nothing")
}
