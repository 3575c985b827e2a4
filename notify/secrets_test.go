package notify

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Everything that leaves the package on failure — deliveries, returned errors, the log, a
// robot printed with %v — must not contain a key, token or secret: the journal, the status
// bar and the log are read by people who must not be able to post as the robot.
func TestSecretsNeverAppear(t *testing.T) {
	secrets := []string{weComKey, dingTalkToken, dingTalkSec, "SECwrong0b42bd94be0d0d6038"}
	clock := newClock()
	wecom := newWeCom(t, clock)
	down := newWeCom(t, clock)
	ding := newDingTalk(t, clock, dingTalkSec)
	wrong := newDingTalk(t, clock, dingTalkSec)
	p := newTestPoster(t, clock, wecom.srv.Client(), Options{MaxAttempts: 2})
	wrongRobot := wrong.robot("签名错")
	wrongRobot.Secret = "SECwrong0b42bd94be0d0d6038"
	for _, r := range []Robot{wecom.robot("企业微信"), down.robot("断网"), ding.robot("钉钉"), wrongRobot} {
		require.NoError(t, p.AddRobot(r))
	}
	wecom.setAlways(answerHTTP500)
	ding.setAlways(answerCheckFail) // its errmsg echoes the token
	down.srv.Close()                // Go's error quotes the whole URL, key and all

	var texts []string
	for _, to := range []string{"企业微信", "断网", "钉钉", "签名错"} {
		require.NoError(t, p.Post(to, workOrder("wo-"+to, "工单")))
	}
	for range 3 {
		p.Step(context.Background())
		clock.Add(time.Minute)
	}
	for _, to := range []string{"企业微信", "断网", "钉钉", "签名错"} {
		ds := p.rec.of("wo-" + to)
		require.Equal(t, StateFailed, ds[len(ds)-1].State, to)
	}
	for _, d := range p.rec.all() {
		texts = append(texts, d.Text(), fmt.Sprintf("%+v", d))
	}
	for _, r := range []Robot{wecom.robot("企业微信"), ding.robot("钉钉"), wrongRobot} {
		texts = append(texts, fmt.Sprint(r), fmt.Sprintf("%+v %#v", r, r), r.MaskedWebhook())
		var log strings.Builder
		slog.New(slog.NewTextHandler(&log, nil)).Info("robot", "robot", r)
		texts = append(texts, log.String())
		texts = append(texts, fmt.Sprint(p.Test(context.Background(), r)))
	}
	texts = append(texts, p.log.String())

	all := strings.Join(texts, "\n")
	require.Contains(t, all, "could not be reached", "the network failure is among the texts checked")
	require.Contains(t, all, "keywords not in content", "the service's errmsg is among the texts checked")
	for _, s := range secrets {
		assert.NotContains(t, all, s)
		assert.NotContains(t, all, s[:12], "not even part of it")
	}
	assert.Contains(t, all, "key=***")
}

func TestMaskedWebhook(t *testing.T) {
	r := Robot{Name: "群", Kind: KindDingTalk, Webhook: "https://oapi.dingtalk.com/robot/send?access_token=" + dingTalkToken, Secret: dingTalkSec}
	assert.Equal(t, "https://oapi.dingtalk.com/robot/send?access_token=***", r.MaskedWebhook())
	assert.Equal(t, "dingtalk robot 群 https://oapi.dingtalk.com/robot/send?access_token=*** (signed)", r.String())
}
