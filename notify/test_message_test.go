package notify

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

func TestTestMessageArrives(t *testing.T) {
	clock := newClock()
	svc := newDingTalk(t, clock, dingTalkSec)
	p := newTestPoster(t, clock, svc.srv.Client(), Options{})
	require.NoError(t, p.Test(context.Background(), svc.robot("安保群")))
	got := svc.received()
	require.Len(t, got, 1)
	assert.Equal(t, "Test message from Watchpost", got[0].Title)
	assert.Contains(t, got[0].Text, "The robot 安保群 is set up")
	assert.Empty(t, p.rec.all(), "a test is the administrator's action, not a delivery")
}

func TestTestMessageSaysWhatToCheck(t *testing.T) {
	clock := newClock()
	svc := newDingTalk(t, clock, dingTalkSec)
	p := newTestPoster(t, clock, svc.srv.Client(), Options{})
	r := svc.robot("安保群")
	r.Secret = "SECnot-the-one"
	err := p.Test(context.Background(), r)
	require.Error(t, err)
	assert.Equal(t, FailureConfig, FailureOf(err))
	var e *app.Error
	require.True(t, errors.As(err, &e))
	assert.Equal(t, "The robot {{.Robot}} refused the message's signature, keyword or address: check its secret and security settings (error {{.Code}}: {{.Reason}})", e.Message)

	svc.srv.Close()
	err = p.Test(context.Background(), svc.robot("安保群"))
	assert.True(t, app.IsCode(err, app.CodeUnavailable))
	assert.True(t, strings.HasPrefix(err.Error(), "The robot 安保群 could not be reached: "), err.Error())

	err = p.Test(context.Background(), Robot{Name: "x", Kind: KindWeCom, Webhook: "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"})
	assert.True(t, app.IsCode(err, app.CodeInvalid))
	assert.Contains(t, err.Error(), "is not an https address")
}

func TestTestMessageCountsAgainstTheRobotsRate(t *testing.T) {
	clock := newClock()
	svc := newWeCom(t, clock)
	p := newTestPoster(t, clock, svc.srv.Client(), Options{Rate: Rate{N: 1, Per: time.Minute}})
	require.NoError(t, p.AddRobot(svc.robot("群")))
	require.NoError(t, p.Test(context.Background(), svc.robot("群")))
	err := p.Test(context.Background(), svc.robot("群"))
	assert.Equal(t, FailureRateLimited, FailureOf(err))
	assert.Equal(t, 1, svc.requests(), "the second test is refused here, not sent")
}
