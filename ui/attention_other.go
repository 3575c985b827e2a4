//go:build !((linux || freebsd || openbsd || netbsd) && !wayland && cgo)

package ui

import "fyne.io/fyne/v2"

// windowAttention: the urgency hint is only implemented for X11 (attention_x11.go); on
// other desktops the console relies on its pop-up, banner and chime.
func windowAttention(fyne.Window, bool) bool { return false }
