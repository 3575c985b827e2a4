// Package localeenv runs before Fyne's lang package initializes and keeps it from printing
// "Error parsing user locale C" under the common C.UTF-8 locale of servers and containers.
//
// Fyne's lang package picks a language in its init function, from LC_ALL / LC_MESSAGES /
// LANG; "C.UTF-8" parses as the invalid tag "C" and logs an error on every start, before
// main runs. Go initializes packages in the order of their import paths, so this tiny
// module, whose path sorts before fyne.io, initializes first and sets LANGUAGE=en for such
// locales (LANGUAGE only chooses message catalogues; it changes nothing else). It is a
// separate module, replaced by this directory in the main go.mod, only for that ordering.
package localeenv

import (
	"os"
	"strings"
)

func init() {
	if os.Getenv("LANGUAGE") != "" {
		return
	}
	loc := ""
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := os.Getenv(k); v != "" {
			loc = v
			break
		}
	}
	if strings.HasPrefix(loc, "C.") || strings.HasPrefix(loc, "POSIX.") {
		os.Setenv("LANGUAGE", "en")
	}
}
