package notify

import (
	"context"
	"strings"
)

// WeCom group robot (企业微信群机器人), as its documentation describes it: POST
// application/json to the webhook address the administrator pasted
// (https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY) with
// {"msgtype":"markdown","markdown":{"content":"…"}}; the answer is {"errcode":0,"errmsg":"ok"},
// errcode 45009 when the robot sent more than 20 messages in a minute.

const (
	// WeComContentLimit is markdown.content's documented limit in bytes of UTF-8 (a longer
	// content is refused with errcode 40058).
	WeComContentLimit = 4096
	// WeComRateLimited is the errcode of the API's frequency limit.
	WeComRateLimited = 45009
	// titleLimit bounds a title in bytes: it is one line of heading, not the message.
	titleLimit = 256
)

type weCom struct {
	robotBase
}

type weComBody struct {
	MsgType  string        `json:"msgtype"`
	Markdown weComMarkdown `json:"markdown"`
}

type weComMarkdown struct {
	Content string `json:"content"`
}

func (w *weCom) Send(ctx context.Context, m Message) error {
	body, err := encodeJSON(weComBody{MsgType: "markdown", Markdown: weComMarkdown{Content: weComContent(m)}})
	if err != nil {
		return err
	}
	return w.post(ctx, w.robot.Webhook, "application/json", body, codes{rateLimited: WeComRateLimited})
}

// weComContent is the message as WeCom markdown: a heading, the text, the link on its own
// line. The text is what gets cut to keep the content within WeComContentLimit: the title
// and the link to the work order matter most.
func weComContent(m Message) string {
	head := "## " + truncate(oneLine(m.Title), titleLimit)
	tail := ""
	if m.Link != "" {
		tail = "\n" + markdownLink(m.LinkText, m.Link)
	}
	text := strings.TrimSpace(m.Text)
	if text == "" {
		return truncate(head+tail, WeComContentLimit)
	}
	room := WeComContentLimit - len(head) - len("\n") - len(tail)
	return truncate(head+"\n"+truncate(text, max(room, 0))+tail, WeComContentLimit)
}
