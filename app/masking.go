package app

import (
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"
)

// Personal fields shown outside the console (the command line's read-only commands on a real
// site) are masked: a phone as 138****1234, a resident's name as 张*, a medical note as ***.
// The people concerned are the residents a device belongs to (a bracelet's wearer and the
// family member to call), the vehicles' owners, and everyone's mobile numbers; organizations
// (police 110, the property office) and the site's own staff names are not personal.

// MaskPhone keeps the first three and last four digits of a phone number: 138****1234.
// Shorter numbers keep their first and last digit.
func MaskPhone(p string) string {
	r := []rune(p)
	switch {
	case len(r) >= 8:
		return string(r[:3]) + "****" + string(r[len(r)-4:])
	case len(r) >= 3:
		return string(r[:1]) + strings.Repeat("*", len(r)-2) + string(r[len(r)-1:])
	}
	return p
}

// MaskName keeps a name's first character: 张*. A relation before the name stays ("女儿 王*").
func MaskName(n string) string {
	n = strings.TrimSpace(n)
	if i := strings.LastIndex(n, " "); i >= 0 {
		return n[:i+1] + MaskName(n[i+1:])
	}
	if n == "" {
		return n
	}
	_, size := utf8.DecodeRuneInString(n)
	return n[:size] + "*"
}

// digits are runs of digits: a run of eleven starting 13–19 is a mainland mobile number (a
// longer run, a time in nanoseconds, is not).
var digits = regexp.MustCompile(`[0-9]+`)

// Masker masks the personal fields of a site wherever they appear in a text (a line, a JSON
// document): every mobile number, and the names and notes of the people the site records.
type Masker struct {
	replace *strings.Replacer
}

// NewMasker collects what is personal in the site.
func NewMasker(site *Site) *Masker {
	pairs := map[string]string{}
	add := func(s, masked string) {
		if s = strings.TrimSpace(s); s != "" && s != masked {
			pairs[s] = masked
		}
	}
	phone := func(p string) { add(p, MaskPhone(p)) }
	name := func(n string) { add(n, MaskName(n)) }
	if site != nil {
		for _, d := range site.Devices {
			if p := d.Person; p != nil {
				name(p.Name)
				name(p.Contact)
				phone(p.Phone)
				phone(p.ContactPhone)
				add(p.Note, "***")
			}
		}
		for _, v := range site.Vehicles {
			name(v.Owner)
			phone(v.Phone)
		}
		for _, g := range site.Grids {
			phone(g.Worker.Phone)
		}
	}
	// Longest first, so that a name inside a longer one (a relation and name) is replaced whole.
	keys := make([]string, 0, len(pairs))
	for k := range pairs {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return len(keys[i]) > len(keys[j]) || len(keys[i]) == len(keys[j]) && keys[i] < keys[j]
	})
	args := make([]string, 0, 2*len(keys))
	for _, k := range keys {
		args = append(args, k, pairs[k])
	}
	return &Masker{replace: strings.NewReplacer(args...)}
}

// Mask returns the text with the personal fields masked.
func (m *Masker) Mask(text string) string {
	text = m.replace.Replace(text)
	return digits.ReplaceAllStringFunc(text, func(s string) string {
		if len(s) == 11 && s[0] == '1' && s[1] >= '3' {
			return MaskPhone(s)
		}
		return s
	})
}
