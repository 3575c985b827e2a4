package devices_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/devices"
	"watchpost/store"
)

func oneDevice(e *engine, id string) []app.Device {
	d, _ := e.site.Device(id)
	return []app.Device{*d}
}

func TestLastWillRaisesOfflineAndItClears(t *testing.T) {
	devices.OfflineFor = 2 * time.Second
	e := newEngine(t)
	addr := e.startBroker(t)
	sim, err := devices.NewSim(devices.SimConfig{Broker: "tcp://" + addr, Username: user, Password: password, Site: "demo",
		Devices: oneDevice(e, "light-04"), Log: quiet})
	require.NoError(t, err)
	run(t, sim)
	waitFor(t, sim.Ready(), "the simulated device connects")
	require.Eventually(t, func() bool {
		st, ok := e.ingest.Monitor().State("light-04")
		return ok && st.Online && st.Messages >= 2
	},
		10*time.Second, 20*time.Millisecond, "the device is up")
	_, err = sim.Play("offline")
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		for _, a := range e.desk.Open() {
			if a.DeviceID == "light-04" && a.Kind == app.AlarmOffline {
				return true
			}
		}
		return false
	}, 10*time.Second, 20*time.Millisecond, "the broker published the Last Will and it raised the fault")
	require.Eventually(t, func() bool { return len(e.desk.Open()) == 0 }, 10*time.Second, 50*time.Millisecond,
		"the device reconnected, said online, and the fault cleared itself")
	st, _ := e.ingest.Monitor().State("light-04")
	assert.True(t, st.Online)
}

// mosquitto runs a real Mosquitto with a password file on a free port. Mosquitto cannot be
// handed a listener, so a port that another process takes between the choice and
// Mosquitto's bind is tried again with another; the broker counts as started only once it
// says it runs (something else listening on the port is never mistaken for it).
func mosquitto(t testing.TB) (url string, stop func()) {
	need(t, "mosquitto")
	need(t, "mosquitto_passwd")
	dir := t.TempDir()
	// Mosquitto started as root drops to its own user: let it read its files.
	require.NoError(t, os.Chmod(dir, 0o755))
	require.NoError(t, os.Chmod(filepath.Dir(dir), 0o755))
	pw := filepath.Join(dir, "passwd")
	out, err := exec.Command("mosquitto_passwd", "-b", "-c", pw, user, password).CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.NoError(t, os.Chmod(pw, 0o644))
	for try := 1; ; try++ {
		port := freePort(t)
		conf := filepath.Join(dir, "mosquitto.conf")
		require.NoError(t, os.WriteFile(conf, []byte(fmt.Sprintf(
			"listener %d 127.0.0.1\nallow_anonymous false\npassword_file %s\npersistence false\n"+
				// A site broker for the console (DESIGN.md): no bound on what is queued for its
				// persistent session while it is away, and many messages in flight to it.
				"max_queued_messages 0\nmax_inflight_messages 1000\n"+
				"log_dest stderr\nlog_type error\nlog_type warning\nlog_type notice\nlog_type information\n", port, pw)), 0o644))
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
		if !running { // it stopped: its log says why
			_ = cmd.Wait()
			why := strings.Join(said, "\n")
			if strings.Contains(why, "Address already in use") && try < 5 {
				continue
			}
			t.Fatalf("mosquitto did not start:\n%s", why)
		}
		go func() { // the rest of its log, as before
			for sc.Scan() {
				fmt.Fprintln(os.Stderr, sc.Text())
			}
		}()
		stop = func() {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
		t.Cleanup(stop)
		return fmt.Sprintf("tcp://127.0.0.1:%d", port), stop
	}
}

func publisher(t testing.TB, url, id string) paho.Client {
	c := paho.NewClient(paho.NewClientOptions().AddBroker(url).SetClientID(id).SetUsername(user).SetPassword(password).
		SetCleanSession(false).SetAutoReconnect(true).SetConnectRetry(true).SetConnectRetryInterval(200 * time.Millisecond))
	tok := c.Connect()
	require.True(t, tok.WaitTimeout(10*time.Second))
	require.NoError(t, tok.Error())
	t.Cleanup(func() { c.Disconnect(100) })
	return c
}

func heartbeat(seq int) []byte {
	return []byte(fmt.Sprintf(`{"type":"heartbeat","ts":"%s","battery":90,"n":%d}`, time.Now().UTC().Format(time.RFC3339Nano), seq))
}

func seqsIn(t testing.TB, st *store.Store) map[int]bool {
	es, err := st.Query(context.Background(), app.JournalQuery{Kinds: []app.EntryKind{app.KindDeviceReading}})
	require.NoError(t, err)
	got := map[int]bool{}
	for _, e := range es {
		if m := seqField.FindSubmatch(e.Data); m != nil {
			n, _ := strconv.Atoi(string(m[1]))
			got[n] = true
		}
	}
	return got
}

func TestExternalMosquittoWithoutLossAcrossARestart(t *testing.T) {
	url, _ := mosquitto(t)
	e := newEngine(t)
	client := func() (*devices.Client, func()) {
		c, err := devices.NewClient(devices.ClientConfig{URL: url, Username: user, Password: password, ClientID: "watchpost-test", Site: "demo", Log: quiet},
			e.ingest, e.kindOf, nil)
		require.NoError(t, err)
		return c, run(t, c)
	}
	c, stop := client()
	waitFor(t, c.Ready(), "the console subscribes")
	pub := publisher(t, url, "sim-smoke")
	// The console's persistent subscription must exist before it goes away.
	tok := pub.Publish("watchpost/demo/smoke-b03-u2-12/heartbeat", 1, false, heartbeat(0))
	require.True(t, tok.WaitTimeout(15*time.Second))
	require.Eventually(t, func() bool { return seqsIn(t, e.store)[0] }, 15*time.Second, 20*time.Millisecond)

	// Mosquitto as an independent publisher of the contract.
	out, err := exec.Command("mosquitto_pub", "-L", strings.Replace(url, "tcp://", "mqtt://"+user+":"+password+"@", 1)+"/watchpost/demo/sos-playground/event",
		"-q", "1", "-m", `{"type":"sos","ts":1764293400000,"pressed":true}`).CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Eventually(t, func() bool { return len(e.desk.Open()) == 1 }, 10*time.Second, 20*time.Millisecond)

	stop() // the console goes away; devices keep publishing
	for i := 1; i <= 200; i++ {
		tok := pub.Publish("watchpost/demo/smoke-b03-u2-12/heartbeat", 1, false, heartbeat(i))
		require.True(t, tok.WaitTimeout(15*time.Second))
		require.NoError(t, tok.Error())
	}
	client() // back, with the same persistent session
	require.Eventually(t, func() bool { return len(seqsIn(t, e.store)) == 201 }, 20*time.Second, 50*time.Millisecond,
		"everything published while the console was away is journaled")
}

// TestKillMinus9LosesNoAcknowledgedMessage runs the embedded broker and the store in a
// child process, publishes at QoS 1 from here, kills the child with SIGKILL in the middle,
// and checks that every message whose PUBACK arrived is in the journal.
func TestKillMinus9LosesNoAcknowledgedMessage(t *testing.T) {
	if dir := os.Getenv("WATCHPOST_KILL_CHILD"); dir != "" {
		killChild(t, dir)
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillMinus9LosesNoAcknowledgedMessage$")
	cmd.Env = append(os.Environ(), "WATCHPOST_KILL_CHILD="+dir)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	sc := bufio.NewScanner(stdout)
	var addr string
	for sc.Scan() {
		if a, ok := strings.CutPrefix(sc.Text(), "LISTENING "); ok {
			addr = a
			break
		}
	}
	require.NotEmpty(t, addr, "the child started its broker")

	const publishers = 8
	var mu sync.Mutex
	acked := map[int]bool{}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for p := 0; p < publishers; p++ {
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			c := paho.NewClient(paho.NewClientOptions().AddBroker("tcp://" + addr).SetClientID(fmt.Sprintf("pub-%d", p)).
				SetUsername(user).SetPassword(password).SetAutoReconnect(false))
			if tok := c.Connect(); !tok.WaitTimeout(15*time.Second) || tok.Error() != nil {
				return
			}
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				seq := p*1_000_000 + i
				tok := c.Publish("watchpost/demo/smoke-b03-u2-12/heartbeat", 1, false, heartbeat(seq))
				if !tok.WaitTimeout(15*time.Second) || tok.Error() != nil {
					return // the broker died (the kill ends the wait at once: the connection drops)
				}
				mu.Lock()
				acked[seq] = true
				mu.Unlock()
			}
		}(p)
	}
	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(acked) > 1500 }, 30*time.Second, 10*time.Millisecond)
	require.NoError(t, cmd.Process.Kill())
	_ = cmd.Wait()
	close(stop)
	wg.Wait()

	st, err := store.Open(context.Background(), filepath.Join(dir, store.FileName), store.Options{Log: quiet})
	require.NoError(t, err, "the database opens after the kill")
	defer st.Close()
	got := seqsIn(t, st)
	mu.Lock()
	defer mu.Unlock()
	missing := 0
	for seq := range acked {
		if !got[seq] {
			missing++
		}
	}
	t.Logf("%d messages acknowledged before the kill, %d journaled (some unacknowledged ones made it too)", len(acked), len(got))
	assert.Zero(t, missing, "acknowledged messages missing from the journal")
}

func killChild(t *testing.T, dir string) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dir, store.FileName), store.Options{Log: quiet})
	require.NoError(t, err)
	e := engineOn(t, st, demoSite)
	addr := e.startBroker(t)
	fmt.Println("LISTENING " + addr)
	select {} // until killed
}

var _ = json.Marshal
