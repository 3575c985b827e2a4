package ui

import (
	"strings"
	"time"

	"fyne.io/fyne/v2/lang"

	"watchpost/app"
)

// How an alarm reads on every panel (the desk, the pop-up, the map, the replay, reports):
// its title, its place and its cause, rendered from the facts the core stored (kind, device
// or camera, parameters) in the operator's language. Panels use these and never build an
// alarm's text themselves.

// translate is T for the core's messages: values that are our texts are translated too.
func translate(key string, args map[string]any) string {
	if len(args) == 0 {
		return lang.L(key)
	}
	for k, v := range args {
		if s, ok := v.(string); ok && translated(s) {
			args[k] = lang.L(s)
		}
	}
	return lang.L(key, args)
}

// message renders a message of the core in the operator's language.
func message(m app.Message) string { return m.Text(translate) }

// alarmTitle is the alarm's kind, translated ("Fire alarm" / "火警").
func alarmTitle(a *app.Alarm) string { return T(app.AlarmKindLabel(a.Kind)) }

// alarmPlace names where the alarm is: its device and the device's location, or its
// camera, or the place recorded with it; a cause recorded as a sentence by an earlier
// version when nothing else is known.
func alarmPlace(a *app.Alarm, site *app.Site) string {
	if place, ok := a.PlaceName(site, english()); ok {
		return place
	}
	if a.Recorded() {
		return alarmCause(a, site)
	}
	return a.SourceID()
}

// alarmDetails are the facts of the cause beyond its kind and place ("61 °C", "3 people"),
// joined; "" when there are none.
func alarmDetails(a *app.Alarm) string {
	var parts []string
	for _, m := range a.CauseDetails(english()) {
		parts = append(parts, message(m))
	}
	sep := ", "
	if Language() == "zh-CN" {
		sep = "，"
	}
	return strings.Join(parts, sep)
}

// alarmCause is the alarm's whole cause as one line in the operator's language; a cause
// recorded as a sentence by an earlier version is shown as recorded, marked as such.
func alarmCause(a *app.Alarm, site *app.Site) string {
	if a.Recorded() {
		return a.Describe(site, english(), translate)
	}
	colon, open, close := ": ", " (", ")"
	if Language() == "zh-CN" {
		colon, open, close = "：", "（", "）"
	}
	s := alarmTitle(a)
	if place := alarmPlace(a, site); place != "" {
		s += colon + place
	}
	if d := alarmDetails(a); d != "" {
		s += open + d + close
	}
	return s
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// signedDuration says how far ahead (+) or behind (−) a clock is: "+8 min", "−2 h".
func signedDuration(d time.Duration) string {
	sign := "+"
	if d < 0 {
		sign = "−"
	}
	return sign + message(app.DurationMessage(absDuration(d).Round(time.Second)))
}
