package notify

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTruncateCutsAtACharacterBoundary(t *testing.T) {
	assert.Equal(t, "汉…", truncate("汉字汉字", 7), "7 bytes hold one character and the ellipsis")
	assert.Equal(t, "汉…", truncate("汉字汉字", 8))
	assert.Equal(t, "汉字…", truncate("汉字汉字", 9))
	assert.Equal(t, "汉字汉字", truncate("汉字汉字", 12))
	assert.Equal(t, "ab…", truncate("abcdef", 5))
	assert.Equal(t, "", truncate("汉字", 2))
	for limit := range 20 {
		s := truncate("消防通道a堵塞b", limit)
		assert.True(t, utf8.ValidString(s), "limit %d: %q", limit, s)
		assert.LessOrEqual(t, len(s), limit)
	}
}

// A long Chinese message: each robot gets it within its limit, cut at a character with "…",
// the title and the link whole.
func TestLongChineseMessageIsCutToEachRobotsLimit(t *testing.T) {
	long := workOrder("wo-long", "新工单：消防通道堵塞")
	long.Text = strings.Repeat("消防通道堵塞，请立即清理。", 600) // 23,400 bytes

	clock := newClock()
	wecom, ding := newWeCom(t, clock), newDingTalk(t, clock, dingTalkSec)
	p := newTestPoster(t, clock, wecom.srv.Client(), Options{})
	require.NoError(t, p.AddRobot(wecom.robot("企业微信群")))
	require.NoError(t, p.AddRobot(ding.robot("钉钉群")))
	require.NoError(t, p.Post("企业微信群", long))
	require.NoError(t, p.Post("钉钉群", long))
	p.Step(context.Background())

	// The fakes refuse (and fail the test on) anything over the limits or not UTF-8.
	require.Len(t, wecom.received(), 1)
	require.Len(t, ding.received(), 1)
	link := "\n[View details](https://192.168.1.10:8443/m/orders/wo-long)"

	c := wecom.received()[0].Content
	assert.LessOrEqual(t, len(c), WeComContentLimit)
	assert.Greater(t, len(c), WeComContentLimit-3, "the room is used: at most a character's bytes left")
	assert.True(t, strings.HasPrefix(c, "## 新工单：消防通道堵塞\n消防通道堵塞"))
	assert.True(t, strings.HasSuffix(c, "…"+link), c[len(c)-80:])

	d := ding.received()[0]
	assert.LessOrEqual(t, d.BodyBytes, DingTalkBodyLimit)
	assert.Greater(t, d.BodyBytes, DingTalkBodyLimit-3)
	assert.Equal(t, "新工单：消防通道堵塞", d.Title)
	assert.True(t, strings.HasSuffix(d.Text, "…\n"+link), d.Text[len(d.Text)-80:])
}

// JSON escapes (quotes, line breaks) make the DingTalk body longer than its text: the cut
// is measured on the body as sent.
func TestDingTalkCutCountsJSONEscapes(t *testing.T) {
	m := Message{ID: "x", Title: "t", Text: strings.Repeat("\"换行\"\n", 4000)}
	body, err := dingTalkRender(m)
	require.NoError(t, err)
	assert.LessOrEqual(t, len(body), DingTalkBodyLimit)
	assert.Greater(t, len(body), DingTalkBodyLimit-8)
	var v dingTalkBody
	require.NoError(t, json.Unmarshal(body, &v))
	assert.True(t, utf8.ValidString(v.Markdown.Text))
	assert.True(t, strings.HasSuffix(v.Markdown.Text, "…"))
}

func TestLongTitleIsCut(t *testing.T) {
	m := Message{ID: "x", Title: strings.Repeat("标题", 200) + "\n第二行"}
	c := weComContent(m)
	assert.LessOrEqual(t, len(c), len("## ")+titleLimit)
	assert.NotContains(t, c, "\n")
	body, err := dingTalkRender(m)
	require.NoError(t, err)
	var v dingTalkBody
	require.NoError(t, json.Unmarshal(body, &v))
	assert.LessOrEqual(t, len(v.Markdown.Title), dingTalkTitleLimit)
	assert.True(t, utf8.ValidString(v.Markdown.Title))
}

func TestLinkCannotBreakTheMarkdown(t *testing.T) {
	assert.Equal(t, "[打开 (3号楼)](https://x.cn/a%29b%20c)", markdownLink("打开 [3号楼]", "https://x.cn/a)b c"))
	assert.Equal(t, "[https://x.cn/](https://x.cn/)", markdownLink("", "https://x.cn/"))
}
