package app

import "strings"

// PlainASCII folds what a Chinese input method types in its Chinese mode back to ASCII, for
// fields that hold addresses, numbers, times and phone numbers: full-width forms
// ("２２：００", "ｒｔｓｐ：／／", U+FF01–U+FF5E) become their ASCII characters, the
// ideographic full stop (1。5) a dot and the ideographic space a space. It also trims the
// spaces around. (golang.org/x/text/width does the first part, but app stays on the
// standard library.)
func PlainASCII(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			return r - 0xFF01 + '!'
		case r == 0x3000:
			return ' '
		case r == 0x3002:
			return '.'
		}
		return r
	}, s))
}
