package ui

import (
	"log/slog"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// ShowStartError tells an operator who started Watchpost from the desktop why it cannot
// start (a damaged database, a wrong configuration, a second console on the same data
// directory): without it, a double-click that fails shows nothing, as the message only went
// to standard error. It returns once the window is closed. language is the configuration's
// ("" follows the system: the configuration may be what failed). Call it on the main
// goroutine, and only when the console's window was not opened.
func ShowStartError(err error, logFile, language string) {
	defer func() {
		// A display that is set but cannot be opened (a stale DISPLAY over ssh) makes GLFW
		// panic: the message is on standard error already, so that is where it stays.
		if r := recover(); r != nil {
			slog.Warn("the start error cannot be shown in a window", "err", r)
		}
	}()
	a := fyneapp.NewWithID(AppID)
	SetLanguage(language)
	a.Settings().SetTheme(newConsoleTheme(""))
	w := a.NewWindow(T("Watchpost"))
	showStartErrorIn(w, err, logFile, a.Quit)
	w.SetMaster()
	w.CenterOnScreen()
	w.ShowAndRun()
}

// showStartErrorIn fills a window with the message, the log file's path and a Close
// button that calls closed (tests pass Fyne's test window).
func showStartErrorIn(w fyne.Window, err error, logFile string, closed func()) {
	w.SetTitle(T("Watchpost cannot start"))
	title := widget.NewLabelWithStyle(T("Watchpost cannot start"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameSubHeadingText
	msg := wrapLabel(ErrText(err))
	msg.Selectable = true // to copy it into a message to whoever keeps the console
	body := container.NewVBox(title, msg)
	if logFile != "" {
		path := wrapLabel(logFile)
		path.Selectable = true
		path.TextStyle.Monospace = true
		body.Add(wrapMuted(T("The details are in the log file:")))
		body.Add(path)
	}
	done := false
	closeOnce := func() {
		if !done {
			done = true
			closed()
		}
	}
	closeBtn := widget.NewButtonWithIcon(T("Close"), theme.CancelIcon(), closeOnce)
	closeBtn.Importance = widget.HighImportance
	icon := widget.NewIcon(theme.NewErrorThemedResource(theme.ErrorIcon()))
	// In a scroll, the wrapped texts take the window's width instead of sizing the window
	// from their narrowest layout (which left it half empty).
	top := container.NewBorder(nil, nil, container.NewVBox(container.NewGridWrap(fyne.NewSize(48, 48), icon)), nil, container.NewVScroll(body))
	w.SetContent(container.NewPadded(container.NewBorder(nil, container.NewHBox(layout.NewSpacer(), closeBtn), nil, nil, top)))
	w.Canvas().SetOnTypedKey(func(ev *fyne.KeyEvent) {
		if ev.Name == fyne.KeyEscape || ev.Name == fyne.KeyReturn || ev.Name == fyne.KeyEnter {
			closeOnce()
		}
	})
	w.SetOnClosed(closeOnce)
	w.Resize(fyne.NewSize(640, 250))
}
