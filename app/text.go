package app

import (
	"strings"

	"golang.org/x/text/width"
)

// PlainASCII folds what a Chinese input method types in its Chinese mode back to ASCII, for
// fields that hold addresses, numbers, times and phone numbers: full-width forms
// ("２２：００", "ｒｔｓｐ：／／") become their ASCII letters, and the ideographic full stop
// (1。5) a dot. It also trims the spaces around (an ideographic space is one).
func PlainASCII(s string) string {
	return strings.TrimSpace(width.Narrow.String(strings.ReplaceAll(s, "。", ".")))
}
