package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strings"

	"watchpost/app"
)

// DingTalk custom robot (钉钉自定义机器人), as its documentation describes it: POST
// application/json (UTF-8) to https://oapi.dingtalk.com/robot/send?access_token=TOKEN with
// {"msgtype":"markdown","markdown":{"title":"…","text":"…"}}. A robot whose security setting
// is 加签 also needs &timestamp=T&sign=S: T in milliseconds since the epoch (refused when more
// than an hour off), S = urlEncode(base64(HmacSHA256(secret, T+"\n"+secret))). The answer is
// {"errcode":0,"errmsg":"ok"}; 130101 when the robot sends more than 20 a minute, 310000
// when the signature, keyword or IP check fails.

const (
	// DingTalkBodyLimit is the request body's limit in bytes (a longer one is refused:
	// "message too long, exceed 20000 bytes").
	DingTalkBodyLimit = 20000
	// DingTalkRateLimited is the errcode of "send too fast".
	DingTalkRateLimited = 130101
	// DingTalkCheckFailed is the errcode of a failed signature, keyword or IP check.
	DingTalkCheckFailed = 310000
	// dingTalkTitleLimit bounds markdown.title in bytes: it is only the preview in the chat
	// list (our choice; the documentation gives no number).
	dingTalkTitleLimit = 128
)

type dingTalk struct {
	robotBase
	clock app.Clock
}

type dingTalkBody struct {
	MsgType  string           `json:"msgtype"`
	Markdown dingTalkMarkdown `json:"markdown"`
}

type dingTalkMarkdown struct {
	Title string `json:"title"`
	Text  string `json:"text"`
}

func (d *dingTalk) Send(ctx context.Context, m Message) error {
	body, err := dingTalkRender(m)
	if err != nil {
		return err
	}
	return d.post(ctx, d.address(), "application/json; charset=utf-8", body, codes{rateLimited: DingTalkRateLimited, config: DingTalkCheckFailed})
}

// address is the webhook, signed at the moment of sending when the robot has a secret (a
// signature is good for an hour only, so a retry signs again).
func (d *dingTalk) address() string {
	if d.robot.Secret == "" {
		return d.robot.Webhook
	}
	u, err := url.Parse(strings.TrimSpace(d.robot.Webhook))
	if err != nil {
		return d.robot.Webhook // Validate refuses it; post reports it masked
	}
	ts := itoa(d.clock.Now().UnixMilli())
	q := u.Query()
	q.Set("timestamp", ts)
	q.Set("sign", dingTalkSign(d.robot.Secret, ts)) // Encode does the urlEncode
	u.RawQuery = q.Encode()
	return u.String()
}

// dingTalkSign is base64(HmacSHA256(key=secret, message=timestamp+"\n"+secret)), before
// the URL encoding.
func dingTalkSign(secret, timestamp string) string {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(timestamp + "\n" + secret))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// dingTalkRender is the body: the title (DingTalk shows it only in the preview, so the text
// repeats it as a heading), the text, the link on its own paragraph. The text is cut so that
// the whole body stays within DingTalkBodyLimit as sent, JSON escapes included. (A title
// and link too long for the limit cannot happen: both are bounded far below it.)
func dingTalkRender(m Message) ([]byte, error) {
	title := truncate(oneLine(m.Title), dingTalkTitleLimit)
	head := "#### " + title
	tail := ""
	if m.Link != "" {
		tail = "\n\n" + markdownLink(m.LinkText, m.Link)
	}
	text := strings.TrimSpace(m.Text)
	build := func(text string) ([]byte, error) {
		full := head + tail
		if text != "" {
			full = head + "\n\n" + text + tail
		}
		return encodeJSON(dingTalkBody{MsgType: "markdown", Markdown: dingTalkMarkdown{Title: title, Text: full}})
	}
	body, err := build(text)
	if err != nil || len(body) <= DingTalkBodyLimit || text == "" {
		return body, err
	}
	// JSON escapes make the body longer than the text by an amount that depends on the
	// text: find the longest cut that fits (the body grows with the cut).
	lo, hi := 0, len(text) // build(truncate(text, lo)) fits; hi does not
	if b, err := build(""); err != nil || len(b) > DingTalkBodyLimit {
		return b, err
	}
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if b, err := build(truncate(text, mid)); err == nil && len(b) <= DingTalkBodyLimit {
			lo = mid
		} else {
			hi = mid
		}
	}
	body, err = build(truncate(text, lo))
	return body, err
}
