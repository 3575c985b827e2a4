package devices_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/devices"
)

// A site's own Mosquitto, given the files Watchpost writes, is as closed as the embedded
// broker: a device with its credentials publishes its own topics and is refused another
// device's, and may read only its command topic; the console's account reads everything.
func TestMosquittoFilesCloseASiteBroker(t *testing.T) {
	need(t, "mosquitto")
	dir := t.TempDir()
	require.NoError(t, os.Chmod(dir, 0o755)) // Mosquitto started as root drops to its own user
	require.NoError(t, os.Chmod(filepath.Dir(dir), 0o755))
	smokePw, braceletPw := "s3cret-smoke-pw-0123456789", "s3cret-bracelet-pw-012345"
	// The smoke detector's line first (as when it was added), then the bracelet's (made
	// later): the first line is kept.
	_, _, err := devices.WriteMosquittoFiles(dir, "demo", user, map[string]string{user: password, smoke: smokePw})
	require.NoError(t, err)
	passwd, acl, err := devices.WriteMosquittoFiles(dir, "demo", user, map[string]string{bracelet: braceletPw})
	require.NoError(t, err)
	text, _ := os.ReadFile(passwd)
	assert.Equal(t, 3, strings.Count(string(text), ":$7$101$"), "%s", text)
	assert.NotContains(t, string(text), smokePw)
	info, err := os.Stat(passwd)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	require.NoError(t, os.Chmod(passwd, 0o644))
	require.NoError(t, os.Chmod(acl, 0o644))
	url := startMosquittoWith(t, dir, fmt.Sprintf("password_file %s\nacl_file %s\nuse_username_as_clientid true\n", passwd, acl))

	var mu sync.Mutex
	var seen []string
	console := paho.NewClient(paho.NewClientOptions().AddBroker(url).SetClientID("console").SetUsername(user).SetPassword(password))
	tok := console.Connect()
	require.True(t, tok.WaitTimeout(15*time.Second))
	require.NoError(t, tok.Error())
	defer console.Disconnect(50)
	tok = console.Subscribe("watchpost/#", 1, func(_ paho.Client, m paho.Message) {
		mu.Lock()
		seen = append(seen, m.Topic()+" "+string(m.Payload()))
		mu.Unlock()
	})
	require.True(t, tok.WaitTimeout(15*time.Second))

	var read []string
	dev := paho.NewClient(paho.NewClientOptions().AddBroker(url).SetClientID(smoke).SetUsername(smoke).SetPassword(smokePw))
	tok = dev.Connect()
	require.True(t, tok.WaitTimeout(15*time.Second))
	require.NoError(t, tok.Error(), "the device signs in with the password file's line (Mosquitto's own format)")
	defer dev.Disconnect(50)
	// Mosquitto grants a subscription to # and checks each message against the ACL as it
	// delivers it: the detector gets its own command and never the door entry before it.
	sub := dev.Subscribe("#", 1, func(_ paho.Client, m paho.Message) {
		mu.Lock()
		read = append(read, m.Topic())
		mu.Unlock()
	})
	require.True(t, sub.WaitTimeout(15*time.Second))
	for _, topic := range []string{"watchpost/demo/door-b05-u1/event", "watchpost/demo/" + smoke + "/command"} {
		tok := console.Publish(topic, 1, false, `{}`)
		require.True(t, tok.WaitTimeout(15*time.Second))
	}
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(read) > 0
	}, 15*time.Second, 20*time.Millisecond, "the device reads its command")
	mu.Lock()
	assert.Equal(t, []string{"watchpost/demo/" + smoke + "/command"}, read, "and nothing else")
	mu.Unlock()
	for _, m := range []struct{ topic, payload string }{
		{"watchpost/demo/" + bracelet + "/event", `{"type":"fall","fall":true}`}, // another's: dropped
		{"watchpost/demo/" + smoke + "/heartbeat", `{"type":"heartbeat"}`},       // its own
	} {
		tok := dev.Publish(m.topic, 1, false, m.payload)
		require.True(t, tok.WaitTimeout(15*time.Second))
	}
	heartbeat := "watchpost/demo/" + smoke + `/heartbeat {"type":"heartbeat"}`
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return slices.Contains(seen, heartbeat)
	}, 15*time.Second, 20*time.Millisecond, "the device's own message arrives")
	mu.Lock()
	for _, m := range seen {
		assert.NotContains(t, m, bracelet, "the fall for the bracelet, published before it, never did")
	}
	mu.Unlock()

	wrong := paho.NewClient(paho.NewClientOptions().AddBroker(url).SetClientID(bracelet).SetUsername(bracelet).SetPassword(smokePw))
	tok = wrong.Connect()
	require.True(t, tok.WaitTimeout(15*time.Second))
	assert.Error(t, tok.Error(), "the detector's password is not the bracelet's")
}

// startMosquittoWith runs Mosquitto on a free port with these lines added to its
// configuration (tried again on another port when one is taken meanwhile).
func startMosquittoWith(t testing.TB, dir, conf string) string {
	t.Helper()
	for try := 1; ; try++ {
		port := freePort(t)
		path := filepath.Join(dir, "mosquitto.conf")
		require.NoError(t, os.WriteFile(path, []byte(fmt.Sprintf(
			"listener %d 127.0.0.1\nallow_anonymous false\npersistence false\nlog_dest stderr\nlog_type all\n%s", port, conf)), 0o644))
		cmd := exec.Command("mosquitto", "-c", path)
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
			for sc.Scan() { // drained, so that Mosquitto never blocks on its log
			}
		}()
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		return fmt.Sprintf("tcp://127.0.0.1:%d", port)
	}
}
