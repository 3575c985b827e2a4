package devices_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/devices"
)

// A broker that ran and cannot listen again (its port was taken while it restarted) raises
// a P1 system alarm, once however often the supervisor tries again; the alarm is resolved
// when it listens again.
func TestABrokerThatCannotListenAgainRaisesAP1SystemAlarm(t *testing.T) {
	e := newEngine(t)
	b, err := devices.NewBroker(devices.BrokerConfig{Listen: "127.0.0.1:0", Username: user, Password: password, Site: "demo", Log: quiet, Desk: e.desk},
		e.ingest, e.kindOf, nil)
	require.NoError(t, err)
	stop := run(t, b)
	stop()
	taker, err := net.Listen("tcp", b.Addr())
	require.NoError(t, err, "the port is taken by another program")
	for range 3 { // the supervisor's tries
		require.Error(t, b.Run(context.Background()))
	}
	open := func() []app.Alarm {
		var out []app.Alarm
		for _, a := range e.desk.Open() {
			if a.Kind == app.AlarmBrokerDown {
				out = append(out, a)
			}
		}
		return out
	}
	require.Eventually(t, func() bool { return len(open()) == 1 }, 15*time.Second, 10*time.Millisecond)
	a := open()[0]
	assert.Equal(t, app.P1, a.Priority)
	assert.True(t, a.Fault)
	assert.Equal(t, b.Addr(), a.Params["address"])

	taker.Close()
	run(t, b)
	require.Eventually(t, func() bool { return len(open()) == 0 }, 15*time.Second, 10*time.Millisecond, "resolved once it listens again")
	assert.Len(t, e.journal(t, app.KindAlarmRaised), 1, "raised once")
}
