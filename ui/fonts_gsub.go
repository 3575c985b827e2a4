package ui

import "encoding/binary"

// Fyne shapes every string it measures or draws with a new HarfBuzz font (its painter makes
// a fresh shaper per string), and a new HarfBuzz font prepares every lookup of the face's
// GSUB table first. Noto Sans CJK's GSUB carries, besides what Fyne's text uses, large
// lookups for vertical text, for alternates applied only on request (full-, half- and
// proportional-width forms, ruby, historical forms, the "access all alternates" list) and
// for the forms of other languages (Japanese, Korean, traditional Chinese): they made each
// of those fonts cost 0.3–0.7 ms, hundreds of times while the window builds its first
// screen. Those lookups are emptied in the console's copy of the face (their subtable count
// set to 0; nothing moves, every index stays), so that Fyne prepares only what it can apply.
//
// What it can apply: Fyne's painter sets no language when it shapes (internal/painter,
// walkString), so HarfBuzz takes each script's default language system; the Simplified
// Chinese one (ZHS) is kept too, for a Fyne that one day passes the console's language.
// Text shapes exactly as before with no language, zh-CN or English (fonts_gsub_test.go).

// onRequestFeatures are the GSUB features HarfBuzz applies to horizontal text only when the
// text asks for them (Fyne never does), or only to vertical text (Fyne draws none).
var onRequestFeatures = map[string]bool{
	"aalt": true, "dlig": true, "hist": true, "ruby": true, "fwid": true, "hwid": true, "pwid": true,
	"twid": true, "qwid": true, "vert": true, "vrt2": true, "vkna": true, "vrtr": true,
}

// keptLanguages are the language systems whose features are kept beside each script's default.
var keptLanguages = map[string]bool{"ZHS ": true}

// emptyUnusedLookups empties, in the standalone font b (as sfntOf builds it), the GSUB
// lookups that no feature Fyne can apply uses (see above); a lookup any such feature uses is
// kept whole. A table it cannot read is left as it is. It returns how many it emptied.
func emptyUnusedLookups(b []byte) int {
	u16 := func(off int) (int, bool) {
		if off < 0 || off+2 > len(b) {
			return 0, false
		}
		return int(binary.BigEndian.Uint16(b[off:])), true
	}
	gsub := -1
	if n, ok := u16(4); ok {
		for i := 0; i < n; i++ {
			r := 12 + 16*i
			if r+16 <= len(b) && string(b[r:r+4]) == "GSUB" {
				gsub = int(binary.BigEndian.Uint32(b[r+8:]))
			}
		}
	}
	major, ok1 := u16(gsub)
	minor, ok2 := u16(gsub + 2)
	if gsub < 0 || !ok1 || !ok2 || major != 1 {
		return 0
	}
	if minor >= 1 && gsub+14 <= len(b) && binary.BigEndian.Uint32(b[gsub+10:]) != 0 {
		return 0 // feature variations may name other lookups: left whole
	}
	so, ok0 := u16(gsub + 4)
	fo, ok1 := u16(gsub + 6)
	lo, ok2 := u16(gsub + 8)
	if !ok0 || !ok1 || !ok2 || so == 0 || fo == 0 || lo == 0 {
		return 0
	}
	scripts, features, lookups := gsub+so, gsub+fo, gsub+lo
	ns, ok0 := u16(scripts)
	nf, ok1 := u16(features)
	nl, ok2 := u16(lookups)
	if !ok0 || !ok1 || !ok2 {
		return 0
	}

	// The features of the language systems kept: each script's default (every one of a
	// script that has none: which HarfBuzz would take is not ours to guess) and ZHS.
	reachable := make([]bool, nf)
	langSys := func(ls int) bool {
		req, ok1 := u16(ls + 2)
		n, ok2 := u16(ls + 4)
		if !ok1 || !ok2 {
			return false
		}
		if req != 0xffff && req < nf {
			reachable[req] = true
		}
		for j := 0; j < n; j++ {
			k, ok := u16(ls + 6 + 2*j)
			if !ok || k >= nf {
				return false
			}
			reachable[k] = true
		}
		return true
	}
	for i := 0; i < ns; i++ {
		off, ok := u16(scripts + 2 + 6*i + 4)
		if !ok {
			return 0
		}
		sc := scripts + off
		def, ok1 := u16(sc)
		nls, ok2 := u16(sc + 2)
		if !ok1 || !ok2 {
			return 0
		}
		if def != 0 && !langSys(sc+def) {
			return 0
		}
		for j := 0; j < nls; j++ {
			rec := sc + 4 + 6*j
			lso, ok := u16(rec + 4)
			if !ok || rec+4 > len(b) {
				return 0
			}
			if (def == 0 || keptLanguages[string(b[rec:rec+4])]) && !langSys(sc+lso) {
				return 0
			}
		}
	}

	used := make([]bool, nl) // by a feature Fyne can apply
	for i := 0; i < nf; i++ {
		rec := features + 2 + 6*i
		if rec+6 > len(b) {
			return 0
		}
		if !reachable[i] || onRequestFeatures[string(b[rec:rec+4])] {
			continue
		}
		off, _ := u16(rec + 4)
		f := features + off
		n, ok := u16(f + 2)
		if !ok {
			return 0
		}
		for j := 0; j < n; j++ {
			k, ok := u16(f + 4 + 2*j)
			if !ok || k >= nl {
				return 0
			}
			used[k] = true
		}
	}
	emptied := 0
	for k := 0; k < nl; k++ {
		if used[k] {
			continue
		}
		off, ok := u16(lookups + 2 + 2*k)
		if _, ok2 := u16(lookups + off + 4); !ok || !ok2 {
			continue
		}
		binary.BigEndian.PutUint16(b[lookups+off+4:], 0) // its subTableCount
		emptied++
	}
	return emptied
}
