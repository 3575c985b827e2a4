package sheets

import (
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"watchpost/app"
)

// How cells are read and written: numbers, whole numbers, durations, lists of IDs and
// points. Cells go through app.PlainASCII, so what a Chinese input method types in its
// Chinese mode ("１２．５", "，") reads as it should.

// formatNum writes a measure (metres, degrees of a bearing) to a tenth of a millimetre,
// formatDeg a longitude or latitude to 1e-8° (about a millimetre). A computed position
// (a click on the map, a projection) has 17 digits, more than a spreadsheet keeps in a
// number; rounded, an unchanged cell reads back as the export wrote it, and the import
// keeps the exact value (table.go).
func formatNum(v float64) string { return strconv.FormatFloat(math.Round(v*1e4)/1e4, 'f', -1, 64) }

func formatDeg(v float64) string { return strconv.FormatFloat(math.Round(v*1e8)/1e8, 'f', -1, 64) }

func parseNum(s string) (float64, *app.Error) {
	if s = app.PlainASCII(s); s == "" {
		return 0, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, app.Errorf(app.CodeInvalid, "{{.Value}} is not a number", "Value", s)
	}
	return v, nil
}

func formatInt(v int) string {
	if v == 0 {
		return ""
	}
	return strconv.Itoa(v)
}

func parseInt(s string) (int, *app.Error) {
	if s = app.PlainASCII(s); s == "" {
		return 0, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		// A spreadsheet may keep a whole number as 5.0.
		if f, ferr := strconv.ParseFloat(s, 64); ferr == nil && f == float64(int(f)) {
			return int(f), nil
		}
		return 0, app.Errorf(app.CodeInvalid, "{{.Value}} is not a whole number", "Value", s)
	}
	return v, nil
}

// formatDuration writes 10m rather than 10m0s.
func formatDuration(d app.Duration) string {
	if d == 0 {
		return ""
	}
	s := d.D().String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func parseDuration(s string) (app.Duration, *app.Error) {
	if s = app.PlainASCII(s); s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, app.Errorf(app.CodeInvalid, "{{.Value}} is not a duration (use e.g. 90s, 15m, 4h)", "Value", s)
	}
	return app.Duration(d), nil
}

// formatIDs and parseIDs: "cam-1, cam-2".
func formatIDs(ids []string) string { return strings.Join(ids, ", ") }

func parseIDs(s string) []string {
	out := strings.FieldsFunc(app.PlainASCII(s), func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '、' })
	if len(out) == 0 {
		return nil // no IDs: as a device without cameras is stored
	}
	return out
}

// streamURL is a camera address without its user and password (they have their columns).
func streamURL(u string) string {
	pu, err := url.Parse(u)
	if err != nil || pu.User == nil {
		return u
	}
	pu.User = nil
	return pu.String()
}

// urlUser is the user name in a camera address.
func urlUser(u string) string {
	pu, err := url.Parse(u)
	if err != nil || pu.User == nil {
		return ""
	}
	return pu.User.Username()
}

// withURL reads an address cell: one that carries its own user keeps it, one without gets
// the user and password the thing's address had (a password is never exported, so an
// unchanged export keeps it).
func withURL(cell, old string) string {
	cell = app.PlainASCII(cell)
	pu, err := url.Parse(cell)
	if cell == "" || err != nil || pu.User != nil {
		return cell
	}
	if op, err := url.Parse(old); err == nil && op.User != nil {
		pu.User = op.User
	}
	return pu.String()
}

// setUser sets (or, with "", removes) the user of an address, keeping its password when
// the user stays.
func setUser(u, user string) string {
	pu, err := url.Parse(u)
	if u == "" || err != nil {
		return u
	}
	switch {
	case user == "":
		pu.User = nil
	case pu.User != nil && pu.User.Username() == user:
		return u
	default:
		pu.User = url.User(user)
	}
	return pu.String()
}

// setPassword sets the password of an address that names its user.
func setPassword(u, password string) (string, bool) {
	pu, err := url.Parse(u)
	if u == "" || err != nil {
		return u, true
	}
	if pu.User == nil {
		return u, false
	}
	pu.User = url.UserPassword(pu.User.Username(), password)
	return pu.String(), true
}
