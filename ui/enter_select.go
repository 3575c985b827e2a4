package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// enterSelect is a list on which Enter does what it does in the form's entries (moves on to
// the next field to type in): a form the keyboard alone fills keeps one way of moving on.
type enterSelect struct {
	widget.Select
	onEnter func()
}

func newEnterSelect(options []string, changed func(string)) *enterSelect {
	s := &enterSelect{}
	s.Options = options
	s.OnChanged = changed
	s.ExtendBaseWidget(s)
	return s
}

// TypedKey runs onEnter on Enter; the other keys work the list as usual.
func (s *enterSelect) TypedKey(ev *fyne.KeyEvent) {
	if (ev.Name == fyne.KeyReturn || ev.Name == fyne.KeyEnter) && s.onEnter != nil {
		s.onEnter()
		return
	}
	s.Select.TypedKey(ev)
}
