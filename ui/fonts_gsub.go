package ui

import "encoding/binary"

// Fyne shapes every string it measures or draws with a new HarfBuzz font (its painter makes
// a fresh shaper per string), and a new HarfBuzz font prepares every lookup of the face's
// GSUB table first. Noto Sans CJK's GSUB carries, besides what horizontal text uses, large
// lookups for vertical text and for alternates applied only on request (full-, half- and
// proportional-width forms, ruby, historical forms, the "access all alternates" list):
// they made each of those fonts cost 0.7 ms, some 300 times while the window builds its
// first screen. Those lookups are emptied in the console's copy of the face (their
// subtable count set to 0; nothing moves, every index stays), so that Fyne prepares only
// what it can apply. Horizontal text shapes exactly as before (fonts_gsub_test.go).

// onRequestFeatures are the GSUB features HarfBuzz applies to horizontal text only when the
// text asks for them (Fyne never does), or only to vertical text (Fyne draws none).
var onRequestFeatures = map[string]bool{
	"aalt": true, "dlig": true, "hist": true, "ruby": true, "fwid": true, "hwid": true, "pwid": true,
	"twid": true, "qwid": true, "vert": true, "vrt2": true, "vkna": true, "vrtr": true,
}

// emptyOnRequestLookups empties, in the standalone font b (as sfntOf builds it), the GSUB
// lookups that only features of onRequestFeatures use; a lookup any other feature uses is
// kept whole. A table it cannot read is left as it is. It returns how many it emptied.
func emptyOnRequestLookups(b []byte) int {
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
	fo, ok1 := u16(gsub + 6)
	lo, ok2 := u16(gsub + 8)
	if !ok1 || !ok2 || fo == 0 || lo == 0 {
		return 0
	}
	features, lookups := gsub+fo, gsub+lo
	nf, ok1 := u16(features)
	nl, ok2 := u16(lookups)
	if !ok1 || !ok2 {
		return 0
	}
	onRequest := make([]bool, nl) // used by on-request features only
	used := make([]bool, nl)      // used by any other feature
	for i := 0; i < nf; i++ {
		rec := features + 2 + 6*i
		off, ok := u16(rec + 4)
		if !ok {
			return 0
		}
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
			if onRequestFeatures[string(b[rec:rec+4])] {
				onRequest[k] = true
			} else {
				used[k] = true
			}
		}
	}
	emptied := 0
	for k := 0; k < nl; k++ {
		if !onRequest[k] || used[k] {
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
