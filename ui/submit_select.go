package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// submitSelect is a list on which Enter confirms the form it is on: the last fields of a
// form that the keyboard alone fills (the intake form's "log as" and the order's category)
// log it from there, as Enter does in an entry.
type submitSelect struct {
	widget.Select
	onSubmit func()
}

func newSubmitSelect(options []string, changed func(string)) *submitSelect {
	s := &submitSelect{}
	s.Options = options
	s.OnChanged = changed
	s.ExtendBaseWidget(s)
	return s
}

// TypedKey confirms on Enter; the other keys work the list as usual.
func (s *submitSelect) TypedKey(ev *fyne.KeyEvent) {
	if (ev.Name == fyne.KeyReturn || ev.Name == fyne.KeyEnter) && s.onSubmit != nil {
		s.onSubmit()
		return
	}
	s.Select.TypedKey(ev)
}
