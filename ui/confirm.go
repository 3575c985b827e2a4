package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
)

// showConfirm asks before an action. The confirming button says the action itself (its
// title) and the other one "Cancel": Fyne's own Yes/No read as 是/不 in Chinese, which
// is not how a console asks.
func showConfirm(title, message string, callback func(bool), parent fyne.Window) {
	d := dialog.NewConfirm(title, message, callback, parent)
	d.SetConfirmText(strings.TrimSuffix(title, "…"))
	d.SetDismissText(T("Cancel"))
	d.Show()
}
