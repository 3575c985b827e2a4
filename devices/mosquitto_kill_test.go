package devices_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"sync"
	"syscall"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/devices"
	"watchpost/store"
)

// TestKillMinus9OfTheConsoleOnASiteBroker: devices publish to a real Mosquitto (the site's
// broker) and are acknowledged by it; the console, a child process with the store and the
// site-broker client, is killed with SIGKILL while it takes them in, then started again
// with the same persistent session. Every message Mosquitto acknowledged to a device is in
// the journal after the restart: those queued while the console was away and those it had
// received but not yet journaled (it acknowledges only after journaling).
func TestKillMinus9OfTheConsoleOnASiteBroker(t *testing.T) {
	if dir := os.Getenv("WATCHPOST_SITE_BROKER_CHILD"); dir != "" {
		siteBrokerChild(t, dir, os.Getenv("WATCHPOST_SITE_BROKER_URL"))
		return
	}
	url, _ := mosquitto(t)
	dir := t.TempDir()
	start := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKillMinus9OfTheConsoleOnASiteBroker$")
		cmd.Env = append(os.Environ(), "WATCHPOST_SITE_BROKER_CHILD="+dir, "WATCHPOST_SITE_BROKER_URL="+url)
		stdout, err := cmd.StdoutPipe()
		require.NoError(t, err)
		cmd.Stderr = os.Stderr
		require.NoError(t, cmd.Start())
		sc := bufio.NewScanner(stdout)
		ready := false
		for sc.Scan() {
			if sc.Text() == "SUBSCRIBED" {
				ready = true
				break
			}
		}
		require.True(t, ready, "the console subscribed on the site broker")
		go func() { _, _ = bufio.NewReader(stdout).WriteTo(os.Stdout) }()
		return cmd
	}
	console := start()
	t.Cleanup(func() { _ = console.Process.Kill(); _ = console.Wait() })

	// Journaled so far, read beside the running console.
	journaled := func() map[int]bool {
		st, err := store.Open(context.Background(), filepath.Join(dir, store.FileName), store.Options{ReadOnly: true, Log: quiet})
		require.NoError(t, err)
		defer st.Close()
		return seqsIn(t, st)
	}

	const publishers = 6
	var mu sync.Mutex
	acked := map[int]bool{}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	devs := []string{"smoke-b03-u2-12", "smoke-b04-u1-16", "light-04", "manhole-01", "light-01", "smoke-b01-u1-3"}
	for p := 0; p < publishers; p++ {
		c := paho.NewClient(paho.NewClientOptions().AddBroker(url).SetClientID(fmt.Sprintf("site-pub-%d", p)).
			SetUsername(user).SetPassword(password).SetAutoReconnect(false))
		tok := c.Connect()
		require.True(t, tok.WaitTimeout(10*time.Second))
		require.NoError(t, tok.Error(), "publisher %d connects to Mosquitto", p)
		defer c.Disconnect(100)
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			topic := "watchpost/demo/" + devs[p] + "/heartbeat"
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				seq := p*1_000_000 + i
				tok := c.Publish(topic, 1, false, heartbeat(seq))
				if !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
					t.Errorf("Mosquitto did not acknowledge %d: %v", seq, tok.Error())
					return
				}
				mu.Lock()
				acked[seq] = true
				mu.Unlock()
			}
		}(p)
	}
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(acked) }

	// The console is taking messages in, behind the devices: kill it then.
	require.Eventually(t, func() bool { return len(journaled()) >= 300 && count() > len(journaled())+200 }, 60*time.Second, 50*time.Millisecond,
		"the console journals while the devices publish faster")
	require.NoError(t, console.Process.Signal(syscall.SIGKILL))
	_ = console.Wait()
	before := count()
	require.Eventually(t, func() bool { return count() >= before+300 }, 30*time.Second, 10*time.Millisecond,
		"the devices go on publishing while the console is away")
	close(stop)
	wg.Wait()
	got := journaled()
	mu.Lock()
	waiting := 0
	for seq := range acked {
		if !got[seq] {
			waiting++
		}
	}
	mu.Unlock()
	t.Logf("%d acknowledged by Mosquitto, %d journaled when the console was killed, %d to take in after the restart", len(acked), len(got), waiting)
	require.Positive(t, waiting)

	console = start() // the same client ID, the same persistent session
	mu.Lock()
	defer mu.Unlock()
	// Wait while the console takes the backlog in: the test fails when the journal stops
	// growing with acknowledged messages still missing (a loaded machine is slow, not lossy).
	var missing []int
	journaledNow, progressAt := 0, time.Now()
	for {
		got := journaled()
		missing = missing[:0]
		for seq := range acked {
			if !got[seq] {
				missing = append(missing, seq)
			}
		}
		if len(got) > journaledNow {
			journaledNow, progressAt = len(got), time.Now()
		}
		if len(missing) == 0 || time.Since(progressAt) > 30*time.Second {
			break
		}
		time.Sleep(200 * time.Millisecond) // polling the journal of the other process
	}
	sort.Ints(missing)
	assert.Empty(t, missing, "acknowledged by Mosquitto, never journaled: %d of %d (the journal holds %d readings and stopped growing), e.g. %v",
		len(missing), len(acked), journaledNow, missing[:min(10, len(missing))])
}

// siteBrokerChild is the console of the test above: the store and the site-broker client.
func siteBrokerChild(t *testing.T, dir, url string) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dir, store.FileName), store.Options{Log: quiet})
	require.NoError(t, err)
	e := engineOn(t, st, demoSite) // the demo community on the first start only
	c, err := devices.NewClient(devices.ClientConfig{URL: url, Username: user, Password: password, ClientID: "watchpost-killed",
		Site: "demo", Log: quiet}, e.ingest, e.kindOf, nil)
	require.NoError(t, err)
	run(t, c)
	waitFor(t, c.Ready(), "the console subscribes")
	fmt.Println("SUBSCRIBED")
	select {} // until killed
}
