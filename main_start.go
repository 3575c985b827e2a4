package main

import (
	"encoding/json"
	"os"

	"watchpost/ui"
)

// startFailed ends a console start that failed. The message is already on standard error
// (and in the log file when there is one); started from the desktop, it is shown in a
// window too, since nobody reads the standard error of a double-clicked program. Headless
// runs, tests and scripts keep to standard error. It returns code once the window is closed.
func startFailed(code int, err error, headless bool, logFile, language string) int {
	if !headless && hasDisplay() {
		ui.ShowStartError(err, logFile, language)
	}
	return code
}

// hasDisplay reports whether a desktop session is there to show a window on.
func hasDisplay() bool { return os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != "" }

// configLanguage is the language a configuration file asks for even when the file as a
// whole is refused (an unknown key, a wrong value elsewhere): the window that says so then
// speaks the operator's language. "" (follow the system) when it cannot be read.
func configLanguage(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	var c struct {
		Language string `json:"language"`
	}
	if json.Unmarshal(b, &c) != nil {
		return ""
	}
	return c.Language
}
