package notify

import "strings"

// When more messages wait for a channel than its rate lets go now, they go as one message
// (DingTalk's documentation asks for exactly this: summarise a burst in one markdown
// message rather than exceed 20 a minute). The merged message lists each one's title with
// its link, under "{{.Count}} new work orders" (the messages' Group) or "{{.Count}} new
// messages".

// mergeID names a merged message after its first message, so that the ID is stable and
// unique as long as message IDs are.
func mergeID(first string) string { return first + "+merged" }

// parts are the messages an item carries: itself, or those merged into it.
func (it *item) partsOrSelf() []Message {
	if it.parts != nil {
		return it.parts
	}
	return []Message{it.msg}
}

// partIDs are the IDs of the messages a merged item carries (nil for a plain one).
func (it *item) partIDs() []string {
	if it.parts == nil {
		return nil
	}
	ids := make([]string, len(it.parts))
	for i, m := range it.parts {
		ids[i] = m.ID
	}
	return ids
}

// mergedMessage is the message that carries parts, in the site's language.
func (p *Poster) mergedMessage(id string, parts []Message) Message {
	group := parts[0].Group
	for _, m := range parts[1:] {
		if m.Group != group {
			group = ""
		}
	}
	args := map[string]any{"Count": len(parts)}
	var title string
	if group == "" {
		title = p.T("{{.Count}} new messages", args)
	} else {
		title = p.T(group, args) // the caller's key; its translation comes with it
	}
	lines := make([]string, len(parts))
	for i, m := range parts {
		t := truncate(oneLine(m.Title), titleLimit)
		if m.Link != "" {
			t = markdownLink(t, m.Link)
		}
		lines[i] = "- " + t
	}
	return Message{ID: id, Title: title, Text: strings.Join(lines, "\n"), Group: group}
}
