package notify

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

func TestFullQueueRefusesAndReports(t *testing.T) {
	clock := newClock()
	svc := newWeCom(t, clock)
	p := newTestPoster(t, clock, svc.srv.Client(), Options{})
	require.NoError(t, p.AddRobot(svc.robot("群")))
	for i := range QueueLimit {
		require.NoError(t, p.Post("群", workOrder(fmt.Sprint("wo-", i), "工单")))
	}
	err := p.Post("群", workOrder("one-too-many", "工单"))
	require.Error(t, err)
	assert.Equal(t, app.CodeUnavailable, app.CodeOf(err))
	assert.Contains(t, err.Error(), "100 messages wait for the robot 群 already")
	assert.Equal(t, []State{StateFailed}, p.rec.states("one-too-many"))
	assert.Equal(t, QueueLimit, p.Waiting("群"))
	assert.Equal(t, 100, QueueLimit, "the documented limit")

	// Once sent (as one merged message: a hundred is beyond the budget), there is room again.
	p.Step(context.Background())
	assert.Len(t, svc.received(), 1)
	assert.NoError(t, p.Post("群", workOrder("room-again", "工单")))
}

func TestPostToUnknownRobotIsRefusedAndReported(t *testing.T) {
	p := newTestPoster(t, newClock(), nil, Options{})
	err := p.Post("nobody", workOrder("wo-1", "工单"))
	assert.True(t, app.IsCode(err, app.CodeNotFound), "%v", err)
	require.Equal(t, []State{StateFailed}, p.rec.states("wo-1"))
	assert.Equal(t, "There is no robot named {{.Robot}}", p.rec.of("wo-1")[0].Error)
}

func TestPostRefusesAnInvalidMessage(t *testing.T) {
	clock := newClock()
	svc := newWeCom(t, clock)
	p := newTestPoster(t, clock, svc.srv.Client(), Options{})
	require.NoError(t, p.AddRobot(svc.robot("群")))
	err := p.Post("群", Message{Link: "javascript:alert(1)"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "A message needs an ID")
	assert.Contains(t, err.Error(), "A message needs a title")
	assert.Contains(t, err.Error(), "is not a web address")
	assert.Empty(t, p.rec.all())
	assert.Equal(t, 0, p.Waiting("群"))
}

func TestRemovedRobotFailsWhatWaits(t *testing.T) {
	clock := newClock()
	svc := newWeCom(t, clock)
	p := newTestPoster(t, clock, svc.srv.Client(), Options{})
	require.NoError(t, p.AddRobot(svc.robot("群")))
	require.NoError(t, p.Post("群", workOrder("wo-1", "工单")))
	p.RemoveChannel("群")
	p.Step(context.Background())
	assert.Equal(t, 0, svc.requests())
	assert.Equal(t, []State{StateQueued, StateFailed}, p.rec.states("wo-1"))
	assert.Error(t, p.Post("群", workOrder("wo-2", "工单")))
}

// Changed settings (a new webhook) keep what waits and what was sent in the window.
func TestReplacedRobotKeepsItsQueueAndBudget(t *testing.T) {
	clock := newClock()
	old, svc := newWeCom(t, clock), newWeCom(t, clock)
	p := newTestPoster(t, clock, svc.srv.Client(), Options{Rate: Rate{N: 1, Per: time.Minute}})
	require.NoError(t, p.AddRobot(old.robot("群")))
	require.NoError(t, p.Post("群", workOrder("wo-1", "工单")))
	p.Step(context.Background())
	require.NoError(t, p.Post("群", workOrder("wo-2", "工单")))
	require.NoError(t, p.AddRobot(svc.robot("群")))
	p.Step(context.Background())
	assert.Equal(t, 0, svc.requests(), "the budget of the minute was used")
	clock.Add(time.Minute)
	p.Step(context.Background())
	assert.Len(t, old.received(), 1)
	assert.Len(t, svc.received(), 1)
}

func TestRunSendsWhatIsPostedAndStopsWithItsContext(t *testing.T) {
	svc := newWeCom(t, newClock())
	// Run waits on real timers; the fake service's clock only counts its own limit.
	p := newTestPoster(t, app.SystemClock{}, svc.srv.Client(), Options{})
	require.NoError(t, p.AddRobot(svc.robot("群")))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()

	require.NoError(t, p.Post("群", workOrder("wo-1", "工单")))
	assert.Eventually(t, func() bool { return len(p.rec.states("wo-1")) == 2 }, 15*time.Second, 10*time.Millisecond)
	cancel()
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(15 * time.Second):
		t.Fatal("Run did not return when its context ended")
	}
	assert.Equal(t, []State{StateQueued, StateSent}, p.rec.states("wo-1"))
	assert.Len(t, svc.received(), 1)
}

func TestBackoffDoublesUpToMax(t *testing.T) {
	b := Backoff{First: 5 * time.Second, Max: 30 * time.Second}
	var got []time.Duration
	for a := 1; a <= 5; a++ {
		got = append(got, b.after(a))
	}
	assert.Equal(t, []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second, 30 * time.Second, 30 * time.Second}, got)
}

// The bound is on messages: those merged into a message that waits for a retry count too.
func TestQueueLimitCountsMergedMessages(t *testing.T) {
	clock := newClock()
	svc := newWeCom(t, clock)
	svc.setAlways(answerHTTP500)
	p := newTestPoster(t, clock, svc.srv.Client(), Options{Rate: Rate{N: 1, Per: time.Second}, QueueLimit: 5})
	require.NoError(t, p.AddRobot(svc.robot("群")))
	for i := range 5 {
		require.NoError(t, p.Post("群", workOrder(fmt.Sprint("wo-", i), "工单")))
	}
	p.Step(context.Background()) // one merged message of five, waiting for its retry
	assert.Equal(t, 5, p.Waiting("群"))
	assert.Error(t, p.Post("群", workOrder("wo-5", "工单")))
	assert.Equal(t, []State{StateFailed}, p.rec.states("wo-5"))
}

// Stopped in the middle of an attempt (the console shuts down): the message stays first in
// line, the attempt uncounted, and the next Run sends it.
func TestStopMidAttemptKeepsTheMessage(t *testing.T) {
	clock := newClock()
	svc := newWeCom(t, clock)
	arrived, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	hang := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { close(arrived) })
		<-release // held until the test ends: the attempt is stopped by its context only
	}))
	defer hang.Close()
	defer close(release)
	p := newTestPoster(t, clock, svc.srv.Client(), Options{})
	r := svc.robot("群")
	slow := r
	slow.Webhook = hang.URL + "/cgi-bin/webhook/send?key=" + weComKey
	require.NoError(t, p.AddRobot(slow))
	require.NoError(t, p.Post("群", workOrder("wo-1", "工单")))

	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-arrived; cancel() }()
	p.Step(ctx)
	assert.Equal(t, []State{StateQueued}, p.rec.states("wo-1"))
	assert.Equal(t, 1, p.Waiting("群"))

	require.NoError(t, p.AddRobot(r)) // the service is back
	clock.Add(time.Minute)
	p.Step(context.Background())
	assert.Equal(t, []State{StateQueued, StateSent}, p.rec.states("wo-1"))
	assert.Equal(t, 1, p.rec.of("wo-1")[1].Attempt)
}
