package devices_test

import (
	"bufio"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// The examples of docs/devices.md, run as written with the real mosquitto_pub against the
// embedded broker: the documentation is exactly what Watchpost accepts.
func TestContractExamplesFromTheDocs(t *testing.T) {
	need(t, "mosquitto_pub")
	e := newEngine(t)
	addr := e.startBroker(t)
	port := addr[strings.LastIndex(addr, ":")+1:]

	f, err := os.Open("../docs/devices.md")
	require.NoError(t, err)
	defer f.Close()
	var cmds []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := sc.Text(); strings.HasPrefix(line, "mosquitto_pub ") {
			cmds = append(cmds, strings.Replace(line, "-p 1883", "-p "+port, 1))
		}
	}
	require.GreaterOrEqual(t, len(cmds), 10, "an example for every kind")
	for _, c := range cmds {
		out, err := exec.Command("sh", "-c", c).CombinedOutput()
		require.NoError(t, err, "%s\n%s", c, out)
	}
	readings := e.journal(t, app.KindDeviceReading)
	assert.Len(t, readings, len(cmds), "every example was accepted and journaled")
	n, bad := e.ingest.Monitor().MalformedMessages()
	assert.Zero(t, n, "%v", bad)

	kinds := map[string]string{}
	for _, a := range e.desk.Open() {
		kinds[a.DeviceID] = a.Kind
	}
	assert.Equal(t, app.AlarmFire, kinds["smoke-b03-u2-12"], "the first example raises a real fire alarm")
	assert.Equal(t, app.AlarmManholeWater, kinds["manhole-01"])
	assert.Equal(t, app.AlarmMedical, kinds["sos-playground"])
	assert.Equal(t, app.AlarmFall, kinds["bracelet-b07-0502"])
	assert.Equal(t, app.AlarmDoorForced, kinds["door-b05-u1"])
	assert.Equal(t, app.AlarmUnknownVehicle, kinds["plate-gate-s-in"])
	assert.Equal(t, app.AlarmFire, kinds["charger-b09"])
}

// The README's example, run as written (its lines joined), raises a fire alarm that looks
// normal today: raised now, with the device's clock kept beside ours.
func TestTheREADMEExampleRaisesAnAlarmOfNow(t *testing.T) {
	need(t, "mosquitto_pub")
	e := newEngine(t)
	addr := e.startBroker(t)
	port := addr[strings.LastIndex(addr, ":")+1:]
	b, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	text := string(b)
	i := strings.Index(text, "\nmosquitto_pub ")
	require.Positive(t, i, "the README has a mosquitto_pub example")
	cmd := ""
	for _, line := range strings.Split(text[i+1:], "\n") {
		cmd += strings.TrimSuffix(strings.TrimSpace(line), "\\") + " "
		if !strings.HasSuffix(strings.TrimSpace(line), "\\") {
			break
		}
	}
	cmd = strings.Replace(cmd, "-p 1883", "-p "+port, 1)
	before := time.Now()
	out, err := exec.Command("sh", "-c", cmd).CombinedOutput()
	require.NoError(t, err, "%s\n%s", cmd, out)
	var fire *app.Alarm
	require.Eventually(t, func() bool {
		for _, a := range e.desk.Open() {
			if a.Kind == app.AlarmFire && a.DeviceID == "smoke-b03-u2-12" {
				fire = &a
				return true
			}
		}
		return false
	}, 15*time.Second, 20*time.Millisecond, "the README's example raises a fire alarm")
	assert.False(t, fire.RaisedAt.Before(before), "raised now, not at a time in the past: %v", fire.RaisedAt)
	assert.WithinDuration(t, time.Now(), fire.DeviceTime, time.Minute, "the device's own time is kept")
}

func TestBrokerRefusesWrongCredentials(t *testing.T) {
	need(t, "mosquitto_pub")
	e := newEngine(t)
	addr := e.startBroker(t)
	port := addr[strings.LastIndex(addr, ":")+1:]
	out, err := exec.Command("mosquitto_pub", "-h", "127.0.0.1", "-p", port, "-u", user, "-P", "guess", "-q", "1",
		"-t", "watchpost/demo/smoke-b03-u2-12/event", "-m", `{"type":"alarm","ts":1764293400000,"smoke":true}`).CombinedOutput()
	assert.Error(t, err, "%s", out)
	assert.Empty(t, e.journal(t, app.KindDeviceReading))
}

var seqField = regexp.MustCompile(`"n":(\d+)`) // the test heartbeats' own count (not the contract's "seq": several publishers share a device)

func TestMalformedMessagesCostNothingElse(t *testing.T) {
	need(t, "mosquitto_pub")
	e := newEngine(t)
	addr := e.startBroker(t)
	port := addr[strings.LastIndex(addr, ":")+1:]
	pub := func(topic, msg string) {
		out, err := exec.Command("mosquitto_pub", "-h", "127.0.0.1", "-p", port, "-u", user, "-P", password, "-q", "1",
			"-t", topic, "-m", msg).CombinedOutput()
		require.NoError(t, err, "%s", out)
	}
	pub("watchpost/demo/smoke-b03-u2-12/event", `{"type":"alarm","ts":`)
	pub("watchpost/demo/smoke-b03-u2-12/event", `{"type":"alarm","ts":1764293400000,"smoke":"very"}`)
	pub("watchpost/demo/../event", `{}`)
	pub("watchpost/demo/smoke-b03-u2-12/heartbeat", `{"type":"heartbeat","ts":"`+time.Now().UTC().Format(time.RFC3339)+`","battery":90}`)
	n, list := e.ingest.Monitor().MalformedMessages()
	assert.Equal(t, int64(3), n)
	require.Len(t, list, 3)
	assert.Equal(t, "watchpost/demo/../event", list[0].Topic, "newest first, with topic")
	assert.Contains(t, list[1].Reason, `"smoke" must be true or false`)
	assert.Len(t, e.journal(t, app.KindDeviceReading), 1, "the good message after them went through")
	assert.Empty(t, e.desk.Open())
}
