package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"watchpost/app"
)

// consoleTheme is the control-room look: dark by default (operators watch screens all
// night; a dark wall does not glare), with severity colours chosen to read at a distance
// and to stay apart for colour-blind operators (red/orange/yellow/blue differ in lightness
// too). The light variant is for offices and printouts.
type consoleTheme struct {
	dark bool
}

func newConsoleTheme(name string) *consoleTheme { return &consoleTheme{dark: name != "light"} }

func rgb(v uint32) color.NRGBA {
	return color.NRGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 0xff}
}

func rgba(v uint32, a uint8) color.NRGBA {
	c := rgb(v)
	c.A = a
	return c
}

// Custom colour names of the console, used by its own widgets.
const (
	colorP1      fyne.ThemeColorName = "watchpost-p1"
	colorP2      fyne.ThemeColorName = "watchpost-p2"
	colorP3      fyne.ThemeColorName = "watchpost-p3"
	colorP4      fyne.ThemeColorName = "watchpost-p4"
	colorOK      fyne.ThemeColorName = "watchpost-ok"
	colorOffline fyne.ThemeColorName = "watchpost-offline"
	colorHeader  fyne.ThemeColorName = "watchpost-header"
	colorPanel   fyne.ThemeColorName = "watchpost-panel"
	colorMuted   fyne.ThemeColorName = "watchpost-muted"
	colorDemo    fyne.ThemeColorName = "watchpost-demo"
)

var darkPalette = map[fyne.ThemeColorName]color.Color{
	theme.ColorNameBackground:          rgb(0x0f141a),
	theme.ColorNameHeaderBackground:    rgb(0x161d25),
	theme.ColorNameMenuBackground:      rgb(0x1a222c),
	theme.ColorNameOverlayBackground:   rgb(0x1a222c),
	theme.ColorNameInputBackground:     rgb(0x0b1016),
	theme.ColorNameInputBorder:         rgb(0x344150),
	theme.ColorNameButton:              rgb(0x222c37),
	theme.ColorNameDisabledButton:      rgb(0x1a222b),
	theme.ColorNameDisabled:            rgb(0x5c6773),
	theme.ColorNameForeground:          rgb(0xe6edf3),
	theme.ColorNamePlaceHolder:         rgb(0x7d8894),
	theme.ColorNamePrimary:             rgb(0x2f81f7),
	theme.ColorNameForegroundOnPrimary: rgb(0xffffff),
	theme.ColorNameFocus:               rgba(0x2f81f7, 0x80),
	theme.ColorNameHover:               rgba(0xffffff, 0x14),
	theme.ColorNamePressed:             rgba(0xffffff, 0x26),
	theme.ColorNameSelection:           rgba(0x2f81f7, 0x55),
	theme.ColorNameSeparator:           rgb(0x26303b),
	theme.ColorNameScrollBar:           rgba(0xe6edf3, 0x55),
	theme.ColorNameShadow:              rgba(0x000000, 0x80),
	theme.ColorNameHyperlink:           rgb(0x58a6ff),
	theme.ColorNameSuccess:             rgb(0x3fb950),
	theme.ColorNameWarning:             rgb(0xff9f1a),
	theme.ColorNameError:               rgb(0xff4d4f),
	colorP1:                            rgb(0xff4d4f),
	colorP2:                            rgb(0xff8c1a),
	colorP3:                            rgb(0xf2c94c),
	colorP4:                            rgb(0x4ea8ff),
	colorOK:                            rgb(0x3fb950),
	colorOffline:                       rgb(0x8b949e),
	colorHeader:                        rgb(0x0a0e13),
	colorPanel:                         rgb(0x151c24),
	colorMuted:                         rgb(0x8b949e),
	colorDemo:                          rgb(0xb36bff),
}

var lightPalette = map[fyne.ThemeColorName]color.Color{
	theme.ColorNameBackground:          rgb(0xf3f5f8),
	theme.ColorNameHeaderBackground:    rgb(0xe4e8ee),
	theme.ColorNameMenuBackground:      rgb(0xffffff),
	theme.ColorNameOverlayBackground:   rgb(0xffffff),
	theme.ColorNameInputBackground:     rgb(0xffffff),
	theme.ColorNameInputBorder:         rgb(0xb8c1cc),
	theme.ColorNameButton:              rgb(0xe1e6ec),
	theme.ColorNameDisabledButton:      rgb(0xe9ecf0),
	theme.ColorNameDisabled:            rgb(0x9aa3ad),
	theme.ColorNameForeground:          rgb(0x1b232c),
	theme.ColorNamePlaceHolder:         rgb(0x6b7682),
	theme.ColorNamePrimary:             rgb(0x1f6feb),
	theme.ColorNameForegroundOnPrimary: rgb(0xffffff),
	theme.ColorNameFocus:               rgba(0x1f6feb, 0x80),
	theme.ColorNameHover:               rgba(0x000000, 0x0f),
	theme.ColorNamePressed:             rgba(0x000000, 0x1f),
	theme.ColorNameSelection:           rgba(0x1f6feb, 0x40),
	theme.ColorNameSeparator:           rgb(0xd0d7de),
	theme.ColorNameScrollBar:           rgba(0x000000, 0x55),
	theme.ColorNameShadow:              rgba(0x000000, 0x33),
	theme.ColorNameHyperlink:           rgb(0x0969da),
	theme.ColorNameSuccess:             rgb(0x1a7f37),
	theme.ColorNameWarning:             rgb(0xbc4c00),
	theme.ColorNameError:               rgb(0xcf222e),
	colorP1:                            rgb(0xd1242f),
	colorP2:                            rgb(0xe16f00),
	colorP3:                            rgb(0xb08800),
	colorP4:                            rgb(0x0969da),
	colorOK:                            rgb(0x1a7f37),
	colorOffline:                       rgb(0x6e7781),
	colorHeader:                        rgb(0x1b2733),
	colorPanel:                         rgb(0xffffff),
	colorMuted:                         rgb(0x57606a),
	colorDemo:                          rgb(0x8250df),
}

func (t *consoleTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	p := lightPalette
	v := theme.VariantLight
	if t.dark {
		p, v = darkPalette, theme.VariantDark
	}
	if c, ok := p[n]; ok {
		return c
	}
	return theme.DefaultTheme().Color(n, v)
}

// Font is the Simplified Chinese face of Noto Sans CJK (fonts_sc.go), Fyne's own where the
// system has none.
func (t *consoleTheme) Font(s fyne.TextStyle) fyne.Resource {
	if s.Symbol {
		return theme.DefaultTheme().Font(s)
	}
	if r := scFont(s); r != nil {
		return r
	}
	return theme.DefaultTheme().Font(s)
}

func (t *consoleTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

func (t *consoleTheme) Size(n fyne.ThemeSizeName) float32 {
	switch n {
	case theme.SizeNameText:
		return 14
	case theme.SizeNameHeadingText:
		return 22
	case theme.SizeNameSubHeadingText:
		return 17
	case theme.SizeNameCaptionText:
		return 12
	case theme.SizeNameInputRadius, theme.SizeNameSelectionRadius:
		return 4
	}
	return theme.DefaultTheme().Size(n)
}

// themeColor reads one of the theme's colours (ours or Fyne's).
func themeColor(n fyne.ThemeColorName) color.Color {
	return fyne.CurrentApp().Settings().Theme().Color(n, fyne.CurrentApp().Settings().ThemeVariant())
}

// priorityColor is the colour of an alarm priority.
func priorityColor(p app.Priority) color.Color {
	switch p {
	case app.P1:
		return themeColor(colorP1)
	case app.P2:
		return themeColor(colorP2)
	case app.P3:
		return themeColor(colorP3)
	}
	return themeColor(colorP4)
}

// stateColor is the colour of a component's health.
func stateColor(s app.ComponentState) color.Color {
	switch s {
	case app.StateOK:
		return themeColor(colorOK)
	case app.StateDegraded:
		return themeColor(colorP2)
	case app.StateDown:
		return themeColor(colorP1)
	}
	return themeColor(colorOffline)
}
