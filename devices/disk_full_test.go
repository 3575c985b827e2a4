package devices_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/devices"
	"watchpost/store"
)

// The journal on a disk that is really full (a small tmpfs holding the data directory): a
// fire alarm from an MQTT 3.1.1 device gets no PUBACK and its connection is closed, a P1
// system alarm says the disk is full (journaled in the room the reserve kept for it), and
// once there is room the device's resend is journaled exactly once and the alarm resolved.
func TestAttackDiskFullClosesTheConnectionAndRaisesAP1Alarm(t *testing.T) {
	dir := smallDisk(t, "4m")
	path := filepath.Join(dir, store.FileName)
	st, err := store.Open(context.Background(), path, store.Options{Log: quiet})
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	e := engineOn(t, st, demoSite)
	w := app.NewBrokerWatch()
	b, err := devices.NewBroker(devices.BrokerConfig{Listen: "127.0.0.1:0", Username: user, Password: password, Site: "demo", Log: quiet,
		DataDir: dir, Watch: w, Desk: e.desk}, e.ingest, e.kindOf, nil)
	require.NoError(t, err)
	run(t, b)
	addr := b.Addr()
	_, err = os.Stat(filepath.Join(dir, devices.ReserveFile))
	require.NoError(t, err, "the reserve is kept beside the database")

	// Fill the disk, then publish until the journal refuses: the first refusal releases the
	// reserve for the alarm; publish again until the journal refuses once more.
	filler := filepath.Join(dir, "filler")
	fill(t, filler)
	journalFull := func() []app.Alarm {
		var out []app.Alarm
		for _, a := range e.desk.Open() {
			if a.Kind == app.AlarmJournalFull {
				out = append(out, a)
			}
		}
		return out
	}
	exhaust(t, addr, w, 1)
	require.Eventually(t, func() bool { return len(journalFull()) == 1 }, 15*time.Second, 10*time.Millisecond,
		"a P1 system alarm says the disk is full, while it is")
	assert.Equal(t, app.P1, journalFull()[0].Priority)
	exhaust(t, addr, w, 2)

	// The fire, from a 3.1.1 device with a persistent session that reconnects by itself.
	const id = "smoke-b03-u2-12"
	wire := newWireLog()
	d := connectDevice(t, addr, id, true, wire)
	fire := `{"type":"alarm","ts":"` + time.Now().UTC().Format(time.RFC3339Nano) + `","smoke":true,"n":4242}`
	d.client.Publish("watchpost/demo/"+id+"/event", 1, false, fire)
	require.Eventually(t, func() bool { return wire.connections() >= 2 }, 30*time.Second, 10*time.Millisecond,
		"the broker closed the device's connection (it reconnected)")
	for _, ev := range wire.events() {
		assert.NotEqual(t, 1, ev.conn, "no PUBACK on the connection whose message the journal refused: %+v", ev)
	}
	fires := func() int { return readingsOf(t, e.store, id)[4242] }
	assert.Equal(t, 0, fires(), "not journaled while the disk is full")

	// Room again: the device's resend is journaled once, the fire raised, the alarm resolved.
	require.NoError(t, os.Remove(filler))
	require.Eventually(t, func() bool { return fires() == 1 }, 60*time.Second, 20*time.Millisecond, "the resend is journaled")
	require.Eventually(t, func() bool {
		for _, a := range e.desk.Open() {
			if a.Kind == app.AlarmFire && a.DeviceID == id {
				return true
			}
		}
		return false
	}, 15*time.Second, 10*time.Millisecond, "the fire reaches the desk")
	require.Eventually(t, func() bool { return len(journalFull()) == 0 }, 15*time.Second, 10*time.Millisecond,
		"the disk-full alarm is resolved once the journal is written again")
	require.Eventually(t, func() bool {
		for _, ev := range wire.events() {
			if strings.Contains(ev.payload, "4242") {
				return true
			}
		}
		return false
	}, 30*time.Second, 10*time.Millisecond, "the device got its PUBACK")
	assert.Equal(t, 1, fires(), "journaled exactly once")
	assert.Len(t, e.journal(t, app.KindAlarmRaised), 2, "the disk-full alarm and the fire")
	_, err = os.Stat(filepath.Join(dir, devices.ReserveFile))
	assert.NoError(t, err, "the reserve is made again")
}

// smallDisk mounts a tmpfs of size for the test (root only) and returns its directory.
func smallDisk(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size+",mode=0700", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("a small filesystem cannot be mounted here (needs root): %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", "-l", dir).Run() })
	return dir
}

// fill writes path until the filesystem has no room left.
func fill(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	require.NoError(t, err)
	defer f.Close()
	buf := make([]byte, 4096)
	for {
		if _, err := f.Write(buf); err != nil {
			require.True(t, errors.Is(err, syscall.ENOSPC), "filling: %v", err)
			return
		}
	}
}

// exhaust publishes heartbeats from a throwaway device until the journal has refused n
// messages in all (the broker closes that device's connection at each refusal).
func exhaust(t *testing.T, addr string, w *app.BrokerWatch, n int64) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for i := 0; w.Count(app.RefusedJournal) < n; i++ {
		require.True(t, time.Now().Before(deadline), "the journal never refused a message")
		c := paho.NewClient(paho.NewClientOptions().AddBroker("tcp://" + addr).SetClientID(fmt.Sprintf("filler-%d", i)).
			SetUsername(user).SetPassword(password).SetAutoReconnect(false))
		tok := c.Connect()
		require.True(t, tok.WaitTimeout(10*time.Second))
		require.NoError(t, tok.Error())
		for j := 0; j < 5000 && w.Count(app.RefusedJournal) < n && c.IsConnectionOpen(); j++ {
			c.Publish("watchpost/demo/light-04/heartbeat", 1, false, heartbeat(100000+j)).WaitTimeout(2 * time.Second)
		}
		c.Disconnect(0)
	}
}
