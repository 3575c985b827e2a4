package app

import (
	"regexp"
	"strings"
)

// An ID names a thing of the site for machines: MQTT topics, URLs, the journal, the CLI.
// Letters, digits, '-', '_' and '.', starting with a letter or digit, at most 64 characters,
// so it can stand as one MQTT topic level.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// ValidID reports whether s is usable as an ID.
func ValidID(s string) bool { return idPattern.MatchString(s) }

func checkID(p *Problems, field, id string) {
	if !ValidID(id) {
		p.Add(field, "{{.ID}} is not a valid ID: use letters, digits, '-', '_' or '.' (at most 64)", "ID", id)
	}
}

func checkName(p *Problems, field, name string) {
	if strings.TrimSpace(name) == "" {
		p.Add(field, "A name is required")
	}
}

// Names carries the name of a thing in the site's language and, optionally, in English:
// the demo site and bilingual installations fill both, the UI shows the one that matches
// the operator's language.
type Names struct {
	Name   string `json:"name"`
	NameEn string `json:"name_en,omitempty"`
}

// Display returns the English name when asked and present, otherwise the site name.
func (n Names) Display(english bool) string {
	if english && n.NameEn != "" {
		return n.NameEn
	}
	return n.Name
}

// Matches reports whether q (already lower-cased) occurs in either name.
func (n Names) Matches(q string) bool {
	return strings.Contains(strings.ToLower(n.Name), q) || strings.Contains(strings.ToLower(n.NameEn), q)
}
