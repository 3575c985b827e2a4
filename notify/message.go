package notify

import (
	"net/url"
	"strings"
	"unicode/utf8"

	"watchpost/app"
)

// Message is one notification, already written in the site's language by whoever posts it.
type Message struct {
	// ID tracks the message's deliveries in the journal (the core's own ID, e.g. the work
	// order's notification); unique per message.
	ID    string `json:"id"`
	Title string `json:"title"`          // one line: the heading, and DingTalk's preview
	Text  string `json:"text,omitempty"` // markdown in the site's language
	// Link opens the thing on a phone (the work order's page); LinkText labels it (default:
	// "View details", translated).
	Link     string `json:"link,omitempty"`
	LinkText string `json:"link_text,omitempty"`
	// Group is the title of a merged message of this kind: an English template with
	// {{.Count}}, also the translation key ("{{.Count}} new work orders"). Messages of
	// different groups merge under "{{.Count}} new messages".
	Group string `json:"group,omitempty"`
}

// Validate reports every problem of the message at once.
func (m Message) Validate() error {
	var p app.Problems
	if strings.TrimSpace(m.ID) == "" {
		p.Add("id", "A message needs an ID")
	}
	if strings.TrimSpace(m.Title) == "" {
		p.Add("title", "A message needs a title")
	}
	if len(m.Link) > linkLimit {
		p.Add("link", "The link of a message is longer than {{.Limit}} characters", "Limit", linkLimit)
	} else if m.Link != "" {
		if u, err := url.Parse(m.Link); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			p.Add("link", "The link {{.Link}} is not a web address", "Link", m.Link)
		}
	}
	return p.Err()
}

// linkLimit bounds a link: it must fit in every channel's message whole (a cut link is a
// broken one).
const linkLimit = 2048

// ellipsis ends a text that was cut.
const ellipsis = "…"

// truncate cuts s to at most limit bytes of UTF-8, at a character boundary, ending with "…"
// when it cut: the robots refuse a message over their limit, and a character cut in half
// would show as garbage.
func truncate(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	if limit < len(ellipsis) {
		return ""
	}
	cut := limit - len(ellipsis)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ellipsis
}

// oneLine makes a title a single line (a heading ends at the first line break).
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// markdownLink is [text](link), with the characters that would end the link escaped.
func markdownLink(text, link string) string {
	if text == "" {
		text = link
	}
	text = strings.NewReplacer("[", "(", "]", ")", "\n", " ").Replace(text)
	link = strings.NewReplacer(")", "%29", " ", "%20", "\n", "").Replace(link)
	return "[" + text + "](" + link + ")"
}
