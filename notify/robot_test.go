package notify

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"watchpost/app"
)

func TestRobotValidate(t *testing.T) {
	const wecom = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=" + weComKey
	const ding = "https://oapi.dingtalk.com/robot/send?access_token=" + dingTalkToken
	for _, tc := range []struct {
		name  string
		robot Robot
		want  []string // the problems' templates; none: valid
	}{
		{"wecom", Robot{Name: "群", Kind: KindWeCom, Webhook: wecom}, nil},
		{"dingtalk signed", Robot{Name: "群", Kind: KindDingTalk, Webhook: ding, Secret: dingTalkSec}, nil},
		{"dingtalk keyword", Robot{Name: "群", Kind: KindDingTalk, Webhook: ding}, nil},
		{"no name", Robot{Kind: KindWeCom, Webhook: wecom}, []string{"The robot needs a name"}},
		{"no kind", Robot{Name: "群", Webhook: wecom}, []string{"The robot {{.Robot}} must be a WeCom or a DingTalk robot"}},
		{"http", Robot{Name: "群", Kind: KindWeCom, Webhook: "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"},
			[]string{"The webhook address of {{.Robot}} is not an https address: copy the whole address from the group's robot settings"}},
		{"not a url", Robot{Name: "群", Kind: KindWeCom, Webhook: "key=abc"},
			[]string{"The webhook address of {{.Robot}} is not an https address: copy the whole address from the group's robot settings"}},
		{"wecom without key", Robot{Name: "群", Kind: KindWeCom, Webhook: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"},
			[]string{"The webhook address of {{.Robot}} has no key: copy the whole address from the WeCom group's robot"}},
		{"dingtalk address as wecom", Robot{Name: "群", Kind: KindWeCom, Webhook: ding},
			[]string{"The webhook address of {{.Robot}} has no key: copy the whole address from the WeCom group's robot"}},
		{"wecom with secret", Robot{Name: "群", Kind: KindWeCom, Webhook: wecom, Secret: dingTalkSec},
			[]string{"A WeCom robot has no signing secret: leave the secret of {{.Robot}} empty"}},
		{"wecom address as dingtalk", Robot{Name: "群", Kind: KindDingTalk, Webhook: wecom},
			[]string{"The webhook address of {{.Robot}} has no access_token: copy the whole address from the DingTalk group's robot"}},
		{"signed address pasted", Robot{Name: "群", Kind: KindDingTalk, Webhook: ding + "&timestamp=1&sign=abc", Secret: dingTalkSec},
			[]string{"The webhook address of {{.Robot}} carries a timestamp and signature: paste the address without them and the secret separately"}},
		{"secret not SEC", Robot{Name: "群", Kind: KindDingTalk, Webhook: ding, Secret: "10d6e79b42bd94be"},
			[]string{"The signing secret of {{.Robot}} starts with SEC: copy it from the robot's security settings (加签)"}},
		{"all at once", Robot{Kind: "slack", Webhook: "ftp://x"}, []string{
			"The robot needs a name",
			"The webhook address of {{.Robot}} is not an https address: copy the whole address from the group's robot settings",
			"The robot {{.Robot}} must be a WeCom or a DingTalk robot"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.robot.Validate()
			if tc.want == nil {
				assert.NoError(t, err)
				return
			}
			assert.True(t, app.IsCode(err, app.CodeInvalid), "%v", err)
			assert.Equal(t, tc.want, templates(err))
			for _, s := range []string{weComKey, dingTalkToken, dingTalkSec} {
				assert.NotContains(t, err.Error(), s)
			}
		})
	}
}

// templates are the message templates of a validation error, in order.
func templates(err error) []string {
	var out []string
	var walk func(error)
	walk = func(err error) {
		switch e := err.(type) {
		case *app.Error:
			if e.Message == "{{.List}}" {
				walk(e.Err)
				return
			}
			out = append(out, e.Message)
		case interface{ Unwrap() []error }:
			for _, x := range e.Unwrap() {
				walk(x)
			}
		}
	}
	walk(err)
	return out
}

func TestMessageValidate(t *testing.T) {
	assert.NoError(t, workOrder("wo-1", "工单").Validate())
	long := workOrder("wo-1", "工单")
	long.Link = "https://x.cn/" + string(make([]byte, linkLimit))
	assert.Equal(t, []string{"The link of a message is longer than {{.Limit}} characters"}, templates(long.Validate()))
	assert.Equal(t, []string{"The link {{.Link}} is not a web address"}, templates(Message{ID: "a", Title: "b", Link: "/m/orders/1"}.Validate()))
}
