// Command barewindow is the floor of the start's measure (BenchmarkStart in the root): the
// least a Fyne window costs to appear here, a window of the console's size with one label,
// painted-when measured by the same probe as the console (ui/firstpaint), logged the same
// way ("first screen painted"). It runs until it is killed.
package main

import (
	"log/slog"
	"os"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"

	// As in the console: no locale error under C.UTF-8 (it initializes before Fyne's lang).
	_ "a.watchpost/localeenv"

	"watchpost/ui/firstpaint"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	a := app.NewWithID("org.watchpost.barewindow")
	w := a.NewWindow("bare window")
	w.SetContent(firstpaint.Over(widget.NewLabel("Watchpost"), func(at time.Time) {
		log.Info("first screen painted", "painted", at.UTC().Format(time.RFC3339Nano))
	}))
	w.Resize(fyne.NewSize(1600, 900))
	w.ShowAndRun()
}
