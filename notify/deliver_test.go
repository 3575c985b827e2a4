package notify

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func workOrder(id, title string) Message {
	return Message{ID: id, Title: title, Text: "**地点**：3号楼 2单元\n报修人：张*", Link: "https://192.168.1.10:8443/m/orders/" + id, Group: "{{.Count}} new work orders"}
}

func TestWeComDeliversOneMessage(t *testing.T) {
	clock := newClock()
	svc := newWeCom(t, clock)
	p := newTestPoster(t, clock, svc.srv.Client(), Options{})
	require.NoError(t, p.AddRobot(svc.robot("物业维修群")))

	require.NoError(t, p.Post("物业维修群", workOrder("wo-17", "新工单：3号楼电梯困人")))
	p.Step(context.Background())

	got := svc.received()
	require.Len(t, got, 1)
	assert.Equal(t, "## 新工单：3号楼电梯困人\n**地点**：3号楼 2单元\n报修人：张*\n[View details](https://192.168.1.10:8443/m/orders/wo-17)", got[0].Content)
	assert.Equal(t, []State{StateQueued, StateSent}, p.rec.states("wo-17"))
	sent := p.rec.of("wo-17")[1]
	assert.Equal(t, "物业维修群", sent.Channel)
	assert.Equal(t, 1, sent.Attempt)
	assert.Equal(t, clock.Now(), sent.At)
	assert.Empty(t, sent.Error)
}

func TestDingTalkDeliversOneSignedMessage(t *testing.T) {
	clock := newClock()
	svc := newDingTalk(t, clock, dingTalkSec)
	p := newTestPoster(t, clock, svc.srv.Client(), Options{Translate: func(key string, args map[string]any) string {
		if key == "View details" {
			return "查看详情"
		}
		return key
	}})
	require.NoError(t, p.AddRobot(svc.robot("安保群")))

	require.NoError(t, p.Post("安保群", workOrder("wo-18", "新工单：地下车库积水")))
	p.Step(context.Background())

	got := svc.received() // the fake checked the signature against the secret
	require.Len(t, got, 1)
	assert.Equal(t, "新工单：地下车库积水", got[0].Title)
	assert.Equal(t, "#### 新工单：地下车库积水\n\n**地点**：3号楼 2单元\n报修人：张*\n\n[查看详情](https://192.168.1.10:8443/m/orders/wo-18)", got[0].Text)
	assert.Equal(t, clock.Now(), got[0].Timestamp, "the timestamp is the clock's, in milliseconds")
	assert.Equal(t, []State{StateQueued, StateSent}, p.rec.states("wo-18"))
}

func TestDingTalkUnsignedRobotSendsNoSignature(t *testing.T) {
	clock := newClock()
	svc := newDingTalk(t, clock, "") // 关键词 security: the fake refuses any extra query
	p := newTestPoster(t, clock, svc.srv.Client(), Options{})
	require.NoError(t, p.AddRobot(svc.robot("安保群")))
	require.NoError(t, p.Post("安保群", workOrder("wo-19", "新工单")))
	p.Step(context.Background())
	assert.Len(t, svc.received(), 1)
	assert.Equal(t, []State{StateQueued, StateSent}, p.rec.states("wo-19"))
}

func TestDingTalkSignatureRefusedFailsWithoutRetry(t *testing.T) {
	clock := newClock()
	svc := newDingTalk(t, clock, dingTalkSec)
	p := newTestPoster(t, clock, svc.srv.Client(), Options{})
	r := svc.robot("安保群")
	r.Secret = "SECwrong0b42bd94be0d0d603843651aa2ccd7186db6edbc0cf421cd"
	require.NoError(t, p.AddRobot(r))

	require.NoError(t, p.Post("安保群", workOrder("wo-20", "新工单")))
	next := p.Step(context.Background())
	assert.True(t, next.IsZero(), "nothing is left to try")
	for range 3 {
		clock.Add(10 * time.Minute)
		p.Step(context.Background())
	}

	assert.Equal(t, 1, svc.requests(), "a refused signature is not tried again")
	assert.Empty(t, svc.received())
	require.Equal(t, []State{StateQueued, StateFailed}, p.rec.states("wo-20"))
	failed := p.rec.of("wo-20")[1]
	assert.Equal(t, FailureConfig, failed.Failure)
	assert.Equal(t, 1, failed.Attempt)
	assert.Contains(t, failed.Text(), "check its secret and security settings")
	assert.Contains(t, failed.Text(), "310000")
	assert.Equal(t, 0, p.Waiting("安保群"))
}

func TestDingTalkTimestampFollowsTheClockOnEveryAttempt(t *testing.T) {
	clock := newClock()
	svc := newDingTalk(t, clock, dingTalkSec)
	svc.script(answerHTTP500)
	p := newTestPoster(t, clock, svc.srv.Client(), Options{Backoff: Backoff{First: 2 * time.Hour, Max: 2 * time.Hour}})
	require.NoError(t, p.AddRobot(svc.robot("安保群")))
	require.NoError(t, p.Post("安保群", workOrder("wo-21", "新工单")))
	p.Step(context.Background())
	clock.Add(2 * time.Hour) // a signature made at the first attempt would be refused now
	p.Step(context.Background())
	got := svc.received()
	require.Len(t, got, 1)
	assert.Equal(t, clock.Now(), got[0].Timestamp)
	assert.Equal(t, []State{StateQueued, StateRetrying, StateSent}, p.rec.states("wo-21"))
}

// The Poster's own budget: two a minute here. What comes once it is used up waits, and
// goes as one merged message when the budget returns.
func TestRateLimitMergesTheRestAfterTheWindow(t *testing.T) {
	clock := newClock()
	svc := newWeCom(t, clock)
	p := newTestPoster(t, clock, svc.srv.Client(), Options{Rate: Rate{N: 2, Per: time.Minute}})
	require.NoError(t, p.AddRobot(svc.robot("物业维修群")))
	ctx := context.Background()

	for _, id := range []string{"wo-1", "wo-2"} {
		require.NoError(t, p.Post("物业维修群", workOrder(id, "工单 "+id)))
		p.Step(ctx)
		clock.Add(time.Second)
	}
	for _, id := range []string{"wo-3", "wo-4", "wo-5"} {
		require.NoError(t, p.Post("物业维修群", workOrder(id, "工单 "+id)))
	}
	next := p.Step(ctx)
	require.Len(t, svc.received(), 2, "the budget is used up: nothing more goes in this minute")
	t0 := clock.Now().Add(-2 * time.Second)
	assert.Equal(t, t0.Add(time.Minute), next, "due when the first send leaves the window")
	assert.Equal(t, 3, p.Waiting("物业维修群"))

	clock.Add(next.Sub(clock.Now()))
	p.Step(ctx)

	got := svc.received()
	require.Len(t, got, 3, "the three waiting went as one message")
	assert.Equal(t, "## 3 new work orders\n"+
		"- [工单 wo-3](https://192.168.1.10:8443/m/orders/wo-3)\n"+
		"- [工单 wo-4](https://192.168.1.10:8443/m/orders/wo-4)\n"+
		"- [工单 wo-5](https://192.168.1.10:8443/m/orders/wo-5)", got[2].Content)
	for _, id := range []string{"wo-3", "wo-4", "wo-5"} {
		ds := p.rec.of(id)
		require.Equal(t, []State{StateQueued, StateMerged}, p.rec.states(id), id)
		assert.Equal(t, "wo-3+merged", ds[1].Into)
	}
	merged := p.rec.of("wo-3+merged")
	require.Equal(t, []State{StateQueued, StateSent}, p.rec.states("wo-3+merged"))
	assert.Equal(t, []string{"wo-3", "wo-4", "wo-5"}, merged[1].Merged)
	assert.Equal(t, 0, p.Waiting("物业维修群"))
}

// More waiting than the budget left: they go now, as one message, rather than part now and
// the rest a minute later.
func TestBurstBeyondTheBudgetGoesAsOneMessage(t *testing.T) {
	clock := newClock()
	svc := newDingTalk(t, clock, dingTalkSec)
	p := newTestPoster(t, clock, svc.srv.Client(), Options{})
	require.NoError(t, p.AddRobot(svc.robot("安保群")))
	for i := range 25 {
		m := workOrder("b"+string(rune('a'+i)), "工单")
		m.Group = ""
		require.NoError(t, p.Post("安保群", m))
	}
	p.Step(context.Background())
	got := svc.received()
	require.Len(t, got, 1)
	assert.Equal(t, "25 new messages", got[0].Title)
	assert.Equal(t, 25, strings.Count(got[0].Text, "\n- "), got[0].Text)
}

// The service's own limit (another program posts to the same robot): the attempt is tried
// again when the window has passed, and what waits behind it follows.
func TestServiceRateLimitIsRetriedAfterTheWindow(t *testing.T) {
	for _, kind := range []Kind{KindWeCom, KindDingTalk} {
		t.Run(string(kind), func(t *testing.T) {
			clock := newClock()
			svc := newWeCom(t, clock)
			if kind == KindDingTalk {
				svc = newDingTalk(t, clock, dingTalkSec)
			}
			svc.script(answerRateLimit)
			p := newTestPoster(t, clock, svc.srv.Client(), Options{})
			require.NoError(t, p.AddRobot(svc.robot("群")))
			ctx := context.Background()

			require.NoError(t, p.Post("群", workOrder("wo-1", "工单 1")))
			next := p.Step(ctx)
			assert.Equal(t, clock.Now().Add(time.Minute), next)
			require.NoError(t, p.Post("群", workOrder("wo-2", "工单 2")))
			clock.Add(30 * time.Second)
			p.Step(ctx)
			assert.Equal(t, 1, svc.requests(), "nothing goes while the service's window lasts")

			clock.Add(30 * time.Second)
			p.Step(ctx)
			assert.Len(t, svc.received(), 2)
			assert.Equal(t, []State{StateQueued, StateRetrying, StateSent}, p.rec.states("wo-1"))
			retry := p.rec.of("wo-1")[1]
			assert.Equal(t, FailureRateLimited, retry.Failure)
			assert.Equal(t, clock.Now(), retry.Retry)
			assert.Contains(t, retry.Text(), "about 20 messages a minute")
			assert.Equal(t, []State{StateQueued, StateSent}, p.rec.states("wo-2"))
		})
	}
}

func TestServerDownIsRetriedThenFailed(t *testing.T) {
	clock := newClock()
	svc := newWeCom(t, clock)
	svc.setAlways(answerHTTP500)
	p := newTestPoster(t, clock, svc.srv.Client(), Options{MaxAttempts: 3, Backoff: Backoff{First: 5 * time.Second, Max: time.Minute}})
	require.NoError(t, p.AddRobot(svc.robot("物业维修群")))
	ctx := context.Background()
	require.NoError(t, p.Post("物业维修群", workOrder("wo-1", "工单")))

	next := p.Step(ctx)
	assert.Equal(t, clock.Now().Add(5*time.Second), next)
	clock.Add(4 * time.Second)
	p.Step(ctx)
	assert.Equal(t, 1, svc.requests(), "not before the pause is over")
	clock.Add(time.Second)
	next = p.Step(ctx)
	assert.Equal(t, clock.Now().Add(10*time.Second), next, "the pause doubles")
	clock.Add(10 * time.Second)
	next = p.Step(ctx)
	assert.True(t, next.IsZero())
	clock.Add(time.Hour)
	p.Step(ctx)

	assert.Equal(t, 3, svc.requests())
	ds := p.rec.of("wo-1")
	require.Equal(t, []State{StateQueued, StateRetrying, StateRetrying, StateFailed}, p.rec.states("wo-1"))
	assert.Equal(t, []int{0, 1, 2, 3}, []int{ds[0].Attempt, ds[1].Attempt, ds[2].Attempt, ds[3].Attempt})
	assert.Equal(t, FailureTransient, ds[3].Failure)
	assert.Equal(t, "The service of the robot {{.Robot}} is busy (HTTP {{.Status}})", ds[3].Error)
	assert.Equal(t, 500, ds[3].ErrorArgs["Status"])
}

func TestServiceBusyIsRetried(t *testing.T) {
	clock := newClock()
	svc := newWeCom(t, clock)
	svc.script(answerBusy)
	p := newTestPoster(t, clock, svc.srv.Client(), Options{})
	require.NoError(t, p.AddRobot(svc.robot("群")))
	require.NoError(t, p.Post("群", workOrder("wo-1", "工单")))
	clock.Add(p.Step(context.Background()).Sub(clock.Now()))
	p.Step(context.Background())
	assert.Equal(t, []State{StateQueued, StateRetrying, StateSent}, p.rec.states("wo-1"))
}

func TestUnreachableRobotIsRetriedThenFailed(t *testing.T) {
	clock := newClock()
	svc := newWeCom(t, clock)
	p := newTestPoster(t, clock, svc.srv.Client(), Options{MaxAttempts: 2})
	require.NoError(t, p.AddRobot(svc.robot("群")))
	svc.srv.Close()
	require.NoError(t, p.Post("群", workOrder("wo-1", "工单")))
	clock.Add(p.Step(context.Background()).Sub(clock.Now()))
	p.Step(context.Background())
	ds := p.rec.of("wo-1")
	require.Equal(t, []State{StateQueued, StateRetrying, StateFailed}, p.rec.states("wo-1"))
	assert.Equal(t, "The robot {{.Robot}} could not be reached", ds[2].Error)
	assert.NotEmpty(t, ds[2].Cause)
}

// A merged message that is being retried takes in what arrives meanwhile, beyond the budget.
func TestMergedMessageTakesInWhatArrivesWhileItWaits(t *testing.T) {
	clock := newClock()
	svc := newWeCom(t, clock)
	svc.script(answerHTTP500)
	p := newTestPoster(t, clock, svc.srv.Client(), Options{Rate: Rate{N: 1, Per: time.Second}})
	require.NoError(t, p.AddRobot(svc.robot("群")))
	ctx := context.Background()
	require.NoError(t, p.Post("群", workOrder("a", "A")))
	require.NoError(t, p.Post("群", workOrder("b", "B")))
	p.Step(ctx) // a+merged carries a and b; the service fails it
	require.NoError(t, p.Post("群", workOrder("c", "C")))
	clock.Add(DefaultBackoff.First)
	p.Step(ctx)

	got := svc.received()
	require.Len(t, got, 1)
	assert.True(t, strings.HasPrefix(got[0].Content, "## 3 new work orders\n"), got[0].Content)
	assert.Equal(t, []State{StateQueued, StateRetrying, StateSent}, p.rec.states("a+merged"))
	assert.Equal(t, []State{StateQueued, StateMerged}, p.rec.states("c"))
	assert.Equal(t, "a+merged", p.rec.of("c")[1].Into)
	assert.Equal(t, []string{"a", "b", "c"}, p.rec.of("a+merged")[2].Merged)
}
