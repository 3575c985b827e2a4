package ui

import (
	"fyne.io/fyne/v2/dialog"

	"watchpost/app"
)

// A Save that changes nothing writes nothing: the core answers app.ErrUnchanged, and the
// window says so instead of reporting a save (or an error), so that an operator who
// pressed Save without changing anything knows that nothing new was recorded.

// unchanged reports whether err says that nothing changed.
func unchanged(err error) bool { return app.IsCode(err, app.CodeUnchanged) }

// showNothingChanged tells the operator that a Save found nothing to change.
func (c *Console) showNothingChanged() {
	dialog.ShowInformation(T("Nothing changed"), T("Everything is as it was saved: nothing new was recorded."), c.win)
}
