package ui

import "fyne.io/fyne/v2/widget"

// liveTexts are labels whose text depends on the time ("3 minutes ago"): a panel keeps them
// and ticks them every second, so that they never show a time that has passed.
type liveTexts []liveText

type liveText struct {
	label  *widget.Label
	render func() string
}

// add builds a kv row whose value is render(), kept current by tick.
func (l *liveTexts) add(key string, render func() string) kvRow {
	row := kv(key, render())
	*l = append(*l, liveText{row.Value.(*widget.Label), render})
	return row
}

// tick re-renders every text; a label is only refreshed when its text changed.
func (l liveTexts) tick() {
	for _, t := range l {
		if s := t.render(); s != t.label.Text {
			t.label.SetText(s)
		}
	}
}
