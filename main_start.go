package main

import (
	"encoding/json"
	"log/slog"
	"os"
	"sync"
	"time"

	"watchpost/app"
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

// firstScreen is the start's order: what the operator needs to see and use the first
// screen (the store, the core, the device broker, the camera feeds the wall opens) runs
// before the window shows; what only loads the processor meanwhile (the demo's simulators,
// video analytics, recording, replay checkpoints, the daily backup, the whole walk of the
// journal's chain) starts once the window has painted its first screen, so that the window
// shows within a second (BenchmarkStart). Headless, with no window to wait for, it all
// starts at once; a window that paints nothing within firstScreenWait (hidden, say) does
// not hold the rest back longer.
type firstScreen struct {
	ready chan struct{}
	once  sync.Once
}

// firstScreenWait is the most the parts held back wait for the window's first screen.
var firstScreenWait = 10 * time.Second

// laterParts names the parts that start after the first screen (see firstScreen).
var laterParts = map[string]bool{
	"camera-simulator": true, "device-simulator": true, // the demo's: they encode and publish
	"analytics": true, "analytics-cameras": true, // decodes and detects on every camera
	"clips": true, "recording": true, // taps every camera's stream
	"replay-checkpoints": true, // folds the journal
	"backup":             true, // copies the database when one is due
}

func newFirstScreen(headless bool, log *slog.Logger) *firstScreen {
	f := &firstScreen{ready: make(chan struct{})}
	if headless {
		f.shown()
		return f
	}
	time.AfterFunc(firstScreenWait, func() {
		select {
		case <-f.ready:
		default:
			log.Warn("the window showed no screen yet; starting the rest", "after", firstScreenWait)
			f.shown()
		}
	})
	return f
}

// shown is told that the window painted its first screen (ui.Extras.Painted).
func (f *firstScreen) shown() { f.once.Do(func() { close(f.ready) }) }

// add adds parts to the supervisor: those of laterParts after the first screen.
func (f *firstScreen) add(sup *app.Supervisor, parts ...app.Part) {
	for _, p := range parts {
		if laterParts[p.Name] {
			sup.AddAfter(f.ready, p)
		} else {
			sup.Add(p)
		}
	}
}
